// Workload totals in closed form: a phase's step times summed over an arithmetic sequence of
// contexts from two evaluations per linear stretch (sum_of_max), split where sliding windows kink.
#include <algorithm>
#include <cmath>

#include "ridgeline/phase_sums.hpp"

namespace ridgeline {

namespace {

// Sum over j = j0..j1 of a + b*j.
double arithmetic(double a, double b, double j0, double j1) {
  if (j1 < j0) return 0;
  const double n = j1 - j0 + 1;
  return n * a + b * (j0 + j1) * n / 2;
}

// Sum over j = 0..m-1 of max(f(j), g(j)) for linear f and g; `f_part` receives the part of the
// sum where f is the larger. Exact: the two lines cross at most once.
double sum_of_max(double f0, double f_slope, double g0, double g_slope, double m, double& f_part) {
  const double last = m - 1;
  const double d0 = f0 - g0, d_slope = f_slope - g_slope;
  double f_from = 0, f_to = last;  // range of j where f >= g
  if (d_slope == 0) {
    if (d0 < 0) f_to = -1;
  } else {
    const double cross = -d0 / d_slope;  // f - g = 0
    if (d_slope > 0) f_from = std::max(0.0, std::ceil(cross));
    else f_to = std::min(last, std::floor(cross));
  }
  f_from = std::min(f_from, last + 1);
  f_to = std::max(f_to, f_from - 1);
  const double f_sum = arithmetic(f0, f_slope, f_from, f_to);
  const double g_sum = arithmetic(g0, g_slope, 0, f_from - 1) + arithmetic(g0, g_slope, f_to + 1, last);
  f_part = f_sum;
  return f_sum + g_sum;
}

// The last context at which a chunk's first query sees less than a full sliding window of `w` keys:
// from context w - 1 on every query attends the whole window (attended_keys: context + 1 >= window),
// so the stretch where the sum is quadratic in the context ends one before.
double last_partial_window(double w) { return w - 2; }

// Contexts at which the per-step cost stops being linear: sliding windows (see attended_keys).
// Key caps of a layer: a sliding window; a compressed layer's raw window and, with an indexer, the
// context (ratio x topk) past which each query attends topk pooled rows (attended_keys' cap).
std::vector<double> key_caps(const AttentionSpec& a) {
  if (a.kind == AttentionKind::sliding) return {static_cast<double>(a.window)};
  if (a.kind != AttentionKind::compressed) return {};
  std::vector<double> caps = {static_cast<double>(a.window)};
  if (a.index_heads > 0) caps.push_back(static_cast<double>(a.compress_ratio) * a.index_topk);
  return caps;
}

std::vector<double> thresholds(const Scenario& s, double n) {
  std::vector<double> t;
  for (const auto& g : s.model.layers)
    for (double w : key_caps(g.attention)) t.insert(t.end(), {w - n, last_partial_window(w), w});
  std::sort(t.begin(), t.end());
  t.erase(std::unique(t.begin(), t.end()), t.end());
  return t;
}

bool nonlinear_zone(const Scenario& s, double n, double c) {
  for (const auto& g : s.model.layers)
    for (double w : key_caps(g.attention))
      if (c > w - n && c <= last_partial_window(w)) return true;
  return false;
}

void add_step(PhaseTime& t, const std::vector<Op>& ops, double overhead) {
  for (const auto& op : ops) {
    const double cs = op.compute_seconds(), ms = op.memory_seconds();
    (cs >= ms ? t.compute_seconds : t.memory_seconds) += std::max(cs, ms);
  }
  t.seconds = t.compute_seconds + t.memory_seconds;
  t.seconds += overhead;
}

}  // namespace

PhaseTime sum_steps(const Scenario& s, StepShape shape, double first, double stride, long long count) {
  return sum_steps(s, step_invariants(s), shape, first, stride, count);
}

PhaseTime sum_steps(const Scenario& s, const StepInvariants& inv, StepShape shape, double first, double stride,
                    long long count) {
  PhaseTime total;
  const double overhead = inv.overhead_seconds;
  const std::vector<double> thr = thresholds(s, shape.tokens);
  long long k = 0;
  double fixed = 0;  // overheads, added once at the end
  thread_local std::vector<Op> a, b;  // reused: a sweep calls this three times per point
  while (k < count) {
    const double c = first + stride * static_cast<double>(k);
    // The run of steps up to the next threshold is linear in the context.
    long long end = count - 1;
    for (double t : thr)
      if (t >= c) {
        end = std::min(end, k + static_cast<long long>(std::floor((t - c) / stride)));
        break;
      }
    shape.context = c;
    if (end == k || nonlinear_zone(s, shape.tokens, c)) {
      PhaseTime one;
      step_ops(s, inv, shape, a);
      add_step(one, a, 0);
      total.compute_seconds += one.compute_seconds;
      total.memory_seconds += one.memory_seconds;
      fixed += overhead;
      ++k;
      continue;
    }
    step_ops(s, inv, shape, a);
    shape.context = c + stride;
    step_ops(s, inv, shape, b);
    const double m = static_cast<double>(end - k + 1);
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
      double compute_part = 0;
      const double ca = a[i].compute_seconds(), cb = b[i].compute_seconds();
      const double ma = a[i].memory_seconds(), mb = b[i].memory_seconds();
      const double sum = sum_of_max(ca, cb - ca, ma, mb - ma, m, compute_part);
      total.compute_seconds += compute_part;
      total.memory_seconds += sum - compute_part;
    }
    fixed += overhead * m;
    k = end + 1;
  }
  total.seconds = total.compute_seconds + total.memory_seconds + fixed;
  return total;
}

}  // namespace ridgeline
