#pragma once
// Reporters: one Prediction record, several formats. JSON keys are a stable interface
// (schema_version bumps on any incompatible change).
#include <string>
#include <vector>

#include <fmt/format.h>

#include "ridgeline/simulate.hpp"

namespace ridgeline {

constexpr int kSchemaVersion = 1;

std::string json_escape(const std::string& s);
// Text for SVG and HTML: <, >, & and " as entities.
std::string xml_escape(const std::string& s);
std::string prediction_json(const Scenario& s, const Prediction& p);  // one object
void append_prediction_json(fmt::memory_buffer& out, const Scenario& s, const Prediction& p);
std::string prediction_table(const Scenario& s, const Prediction& p);
std::string csv_header();
std::string csv_row(const Scenario& s, const Prediction& p);
// csv_row appended to `out` (a sweep streams rows through one buffer); speeds are empty when the
// run does not fit, byte counts are exact integers.
void append_csv_row(fmt::memory_buffer& out, const Scenario& s, const Prediction& p);
size_t csv_header_columns();
std::string explain_table(const Scenario& s, const StepShape& shape, const std::vector<Op>& ops);

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
