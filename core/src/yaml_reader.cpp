#include "ridgeline/yaml_reader.hpp"

#include "ridgeline/file_read.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ridgeline {

namespace {
std::string kind_name(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Null: return "empty";
    case YAML::NodeType::Scalar: return fmt::format("'{}'", n.Scalar());
    default: return "undefined";
  }
}

// yaml-cpp keeps duplicated keys silently; we refuse them, recursively, at load time.
void check_duplicates(const YAML::Node& n, const std::string& where) {
  if (n.IsMap()) {
    std::set<std::string> seen;
    for (const auto& kv : n) {
      std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "<complex key>";
      if (!seen.insert(key).second)
        throw InputError("{}: key '{}' appears twice (line {})", where, key,
                         kv.first.Mark().line + 1);
      check_duplicates(kv.second, where);
    }
  } else if (n.IsSequence()) {
    for (const auto& item : n) check_duplicates(item, where);
  }
}
}  // namespace

YAML::Node load_document_text(const std::string& text, const std::string& label) {
  if (text.find('\0') != std::string::npos)
    throw InputError("{}: binary data, not a YAML or JSON text", label);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw InputError("{}: line {}: not valid YAML/JSON: {}", label, e.mark.line + 1, e.msg);
  }
  if (!root || root.IsNull()) throw InputError("{}: the file is empty", label);
  check_duplicates(root, label);
  return root;
}

std::string read_text_file(const std::string& path) {
  return read_file_capped(path, kMaxTextFileBytes, "a YAML, JSON or text file");
}

YAML::Node load_document(const std::string& path) { return load_document_text(read_text_file(path), path); }

std::optional<double> parse_double(const std::string& s) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || errno == ERANGE || !std::isfinite(v)) return std::nullopt;
  return v;
}

double scalar_number(const YAML::Node& n, const std::string& where, double min, double max) {
  if (!n.IsScalar()) throw InputError("{}: expected a number, got {}", where, kind_name(n));
  auto v = parse_double(n.Scalar());
  if (!v) throw InputError("{}: '{}' is not a finite number", where, n.Scalar());
  if (*v < min || *v > max)
    throw InputError("{}: {} is out of range (expected {} to {})", where, n.Scalar(), min, max);
  return *v;
}

std::string scalar_string(const YAML::Node& n, const std::string& where) {
  if (!n.IsScalar() || n.Scalar().empty())
    throw InputError("{}: expected a text value, got {}", where, kind_name(n));
  return n.Scalar();
}

MapReader::MapReader(const YAML::Node& node, std::string where)
    : node_(node), where_(std::move(where)) {
  if (!node_.IsMap()) throw InputError("{}: expected a map of keys, got {}", where_, kind_name(node_));
  for (const auto& kv : node_) keys_.push_back(kv.first.Scalar());
}

std::string MapReader::where(const std::string& key) const {
  return fmt::format("{}: {}", where_, key);
}

bool MapReader::has(const std::string& key) const {
  return std::find(keys_.begin(), keys_.end(), key) != keys_.end() && !node_[key].IsNull();
}

YAML::Node MapReader::get(const std::string& key) {
  used_.insert(key);
  if (!has(key)) throw InputError("{}: missing required key '{}'", where_, key);
  return node_[key];
}

std::string MapReader::str(const std::string& key) { return scalar_string(get(key), where(key)); }
std::optional<std::string> MapReader::opt_str(const std::string& key) {
  used_.insert(key);
  if (!has(key)) return std::nullopt;
  return str(key);
}

double MapReader::number(const std::string& key, double min, double max) {
  return scalar_number(get(key), where(key), min, max);
}
std::optional<double> MapReader::opt_number(const std::string& key, double min, double max) {
  used_.insert(key);
  if (!has(key)) return std::nullopt;
  return number(key, min, max);
}

long long MapReader::integer(const std::string& key, long long min, long long max) {
  double v = number(key, static_cast<double>(min), static_cast<double>(max));
  if (v != std::floor(v))
    throw InputError("{}: {} is not a whole number", where(key), get(key).Scalar());
  return static_cast<long long>(v);
}
std::optional<long long> MapReader::opt_integer(const std::string& key, long long min,
                                                long long max) {
  used_.insert(key);
  if (!has(key)) return std::nullopt;
  return integer(key, min, max);
}

bool MapReader::boolean(const std::string& key) {
  YAML::Node n = get(key);
  if (n.IsScalar()) {
    if (n.Scalar() == "true") return true;
    if (n.Scalar() == "false") return false;
  }
  throw InputError("{}: expected true or false, got {}", where(key), kind_name(n));
}
std::optional<bool> MapReader::opt_boolean(const std::string& key) {
  used_.insert(key);
  if (!has(key)) return std::nullopt;
  return boolean(key);
}

std::vector<std::string> MapReader::str_list(const std::string& key) {
  YAML::Node n = get(key);
  if (!n.IsSequence()) throw InputError("{}: expected a list, got {}", where(key), kind_name(n));
  std::vector<std::string> out;
  for (size_t i = 0; i < n.size(); ++i)
    out.push_back(scalar_string(n[i], fmt::format("{}[{}]", where(key), i)));
  return out;
}

std::vector<double> MapReader::number_list(const std::string& key, double min, double max) {
  YAML::Node n = get(key);
  if (!n.IsSequence()) throw InputError("{}: expected a list, got {}", where(key), kind_name(n));
  std::vector<double> out;
  for (size_t i = 0; i < n.size(); ++i)
    out.push_back(scalar_number(n[i], fmt::format("{}[{}]", where(key), i), min, max));
  return out;
}

YAML::Node MapReader::node(const std::string& key) { return get(key); }
std::optional<YAML::Node> MapReader::opt_node(const std::string& key) {
  used_.insert(key);
  if (!has(key)) return std::nullopt;
  return get(key);
}

MapReader MapReader::map(const std::string& key) { return MapReader(get(key), where(key)); }
std::optional<MapReader> MapReader::opt_map(const std::string& key) {
  used_.insert(key);
  if (!has(key)) return std::nullopt;
  return map(key);
}

void MapReader::finish() const {
  std::vector<std::string> known(used_.begin(), used_.end());
  for (const auto& k : keys_)
    if (!used_.count(k))
      throw InputError("{}: unknown key '{}'{}", where_, k, did_you_mean(k, known));
}

}  // namespace ridgeline
