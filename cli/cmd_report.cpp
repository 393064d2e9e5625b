// report: the HTML page of a saved `--json` result (the page itself: report/src/html_report.cpp).
#include <ostream>

#include "commands.hpp"
#include "ridgeline/strict_reader.hpp"

namespace ridgeline::cli {

int run_report(const ReportOptions& o, std::ostream& out) {
  write_output("--html", o.html, report_html(read_text_file(o.input), o.input));
  out << "wrote " << o.html << "\n";
  return kOk;
}

}  // namespace ridgeline::cli
