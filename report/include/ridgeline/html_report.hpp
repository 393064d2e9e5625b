#pragma once
// Self-contained HTML reports (report/src/html_report.cpp): inline CSS and SVG, no scripts.
#include <string>

namespace ridgeline {

// The HTML report of a buy, fit, sweep, chunk or validate JSON result (what `--json` prints);
// `label` names the input in errors.
std::string report_html(const std::string& json, const std::string& label);

}  // namespace ridgeline
