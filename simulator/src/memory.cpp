// The memory model: KV allocation (up front or in steps, sliding caches), transient buffers,
// the peak of a workload and the context at which a chunk size runs out of memory.
#include <algorithm>
#include <cmath>

#include "ridgeline/derived.hpp"
#include "ridgeline/memory.hpp"
#include "ridgeline/ops.hpp"
#include "step_constants.hpp"

namespace ridgeline {

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
    const auto& a = g.attention;
    const double window_held = sliding_cells_held(s, a.window, tokens, static_cast<double>(chunk));
    const double held = a.kind == AttentionKind::sliding ? window_held : tokens;
    // A compressed layer's raw rows are a sliding cache of their own beside the pooled rows.
    total += g.count * (kv_bytes_per_token(a, s.kv).value * held + raw_window_bytes_per_token(a, s.kv).value * window_held);
  }
  return Bytes(total * b + state_bytes(s.model).value * b);
}

double sliding_cells_held(const Scenario& s, double window, double tokens, double chunk) {
  return s.runtime.sliding_kv_full ? tokens : std::min(tokens, window + chunk);
}

namespace {
// Elements per token live at the MLP phase's peak (transient_bytes, below).
double mlp_elements(const FfnSpec& f, double h, bool in_place) {
  const double buffers = f.gated ? (in_place ? 2 : 3) : (in_place ? 1 : 2);  // of the MLP's width
  auto mlp = [&](double width) { return 2 * h + buffers * width; };
  const double dense = static_cast<double>(f.intermediate) + static_cast<double>(f.shared_experts) * static_cast<double>(f.shared_intermediate);
  if (!f.is_moe()) return mlp(dense);
  const double k = f.active_experts, routed = k * static_cast<double>(f.expert_intermediate);
  const double down_outputs = h + routed + k * static_cast<double>(f.expert_width(static_cast<long long>(h)));
  return std::max({mlp(dense), mlp(routed), down_outputs});
}
}  // namespace

// The peak of a prefill chunk of n tokens: its buffers are freed as the pass moves on (PyTorch's
// reference counts, ggml-alloc's last use, MLX's graph evaluation), so the peak is the largest of
// the pass's phases, not their sum. Per layer, with the residual stream x and its normed copy live
// in both:
//   attention: q, k, v and the attention output        2h + 2 q_dim + 2 kv_dim per token,
//              plus, on the unfused path, the layer's score matrix (q heads x n x keys)
//   MLP:       act(gate) and up, then their product     2h + 3 intermediate per token
// or, where the runtime reuses buffers in place (RuntimeSpec::EngineKernels::activations_in_place:
// k and v straight into the cache, the activation and product over the gate), 2h + 2 q_dim and
// 2h + 2 intermediate (an MLP without a gate: up and act(up), or up alone). A routed-expert layer
// computes every token's k chosen experts in one batched product (ggml's mul_mat_id, MLX's
// gather_qmm: a rows x k x width output): gate and up of k x expert width, then the product beside
// the k experts' down outputs before they are weighed and summed (h + k x expert width + k x the
// experts' output width); its shared experts and any dense MLP beside them run apart from the
// routed ones (counted together, at their summed width). Then,
// once the layers' buffers are freed, the logits and the normed rows they are computed from: f32
// for the last token, or for every token of the chunk where the runtime reserves its graph for all
// outputs (llama.cpp). The chunk's attention masks (one per attention kind, full and latent
// attention sharing one; RuntimeSpec::EngineKernels::mask_bytes_*) are inputs every layer reads:
// live through the layers.
Bytes transient_bytes(const Scenario& s, double n, double context_end) {
  const ModelSpec& m = s.model;
  const double h = static_cast<double>(m.hidden);
  const double per_element = n * s.runtime.activation_bytes * s.runtime.coef.activation_buffer_factor;
  const bool in_place = s.runtime.kernels.activations_in_place;
  double peak = 0, full_mask = 0, sliding_mask = 0;
  for (const auto& g : m.layers) {
    const auto& a = g.attention;
    const auto& f = g.ffn;
    const double q_dim = static_cast<double>(a.q_heads) * a.head_dim, kv_dim = static_cast<double>(a.kv_heads) * a.head_dim;
    double attention = a.kind == AttentionKind::none ? 0 : per_element * (2 * h + 2 * q_dim + (in_place ? 0 : 2 * kv_dim));
    const double keys = a.kind == AttentionKind::sliding ? std::min<double>(context_end, a.window + n) : context_end;
    const bool unfused = unfused_attention(s, a, true);
    double scores = unfused ? static_cast<double>(a.q_heads) * n * keys * s.runtime.coef.transient_bytes_per_score : 0;
    // An indexer's f32 scores against every pooled index key: per head where the runtime forms them
    // whole before summing the heads (RuntimeSpec::kernels.indexer_scores_per_head), else summed;
    // freed once it has picked its rows, before the attention's own scores.
    if (a.kind == AttentionKind::compressed && a.index_heads > 0) {
      const double heads = s.runtime.kernels.indexer_scores_per_head ? a.index_heads : 1;
      scores = std::max(scores, heads * n * (context_end / a.compress_ratio) * step::kFp32Bytes);
    }
    attention += scores;
    peak = std::max({peak, attention, per_element * mlp_elements(f, h, in_place)});
    const double mask = n * keys * (unfused ? s.runtime.kernels.mask_bytes_unfused : s.runtime.kernels.mask_bytes_fused);
    if (a.kind == AttentionKind::full || a.kind == AttentionKind::mla) full_mask = std::max(full_mask, mask);
    if (a.kind == AttentionKind::sliding) sliding_mask = std::max(sliding_mask, mask);
  }
  const double logit_rows = s.runtime.logits_whole_chunk ? n : 1;
  // The output product's input (the final norm's rows) is live beside the logits it writes.
  const double logits = logit_rows * (step::kLogitBytes * static_cast<double>(m.vocab) + s.runtime.activation_bytes * h);
  return Bytes(std::max(peak + full_mask + sliding_mask, logits));
}

