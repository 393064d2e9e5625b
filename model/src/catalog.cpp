#include "ridgeline/catalog.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "ridgeline/error.hpp"
#include "ridgeline/importers.hpp"
#include "ridgeline/names.hpp"
#include "ridgeline/model_source.hpp"
#include "ridgeline/strict_reader.hpp"

namespace ridgeline {

namespace fs = std::filesystem;

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

namespace {

std::string_view trim_view(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r')) v.remove_suffix(1);
  return v;
}

// One scalar of the simple forms: "double quoted" without escapes, or plain text that no YAML
// reading could take for anything but a string or number.
std::optional<std::string> simple_scalar(std::string_view v) {
  v = trim_view(v);
  if (v.empty()) return std::nullopt;
  if (v.front() == '"') {
    if (v.size() < 2 || v.back() != '"') return std::nullopt;
    v = v.substr(1, v.size() - 2);
    if (v.find_first_of("\"") != std::string_view::npos) return std::nullopt;
    return std::string(v);
  }
  if (v.find_first_of("\"'#:{}[],&*!|>%@`\\") != std::string_view::npos) return std::nullopt;
  return std::string(v);
}

// Strips a trailing " # comment" outside double quotes.
std::string_view strip_comment(std::string_view v) {
  bool quoted = false;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '"') quoted = !quoted;
    else if (v[i] == '#' && !quoted && (i == 0 || v[i - 1] == ' ')) return v.substr(0, i);
  }
  return v;
}

// Items of a one-line flow list or the `value` of a one-line flow map.
std::optional<std::vector<std::string>> simple_value(std::string_view v) {
  v = trim_view(strip_comment(v));
  if (v.empty()) return std::nullopt;
  std::vector<std::string> items;
  if (v.front() == '[' || v.front() == '{') {
    const bool map = v.front() == '{';
    if (v.back() != (map ? '}' : ']')) return std::nullopt;
    v = v.substr(1, v.size() - 2);
    if (map) {  // {value: X, source: ...}: the first entry must be value, a scalar
      v = trim_view(v);
      if (!v.starts_with("value:")) return std::nullopt;
      v.remove_prefix(6);
      const size_t end = v.find(',');
      auto one = simple_scalar(v.substr(0, end));
      if (!one) return std::nullopt;
      items.push_back(*one);
      return items;
    }
    if (trim_view(v).empty()) return items;
    size_t start = 0;
    bool quoted = false;
    for (size_t i = 0; i <= v.size(); ++i) {
      if (i < v.size() && v[i] == '"') quoted = !quoted;
      if (i < v.size() && (quoted || v[i] != ',')) continue;
      auto one = simple_scalar(v.substr(start, i - start));
      if (!one) return std::nullopt;
      items.push_back(*one);
      start = i + 1;
    }
    return items;
  }
  auto one = simple_scalar(v);
  if (!one) return std::nullopt;
  items.push_back(*one);
  return items;
}

std::string file_stem(const std::string& path) { return fs::path(path).stem().string(); }

}  // namespace

std::optional<std::map<std::string, std::vector<std::string>>> read_catalog_header(
    const std::string& text, const std::vector<std::string>& keys) {
  std::map<std::string, std::vector<std::string>> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    if (line.empty() || line.front() == ' ' || line.front() == '#' || line.front() == '-') {
      if (line.starts_with("---") || line.starts_with("...")) return std::nullopt;  // several documents
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    const std::string key(line.substr(0, colon));
    if (key.find_first_of("\"'{}[] ") != std::string::npos) return std::nullopt;  // a key the parser reads otherwise
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) continue;
    auto value = simple_value(line.substr(colon + 1));
    if (!value || out.contains(key)) return std::nullopt;  // another form, or a duplicate the parser refuses
    out.emplace(key, std::move(*value));
  }
  return out;
}

const std::vector<ModelSpec>& model_catalog() {
  static const std::vector<ModelSpec> catalog = [] {
    std::vector<ModelSpec> out;
    for (const auto& h : model_headers()) out.push_back(*catalog_model(h.id));
    return out;
  }();
  return catalog;
}

const std::vector<ModelHeader>& model_headers() {
  static const std::vector<ModelHeader> headers = [] {
    std::vector<ModelHeader> out;
    for (const auto& f : yaml_files("model/catalog")) {
      ModelHeader h{.id = file_stem(f), .name = {}, .path = f, .aliases = {}};
      const auto fields = read_catalog_header(read_text_file(f), {"id", "name", "aliases"});
      if (fields && fields->contains("id") && fields->at("id").size() == 1) {
        check_catalog_id(f, fields->at("id")[0], h.id);
        h.name = fields->contains("name") ? fields->at("name").at(0) : h.id;
        if (fields->contains("aliases")) h.aliases = fields->at("aliases");
      } else {  // written in a form the line reader does not take: the full parse decides
        const ModelSpec& m = *catalog_model(h.id);
        h.name = m.name;
        h.aliases = m.aliases;
      }
      out.push_back(std::move(h));
    }
    return out;
  }();
  return headers;
}

const ModelSpec* catalog_model(const std::string& id) {
  static FileCatalog<ModelSpec> catalog("model/catalog", parse_model_yaml, [](const ModelSpec& m) { return m.id; });
  return catalog.find(id);
}

ModelSpec resolve_model(const std::string& name, NameMatch* how, bool ollama) {
  if (is_model_source(name)) return load_model_source(name).model;
  NameMatch match = ollama ? match_ollama_model_name(name) : match_model_name(name);
  if (match.id.empty()) throw FieldError("model", "{}", match.refusal);
  if (how) *how = match;
  if (const ModelSpec* m = catalog_model(match.id)) return *m;
  throw FieldError("model", "'{}' resolved to '{}', which the catalog does not hold", name, match.id);
}

}  // namespace ridgeline
