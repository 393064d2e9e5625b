#pragma once
// The strict reader every YAML and JSON input goes through, over the project's document tree
// (document.hpp). MapReader enforces: required keys present, values of the right type and range,
// and no unknown keys (with a "did you mean"); duplicated keys are refused while loading.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ridgeline/document.hpp"
#include "ridgeline/error.hpp"

namespace ridgeline {

class MapReader {
 public:
  // `where` is how errors name this map: "file.yaml" or "file.yaml: memory". The reader points
  // into `node`, which must outlive it (a temporary is refused at compile time).
  MapReader(const Node& node, std::string where);
  MapReader(Node&&, std::string) = delete;

  bool has(const std::string& key) const;
  std::string str(const std::string& key);
  std::optional<std::string> opt_str(const std::string& key);
  // A text that must be one of `allowed`; anything else is "'x' is not <what> (expected a, b or c)"
  // with a did-you-mean.
  std::string one_of(const std::string& key, const std::vector<std::string>& allowed, std::string_view what);
  std::optional<std::string> opt_one_of(const std::string& key, const std::vector<std::string>& allowed,
                                        std::string_view what);
  double number(const std::string& key, double min, double max);
  std::optional<double> opt_number(const std::string& key, double min, double max);
  long long integer(const std::string& key, long long min, long long max);
  std::optional<long long> opt_integer(const std::string& key, long long min, long long max);
  bool boolean(const std::string& key);
  // "YYYY-MM-DD" with a real month and day (dates.hpp), as yyyymmdd.
  int date(const std::string& key);
  std::optional<bool> opt_boolean(const std::string& key);
  std::vector<std::string> str_list(const std::string& key);
  std::vector<double> number_list(const std::string& key, double min, double max);
  const Node& node(const std::string& key);  // required, any kind; marks the key as used
  const Node* opt_node(const std::string& key);  // nullptr when absent or null
  MapReader map(const std::string& key);
  std::optional<MapReader> opt_map(const std::string& key);
  void ignore(const std::string& key) { mark(key); }
  const std::string& where() const { return where_; }
  std::string where(const std::string& key) const;

  // The list of maps under `key`: read(item) on each, whose errors name it ("f.yaml: prices[3]:
  // chip"), then the keys it did not ask for refused. An absent key is an error unless `optional`,
  // an empty list where `non_empty`.
  enum class List { any, non_empty, optional };
  template <class Read>
  void each_map(const std::string& key, Read read, List rule = List::any) {
    const Node* list = rule == List::optional ? opt_node(key) : &node(key);
    if (!list) return;
    require_list(*list, key, rule == List::non_empty);
    for (size_t i = 0; i < list->size(); ++i) {
      MapReader item((*list)[i], where(key) + "[" + std::to_string(i) + "]");
      read(item);
      item.finish();
    }
  }

  // Errors on any key that was never asked for. Call once all keys are read.
  void finish() const;

 private:
  const Node* node_;
  std::string where_;
  std::vector<bool> used_;           // per entry of the map
  std::vector<std::string> asked_;   // every key asked for, present or not (for did-you-mean)
  const Node* mark(const std::string& key);  // the value (nullptr when absent), noted as asked
  void require_list(const Node& list, const std::string& key, bool non_empty) const;
  const Node& get(const std::string& key);
};

// How an error names a value: "a map", "a list", "empty" or the text quoted.
std::string describe_node(const Node& n);

// Scalar conversions with the same error discipline, for list elements and free values.
double scalar_number(const Node& n, const std::string& where, double min, double max);
std::string scalar_string(const Node& n, const std::string& where);
// Parses a whole string as a finite double; nullopt if it is not one.
std::optional<double> parse_double(const std::string& s);

}  // namespace ridgeline
