// Least-squares fit of one runtime's coefficients: residual = log(predicted / measured) per
// observation, parameters bounded through a logistic transform, GSL's trust-region solver with a
// finite-difference Jacobian, standard errors from (J^T J)^-1 scaled by the residual variance.
#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit_nlinear.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "ridgeline/calibration.hpp"
#include "ridgeline/error.hpp"

namespace ridgeline {

namespace {

constexpr double kRobustScale = 0.2;

// A fitted coefficient: where it lives in the runtime profile and its physical bounds.
struct Param {
  std::string name;
  double lo, hi;
  double* (*slot)(RuntimeSpec&, const std::string& key);
  std::string key;  // quantization kernel class for quant factors
};

double* coef_slot(RuntimeSpec& rt, const std::string& name) {
  auto& c = rt.coef;
  if (name == "bandwidth_efficiency") return &c.bandwidth_efficiency;
  if (name == "compute_efficiency") return &c.compute_efficiency;
  if (name == "compute_half_tokens") return &c.compute_half_tokens;
  if (name == "attention_efficiency") return &c.attention_efficiency;
  if (name == "launch_overhead_us") return &c.launch_overhead_us;
  if (name == "moe_kernels_per_layer") return &c.moe_kernels_per_layer;
  if (name == "moe_compute_factor") return &c.moe_compute_factor;
  if (name == "step_overhead_ms") return &c.step_overhead_ms;
  if (name == "activation_buffer_factor") return &c.activation_buffer_factor;
  if (name == "transient_bytes_per_score") return &rt.transient_bytes_per_score;
  return nullptr;
}
double* quant_slot(RuntimeSpec& rt, const std::string& cls) {
  auto it = rt.coef.quant_compute_factor.try_emplace(cls, 1.0).first;
  return &it->second;
}

double to_bounded(double u, const Param& p) { return p.lo + (p.hi - p.lo) / (1 + std::exp(-u)); }
double to_free(double v, const Param& p) {
  const double t = std::clamp((v - p.lo) / (p.hi - p.lo), 1e-6, 1 - 1e-6);
  return std::log(t / (1 - t));
}

struct Problem {
  std::vector<Observation> obs;  // scenarios are updated in place with the trial coefficients
  std::vector<Param> params;
  void set(const gsl_vector* x) {
    for (auto& o : obs)
      for (size_t i = 0; i < params.size(); ++i)
        *params[i].slot(o.scenario.runtime, params[i].key.empty() ? params[i].name : params[i].key) =
            to_bounded(gsl_vector_get(x, i), params[i]);
  }
};

int residuals(const gsl_vector* x, void* data, gsl_vector* f) {
  auto* pb = static_cast<Problem*>(data);
  pb->set(x);
  for (size_t i = 0; i < pb->obs.size(); ++i) {
    const auto pred = predict_observation(pb->obs[i]);
    double r = pred && *pred > 0 ? std::log(*pred / pb->obs[i].measured) : 5.0;
    if (!std::isfinite(r)) r = 5.0;
    // Soft-L1 loss with a 20% scale: squares of these residuals sum to 2c^2(sqrt(1 + (r/c)^2) - 1),
    // so a few rows from a different build or a throttled laptop do not drag the whole fit.
    const double rho = 2 * kRobustScale * kRobustScale * (std::sqrt(1 + (r / kRobustScale) * (r / kRobustScale)) - 1);
    gsl_vector_set(f, i, std::copysign(std::sqrt(rho), r));
  }
  return GSL_SUCCESS;
}

std::vector<Param> choose_params(const std::vector<Observation>& obs) {
  size_t prefill = 0, decode = 0, transient = 0;
  std::map<std::string, size_t> classes;
  std::set<int> layer_counts;
  size_t moe_decode = 0, dense_decode = 0, moe_prefill = 0, dense_prefill = 0;
  for (const auto& o : obs) {
    const bool moe = std::any_of(o.scenario.model.layers.begin(), o.scenario.model.layers.end(),
                                 [](const LayerGroup& g) { return g.ffn.is_moe(); });
    if (o.quantity == Measured::decode_tok_s) (moe ? moe_decode : dense_decode) += 1;
    if (o.quantity == Measured::prefill_tok_s) (moe ? moe_prefill : dense_prefill) += 1;
    if (o.quantity == Measured::prefill_tok_s) ++prefill, ++classes[o.scenario.quant.kernel_class];
    if (o.quantity == Measured::decode_tok_s) ++decode, layer_counts.insert(layer_count(o.scenario.model));
    if (o.quantity == Measured::transient_bytes) ++transient;
  }
  std::vector<Param> p;
  auto add = [&](const char* name, double lo, double hi) { p.push_back({name, lo, hi, coef_slot, ""}); };
  if (decode + prefill >= 2) add("bandwidth_efficiency", 0.2, 1.25);
  if (decode + prefill >= 4) add("step_overhead_ms", 0.0, 40.0);
  if (decode >= 8 && layer_counts.size() >= 2) add("launch_overhead_us", 0.0, 60.0);
  if (moe_decode >= 3 && dense_decode >= 3) add("moe_kernels_per_layer", 0.0, 200.0);
  if (moe_prefill >= 3 && dense_prefill >= 3) add("moe_compute_factor", 0.05, 2.0);
  if (prefill >= 3) add("compute_efficiency", 0.03, 1.0);
  if (prefill >= 6) add("compute_half_tokens", 1.0, 4096.0);
  if (prefill >= 6) add("attention_efficiency", 0.01, 1.0);
  if (transient >= 2) add("transient_bytes_per_score", 0.5, 64.0);
  if (transient >= 2) add("activation_buffer_factor", 0.01, 10.0);
  // Dequantization cost relative to the most measured kernel class (which carries compute_efficiency).
  std::string reference;
  for (const auto& [cls, n] : classes)
    if (reference.empty() || n > classes[reference]) reference = cls;
  for (const auto& [cls, n] : classes)
    if (cls != reference && n >= 3) p.push_back({"quant_compute_factor." + cls, 0.1, 3.0, quant_slot, cls});
  return p;
}

double current_value(RuntimeSpec rt, const Param& p) { return *p.slot(rt, p.key.empty() ? p.name : p.key); }

struct FitResult {
  std::map<std::string, Coefficient> coefficients;
  bool ok = false;
};

FitResult solve(std::vector<Observation> obs, int max_iterations, bool errors) {
  FitResult out;
  Problem pb{std::move(obs), {}};
  pb.params = choose_params(pb.obs);
  const size_t n = pb.obs.size(), np = pb.params.size();
  if (np == 0 || n < np) return out;
  gsl_set_error_handler_off();
  gsl_multifit_nlinear_fdf fdf{};
  fdf.f = residuals;
  fdf.df = nullptr;
  fdf.fvv = nullptr;
  fdf.n = n;
  fdf.p = np;
  fdf.params = &pb;
  gsl_multifit_nlinear_parameters fp = gsl_multifit_nlinear_default_parameters();
  gsl_multifit_nlinear_workspace* w = gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &fp, n, np);
  gsl_vector* x0 = gsl_vector_alloc(np);
  for (size_t i = 0; i < np; ++i) gsl_vector_set(x0, i, to_free(current_value(pb.obs[0].scenario.runtime, pb.params[i]), pb.params[i]));
  int info = 0;
  gsl_multifit_nlinear_init(x0, &fdf, w);
  gsl_multifit_nlinear_driver(static_cast<size_t>(max_iterations), 1e-8, 1e-8, 1e-8, nullptr, nullptr, &info, w);
  const gsl_vector* x = gsl_multifit_nlinear_position(w);
  gsl_matrix* covar = gsl_matrix_alloc(np, np);
  double chi2 = 0;
  if (errors) {
    gsl_blas_ddot(gsl_multifit_nlinear_residual(w), gsl_multifit_nlinear_residual(w), &chi2);
    gsl_multifit_nlinear_covar(gsl_multifit_nlinear_jac(w), 0.0, covar);
  }
  const double dof = n > np ? static_cast<double>(n - np) : 1.0;
  for (size_t i = 0; i < np; ++i) {
    const Param& p = pb.params[i];
    const double u = gsl_vector_get(x, i), v = to_bounded(u, p);
    double se = 0;
    if (errors) {
      const double du = std::sqrt(std::max(0.0, gsl_matrix_get(covar, i, i) * chi2 / dof));
      se = du * (v - p.lo) * (p.hi - v) / (p.hi - p.lo);  // d(value)/du of the logistic map
    }
    out.coefficients[p.name] = {v, se};
  }
  gsl_matrix_free(covar);
  gsl_vector_free(x0);
  gsl_multifit_nlinear_free(w);
  out.ok = true;
  return out;
}

void apply_coefficients(RuntimeSpec& rt, const std::map<std::string, Coefficient>& c) {
  for (const auto& [name, v] : c) {
    if (name.starts_with("quant_compute_factor.")) rt.coef.quant_compute_factor[name.substr(21)] = v.value;
    else if (name == "runtime_memory_gb") rt.runtime_bytes = Bytes(v.value * kGB);
    else if (double* slot = coef_slot(rt, name)) *slot = v.value;
  }
}

// Mean absolute percentage error per quantity (oom: within one chunk counts as 0, else 100).
void score(const std::vector<Observation>& obs, const std::map<std::string, Coefficient>* c,
           std::map<std::string, double>& sum, std::map<std::string, int>& count) {
  for (auto o : obs) {
    if (c) apply_coefficients(o.scenario.runtime, *c);
    const auto pred = predict_observation(o);
    if (!pred) continue;
    sum[to_string(o.quantity)] +=
        absolute_percentage_error(o.quantity, o.measured, *pred, static_cast<double>(o.scenario.chunk));
    ++count[to_string(o.quantity)];
  }
}

std::vector<Observation> thin(const std::vector<Observation>& obs, size_t limit) {
  if (obs.size() <= limit) return obs;
  std::vector<Observation> out;
  const double stride = static_cast<double>(obs.size()) / static_cast<double>(limit);
  for (size_t i = 0; i < limit; ++i) out.push_back(obs[static_cast<size_t>(static_cast<double>(i) * stride)]);
  return out;
}

CvStats cross_validate(const std::vector<Observation>& obs, const FitOptions& opt, auto key) {
  std::set<std::string> groups;
  for (const auto& o : obs) groups.insert(key(o));
  CvStats cv;
  if (groups.size() < 2) return cv;
  std::map<std::string, double> sum;
  for (const auto& g : groups) {
    std::vector<Observation> train, test;
    for (const auto& o : obs) (key(o) == g ? test : train).push_back(o);
    FitResult f = solve(thin(train, opt.max_observations), std::min(opt.max_iterations, 40), false);
    score(test, f.ok ? &f.coefficients : nullptr, sum, cv.count);
    ++cv.folds;
  }
  for (const auto& [q, s] : sum) cv.mape[q] = s / cv.count[q];
  return cv;
}

// Fixed runtime memory (context, allocator reserve) from out-of-memory probes: the outcome is
// discrete (right within a chunk or not), so scan 0..limit in 50 MB steps and take the middle of
// the first widest run of values that gets the most probes right; the error is half that run.
void fit_runtime_memory(const std::vector<Observation>& all, const std::string& runtime,
                        std::map<std::string, Coefficient>& coefficients) {
  std::vector<Observation> probes;
  for (const auto& o : all)
    if (o.scenario.runtime.id == runtime && o.quantity == Measured::oom_context_tokens) probes.push_back(o);
  if (probes.empty()) return;
  for (auto& o : probes) apply_coefficients(o.scenario.runtime, coefficients);
  const double step = 0.05e9, limit = probes.front().scenario.limit.value;
  int best = -1;
  double best_start = 0, best_end = 0;
  bool in_best_run = false;
  for (double bytes = 0; bytes <= limit; bytes += step) {
    int right = 0;
    for (auto& o : probes) {
      o.scenario.runtime.runtime_bytes = Bytes(bytes);
      const auto pred = predict_observation(o);
      right += pred && absolute_percentage_error(o.quantity, o.measured, *pred, static_cast<double>(o.scenario.chunk)) == 0;
    }
    if (right > best) best = right, best_start = best_end = bytes, in_best_run = true;
    else if (right == best && in_best_run) best_end = bytes;
    else in_best_run = false;
  }
  coefficients["runtime_memory_gb"] = {(best_start + best_end) / 2 / kGB, (best_end - best_start) / 2 / kGB};
}

}  // namespace

