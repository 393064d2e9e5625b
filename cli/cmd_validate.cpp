// ridgeline validate DATA...: every row predicted against what was measured, with the share of
// the roofline bound it reached and a flag for anomalies; then MAPE per quantity, chip, runtime
// (calibrate's validate_dataset; report's validation_table, _json, _svg).
#include <iostream>

#include "commands.hpp"
#include "ridgeline/validation_report.hpp"

namespace ridgeline::cli {

int run_validate(const ValidateOptions& o, std::ostream& out) {
  // With several files, one that is not a benchmark format is reported and skipped, so that
  // `validate data/*.csv` goes on; a lone unreadable file is still the error (exit 2).
  ValidationReport v = validate_dataset(o.data, parse_name_maps(o.maps), calibration_choice(o.calibration));
  for (size_t i = 0; i < v.rows.size(); ++i)  // an unresolved row's reason is its resolution's
    if (!v.resolved[i].ok) v.unusable[i] = resolution_reason(v.resolved[i]);
  for (const auto& why : v.skipped) std::cerr << "ridgeline: skipped " << why << "\n";
  out << (o.json ? validation_json(v) : validation_table(v));
  if (!o.plot.empty()) write_output("--plot", o.plot, validation_svg(v));
  return v.anomalies > 0 ? kRequirementFailed : kOk;
}

}  // namespace ridgeline::cli
