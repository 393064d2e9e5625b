// The delta method through the simulator: see bands.hpp.
#include "ridgeline/bands.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "ridgeline/coefficients.hpp"
#include "ridgeline/ops.hpp"

namespace ridgeline {

namespace {

// A keyed coefficient (quant_compute_factor.k, tier_bandwidth_factor.max, ...) is read by the
// simulator only when its key is this scenario's kernel class, chip generation or tier (an
// unpacking cost only on a single-issue GPU): the rest have gradient 0 by construction and cost no
// predictions.
bool read_by(const Scenario& s, const std::string& name) {
  const auto dot = name.find('.');
  if (dot == std::string::npos) return true;
  const std::string key = name.substr(dot + 1);
  if (name.starts_with("dequant_")) return s.hardware.single_issue.value && key == s.quant.kernel_class;
  if (name.starts_with("generation_compute_")) {  // borrowed within an architecture (generation_keys)
    const auto keys = generation_keys(s);
    return std::find(keys.begin(), keys.end(), key) != keys.end();
  }
  if (name.starts_with("die_")) return key == hardware_die(s.hardware);
  return key == s.quant.kernel_class || key == s.hardware.family || key == s.hardware.tier;
}

double log_seconds(double seconds) { return seconds > 0 ? std::log(seconds) : 0.0; }

}  // namespace

RateGradient rate_gradient(const Scenario& s, const std::vector<std::string>& names, const std::vector<double>& steps) {
  RateGradient g;
  g.prefill.assign(names.size(), 0.0);
  g.decode.assign(names.size(), 0.0);
  Scenario at = s;  // one copy, each coefficient moved and put back
  for (size_t i = 0; i < names.size(); ++i) {
    double* value = coefficient_slot(at.runtime, names[i]);
    if (!value || steps[i] <= 0 || !read_by(s, names[i])) continue;
    const double v = *value;
    *value = v + steps[i];
    const Prediction up = predict_times(at);
    *value = v - steps[i];
    const Prediction down = predict_times(at);
    *value = v;
    g.predictions += 2;
    // rate = tokens / seconds: d ln rate = -d ln seconds.
    if (up.prefill_tokens > 0)
      g.prefill[i] = -(log_seconds(up.prefill_seconds) - log_seconds(down.prefill_seconds)) / (2 * steps[i]);
    if (up.decode_tokens > 0)
      g.decode[i] = -(log_seconds(up.decode_seconds) - log_seconds(down.decode_seconds)) / (2 * steps[i]);
  }
  return g;
}

std::optional<PredictionBands> prediction_bands(const Scenario& s) {
  const CalibrationUncertainty& u = s.runtime.uncertainty;
  if (!u.known) return std::nullopt;
  PredictionBands b;
  b.covariance = !u.blocks.empty();
  b.scatter_from_mape = u.scatter_from_mape;
  double var_prefill = 0, var_decode = 0;
  // A name fitted again by a later calibration (a wrapper's over its engine's) holds the later
  // value: only the later block speaks for it.
  std::set<std::string> seen;
  for (auto block = u.blocks.rbegin(); block != u.blocks.rend(); ++block) {
    const size_t n = block->names.size();
    std::vector<double> steps(n, 0.0);
    for (size_t i = 0; i < n; ++i) {
      // A step of a thousandth of the coefficient's standard error: small against the scale the
      // band covers, large against rounding (the rates are smooth there except at roofline kinks).
      const double sd = std::sqrt(std::max(0.0, block->matrix[i * n + i]));
      if (seen.insert(block->names[i]).second) steps[i] = 1e-3 * sd;
    }
    const RateGradient g = rate_gradient(s, block->names, steps);
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j) {
        var_prefill += g.prefill[i] * block->matrix[i * n + j] * g.prefill[j];
        var_decode += g.decode[i] * block->matrix[i * n + j] * g.decode[j];
      }
    // A coefficient the data left free has no variance to carry: say where the rate depends on it
    // (a tenth of its fit range moves the rate by more than 1%).
    std::vector<double> free_steps(block->not_identified.size());
    std::vector<double> range(free_steps.size());
    for (size_t i = 0; i < free_steps.size(); ++i) {
      const CoefficientInfo* c = find_coefficient(block->not_identified[i]);
      range[i] = c ? c->fit_hi - c->fit_lo : 0.0;
      free_steps[i] = 1e-4 * range[i];
    }
    const RateGradient f = rate_gradient(s, block->not_identified, free_steps);
    for (size_t i = 0; i < free_steps.size(); ++i) {
      if (std::abs(f.prefill[i]) * 0.1 * range[i] > 0.01) b.prefill.not_identified.push_back(block->not_identified[i]);
      if (std::abs(f.decode[i]) * 0.1 * range[i] > 0.01) b.decode.not_identified.push_back(block->not_identified[i]);
    }
  }
  b.prefill.coefficients = std::sqrt(std::max(0.0, var_prefill));
  b.decode.coefficients = std::sqrt(std::max(0.0, var_decode));
  b.prefill.total = std::hypot(b.prefill.coefficients, u.prefill_log_scatter);
  b.decode.total = std::hypot(b.decode.coefficients, u.decode_log_scatter);
  return b;
}

void add_bands(const Scenario& s, Prediction& p) { p.bands = prediction_bands(s); }

double band_percent(double log_sd) { return 100 * std::expm1(log_sd); }

std::string bands_note(const Scenario& s, const PredictionBands& b) {
  std::set<std::string> free(b.prefill.not_identified.begin(), b.prefill.not_identified.end());
  free.insert(b.decode.not_identified.begin(), b.decode.not_identified.end());
  const std::string caveat = free.empty() ? "" : fmt::format(
      "bands understate: this prediction depends on {}, which the calibration's data do not identify\n",
      fmt::join(free, ", "));
  if (!b.covariance)
    return fmt::format(
        "bands: 1 sigma from the held-out error alone{}: the {} calibration file has no covariance of its "
        "coefficients (schema 1; `ridgeline calibrate` writes one)\n",
        b.scatter_from_mape ? " (its MAPE x sqrt(pi/2))" : "", s.runtime.calibration);
  return fmt::format(
      "bands: 1 sigma; the fitted coefficients' covariance carried through the model (delta method), combined with "
      "the calibration's held-out scatter{}\n",
      b.scatter_from_mape ? " (its MAPE x sqrt(pi/2): the file has no held-out quantiles)"
                          : " (|ln(predicted/measured)| that 68% of held-out rows stay within, worst of chip, model and source held out)") +
         caveat;
}

}  // namespace ridgeline
