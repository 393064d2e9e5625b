#pragma once
// A transformer step decomposed into operator records, each timed by a roofline
// (time = max(FLOPs / compute rate, bytes / bandwidth)) plus launch and per-step overhead (ops.cpp).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ridgeline/scenario.hpp"

namespace ridgeline {

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

// Whether a kernel family multiplies on the GPU's matrix units (HardwareSpec::matrix_fp16, M5's
// neural accelerators) in this prediction's release: `since` is the family's entry in
// RuntimeSpec::EngineKernels (products_on_matrix_units, attention_on_matrix_units).
bool on_matrix_units(const Scenario& s, const std::optional<Release>& since);
// Its peak: the matrix units' there, else the SIMD groups' fp16 rate.
double multiply_peak(const Scenario& s, const std::optional<Release>& since);

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
  double unfused_kv_bandwidth = 0;  // bytes/s one query row's unfused products read the KV cache at, once per KV head
  double matrix_bandwidth = 0;   // bytes/s of quantized weight streams (kernel class's share, capped)
  double batch_matrix_bandwidth = 0;  // ... through the multi-row matrix-vector kernel (2 to gemv_max_rows rows)
  double expert_bandwidth = 0;  // ... through the row-by-row routed-expert kernel
  double attention_rate = 0;     // FLOP/s of fused attention and elementwise work
  double vector_attention_rate = 0;  // FLOP/s of a vector attention kernel (fp32 peak x vector_attention_efficiency)
  double f32_attention_rate = 0;     // FLOP/s of attention-like products in f32 (an indexer's scores): fp32 peak x attention_efficiency
  double gemv_rate = 0;          // FLOP/s of matrix-vector products' ALUs (fp32 peak x gemv_compute_efficiency)
  double old_score_rate = 0;     // FLOP/s of a pre-rewrite build's one-threadgroup-per-score attention products (0: none)
  double dequant_ops = 0;        // ALU instructions per weight unpacking it takes in the multiply-adds' issue slots,
                                 // once a step (matrix-vector) or a tile (matrix-matrix): dequant_ops_per_weight where single-issue
  double drain_flops_per_input = 0;  // a serial build's drain per matrix-matrix product, per unit of its input width
  double plain_peak = 0;         // matmul FLOP/s peak with the chip generation's factor
  double quantized_peak = 0;     // ... and the weights' kernel class's factor
  double blas_peak = 0;          // ... or the BLAS library's factor (RuntimeSpec::blas_library)
  double kernels = 0;            // kernels one forward pass launches (step_kernels)
  double overhead_seconds = 0;   // launches and fixed cost of one step (step_overhead_seconds)
  double matrix_half_scale = 1;       // a dense kernel on matrix units: their peak over the SIMD fp16 peak (1: none), x half-efficiency rows
  double matrix_tile_rows = 1;        // a dense matrix-matrix kernel's row tile on this GPU in this release (1: none)
  double expert_tile_rows = 0;        // the expert-sorted kernel's row tile on this GPU (0: none named)
  double expert_small_tile_rows = 0;  // ... and its small tile in this release (0: none)
  bool sorted_expert_kernel = true;   // this release has the expert-sorted kernel (MLX from 0.25.0)
  bool experts_on_matrix_units = false;  // this release's expert products multiply on the GPU's matrix units
  struct Group {                 // one entry per ModelSpec::layers group (derived.hpp's sizes)
    double attention_params = 0, kv_bytes_per_token = 0, kv_read_bytes_per_token = 0, raw_window_bytes_per_token = 0;
    double dense_ffn_params = 0, router_params = 0, expert_params = 0;
    double projection_outputs = 0, mlp_outputs = 0;  // the products' one fill width (0: the reference width)
    bool unfused_prefill = false, unfused_decode = false;
  };
  std::vector<Group> groups;
};
StepInvariants step_invariants(const Scenario& s);
// Rows at which a dense matrix-matrix kernel reaches half its peak: compute_half_tokens, times the
// matrix units' speed-up where the kernel multiplies on them (StepInvariants::matrix_half_scale),
// for a product of the profile's reference width (matmul_rate scales it by the product's own).
double dense_half_rows(const Scenario& s, const StepInvariants& inv);
std::vector<Op> step_ops(const Scenario& s, const StepShape& shape);
// Distinct experts `rows` rows routed independently touch in a layer of `experts`, `active` per row,
// when expert popularity by rank falls as rank^-skew (RuntimeCoefficients::moe_routing_skew; 0:
// uniform): at least `active`, at most `experts`.
double experts_touched(double experts, double active, double rows, double skew);
// How a step's `rows` reach a routed-expert layer's weights: row by row, each row streaming its k
// experts (rows x k reads), or grouped by expert, each expert the rows touch read once.
struct ExpertReads {
  bool grouped = false;
  double experts = 0;  // expert weight reads a layer makes in the step
};
ExpertReads expert_reads(const Scenario& s, const StepInvariants& inv, const FfnSpec& f, double rows);
// The kernel a step's fused attention of `tokens` query rows per sequence runs, with `sequences`
// in the step over `cells` cached tokens: none where the runtime has no vector decode kernel or the
// rows are past gemv_max_rows (the matrix kernel at attention_efficiency); the vector kernel on the
// ALUs; or, where the profile limits that kernel (RuntimeSpec::EngineKernels::vector_decode), the
// tensor-core kernel, whose tiles one KV head's query rows fill to decode_tile_fill.
enum class DecodeAttentionKernel { none, vector, tensor_tiles };
DecodeAttentionKernel decode_attention_kernel(const Scenario& s, const AttentionSpec& a, double tokens, double sequences, double cells);
double decode_tile_fill(const Scenario& s, const AttentionSpec& a, double tokens);
// The width of a layer's attention scores: latent attention (absorbed MLA) scores over the
// compressed latent and its rotary part, every other kind over its head dim.
double attention_score_dim(const AttentionSpec& a);
// Whether a layer's fused attention runs the runtime's wide-head kernels: a score head at least
// RuntimeSpec::EngineKernels::wide_head_min_dim wide (0: the runtime has none) on a runtime not
// held to the unfused path. The first such layer of the scenario's model, and whether there is one.
bool is_wide_head(const Scenario& s, const AttentionSpec& a);
// The model's first full-attention layer (softmax over the whole cache: full or latent), or none.
const AttentionSpec* first_full_attention(const ModelSpec& m);
const AttentionSpec* wide_head_attention(const Scenario& s);
bool runs_wide_head_attention(const Scenario& s);
// The same into a caller's buffer (cleared first), so hot loops reuse one allocation.
void step_ops(const Scenario& s, const StepShape& shape, std::vector<Op>& ops);
void step_ops(const Scenario& s, const StepInvariants& inv, const StepShape& shape, std::vector<Op>& ops);
// Whether this runtime materialises the score matrix for this layer (prefill or decode path).
bool unfused_attention(const Scenario& s, const AttentionSpec& a, bool prefill);
// Whether an unfused step of `tokens` query rows for each of `batch` sequences reads the cache
// through the runtime's one-row matrix-vector kernels once per KV head (ggml-vulkan's p021 and
// ggml-cuda's mmv at one query row of one sequence, where the profile says per_kv_head), at
// unfused_kv_bandwidth_factor of the stream; else once per query head at the stream.
bool unfused_reads_once_per_kv_head(const Scenario& s, double tokens, double batch);
double step_overhead_seconds(const Scenario& s);
// ... for a pass of `kernels` kernels (step_kernels(s)), where the caller has counted them.
double step_overhead_seconds(const Scenario& s, double kernels);
// Kernels one forward pass launches (each writes one output buffer), whatever its rows.
double step_kernels(const Scenario& s);
// The generation_compute_factor keys a prediction reads: its chip generation's, or where the fit has
// none, those of the fitted generations of the same GPU architecture (ops.cpp).
std::vector<std::string> generation_keys(const Scenario& s);
// The dtype the scenario's products compute in (bf16, f16, f32): the runtime's, or for a runtime
// that computes in the checkpoint's dtype, an unquantized file's own or the model's config dtype;
// bf16 where the model states none (`dtype_assumed` says so).
std::string_view compute_dtype(const Scenario& s, bool* dtype_assumed = nullptr);
// Whether the scenario computes in bf16 on a GPU without bfloat16 arithmetic (M1, M2); its products
// then run at bf16_emulation_factor of their rate (compute_dtype_factor).
bool bf16_emulated(const Scenario& s);
double compute_dtype_factor(const Scenario& s);
// Kernels a layer of this group launches (ops.cpp: counted from llama.cpp's graph builders), and a
// Llama layer's: the structure that scales a runtime's kernels_per_layer.
double layer_kernels(const LayerGroup& g);
constexpr double kLlamaLayerKernels = 11 + 6;
double ops_seconds(const std::vector<Op>& ops);
// One forward pass of this shape: its operators plus the launch and per-step overhead.
double step_seconds(const Scenario& s, const StepShape& shape);
double step_seconds(const Scenario& s, const StepInvariants& inv, const StepShape& shape);
// "attention [5x sliding]": the operator and the layer group it totals.
std::string op_label(const Scenario& s, const Op& op);

}  // namespace ridgeline
