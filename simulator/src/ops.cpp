// The operator decomposition of one forward pass, shared by prefill chunks and decode steps.
#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>
#include <utility>

#include "ridgeline/derived.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/gpu_architectures.hpp"
#include "ridgeline/simulate.hpp"
#include "step_constants.hpp"

namespace ridgeline {

// Distinct experts `rows` independently routed rows touch in one layer of E experts, k per row.
// Expert i (by popularity rank) draws a share p_i of the routing, p_i proportional to i^-skew
// (skew 0: uniform), so a row picks it with probability q_i = min(1, k p_i) and all rows miss it
// with probability (1 - q_i)^rows. Uneven routing reads fewer distinct experts at small batches
// and converges to all E as rows grow. At least k (one row's own experts).
double experts_touched(double E, double k, double rows, double skew) {
  if (skew <= 0) return std::max(k, E * (1.0 - std::pow(1.0 - k / E, rows)));
  const int n = static_cast<int>(E);
  double norm = 0;
  for (int i = 1; i <= n; ++i) norm += std::pow(i, -skew);
  double touched = 0;
  for (int i = 1; i <= n; ++i) touched += 1.0 - std::pow(1.0 - std::min(1.0, k * std::pow(i, -skew) / norm), rows);
  return std::max(k, touched);
}

namespace {

constexpr double kActivationBytes = 2;  // fp16/bf16 activations between operators

// A keyed coefficient's value, else `absent` (a factor's 1; a cost's 0).
double keyed(const std::map<std::string, double>& m, const std::string& key, double absent = 1.0) {
  auto it = m.find(key);
  return it == m.end() ? absent : it->second;
}

// ggml-metal kernel_mul_mm: a threadgroup computes a 64 x 32 output tile, 64 of it weight rows
// (BLOCK_SIZE_M; matrix_tile_rows is the other side, BLOCK_SIZE_N 32).
constexpr double kTileOutputFeatures = 64;

// Datasheet bandwidth x the chip's measured streaming efficiency x what this runtime's kernels
// reach of it on this tier of chip, before the datasheet cap (see capped()).
double uncapped_bandwidth(const Scenario& s) {
  return s.hardware.bandwidth.value.value * s.hardware.stream_efficiency.value * s.runtime.coef.bandwidth_efficiency *
         keyed(s.runtime.coef.tier_bandwidth_factor, s.hardware.tier) * keyed(s.runtime.coef.die_bandwidth_factor, hardware_die(s.hardware));
}

// No kernel reads memory faster than the bus moves it, whatever a fit says.
double capped(const Scenario& s, double bandwidth) { return std::min(s.hardware.bandwidth.value.value, bandwidth); }

// Chip generation's matrix-matrix efficiency relative to the runtime's (M3/M4 dynamic caching,
// M5 neural accelerators, GB10 tensor cores differ in how close tiles run to peak): its own, else
// the geometric mean of those it borrows (generation_keys), else 1.
double generation_factor(const Scenario& s) {
  const auto& factors = s.runtime.coef.generation_compute_factor;
  const std::vector<std::string> keys = generation_keys(s);
  if (keys.empty()) return 1.0;
  double log_sum = 0;
  for (const auto& k : keys) log_sum += std::log(factors.at(k));
  return std::exp(log_sum / static_cast<double>(keys.size()));
}

// Matrix-vector kernels up to gemv_max_rows rows (tokens x sequences), matrix-matrix above.
bool gemv_regime(const Scenario& s, double rows) { return rows <= s.runtime.coef.gemv_max_rows; }

// How a product of 2 to gemv_max_rows rows runs (RuntimeSpec::EngineKernels::MultiRowGemv): the
// passes over its weights, each streaming and unpacking them once, and whether it is the one-row
// kernel once per row (a kernel class that takes the multi-row kernel only from more rows).
struct GemvPasses {
  double passes = 1;
  bool one_row_kernel = false;
};

GemvPasses gemv_passes(const Scenario& s, double rows) {
  if (rows < 1.5) return {};  // one row: the one-row kernel, one pass (most calls: every decode step)
  const auto& g = s.runtime.kernels.multi_row_gemv;
  const auto r = static_cast<size_t>(std::llround(rows));
  if (r >= g.rows_per_threadgroup.size() || !gemv_regime(s, rows)) return {};
  if (const auto it = g.min_rows_by_class.find(s.quant.kernel_class); it != g.min_rows_by_class.end() && r < static_cast<size_t>(it->second))
    return {static_cast<double>(r), true};
  const int per = g.rows_per_threadgroup[r];
  return {per > 0 ? std::ceil(static_cast<double>(r) / per) : 1.0, false};
}

// Matrix-matrix kernels: tiles fill with rows, half efficiency at compute_half_tokens.
double matrix_rate(const Scenario& s, double peak, double rows, double half_rows) {
  return peak * s.runtime.coef.compute_efficiency * rows / (rows + half_rows);
}

// The row tile of a product of an expert-sorted kernel (StepInvariants::expert_tile_rows): the
// small tile, where this release has one, when the rows per expert over all `experts`
// (rows x active / experts) fall below the large tile. 0: the profile names none.
double expert_row_tile(const StepInvariants& inv, double rows, double active, double experts) {
  return inv.expert_small_tile_rows > 0 && rows * active / experts < inv.expert_tile_rows ? inv.expert_small_tile_rows
                                                                                         : inv.expert_tile_rows;
}

// A grouped expert product's tiles fill with the rows routed to that expert. Where the profile
// names the kernel's row tile, a tile that holds the end of one expert's rows and the start of the
// next runs a whole tile product for each, so r rows per expert take (r + tile) rows' time: half
// efficiency at r = tile. Else at its own half-efficiency row count where fitted
// (moe_compute_half_rows; 0: the dense kernels').
//
// Where the release's products multiply on matrix units (StepInvariants::experts_on_matrix_units:
// MLX's qmm_nax and gather_qmm_rhs_nax came together, PR #2772; ggml-metal's kernel_mul_mm_id runs
// matmul2d on tiles staged in threadgroup memory wherever the GPU has the tensor API), the expert
// kernel's efficiency is the dense kernel's times moe_matrix_units_factor as well: it repeats its
// weight loads, unpacking and barriers for every run of one expert's rows in a tile, SIMD-ALU work
// that multiply-adds on units k times faster leave a larger share of its time than of the dense
// kernel's. Where no tile is named its half point there is its own (moe_matrix_units_half_rows).
double expert_matrix_rate(const Scenario& s, const StepInvariants& inv, double peak, double expert_rows, double tile) {
  const auto& c = s.runtime.coef;
  const double fitted = inv.experts_on_matrix_units && c.moe_matrix_units_half_rows > 0 ? c.moe_matrix_units_half_rows
                                                                                         : c.moe_compute_half_rows;
  const double half = tile > 0 ? tile : fitted > 0 ? fitted : c.compute_half_tokens;
  const double matrix_units = inv.experts_on_matrix_units ? c.moe_matrix_units_factor : 1.0;
  return matrix_rate(s, peak, expert_rows, half) * c.moe_compute_factor * matrix_units;
}

// Throughput of a matrix product with `rows` rows (tokens x sequences) in its regime.
// Matrix-vector (rows <= gemv_max_rows): each weight is read once for all rows and the
// multiply-adds plus dequantization run on the FP32 ALUs (not the matrix units), at
// gemv_compute_efficiency of that peak (StepInvariants::gemv_rate, less where bf16 is emulated); at one row this roof sits below the memory roof on most
// chips, so batch-1 decode follows bandwidth (a kernel class's dequantization cost shows in the
// bandwidth its kernels reach, quant_bandwidth_factor). Matrix-matrix: tiles fill with rows, half
// efficiency at compute_half_tokens (x matrix_fill_outputs / `outputs` where the profile states the
// width it holds for). `peak` is the matmul peak already scaled by the chip
// generation's factor and, for products over the model's quantized weights, the kernel class's
// (attention's products are not over quantized weights); looked up once per
// prediction (StepInvariants), not per operator or step: the lookups were a third of predict.
double matmul_rate(const Scenario& s, const StepInvariants& inv, double peak, double rows, double dequant_ops = 0, double outputs = 0) {
  // A matrix-vector kernel unpacks each weight once a step, whatever the rows: on a GPU that cannot
  // co-issue them those instructions share the ALUs with the 2 x rows multiply-adds per weight.
  // The multi-row kernel unpacks them once per pass over the weights (gemv_passes).
  if (gemv_regime(s, rows)) return inv.gemv_rate * 2 * rows / (2 * rows + gemv_passes(s, rows).passes * dequant_ops);
  // A matrix-matrix kernel computes whole tiles of matrix_tile_rows rows: a product of 16 rows on
  // 32-row tiles takes as long as one of 32, so its useful rate is the padded product's times 16/32.
  const double tile = inv.matrix_tile_rows;
  const double padded = tile > 1 ? std::ceil(rows / tile) * tile : rows;
  // It unpacks each weight once per tile, beside the tile's 2 x tile multiply-adds per weight: on a
  // GPU that cannot co-issue them they share the issue slots (dequant_ops is 0 where it can). A
  // runtime whose profile names no tile (1: its GEMMs pick one by size) is taken to amortize it away.
  const double unpacking = tile > 1 ? 2 * tile / (2 * tile + dequant_ops) : 1.0;
  // A kernel of fixed output tiles fills the GPU with outputs x rows of them: where the profile states
  // the product width its half point is given for (matrix_fill_outputs), a wider product reaches
  // half efficiency at proportionally fewer rows.
  const double width = s.runtime.coef.matrix_fill_outputs;
  const double half = dense_half_rows(s, inv) * (width > 0 && outputs > 0 ? width / outputs : 1.0);
  return matrix_rate(s, peak, padded, half) * rows / padded * unpacking;
}

// A build that hands dense products over quantized weights of blas.min_rows rows and more to a
// BLAS (RuntimeSpec::blas): the f16 GEMM of the weights dequantized first. f16/f32 weights need no
// dequantization and go to the same GEMM in every build: their kernel class's factor covers them.
bool blas_path(const Scenario& s, double rows) {
  const auto& rt = s.runtime;
  return !rt.blas_library.empty() && rows >= static_cast<double>(rt.kernels.blas.min_rows) && s.quant.kernel_class != "f16" &&
         s.quant.kernel_class != "f32";
}

double attention_rate(const Scenario& s) {
  return multiply_peak(s, s.runtime.kernels.attention_on_matrix_units) * s.runtime.coef.attention_efficiency;
}

// Sum over the n new tokens of the keys each attends to (causal), capped by a window.
double attended_keys(double context, double n, double window) {
  if (window <= 0 || context + n <= window) return n * context + n * (n + 1) / 2;
  if (context + 1 >= window) return n * window;
  const double uncapped = window - context;  // tokens i = 1..uncapped see context + i keys
  return uncapped * context + uncapped * (uncapped + 1) / 2 + (n - uncapped) * window;
}

}  // namespace

double attention_score_dim(const AttentionSpec& a) {
  return a.kind == AttentionKind::mla ? static_cast<double>(a.kv_lora_rank + a.rope_dim) : a.head_dim;
}

bool is_wide_head(const Scenario& s, const AttentionSpec& a) {
  const int from = s.runtime.kernels.wide_head_min_dim;
  return from > 0 && !s.runtime.always_unfused && a.kind != AttentionKind::none && a.kind != AttentionKind::linear &&
         attention_score_dim(a) >= from;
}

const AttentionSpec* first_full_attention(const ModelSpec& m) {
  const auto g = std::find_if(m.layers.begin(), m.layers.end(), [](const LayerGroup& l) {
    return l.attention.kind == AttentionKind::full || l.attention.kind == AttentionKind::mla;
  });
  return g == m.layers.end() ? nullptr : &g->attention;
}

const AttentionSpec* wide_head_attention(const Scenario& s) {
  const auto g = std::find_if(s.model.layers.begin(), s.model.layers.end(), [&](const LayerGroup& l) { return is_wide_head(s, l.attention); });
  return g == s.model.layers.end() ? nullptr : &g->attention;
}

bool runs_wide_head_attention(const Scenario& s) { return wide_head_attention(s) != nullptr; }

namespace {
// The engine's fused attention kernels over score heads this wide run their own configuration, at
// their factor of the rate: the vector kernel's where it runs, the flash-attention kernel's (a
// prompt's, or a decode step's on a tensor-core kernel) otherwise.
double wide_head_factor(const Scenario& s, const AttentionSpec& a, bool vector) {
  if (!is_wide_head(s, a)) return 1.0;
  return vector ? s.runtime.coef.wide_head_vector_attention_factor : s.runtime.coef.wide_head_attention_factor;
}
}  // namespace

DecodeAttentionKernel decode_attention_kernel(const Scenario& s, const AttentionSpec& a, double tokens, double sequences,
                                              double cells) {
  if (!s.runtime.kernels.vector_decode_attention || !gemv_regime(s, tokens)) return DecodeAttentionKernel::none;
  // Where the profile limits the vector kernel (ggml-cuda on tensor-core GPUs): a score width it
  // has a vector instance for, few enough sequences, and not a wide query group over a long cache;
  // else the tensor-core kernel (latent attention's 576-wide scores, batched decode with each
  // sequence its own stream, groups of more than 4 query heads from 8,192 cells).
  const auto& v = s.runtime.kernels.vector_decode;
  const int score_dim = static_cast<int>(attention_score_dim(a));
  const double group = a.kv_heads > 0 ? static_cast<double>(a.q_heads) / a.kv_heads : 1;
  const bool vector = (v.head_dims.empty() || std::find(v.head_dims.begin(), v.head_dims.end(), score_dim) != v.head_dims.end()) &&
                      (v.max_sequences == 0 || sequences <= static_cast<double>(v.max_sequences)) &&
                      !(v.long_cache_gqa_above > 0 && group > v.long_cache_gqa_above &&
                        cells >= static_cast<double>(v.long_cache_from_cells));
  return vector ? DecodeAttentionKernel::vector : DecodeAttentionKernel::tensor_tiles;
}

// Share of its tensor-core attention tiles a decode step fills: the query rows of one KV head (a
// sequence's tokens times the query heads sharing it; every head for latent attention) in tiles of
// the kernel's decode columns (RuntimeSpec::EngineKernels::vector_decode; else
// attention_query_tile). A tile computes whole, so g rows take ceil(g / T) tiles of T.
double decode_tile_fill(const Scenario& s, const AttentionSpec& a, double tokens) {
  const double heads_per_kv = a.kind == AttentionKind::mla || a.kv_heads <= 0 ? a.q_heads : static_cast<double>(a.q_heads) / a.kv_heads;
  const double columns = s.runtime.kernels.vector_decode.tensor_columns > 0 ? s.runtime.kernels.vector_decode.tensor_columns
                                                                            : s.runtime.coef.attention_query_tile;
  const double rows = tokens * heads_per_kv;
  return rows / (columns * std::ceil(rows / columns));
}

ExpertReads expert_reads(const Scenario& s, const StepInvariants& inv, const FfnSpec& f, double rows) {
  const double E = f.experts, k = f.active_experts;
  // Row by row below moe_gemv_max_rows and below the sorted kernel's rows per expert (MLX).
  const bool below_sorted = rows * k < s.runtime.kernels.sorted_min_rows_per_expert * E;
  if (rows <= s.runtime.coef.moe_gemv_max_rows || (below_sorted && inv.sorted_expert_kernel)) return {false, rows * k};
  return {true, experts_touched(E, k, rows, s.runtime.coef.moe_routing_skew)};
}

// A kernel family multiplies at the GPU's matrix units' rate from the release that moved it there,
// else at the SIMD groups' fp16 rate (llama.cpp's flash attention and ds4's kernels on M5 use
// simdgroup matrices). A GPU without separate matrix units has the one fp16 peak.
bool on_matrix_units(const Scenario& s, const std::optional<Release>& since) {
  return s.hardware.matrix_fp16 && since && released(s.runtime, *since);
}

double multiply_peak(const Scenario& s, const std::optional<Release>& since) {
  return on_matrix_units(s, since) ? s.hardware.matrix_fp16->value.value : s.hardware.fp16.value.value;
}

// A generation the fit has a factor for reads its own. One it has none for (no rows of it) borrows
// those of the fitted generations whose GPUs share its architecture, not the runtime-wide value of
// another architecture: an M1 takes an M2's (both allocate registers per kernel, before M3's Dynamic
// Caching), an M4 an M3's. Another architecture's generations lend nothing.
std::vector<std::string> generation_keys(const Scenario& s) {
  const auto& factors = s.runtime.coef.generation_compute_factor;
  if (factors.contains(s.hardware.family)) return {s.hardware.family};
  std::vector<std::string> keys;
  if (s.hardware.architecture.empty() || factors.empty()) return keys;
  // The catalog's (family, GPU architecture) pairs, built once: the factors (a few) are looked up
  // there, where walking every catalog chip for each prediction was a twentieth of a sweep.
  static const std::set<std::pair<std::string, std::string>> catalog_pairs = [] {
    std::set<std::pair<std::string, std::string>> pairs;
    for (const auto& h : hardware_headers()) pairs.emplace(h.family, h.architecture);
    return pairs;
  }();
  for (const auto& [family, factor] : factors)
    if (catalog_pairs.contains({family, s.hardware.architecture})) keys.push_back(family);
  return keys;
}

std::string_view compute_dtype(const Scenario& s, bool* dtype_assumed) {
  if (dtype_assumed) *dtype_assumed = false;
  if (s.runtime.compute_dtype != "checkpoint") return s.runtime.compute_dtype;
  const std::string& q = s.quant.id;
  if (q == "bf16" || q == "f16" || q == "f32") return q;
  if (!s.model.dtype.empty()) return s.model.dtype;
  if (dtype_assumed) *dtype_assumed = true;
  return "bf16";  // today's checkpoints are bf16 almost throughout (the catalog's: 105 of 113)
}

bool bf16_emulated(const Scenario& s) {
  return !s.hardware.bf16_native.value && compute_dtype(s) == "bf16";  // the flag first: read per matrix-vector product
}

double compute_dtype_factor(const Scenario& s) { return bf16_emulated(s) ? s.runtime.coef.bf16_emulation_factor : 1.0; }

bool unfused_reads_once_per_kv_head(const Scenario& s, double tokens, double batch) {
  return s.runtime.kernels.unfused_decode_reads_per_kv_head && tokens == 1 && batch == 1;
}

bool unfused_attention(const Scenario& s, const AttentionSpec& a, bool prefill) {
  if (a.kind != AttentionKind::full && a.kind != AttentionKind::sliding) return false;
  if (s.runtime.always_unfused) return true;
  const auto& dims = prefill ? s.runtime.fused_prefill_head_dims : s.runtime.fused_decode_head_dims;
  if (dims.empty() || std::find(dims.begin(), dims.end(), a.head_dim) != dims.end()) return false;
  // A head dim a later release fuses, for that release or after it.
  for (const auto& added : s.runtime.kernels.fused_head_dims_from) {
    const auto& more = prefill ? added.prefill : added.decode;
    if (std::find(more.begin(), more.end(), a.head_dim) != more.end() && released(s.runtime, added.since)) return false;
  }
  return true;
}

std::vector<Op> step_ops(const Scenario& s, const StepShape& shape) {
  std::vector<Op> ops;
  step_ops(s, shape, ops);
  return ops;
}

namespace {  // the products' widths: used by step_invariants and step_ops only

// A layer's attention products' summed input widths: the query, key and value products read the
// hidden state (as one product where dispatched together; a layer reusing an earlier layer's cache
// has no key or value product, one whose keys are its values no value product), the output product
// the heads' values. Kinds whose product shapes the descriptor does not give (linear, MLA,
// compressed) count three products over the hidden state and the output over q_heads x v_dim.
double attention_input_width(const AttentionSpec& a, double h, bool together) {
  const bool plain = a.kind == AttentionKind::full || a.kind == AttentionKind::sliding;
  const double key = plain && a.kv_reused ? 0 : 1, value = plain && (a.kv_shared || a.kv_reused) ? 0 : 1;
  const int v_dim = a.v_head_dim > 0 ? a.v_head_dim : a.head_dim;
  return (together ? 1 : 1 + key + value) * h + static_cast<double>(a.q_heads) * v_dim;
}

// The one output width that gives a layer's attention products their summed fill time (each
// product's rows-to-half-peak goes as 1 / its width, its time as its FLOPs): their parameters
// over their summed input widths. Where the build dispatches independent kernels together
// (concurrent), the query, key and value products fill the GPU as one product of their summed
// widths. 0 (the reference width) for attention kinds whose product shapes the descriptor does
// not give (linear, MLA, compressed).
double projection_outputs(const AttentionSpec& a, double h, double params, bool concurrent) {
  if (a.kind != AttentionKind::full && a.kind != AttentionKind::sliding) return 0;
  return params / attention_input_width(a, h, concurrent);
}

// A dense MLP's summed input widths: gate and up read the hidden state (as one product where
// dispatched together), down the MLP's width.
double mlp_input_width(const FfnSpec& f, double h, bool together) {
  return (f.gated && !together ? 2.0 : 1.0) * h + static_cast<double>(f.intermediate);
}

// The same one width for a dense MLP; 0 (the reference width) for a MoE layer's shared MLP and router.
double mlp_outputs(const FfnSpec& f, double h, double params, bool concurrent) {
  return f.is_moe() ? 0.0 : params / mlp_input_width(f, h, concurrent);
}

}  // namespace

StepInvariants step_invariants(const Scenario& s) {
  StepInvariants r;
  const double stream = uncapped_bandwidth(s);
  r.bandwidth = capped(s, stream);
  r.unfused_kv_bandwidth = capped(s, stream * s.runtime.coef.unfused_kv_bandwidth_factor);
  // A GPU without bf16 arithmetic converts every bf16 operand: all of the step's arithmetic slows.
  const double dtype_factor = compute_dtype_factor(s);
  // Operators streaming quantized weights reach the share their kernel class allows. Unquantized bf16
  // weights on such a GPU pass every element through the conversion, so their stream slows as the
  // products do (mlx-examples PR #186, M2 Ultra: decode 18.9 against 29.3 tok/s in fp16, 0.64,
  // beside 0.58 for the prompt).
  const double bf16_weights = s.quant.id == "bf16" ? dtype_factor : 1.0;
  // A build before the engine's f16 kernel rewrite streamed f16 weights through its matrix-vector
  // products at the old kernel's share (EngineKernels::f16_kernel_rewrite); like the class factor,
  // it is taken for every weight stream (a prefill's products, compute-bound, are not bound by it).
  const auto& rewrite = s.runtime.kernels.f16_kernel_rewrite;
  const bool before_rewrite = rewrite && !released(s.runtime, rewrite->since);
  const double f16_gemv = before_rewrite && s.quant.kernel_class == "f16" ? rewrite->gemv_bandwidth_factor : 1.0;
  // The same old kernel ran a prefill's attention products, views of the f16 cache, one threadgroup
  // per score: beside today's products, their flops once more at its own rate.
  if (before_rewrite) r.old_score_rate = s.hardware.fp32.value.value * rewrite->score_rate_fraction;
  const double matrix_stream =
      stream * keyed(s.runtime.coef.quant_bandwidth_factor, s.quant.kernel_class) * bf16_weights * f16_gemv;
  r.matrix_bandwidth = capped(s, matrix_stream);
  r.batch_matrix_bandwidth = capped(s, matrix_stream * s.runtime.coef.gemv_batch_bandwidth_factor);
  r.expert_bandwidth = capped(s, matrix_stream * s.runtime.coef.moe_bandwidth_factor);
  r.attention_rate = attention_rate(s) * dtype_factor;
  r.vector_attention_rate = s.hardware.fp32.value.value * s.runtime.coef.vector_attention_efficiency * dtype_factor;
  r.f32_attention_rate = s.hardware.fp32.value.value * s.runtime.coef.attention_efficiency;
  r.gemv_rate = s.hardware.fp32.value.value * s.runtime.coef.gemv_compute_efficiency * dtype_factor;
  r.plain_peak = multiply_peak(s, s.runtime.kernels.products_on_matrix_units) * generation_factor(s) * dtype_factor;
  // The dense kernel's row tile: its architecture's from the release that brought it, else the
  // runtime's (RuntimeSpec::EngineKernels::matrix_tile_by_architecture).
  r.matrix_tile_rows = s.runtime.coef.matrix_tile_rows;
  const auto& dense_tiles = s.runtime.kernels.matrix_tile_by_architecture;
  if (const auto it = dense_tiles.find(s.hardware.architecture);
      it != dense_tiles.end() && released(s.runtime, it->second.since)) {
    r.matrix_tile_rows = it->second.rows;
    // A tile's loads, weight unpacking and stores run on the SIMD ALUs and the memory path whatever
    // unit multiplies: matrix units k times faster than the SIMD fp16 rate leave those fixed costs k
    // times larger beside the multiply-adds, so a product needs k times the rows to reach half its
    // peak (compute_half_tokens is fitted at the SIMD rate). Only where this release's products do
    // multiply on them, so the rows and the peak they are timed at agree.
    if (it->second.matrix_units && on_matrix_units(s, s.runtime.kernels.products_on_matrix_units))
      r.matrix_half_scale = s.hardware.matrix_fp16->value.value / s.hardware.fp16.value.value;
  }
  // A build that waits for each kernel to finish leaves the GPU's S tile slots (cores x
  // serial_drain_tiles_per_core) idle for half a tile's time on average while a product's last
  // wave drains. A tile of A outputs over an input width K is 2 A K flops and takes S x 2 A K / R
  // at the product's rate R, so the drain costs A x S x K flops' worth of time per product.
  if (serial_dispatch(s.runtime))
    r.drain_flops_per_input = kTileOutputFeatures * r.matrix_tile_rows *
                              static_cast<double>(s.hardware.gpu_cores.value) * s.runtime.coef.serial_drain_tiles_per_core;
  r.quantized_peak = r.plain_peak * keyed(s.runtime.coef.quant_compute_factor, s.quant.kernel_class);
  // A build before the engine's matrix-kernel retune multiplied over the weights at its class's share
  // of today's rate, on the GPUs the retune changed (RuntimeSpec::EngineKernels::matmul_retune).
  if (const auto& retune = s.runtime.kernels.matmul_retune;
      retune && !released(s.runtime, retune->since) && covers_architecture(retune->architectures, s.hardware.architecture))
    r.quantized_peak *= keyed(retune->before_factor, s.quant.kernel_class, retune->before_factor.at("other"));
  // A build of the BLAS era ran its own quantized kernels of then (RuntimeSpec::blas_library).
  if (!s.runtime.blas_library.empty()) r.quantized_peak *= keyed(s.runtime.coef.blas_era_compute_factor, kBlasEraOwnKernels);
  if (s.hardware.single_issue.value) r.dequant_ops = keyed(s.runtime.coef.dequant_ops_per_weight, s.quant.kernel_class, 0.0);
  r.blas_peak = r.plain_peak * keyed(s.runtime.coef.blas_compute_factor, s.runtime.blas_library);
  r.kernels = step_kernels(s);
  r.overhead_seconds = step_overhead_seconds(s, r.kernels);
  // The expert-sorted kernel's row tile on this GPU: its architecture's where the profile names
  // one, and the small tile from the release that added it (RuntimeSpec::EngineKernels::expert_tile).
  const auto& k = s.runtime.kernels;
  const auto tile_it = k.expert_tile_by_architecture.find(s.hardware.architecture);
  const auto& tile = tile_it != k.expert_tile_by_architecture.end() ? tile_it->second : k.expert_tile;
  r.expert_tile_rows = tile.rows;
  if (tile.small_rows > 0 && engine_at_or_after(s.runtime, tile.small_since_version, tile.small_since_date))
    r.expert_small_tile_rows = tile.small_rows;
  r.experts_on_matrix_units = on_matrix_units(s, s.runtime.kernels.products_on_matrix_units);
  // A release before the sorted kernel runs a matrix-vector product per row and expert.
  r.sorted_expert_kernel = k.sorted_since_version <= 0 || engine_at_or_after(s.runtime, k.sorted_since_version, k.sorted_since_date);
  const auto h = s.model.hidden;
  const double hidden = static_cast<double>(h);
  const bool concurrent = !serial_dispatch(s.runtime);
  r.groups.reserve(s.model.layers.size());
  for (const auto& g : s.model.layers) {
    StepInvariants::Group d;
    d.attention_params = attention_params(g.attention, h);
    d.kv_bytes_per_token = kv_bytes_per_token(g.attention, s.kv).value;
    d.kv_read_bytes_per_token = kv_read_bytes_per_token(g.attention, s.kv).value;
    d.raw_window_bytes_per_token = raw_window_bytes_per_token(g.attention, s.kv).value;
    d.expert_params = expert_params(g.ffn, h);
    d.dense_ffn_params = ffn_params_active(g.ffn, h) - g.ffn.active_experts * d.expert_params;
    d.router_params = router_params(g.ffn, h);
    d.unfused_prefill = unfused_attention(s, g.attention, true);
    d.unfused_decode = unfused_attention(s, g.attention, false);
    d.projection_outputs = projection_outputs(g.attention, hidden, d.attention_params, concurrent);
    d.mlp_outputs = mlp_outputs(g.ffn, hidden, d.dense_ffn_params, concurrent);
    r.groups.push_back(d);
  }
  return r;
}

double dense_half_rows(const Scenario& s, const StepInvariants& inv) { return s.runtime.coef.compute_half_tokens * inv.matrix_half_scale; }

void step_ops(const Scenario& s, const StepShape& shape, std::vector<Op>& ops) { step_ops(s, step_invariants(s), shape, ops); }

namespace {

// A compressed layer's attention (DeepSeek-V4). Query i of the step (at position c + i) attends the
// raw window, as a sliding layer does, and the (c + i) / ratio pooled rows, or the index_topk of
// them its indexer selects: sum over the step's queries = attended_keys with the cap ratio x topk,
// over ratio. Keys and values are one row, read once for both products. The indexer scores every
// pooled index key for each of its heads, whatever it selects: its cost grows with the context
// where a gathering runtime's attention stops at the cap. A masking runtime (llama.cpp) attends
// every pooled row, and first copies the window and the pooled rows into one key tensor.
template <typename Add>
void add_compressed_attention(const Scenario& s, const StepInvariants& inv, const StepInvariants::Group& sizes,
                              const AttentionSpec& a, const StepShape& shape, int group, Add add) {
  const double n = shape.tokens, c = shape.context, b = shape.batch;
  const double row_bytes = sizes.raw_window_bytes_per_token;
  const double tiles = std::ceil(n / s.runtime.coef.attention_query_tile);
  Op att{"attention", group};
  double keys = attended_keys(c, n, a.window), rows_read = std::min(c + n, a.window + n);
  const bool vector = decode_attention_kernel(s, a, n, b, rows_read) == DecodeAttentionKernel::vector;
  if (a.compress_ratio > 0) {
    const double r = a.compress_ratio, pooled = (c + n) / r;
    const bool selects = a.index_heads > 0 && !s.runtime.kernels.compressed_attention_masked;
    keys += attended_keys(c, n, selects ? r * a.index_topk : 0) / r;
    rows_read += selects ? std::min(pooled, static_cast<double>(a.index_topk)) : pooled;
    if (a.index_heads > 0) {
      Op idx{"indexer", group};
      idx.flops = 2.0 * a.index_heads * a.index_head_dim * attended_keys(c, n, 0) / r * b;
      idx.kv_read_bytes = pooled * a.index_head_dim * s.kv.bytes_per_element * tiles * b;
      // Its scores are f32 products (mlx-lm casts both sides to f32; llama.cpp's and ds4's queries and
      // scores are f32): the fp32 ALUs, not the fp16 matrix units an M5 or a tensor-core GPU adds.
      idx.compute_rate = vector ? inv.vector_attention_rate : inv.f32_attention_rate;
      add(idx);
    }
  }
  att.flops = 2.0 * a.q_heads * (a.head_dim + a.v_head_dim) * keys * b;
  att.kv_read_bytes = rows_read * row_bytes * tiles * b;
  att.kv_write_bytes = n * b * (row_bytes + sizes.kv_bytes_per_token);
  if (s.runtime.kernels.compressed_attention_masked && a.compress_ratio > 0) att.activation_bytes = 2 * rows_read * row_bytes * b;
  att.compute_rate = (vector ? inv.vector_attention_rate : inv.attention_rate) * wide_head_factor(s, a, vector);
  add(att);
}

}  // namespace

void step_ops(const Scenario& s, const StepInvariants& inv, const StepShape& shape, std::vector<Op>& ops) {
  const ModelSpec& m = s.model;
  const Quantization& q = s.quant;
  const double h = static_cast<double>(m.hidden);
  const double n = shape.tokens, c = shape.context, b = shape.batch;
  const double rows = n * b;
  if (inv.groups.size() != m.layers.size()) throw std::logic_error("step_ops: invariants of another scenario");
  const double bw = inv.bandwidth, matrix_bw = inv.matrix_bandwidth, attn_rate = inv.attention_rate;
  const double plain_peak = inv.plain_peak;
  // Products over the quantized weights: the runtime's quantized kernels, or a BLAS's f16 GEMM
  // that reads a dequantized copy of the weights the dequantize kernel wrote.
  const bool blas = blas_path(s, rows);
  const double gemm_peak = blas ? inv.blas_peak : inv.quantized_peak;
  const double dequant_bytes = blas ? step::kBlasDequantBytesPerParam : 0;
  ops.clear();
  ops.reserve(m.layers.size() * 5 + 2);
  // Two to gemv_max_rows rows run the multi-row matrix-vector kernel, one row its own kernel; the
  // multi-row kernel may stream the weights more than once (gemv_passes), the one-row kernel once a row.
  const GemvPasses gemv = gemv_passes(s, rows);
  const double weight_bw = rows > 1 && gemv_regime(s, rows) && !gemv.one_row_kernel ? inv.batch_matrix_bandwidth : matrix_bw;
  // An operator streams weights at op_weight_bw, anything else at op_bw (0: the runtime's stream).
  auto add_at = [&](Op op, double count, double op_weight_bw, double op_bw = 0) {
    op.flops *= count;
    op.weight_bytes *= count;
    op.activation_bytes *= count;
    op.kv_read_bytes *= count;
    op.kv_write_bytes *= count;
    op.bandwidth = op.weight_bytes > 0 ? op_weight_bw : op_bw > 0 ? op_bw : bw;
    if (op.flops > 0 || op.bytes() > 0) ops.push_back(op);
  };
  auto add = [&](Op op, double count) {
    op.weight_bytes *= gemv.passes;
    add_at(op, count, weight_bw);
  };
  // A serial build's matrix-matrix products wait for their last wave to drain (StepInvariants).
  auto drain = [&](Op& op, double op_rows, double summed_input_width) {
    if (inv.drain_flops_per_input <= 0 || gemv_regime(s, op_rows) || op.flops <= 0) return;
    op.compute_rate *= op.flops / (op.flops + inv.drain_flops_per_input * summed_input_width);
  };

  Op embed{"embedding", -1};
  embed.weight_bytes = rows * h * embedding_table_bpw(m, q) / 8;
  embed.activation_bytes = rows * h * kActivationBytes;
  embed.compute_rate = attn_rate;
  add_at(embed, 1, matrix_bw);  // a row gather, not a matrix-vector product
  if (m.per_layer_input > 0) {
    // Per-layer inputs: each row gathers its row of the per-layer table, and the products into and
    // out of it (per_layer_projection_params) stream as the layers' matrices do.
    Op ple{"per-layer inputs", -1};
    const double p = per_layer_projection_params(m), width = static_cast<double>(m.per_layer_input) * layer_count(m);
    ple.flops = 2 * rows * p;
    ple.weight_bytes = p * (q.matrix_bpw / 8 + dequant_bytes) * gemv.passes + rows * width * q.embedding_bpw / 8;
    ple.activation_bytes = rows * (2 * width + 3 * h * layer_count(m)) * kActivationBytes;
    ple.compute_rate = matmul_rate(s, inv, gemm_peak, rows, inv.dequant_ops);
    add_at(ple, 1, weight_bw);  // the products' passes counted above, not the gathered rows
  }

  for (size_t gi = 0; gi < m.layers.size(); ++gi) {
    const LayerGroup& g = m.layers[gi];
    const AttentionSpec& a = g.attention;
    const double layers = g.count;
    const int group = static_cast<int>(gi);
    const StepInvariants::Group& sizes = inv.groups[gi];
    // A runtime that evaluates a prefill chunk only as far as its caches need it never runs the
    // layers after the last one that caches (Gemma 4 E2B/E4B's KV-shared layers) in a chunk: the
    // prompt's last token runs the whole model as a step of its own (predict's peeled step).
    // (Their kernels' launch cost stays in the step's overhead; the per-layer inputs' products are
    // charged whole.)
    if (shape.prefill && s.runtime.kernels.prefill_evaluates_cache_only && g.after_last_cache) continue;
    if (a.kind != AttentionKind::none) {
      Op proj{"attention projections", group};
      const double p = sizes.attention_params;
      proj.flops = 2 * rows * p;
      proj.weight_bytes = p * (q.matrix_bpw / 8 + dequant_bytes);
      proj.activation_bytes = rows * step::kProjectionActivationVectors * h * kActivationBytes;
      proj.compute_rate = matmul_rate(s, inv, gemm_peak, rows, inv.dequant_ops, sizes.projection_outputs);
      drain(proj, rows, attention_input_width(a, h, false));  // each product drains on its own
      add(proj, layers);
    }

    const double kv_token = sizes.kv_read_bytes_per_token;  // a layer reusing another's cache reads it too
    if (a.kind == AttentionKind::full || a.kind == AttentionKind::sliding || a.kind == AttentionKind::mla) {
      Op att{"attention", group};
      const double window = a.kind == AttentionKind::sliding ? a.window : 0;
      double keys = attended_keys(c, n, window) * b;
      double kv_len = window > 0 ? std::min(c + n, window + n) : c + n;
      // A decode kernel that reads (and scores) every cell of the sliding cache, masked or not: the
      // cells the cache holds.
      if (window > 0 && !shape.prefill && s.runtime.kernels.sliding_decode_reads_cache) {
        kv_len = sliding_cells_held(s, window, c + n, static_cast<double>(s.chunk));
        keys = n * kv_len * b;
      }
      const double score_dim = attention_score_dim(a);
      const double value_dim = a.kind == AttentionKind::mla ? a.kv_lora_rank : a.v_head_dim;  // absorbed MLA: the latent
      att.flops = 2.0 * a.q_heads * (score_dim + value_dim) * keys;
      att.kv_write_bytes = n * b * sizes.kv_bytes_per_token;
      // A measured build's older flash-attention kernel (RuntimeSpec::attention_kernel) at its factor.
      att.compute_rate = attn_rate * keyed(s.runtime.coef.attention_kernel_factor, s.runtime.attention_kernel);
      // A few query rows per sequence: the runtime's vector kernel, on the ALUs, where it takes the
      // step; else its tensor-core kernel, whose query tile only one KV head's query rows fill.
      const DecodeAttentionKernel kernel = decode_attention_kernel(s, a, n, b, kv_len);
      switch (kernel) {
        case DecodeAttentionKernel::vector: att.compute_rate = inv.vector_attention_rate; break;
        case DecodeAttentionKernel::tensor_tiles: att.compute_rate *= decode_tile_fill(s, a, n); break;
        case DecodeAttentionKernel::none: break;
      }
      // (The unfused path below sets its own rate.)
      att.compute_rate *= wide_head_factor(s, a, kernel == DecodeAttentionKernel::vector);
      Op scores{"attention scores", group};  // unfused only (an operator with no bytes is not added)
      double att_bw = 0;                     // the runtime's stream, unless one row's unfused reads have their own
      if (shape.prefill ? sizes.unfused_prefill : sizes.unfused_decode) {
        // Unfused: QK^T and PV are two batched GEMMs, at GEMM efficiency.
        att.compute_rate = matmul_rate(s, inv, plain_peak, n * b);
        // Scores are written, soft-maxed and read back through memory. The two products are batched
        // over query heads, and in a matrix-matrix product a K/V head shared by a group of query heads
        // is read for each of them (ggml's mul_mat broadcasts K and V over the group without reuse;
        // PyTorch's matmul over K and V repeated to the query heads likewise). One query row of one
        // sequence runs one-row matrix-vector kernels instead, which in some backends read a group's
        // rows from memory once per KV head, the group's repeats served by the GPU's caches, but
        // walk a strided view of the KV cache, one head's rows of head_dim elements at a time, at
        // unfused_kv_bandwidth_factor of the stream (unfused_reads_once_per_kv_head; lhl's Strix
        // Halo tgN sweeps, -fa 0 against -fa 1 on the same builds: README).
        const bool once_per_kv_head = unfused_reads_once_per_kv_head(s, n, b);
        const double sharing = once_per_kv_head || a.kind == AttentionKind::mla || a.kv_heads <= 0
                                   ? 1.0
                                   : static_cast<double>(a.q_heads) / a.kv_heads;
        att.kv_read_bytes = kv_len * kv_token * b * sharing;
        if (once_per_kv_head) att_bw = inv.unfused_kv_bandwidth;  // the new token's K/V write (1/context of the bytes) with them
        // The softmax (and a runtime's masking and casts) between the two products are kernels of
        // their own over the score matrix: their reads and writes (score_traffic_bytes per element)
        // add to the products' time instead of hiding under it.
        scores.activation_bytes = a.q_heads * n * kv_len * b * s.runtime.coef.score_traffic_bytes;
      } else {
        const double tiles = std::ceil(n / s.runtime.coef.attention_query_tile);
        att.kv_read_bytes = kv_len * kv_token * tiles * b;
      }
      // A build before the f16 kernel's rewrite (StepInvariants::old_score_rate): a prefill's two
      // products also pay the old kernel's threadgroup per score.
      Op old_scores{"attention scores, old f16 kernel", group};
      if (shape.prefill && sizes.unfused_prefill && inv.old_score_rate > 0) {
        old_scores.flops = att.flops;
        old_scores.compute_rate = inv.old_score_rate;
      }
      add_at(att, layers, weight_bw, att_bw);
      add(scores, layers);
      add(old_scores, layers);
    } else if (a.kind == AttentionKind::compressed) {
      add_compressed_attention(s, inv, sizes, a, shape, group, [&](const Op& op) { add(op, layers); });
    } else if (a.kind == AttentionKind::linear) {
      Op st{"state update", group};
      st.flops = a.state_flops_per_token * rows;
      st.kv_read_bytes = a.state_bytes * b;
      st.kv_write_bytes = a.state_bytes * b;
      st.compute_rate = attn_rate;
      add(st, layers);
    }

    const FfnSpec& f = g.ffn;
    const double dense = sizes.dense_ffn_params;
    if (dense > 0) {
      Op mlp{f.is_moe() ? "shared MLP + router" : "MLP", group};
      mlp.flops = 2 * rows * dense;
      mlp.weight_bytes = (dense - sizes.router_params) * (q.matrix_bpw / 8 + dequant_bytes) +
                         sizes.router_params * step::kRouterBytesPerParam;
      mlp.activation_bytes = rows * step::kProjectionActivationVectors * h * kActivationBytes;
      mlp.compute_rate = matmul_rate(s, inv, gemm_peak, rows, inv.dequant_ops, sizes.mlp_outputs);
      // Gate and up read the hidden state, down the MLP's width (a MoE layer's shared MLP: not counted).
      if (!f.is_moe()) drain(mlp, rows, mlp_input_width(f, h, false));
      add(mlp, layers);
    }
    if (f.is_moe()) {
      Op ex{"routed experts", group};
      const double E = f.experts, k = f.active_experts, per_expert = sizes.expert_params;
      ex.flops = 2 * rows * k * per_expert;
      const double expert_io = f.latent > 0 ? static_cast<double>(f.latent) : h;  // a LatentMoE's experts move the latent
      ex.activation_bytes = rows * k * step::kExpertActivationVectors * expert_io * kActivationBytes;
      // Routed experts stay on the runtime's quantized kernels in a BLAS build too: ggml-cuda's
      // mul_mat_id runs MMQ with the ids below blas.min_rows tokens, and from there one mul_mat per
      // expert over its gathered rows, which takes MMQ below blas.min_rows rows (ggml_cuda_should_use_mmq,
      // ggml-org/ggml src/ggml-cuda/ggml-cuda.cu @b08aa497): a 512-token ubatch gives the measured MoE
      // models 16 to 64 rows per expert, and lhl's sweeps show no BLAS cliff for them (gpt-oss-20b
      // 578 -> 573 tok/s from pp256 to pp512 on rocBLAS, where dense Llama 2 7B falls 664 -> 194 from
      // pp32 to pp64).
      const double expert_peak = inv.quantized_peak;
      const ExpertReads reads = expert_reads(s, inv, f, rows);
      if (!reads.grouped) {
        // Row by row (ggml-metal's mul_mv_id below 32 rows): each row streams its k experts'
        // weights, shared or not, through the matrix-vector kernel.
        ex.weight_bytes = rows * k * per_expert * q.expert_bpw / 8;
        if (s.runtime.kernels.moe_gathers_expert_weights) ex.weight_bytes *= step::kGatheredExpertWeightPasses;
        ex.compute_rate = matmul_rate(s, inv, expert_peak, 1, inv.dequant_ops);
        add_at(ex, layers, inv.expert_bandwidth);  // one row per expert product: the indexed one-row kernel
      } else {
        // Grouped by expert: each expert the rows touch is read once.
        const double touched = reads.experts;
        const double expert_rows = rows * k / touched;
        ex.weight_bytes = touched * per_expert * q.expert_bpw / 8;
        // A grouped kernel that is matrix-matrix whatever the rows per expert fills its tiles with
        // those few rows (RuntimeSpec::moe_grouped_matrix_kernel).
        const bool vector = gemv_regime(s, expert_rows) && !s.runtime.kernels.moe_grouped_matrix_kernel;
        if (!inv.sorted_expert_kernel)  // a matrix-vector product per row and expert, the rows in expert order:
          ex.compute_rate = matmul_rate(s, inv, expert_peak, 1, inv.dequant_ops);  // each expert read once, from cache after
        else
          ex.compute_rate = vector ? matmul_rate(s, inv, expert_peak, expert_rows, inv.dequant_ops)
                                   : expert_matrix_rate(s, inv, expert_peak, expert_rows, expert_row_tile(inv, rows, k, E));
        add(ex, layers);
      }
    }
    Op norms{"norms + residuals", group};
    norms.activation_bytes = rows * h * kActivationBytes * step::kNormResidualVectors;
    norms.flops = rows * h * step::kNormResidualFlops;
    norms.compute_rate = attn_rate;
    add(norms, layers);
    if (m.residual_streams > 1) {
      // The mixing weights of both blocks come from an f32 product of the streams with a small f32
      // matrix (its weights read every step), then the Sinkhorn normalizations of the combination.
      Op hc{"hyper-connections", group};
      const double streams = m.residual_streams, per_layer = hyper_connection_params_per_layer(m);
      hc.weight_bytes = per_layer * step::kFp32Bytes;
      hc.flops = 2 * rows * per_layer + 2 * rows * m.sinkhorn_iterations * streams * streams * step::kSinkhornFlopsPerElement;
      hc.activation_bytes = 2 * rows * h * kActivationBytes *
                            (step::kHyperConnectionVectorsPerStream * streams + step::kHyperConnectionVectorsFixed);
      hc.compute_rate = attn_rate;
      add_at(hc, layers, bw);  // f32 weights, not the quantized kernels
    }
  }

  if (shape.last_chunk) {
    Op head{"LM head", -1};
    const double outputs = b;  // logits for the last token of each sequence
    head.flops = 2 * outputs * h * static_cast<double>(m.vocab);
    head.weight_bytes = lm_head_params(m) * q.lm_head_bpw / 8;  // tied or not, stored as the output type
    head.activation_bytes = outputs * static_cast<double>(m.vocab) * step::kLogitBytes;
    head.compute_rate = matmul_rate(s, inv, gemm_peak, outputs, inv.dequant_ops, static_cast<double>(m.vocab));
    add(head, 1);
  }
}

std::string op_label(const Scenario& s, const Op& op) {
  if (op.group < 0) return op.what;
  const LayerGroup& g = s.model.layers[static_cast<size_t>(op.group)];
  return fmt::format("{} [{}x {}]", op.what, g.count, to_string(g.attention.kind));
}

// Kernels one decoder layer launches in a ggml-style graph, counted from llama.cpp's graph builders
// (norms fused with their weight multiply, views free). A Llama layer: attention norm, Q, K and V
// products, two RoPEs, two cache stores, attention, output product, residual add (11); MLP norm,
// gate and up products, gated activation, down product, residual add (6). Query/key norms, the
// output gate and Gemma's output norms add theirs; latent attention (MLA) runs 14, or 16 with a
// compressed query (its own product and norm before the query product): the latent product and
// norm, the key-absorbing and value-decompressing products and two concatenations replace K and V.
double layer_kernels(const LayerGroup& g) {
  const AttentionSpec& a = g.attention;
  double attention = 11;
  switch (a.kind) {
    case AttentionKind::full:
    case AttentionKind::sliding:
      attention += (a.qk_norm ? 2 : 0) + (a.output_gate ? 2 : 0) + (a.post_norms ? 1 : 0);
      // Reusing an earlier layer's cache: no K or V product, no K RoPE or norm, no cache stores.
      if (a.kv_reused) attention -= 5 + (a.qk_norm ? 1 : 0);
      break;
    case AttentionKind::mla: attention = a.q_lora_rank > 0 ? 16 : 14; break;
    case AttentionKind::compressed:
      // llama.cpp's deepseek4 graph (src/models/deepseek4.cpp @00395eb2, compute nodes counted): the
      // query path 7, the K=V row 5, masks, concatenations and attention 8, de-rope and the grouped
      // output 5; a compressor with its state writes 35 over overlapping windows, 25 otherwise; an
      // indexer its own compressor (35) and its scoring and top-k (9).
      attention = 25 + (a.compress_ratio > 0 ? (a.compress_overlap ? 35 : 25) : 0) + (a.index_heads > 0 ? 35 + 9 : 0);
      break;
    case AttentionKind::linear: break;  // the recurrence's own kernels: what the fitted count says
    case AttentionKind::none: attention = 1; break;  // the residual path only
  }
  const double mlp = (g.ffn.gated || g.ffn.is_moe() ? 6 : 5) + (a.post_norms ? 1 : 0);
  return attention + mlp;
}

double step_overhead_seconds(const Scenario& s) { return step_overhead_seconds(s, step_kernels(s)); }

double step_overhead_seconds(const Scenario& s, double kernels) {
  const auto& c = s.runtime.coef;
  const double latency = c.launch_overhead_us * 1e-6 * keyed(c.tier_launch_factor, s.hardware.tier) *
                         keyed(c.generation_launch_factor, s.hardware.family) *
                         (serial_dispatch(s.runtime) ? c.serial_dispatch_launch_factor : 1.0);
  return kernels * latency + (c.step_overhead_ms + c.wrapper_step_overhead_ms) * 1e-3;
}

double step_kernels(const Scenario& s) {
  const auto& c = s.runtime.coef;
  // A wrapper's vendored engine snapshot adds kernels; the versions that run upstream's do not.
  const bool vendored = vendored_engine(s.runtime);
  // A snapshot the profile names (`vendored_engine`) also sums a token's experts with k - 1 adds
  // that upstream fuses into one; and like a build before the fused linear-attention kernel (it
  // lacks that work), it runs the recurrence as a chain of generic ops.
  const bool named_snapshot = vendored && s.runtime.vendored_engine_until_version > 0;
  const auto& k = s.runtime.kernels;
  const bool decomposed_linear = built_before(s.runtime, k.fused_linear_attention_since_build, k.fused_linear_attention_since_date) ||
                                 (named_snapshot && k.fused_linear_attention_since_build > 0);
  // kernels_per_layer is a Llama layer's count in the runtime's own dispatch (concurrent kernels
  // overlap); other layers scale it by their structure.
  double layers = 0, moe_layers = 0, linear_layers = 0, vendored_moe_kernels = 0;
  // Hyper-connections: per block, the mixes (norm, product, eight scalings, the Sinkhorn op, the
  // collapse: 12, fused as llama.cpp's DSV4_HC_* ops do) and the expansion (2) in place of one add.
  const double hyper_kernels = s.model.residual_streams > 1 ? 2 * (12 + 2 - 1) : 0;
  // Per-layer inputs (Gemma 4 E2B/E4B), per layer in llama.cpp's gemma4 graph builder: the gate
  // product, its GELU, the multiply by the layer's gathered slice, the product back, and its norm
  // with the residual add (one kernel where ggml fuses rms_norm + mul + add, as ggml-metal does:
  // kernel_rms_norm_mul_add_f32).
  const double per_layer_input_kernels = s.model.per_layer_input > 0 ? 5 : 0;
  for (const auto& g : s.model.layers) {
    layers += g.count * (layer_kernels(g) + hyper_kernels + per_layer_input_kernels) / kLlamaLayerKernels;
    if (g.attention.kind == AttentionKind::linear) linear_layers += g.count;
    if (!g.ffn.is_moe()) continue;
    moe_layers += g.count;
    if (vendored) vendored_moe_kernels += g.count * c.wrapper_moe_kernels_per_layer;
    if (named_snapshot) vendored_moe_kernels += g.count * (g.ffn.active_experts - 1);
  }
  return c.kernels_per_layer * layers + c.moe_kernels_per_layer * moe_layers + vendored_moe_kernels +
         ((vendored ? c.wrapper_linear_kernels_per_layer : 0.0) +
          (decomposed_linear ? k.decomposed_linear_kernels_per_layer : 0.0)) * linear_layers;
}

double ops_seconds(const std::vector<Op>& ops) {
  double t = 0;
  for (const auto& op : ops) t += std::max(op.compute_seconds(), op.memory_seconds());
  return t;
}

double step_seconds(const Scenario& s, const StepShape& shape) { return step_seconds(s, step_invariants(s), shape); }

double step_seconds(const Scenario& s, const StepInvariants& inv, const StepShape& shape) {
  thread_local std::vector<Op> ops;  // reused: predict asks twice per point
  step_ops(s, inv, shape, ops);
  return ops_seconds(ops) + inv.overhead_seconds;
}

const char* to_string(Bound b) { return b == Bound::compute ? "compute" : "memory"; }

}  // namespace ridgeline
