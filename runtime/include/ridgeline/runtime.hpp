#pragma once
// A runtime profile: how one inference engine executes the operator graph. Every coefficient
// the simulator uses is named here and read from runtime/profiles/<id>.yaml (or replaced by
// a calibration file, or by --set), never written into the simulator code.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ridgeline/model.hpp"
#include "ridgeline/units.hpp"

namespace ridgeline {

// The values behind the declarations of coefficients.hpp (read there for ranges and meaning).
// Defaults only matter to code that builds a RuntimeSpec by hand (tests); every profile sets all.
struct RuntimeCoefficients {
  double bandwidth_efficiency = 0.9;
  double gemv_max_rows = 8;
  double moe_gemv_max_rows = 8;  // rows below which routed-expert products stream each row's experts
  double gemv_compute_efficiency = 0.3;
  double gemv_batch_bandwidth_factor = 1;  // multi-row matrix-vector kernels' bandwidth vs the one-row kernel
  double serial_dispatch_launch_factor = 1;  // kernel latency of builds before concurrent dispatch vs after
  double serial_drain_tiles_per_core = 0;  // matrix-matrix tiles a core holds, left to drain by builds before concurrent dispatch
  double vector_attention_efficiency = 0.3;
  double wide_head_attention_factor = 1;  // a prefill's fused attention over heads of wide_head_min_dim and more, vs narrower heads
  double wide_head_vector_attention_factor = 1;  // ... and a decode step's vector kernel over them
  double unfused_kv_bandwidth_factor = 1;  // share of the stream at which one query row's unfused products read the KV cache, once per KV head
  double compute_efficiency = 0.6;
  double compute_half_tokens = 64;
  double matrix_fill_outputs = 0;  // product width compute_half_tokens is stated for (0: width not modelled)
  double matrix_tile_rows = 1;  // rows one matrix-matrix tile covers (a product computes whole tiles)
  double attention_efficiency = 0.4;
  double attention_query_tile = 64;
  double launch_overhead_us = 5;
  double kernels_per_layer = 12;
  double moe_kernels_per_layer = 0;
  double moe_compute_factor = 1;
  double moe_matrix_units_factor = 1;
  double moe_compute_half_rows = 0;  // rows per expert at half the grouped expert GEMM's efficiency (0: compute_half_tokens)
  double moe_matrix_units_half_rows = 0;  // ... where it multiplies on matrix units and no expert tile is named (0: as off them)
  double moe_bandwidth_factor = 1;  // row-by-row routed-expert kernel's bandwidth vs the dense one-row kernel
  double moe_routing_skew = 0;  // power-law exponent of a layer's expert popularity by rank (0: uniform routing)
  double step_overhead_ms = 1;
  double rewire_gbps = 100;  // GB/s at which a call that re-wires the weights has them resident again
  double buffer_commit_us = 0;  // a newly allocated buffer's entry into the wired residency set
  double activation_buffer_factor = 1;
  double bf16_emulation_factor = 1;  // products in bf16 on a GPU without bf16 arithmetic, vs its fp16 rate
  double transient_bytes_per_score = 4;
  double score_traffic_bytes = 8;  // read and written per score element between the unfused path's two products
  double wrapper_step_overhead_ms = 0;  // a wrapper's own cost per forward pass (0 for an engine)
  double wrapper_request_ms = 0;        // a server's own cost per request (0 for an engine)
  double wrapper_moe_kernels_per_layer = 0;     // routing kernels a wrapper's engine build adds per routed-expert layer (its k - 1 adds on top)
  double wrapper_linear_kernels_per_layer = 0;  // ... and per linear-attention (state-space) layer
  std::map<std::string, double> quant_compute_factor;       // by quantization kernel class
  std::map<std::string, double> generation_compute_factor;  // by hardware family (m1, m4, gb10, ...)
  std::map<std::string, double> blas_compute_factor;        // by BLAS library (rocblas, hipblaslt)
  std::map<std::string, double> blas_era_compute_factor;    // by kernel (mmq): a BLAS-era build's own quantized kernels
  std::map<std::string, double> attention_kernel_factor;    // by fused attention kernel of a measured build (tile, wmma)
  std::map<std::string, double> quant_bandwidth_factor;     // by quantization kernel class
  std::map<std::string, double> dequant_ops_per_weight;     // by quantization kernel class (absent: 0)
  std::map<std::string, double> tier_bandwidth_factor;
  // by die (a generation's tier, "m4-max": hardware_die), below its tier's: what this runtime's
  // kernels reach of one memory system's measured stream, shrunk toward 1 by the fit
  std::map<std::string, double> die_bandwidth_factor;
  std::map<std::string, double> tier_launch_factor;         // by hardware tier (base, pro, max, ultra, ...)
  std::map<std::string, double> generation_launch_factor;   // by chip generation (m1 .. m5): its GPU's dispatch
};

// The covariance of one fit's coefficients, in their own units (row-major, `names` order).
struct CoefficientCovariance {
  std::vector<std::string> names;
  std::vector<double> matrix;  // names.size() squared
  // Coefficients the fit holds at a bound of their range (fixed, as in constrained least squares:
  // zero rows), and those the data do not identify (no variance to carry: a band over a
  // prediction that depends on one understates, and says so).
  std::vector<std::string> at_bound, not_identified;
};

// What the calibrations applied to a runtime say about their predictions' uncertainty.
struct CalibrationUncertainty {
  // One block per calibration applied (an engine's fit, then a wrapper's own over it): fitted
  // separately, so treated as independent. Empty when the files carry no covariance (schema 1).
  std::vector<CoefficientCovariance> blocks;
  // Scatter the coefficients do not explain: the held-out |ln(predicted / measured)| that 68.3%
  // of rows stay within (1 sigma of a normal), the worst of chip, model and source held out.
  double prefill_log_scatter = 0, decode_log_scatter = 0;
  bool scatter_from_mape = false;  // a schema-1 file: estimated as held-out MAPE x sqrt(pi / 2)
  bool known = false;              // a calibration set it
};

// A change in an engine's history: the release that brought it, by version (MLX: "0.30.0" as
// version_number) or by build number (llama.cpp), the other 0, and the day it shipped (yyyymmdd).
struct Release {
  long long version = 0;
  long long build = 0;
  int date = 0;
};

// A regime where published measurements depart from this runtime's predictions by more than its
// band, for a reason the model does not carry (README Limitations): `predict` says so in its
// warnings, with the measurement and where it is. A prediction is in the regime when it predicts
// `phase` (decode: generates tokens; prefill: processes a prompt) and meets every condition stated.
struct MeasuredGap {
  enum class Phase { prefill, decode } phase = Phase::decode;
  std::optional<AttentionKind> layers;     // the model has layers of this kind
  std::vector<std::string> architectures;  // on a GPU of one of these (gpu_architectures.hpp); empty: any
  long long min_context = 0;               // the phase ends at this context or deeper
  std::string measured;                    // what was measured, against what ridgeline predicted
  std::string source;                      // where the rows are
};

struct RuntimeSpec {
  std::string id;
  std::string name;
  std::string source;
  // A wrapper (Ollama around llama.cpp, a server around mlx_lm) runs the wrapped engine's kernels
  // with the wrapped engine's coefficients and calibration, plus its own cost per forward pass.
  std::string wraps;
  // Every call wires the weights anew before its prompt (mlx-lm's stream_generate raises MLX's wired
  // limit on entry and lowers it on exit; the prompt's first kernels wait while the weights are made
  // resident again): the prompt pays weights / rewire_gbps. False: wired once and held.
  // From rewires_since_date on (macOS 26, which releases residency as soon as an allocation leaves
  // the set); a row published before it ran on an OS that kept them resident (rewires_weights).
  bool rewires_per_call = false;
  int rewires_since_date = 0;
  // A measured call that followed another within a second (mlx_lm.benchmark's trials after its
  // warmup, without --delay): the weights were still resident, so it paid no rewiring. Set per row
  // by calibrate (kernel_variant.cpp); a prediction is of a call after an idle pause (false).
  bool back_to_back = false;
  // The allocator's buffer cache is emptied after every prefill chunk (mlx-lm's mx.clear_cache()),
  // so each chunk, and the prompt's last token after them, allocates its buffers anew, and each new
  // buffer joins the wired residency set with a commit: buffer_commit_us per kernel's output. Before
  // small_residency_sets_since (MLX 0.32.1, whose PR #4211 splits the one residency set that holds
  // the weights into small sets, so a new buffer's commit covers a small set); from that release the
  // commits cost nothing the data show. Not stated: always.
  bool fresh_buffers_per_chunk = false;
  std::optional<Release> small_residency_sets_since;
  long long default_chunk = 512;
  std::string default_kv_dtype = "f16";
  // The dtype the runtime's products compute in: f32/f16/bf16, or "checkpoint" (the model's own
  // float dtype, as MLX runs a checkpoint's bf16 or fp16 scales and activations).
  std::string compute_dtype = "f32";
  bool kv_upfront = true;          // KV allocated for the whole context at load (llama.cpp)
  long long kv_step_tokens = 256;  // growth step when not up front (MLX KVCache.step)
  bool sliding_kv_full = false;    // sliding-window layers keep the whole context (else window + chunk)
  double activation_bytes = 4;     // bytes per activation element between operators
  bool logits_whole_chunk = false; // the compute graph holds logits for every token of a chunk
  // The engine's kernel choices and their history, which a wrapper takes whole from the engine it
  // runs (one copy, runtime.cpp) instead of field by field.
  struct EngineKernels {
    // Routed experts' weights copied out by index before the product (PyTorch `W[expert_indices]`, as
    // in gpt-fast's MoE, which keeps shapes static for a CUDA graph) instead of read in place by an
    // indexed kernel (ggml's mul_mat_id, MLX's gather_qmm).
    bool moe_gathers_expert_weights = false;
    // Routed experts grouped by expert (above moe_gemv_max_rows) run the matrix-matrix kernel whatever
    // the rows per expert (ggml-vulkan's mul_mat_id tile shader, ggml-cuda's MMQ with expert ids),
    // instead of the matrix-vector kernel while the rows per expert stay within gemv_max_rows.
    bool moe_grouped_matrix_kernel = false;
    // A grouped expert kernel over expert-sorted rows whose threadgroup tile of `rows` rows runs one
    // whole tile product per expert whose rows it holds (MLX's gather_qmm_rhs): with r rows per
    // expert, a tile boundary inside each expert's run costs one more tile product per expert, so
    // the kernel runs at r / (r + rows) of its full-tile rate. rows 0: not stated (the fitted
    // moe_compute_half_rows). From a version on (small_since_*), a tile of small_rows where the rows
    // per expert over all experts fall below `rows`; 0: no such change.
    struct ExpertRowTile {
      int rows = 0;
      int small_rows = 0;
      long long small_since_version = 0;  // version_number of the engine's release
      int small_since_date = 0;           // the day it shipped (yyyymmdd)
    };
    ExpertRowTile expert_tile;
    // Another tile on GPUs of an architecture (HardwareSpec::architecture): MLX's neural-accelerator
    // kernel (gather_qmm_rhs_nax) on M5.
    std::map<std::string, ExpertRowTile> expert_tile_by_architecture;
    // A dense matrix-matrix kernel's row tile on GPUs of an architecture, from an engine release on
    // (MLX's neural-accelerator qmm on M5, 64 rows from 0.30.0); elsewhere, and before it, the
    // coefficient matrix_tile_rows.
    struct MatrixRowTile {
      int rows = 0;
      Release since;
      // A product needs the matrix units' speed-up times the rows to reach half its peak (its
      // loads and unpacking stay on the SIMD ALUs): MLX's qmm_nax, fitted so.
      bool matrix_units = false;
    };
    std::map<std::string, MatrixRowTile> matrix_tile_by_architecture;
    // The multi-row matrix-vector kernel (2 to gemv_max_rows rows) covers a few of the product's rows
    // per threadgroup row of its grid (ggml-metal's mul_mv_ext: r1ptg by ne11), each of which streams
    // the weights once: r rows read them ceil(r / rows_per_threadgroup[r]) times, and unpack them as
    // often. A kernel class that takes the kernel only from more rows (ggml-metal: K-quants from 4)
    // runs the one-row kernel below that, once per row. Empty: one pass whatever the rows (ggml-cuda's
    // mmvq multiplies up to 8 columns in one pass).
    struct MultiRowGemv {
      std::vector<int> rows_per_threadgroup;         // [r]: rows one threadgroup row covers at r rows (0: not stated)
      std::map<std::string, int> min_rows_by_class;  // kernel class -> fewest rows it takes the kernel at
    } multi_row_gemv;
    // Head dims a later release of the engine fuses too, beyond the profile's fused_prefill_head_dims
    // and fused_decode_head_dims (MLX 0.32.0: its vector kernel at 192; 0.32.1: its full kernel at
    // 72 and 96): a prediction for that release or a later one takes them fused.
    struct FusedHeadDims {
      Release since;
      std::vector<int> prefill, decode;
    };
    std::vector<FusedHeadDims> fused_head_dims_from;
    // The releases from which the engine's matrix products (dense and routed-expert GEMMs) and its
    // prefill attention multiply on the GPU's matrix units where the hardware has them
    // (HardwareSpec::matrix_fp16: M5's neural accelerators); not stated, and before them, they run
    // on the SIMD groups at the fp16 rate.
    std::optional<Release> products_on_matrix_units, attention_on_matrix_units;
    // A retune of the engine's matrix kernels (ggml-vulkan's AMD cooperative-matrix tiles, llama.cpp
    // PR #18749; ggml-cuda's native MXFP4 products on Blackwell, PR #17906): a build before `since`
    // multiplied over the model's weights at before_factor of today's rate, by quantization kernel
    // class ("other": the classes its source did not measure), on the GPU architectures named in
    // `architectures` (empty: every GPU the runtime runs on). Not stated: none.
    struct MatmulRetune {
      Release since;
      std::map<std::string, double> before_factor;
      std::vector<std::string> architectures;
    };
    std::optional<MatmulRetune> matmul_retune;
    // The rewrite of the engine's f16 x f32 product kernel (ggml-metal's kernel_mul_mat_f16_f32,
    // llama.cpp PRs #2951 and #2959, 2023-09): before `since` it ran one threadgroup per output
    // element, summed through threadgroup memory, and f16 weights' matrix-vector products streamed
    // at gemv_bandwidth_factor of today's kernel. (Its cost per attention score is not charged:
    // README, "Tried and not shipped".) Not stated: none.
    struct F16KernelRewrite {
      Release since;
      double gemv_bandwidth_factor = 1;
      // The old kernel's rate on a prefill's attention products (K x Q and V x KQ, views of the f16
      // cache: one threadgroup per score), as a fraction of the fp32 peak, beside today's kernels.
      double score_rate_fraction = 0;  // 0: not stated
    };
    std::optional<F16KernelRewrite> f16_kernel_rewrite;
    // The expert-sorted kernel runs only where rows x active / experts reaches this (MLX GatherQMM:
    // B / E >= 4); below it each row streams its experts' weights, as below moe_gemv_max_rows. 0: none.
    double sorted_min_rows_per_expert = 0;
    // The release that added the sorted kernel (MLX 0.25.0, gather_qmm_rhs): before it every routed-
    // expert row streams its experts (a batched matrix-vector product per row and expert). 0: always had it.
    long long sorted_since_version = 0;
    int sorted_since_date = 0;  // the day that release shipped (yyyymmdd)
    // Some builds hand dense products over quantized weights of `min_rows` rows and more to a vendor
    // BLAS, dequantizing the weights to f16 first (ggml-cuda through HIP on RDNA3 before its WMMA MMQ
    // kernels: MMQ below 64 rows, rocBLAS or hipBLASLt above). `until_build`: the first build that no
    // longer does, and `until_date` the day it shipped (yyyymmdd, dates.hpp); `library`: the one used
    // unless a row states another. Empty library: no such builds.
    struct BlasPath {
      long long min_rows = 0, until_build = 0;
      int until_date = 0;
      std::string library;
    } blas;
    // Fused attention of a few query rows runs as matrix-vector products on the ALUs (ggml's
    // flash_attn_ext_vec kernels, MLX's sdpa_vector), not on the matrix units: at depth it is bound
    // by its own ALU roof (fp32 peak x vector_attention_efficiency). False: tensor-core kernels
    // (FlashAttention in PyTorch) at attention_efficiency of the matmul peak whatever the rows.
    bool vector_decode_attention = false;
    // Where the runtime picks the vector kernel only for some decode steps (profile `attention:
    // vector_decode:`; ggml-cuda on tensor-core GPUs, ggml_cuda_get_best_fattn_kernel): the score head
    // dims it has vector instances for (empty: any), the most sequences a step may carry (0: any;
    // several sequences are separate streams, which the tensor-core kernel takes), and from which
    // cache length a query group wider than `long_cache_gqa_above` heads moves to the tensor-core
    // kernel (0: never). The rest runs the tensor-core kernel, whose decode tiles of
    // `tensor_columns` columns (0: attention_query_tile) the query heads of one KV head fill
    // (decode_attention_kernel and decode_tile_fill in simulator/src/ops.cpp).
    struct VectorDecodeLimits {
      std::vector<int> head_dims;
      long long max_sequences = 0;
      int long_cache_gqa_above = 0;
      long long long_cache_from_cells = 0;
      int tensor_columns = 0;
    } vector_decode;
    // A decode step's fused attention reads every cell of a sliding-window layer's cache, the cells
    // its mask rules out included (profile `attention: sliding_decode_reads: cache`; ggml-cuda's
    // kernels skip only a masked tail, and llama.cpp's sliding cache holds window + ubatch cells that
    // it overwrites in turn), not the window's alone (`window`: Metal skips masked 32-cell chunks).
    bool sliding_decode_reads_cache = false;
    // A prefill chunk is evaluated only as far as its KV caches and states need (MLX's lazy graph:
    // mlx-lm's generate_step runs the prompt but its last token in chunks and evaluates only the
    // caches' state, then the last token through the whole model). Layers after the last that keeps
    // a cache then run for that token alone. False: every layer runs every token (a ggml graph).
    bool prefill_evaluates_cache_only = false;
    // A compressed layer's indexer (DeepSeek-V4) picks index_topk pooled rows per query. Gathered: the
    // attention reads and computes those only (mlx-lm's take_along_axis, antirez/ds4's indexed
    // kernel). Masked: it attends every pooled row with the others masked out (llama.cpp's
    // build_csa_lid_attention), so its cost grows with the context like full attention's / ratio.
    bool compressed_attention_masked = false;
    // The indexer's scores of every head against every pooled key exist whole for a chunk before
    // the heads are summed (mlx-lm's deepseek_v4.py, f32): a transient of index_heads x chunk x
    // pooled rows x 4 bytes. False: a fused kernel sums the heads as it goes (llama.cpp's
    // GGML_OP_LIGHTNING_INDEXER, ds4's indexer kernels), leaving chunk x pooled rows.
    bool indexer_scores_per_head = false;
    // The unfused path's products for one query row of one sequence read a GQA group's K/V rows from
    // memory once per KV head: ggml-vulkan's p021 kernel computes the group's query heads in one
    // invocation, ggml-cuda's mmv blocks of a group re-read them from the GPU's caches. False: once per query head
    // (ggml-metal's mul_mv per broadcast channel; PyTorch's repeated K and V), as matrix-matrix
    // products over the group always do.
    bool unfused_decode_reads_per_kv_head = false;
    // The engine runs its fused attention kernels differently over heads this wide and wider (profile
    // `attention: wide_heads: from_dim`; ggml-metal: eight simdgroups a threadgroup from a 512-wide
    // score head, and threadgroup memory that grows with the score and value widths), at
    // wide_head_attention_factor (a prefill) and wide_head_vector_attention_factor (a decode step's
    // vector kernel) of the narrower heads' rates. 0: no such kernels.
    int wide_head_min_dim = 0;
    // The attention mask a prefill chunk materialises: bytes per query-key pair (one tensor of
    // chunk x keys shared by every head and layer of an attention kind, live through the layers),
    // on the path where the scores are materialised and on the fused one. 0: none (a causal flag the
    // kernel applies itself).
    double mask_bytes_unfused = 0;
    double mask_bytes_fused = 0;
    // The engine reserves its compute buffer once, at load, for the worst case: a ubatch of
    // min(chunk, context) tokens against a full cache of the whole context (llama.cpp's
    // sched_reserve), held for the session. False: each chunk allocates its own at its context.
    bool compute_buffer_reserved = false;
    // The graph allocator writes an elementwise op over its input's buffer when nothing else reads
    // it, and the layer's K and V go straight into the cache (ggml-alloc's ggml_op_can_inplace; the
    // KV copies into cache views): a layer's attention holds x, its normed copy, q and the output
    // (2h + 2 q_dim per token) and its MLP x, its normed copy, gate and up (2h + 2 intermediate).
    // False: each op a fresh tensor, k and v held beside q (2h + 2 q_dim + 2 kv_dim; 2h + 3
    // intermediate: act(gate), up and their product).
    bool activations_in_place = false;
    // From this build on the engine lets kernels that do not depend on each other overlap (llama.cpp
    // Metal: concurrent dispatch with graph reordering, PR #15929); a build before it waits for each
    // kernel in turn and pays serial_dispatch_launch_factor times the kernel latency. 0: the runtime
    // states no such change.
    long long concurrent_dispatch_since_build = 0;
    int concurrent_dispatch_since_date = 0;  // the day that build shipped (yyyymmdd, dates.hpp)
    // From this build on the engine runs fused (flash) attention unless told not to (llama.cpp's -fa
    // default became auto, PR #15434); a stated build before it ran the unfused path unless its row
    // says flash attention was on. 0: the runtime states no such change.
    long long fused_attention_default_since_build = 0;
    int fused_attention_default_since_date = 0;  // the day that build shipped (yyyymmdd)
    // From this build on a linear-attention layer's recurrence (Gated DeltaNet) runs as one fused
    // kernel; a build before it, and a wrapper's vendored engine snapshot, runs it as a chain of
    // generic ops, decomposed_linear_kernels_per_layer more kernels per such layer. 0: none stated.
    long long fused_linear_attention_since_build = 0;
    int fused_linear_attention_since_date = 0;  // the day that build shipped (yyyymmdd)
    double decomposed_linear_kernels_per_layer = 0;
  } kernels;
  // The BLAS library a measured row's build ran (calibrate's apply_kernel_variant sets it); empty:
  // the runtime's own quantized kernels at every row count (current builds; every prediction).
  std::string blas_library;
  // The fused prefill attention kernel a measured row's build ran where it differs from today's
  // (calibrate's apply_kernel_variant: "tile", "wmma"); empty: today's (every prediction).
  std::string attention_kernel;
  // The build a prediction is for: kCurrentBuild (every prediction a user asks for, and a measured
  // row that states no build), or a measured row's stated build.
  long long build = 0;
  // A measured row's publication date (yyyymmdd) when it states no build: it ran no build newer
  // than that day's. 0: unknown (every prediction a user asks for).
  int published_by = 0;
  // A wrapper that ran its own vendored snapshot of the engine before a version (Ollama: its ggml
  // copy until 0.30, upstream llama-server from then, ollama PR #16031): a prediction for an earlier
  // version pays the wrapper_*_kernels_per_layer its snapshot adds; today's version does not.
  // 0: no such change stated, so those kernels (if any) always apply. Versions are encoded by
  // version_number ("0.30.0" -> 30000).
  long long vendored_engine_until_version = 0;
  int vendored_engine_until_date = 0;  // the day that version shipped (yyyymmdd, dates.hpp)
  // The engine build a wrapper's versions run (profile `wrapper: engine_builds`), in increasing
  // order of the first wrapper version each applies from: Ollama's vendored llama.cpp commit before
  // 0.30, the llama-server build it pins from then. Where no build number is known, the day of the
  // engine's commit bounds it from above (no_later_than, yyyymmdd). A measured row that states a
  // version but no build runs that build (or one no later than that day), so the engine's build
  // boundaries (concurrent dispatch, flash attention's default, the tensor API's tile) apply to it as
  // to the engine's own rows. Empty: none stated.
  struct EngineBuild {
    long long from_version = 0;
    long long build = 0;    // 0: not known
    int no_later_than = 0;  // when build is 0
  };
  std::vector<EngineBuild> engine_builds;
  // The wrapper version a prediction is for: kCurrentVersion (every prediction a user asks for, and
  // a measured row that states none), or a measured row's stated version.
  long long version = 0;
  Bytes runtime_bytes;             // fixed memory: context, command buffers, allocator slack
  // Attention path: fused (flash-style) unless a rule says unfused.
  std::vector<int> fused_prefill_head_dims;  // empty: every head_dim is fused in prefill
  std::vector<int> fused_decode_head_dims;   // empty: every head_dim is fused in decode
  bool always_unfused = false;
  // A wrapper's: its engine's, then its own (it runs the engine's kernels).
  std::vector<MeasuredGap> measured_gaps;
  RuntimeCoefficients coef;
  // Set when a calibration replaced the coefficients: its name, and what it knows of its own
  // uncertainty (bands.hpp turns that into a band per prediction).
  std::string calibration;
  CalibrationUncertainty uncertainty;
};

constexpr long long kCurrentBuild = 0;
// The key of blas_era_compute_factor for a BLAS-era build's own quantized matrix-matrix kernels.
inline constexpr const char* kBlasEraOwnKernels = "mmq";
// Whether this prediction is for a build before a change the profile states (its first build and
// the day that build shipped; build 0: none stated): from the build when one is stated, else from
// the publication date (published strictly before the boundary's day: before). A prediction with
// neither is today's build, which never is.
bool built_before(const RuntimeSpec& rt, long long boundary_build, int boundary_date);
// Whether this prediction's build dispatches kernels one after another: built_before the runtime's
// concurrent dispatch. A row that states no build and no earlier date is taken as today's: so
// fitted, the data explain rows without a build better (README "Builds").
bool serial_dispatch(const RuntimeSpec& rt);

constexpr long long kCurrentVersion = 0;
// "0.30", "0.30.0", "v0.12.6" as major x 10^6 + minor x 10^3 + patch; -1 when the text is not a
// version of two or three numbers (each below 1000).
long long version_number(const std::string& text);
// The version_number as text (30000 -> "0.30.0").
std::string version_text(long long version);
// Whether this prediction's wrapper version runs the wrapper's vendored engine snapshot (and pays
// its extra kernels): a stated version before vendored_engine_until_version; with no version
// stated, a publication date before the day that version shipped; or a wrapper that states no
// such change. A prediction with neither version nor date is today's version, which never is.
bool vendored_engine(const RuntimeSpec& rt);
// The engine build a wrapper version runs (RuntimeSpec::engine_builds): the last entry at or before
// `version`; nullptr for today's version, a version before the first entry, or a runtime that
// states none.
const RuntimeSpec::EngineBuild* engine_build_of_version(const RuntimeSpec& rt, long long version);
// A measured row's runtime, whose version is set and whose build is not: the build its version
// runs, or the day that build is no later than (the earlier of it and the row's publication day).
// Returns the entry applied (nullptr: none, or the build was already known).
const RuntimeSpec::EngineBuild* apply_engine_build(RuntimeSpec& rt);
// Whether this prediction's engine is at or after a release (its version_number and the day it
// shipped): from the version an engine's own row states (a wrapper's version is its own, not the
// engine's, so a wrapper's row goes by date), else from the publication date (on or after the day:
// it may have run it); a prediction with neither is today's engine, which is.
bool engine_at_or_after(const RuntimeSpec& rt, long long version, int date);
// Whether this prediction runs a release at or after `r`: built_before's negation for a build,
// engine_at_or_after for a version.
bool released(const RuntimeSpec& rt, const Release& r);
// Whether this prediction's call wires the weights anew before its prompt (RuntimeSpec::rewires_per_call):
// on an OS that unwires idle GPU memory, after an idle pause (not back_to_back).
bool rewires_weights(const RuntimeSpec& rt);
// Whether this prediction's fresh buffers pay a residency commit each (RuntimeSpec::fresh_buffers_per_chunk,
// before small_residency_sets_since).
bool commits_fresh_buffers(const RuntimeSpec& rt);

RuntimeSpec parse_runtime_yaml(const std::string& path);
RuntimeSpec parse_runtime_yaml_text(const std::string& text, const std::string& label);
const std::vector<RuntimeSpec>& runtime_catalog();
// Runtime ids (file stems), without parsing the profiles.
const std::vector<std::string>& runtime_ids();
// The catalog profile with this id, parsed once on first use; nullptr when the catalog has none.
const RuntimeSpec* catalog_runtime(const std::string& id);
// A runtime name as written ("llama.cpp", "llama.cpp Metal (MTL,BLAS)", "lm-studio", "mlx_lm",
// "mlx-lm") -> a runtime id. `hardware_vendor` ("apple", "nvidia", "amd" or "") picks llama.cpp's
// backend when the name does not; without it "llama.cpp" is refused with the backends as candidates.
// Returns "" and sets `why`; when it resolves, `why` may hold the assumption made.
std::string match_runtime_name(const std::string& text, const std::string& hardware_vendor, std::string& why);
// A runtime name (above) or a profile .yaml. Throws a FieldError on "runtime" with the candidates.
RuntimeSpec resolve_runtime(const std::string& name_or_path, const std::string& hardware_vendor = "");
// An override of one runtime coefficient (e.g. compute_efficiency=0.5); false if `key` names none.
// A value out of range is a FieldError on "set.<key>".
bool apply_runtime_override(RuntimeSpec& rt, const std::string& key, const std::string& value);

}  // namespace ridgeline
