// ridgeline calibrate DATA... -o calibration.yaml: fit each runtime's coefficients to the rows
// that resolve to it, print them with their errors and the cross-validated error table.
#include <algorithm>
#include <cmath>
#include <chrono>
#include <filesystem>
#include <cstdio>
#include <iostream>
#include <set>

#include <unistd.h>

#include "commands.hpp"
#include "ridgeline/calibration.hpp"
#include "ridgeline/error.hpp"

namespace ridgeline::cli {

namespace {

std::string today() {
  const auto now = std::chrono::system_clock::now();
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(now)};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

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

}  // namespace

int run_calibrate(const CalibrateOptions& o, std::ostream& out) {
  if (o.output.empty() == o.out_dir.empty()) throw InputError("calibrate: give exactly one of -o FILE or --out-dir DIR");
  const Dataset d = load_dataset(o.data, parse_name_maps(o.maps));
  std::set<std::string> runtimes;
  for (const auto& ob : d.observations)
    if (o.runtime.empty() || ob.scenario.runtime.id == o.runtime) runtimes.insert(ob.scenario.runtime.id);
  if (runtimes.empty())
    throw InputError("calibrate: none of the {} rows resolves to {}", d.rows.size(),
                     o.runtime.empty() ? "a runtime with a profile" : "runtime '" + o.runtime + "'");
  if (!o.output.empty() && runtimes.size() > 1)
    throw InputError("calibrate: the data covers {} runtimes; pick one with --runtime or write them all with --out-dir",
                     runtimes.size());
  if (!o.out_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.out_dir, ec);
    if (ec) throw InputError("--out-dir: {}: cannot create the folder ({})", o.out_dir, ec.message());
  }
  size_t usable = 0;
  for (const auto& u : d.unusable) usable += u.empty();
  out << fmt::format("{} rows read, {} usable, {} observations\n", d.rows.size(), usable, d.observations.size());
  FitOptions fo;
  fo.cross_validate = !o.no_cv;
  // On a terminal, a progress line on standard error: a full fit with cross-validation takes
  // about a minute over ../shared/data. Pipes and files get none (stdout stays the report).
  const bool terminal = isatty(fileno(stderr)) != 0;
  size_t done = 0;
  for (const auto& rt : runtimes) {
    if (terminal)
      std::cerr << fmt::format("\rcalibrate: fitting {} ({} of {}){}", rt, ++done, runtimes.size(),
                               fo.cross_validate ? ", with cross-validation" : "")
                << std::string(8, ' ') << std::flush;
    Calibration c = fit_runtime(rt, d.observations, d.rows, fo);
    if (terminal) std::cerr << "\r" << std::string(72, ' ') << "\r" << std::flush;  // the report follows
    c.fitted_on = o.date.empty() ? today() : o.date;
    c.datasets = d.hashes;
    out << fmt::format("\n{} on {} ({} observations; chips: {})\n", rt, c.hardware_vendor, c.observations,
                       fmt::join(c.chips, ", "));
    const auto& cov = c.covariance;
    auto listed = [](const std::vector<std::string>& list, const std::string& name) {
      return std::find(list.begin(), list.end(), name) != list.end();
    };
    for (const auto& [name, v] : c.coefficients) {
      // A fit at its lower bound lands a hair above it (1.7e-08 ms): zero at table precision.
      const double shown = std::abs(v.value) < 1e-6 ? 0.0 : v.value;
      const char* note = listed(cov.at_bound, name) ? "  (held at its bound)"
                         : listed(cov.not_identified, name) ? "  (not identified by the data)" : "";
      out << fmt::format("  {:<34} {:>10.4g} ± {:.2g}{}\n", name, shown, v.stderr_, note);
    }
    if (cov.names.empty())
      out << "  covariance: none (as many rows as fitted coefficients)\n";
    else
      out << fmt::format("  covariance of {} coefficients ({} held at a bound; rank {} of the rest), residual scale {:.3g}{}\n",
                         cov.names.size(), cov.at_bound.size(), c.covariance_rank, c.residual_scale, strongest_correlation(cov));
    out << fmt::format("  {:<22} {:>10} {:>10} {:>10} {:>10}\n", "MAPE", "prefill", "decode", "transient", "OOM miss");
    auto line = [&](const char* label, const std::map<std::string, double>& m) {
      out << fmt::format("  {:<22} {:>10} {:>10} {:>10} {:>10}\n", label, mape_cell(m, "prefill_tok_s"),
                         mape_cell(m, "decode_tok_s"), mape_cell(m, "transient_bytes"), mape_cell(m, "oom_context_tokens"));
    };
    line("in sample", c.in_sample_mape);
    line(fmt::format("chip held out ({})", c.leave_one_chip_out.folds).c_str(), c.leave_one_chip_out.mape);
    line(fmt::format("model held out ({})", c.leave_one_model_out.folds).c_str(), c.leave_one_model_out.mape);
    line(fmt::format("source held out ({})", c.leave_one_source_out.folds).c_str(), c.leave_one_source_out.mape);
    const std::string path = o.output.empty()
        ? (std::filesystem::path(o.out_dir) / fmt::format("{}-{}.yaml", rt, c.hardware_vendor)).string() : o.output;
    write_output(o.output.empty() ? "--out-dir" : "-o", path, calibration_to_yaml(c));
    out << "  written to " << path << "\n";
  }
  return kOk;
}

}  // namespace ridgeline::cli
