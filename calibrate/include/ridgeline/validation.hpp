#pragma once
// Validation analytics: every measured row predicted, the share of its datasheet roofline bound it
// reached, anomalies flagged by rule, and the mean absolute percentage error per quantity, chip and
// runtime (validation.cpp). Reporters are in report/ (validation_report.hpp).
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ridgeline/calibration.hpp"

namespace ridgeline {

// A prediction beyond this factor of the measurement, either way, is an anomaly.
constexpr double kAnomalyRatio = 1.5;
// A source's stated bandwidth this far (relative) from the datasheet's is noted.
constexpr double kStatedBandwidthTolerance = 0.05;

// What validation found for one row.
struct RowValidation {
  std::map<Measured, std::pair<double, double>> values;  // quantity -> measured, predicted
  std::optional<double> roofline_fraction;  // measured / the rate on datasheet roofs (decode's when both)
  std::string anomaly;         // "" or why the row looks wrong
  std::string bandwidth_note;  // the source's bandwidth figure disagrees with the datasheet
  // The runtime profile's measured gaps (README Limitations) a measured rate of the row falls in:
  // the rate and what was measured, so a row far off in a listed regime reads as expected there.
  std::vector<std::pair<Measured, std::string>> measured_gaps;
};

// Absolute percentage errors summed over n observations (absolute_percentage_error).
struct ApeSum {
  double sum = 0;
  int n = 0;
};
using ApeByQuantity = std::map<std::string, ApeSum>;  // to_string(Measured) -> errors

struct ValidationReport {
  // Per row, as load_dataset gives them.
  std::vector<Measurement> rows;
  std::vector<Resolution> resolved;
  std::vector<std::string> unusable;   // why the row yields no observation ("" when it does)
  std::vector<RowValidation> results;
  std::vector<std::string> skipped;    // files in no benchmark format, with the reason
  size_t resolved_rows = 0, usable_rows = 0, anomalies = 0;
  // MAPE (out-of-memory context: share of predictions more than a chunk off) over every row, and
  // per chip and runtime id.
  ApeByQuantity overall;
  std::map<std::string, ApeByQuantity> by_chip, by_runtime;
};

// Reads the files (one in no benchmark format is skipped, with the reason, when there are several),
// resolves and predicts every row with `calibration` applied per runtime and vendor. Throws
// InputError naming the file for unreadable input.
ValidationReport validate_dataset(const std::vector<std::string>& files, const NameMaps& maps,
                                  const CalibrationChoice& calibration);

}  // namespace ridgeline
