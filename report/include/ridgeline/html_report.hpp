#pragma once
// Self-contained HTML reports (report/src/html_report.cpp): inline CSS and SVG, no scripts. One page
// per result kind, drawn from its page record (page_records.hpp), whether that came from the live
// result (`buy --html`, `fit --html`) or from a saved `--json` output (`report`, saved_results.hpp).
#include <string>

#include "ridgeline/page_records.hpp"

namespace ridgeline {

std::string html_report(const BuyPage& r);
std::string html_report(const FitPage& r);
std::string html_report(const ChunkPage& r);
std::string html_report(const ValidationPage& r);
std::string html_report(const SweepPage& r);

}  // namespace ridgeline
