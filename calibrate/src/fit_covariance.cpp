// Least-squares covariance with Eigen: see fit_covariance.hpp.
#include "ridgeline/fit_covariance.hpp"

#include <Eigen/Dense>

#include "ridgeline/error.hpp"

namespace ridgeline {

namespace {
using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
}  // namespace

LeastSquaresCovariance least_squares_covariance(const std::vector<double>& jacobian, const std::vector<double>& residuals,
                                                size_t p) {
  const size_t n = residuals.size();
  if (p == 0 || n <= p || jacobian.size() != n * p)
    throw InputError("fit: a covariance needs more residuals ({}) than parameters ({}) and an n x p Jacobian", n, p);
  const Eigen::Map<const RowMajor> J(jacobian.data(), static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(p));
  const Eigen::Map<const Eigen::VectorXd> f(residuals.data(), static_cast<Eigen::Index>(n));
  LeastSquaresCovariance out;
  out.scale2 = f.squaredNorm() / static_cast<double>(n - p);
  // J = U S V^T, so (J^T J)^+ = V S^-2 V^T over the identified directions: no normal equations,
  // whose conditioning is the square of J's.
  const Eigen::JacobiSVD<Eigen::MatrixXd, Eigen::ColPivHouseholderQRPreconditioner> svd(J, Eigen::ComputeThinV);
  const Eigen::VectorXd& sv = svd.singularValues();
  const double cutoff = 1e-9 * (sv.size() ? sv(0) : 0.0);
  Eigen::VectorXd inv2 = Eigen::VectorXd::Zero(sv.size());
  for (Eigen::Index k = 0; k < sv.size(); ++k)
    if (sv(k) > cutoff && sv(k) > 0) inv2(k) = 1 / (sv(k) * sv(k)), ++out.rank;
  const Eigen::MatrixXd& V = svd.matrixV();
  for (size_t j = 0; j < p; ++j) {
    double weight = 0;  // of parameter j in the unidentified directions (V's columns are unit vectors)
    for (Eigen::Index k = 0; k < sv.size(); ++k)
      if (inv2(k) == 0) weight += V(static_cast<Eigen::Index>(j), k) * V(static_cast<Eigen::Index>(j), k);
    if (weight >= 0.1) out.not_identified.push_back(j);
  }
  const Eigen::MatrixXd C = out.scale2 * V * inv2.asDiagonal() * V.transpose();
  out.matrix.resize(p * p);
  for (size_t i = 0; i < p; ++i)
    for (size_t j = 0; j < p; ++j)  // symmetric by construction up to rounding: averaged so it is exactly
      out.matrix[i * p + j] = 0.5 * (C(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) +
                                     C(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(i)));
  return out;
}

std::vector<double> scaled_covariance(const std::vector<double>& covariance, const std::vector<double>& dv_du) {
  const size_t p = dv_du.size();
  std::vector<double> out(p * p);
  for (size_t i = 0; i < p; ++i)
    for (size_t j = 0; j < p; ++j) out[i * p + j] = dv_du[i] * covariance[i * p + j] * dv_du[j];
  return out;
}

}  // namespace ridgeline
