#include "ridgeline/catalog_lookup.hpp"

#include <algorithm>
#include <filesystem>

#include "ridgeline/data_dir.hpp"

namespace ridgeline {

namespace fs = std::filesystem;

std::vector<std::string> yaml_files(const std::string& subdir) {
  std::vector<std::string> out;
  fs::path dir = fs::path(data_dir()) / subdir;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".yaml") out.push_back(e.path().string());
  if (ec) throw InputError("{}: cannot list the built-in catalog ({}); set RIDGELINE_DATA to the "
                           "ridgeline data folder", dir.string(), ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> yaml_file_ids(const std::string& subdir) {
  std::vector<std::string> ids;
  for (const auto& f : yaml_files(subdir)) ids.push_back(fs::path(f).stem().string());
  return ids;
}

std::optional<std::string> catalog_file(const std::string& subdir, const std::string& id) {
  if (id.empty() || id.find('/') != std::string::npos || id.find('\\') != std::string::npos) return std::nullopt;
  const fs::path path = fs::path(data_dir()) / subdir / (id + ".yaml");
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  return path.string();
}

void check_catalog_id(const std::string& path, const std::string& stated, const std::string& id) {
  if (stated != id)
    throw InputError("{}: id '{}' differs from the file name (a catalog file is named after its id)", path, stated);
}

}  // namespace ridgeline
