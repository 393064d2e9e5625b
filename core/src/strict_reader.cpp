#include "ridgeline/strict_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "ridgeline/dates.hpp"

namespace ridgeline {

std::string describe_node(const Node& n) {
  switch (n.kind()) {
    case Node::Kind::map: return "a map";
    case Node::Kind::sequence: return "a list";
    case Node::Kind::null: return "empty";
    case Node::Kind::scalar: return fmt::format("'{}'", n.text());
  }
  return "undefined";
}

std::optional<double> parse_double(const std::string& s) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || errno == ERANGE || !std::isfinite(v)) return std::nullopt;
  return v;
}

double scalar_number(const Node& n, const std::string& where, double min, double max) {
  if (!n.is_scalar()) throw InputError("{}: expected a number, got {}", where, describe_node(n));
  auto v = parse_double(n.text());
  if (!v) throw InputError("{}: '{}' is not a finite number", where, n.text());
  if (*v < min || *v > max)
    throw InputError("{}: {} is out of range (expected {} to {})", where, n.text(), min, max);
  return *v;
}

std::string scalar_string(const Node& n, const std::string& where) {
  if (!n.is_scalar() || n.text().empty())
    throw InputError("{}: expected a text value, got {}", where, describe_node(n));
  return n.text();
}

MapReader::MapReader(const Node& node, std::string where) : node_(&node), where_(std::move(where)) {
  if (!node_->is_map()) throw InputError("{}: expected a map of keys, got {}", where_, describe_node(*node_));
  used_.assign(node_->size(), false);
}

void MapReader::require_list(const Node& list, const std::string& key, bool non_empty) const {
  if (!list.is_sequence()) throw InputError("{}: expected a list of maps, got {}", where(key), describe_node(list));
  if (non_empty && list.size() == 0) throw InputError("{}: expected a non-empty list", where(key));
}

std::string MapReader::where(const std::string& key) const { return fmt::format("{}: {}", where_, key); }

bool MapReader::has(const std::string& key) const { return node_->has(key); }

const Node* MapReader::mark(const std::string& key) {
  asked_.push_back(key);
  const auto& entries = node_->entries();
  for (size_t i = 0; i < entries.size(); ++i)
    if (entries[i].key == key) {
      used_[i] = true;
      return &entries[i].value;
    }
  return nullptr;
}

const Node& MapReader::get(const std::string& key) {
  const Node* v = mark(key);
  if (!v || v->is_null()) throw InputError("{}: missing required key '{}'", where_, key);
  return *v;
}

std::string MapReader::str(const std::string& key) { return scalar_string(get(key), where(key)); }
std::optional<std::string> MapReader::opt_str(const std::string& key) {
  const Node* v = mark(key);
  if (!v || v->is_null()) return std::nullopt;
  return scalar_string(*v, where(key));
}

namespace {
// `value` itself when it is one of `allowed`, else the one-line error naming the key's place.
const std::string& checked_choice(const std::string& value, const std::vector<std::string>& allowed, std::string_view what,
                                  const std::string& where) {
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return value;
  std::string expected;
  for (size_t i = 0; i < allowed.size(); ++i)
    expected += (i == 0 ? "" : i + 1 == allowed.size() ? " or " : ", ") + allowed[i];
  throw InputError("{}: '{}' is not {} (expected {}){}", where, value, what, expected, did_you_mean(value, allowed));
}
}  // namespace

std::string MapReader::one_of(const std::string& key, const std::vector<std::string>& allowed, std::string_view what) {
  return checked_choice(str(key), allowed, what, where(key));
}

std::optional<std::string> MapReader::opt_one_of(const std::string& key, const std::vector<std::string>& allowed,
                                                 std::string_view what) {
  auto v = opt_str(key);
  if (v) checked_choice(*v, allowed, what, where(key));
  return v;
}

double MapReader::number(const std::string& key, double min, double max) {
  return scalar_number(get(key), where(key), min, max);
}
std::optional<double> MapReader::opt_number(const std::string& key, double min, double max) {
  const Node* v = mark(key);
  if (!v || v->is_null()) return std::nullopt;
  return scalar_number(*v, where(key), min, max);
}

long long MapReader::integer(const std::string& key, long long min, long long max) {
  const Node& n = get(key);
  double v = scalar_number(n, where(key), static_cast<double>(min), static_cast<double>(max));
  if (v != std::floor(v)) throw InputError("{}: {} is not a whole number", where(key), n.text());
  return static_cast<long long>(v);
}
int MapReader::date(const std::string& key) {
  const std::string text = str(key);
  const int d = date_number(text);
  if (d == 0) throw InputError("{}: '{}' is not a date (expected YYYY-MM-DD)", where(key), text);
  return d;
}
std::optional<long long> MapReader::opt_integer(const std::string& key, long long min, long long max) {
  if (!has(key)) {
    mark(key);
    return std::nullopt;
  }
  return integer(key, min, max);
}

bool MapReader::boolean(const std::string& key) {
  const Node& n = get(key);
  if (n.is_scalar()) {
    if (n.text() == "true") return true;
    if (n.text() == "false") return false;
  }
  throw InputError("{}: expected true or false, got {}", where(key), describe_node(n));
}
std::optional<bool> MapReader::opt_boolean(const std::string& key) {
  if (!has(key)) {
    mark(key);
    return std::nullopt;
  }
  return boolean(key);
}

std::vector<std::string> MapReader::str_list(const std::string& key) {
  const Node& n = get(key);
  if (!n.is_sequence()) throw InputError("{}: expected a list, got {}", where(key), describe_node(n));
  std::vector<std::string> out;
  out.reserve(n.size());
  for (size_t i = 0; i < n.size(); ++i) out.push_back(scalar_string(n[i], fmt::format("{}[{}]", where(key), i)));
  return out;
}

std::vector<double> MapReader::number_list(const std::string& key, double min, double max) {
  const Node& n = get(key);
  if (!n.is_sequence()) throw InputError("{}: expected a list, got {}", where(key), describe_node(n));
  std::vector<double> out;
  out.reserve(n.size());
  for (size_t i = 0; i < n.size(); ++i)
    out.push_back(scalar_number(n[i], fmt::format("{}[{}]", where(key), i), min, max));
  return out;
}

const Node& MapReader::node(const std::string& key) { return get(key); }
const Node* MapReader::opt_node(const std::string& key) {
  const Node* v = mark(key);
  return v && !v->is_null() ? v : nullptr;
}

MapReader MapReader::map(const std::string& key) { return MapReader(get(key), where(key)); }
std::optional<MapReader> MapReader::opt_map(const std::string& key) {
  const Node* v = opt_node(key);
  if (!v) return std::nullopt;
  return MapReader(*v, where(key));
}

void MapReader::finish() const {
  const auto& entries = node_->entries();
  for (size_t i = 0; i < entries.size(); ++i)
    if (!used_[i]) {
      std::vector<std::string> known = asked_;  // sorted and unique, as the suggestion's candidates always were
      std::sort(known.begin(), known.end());
      known.erase(std::unique(known.begin(), known.end()), known.end());
      throw InputError("{}: unknown key '{}'{}", where_, entries[i].key, did_you_mean(entries[i].key, known));
    }
}

}  // namespace ridgeline
