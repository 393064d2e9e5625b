// report: the HTML page of a saved `--json` result, read into its page record (report's
// saved_results.cpp) and drawn by the same page builder `buy --html` and `fit --html` use.
#include <ostream>
#include <variant>

#include "commands.hpp"
#include "ridgeline/html_report.hpp"
#include "ridgeline/saved_results.hpp"

namespace ridgeline::cli {

int run_report(const ReportOptions& o, std::ostream& out) {
  const SavedResult saved = load_saved_result(o.input);
  write_output("--html", o.html, std::visit([](const auto& page) { return html_report(page); }, saved));
  out << "wrote " << o.html << "\n";
  return kOk;
}

}  // namespace ridgeline::cli