namespace {
// A runtime that reserves its compute buffer at load (RuntimeSpec::EngineKernels::
// compute_buffer_reserved) sizes it for a chunk's rows (at most the batch's sequences' whole
// contexts together) against one sequence's whole capacity, and holds it from load to the end;
// else each chunk's buffers are its own, at the context the chunk ends at.
Bytes chunk_buffers(const Scenario& s, double chunk, double context_end, double capacity) {
  if (s.runtime.kernels.compute_buffer_reserved) {
    const double context = std::max(context_end, capacity);
    return transient_bytes(s, std::min(chunk, context * static_cast<double>(s.workload.batch)), context);
  }
  return transient_bytes(s, chunk, context_end);
}

Bytes in_use(const Scenario& s, const Bytes& weights, long long n, double context_end, double capacity) {
  return weights + kv_allocated(s, context_end, capacity, n) + chunk_buffers(s, static_cast<double>(n), context_end, capacity) +
         s.runtime.runtime_bytes;
}
}  // namespace

std::optional<long long> oom_context(const Scenario& s, long long chunk, long long max_context,
                                     std::optional<double> kv_capacity) {
  const Bytes weights = weight_bytes(s.model, s.quant);
  auto fails = [&](long long k) {
    const double end = static_cast<double>((k + 1) * chunk);
    return in_use(s, weights, chunk, end, kv_capacity.value_or(end)) > s.limit;
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
  // Rows of the last prefill step: a chunk of one prompt, or the prompts of a batch packed into it.
  const double n = std::min<double>(static_cast<double>(s.chunk), prompt - static_cast<double>(w.cached)) *
                   prompts_per_prefill_step(s);
  const Bytes state = Bytes(state_bytes(s.model).value * static_cast<double>(w.batch));
  // Peak: during the last prefill chunk, or at the end of decoding with the cache at its largest.
  const Bytes full_cache = kv_allocated(s, total, total);
  const bool reserved = s.runtime.kernels.compute_buffer_reserved;
  mb.transient = chunk_buffers(s, reserved ? static_cast<double>(s.chunk) : n, prompt, total);
  const Bytes at_prefill = kv_allocated(s, prompt, total) + mb.transient;
  const Bytes at_decode = full_cache + (reserved ? mb.transient : transient_bytes(s, static_cast<double>(w.batch), total));
  mb.kv_cache = full_cache - state;
  mb.state = state;
  mb.peak = mb.weights + mb.runtime + std::max(at_prefill, at_decode);
  mb.fits = mb.peak <= mb.limit;
  const long long max_context = s.model.max_context > 0 ? std::max(s.model.max_context, w.prompt + w.gen) : step::kUnstatedMaxContext;
  mb.oom_at_context = oom_context(s, s.chunk, max_context);
  return mb;
}

}  // namespace ridgeline
