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
#include "ridgeline/calibration_report.hpp"
#include "ridgeline/error.hpp"

namespace ridgeline::cli {

namespace {

std::string today() {
  const auto now = std::chrono::system_clock::now();
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(now)};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

}  // namespace

int run_calibrate(const CalibrateOptions& o, std::ostream& out) {
  if (o.output.empty() == o.out_dir.empty()) throw InputError("calibrate: give exactly one of -o FILE or --out-dir DIR");
  const Dataset d = load_dataset(o.data, parse_name_maps(o.maps));
  // One calibration per runtime and hardware vendor (ds4 runs on Apple and NVIDIA: two).
  std::set<std::pair<std::string, std::string>> runtimes;
  for (const auto& ob : d.observations)
    if (o.runtime.empty() || ob.scenario.runtime.id == o.runtime) runtimes.emplace(ob.scenario.runtime.id, ob.scenario.hardware.vendor);
  if (runtimes.empty())
    throw InputError("calibrate: none of the {} rows resolves to {}", d.rows.size(),
                     o.runtime.empty() ? "a runtime with a profile" : "runtime '" + o.runtime + "'");
  if (!o.output.empty() && runtimes.size() > 1)
    throw InputError("calibrate: the data covers {} runtimes or vendors; pick one runtime with --runtime (whose rows are of one "
                     "vendor's hardware) or write them all with --out-dir",
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
  for (const auto& [rt, vendor] : runtimes) {
    if (terminal)
      std::cerr << fmt::format("\rcalibrate: fitting {} on {} ({} of {}){}", rt, vendor, ++done, runtimes.size(),
                               fo.cross_validate ? ", with cross-validation" : "")
                << std::string(8, ' ') << std::flush;
    Calibration c = fit_runtime(rt, d.observations, d.rows, fo, vendor);
    if (terminal) std::cerr << "\r" << std::string(72, ' ') << "\r" << std::flush;  // the report follows
    c.fitted_on = o.date.empty() ? today() : o.date;
    c.datasets = d.hashes;
    out << calibration_table(c);
    const std::string path = o.output.empty()
        ? (std::filesystem::path(o.out_dir) / fmt::format("{}-{}.yaml", rt, c.hardware_vendor)).string() : o.output;
    write_output(o.output.empty() ? "--out-dir" : "-o", path, calibration_to_yaml(c));
    out << "  written to " << path << "\n";
  }
  return kOk;
}

}  // namespace ridgeline::cli
