#include "ridgeline/catalog.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "ridgeline/error.hpp"
#include "ridgeline/importers.hpp"
#include "ridgeline/model_source.hpp"

namespace ridgeline {

namespace fs = std::filesystem;

std::string data_dir() {
  if (const char* env = std::getenv("RIDGELINE_DATA"); env && *env) return env;
  return RIDGELINE_SOURCE_DIR;
}

std::vector<std::string> yaml_files(const std::string& subdir) {
  std::vector<std::string> out;
  fs::path dir = fs::path(data_dir()) / subdir;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".yaml") out.push_back(e.path().string());
  if (ec) throw InputError("{}: cannot list the built-in catalog ({}); set RIDGELINE_DATA to the "
                           "ridgeline source folder", dir.string(), ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

std::string normalize_name(const std::string& s) {
  std::string out;
  for (char c : s)
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '.')
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool looks_like_path(const std::string& s) {
  return s.find('/') != std::string::npos || s.ends_with(".yaml") || s.ends_with(".json") ||
         s.ends_with(".gguf") || s.ends_with(".yml");
}

const std::vector<ModelSpec>& model_catalog() {
  static const std::vector<ModelSpec> catalog = [] {
    std::vector<ModelSpec> out;
    for (const auto& f : yaml_files("model/catalog")) out.push_back(parse_model_yaml(f));
    return out;
  }();
  return catalog;
}

ModelSpec resolve_model(const std::string& name) {
  if (is_model_source(name)) return load_model_source(name).model;
  const std::string key = normalize_name(name);
  std::vector<std::string> ids;
  for (const auto& m : model_catalog()) {
    if (normalize_name(m.id) == key) return m;
    for (const auto& a : m.aliases)
      if (normalize_name(a) == key) return m;
    ids.push_back(m.id);
  }
  throw InputError("--model: '{}' is not in the catalog{}; `ridgeline list models` shows them, "
                   "or pass a descriptor .yaml, a config.json or a .gguf", name, did_you_mean(name, ids));
}

}  // namespace ridgeline
