// Workload totals in closed form, the memory model, and the Prediction record.
#include <algorithm>
#include <cmath>

#include "ridgeline/derived.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/simulate.hpp"
#include "step_constants.hpp"

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
std::vector<double> thresholds(const Scenario& s, double n) {
  std::vector<double> t;
  for (const auto& g : s.model.layers)
    if (g.attention.kind == AttentionKind::sliding) {
      const double w = g.attention.window;
      t.insert(t.end(), {w - n, last_partial_window(w), w});
    }
  std::sort(t.begin(), t.end());
  t.erase(std::unique(t.begin(), t.end()), t.end());
  return t;
}

bool nonlinear_zone(const Scenario& s, double n, double c) {
  for (const auto& g : s.model.layers)
    if (g.attention.kind == AttentionKind::sliding && c > g.attention.window - n && c <= last_partial_window(g.attention.window))
      return true;
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

namespace {
// Time and memory do not depend on layer order, so equal groups anywhere in the stack are
// merged (Gemma's 5 sliding + 1 full pattern becomes two groups): fewer operators per step.
std::vector<LayerGroup> merge_equal_groups(const std::vector<LayerGroup>& layers) {
  std::vector<LayerGroup> merged;
  for (const auto& g : layers) {
    auto it = std::find_if(merged.begin(), merged.end(),
                           [&](const LayerGroup& m) { return same_layer(m, g.attention, g.ffn); });
    if (it == merged.end()) merged.push_back(g);
    else it->count += g.count;
  }
  return merged;
}
}  // namespace

Scenario make_setup(HardwareSpec hw, ModelSpec m, Quantization q, RuntimeSpec rt) {
  m.layers = merge_equal_groups(m.layers);
  return Scenario{std::move(hw), std::move(m), std::move(q), std::move(rt), {}, {}, 0, {}, {}};
}

std::optional<FieldError> workload_problem(const Scenario& s, const Workload& w) {
  if (w.prompt < 1) return FieldError("prompt", "{} tokens; expected at least 1", w.prompt);
  if (w.gen < 0) return FieldError("gen", "{} tokens; expected 0 or more", w.gen);
  if (w.cached < 0 || w.cached >= w.prompt)
    return FieldError("cached", "{} tokens; expected 0 up to prompt - 1 ({})", w.cached, w.prompt - 1);
  if (w.batch < 1 || w.batch > 4096) return FieldError("batch", "{}; expected 1 to 4096", w.batch);
  const long long chunk = w.chunk > 0 ? w.chunk : s.runtime.default_chunk;
  if (chunk < 1 || chunk > (1 << 20)) return FieldError("chunk", "{}; expected 1 to 1048576", chunk);
  const long long context = w.prompt + w.gen;
  if (s.model.max_context > 0 && context > s.model.max_context && !w.allow_beyond_max)
    return FieldError("context", "{} tokens (prompt {} + gen {}) is beyond {}'s maximum of {} tokens", context, w.prompt,
                      w.gen, s.model.id, s.model.max_context);
  return std::nullopt;
}

void set_workload(Scenario& s, const Workload& w) {
  if (auto problem = workload_problem(s, w)) throw *problem;
  s.workload = w;
  s.kv = find_kv_dtype(w.kv_dtype.empty() ? s.runtime.default_kv_dtype : w.kv_dtype);
  s.chunk = w.chunk > 0 ? w.chunk : s.runtime.default_chunk;
  s.ram = w.ram.value > 0 ? w.ram : s.hardware.largest_memory();
  s.limit = w.limit.value > 0 ? w.limit : default_gpu_limit(s.hardware, s.ram);
}

Scenario make_scenario(HardwareSpec hw, ModelSpec m, Quantization q, RuntimeSpec rt, Workload w) {
  Scenario s = make_setup(std::move(hw), std::move(m), std::move(q), std::move(rt));
  set_workload(s, w);
  return s;
}

Bytes kv_allocated(const Scenario& s, double context, double capacity, long long chunk) {
  if (chunk <= 0) chunk = s.chunk;
  const double b = static_cast<double>(s.workload.batch);
  double tokens = capacity;
  if (!s.runtime.kv_upfront) {
    const double step = static_cast<double>(s.runtime.kv_step_tokens);
    tokens = std::ceil(context / step) * step;
  }
  // Sliding-window caches hold the window plus one chunk (the chunk's keys before eviction).
  double total = 0;
  for (const auto& g : s.model.layers) {
    double held = tokens;
    if (g.attention.kind == AttentionKind::sliding && !s.runtime.sliding_kv_full)
      held = std::min(tokens, static_cast<double>(g.attention.window + chunk));
    total += g.count * kv_bytes_per_token(g.attention, s.kv).value * held;
  }
  return Bytes(total * b + state_bytes(s.model).value * b);
}

// Activations live during one layer of a prefill chunk of n tokens, at the larger of its two
// phases (the residual stream x and its normed copy are live in both):
//   attention: q, k, v and the attention output        2h + 2 q_dim + 2 kv_dim per token
//   MLP:       act(gate) and up, then their product     2h + 3 intermediate per token
// (a routed-expert layer: the shared MLP plus one expert's rows for every token, the worst
// routing). Then the logits: f32 for the last token, or for every token of the chunk where
// the runtime reserves its graph for all outputs (llama.cpp); and, on the unfused path, the
// score matrix of the widest full-attention layer.
Bytes transient_bytes(const Scenario& s, double n, double context_end) {
  const ModelSpec& m = s.model;
  const double h = static_cast<double>(m.hidden);
  double per_token = 0, scores = 0;
  for (const auto& g : m.layers) {
    const auto& a = g.attention;
    const auto& f = g.ffn;
    const double q_dim = static_cast<double>(a.q_heads) * a.head_dim, kv_dim = static_cast<double>(a.kv_heads) * a.head_dim;
    const double attention = a.kind == AttentionKind::none ? 0 : 2 * h + 2 * q_dim + 2 * kv_dim;
    const double width = f.is_moe() ? static_cast<double>(f.shared_experts) * static_cast<double>(f.shared_intermediate) +
                                          static_cast<double>(f.expert_intermediate)
                                    : static_cast<double>(f.intermediate);
    per_token = std::max({per_token, attention, 2 * h + 3 * width});
    if (unfused_attention(s, a, true)) {
      double keys = a.kind == AttentionKind::sliding ? std::min<double>(context_end, a.window + n) : context_end;
      scores = std::max(scores, static_cast<double>(a.q_heads) * n * keys * s.runtime.coef.transient_bytes_per_score);
    }
  }
  const double activations = n * per_token * s.runtime.activation_bytes * s.runtime.coef.activation_buffer_factor;
  const double logit_rows = s.runtime.logits_whole_chunk ? n : 1;
  return Bytes(activations + logit_rows * step::kLogitBytes * static_cast<double>(m.vocab) + scores);
}

namespace {
Bytes in_use(const Scenario& s, const Bytes& weights, long long n, double context_end, double capacity) {
  return weights + kv_allocated(s, context_end, capacity, n) + transient_bytes(s, static_cast<double>(n), context_end) +
         s.runtime.runtime_bytes;
}
}  // namespace

std::optional<long long> oom_context(const Scenario& s, long long chunk, long long max_context) {
  const Bytes weights = weight_bytes(s.model, s.quant);
  auto fails = [&](long long k) {
    const double end = static_cast<double>((k + 1) * chunk);
    return in_use(s, weights, chunk, end, end) > s.limit;
  };
  long long last = std::max<long long>(0, (max_context + chunk - 1) / chunk - 1);
  if (!fails(last)) return std::nullopt;
  long long lo = 0, hi = last;  // memory grows with context: find the first failing chunk
  while (lo < hi) {
    long long mid = lo + (hi - lo) / 2;
    if (fails(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo * chunk;
}

MemoryBreakdown memory(const Scenario& s) {
  const auto& w = s.workload;
  MemoryBreakdown mb;
  mb.weights = weight_bytes(s.model, s.quant);
  mb.runtime = s.runtime.runtime_bytes;
  mb.limit = s.limit;
  const double prompt = static_cast<double>(w.prompt), total = static_cast<double>(w.prompt + w.gen);
  const double n = std::min<double>(static_cast<double>(s.chunk), prompt - static_cast<double>(w.cached));
  const Bytes state = Bytes(state_bytes(s.model).value * static_cast<double>(w.batch));
  // Peak: during the last prefill chunk, or at the end of decoding with the cache at its largest.
  const Bytes at_prefill = kv_allocated(s, prompt, total) + transient_bytes(s, n, prompt);
  const Bytes at_decode = kv_allocated(s, total, total) + transient_bytes(s, static_cast<double>(w.batch), total);
  mb.kv_cache = kv_allocated(s, total, total) - state;
  mb.state = state;
  mb.transient = transient_bytes(s, n, prompt);
  mb.peak = mb.weights + mb.runtime + std::max(at_prefill, at_decode);
  mb.fits = mb.peak <= mb.limit;
  const long long max_context = s.model.max_context > 0 ? std::max(s.model.max_context, w.prompt + w.gen) : step::kUnstatedMaxContext;
  mb.oom_at_context = oom_context(s, s.chunk, max_context);
  return mb;
}

Prediction predict(const Scenario& s) {
  const auto& w = s.workload;
  Prediction p;
  p.batch = w.batch;
  p.chunk = s.chunk;
  p.prefill_tokens = w.prompt - w.cached;
  const StepInvariants inv = step_invariants(s);
  const long long n = s.chunk;
  const long long full = p.prefill_tokens / n, rest = p.prefill_tokens % n;
  StepShape chunk{static_cast<double>(n), 0, 1, false, true};
  PhaseTime pre;
  // All chunks but the final one skip the LM head.
  const long long plain = rest > 0 ? full : full - 1;
  if (plain > 0) pre = sum_steps(s, inv, chunk, static_cast<double>(w.cached), static_cast<double>(n), plain);
  StepShape last{static_cast<double>(rest > 0 ? rest : n), static_cast<double>(w.cached + plain * n), 1, true, true};
  PhaseTime tail = sum_steps(s, inv, last, last.context, 1, 1);
  // A server's per-request cost comes before the first token (it is part of what a client times).
  p.prefill_seconds = pre.seconds + tail.seconds + s.runtime.coef.wrapper_request_ms * 1e-3;
  p.prefill_bound = (pre.compute_seconds + tail.compute_seconds >= pre.memory_seconds + tail.memory_seconds)
                        ? Bound::compute : Bound::memory;

  p.decode_tokens = w.gen;
  StepShape step{1, 0, static_cast<double>(w.batch), true, false};
  if (w.gen > 0) {
    PhaseTime dec = sum_steps(s, inv, step, static_cast<double>(w.prompt), 1, w.gen);
    p.decode_seconds = dec.seconds;
    p.decode_bound = dec.bound();
    StepShape at_start = step, at_end = step;
    at_start.context = static_cast<double>(w.prompt);
    at_end.context = static_cast<double>(w.prompt + w.gen - 1);
    std::vector<Op> ops;
    auto seconds = [&](const StepShape& shape) {
      step_ops(s, inv, shape, ops);
      return ops_seconds(ops) + inv.overhead_seconds;
    };
    p.decode_tps_start = 1.0 / seconds(at_start);
    p.decode_tps_end = 1.0 / seconds(at_end);
  }
  // Every sequence's prompt is processed before decoding starts (as llama-batched-bench does).
  p.ttft_seconds = p.prefill_seconds * static_cast<double>(w.batch);
  p.total_seconds = p.ttft_seconds + p.decode_seconds;
  p.mem = memory(s);
  if (p.mem.weights > s.hardware.largest_memory())
    p.warnings.push_back(fmt::format("the weights ({}) are larger than the largest memory {} is sold with ({})",
                                     format_gb(p.mem.weights), s.hardware.id, format_gib(s.hardware.largest_memory())));
  if (w.prompt + w.gen > s.model.max_context && s.model.max_context > 0)
    p.warnings.push_back(fmt::format("context beyond the model's maximum of {} tokens", s.model.max_context));
  return p;
}

}  // namespace ridgeline
