#include "ridgeline/coefficients.hpp"

#include <cmath>
#include <limits>

#include "ridgeline/runtime.hpp"

namespace ridgeline {

namespace {
using C = RuntimeCoefficients;
constexpr std::map<std::string, double> C::*kScalar = nullptr;
constexpr double C::*kKeyed = nullptr;
}  // namespace

const std::vector<CoefficientInfo>& coefficient_table() {
  static const std::vector<CoefficientInfo> t = {
      {"bandwidth_efficiency", &C::bandwidth_efficiency, kScalar, 0.01, 1.5, 0.2, 1.25, "fraction",
       "share of the hardware's measured streaming bandwidth the runtime's kernels reach", 1},
      {"gemv_max_rows", &C::gemv_max_rows, kScalar, 0, 4096, 0, 0, "rows",
       "rows (tokens x sequences) up to which matrix-vector kernels run instead of matrix-matrix ones"},
      {"moe_gemv_max_rows", &C::moe_gemv_max_rows, kScalar, 0, 4096, 0, 0, "rows",
       "rows up to which routed-expert products run row by row, each row streaming its own experts' weights, "
       "instead of grouping the rows by expert"},
      {"gemv_compute_efficiency", &C::gemv_compute_efficiency, kScalar, 0.001, 1.0, 0.02, 1.0, "fraction",
       "share of the FP32 ALU peak matrix-vector kernels reach on multiply-adds plus dequantization", 1},
      {"gemv_batch_bandwidth_factor", &C::gemv_batch_bandwidth_factor, kScalar, 0.1, 2.0, 0.5, 1.2, "factor",
       "bandwidth the matrix-vector kernels for 2 to gemv_max_rows rows reach relative to the one-row kernel "
       "(a separate kernel in llama.cpp Metal, mul_mv_ext, and a wider template in ggml-cuda's mmvq)", 1},
      {"vector_attention_efficiency", &C::vector_attention_efficiency, kScalar, 0.001, 1.0, 0.01, 1.0, "fraction",
       "share of the FP32 ALU peak a vector attention kernel reaches (a few query rows: decode; "
       "attention: decode_kernel: vector)", 1},
      {"wide_head_attention_factor", &C::wide_head_attention_factor, kScalar, 0.01, 10.0, 0.2, 2.0, "factor",
       "throughput of a prefill's fused attention kernel over layers whose score head is wide_heads.from_dim wide or "
       "wider (the 576-wide latent of multi-head latent attention, Gemma 4's 512-wide global heads), relative to "
       "narrower heads: ggml-metal runs it with eight simdgroups a threadgroup instead of four and threadgroup memory "
       "that grows with the score and value widths, so fewer threadgroups share a core; read only where the runtime "
       "profile states wide_heads", 1},
      {"wide_head_vector_attention_factor", &C::wide_head_vector_attention_factor, kScalar, 0.01, 10.0, 0.2, 2.0, "factor",
       "the same for a decode step's vector attention kernel (vector_attention_efficiency) over those layers: its "
       "per-simdgroup threadgroup memory and registers grow with both widths (ggml-metal states no break for it; "
       "that it changes where the prefill kernel does is this model's assumption)", 1},
      {"unfused_kv_bandwidth_factor", &C::unfused_kv_bandwidth_factor, kScalar, 0.01, 2.0, 0.02, 1.5, "factor",
       "bandwidth at which the unfused path's products for one query row of one sequence (the KQ and KQV "
       "matrix-vector kernels, a softmax between) read the KV cache, relative to the runtime's stream, where "
       "they read it once per KV head (attention: unfused_decode_kv_reads: per_kv_head): they walk a strided "
       "view of it, one head's rows of head_dim elements at a time (ggml's p021 and mmv kernels over the "
       "permuted K and the transposed V)", 1},
      {"compute_efficiency", &C::compute_efficiency, kScalar, 0.001, 1.0, 0.03, 1.0, "fraction",
       "share of the matmul peak large matrix-matrix kernels reach", 1},
      {"compute_half_tokens", &C::compute_half_tokens, kScalar, 0, 1e6, 1.0, 4096.0, "rows",
       "rows at which a matrix-matrix kernel reaches half its large-GEMM efficiency (tile fill)", 0},
      {"matrix_fill_outputs", &C::matrix_fill_outputs, kScalar, 0, 1e6, 0, 0, "outputs",
       "output width of the product compute_half_tokens is stated for, where the kernels compute fixed output "
       "tiles without splitting the inner dimension: a product of w outputs has w / matrix_fill_outputs times "
       "the tiles per row to fill the GPU with, so reaches half efficiency at compute_half_tokens x "
       "matrix_fill_outputs / w rows (0: one half point for every width)"},
      {"matrix_tile_rows", &C::matrix_tile_rows, kScalar, 1, 4096, 0, 0, "rows",
       "rows (tokens x sequences) one matrix-matrix threadgroup tile covers: a product of rows short of a "
       "multiple of it computes the last tile whole (1: no padding)"},
      {"attention_efficiency", &C::attention_efficiency, kScalar, 0.001, 1.0, 0.01, 1.0, "fraction",
       "share of the matmul peak the attention arithmetic reaches", 1},
      {"attention_query_tile", &C::attention_query_tile, kScalar, 1, 1e6, 0, 0, "queries",
       "queries per tile on the fused path: K and V are re-read once per tile"},
      {"launch_overhead_us", &C::launch_overhead_us, kScalar, 0, 1e5, 0.0, 60.0, "us",
       "latency each kernel adds to a forward pass (dispatch, ramp-up, barrier)", 0},
      {"serial_dispatch_launch_factor", &C::serial_dispatch_launch_factor, kScalar, 1.0, 20.0, 1.0, 8.0, "factor",
       "kernel latency of builds that run kernels one after another, relative to the build that overlaps "
       "independent ones (concurrent_since_build); 1 where the runtime states no such change"},
      {"serial_drain_tiles_per_core", &C::serial_drain_tiles_per_core, kScalar, 0, 256, 0.0, 32.0, "tiles",
       "matrix-matrix threadgroup tiles one GPU core runs at once; a build that waits for each kernel to "
       "finish (before concurrent_since_build) leaves about half of them idle for a tile's time as each "
       "product's last wave drains, which a build that overlaps independent kernels fills", 0},
      {"kernels_per_layer", &C::kernels_per_layer, kScalar, 0, 1e4, 0, 0, "kernels",
       "kernels a Llama layer launches in the runtime's dispatch; other layers scale it by their "
       "structure (layer_kernels in simulator/src/ops.cpp)"},
      {"moe_kernels_per_layer", &C::moe_kernels_per_layer, kScalar, 0, 1e4, 0.0, 200.0, "kernels",
       "extra kernels of a routed-expert layer (router, top-k, gather, per-expert dispatch)"},
      {"moe_compute_factor", &C::moe_compute_factor, kScalar, 0.01, 10, 0.05, 2.0, "factor",
       "routed-expert GEMM efficiency relative to a dense GEMM of the same rows"},
      {"moe_matrix_units_factor", &C::moe_matrix_units_factor, kScalar, 0.01, 10, 0.2, 1.5, "factor",
       "routed-expert GEMM efficiency on top of moe_compute_factor where the release's products multiply on "
       "matrix units (a runtime profile's matrix_units: products, on M5's neural accelerators): the expert "
       "kernel's per-run weight loads, unpacking and barriers stay on the SIMD ALUs"},
      {"moe_compute_half_rows", &C::moe_compute_half_rows, kScalar, 0, 1e5, 1.0, 1024.0, "rows",
       "rows routed to one expert at which a grouped expert GEMM reaches half its efficiency (its tiles fill "
       "with that expert's rows only: ggml's mul_mat_id, MLX's gather_qmm); 0 takes compute_half_tokens", 0},
      {"moe_matrix_units_half_rows", &C::moe_matrix_units_half_rows, kScalar, 0, 1e5, 0.5, 256.0, "rows",
       "the same where the release's expert kernel multiplies on matrix units and the profile names no expert "
       "row tile (ggml-metal's kernel_mul_mm_id on M5: matmul2d over 64 x 32 tiles staged in threadgroup "
       "memory); 0 takes moe_compute_half_rows", 0},
      {"moe_bandwidth_factor", &C::moe_bandwidth_factor, kScalar, 0.05, 2.0, 0.3, 1.5, "factor",
       "bandwidth the row-by-row routed-expert kernel reaches relative to the dense one-row kernel (ggml's "
       "mul_mv_id: one small matrix per row and expert, indexed through the router's ids)", 1},
      {"moe_routing_skew", &C::moe_routing_skew, kScalar, 0, 4, 0.0, 2.0, "exponent",
       "how unevenly a step's rows spread over a layer's experts: expert popularity falls with rank as "
       "rank^-skew (0: uniform), so rows grouped by expert read fewer distinct experts' weights than "
       "uniform routing would (simulator/src/ops.cpp experts_touched)", 0},
      {"step_overhead_ms", &C::step_overhead_ms, kScalar, 0, 1e5, 0.0, 40.0, "ms",
       "fixed host cost per forward pass (graph build, sampling, synchronisation)", 0},
      {"rewire_gbps", &C::rewire_gbps, kScalar, 1, 1e4, 10.0, 2000.0, "GB/s",
       "rate at which a runtime that wires the weights anew at every call (profile residency: weights_wired: "
       "per_call) has them resident again before its prompt's first kernels run; read only there (an overhead: "
       "none on datasheet roofs)", std::numeric_limits<double>::infinity()},
      {"buffer_commit_us", &C::buffer_commit_us, kScalar, 0, 1e4, 0.0, 500.0, "us",
       "time to allocate a buffer anew and commit it to the wired residency set, paid for every kernel's output "
       "of a prefill chunk and of the prompt's last token where the runtime empties its buffer cache after each "
       "chunk (profile residency: buffers: fresh_per_chunk); read only there", 0},
      {"bf16_emulation_factor", &C::bf16_emulation_factor, kScalar, 0.01, 1.0, 0.2, 1.0, "factor",
       "matrix and attention throughput of products computed in bf16 on a GPU without bfloat16 arithmetic "
       "(hardware compute.bf16: emulated; M1, M2), relative to the same products in fp16", 1},
      {"activation_buffer_factor", &C::activation_buffer_factor, kScalar, 0, 100, 0.01, 10.0, "factor",
       "scales the estimated live activation buffers of a prefill chunk"},
      {"transient_bytes_per_score", &C::transient_bytes_per_score, kScalar, 0, 64, 0.5, 64.0, "bytes",
       "live bytes per attention score element on the unfused path"},
      {"score_traffic_bytes", &C::score_traffic_bytes, kScalar, 0, 256, 1.0, 256.0, "bytes",
       "bytes the unfused path's kernels read and write per score element between its two products (the "
       "first product's write, each elementwise pass's read and write, the second product's read)"},
      {"wrapper_step_overhead_ms", &C::wrapper_step_overhead_ms, kScalar, 0, 1e4, 0.0, 100.0, "ms",
       "a wrapper's own cost per forward pass on top of the engine it wraps (server loop, IPC, sampling)", 0},
      {"wrapper_request_ms", &C::wrapper_request_ms, kScalar, 0, 1e5, 0.0, 2000.0, "ms",
       "a server's own cost per request before its first token (HTTP, tokenisation, scheduling, detokenisation)", 0},
      {"wrapper_moe_kernels_per_layer", &C::wrapper_moe_kernels_per_layer, kScalar, 0, 1e3, 0.0, 100.0, "kernels",
       "routing kernels a wrapper's vendored engine build launches per routed-expert layer beyond the "
       "engine's current build; the active experts' k - 1 unfused adds come on top, counted from the model"},
      {"wrapper_linear_kernels_per_layer", &C::wrapper_linear_kernels_per_layer, kScalar, 0, 1e3, 0.0, 200.0, "kernels",
       "kernels a wrapper's vendored engine build launches per linear-attention layer beyond the engine's "
       "current build (a gated delta-net recurrence built from generic ops instead of one kernel)"},
      {"quant_compute_factor", kKeyed, &C::quant_compute_factor, 0.01, 10, 0.1, 3.0, "factor",
       "matrix-matrix throughput of a quantization kernel class relative to the reference class"},
      {"quant_bandwidth_factor", kKeyed, &C::quant_bandwidth_factor, 0.01, 10, 0.5, 2.0, "factor",
       "bandwidth a quantization kernel class's weight-streaming kernels reach relative to the reference "
       "class (unpacking and scaling work per byte differs by format)"},
      {"dequant_ops_per_weight", kKeyed, &C::dequant_ops_per_weight, 0, 256, 0.0, 32.0, "ops",
       "ALU instructions a quantization kernel class's kernels spend per weight unpacking and scaling it, "
       "once per step in a matrix-vector kernel and once per tile of matrix_tile_rows rows in a matrix-matrix "
       "one; they take the multiply-adds' issue slots only on a GPU that issues one instruction class per cycle "
       "(hardware compute.alu_issue: single; M1, M2)", 0},
      {"tier_bandwidth_factor", kKeyed, &C::tier_bandwidth_factor, 0.01, 10, 0.5, 2.0, "factor",
       "bandwidth a chip tier's GPU reaches in this runtime's kernels relative to the reference tier "
       "(an Ultra's two dies joined by UltraFusion, a Max's single wide bus, a base chip's narrow one)"},
      {"die_bandwidth_factor", kKeyed, &C::die_bandwidth_factor, 0.01, 10, 0.6, 1.6, "factor",
       "bandwidth one die's GPU (a generation's tier, m4-max: binned parts share it) reaches in this runtime's "
       "kernels relative to its tier's, where its measured stream efficiency (hardware profile) and the tier's "
       "factor leave a difference its own rows show; fitted shrunk toward 1, an unmeasured die takes 1"},
      {"tier_launch_factor", kKeyed, &C::tier_launch_factor, 0.01, 10, 0.25, 4.0, "factor",
       "kernel latency on a chip tier relative to the runtime's (a dispatch and barrier spans more GPU "
       "cores, and on an Ultra two dies)"},
      {"generation_launch_factor", kKeyed, &C::generation_launch_factor, 0.01, 10, 0.5, 2.0, "factor",
       "kernel latency on a chip generation relative to the runtime's (each generation's GPU clock and "
       "dispatch hardware), beside the tier's"},
      {"blas_compute_factor", kKeyed, &C::blas_compute_factor, 0.01, 10, 0.05, 5.0, "factor",
       "f16 GEMM throughput of a BLAS library (rocblas, hipblaslt) relative to the runtime's matrix-matrix "
       "kernels, for builds that hand dense products of blas.min_rows rows and more to it (runtime profile 'blas')"},
      {"blas_era_compute_factor", kKeyed, &C::blas_era_compute_factor, 0.01, 10, 0.05, 5.0, "factor",
       "throughput of the runtime's own quantized matrix-matrix kernels (mmq) in a build of the BLAS era "
       "(runtime profile 'blas': before until_build) relative to today's: ggml-cuda's MMQ on RDNA3 multiplied "
       "with dp4a integer dot products on the vector ALUs until it gained WMMA kernels"},
      {"attention_kernel_factor", kKeyed, &C::attention_kernel_factor, 0.01, 10, 0.05, 5.0, "factor",
       "fused prefill attention throughput of an older build's flash-attention kernel relative to today's: "
       "ggml-cuda on RDNA3 in 2025 ran the ALU tile kernel (tile), or with rocWMMA compiled in its WMMA "
       "kernel (wmma), before the MMA kernel of PR #22880 (2026-05-14)"},
      {"generation_compute_factor", kKeyed, &C::generation_compute_factor, 0.01, 10, 0.3, 3.0, "factor",
       "matrix-matrix efficiency of a chip generation (m1..m5, gb10, ...) relative to the runtime's"},
  };
  return t;
}

bool is_wrapper_coefficient(const CoefficientInfo& c) { return std::string_view(c.name).starts_with("wrapper_"); }

const CoefficientInfo* find_coefficient(std::string_view name) {
  const auto dot = name.find('.');
  const std::string_view base = name.substr(0, dot);
  for (const auto& c : coefficient_table()) {
    if (base != c.name) continue;
    const bool keyed = c.family != nullptr;
    if (keyed != (dot != std::string_view::npos) || (keyed && dot + 1 == name.size())) return nullptr;
    return &c;
  }
  return nullptr;
}

double* coefficient_slot(RuntimeSpec& rt, std::string_view name) {
  const CoefficientInfo* c = find_coefficient(name);
  if (!c) return nullptr;
  if (c->member) return &(rt.coef.*c->member);
  auto& family = rt.coef.*c->family;
  // A key the runtime has no value for reads as the family's datasheet-roof value: a factor 1, a cost 0.
  const double absent = std::isnan(c->roofline) ? 1.0 : c->roofline;
  return &family.try_emplace(std::string(name.substr(name.find('.') + 1)), absent).first->second;
}

std::vector<std::string> coefficient_names() {
  std::vector<std::string> out;
  for (const auto& c : coefficient_table()) out.push_back(c.family ? std::string(c.name) + ".KEY" : c.name);
  return out;
}

}  // namespace ridgeline
