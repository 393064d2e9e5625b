#pragma once
// Uncertainty bands of a calibrated prediction (the delta method through the simulator).
// For a rate y (prefill or decode tokens/s), var(ln y) from the coefficients is g^T S g, where S is
// the calibration's covariance of its fitted coefficients and g_i = d ln y / d theta_i is taken by
// central finite differences through predict(), over the fitted coefficients only. The band a
// user reads adds the scatter the coefficients do not explain (the calibration's held-out error):
// sqrt(g^T S g + scatter^2). Both are 1 sigma of ln y: the range is y / e^sd .. y x e^sd.
#include <optional>
#include <string>
#include <vector>

#include "ridgeline/simulate.hpp"

namespace ridgeline {

// d ln(prefill rate) / d theta and d ln(decode rate) / d theta for each named coefficient, by
// central differences of `steps` (a phase the workload does not run has gradient 0).
struct RateGradient {
  std::vector<double> prefill, decode;
  int predictions = 0;  // predict() calls it took
};
RateGradient rate_gradient(const Scenario& s, const std::vector<std::string>& names, const std::vector<double>& steps);

// The bands of this scenario's rates; nullopt when no calibration set its coefficients.
std::optional<PredictionBands> prediction_bands(const Scenario& s);
// p.bands = prediction_bands(s), for a prediction of the same scenario.
void add_bands(const Scenario& s, Prediction& p);
// The upper side of a 1-sigma band in percent (the lower side is 1 / (1 + percent / 100)).
double band_percent(double log_sd);
// Lines for reports (unwrapped; a reporter fits them to its width): what the bands are and where
// their parts come from.
std::string bands_note(const Scenario& s, const PredictionBands& b);

}  // namespace ridgeline
