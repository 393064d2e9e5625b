#pragma once
// The one place yaml-cpp is visible. Every input format (YAML and JSON) is read through
// MapReader, which enforces: required keys present, values of the right type and range,
// no duplicated keys, and no unknown keys (with a "did you mean").
#include <yaml-cpp/yaml.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ridgeline/error.hpp"

namespace ridgeline {

// Loads a YAML or JSON file; parse errors and unreadable files become InputError naming the file.
YAML::Node load_document(const std::string& path);
YAML::Node load_document_text(const std::string& text, const std::string& label);
// The whole file as text; InputError naming the file when it cannot be read.
std::string read_text_file(const std::string& path);

class MapReader {
 public:
  // `where` is how errors name this map: "file.yaml" or "file.yaml: memory".
  MapReader(const YAML::Node& node, std::string where);

  bool has(const std::string& key) const;
  std::string str(const std::string& key);
  std::optional<std::string> opt_str(const std::string& key);
  double number(const std::string& key, double min, double max);
  std::optional<double> opt_number(const std::string& key, double min, double max);
  long long integer(const std::string& key, long long min, long long max);
  std::optional<long long> opt_integer(const std::string& key, long long min, long long max);
  bool boolean(const std::string& key);
  std::optional<bool> opt_boolean(const std::string& key);
  std::vector<std::string> str_list(const std::string& key);
  std::vector<double> number_list(const std::string& key, double min, double max);
  YAML::Node node(const std::string& key);  // required, any kind; marks the key as used
  std::optional<YAML::Node> opt_node(const std::string& key);
  MapReader map(const std::string& key);
  std::optional<MapReader> opt_map(const std::string& key);
  void ignore(const std::string& key) { used_.insert(key); }
  const std::string& where() const { return where_; }
  std::string where(const std::string& key) const;

  // Errors on any key that was never asked for. Call once all keys are read.
  void finish() const;

 private:
  YAML::Node node_;
  std::string where_;
  std::vector<std::string> keys_;
  std::set<std::string> used_;
  YAML::Node get(const std::string& key);
};

// Scalar conversions with the same error discipline, for list elements and free values.
double scalar_number(const YAML::Node& n, const std::string& where, double min, double max);
std::string scalar_string(const YAML::Node& n, const std::string& where);
// Parses a whole string as a finite double; nullopt if it is not one.
std::optional<double> parse_double(const std::string& s);

}  // namespace ridgeline
