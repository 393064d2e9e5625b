// The Prediction record: prefill over its chunks, decode over its tokens, TTFT, memory, warnings.
#include <algorithm>
#include <vector>

#include "ridgeline/derived.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/gpu_architectures.hpp"
#include "ridgeline/ops.hpp"
#include "ridgeline/phase_sums.hpp"
#include "ridgeline/prediction.hpp"

namespace ridgeline {

bool in_measured_gap(const Scenario& s, const MeasuredGap& gap) {
  const auto& w = s.workload;
  const bool decode = gap.phase == MeasuredGap::Phase::decode;
  if (decode ? w.gen <= 0 : w.prompt <= w.cached) return false;
  if (gap.min_context > (decode ? w.prompt + w.gen : w.prompt)) return false;
  if (gap.layers && std::none_of(s.model.layers.begin(), s.model.layers.end(),
                                 [&](const LayerGroup& g) { return g.attention.kind == *gap.layers; }))
    return false;
  return covers_architecture(gap.architectures, s.hardware.architecture);
}

Prediction predict_times(const Scenario& s) {
  const auto& w = s.workload;
  Prediction p;
  p.batch = w.batch;
  p.chunk = s.chunk;
  p.prefill_tokens = w.prompt - w.cached;
  const StepInvariants inv = step_invariants(s);
  const long long n = s.chunk;
  // A runtime that evaluates prefill chunks only as far as its caches need (mlx-lm's generate_step
  // from 0.27.0, PR #406) runs all but the prompt's last token in chunks without the LM head, then
  // that token through the whole model as a step of its own for the first logits.
  const bool peeled = s.runtime.kernels.prefill_evaluates_cache_only && p.prefill_tokens > 0;
  const long long chunked = p.prefill_tokens - (peeled ? 1 : 0);
  const long long full = chunked / n, rest = chunked % n;
  // Prompts of a batch that fit a chunk together share its steps: each sequence's share of one.
  const double packed = prompts_per_prefill_step(s);
  PhaseTime pre, tail;
  if (chunked > 0) {
    // All chunks but the final one skip the LM head.
    const long long plain = rest > 0 ? full : full - 1;
    if (plain > 0) pre = sum_steps(s, inv, StepShape{static_cast<double>(n), 0, 1, false, true}, static_cast<double>(w.cached), static_cast<double>(n), plain);
    StepShape last{static_cast<double>(rest > 0 ? rest : n), static_cast<double>(w.cached + plain * n), packed, !peeled, true};
    tail = sum_steps(s, inv, last, last.context, 1, 1);
  }
  if (peeled) {
    StepShape token{1, static_cast<double>(w.cached + chunked), packed, true, false};
    tail += sum_steps(s, inv, token, token.context, 1, 1);
  }
  tail /= packed;
  pre += tail;  // now every step of the prompt
  // A server's per-request cost comes before the first token (it is part of what a client times),
  // and so does wiring the weights anew where the runtime does it at every call.
  p.request_seconds = s.runtime.coef.wrapper_request_ms * 1e-3;
  // One call wires the weights for all its sequences (a batch shares it; TTFT below multiplies
  // the per-sequence prefill by the batch).
  p.rewire_seconds = rewires_weights(s.runtime) ? weight_bytes(s.model, s.quant).value / (s.runtime.coef.rewire_gbps * 1e9) / static_cast<double>(w.batch) : 0;
  // Where the buffer cache is emptied after each chunk, every chunk and the peeled token allocate
  // their kernels' outputs anew.
  const long long passes = (chunked + n - 1) / n + (peeled ? 1 : 0);
  if (commits_fresh_buffers(s.runtime))
    p.fresh_buffer_seconds = static_cast<double>(passes) * inv.kernels * s.runtime.coef.buffer_commit_us * 1e-6 / packed;
  p.prefill_seconds = pre.seconds + p.request_seconds + p.rewire_seconds + p.fresh_buffer_seconds;
  p.prefill_bound = pre.bound();

  p.decode_tokens = w.gen;
  StepShape step{1, 0, static_cast<double>(w.batch), true, false};
  if (w.gen > 0) {
    PhaseTime dec = sum_steps(s, inv, step, static_cast<double>(w.prompt), 1, w.gen);
    p.decode_seconds = dec.seconds;
    p.decode_bound = dec.bound();
    StepShape at_start = step, at_end = step;
    at_start.context = static_cast<double>(w.prompt);
    at_end.context = static_cast<double>(w.prompt + w.gen - 1);
    p.decode_tps_start = 1.0 / step_seconds(s, inv, at_start);
    p.decode_tps_end = 1.0 / step_seconds(s, inv, at_end);
  }
  // Every sequence's prompt is processed before decoding starts (as llama-batched-bench does),
  // packed as prompts_per_prefill_step says.
  p.ttft_seconds = p.prefill_seconds * static_cast<double>(w.batch);
  p.total_seconds = p.ttft_seconds + p.decode_seconds;
  return p;
}

Prediction predict(const Scenario& s) {
  Prediction p = predict_times(s);
  p.mem = memory(s);
  const auto& w = s.workload;
  if (p.mem.weights > s.hardware.largest_memory())
    p.warnings.push_back(fmt::format("the weights ({}) are larger than the largest memory {} is sold with ({})",
                                     format_gb(p.mem.weights), s.hardware.id, format_gib(s.hardware.largest_memory())));
  if (w.prompt + w.gen > s.model.max_context && s.model.max_context > 0)
    p.warnings.push_back(fmt::format("context beyond the model's maximum of {} tokens", s.model.max_context));
  bool dtype_assumed = false;
  const std::string dtype(compute_dtype(s, &dtype_assumed));
  if (dtype_assumed && !s.hardware.bf16_native.value)  // the assumption changes nothing where bf16 is native
    p.warnings.push_back(fmt::format("the model states no checkpoint dtype; {} computes in it: bf16 assumed", s.runtime.id));
  if (bf16_emulated(s))
    p.warnings.push_back(fmt::format("{} computes in {} and {} has no bfloat16 arithmetic: its products{} run at {:.2f} "
                                     "of their fp16 rate (bf16_emulation_factor; a float16 conversion avoids it)",
                                     s.runtime.id, dtype, s.hardware.id, s.quant.id == "bf16" ? " and bf16 weight streams" : "",
                                     s.runtime.coef.bf16_emulation_factor));
  for (const auto& gap : s.runtime.measured_gaps)
    if (in_measured_gap(s, gap))
      p.warnings.push_back(fmt::format("{} measured off this prediction: {} ({})",
                                       gap.phase == MeasuredGap::Phase::decode ? "decode" : "prefill", gap.measured, gap.source));
  return p;
}

}  // namespace ridgeline
