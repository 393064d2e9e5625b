// The table of one runtime's fit, as `ridgeline calibrate` prints it.
#include "ridgeline/calibration_report.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <tuple>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ridgeline {

namespace {

std::string mape_cell(const std::map<std::string, double>& m, const char* q) {
  auto it = m.find(q);
  return it == m.end() ? "-" : fmt::format("{:.1f}%", it->second);
}

// ", strongest correlation a ~ b -0.93": the pair whose errors move together most.
std::string strongest_correlation(const CoefficientCovariance& cov) {
  const size_t n = cov.names.size();
  double best = 0;
  std::string text;
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j) {
      const double vi = cov.matrix[i * n + i], vj = cov.matrix[j * n + j];
      if (vi <= 0 || vj <= 0) continue;
      const double r = cov.matrix[i * n + j] / std::sqrt(vi * vj);
      if (std::abs(r) > std::abs(best)) best = r, text = fmt::format(", strongest correlation {} ~ {} {:+.2f}", cov.names[i], cov.names[j], r);
    }
  return text;
}

bool listed(const std::vector<std::string>& list, const std::string& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

// A fit at its lower bound lands a hair above it (1.7e-08 ms): zero at table precision.
constexpr double kShownAsZero = 1e-6;

// "  worst chip held out, decode: m1-max-32c 39.0% (17 rows); ...": per quantity, the folds whose
// held-out rows carry most of the MAPE (error x rows), so a reader sees which chip, model or source
// the fit generalises to worst.
std::string worst_folds(const char* kind, const CvStats& cv) {
  constexpr size_t kShown = 3;
  std::string out;
  for (const char* q : {"prefill_tok_s", "decode_tok_s"}) {
    std::vector<std::tuple<double, std::string, double, int>> folds;  // weight, fold, mape, rows
    for (const auto& [name, f] : cv.by_fold) {
      auto m = f.mape.find(q);
      if (m == f.mape.end()) continue;
      const int rows = f.count.at(q);
      folds.emplace_back(m->second * rows, name, m->second, rows);
    }
    if (folds.empty()) continue;
    std::sort(folds.begin(), folds.end(), std::greater<>());
    std::vector<std::string> shown;
    for (size_t i = 0; i < std::min(kShown, folds.size()); ++i) {
      const auto& [weight, name, mape, rows] = folds[i];
      const auto slash = name.find_last_of('/');  // sources are files: their names suffice
      shown.push_back(fmt::format("{} {:.1f}% ({} rows)", slash == std::string::npos ? name : name.substr(slash + 1), mape, rows));
    }
    out += fmt::format("  worst {} held out, {}: {}\n", kind, std::string_view(q).substr(0, std::string_view(q).find('_')),
                       fmt::join(shown, "; "));
  }
  return out;
}

}  // namespace

std::string calibration_table(const Calibration& c) {
  std::string out = fmt::format("\n{} on {} ({} observations; chips: {})\n", c.runtime, c.hardware_vendor, c.observations,
                                fmt::join(c.chips, ", "));
  const auto& cov = c.covariance;
  for (const auto& [name, v] : c.coefficients) {
    const double shown = std::abs(v.value) < kShownAsZero ? 0.0 : v.value;
    const char* note = listed(cov.at_bound, name) ? "  (held at its bound)"
                       : listed(cov.not_identified, name) ? "  (not identified by the data)" : "";
    out += fmt::format("  {:<34} {:>10.4g} ± {:.2g}{}\n", name, shown, v.stderr_, note);
  }
  if (c.coefficients.empty())
    out += "  no coefficient fitted: the rows do not identify one (the runtime keeps its own values)\n";
  else if (cov.names.empty())
    out += "  covariance: none (as many rows as fitted coefficients)\n";
  else
    out += fmt::format("  covariance of {} coefficients ({} held at a bound; rank {} of the rest), residual scale {:.3g}{}\n",
                       cov.names.size(), cov.at_bound.size(), c.covariance_rank, c.residual_scale, strongest_correlation(cov));
  out += fmt::format("  {:<22} {:>10} {:>10} {:>10} {:>10}\n", "MAPE", "prefill", "decode", "transient", "OOM miss");
  auto line = [&](const std::string& label, const std::map<std::string, double>& m) {
    out += fmt::format("  {:<22} {:>10} {:>10} {:>10} {:>10}\n", label, mape_cell(m, "prefill_tok_s"), mape_cell(m, "decode_tok_s"),
                       mape_cell(m, "transient_bytes"), mape_cell(m, "oom_context_tokens"));
  };
  line("in sample", c.in_sample_mape);
  line(fmt::format("chip held out ({})", c.leave_one_chip_out.folds), c.leave_one_chip_out.mape);
  line(fmt::format("model held out ({})", c.leave_one_model_out.folds), c.leave_one_model_out.mape);
  line(fmt::format("source held out ({})", c.leave_one_source_out.folds), c.leave_one_source_out.mape);
  out += worst_folds("chip", c.leave_one_chip_out) + worst_folds("model", c.leave_one_model_out) +
         worst_folds("source", c.leave_one_source_out);
  return out;
}

}  // namespace ridgeline
