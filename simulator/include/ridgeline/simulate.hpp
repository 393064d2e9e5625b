#pragma once
// The simulator: a transformer step decomposed into operator records, each timed by a roofline
// (time = max(FLOPs / compute rate, bytes / bandwidth) + launch overhead), summed over the
// prefill chunks and decode steps of a workload in closed form; plus the memory timeline.
#include <optional>
#include <string>
#include <vector>

#include "ridgeline/error.hpp"
#include "ridgeline/hardware.hpp"
#include "ridgeline/model.hpp"
#include "ridgeline/quant.hpp"
#include "ridgeline/runtime.hpp"

namespace ridgeline {

struct Workload {
  long long prompt = 512;     // prompt tokens, cached prefix included
  long long cached = 0;       // prefix already in the KV cache (not recomputed)
  long long gen = 128;        // generated tokens
  long long chunk = 0;        // prefill chunk (ubatch); 0 = the runtime's default
  long long batch = 1;        // concurrent sequences
  std::string kv_dtype;       // "" = the runtime's default
  Bytes ram;                  // installed memory; 0 = the largest size the chip is sold with
  Bytes limit;                // GPU memory limit; 0 = the hardware rule for `ram`
  bool allow_beyond_max = false;
};

// Everything the simulator needs, resolved once. `model.layers` has equal groups merged.
struct Scenario {
  HardwareSpec hardware;
  ModelSpec model;
  Quantization quant;
  RuntimeSpec runtime;
  Workload workload;
  KvDtype kv;
  long long chunk = 0;
  Bytes ram;
  Bytes limit;
};
Scenario make_scenario(HardwareSpec hw, ModelSpec m, Quantization q, RuntimeSpec rt, Workload w);
// The two halves of make_scenario, for callers that vary only the workload (sweep): the setup
// once, then set_workload per point (checks the workload as make_scenario does; throws InputError).
Scenario make_setup(HardwareSpec hw, ModelSpec m, Quantization q, RuntimeSpec rt);
void set_workload(Scenario& s, const Workload& w);
// Why set_workload would refuse `w` on this setup (a sweep reports it as a row, no throw): an error
// on the workload field at fault (prompt, gen, cached, batch, chunk, or context beyond the model's
// maximum), or nullopt.
std::optional<FieldError> workload_problem(const Scenario& s, const Workload& w);

enum class Bound { compute, memory };
const char* to_string(Bound b);

// One operator of one step, totalled over the layers of its group.
struct Op {
  const char* what = "";  // operator kind; with `group`, op_label() names it for reports
  int group = -1;         // index into ModelSpec::layers, or -1 for model-level operators
  double flops = 0;
  double weight_bytes = 0;
  double activation_bytes = 0;
  double kv_read_bytes = 0;
  double kv_write_bytes = 0;
  double launches = 0;
  double compute_rate = 1;  // FLOP/s this operator reaches
  double bandwidth = 1;     // bytes/s this operator reaches
  double bytes() const { return weight_bytes + activation_bytes + kv_read_bytes + kv_write_bytes; }
  double compute_seconds() const { return flops / compute_rate; }
  double memory_seconds() const { return bytes() / bandwidth; }
};

// One forward pass: `tokens` new tokens for each of `batch` sequences holding `context` tokens.
struct StepShape {
  double tokens = 1;
  double context = 0;
  double batch = 1;
  bool last_chunk = true;  // the LM head runs only where logits are needed
  bool prefill = false;
};
// What a scenario's steps share whatever their shape: the bandwidths and peaks its operators
// reach, its per-step overhead and each layer group's sizes. Derived from the scenario when asked
// (never stored in the Scenario, whose coefficients a fit changes between calls), once per
// prediction, not once per step.
struct StepInvariants {
  double bandwidth = 0;          // bytes/s of activation, KV and state streams (datasheet-capped)
  double matrix_bandwidth = 0;   // bytes/s of quantized weight streams (kernel class's share, capped)
  double attention_rate = 0;     // FLOP/s of fused attention and elementwise work
  double plain_peak = 0;         // matmul FLOP/s peak with the chip generation's factor
  double quantized_peak = 0;     // ... and the weights' kernel class's factor
  double overhead_seconds = 0;   // launches and fixed cost of one step (step_overhead_seconds)
  struct Group {                 // one entry per ModelSpec::layers group (derived.hpp's sizes)
    double attention_params = 0, kv_bytes_per_token = 0;
    double dense_ffn_params = 0, router_params = 0, expert_params = 0;
    bool unfused_prefill = false, unfused_decode = false;
  };
  std::vector<Group> groups;
};
StepInvariants step_invariants(const Scenario& s);
std::vector<Op> step_ops(const Scenario& s, const StepShape& shape);
// The same into a caller's buffer (cleared first), so hot loops reuse one allocation.
void step_ops(const Scenario& s, const StepShape& shape, std::vector<Op>& ops);
void step_ops(const Scenario& s, const StepInvariants& inv, const StepShape& shape, std::vector<Op>& ops);
// Whether this runtime materialises the score matrix for this layer (prefill or decode path).
bool unfused_attention(const Scenario& s, const AttentionSpec& a, bool prefill);
double step_overhead_seconds(const Scenario& s);
double ops_seconds(const std::vector<Op>& ops);
// One forward pass of this shape: its operators plus the launch and per-step overhead.
double step_seconds(const Scenario& s, const StepShape& shape);
// "attention [5x sliding]": the operator and the layer group it totals.
std::string op_label(const Scenario& s, const Op& op);

struct PhaseTime {
  double seconds = 0;
  double compute_seconds = 0;  // time in operators where compute binds
  double memory_seconds = 0;   // time in operators where memory binds
  Bound bound() const { return compute_seconds >= memory_seconds ? Bound::compute : Bound::memory; }
};
// Sum of step times over contexts first, first + stride, ... (count steps), exact and O(ops).
PhaseTime sum_steps(const Scenario& s, StepShape shape, double first_context, double stride, long long count);
PhaseTime sum_steps(const Scenario& s, const StepInvariants& inv, StepShape shape, double first_context, double stride,
                    long long count);

struct MemoryBreakdown {
  Bytes weights, kv_cache, state, transient, runtime, peak, limit;
  bool fits = true;
  std::optional<long long> oom_at_context;  // context completed before the first failing chunk
};
// Memory in use while a prefill chunk of `chunk` tokens ends at `context_end`.
// `chunk` defaults to the scenario's chunk (it sizes sliding-window caches).
Bytes transient_bytes(const Scenario& s, double chunk, double context_end);
Bytes kv_allocated(const Scenario& s, double context, double capacity, long long chunk = 0);
MemoryBreakdown memory(const Scenario& s);
// First context at which a chunk of `chunk` tokens runs out of memory, scanning up to `max_context`.
std::optional<long long> oom_context(const Scenario& s, long long chunk, long long max_context);

// A calibrated rate's uncertainty as standard deviations of ln(rate) (1 sigma); bands.hpp.
struct RateBand {
  double coefficients = 0;  // the fitted coefficients' covariance through the simulator (delta method)
  double total = 0;         // with the calibration's held-out scatter: sqrt(coefficients^2 + scatter^2)
  // Coefficients the calibration's data did not identify, on which this rate depends: the band
  // cannot include them and understates.
  std::vector<std::string> not_identified;
};
struct PredictionBands {
  RateBand prefill, decode;
  bool covariance = true;   // false: the calibration has none (schema 1), `coefficients` is 0
  bool scatter_from_mape = false;
};

struct Prediction {
  long long prefill_tokens = 0;
  double prefill_seconds = 0;
  Bound prefill_bound = Bound::compute;
  long long decode_tokens = 0;
  double decode_seconds = 0;
  double decode_tps_start = 0;
  double decode_tps_end = 0;
  Bound decode_bound = Bound::memory;
  double ttft_seconds = 0;
  double total_seconds = 0;
  long long batch = 1;
  long long chunk = 0;
  MemoryBreakdown mem;
  std::vector<std::string> warnings;
  std::optional<PredictionBands> bands;  // set by add_bands (bands.hpp) for a calibrated runtime, not by predict
  double prefill_ms_per_token() const { return prefill_tokens ? 1e3 * prefill_seconds / static_cast<double>(prefill_tokens) : 0; }
  double prefill_tps() const { return prefill_seconds > 0 ? static_cast<double>(prefill_tokens) / prefill_seconds : 0; }
  double decode_tps() const { return decode_seconds > 0 ? static_cast<double>(decode_tokens) / decode_seconds : 0; }
  double aggregate_decode_tps() const { return decode_tps() * static_cast<double>(batch); }
};

Prediction predict(const Scenario& s);

}  // namespace ridgeline
