#pragma once
// The covariance of least-squares parameters (Eigen), apart from the fitter so a test can hand it
// a problem whose answer is known in closed form.
#include <cstddef>
#include <vector>

namespace ridgeline {

struct LeastSquaresCovariance {
  std::vector<double> matrix;  // p x p, row-major
  double scale2 = 0;           // the residual variance s^2 it is scaled by
  int rank = 0;                // directions the Jacobian identifies (p when all are)
  std::vector<size_t> not_identified;  // parameters with a tenth or more of their weight in an unidentified direction
};

// s^2 (J^T J)^+ from the Jacobian J (n x p, row-major) of the residual vector f (n) at the
// solution, with s^2 = |f|^2 / (n - p). The pseudo-inverse comes from J's singular value
// decomposition; a direction whose singular value is below 1e-9 of the largest is not identified
// by the data and is left out (its variance counts 0: `rank` and `not_identified` say so, since
// a band over such a parameter would understate). Needs n > p.
LeastSquaresCovariance least_squares_covariance(const std::vector<double>& jacobian, const std::vector<double>& residuals,
                                                size_t p);

// A covariance of unbounded parameters u carried to the bounded coefficients v = v(u): D C D with
// D = diag(dv/du) (first order).
std::vector<double> scaled_covariance(const std::vector<double>& covariance, const std::vector<double>& dv_du);

}  // namespace ridgeline
