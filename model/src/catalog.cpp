#include "ridgeline/catalog.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "ridgeline/error.hpp"
#include "ridgeline/importers.hpp"
#include "ridgeline/names.hpp"
#include "ridgeline/model_source.hpp"

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

std::string normalize_name(const std::string& s) {
  std::string out;
  for (char c : s)
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '.')
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string model_id_from_name(const std::string& name) {
  std::string id;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '.') id += static_cast<char>(std::tolower(u));
    else if (!id.empty() && id.back() != '-') id += '-';
  }
  while (!id.empty() && (id.back() == '-' || id.back() == '.')) id.pop_back();
  return id;
}

std::string model_name_for_file(const std::string& path, const std::string& name_in_file) {
  if (!name_in_file.empty() && name_in_file != path) return name_in_file;
  const fs::path p(path);
  // A model folder keeps its name on the folder: ".../Llama-3.1-8B-Instruct/config.json".
  if (p.stem() == "config" && p.has_parent_path() && !p.parent_path().filename().empty())
    return p.parent_path().filename().string();
  return p.stem().string();
}

bool looks_like_path(const std::string& s) {
  // "Qwen/Qwen3-8B" is a hub name, not a path, unless such a file is there.
  if (s.ends_with(".yaml") || s.ends_with(".json") || s.ends_with(".gguf") || s.ends_with(".yml")) return true;
  if (s.starts_with("/") || s.starts_with("./") || s.starts_with("../") || s.starts_with("~")) return true;
  std::error_code ec;
  return s.find('/') != std::string::npos && fs::is_regular_file(s, ec);
}

const std::vector<ModelSpec>& model_catalog() {
  static const std::vector<ModelSpec> catalog = [] {
    std::vector<ModelSpec> out;
    for (const auto& f : yaml_files("model/catalog")) out.push_back(parse_model_yaml(f));
    return out;
  }();
  return catalog;
}

ModelSpec resolve_model(const std::string& name, NameMatch* how) {
  if (is_model_source(name)) return load_model_source(name).model;
  NameMatch match = match_model_name(name);
  if (match.id.empty()) throw InputError("--model: {}", match.refusal);
  if (how) *how = match;
  for (const auto& m : model_catalog())
    if (m.id == match.id) return m;
  throw InputError("--model: '{}' resolved to '{}', which the catalog does not hold", name, match.id);
}

}  // namespace ridgeline
