#pragma once
// Reporters: one Prediction record, several formats. JSON keys are a stable interface
// (schema_version bumps on any incompatible change).
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "ridgeline/simulate.hpp"

namespace ridgeline {

// 2: memory_gib became memory_gb (RAM as sold, in every command), byte counts exact integers.
constexpr int kSchemaVersion = 2;

std::string json_escape(const std::string& s);

class JsonArray;

// A JSON value rendered once, from a typed source: reporters build objects and arrays of these
// instead of format strings, so a key is written in one place and a byte count stays exact.
class Json {
 public:
  static Json number(double v);           // 6 significant digits (seconds, rates)
  static Json number(double v, int significant);  // fewer digits where a reporter states them (4: buy's speeds)
  static Json fixed(double v, int decimals);      // decimals after the point (a MAPE in percent: 2)
  static Json shortest(double v);         // the shortest text that reads back as v (a requirement as the user gave it)
  static Json integer(long long v);       // exact (tokens, counts)
  static Json bytes(double v);            // a byte count: the nearest whole byte, exact
  static Json string(const std::string& v);
  static Json boolean(bool v);
  static Json null();
  static Json optional_integer(const std::optional<long long>& v);  // null when absent
  const std::string& text() const { return text_; }

 private:
  explicit Json(std::string text) : text_(std::move(text)) {}
  std::string text_;
  friend class JsonObject;
  friend class JsonArray;
};

// The number a reader of the JSON gets back for `v` as Json::number writes it (6 significant
// digits, or `significant`); a figure that is not finite is returned as it is. The HTML pages draw
// their figures at this precision whether they come from a live result or its saved JSON
// (page_records.hpp), so both give the same page.
double json_number_value(double v);
double json_number_value(double v, int significant);

// A member name: a string literal of the code's, checked at compile time to need no escaping, and
// held as the text a member starts with, `, "key": `, so that writing it is one copy (escaping and
// assembling every key was half of a sweep's JSON time).
struct JsonKey {
  template <size_t N>
  consteval JsonKey(const char (&key)[N]) : size(N - 1 + 6) {  // NOLINT: literals convert implicitly
    static_assert(N - 1 + 6 <= sizeof(member), "a JSON key of at most 58 characters");
    for (size_t i = 0; i + 1 < N; ++i)
      if (key[i] == '"' || key[i] == '\\' || static_cast<unsigned char>(key[i]) < 0x20) throw "a JSON key must need no escaping";
    member[0] = ',', member[1] = ' ', member[2] = '"';
    for (size_t i = 0; i + 1 < N; ++i) member[3 + i] = key[i];
    member[N + 2] = '"', member[N + 3] = ':', member[N + 4] = ' ';
  }
  std::string_view name() const { return {member + 3, size - 6}; }
  std::string_view first_member() const { return {member + 2, size - 2}; }  // no ", " before the first
  std::string_view next_member() const { return {member, size}; }
  char member[64] = {};
  size_t size;
};

// {"key": value, ...} in insertion order, with the project's ", " and ": " separators.
class JsonObject {
 public:
  JsonObject& add(const JsonKey& key, const Json& value);
  JsonObject& add(const JsonKey& key, const JsonObject& value);
  JsonObject& add(const JsonKey& key, const JsonArray& value);
  // The same as add(key, Json::number(v)) and the like, written in place without the value's own
  // string: a sweep writes ~45 members per row.
  JsonObject& add_number(const JsonKey& key, double v);
  JsonObject& add_integer(const JsonKey& key, long long v);
  JsonObject& add_bytes(const JsonKey& key, double v);
  JsonObject& add_number(const JsonKey& key, double v, int significant);
  JsonObject& add_string(const JsonKey& key, std::string_view v);
  // A member whose name is data (a chip id, a measured quantity), escaped as a string is.
  JsonObject& add_named(std::string_view name, const Json& value);
  operator Json() const;  // NOLINT: an object is a value
  std::string str() const&;
  std::string str() &&;  // a finished temporary hands its text over instead of copying it

 private:
  void begin_member(const JsonKey& key);
  std::string text_ = "{";  // written as members are added: no per-member strings to join later
};

class JsonArray {
 public:
  JsonArray() = default;
  // Long lists of records (buy's configurations, fit's and validate's rows) put each element on
  // its own line, "[\n{...},\n{...}\n]", so the output diffs and greps by record.
  static JsonArray one_per_line();
  static JsonArray of_strings(const std::vector<std::string>& texts);  // each a JSON string
  JsonArray& push(const Json& value);
  operator Json() const;  // NOLINT: an array is a value
  std::string str() const;

 private:
  std::string text_ = "[";
  bool lines_ = false;
  friend class JsonObject;
};

// Text for SVG and HTML: <, >, & and " as entities.
std::string xml_escape(const std::string& s);
JsonObject prediction_record(const Scenario& s, const Prediction& p);
std::string prediction_json(const Scenario& s, const Prediction& p);  // one object
void append_prediction_json(std::string& out, const Scenario& s, const Prediction& p);
std::string prediction_table(const Scenario& s, const Prediction& p);
// CSV of predictions: the header and every row come from one field list (report.cpp).
// RFC 4180 cells: append_csv_quoted always quotes (inner quotes doubled); append_csv_text quotes
// only a text holding a comma, quote or line break.
void append_csv_quoted(std::string& out, std::string_view v);
void append_csv_text(std::string& out, std::string_view v);
std::string csv_header();
std::string csv_row(const Scenario& s, const Prediction& p);
// csv_row appended to `out` (a sweep streams rows through one buffer); speeds are empty when the
// run does not fit, byte counts are exact integers.
void append_csv_row(std::string& out, const Scenario& s, const Prediction& p);
size_t csv_header_columns();
std::string explain_table(const Scenario& s, const StepShape& shape, const std::vector<Op>& ops);
std::string explain_json(const Scenario& s, const std::string& step, const StepShape& shape, const std::vector<Op>& ops);

// Minimal SVG line charts for sweeps.
struct Series {
  std::string label;
  std::vector<double> x, y;
};
struct Chart {
  std::string title, x_label, y_label;
  std::vector<Series> series;
  std::optional<double> hline;  // e.g. the memory limit
  std::string hline_label;
  std::optional<double> vline;  // e.g. the out-of-memory context
  std::string vline_label;
  bool markers = false;   // points instead of lines (predicted against measured)
  bool diagonal = false;  // draw y = x
};
std::string svg_charts(const std::vector<Chart>& charts, const std::string& title);

}  // namespace ridgeline
