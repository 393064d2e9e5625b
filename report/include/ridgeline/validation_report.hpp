#pragma once
// Reporters of validation (calibrate's ValidationReport): one line per row with the summary
// tables, JSON ({rows: [...], summary: {...}}) and predicted-against-measured SVG charts.
#include <string>

#include "ridgeline/validation.hpp"

namespace ridgeline {

std::string validation_table(const ValidationReport& v);
std::string validation_json(const ValidationReport& v);
std::string validation_svg(const ValidationReport& v);

}  // namespace ridgeline