void apply_calibration(RuntimeSpec& rt, const Calibration& c) { apply_coefficients(rt, c.coefficients); }

Calibration fit_runtime(const std::string& runtime, const std::vector<Observation>& all,
                        const std::vector<Measurement>& rows, const FitOptions& opt) {
  std::vector<Observation> obs;
  for (const auto& o : all)
    if (o.scenario.runtime.id == runtime && o.quantity != Measured::oom_context_tokens) obs.push_back(o);
  if (obs.empty()) throw InputError("calibrate: no usable measurements for runtime '{}'", runtime);
  Calibration c;
  c.runtime = runtime;
  c.hardware_vendor = obs.front().scenario.hardware.vendor;
  std::set<std::string> chips, files;
  for (const auto& o : obs) {
    chips.insert(o.scenario.hardware.id);
    files.insert(rows[o.row].file);
  }
  c.chips.assign(chips.begin(), chips.end());
  FitResult f = solve(thin(obs, opt.max_observations), opt.max_iterations, true);
  if (!f.ok) throw InputError("calibrate: {} observations for runtime '{}' are too few to fit", obs.size(), runtime);
  c.coefficients = f.coefficients;
  c.observations = static_cast<int>(obs.size());
  fit_runtime_memory(all, runtime, c.coefficients);
  // In-sample error over every observation of this runtime, OOM probes included.
  std::vector<Observation> with_oom;
  for (const auto& o : all)
    if (o.scenario.runtime.id == runtime) with_oom.push_back(o);
  std::map<std::string, double> sum;
  std::map<std::string, int> count;
  score(with_oom, &c.coefficients, sum, count);
  for (const auto& [q, s] : sum) c.in_sample_mape[q] = s / count[q];
  if (opt.cross_validate) {
    c.leave_one_chip_out = cross_validate(obs, opt, [](const Observation& o) { return o.scenario.hardware.id; });
    c.leave_one_model_out = cross_validate(obs, opt, [](const Observation& o) { return o.scenario.model.id; });
  }
  return c;
}

std::string fnv1a64_hex(const std::string& bytes) {
  unsigned long long h = 1469598103934665603ULL;
  for (unsigned char ch : bytes) h = (h ^ ch) * 1099511628211ULL;
  return fmt::format("{:016x}", h);
}

}  // namespace ridgeline
