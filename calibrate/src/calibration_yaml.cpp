// The calibration file: written by `ridgeline calibrate`, read by every command that predicts.
#include <Eigen/Dense>
#include <fmt/ranges.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "ridgeline/calibration.hpp"
#include "ridgeline/catalog.hpp"
#include "ridgeline/coefficients.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/runtime_compat.hpp"
#include "ridgeline/strict_reader.hpp"

namespace ridgeline {

namespace {

// Names a calibration may carry: every declared coefficient, plus the fixed runtime memory.
bool known_coefficient(const std::string& name) { return name == "runtime_memory_gb" || find_coefficient(name); }

std::string number_map_yaml(const std::map<std::string, double>& m, const char* format) {
  std::string s = "{";
  bool first = true;
  for (const auto& [q, v] : m) s += fmt::format("{}{}: ", first ? "" : ", ", q) + fmt::format(fmt::runtime(format), v), first = false;
  return s + "}";
}

std::string cv_yaml(const CvStats& cv) {
  std::string s = fmt::format("{{folds: {}, mape: {}, count: {{", cv.folds, number_map_yaml(cv.mape, "{:.2f}"));
  bool first = true;
  for (const auto& [q, v] : cv.count) s += fmt::format("{}{}: {}", first ? "" : ", ", q, v), first = false;
  return s + "}, log_error_p68: " + number_map_yaml(cv.log_error_p68, "{:.4f}") + "}";
}

std::string covariance_yaml(const Calibration& c) {
  const auto& cov = c.covariance;
  if (cov.names.empty()) return "";
  std::string s = "# The fitted coefficients' covariance in their own units, rows and columns in `order`: s^2 (J^T J)^-1 of\n"
                  "# the fit's residuals in the unbounded parameters (s^2 = sum of squared soft-L1 residuals / (n - p)),\n"
                  "# through the logistic bounds' derivative; coefficients held at a bound are fixed. Prediction bands\n"
                  "# come from it (delta method).\n";
  s += fmt::format("covariance:\n  residual_scale: {:.6g}\n  rank: {}\n  order: [{}]\n", c.residual_scale, c.covariance_rank,
                   fmt::join(cov.names, ", "));
  s += fmt::format("  at_bound: [{}]  # held at a bound of the fit range: fixed, zero rows (constrained least squares)\n",
                   fmt::join(cov.at_bound, ", "));
  s += fmt::format("  not_identified: [{}]  # the data do not constrain them: no band where a prediction depends on one\n",
                   fmt::join(cov.not_identified, ", "));
  // One text block, a row per line: a YAML list of 400 numbers is 400 values to build and check,
  // more than the rest of the file, and every prediction reads this file.
  s += "  matrix: |\n";
  const size_t n = cov.names.size();
  for (size_t i = 0; i < n; ++i) {
    s += "    ";
    for (size_t j = 0; j < n; ++j) s += fmt::format("{}{:.7g}", j ? " " : "", cov.matrix[i * n + j]);
    s += "\n";
  }
  return s;
}

// The covariance block: names among the fitted coefficients, a symmetric positive semi-definite
// matrix whose diagonal agrees with the stated standard errors.
void read_covariance(MapReader& r, Calibration& c, const std::string& label) {
  auto m = r.opt_map("covariance");
  if (!m) return;
  c.residual_scale = m->number("residual_scale", 0, 1e6);
  auto& cov = c.covariance;
  cov.names = m->str_list("order");
  const size_t n = cov.names.size();
  c.covariance_rank = static_cast<int>(m->integer("rank", 0, static_cast<long long>(n)));
  for (size_t i = 0; i < n; ++i) {
    const std::string& name = cov.names[i];
    if (!c.coefficients.count(name) || name == "runtime_memory_gb")
      throw InputError("{}: covariance: order[{}]: '{}' is not one of the fitted coefficients above", label, i, name);
    for (size_t k = 0; k < i; ++k)
      if (cov.names[k] == name) throw InputError("{}: covariance: order[{}]: '{}' appears twice", label, i, name);
  }
  for (const char* key : {"at_bound", "not_identified"}) {
    auto& list = std::string(key) == "at_bound" ? cov.at_bound : cov.not_identified;
    list = m->str_list(key);
    for (size_t i = 0; i < list.size(); ++i)
      if (std::find(cov.names.begin(), cov.names.end(), list[i]) == cov.names.end())
        throw InputError("{}: covariance: {}[{}]: '{}' is not in order", label, key, i, list[i]);
  }
  const std::string where = label + ": covariance: matrix";
  const Node& block = m->node("matrix");
  if (!block.is_scalar()) throw InputError("{}: expected a text block of {} rows of {} numbers", where, n, n);
  const std::string& text = block.text();
  std::vector<std::string> rows;
  for (size_t start = 0; start < text.size();) {
    const size_t end = std::min(text.find('\n', start), text.size());
    if (end > start) rows.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  if (rows.size() != n) throw InputError("{}: {} rows; expected {} (one per name in order)", where, rows.size(), n);
  cov.matrix.clear();
  for (size_t i = 0; i < n; ++i) {
    size_t count = 0;
    for (size_t at = rows[i].find_first_not_of(' '); at != std::string::npos; at = rows[i].find_first_not_of(' ', at)) {
      const size_t stop = std::min(rows[i].find(' ', at), rows[i].size());
      const std::string token = rows[i].substr(at, stop - at);
      const auto v = parse_double(token);
      if (!v) throw InputError("{}: row {}: '{}' is not a finite number", where, i, token);
      if (++count <= n) cov.matrix.push_back(*v);
      at = stop;
    }
    if (count != n) throw InputError("{}: row {}: expected {} numbers, got {}", where, i, n, count);
  }
  m->finish();
  for (const auto& name : cov.at_bound) {  // fixed: no variance, no covariance
    const size_t i = static_cast<size_t>(std::find(cov.names.begin(), cov.names.end(), name) - cov.names.begin());
    for (size_t j = 0; j < n; ++j)
      if (cov.matrix[i * n + j] != 0)
        throw InputError("{}[{}][{}]: {:g}, but {} is held at its bound (its row is zeros)", where, i, j, cov.matrix[i * n + j], name);
  }
  std::vector<double> sd(n);
  for (size_t i = 0; i < n; ++i) {
    const double var = cov.matrix[i * n + i];
    if (var < 0) throw InputError("{}[{}][{}]: the variance of {} is negative ({:g})", where, i, i, cov.names[i], var);
    sd[i] = std::sqrt(var);
    const double stated = c.coefficients.at(cov.names[i]).stderr_;
    if (std::abs(sd[i] - stated) > 0.01 * std::max(sd[i], stated) + 1e-12)
      throw InputError("{}[{}][{}]: the variance of {} ({:g}) disagrees with its stderr {:g} (expected about {:g})", where, i, i,
                       cov.names[i], var, stated, stated * stated);
  }
  // Symmetric, and positive semi-definite as a correlation matrix (scale-free: the variances of
  // a factor and of a latency in microseconds differ by orders of magnitude).
  Eigen::MatrixXd corr = Eigen::MatrixXd::Identity(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j) {
      const double a = cov.matrix[i * n + j], b = cov.matrix[j * n + i];
      if (std::abs(a - b) > 1e-6 * sd[i] * sd[j] + 1e-300)
        throw InputError("{}[{}][{}]: {:g} differs from [{}][{}] = {:g} (a covariance is symmetric)", where, i, j, a, j, i, b);
      if (i != j && sd[i] > 0 && sd[j] > 0) corr(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = a / (sd[i] * sd[j]);
    }
  if (n > 0) {
    const double smallest = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(corr, Eigen::EigenvaluesOnly).eigenvalues()(0);
    if (smallest < -1e-6)
      throw InputError("{}: not positive semi-definite (its correlation matrix has an eigenvalue of {:.3g}; expected >= 0)", where, smallest);
  }
}

std::map<std::string, double> read_number_map(MapReader& parent, const std::string& key, double max) {
  std::map<std::string, double> out;
  auto m = parent.opt_map(key);
  if (!m) return out;
  for (const auto& entry : parent.node(key).entries()) {
    const std::string& q = entry.key;
    static const std::vector<std::string> quantities = {"prefill_tok_s", "decode_tok_s", "transient_bytes", "oom_context_tokens"};
    if (std::find(quantities.begin(), quantities.end(), q) == quantities.end())
      throw InputError("{}: unknown quantity '{}'{}", m->where(), q, did_you_mean(q, quantities));
    out[q] = m->number(q, 0, max);
  }
  m->finish();
  return out;
}

CvStats read_cv(MapReader& r, const std::string& key) {
  CvStats cv;
  auto m = r.opt_map(key);
  if (!m) return cv;
  cv.folds = static_cast<int>(m->integer("folds", 0, 100000));
  cv.mape = read_number_map(*m, "mape", 1e6);
  for (const auto& [q, v] : read_number_map(*m, "count", 1e9)) cv.count[q] = static_cast<int>(v);
  cv.log_error_p68 = read_number_map(*m, "log_error_p68", 100);
  m->finish();
  return cv;
}

}  // namespace

std::string calibration_to_yaml(const Calibration& c) {
  std::string s = "# ridgeline calibration: fitted runtime coefficients (hardware datasheet values are not changed).\n";
  s += fmt::format("schema_version: {}\nruntime: {}\nhardware_vendor: {}\n", c.schema_version, c.runtime, c.hardware_vendor);
  s += "chips: [";
  for (size_t i = 0; i < c.chips.size(); ++i) s += (i ? ", " : "") + c.chips[i];
  s += fmt::format("]\nfitted_on: \"{}\"\nobservations: {}\ndatasets:\n", c.fitted_on, c.observations);
  for (const auto& [file, hash] : c.datasets) s += fmt::format("  - {{file: \"{}\", fnv1a64: \"{}\"}}\n", file, hash);
  s += c.coefficients.empty() ? "coefficients: {}  # none the rows identify: the runtime's own values\n" : "coefficients:\n";
  for (const auto& [name, v] : c.coefficients)
    s += fmt::format("  {}: {{value: {:.6g}, stderr: {:.3g}}}\n", name, v.value, v.stderr_);
  s += covariance_yaml(c);
  s += "in_sample_mape: " + number_map_yaml(c.in_sample_mape, "{:.2f}") + "\n";
  s += "# |ln(predicted/measured)| that 68.3% of rows stay within (1 sigma of a normal), in sample and held out.\n";
  s += "in_sample_log_error_p68: " + number_map_yaml(c.in_sample_log_error_p68, "{:.4f}") + "\n";
  s += "leave_one_chip_out: " + cv_yaml(c.leave_one_chip_out) + "\n";
  s += "leave_one_model_out: " + cv_yaml(c.leave_one_model_out) + "\n";
  s += "leave_one_source_out: " + cv_yaml(c.leave_one_source_out) + "\n";
  return s;
}

Calibration parse_calibration_yaml_text(const std::string& text, const std::string& label) {
  const Node doc = load_document_text(text, label);
  MapReader r(doc, label);
  Calibration c;
  c.schema_version = static_cast<int>(r.integer("schema_version", 1, kCalibrationSchemaVersion));
  c.runtime = r.str("runtime");
  resolve_runtime(c.runtime);  // must name a known runtime
  c.hardware_vendor = r.str("hardware_vendor");
  c.chips = r.str_list("chips");
  c.fitted_on = r.str("fitted_on");
  c.observations = static_cast<int>(r.integer("observations", 0, 1 << 30));
  r.each_map("datasets", [&](MapReader& d) { c.datasets.emplace_back(d.str("file"), d.str("fnv1a64")); });
  const Node& coefs = r.node("coefficients");
  if (!coefs.is_map()) throw InputError("{}: coefficients: expected a map", label);
  MapReader cm(coefs, label + ": coefficients");
  for (const auto& entry : coefs.entries()) {
    const std::string& name = entry.key;
    if (!known_coefficient(name))
      throw InputError("{}: coefficients: unknown coefficient '{}'{}", label, name, did_you_mean(name, coefficient_names()));
    MapReader v = cm.map(name);
    // A declared coefficient within the range its declaration accepts (as in a profile or --set);
    // the fixed runtime memory, in GB, within what any machine holds.
    const CoefficientInfo* info = find_coefficient(name);
    c.coefficients[name] = {v.number("value", info ? info->min : 0, info ? info->max : 1e6), v.number("stderr", 0, 1e9)};
    v.finish();
  }
  cm.finish();
  read_covariance(r, c, label);
  c.in_sample_mape = read_number_map(r, "in_sample_mape", 1e6);
  c.in_sample_log_error_p68 = read_number_map(r, "in_sample_log_error_p68", 100);
  c.leave_one_chip_out = read_cv(r, "leave_one_chip_out");
  c.leave_one_model_out = read_cv(r, "leave_one_model_out");
  c.leave_one_source_out = read_cv(r, "leave_one_source_out");
  r.finish();
  return c;
}

Calibration load_calibration(const std::string& path) { return parse_calibration_yaml_text(read_text_file(path), path); }

const Calibration* shipped_calibration(const std::string& runtime, const std::string& vendor) {
  // Shipped files are named <runtime>-<vendor>.yaml (a unit test holds every one to it), so only
  // the file asked for is parsed.
  static FileCatalog<Calibration> shipped("calibrate/calibrations", load_calibration);
  if (runtime.empty()) return nullptr;
  const Calibration* c = shipped.find(runtime + "-" + vendor);
  // A fit on a single model says more about that model than about the runtime: such files are
  // shipped for reference (pass them with --calibration) but not applied by default, except for a
  // runtime that runs that one model only (ds4), whose fit on it is all it can be asked about.
  if (c && c->runtime == runtime && c->hardware_vendor == vendor && (c->leave_one_model_out.folds >= 2 || runs_one_model(runtime)))
    return c;
  return nullptr;
}

}  // namespace ridgeline

namespace ridgeline {

const Calibration* apply_engine_calibration(RuntimeSpec& rt, const std::string& vendor) {
  const Calibration* engine = shipped_calibration(rt.wraps.empty() ? rt.id : rt.wraps, vendor);
  if (engine) apply_calibration(rt, *engine);
  return engine;
}

const Calibration* apply_shipped_calibration(RuntimeSpec& rt, const std::string& vendor, std::vector<const Calibration*>* applied) {
  const Calibration* engine = apply_engine_calibration(rt, vendor);
  if (engine && applied) applied->push_back(engine);
  if (!rt.wraps.empty())
    if (const Calibration* own = shipped_calibration(rt.id, vendor)) {
      apply_calibration(rt, *own);
      if (applied) applied->push_back(own);
    }
  return engine;
}

}  // namespace ridgeline
