#pragma once
// Reporter of a fitted calibration (calibrate's Calibration): the table `ridgeline calibrate`
// prints per runtime, coefficients with their standard errors, the covariance summary and the
// in-sample and held-out MAPE.
#include <string>

#include "ridgeline/calibration.hpp"

namespace ridgeline {

std::string calibration_table(const Calibration& c);

}  // namespace ridgeline
