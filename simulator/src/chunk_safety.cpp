// The chunk-safety search: each chunk size's out-of-memory context, prefill time and peak memory at
// the target context; the largest that completes.
#include "ridgeline/chunk_safety.hpp"

#include <algorithm>

#include "ridgeline/derived.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/memory.hpp"
#include "ridgeline/ops.hpp"
#include "ridgeline/prediction.hpp"

namespace ridgeline {

namespace {
constexpr long long kMaxChunk = 1 << 20;  // as set_workload accepts

std::optional<ScoreMatrixCheck> score_matrix_check(const Scenario& s, long long context) {
  for (const auto& g : s.model.layers) {
    const auto& a = g.attention;
    if (a.kind != AttentionKind::full) continue;
    ScoreMatrixCheck c;
    c.q_heads = a.q_heads;
    c.keys = context;
    c.bytes_per_score = s.runtime.coef.transient_bytes_per_score;
    c.bytes = static_cast<double>(a.q_heads) * static_cast<double>(ScoreMatrixCheck::kChunk) * static_cast<double>(context) *
              c.bytes_per_score;
    c.materialised = unfused_attention(s, a, true);
    return c;
  }
  return std::nullopt;
}
}  // namespace

long long ChunkReport::smallest_chunk() const {
  if (trials.empty()) return scenario.chunk;
  long long smallest = trials.front().chunk;
  for (const auto& t : trials) smallest = std::min(smallest, t.chunk);
  return smallest;
}

ChunkReport chunk_safety(const Scenario& setup, long long context, const std::vector<long long>& chunks) {
  ChunkReport r;
  r.scenario = setup;
  Workload w = setup.workload;
  w.prompt = context;
  w.gen = 0;
  set_workload(r.scenario, w);
  r.context = context;
  r.weights = weight_bytes(r.scenario.model, r.scenario.quant);
  r.weights_fit = r.weights.value <= r.scenario.limit.value;
  for (long long c : chunks) {
    // Checked here, not only by set_workload: a chunk of 0 there means the runtime's default.
    if (c < 1 || c > kMaxChunk) throw FieldError("chunk", "{}; expected 1 to {}", c, kMaxChunk);
    Scenario s = r.scenario;
    w.chunk = c;
    set_workload(s, w);
    const Prediction p = predict(s);
    const long long horizon = std::max(context, s.model.max_context);
    const auto oom = oom_context(s, c, horizon);
    const bool completes = !oom || *oom >= context;
    r.trials.push_back({c, oom, p.prefill_seconds, p.mem.peak, completes});
    if (r.weights_fit && completes && (!r.largest_safe || c > *r.largest_safe)) r.largest_safe = c;
  }
  r.score_check = score_matrix_check(r.scenario, context);
  return r;
}

}  // namespace ridgeline
