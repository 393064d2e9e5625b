// What a calibration says of its predictions' uncertainty, handed to the runtime it sets.
#include <algorithm>
#include <cmath>
#include <numbers>

#include "ridgeline/calibration.hpp"

namespace ridgeline {

double calibration_log_scatter(const Calibration& c, const std::string& quantity, bool& from_mape) {
  const CvStats* folds[] = {&c.leave_one_chip_out, &c.leave_one_model_out, &c.leave_one_source_out};
  double worst = -1;
  for (const CvStats* cv : folds)
    if (auto it = cv->log_error_p68.find(quantity); it != cv->log_error_p68.end()) worst = std::max(worst, it->second);
  if (worst >= 0) return worst;
  if (auto it = c.in_sample_log_error_p68.find(quantity); it != c.in_sample_log_error_p68.end()) return it->second;
  // A schema-1 file has MAPE only: for a normal ln-error of sigma s, E|e| = s sqrt(2/pi), and the
  // MAPE of small errors is about E|e|.
  double mape = -1;
  for (const CvStats* cv : folds)
    if (auto it = cv->mape.find(quantity); it != cv->mape.end()) mape = std::max(mape, it->second);
  if (mape < 0)
    if (auto it = c.in_sample_mape.find(quantity); it != c.in_sample_mape.end()) mape = it->second;
  if (mape < 0) return 0;
  from_mape = true;
  return mape / 100 * std::sqrt(std::numbers::pi / 2);
}

CalibrationUncertainty uncertainty_of(const Calibration& errors, const std::vector<const Calibration*>& applied) {
  CalibrationUncertainty u;
  u.known = true;
  for (const Calibration* c : applied)
    if (!c->covariance.names.empty()) u.blocks.push_back(c->covariance);
  // A file with coefficients but no covariance (schema 1) leaves them without a band: then none is
  // claimed. A file that fitted nothing (a wrapper whose rows identify no cost of its own) has
  // nothing to cover and leaves its engine's band as it is.
  if (std::any_of(applied.begin(), applied.end(),
                  [](const Calibration* c) { return !c->coefficients.empty() && c->covariance.names.empty(); }))
    u.blocks.clear();
  u.prefill_log_scatter = calibration_log_scatter(errors, "prefill_tok_s", u.scatter_from_mape);
  u.decode_log_scatter = calibration_log_scatter(errors, "decode_tok_s", u.scatter_from_mape);
  return u;
}

}  // namespace ridgeline
