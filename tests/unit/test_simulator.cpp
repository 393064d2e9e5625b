#include <cmath>
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>
#include <tuple>

#include "helpers.hpp"
#include "ridgeline/catalog.hpp"
#include "ridgeline/derived.hpp"
#include "ridgeline/importers.hpp"
#include "ridgeline/report.hpp"

using namespace ridgeline;
using namespace ridgeline::test;

namespace {
// The operator whose label (under scenario s) starts with prefix.
const Op& find_op(const Scenario& s, const std::vector<Op>& ops, const std::string& prefix, int skip = 0) {
  for (const auto& op : ops)
    if (op_label(s, op).rfind(prefix, 0) == 0 && skip-- == 0) return op;
  throw std::runtime_error("no operator " + prefix);
}
// Two layers that cache, then two that reuse their keys and values (Gemma 4 E2B/E4B's layout).
ModelSpec reused_kv_tail() {
  ModelSpec m = tiny_dense();
  m.layers.clear();
  append_layers(m, 2, gqa(8, 2, 128), dense(4096));
  AttentionSpec reused = gqa(8, 2, 128);
  reused.kv_reused = true;
  append_layers(m, 2, reused, dense(4096));
  return m;
}
double brute_force(const Scenario& s, StepShape shape, double first, double stride, long long count) {
  double t = 0;
  for (long long k = 0; k < count; ++k) {
    shape.context = first + stride * static_cast<double>(k);
    t += ops_seconds(step_ops(s, shape)) + step_overhead_seconds(s);
  }
  return t;
}
}  // namespace

// A dense GQA decode step is memory-bound; its time is every byte over the bandwidth; through the binary: tests/golden/dense-gqa-decode.
TEST(StepOps, DenseGqaDecodeStep) {
  Scenario s = scenario(tiny_dense());
  const double h = 1024, c = 1000, layers = 4;
  const double attention = h * (1024 + 256 + 256) + 1024 * h, mlp = 3 * h * 4096;
  const double kv_token = 2 * 256 * 2.0;
  const double bytes = layers * (attention + mlp) * 2   // f16 weights
                       + h * 2 + 32000 * h * 2           // one embedding row, the LM head
                       + layers * (c + 1) * kv_token     // KV read, new token included
                       + layers * kv_token               // KV write
                       + layers * (4 + 4 + 6) * h * 2    // activations: projections, MLP, norms
                       + h * 2 + 32000 * 4;              // embedding output, fp32 logits
  auto ops = step_ops(s, {1, c, 1, true, false});
  for (const auto& op : ops) EXPECT_GE(op.memory_seconds(), op.compute_seconds()) << op.what;
  EXPECT_NEAR(ops_seconds(ops), bytes / 100e9, 1e-12);
}

// Sliding-window layers read at most window + 1 keys in decode; through the binary: tests/golden/sliding-window-mix.
TEST(StepOps, SlidingWindowMixReadsTheWindow) {
  ModelSpec m = tiny_dense();
  m.layers.clear();
  append_layers(m, 3, gqa(8, 2, 128, AttentionKind::sliding, 1024), dense(4096));
  append_layers(m, 1, gqa(8, 2, 128), dense(4096));
  Scenario s = scenario(m);
  auto ops = step_ops(s, {1, 5000, 1, true, false});
  const double kv_token = 2 * 256 * 2.0;
  EXPECT_DOUBLE_EQ(find_op(s, ops, "attention [3x sliding]").kv_read_bytes, 3 * (1024 + 1) * kv_token);
  EXPECT_DOUBLE_EQ(find_op(s, ops, "attention [1x full]").kv_read_bytes, 1 * (5000 + 1) * kv_token);
  EXPECT_DOUBLE_EQ(find_op(s, ops, "attention [3x sliding]").flops, 3 * 2.0 * 8 * (128 + 128) * 1024);
}

// A layer that reuses an earlier layer's keys and values (Gemma 4 E2B/E4B's KV-shared layers) reads
// them as its source does but writes and holds none; per-layer inputs stream their products and
// gather one row of the table per token.
TEST(StepOps, ReusedKvIsReadNotWrittenOrHeldAndPerLayerInputsStream) {
  ModelSpec m = reused_kv_tail();
  Scenario s = scenario(m);
  const double c = 1000, kv_token = 2 * 256 * 2.0;
  auto ops = step_ops(s, {1, c, 1, true, false});
  const Op& source = find_op(s, ops, "attention [2x full]");
  const Op& reader = find_op(s, ops, "attention [2x full]", 1);
  EXPECT_DOUBLE_EQ(source.kv_read_bytes, 2 * (c + 1) * kv_token);
  EXPECT_DOUBLE_EQ(reader.kv_read_bytes, 2 * (c + 1) * kv_token);
  EXPECT_DOUBLE_EQ(source.kv_write_bytes, 2 * kv_token);
  EXPECT_DOUBLE_EQ(reader.kv_write_bytes, 0.0);
  // Two layers' caches are held, not four.
  EXPECT_DOUBLE_EQ(kv_bytes_at(m, s.kv, c).value, 2 * c * kv_token);
  // Per-layer inputs of 64 from a 500-row table: hidden -> 4 x 64, and per layer 64 -> hidden twice
  // (gate and back), at the f16 matrices' 2 bytes; the token gathers 4 x 64 table values.
  m.per_layer_input = 64;
  m.per_layer_vocab = 500;
  s = scenario(m);
  ops = step_ops(s, {1, c, 1, true, false});
  const double h = 1024, projections = 3 * h * 64 * 4;
  const Op& ple = find_op(s, ops, "per-layer inputs");
  EXPECT_DOUBLE_EQ(ple.flops, 2 * projections);
  EXPECT_DOUBLE_EQ(ple.weight_bytes, projections * 2 + 4 * 64 * 2.0);
  ModelSpec plain = m;
  plain.per_layer_input = 0;
  EXPECT_DOUBLE_EQ(weight_bytes(m, s.quant).value - weight_bytes(plain, s.quant).value, (500.0 * 4 * 64 + projections) * 2);
}

// A runtime that evaluates a prefill chunk only as far as its caches need it (MLX's lazy graph)
// skips the layers after the last that caches; the prompt's last token runs them, at its context.
TEST(StepOps, LazyPrefillSkipsTheLayersAfterTheLastCacheInEveryChunk) {
  ModelSpec m = reused_kv_tail();
  Scenario s = scenario(m);
  const double n = 512, c = 1024, mlp = 3 * 1024.0 * 4096;
  const StepShape middle{n, c, 1, false, true}, last{n, c, 1, true, true};
  // Every layer runs every token where the whole graph is evaluated (a ggml graph).
  EXPECT_DOUBLE_EQ(find_op(s, step_ops(s, middle), "MLP [2x full]", 1).flops, 2 * 2 * n * mlp);
  s.runtime.kernels.prefill_evaluates_cache_only = true;
  for (const StepShape& chunk : {middle, last}) {
    const auto ops = step_ops(s, chunk);
    EXPECT_DOUBLE_EQ(find_op(s, ops, "MLP [2x full]").flops, 2 * 2 * n * mlp);  // the caching layers: all tokens
    EXPECT_THROW(find_op(s, ops, "MLP [2x full]", 1), std::runtime_error);      // the others: none
  }
  // The prompt's last token, a step of its own, runs them and attends over the whole prompt.
  const auto ops = step_ops(s, {1, c + n - 1, 1, true, false});
  EXPECT_DOUBLE_EQ(find_op(s, ops, "MLP [2x full]", 1).flops, 2 * 2 * 1 * mlp);
  EXPECT_DOUBLE_EQ(find_op(s, ops, "attention [2x full]", 1).kv_read_bytes, 2 * (c + n) * 2 * 256 * 2.0);
}

// Such a runtime's prefill is the prompt but its last token in chunks without the LM head, then
// that token through the whole model (mlx-lm's generate_step): nothing else is charged here.
TEST(Predict, LazyPrefillPeelsThePromptsLastTokenIntoAStepOfItsOwn) {
  Scenario s = scenario(reused_kv_tail());
  s.runtime.kernels.prefill_evaluates_cache_only = true;
  s.runtime.rewires_per_call = false, s.runtime.fresh_buffers_per_chunk = false;
  s.runtime.coef.wrapper_request_ms = 0;
  s.workload.prompt = 1000, s.workload.cached = 0, s.workload.gen = 0, s.chunk = 2048;
  const double expected = step_seconds(s, {999, 0, 1, false, true}) + step_seconds(s, {1, 999, 1, true, false});
  EXPECT_NEAR(predict(s).prefill_seconds, expected, 1e-12 * expected);
  // With the buffer cache emptied after every chunk, that chunk and the token allocate every
  // kernel's output anew: two passes' kernels at buffer_commit_us each.
  s.runtime.fresh_buffers_per_chunk = true;
  s.runtime.coef.buffer_commit_us = 30;
  EXPECT_NEAR(predict(s).prefill_seconds, expected + 2 * step_kernels(s) * 30e-6, 1e-12 * expected);
  // Wiring the weights anew before the prompt adds their bytes over rewire_gbps.
  s.runtime.rewires_per_call = true;
  s.runtime.coef.rewire_gbps = 100;
  const Prediction p = predict(s);
  EXPECT_NEAR(p.prefill_seconds, expected + 2 * step_kernels(s) * 30e-6 + p.mem.weights.value / 100e9, 1e-12 * expected);
  // ... except for a call that follows another within a second (the weights still resident) ...
  s.runtime.back_to_back = true;
  EXPECT_NEAR(predict(s).prefill_seconds, expected + 2 * step_kernels(s) * 30e-6, 1e-12 * expected);
  s.runtime.back_to_back = false;
  // ... and for a row published before the OS that releases the weights between calls.
  s.runtime.rewires_since_date = 20250915, s.runtime.published_by = 20250828;
  EXPECT_NEAR(predict(s).prefill_seconds, expected + 2 * step_kernels(s) * 30e-6, 1e-12 * expected);
  // From the release of small residency sets (MLX 0.32.1) a fresh buffer's commit costs nothing:
  // a row of that release or later, or published from its day, pays none; one before it does.
  s.runtime.small_residency_sets_since = Release{.version = version_number("0.32.1"), .build = 0, .date = 20260817};
  EXPECT_NEAR(predict(s).prefill_seconds, expected + 2 * step_kernels(s) * 30e-6, 1e-12 * expected);  // published before it
  s.runtime.published_by = 20260818;  // after it, and after macOS 26: the weights' wiring alone
  EXPECT_NEAR(predict(s).prefill_seconds, expected + p.mem.weights.value / 100e9, 1e-12 * expected);
  s.runtime.published_by = 0, s.runtime.version = version_number("0.32.0");  // a release before it, stated
  EXPECT_NEAR(predict(s).prefill_seconds, expected + 2 * step_kernels(s) * 30e-6 + p.mem.weights.value / 100e9, 1e-12 * expected);
  s.runtime.version = kCurrentVersion;  // today's release: the wiring alone
  EXPECT_NEAR(predict(s).prefill_seconds, expected + p.mem.weights.value / 100e9, 1e-12 * expected);
  s.runtime.published_by = 20250828;
  // Two whole chunks and the token (2 x 512 + 1): three passes' fresh buffers.
  s.chunk = 512, s.workload.prompt = 2 * 512 + 1;
  const double two_chunks = step_seconds(s, {512, 0, 1, false, true}) + step_seconds(s, {512, 512, 1, false, true}) +
                            step_seconds(s, {1, 1024, 1, true, false});
  EXPECT_NEAR(predict(s).prefill_seconds, two_chunks + 3 * step_kernels(s) * 30e-6, 1e-9 * two_chunks);
  // A one-token prompt is the token's step alone.
  s.workload.prompt = 1;
  EXPECT_NEAR(predict(s).prefill_seconds, step_seconds(s, {1, 0, 1, true, false}) + step_kernels(s) * 30e-6, 1e-12);
}

// What a lazily evaluated prefill skips follows the model's layer order, not the merged groups:
// layers without attention between caching ones (Nemotron Super's) run every token; only those
// after the last caching layer are set apart and run for the last token.
TEST(StepOps, LazyPrefillSkipsOnlyTheLayersAfterTheLastCacheInLayerOrder) {
  ModelSpec m = tiny_dense();
  m.layers.clear();
  AttentionSpec none;
  none.kind = AttentionKind::none;
  append_layers(m, 1, gqa(8, 2, 128), dense(4096));
  append_layers(m, 1, none, dense(4096));
  append_layers(m, 1, gqa(8, 2, 128), dense(4096));
  append_layers(m, 1, none, dense(4096));
  Scenario s = scenario(m);
  s.runtime.kernels.prefill_evaluates_cache_only = true;
  ASSERT_EQ(s.model.layers.size(), 3u);  // the two full layers, the inner no-attention one, the last apart
  EXPECT_FALSE(s.model.layers[1].after_last_cache);
  EXPECT_TRUE(s.model.layers[2].after_last_cache);
  const double n = 512, mlp = 3 * 1024.0 * 4096;
  const auto ops = step_ops(s, {n, 0, 1, false, true});
  EXPECT_DOUBLE_EQ(find_op(s, ops, "MLP [1x none]").flops, 2 * n * mlp);  // the inner one: every token
  EXPECT_THROW(find_op(s, ops, "MLP [1x none]", 1), std::runtime_error);   // the last: none in a middle chunk
}

// Unfused attention batches its two products over query heads: each of the 8 query heads reads the
// K/V head it shares with 3 others, so the cache is read 8 / 2 = 4 times; fused attention reads it once.
TEST(StepOps, UnfusedAttentionReadsSharedKvOncePerQueryHead) {
  ModelSpec m = tiny_dense();
  m.layers.clear();
  append_layers(m, 1, gqa(8, 2, 128), dense(4096));
  Scenario s = scenario(m);
  const double kv_token = 2 * 256 * 2.0, c = 5000;
  EXPECT_DOUBLE_EQ(find_op(s, step_ops(s, {1, c, 1, true, false}), "attention [").kv_read_bytes, (c + 1) * kv_token);
  s.runtime.always_unfused = true;
  const auto ops = step_ops(s, {1, c, 1, true, false});
  EXPECT_DOUBLE_EQ(find_op(s, ops, "attention [").kv_read_bytes, (c + 1) * kv_token * 8 / 2);
  // The passes between the two products are an operator of their own: 8 heads x 1 row x (c + 1)
  // keys of scores, each read and written at score_traffic_bytes, its time added to the products'.
  s.runtime.coef.score_traffic_bytes = 28;
  const auto counted = step_ops(s, {1, c, 1, true, false});
  const Op& scores = find_op(s, counted, "attention scores");
  EXPECT_DOUBLE_EQ(scores.activation_bytes, 8 * 1 * (c + 1) * 28.0);
  EXPECT_DOUBLE_EQ(scores.flops, 0);
}

// Where the unfused products of one query row of one sequence read a group's K/V rows once per KV
// head (ggml-vulkan's p021 kernel, ggml-cuda's mmv through the GPU's caches), a decode step reads the
// KV cache once, at unfused_kv_bandwidth_factor of the stream; a prefill chunk's matrix-matrix
// products, and a step of two rows or two sequences, still read it once per query head (8 / 2 = 4
// times), at the stream.
TEST(StepOps, UnfusedDecodeReadsAGroupOncePerKvHeadAtItsOwnBandwidth) {
  ModelSpec m = tiny_dense();
  m.layers.clear();
  append_layers(m, 1, gqa(8, 2, 128), dense(4096));
  Scenario s = scenario(m);
  s.runtime.always_unfused = true;
  s.runtime.coef.gemv_max_rows = 8;  // one decode row on the matrix-vector kernels, a 64-token chunk on the matrix ones
  s.runtime.kernels.unfused_decode_reads_per_kv_head = true;
  s.runtime.coef.unfused_kv_bandwidth_factor = 0.25;
  const double stream = step_invariants(s).bandwidth;
  const double kv_token = 2 * 256 * 2.0, c = 5000, chunk = 64;
  const auto decode = step_ops(s, {1, c, 1, true, false});
  const Op& read = find_op(s, decode, "attention [");
  EXPECT_DOUBLE_EQ(read.kv_read_bytes, (c + 1) * kv_token);
  EXPECT_DOUBLE_EQ(read.bandwidth, stream * 0.25);
  const auto prefill = step_ops(s, {chunk, c, 1, true, true});
  const Op& products = find_op(s, prefill, "attention [");
  EXPECT_DOUBLE_EQ(products.kv_read_bytes, (c + chunk) * kv_token * 8 / 2);
  EXPECT_DOUBLE_EQ(products.bandwidth, stream);
  // Two sequences decoding together, or two query rows, are no longer the one-row kernels: per query head.
  const auto batched = step_ops(s, {1, c, 2, true, false});
  EXPECT_DOUBLE_EQ(find_op(s, batched, "attention [").kv_read_bytes, (c + 1) * kv_token * 2 * 8 / 2);
  EXPECT_DOUBLE_EQ(find_op(s, batched, "attention [").bandwidth, stream);
  const auto two_rows = step_ops(s, {2, c, 1, true, false});
  EXPECT_DOUBLE_EQ(find_op(s, two_rows, "attention [").kv_read_bytes, (c + 2) * kv_token * 8 / 2);
  // Per query head (ggml-metal's mul_mv), the decode step re-reads the group's rows, at the stream:
  // 4 times the bytes, and the factor unused.
  s.runtime.kernels.unfused_decode_reads_per_kv_head = false;
  const auto per_query_head = step_ops(s, {1, c, 1, true, false});
  EXPECT_DOUBLE_EQ(find_op(s, per_query_head, "attention [").kv_read_bytes, (c + 1) * kv_token * 8 / 2);
  EXPECT_DOUBLE_EQ(find_op(s, per_query_head, "attention [").bandwidth, stream);
}

// The profiles say which: ggml-cuda (and HIP) and ggml-vulkan once per KV head, ggml-metal per query head.
TEST(RuntimeProfile, UnfusedDecodeGroupReadsAreEachBackendsOwn) {
  for (const char* id : {"llama.cpp-cuda", "llama.cpp-rocm", "llama.cpp-vulkan"})
    EXPECT_TRUE(resolve_runtime(id).kernels.unfused_decode_reads_per_kv_head) << id;
  EXPECT_FALSE(resolve_runtime("llama.cpp-metal").kernels.unfused_decode_reads_per_kv_head);
}

// A profile counts the bytes its unfused passes move per score element (pytorch-sdpa: 28), or
// leaves the matrix written once and read back once at its live bytes (2 x transient_bytes_per_score).
TEST(RuntimeProfile, ScoreTrafficIsStatedOrTheScoreMatrixWrittenAndReadOnce) {
  EXPECT_DOUBLE_EQ(resolve_runtime("pytorch-sdpa").coef.score_traffic_bytes, 28);
  EXPECT_DOUBLE_EQ(resolve_runtime("llama.cpp-metal").coef.score_traffic_bytes, 16);
  const RuntimeSpec mlx = resolve_runtime("mlx");
  EXPECT_DOUBLE_EQ(mlx.coef.score_traffic_bytes, 2 * mlx.coef.transient_bytes_per_score);
}

// ggml-cuda's, HIP's and Vulkan's grouped expert kernels tile whatever the rows per expert (MMQ with
// ids above moe_gemv_max_rows tokens, Vulkan's matmul_id shader), so a 128-token chunk over 256
// experts (4 rows each) multiplies on the matrix roof, not the one-row kernel's. (llama.cpp-metal's
// profile does not say so: README Limitations, session 24's trial.)
TEST(RuntimeProfile, GgmlGroupedExpertKernelsTileWhateverTheRowsPerExpert) {
  for (const char* id : {"llama.cpp-cuda", "llama.cpp-rocm", "llama.cpp-vulkan"})
    EXPECT_TRUE(resolve_runtime(id).kernels.moe_grouped_matrix_kernel) << id;
}

// A build before an engine's matrix-kernel retune multiplies over the weights at its kernel class's
// factor of today's rate ("other" for a class the source did not measure); a build from the retune,
// and a row that states neither build nor date (today's), at today's. Attention is not a product over
// the weights: it keeps its rate.
TEST(StepOps, BuildsBeforeAMatmulRetuneMultiplyAtTheirClassFactor) {
  Scenario s = scenario(tiny_dense());
  const StepShape chunk{512, 0, 1, false, true};
  auto rate = [&](const char* op) { return find_op(s, step_ops(s, chunk), op).compute_rate; };
  const double today = rate("MLP"), attention_today = rate("attention [");
  s.runtime.kernels.matmul_retune = RuntimeSpec::EngineKernels::MatmulRetune{{.build = 7690, .date = 20260111}, {{"k", 0.667}, {"other", 0.654}}, {}};
  EXPECT_DOUBLE_EQ(rate("MLP"), today);
  s.runtime.build = 7689;
  s.quant.kernel_class = "k";
  EXPECT_DOUBLE_EQ(rate("MLP"), today * 0.667);
  s.quant.kernel_class = "f16";
  EXPECT_DOUBLE_EQ(rate("MLP"), today * 0.654);
  EXPECT_DOUBLE_EQ(rate("attention ["), attention_today);
  s.runtime.build = 7690;
  EXPECT_DOUBLE_EQ(rate("MLP"), today);
  // No build stated: a row published before the retune's day ran a build before it.
  s.runtime.build = kCurrentBuild;
  s.runtime.published_by = 20251231;
  EXPECT_DOUBLE_EQ(rate("MLP"), today * 0.654);
}

// The Vulkan profile's factors are the llama-bench table of llama.cpp PR #18749 (Radeon 8060S,
// Llama 8B pp512, before over after), "other" their geometric mean.
TEST(RuntimeProfile, VulkanMatmulRetuneFactorsAreItsSourcesTable) {
  const RuntimeSpec vk = resolve_runtime("llama.cpp-vulkan");
  ASSERT_TRUE(vk.kernels.matmul_retune.has_value());
  const auto& f = vk.kernels.matmul_retune->before_factor;
  EXPECT_NEAR(f.at("legacy"), 644.84 / 875.24, 5e-4);
  EXPECT_NEAR(f.at("k"), 529.50 / 793.51, 5e-4);
  EXPECT_NEAR(f.at("q8"), 422.37 / 742.46, 5e-4);
  EXPECT_NEAR(f.at("other"), std::cbrt(f.at("legacy") * f.at("k") * f.at("q8")), 5e-4);
  EXPECT_GT(vk.kernels.matmul_retune->since.build, 6118);  // after every 2025 Vulkan row's build
  EXPECT_LT(vk.kernels.matmul_retune->since.build, 8038);  // before every 2026 one's
}

// A retune that names its GPU architectures changes only those: an older build on another GPU
// multiplies at today's rate.
TEST(StepOps, AMatmulRetuneOnNamedArchitecturesLeavesOthersAtToday) {
  Scenario s = scenario(tiny_dense());
  const StepShape chunk{512, 0, 1, false, true};
  auto rate = [&] { return find_op(s, step_ops(s, chunk), "MLP").compute_rate; };
  s.quant.kernel_class = "mxfp4";
  const double today = rate();
  s.runtime.kernels.matmul_retune =
      RuntimeSpec::EngineKernels::MatmulRetune{{.build = 7560, .date = 20251224}, {{"mxfp4", 0.805}, {"other", 1.0}}, {"blackwell"}};
  s.runtime.build = 6918;
  s.hardware.architecture = "";
  EXPECT_DOUBLE_EQ(rate(), today);
  s.hardware.architecture = "blackwell";
  EXPECT_DOUBLE_EQ(rate(), today * 0.805);
  s.quant.kernel_class = "q8";
  const double q8_older = rate();
  s.runtime.build = 7560;
  EXPECT_DOUBLE_EQ(q8_older, rate());  // "other": 1
}

// The CUDA profile's MXFP4 factor is its source's DGX Spark table (gpt-oss 120B pp512 with flash
// attention, before over after), on Blackwell only, its boundary between the CUDA rows' builds.
TEST(RuntimeProfile, CudaMxfp4RetuneIsItsSourcesTable) {
  const RuntimeSpec cuda = resolve_runtime("llama.cpp-cuda");
  ASSERT_TRUE(cuda.kernels.matmul_retune.has_value());
  const auto& r = *cuda.kernels.matmul_retune;
  EXPECT_NEAR(r.before_factor.at("mxfp4"), 1357.26 / 1685.75, 5e-4);
  EXPECT_DOUBLE_EQ(r.before_factor.at("other"), 1.0);
  EXPECT_EQ(r.architectures, std::vector<std::string>{"blackwell"});
  EXPECT_GT(r.since.build, 6918);  // after the DGX Spark's 2025 rows
  EXPECT_LT(r.since.build, 7941);  // before its 2026 ones
  EXPECT_EQ(catalog_hardware("dgx-spark")->architecture, "blackwell");
}

// A build before the engine's f16 kernel rewrite streams f16 weights at gemv_bandwidth_factor of
// today's kernel; other kernel classes' weights, and a build from the rewrite, as today. A prefill's
// products, compute-bound, keep their time (the weights' stream is not what binds them).
TEST(StepOps, BuildsBeforeTheF16KernelRewriteStreamF16WeightsSlower) {
  Scenario s = scenario(tiny_dense());
  s.runtime.kernels.f16_kernel_rewrite = RuntimeSpec::EngineKernels::F16KernelRewrite{{.build = 1110, .date = 20230905}, 0.73};
  const StepShape chunk{512, 0, 1, false, true}, step{1, 600, 1, true, false};
  auto mlp = [&](const StepShape& shape) { return find_op(s, step_ops(s, shape), "MLP"); };
  auto seconds = [](const Op& op) { return std::max(op.compute_seconds(), op.memory_seconds()); };
  s.runtime.build = 1110;
  const double f16_today = mlp(step).bandwidth, f16_chunk_today = seconds(mlp(chunk));
  ASSERT_GT(mlp(chunk).compute_seconds(), mlp(chunk).memory_seconds() / 0.73);
  s.runtime.build = 1026;
  EXPECT_NEAR(mlp(step).bandwidth, 0.73 * f16_today, 1e-9 * f16_today);
  EXPECT_DOUBLE_EQ(seconds(mlp(chunk)), f16_chunk_today);
  s.quant = find_quantization("q4_0");
  s.runtime.build = 1110;
  const double legacy_today = mlp(step).bandwidth;
  s.runtime.build = 1026;
  EXPECT_DOUBLE_EQ(mlp(step).bandwidth, legacy_today);
}

// Before the rewrite a prefill's unfused attention products also pay the old kernel's threadgroup per
// score: their flops once more at score_rate_fraction of the fp32 peak. Not in decode, not from the
// rewrite on.
TEST(StepOps, BuildsBeforeTheF16KernelRewritePayAThreadgroupPerAttentionScore) {
  Scenario s = scenario(tiny_dense());
  s.runtime.kernels.f16_kernel_rewrite = RuntimeSpec::EngineKernels::F16KernelRewrite{{.build = 1110, .date = 20230905}, 0.73, 0.0068};
  s.runtime.always_unfused = true;  // the builds of 2023 had no fused kernel
  const StepShape chunk{512, 0, 1, false, true}, step{1, 600, 1, true, false};
  const char* old = "attention scores, old f16 kernel";
  auto has = [&](const StepShape& shape) {
    const auto ops = step_ops(s, shape);
    return std::any_of(ops.begin(), ops.end(), [&](const Op& op) { return std::string(op.what) == old; });
  };
  s.runtime.build = 1110;
  EXPECT_FALSE(has(chunk));
  s.runtime.build = 1026;
  ASSERT_TRUE(has(chunk));
  EXPECT_FALSE(has(step));
  const auto ops = step_ops(s, chunk);
  auto named = [&](const char* what) {
    return *std::find_if(ops.begin(), ops.end(), [&](const Op& op) { return std::string(op.what) == what; });
  };
  const Op scores = named(old);
  EXPECT_DOUBLE_EQ(scores.flops, named("attention").flops);
  EXPECT_DOUBLE_EQ(scores.compute_rate, 0.0068 * s.hardware.fp32.value.value);
}

// The Metal profile's boundary falls between the builds measured on either side (b1026, b1619), and
// its factor is its source's figure: F16 tg64 29.59 against 40.53 tok/s (PR #2891's table).
TEST(RuntimeProfile, MetalF16KernelRewriteIsItsSourcesFigure) {
  const RuntimeSpec metal = resolve_runtime("llama.cpp-metal");
  ASSERT_TRUE(metal.kernels.f16_kernel_rewrite.has_value());
  const auto& r = *metal.kernels.f16_kernel_rewrite;
  EXPECT_GT(r.since.build, 1026);
  EXPECT_LT(r.since.build, 1619);
  EXPECT_NEAR(r.gemv_bandwidth_factor, 29.59 / 40.53, 0.005);
}

// A 4-token MoE chunk touches min(experts, tokens x active) experts; through the binary: tests/golden/moe-chunk-experts.
TEST(StepOps, MoeChunkTouchesExperts) {
  Scenario s = scenario(tiny_moe());
  const double expert = 3 * 1024.0 * 512;
  auto decode = step_ops(s, {1, 10, 1, true, false});
  EXPECT_DOUBLE_EQ(find_op(s, decode, "routed experts").weight_bytes, 2 * 2 * expert * 2);
  auto chunk = step_ops(s, {4, 0, 1, false, true});
  // 4 tokens x 2 of 16 experts, uniform routing: an expert is missed by all 4 with (1 - 2/16)^4.
  EXPECT_DOUBLE_EQ(find_op(s, chunk, "routed experts").weight_bytes, 2 * 16 * (1 - std::pow(1 - 2.0 / 16, 4)) * expert * 2);
  auto big = step_ops(s, {512, 0, 1, false, true});
  EXPECT_DOUBLE_EQ(find_op(s, big, "routed experts").weight_bytes, 2 * 16 * expert * 2);
  EXPECT_DOUBLE_EQ(find_op(s, big, "routed experts").flops, 2 * 2 * 512 * 2 * expert);
  // Row by row (ggml-metal's mul_mv_id below 32 rows): 4 sequences each stream their 2 experts,
  // 4 x 2 = 8 expert reads per layer whether or not they coincide.
  s.runtime.coef.moe_gemv_max_rows = 31;
  auto batched = step_ops(s, {1, 10, 4, true, false});
  EXPECT_DOUBLE_EQ(find_op(s, batched, "routed experts").weight_bytes, 2 * 4 * 2 * expert * 2);
  // ... each through the one-row kernel: the multi-row kernel's bandwidth factor is not theirs,
  // while the dense projections of the same 4 rows take it.
  s.runtime.coef.gemv_max_rows = 8;
  s.runtime.coef.gemv_batch_bandwidth_factor = 0.5;
  auto factored = step_ops(s, {1, 10, 4, true, false});
  const double one_row_bw = find_op(s, decode, "routed experts").bandwidth;
  EXPECT_DOUBLE_EQ(find_op(s, factored, "routed experts").bandwidth, one_row_bw);
  EXPECT_DOUBLE_EQ(find_op(s, factored, "attention projections [2x full]").bandwidth, one_row_bw * 0.5);
  // The indexed row-by-row expert kernel streams at moe_bandwidth_factor of the dense one-row
  // kernel; grouped rows (a matrix-matrix kernel per expert) do not take it.
  s.runtime.coef.moe_bandwidth_factor = 0.6;
  EXPECT_DOUBLE_EQ(find_op(s, step_ops(s, {1, 10, 4, true, false}), "routed experts").bandwidth, one_row_bw * 0.6);
  EXPECT_DOUBLE_EQ(find_op(s, step_ops(s, {512, 0, 1, false, true}), "routed experts").bandwidth, one_row_bw);
  // A grouped expert GEMM fills its tiles with its own rows: 512 rows x 2 of 16 experts, all 16
  // touched, 64 rows each, half efficiency at moe_compute_half_rows, times moe_compute_factor.
  s.runtime.coef.moe_compute_half_rows = 32;
  s.runtime.coef.moe_compute_factor = 0.5;
  const double expert_rows = 512.0 * 2 / 16;
  EXPECT_DOUBLE_EQ(find_op(s, step_ops(s, {512, 0, 1, false, true}), "routed experts").compute_rate,
                   10e12 * expert_rows / (expert_rows + 32) * 0.5);
}

// Uneven routing (moe_routing_skew): expert i of E by popularity takes a share i^-s / sum_j j^-s of
// the routing. One row still reads its k experts; skew 0 is uniform routing; a skewed batch reads
// fewer distinct experts, and all E once rows are many.
TEST(StepOps, SkewedRoutingTouchesFewerExperts) {
  EXPECT_DOUBLE_EQ(experts_touched(16, 2, 4, 0), 16 * (1 - std::pow(1 - 2.0 / 16, 4)));
  // 4 experts, 1 per row, skew 1: shares 1, 1/2, 1/3, 1/4 over 25/12; two rows miss expert i with (1 - share)^2.
  double two_rows = 0;
  for (int i = 1; i <= 4; ++i) two_rows += 1 - std::pow(1 - (1.0 / i) / (25.0 / 12), 2);
  EXPECT_NEAR(experts_touched(4, 1, 2, 1), two_rows, 1e-12);
  for (const double skew : {0.0, 0.5, 1.0, 1.5}) {
    EXPECT_NEAR(experts_touched(128, 4, 1, skew), 4, 1e-9) << skew;
    EXPECT_NEAR(experts_touched(128, 4, 1e6, skew), 128, 1e-6) << skew;
    double last = 0;
    for (const double rows : {1.0, 2.0, 8.0, 32.0, 512.0}) {
      const double t = experts_touched(128, 4, rows, skew);
      EXPECT_GE(t, last) << skew << " " << rows;
      EXPECT_LE(t, 128) << skew << " " << rows;
      last = t;
    }
    if (skew > 0) {
      EXPECT_LT(experts_touched(128, 4, 16, skew), experts_touched(128, 4, 16, skew - 0.5));
    }
  }
  // The grouped kernel reads the touched experts once each: 4 sequences x 2 of 16 experts at skew 1.
  Scenario s = scenario(tiny_moe());
  s.runtime.coef.moe_gemv_max_rows = 1;
  s.runtime.coef.moe_routing_skew = 1;
  const double expert = 3 * 1024.0 * 512;
  EXPECT_DOUBLE_EQ(find_op(s, step_ops(s, {1, 10, 4, true, false}), "routed experts").weight_bytes,
                   2 * experts_touched(16, 2, 4, 1) * expert * 2);
}

// ggml-cuda's decode attention kernel (llama.cpp-cuda.yaml attention: vector_decode): the vector
// kernel for one sequence of a 64/128/256-wide head, not for a group of more than 4 query heads
// from 8,192 cells; else the MMA kernel, its 8-column tiles filled by one KV head's query heads.
TEST(StepOps, CudaDecodeAttentionPicksItsKernelAsGgmlDoes) {
  const RuntimeSpec cuda = resolve_runtime("llama.cpp-cuda");
  auto attention_rate = [&](const char* model, const char* quant, long long context, long long batch, const char* op) {
    Workload w;
    w.prompt = context;
    w.gen = 1;
    w.batch = batch;
    const Scenario s = make_scenario(resolve_hardware("dgx-spark"), resolve_model(model), find_quantization(quant), cuda, w);
    return std::pair{find_op(s, step_ops(s, {1, static_cast<double>(context), static_cast<double>(batch), true, false}), op).compute_rate,
                     step_invariants(s)};
  };
  // Llama 3.1 8B: 32 query heads over 8 KV heads (a group of 4), head dim 128: vector at any depth.
  auto [llama_short, inv] = attention_rate("llama-3.1-8b", "q4_0", 1000, 1, "attention [32x full]");
  EXPECT_DOUBLE_EQ(llama_short, inv.vector_attention_rate);
  EXPECT_DOUBLE_EQ(attention_rate("llama-3.1-8b", "q4_0", 16000, 1, "attention [32x full]").first, inv.vector_attention_rate);
  // Two sequences are two streams: the MMA kernel, 4 query heads filling 4 of a tile's 8 columns.
  EXPECT_DOUBLE_EQ(attention_rate("llama-3.1-8b", "q4_0", 1000, 2, "attention [32x full]").first, inv.attention_rate * 4 / 8);
  // gpt-oss-20b: 64 query heads over 8 (a group of 8), head dim 64: vector below 8,192 cells, MMA
  // with full tiles from there.
  auto [oss_short, oss_inv] = attention_rate("gpt-oss-20b", "mxfp4", 1000, 1, "attention [12x full]");
  EXPECT_DOUBLE_EQ(oss_short, oss_inv.vector_attention_rate);
  EXPECT_DOUBLE_EQ(attention_rate("gpt-oss-20b", "mxfp4", 9000, 1, "attention [12x full]").first, oss_inv.attention_rate);
  // Latent attention's 576-wide scores have no vector instance: MMA, 20 heads in ceil(20 / 8) = 3 tiles.
  auto [glm, glm_inv] = attention_rate("glm-4.7-flash", "q8_0", 1000, 1, "attention [46x mla]");
  EXPECT_DOUBLE_EQ(glm, glm_inv.attention_rate * 20 / (8 * 3));
}

// Grouped routed experts on a kernel that is matrix-matrix whatever the rows per expert (ggml-vulkan's
// mul_mat_id shader, ggml-cuda's MMQ with ids) fill its tiles with those few rows; a runtime that
// picks the kernel by rows per expert runs them on the matrix-vector roof.
TEST(StepOps, GroupedExpertsOnAMatrixKernelFillTilesWithTheirRows) {
  Scenario s = scenario(tiny_moe());
  s.runtime.coef.gemv_max_rows = 8;
  s.runtime.coef.gemv_compute_efficiency = 0.5;
  s.runtime.coef.compute_half_tokens = 6;
  s.runtime.coef.moe_compute_factor = 0.8;
  const StepShape two{2, 0, 1, false, true};
  // 2 tokens x 2 of 16 experts: touched = 16 (1 - (1 - 2/16)^2), rows per expert = 2 x 2 / touched.
  const double touched = 16 * (1 - std::pow(1 - 2.0 / 16, 2));
  const double expert_rows = 2 * 2 / touched;
  EXPECT_DOUBLE_EQ(find_op(s, step_ops(s, two), "routed experts").compute_rate, 10e12 * 0.5);
  s.runtime.kernels.moe_grouped_matrix_kernel = true;
  EXPECT_DOUBLE_EQ(find_op(s, step_ops(s, two), "routed experts").compute_rate,
                   10e12 * expert_rows / (expert_rows + 6) * 0.8);
  // The dense projections of the same 2 rows keep the matrix-vector kernel.
  EXPECT_DOUBLE_EQ(find_op(s, step_ops(s, two), "attention projections [2x full]").compute_rate, 10e12 * 0.5);
}

// MLX's fused attention kernels by head dim and release (the shipped profile): the full kernel takes
// 96 from 0.32.1, the vector kernel 192 from 0.32.0; a prediction for today takes the latest release.
TEST(StepOps, MlxFusesMoreHeadDimsFromTheReleasesThatAddedThem) {
  Scenario s = scenario(tiny_dense());
  s.runtime = resolve_runtime("mlx");
  AttentionSpec a = gqa(32, 32, 96);
  s.runtime.version = version_number("0.31.2");
  EXPECT_TRUE(unfused_attention(s, a, true));
  EXPECT_FALSE(unfused_attention(s, a, false));  // the vector kernel always had 96
  s.runtime.version = version_number("0.32.1");
  EXPECT_FALSE(unfused_attention(s, a, true));
  a.head_dim = 192;
  EXPECT_TRUE(unfused_attention(s, a, true));    // the full kernel's 192 still falls back
  EXPECT_FALSE(unfused_attention(s, a, false));  // the vector kernel's from 0.32.0
  s.runtime.version = version_number("0.31.2");
  EXPECT_TRUE(unfused_attention(s, a, false));
  a.head_dim = 96;
  s.runtime.version = 0;  // no release stated: today's
  EXPECT_FALSE(unfused_attention(s, a, true));
  // A wrapper runs its engine's kernels, and its attention: the engine's head dims and score bytes.
  s.runtime = resolve_runtime("mlx-server");
  EXPECT_FALSE(unfused_attention(s, a, true));
  const RuntimeSpec engine = resolve_runtime("mlx");
  for (const char* wrapper : {"mlx-server", "vllm-mlx"}) {
    const RuntimeSpec w = resolve_runtime(wrapper);
    EXPECT_EQ(w.fused_prefill_head_dims, engine.fused_prefill_head_dims) << wrapper;
    EXPECT_EQ(w.fused_decode_head_dims, engine.fused_decode_head_dims) << wrapper;
    EXPECT_EQ(w.coef.transient_bytes_per_score, engine.coef.transient_bytes_per_score) << wrapper;
  }
}

// An expert-sorted kernel whose tile of T rows runs one whole tile product per run of one expert's
// rows it holds (MLX's gather_qmm_rhs): r rows per expert take (r + T) rows' time. The tile is the
// GPU architecture's where the profile names one, and from the release that added it the small tile
// where the rows per expert over all experts fall below the tile.
TEST(StepOps, ExpertSortedKernelRunsAWholeTilePerExpertRun) {
  Scenario s = scenario(tiny_moe());
  s.runtime.coef.moe_compute_half_rows = 99;  // not read where the tile is named
  s.runtime.coef.moe_compute_factor = 0.5;
  s.runtime.kernels.moe_grouped_matrix_kernel = true;
  s.runtime.kernels.expert_tile = {16, 0, 0, 0};
  s.runtime.kernels.expert_tile_by_architecture["neural-accelerators"] = {64, 32, version_number("0.32.1"), 20260817};
  auto rate = [&](double rows) { return find_op(s, step_ops(s, {rows, 0, 1, false, true}), "routed experts").compute_rate; };
  // 256 rows x 2 of 16 experts: an expert is missed by all with (1 - 2/16)^256, so about 32 rows each.
  const double r = 256.0 * 2 / (16 * (1 - std::pow(1 - 2.0 / 16, 256)));
  const double r4 = 1024.0 * 2 / (16 * (1 - std::pow(1 - 2.0 / 16, 1024)));
  EXPECT_DOUBLE_EQ(rate(256), 10e12 * r / (r + 16) * 0.5);
  s.hardware.architecture = "neural-accelerators";
  s.runtime.version = version_number("0.31.2");
  EXPECT_DOUBLE_EQ(rate(256), 10e12 * r / (r + 64) * 0.5);
  // From 0.32.1, 32 rows per expert (below 64) take the 32-row tile; 128 rows per expert keep 64.
  s.runtime.version = version_number("0.32.1");
  EXPECT_DOUBLE_EQ(rate(256), 10e12 * r / (r + 32) * 0.5);
  EXPECT_DOUBLE_EQ(rate(1024), 10e12 * r4 / (r4 + 64) * 0.5);
  // No version stated: a row published before the release's day ran the 64-row tile; today's, the 32.
  s.runtime.version = kCurrentVersion;
  s.runtime.published_by = 20260614;
  EXPECT_DOUBLE_EQ(rate(256), 10e12 * r / (r + 64) * 0.5);
  s.runtime.published_by = 0;
  EXPECT_DOUBLE_EQ(rate(256), 10e12 * r / (r + 32) * 0.5);
  // A wrapper's version is its own (vllm-mlx 0.3.0), not the engine's: it goes by date.
  s.runtime.wraps = "mlx";
  s.runtime.version = version_number("0.3.0");
  EXPECT_DOUBLE_EQ(rate(256), 10e12 * r / (r + 32) * 0.5);
}

// Where the release's products multiply on matrix units, the expert kernel also takes
// moe_matrix_units_factor; without matrix units, or in a release before the matrix-unit kernels, it
// does not. A named expert tile sets its half point there as elsewhere (MLX's gather_qmm_rhs); a
// kernel without one (ggml's kernel_mul_mm_id) takes moe_matrix_units_half_rows on matrix units and
// moe_compute_half_rows off them.
TEST(StepOps, ExpertKernelOnMatrixUnitsTakesItsOwnFactor) {
  Scenario s = scenario(tiny_moe());
  s.runtime.coef.moe_compute_factor = 0.5;
  s.runtime.coef.moe_matrix_units_factor = 0.6;
  s.runtime.coef.moe_compute_half_rows = 20;
  s.runtime.coef.moe_matrix_units_half_rows = 4;
  s.runtime.kernels.moe_grouped_matrix_kernel = true;
  s.runtime.kernels.expert_tile = {16, 0, 0, 0};
  s.hardware.architecture = "neural-accelerators";
  s.hardware.matrix_fp16 = Sourced<FlopRate>{FlopRate(40e12), "test", ""};
  s.runtime.kernels.products_on_matrix_units = Release{.version = version_number("0.30.0"), .date = 20251119};
  s.runtime.version = version_number("0.31.2");
  auto rate = [&] { return find_op(s, step_ops(s, {256, 0, 1, false, true}), "routed experts").compute_rate; };
  // 256 rows x 2 of 16 experts, about 32 rows each, (r + 16) rows' time on the 16-row tile.
  const double r = 256.0 * 2 / (16 * (1 - std::pow(1 - 2.0 / 16, 256)));
  EXPECT_DOUBLE_EQ(rate(), 40e12 * r / (r + 16) * 0.5 * 0.6);
  s.runtime.kernels.expert_tile = {};  // no tile named: the kernel's half point on matrix units
  EXPECT_DOUBLE_EQ(rate(), 40e12 * r / (r + 4) * 0.5 * 0.6);
  s.runtime.coef.moe_matrix_units_half_rows = 0;  // none fitted there: the one off them
  EXPECT_DOUBLE_EQ(rate(), 40e12 * r / (r + 20) * 0.5 * 0.6);
  s.runtime.coef.moe_matrix_units_half_rows = 4;
  s.runtime.version = version_number("0.29.0");  // a release before the matrix-unit kernels: the SIMD peak, no factor
  EXPECT_DOUBLE_EQ(rate(), 10e12 * r / (r + 20) * 0.5);
  s.runtime.version = version_number("0.31.2");
  s.hardware.matrix_fp16.reset();  // a GPU without matrix units: its SIMD peak, no factor
  EXPECT_DOUBLE_EQ(rate(), 10e12 * r / (r + 20) * 0.5);
}

// The expert-sorted kernel runs only from sorted_min_rows_per_expert rows per expert over all experts
// (MLX: B / E >= 4); below it each row streams its own experts' weights, coinciding or not.
TEST(StepOps, RowsBelowTheSortedKernelsThresholdStreamTheirExperts) {
  Scenario s = scenario(tiny_moe());
  s.runtime.coef.moe_gemv_max_rows = 7;
  s.runtime.kernels.sorted_min_rows_per_expert = 4;
  const double expert = 3 * 1024.0 * 512;
  auto bytes = [&](double rows) { return find_op(s, step_ops(s, {rows, 0, 1, false, true}), "routed experts").weight_bytes; };
  // 31 rows x 2 = 62 < 4 x 16: 2 layers x 31 rows x 2 experts each, read in f16.
  EXPECT_DOUBLE_EQ(bytes(31), 2 * 31 * 2 * expert * 2);
  // 32 rows x 2 = 64: grouped, each touched expert read once.
  EXPECT_DOUBLE_EQ(bytes(32), 2 * 16 * (1 - std::pow(1 - 2.0 / 16, 32)) * expert * 2);
  // A release before the sorted kernel (MLX before 0.25.0) runs a matrix-vector product per row and
  // expert in expert order: each touched expert is read once (the next rows find it in cache), and
  // the products run on the matrix-vector roof however many rows an expert has.
  s.runtime.kernels.sorted_since_version = version_number("0.25.0");
  s.runtime.kernels.sorted_since_date = 20250417;
  s.runtime.coef.gemv_max_rows = 8;
  s.runtime.coef.gemv_compute_efficiency = 0.5;
  s.runtime.version = version_number("0.24.0");
  EXPECT_DOUBLE_EQ(bytes(512), 2 * 16 * (1 - std::pow(1 - 2.0 / 16, 512)) * expert * 2);
  EXPECT_DOUBLE_EQ(find_op(s, step_ops(s, {512, 0, 1, false, true}), "routed experts").compute_rate, 10e12 * 0.5);
  s.runtime.version = version_number("0.25.0");
  EXPECT_NE(find_op(s, step_ops(s, {512, 0, 1, false, true}), "routed experts").compute_rate, 10e12 * 0.5);
}

// A build that hands products of blas.min_rows rows and more to a BLAS (ggml-cuda on RDNA3 before
// its WMMA MMQ): the f16 GEMM at the library's factor, over a dequantized f16 copy of the weights
// (written, then read: 2 + 2 bytes per weight beyond the quantized ones). Below min_rows, with no
// library, or for f16 weights (no dequantization) the runtime's own kernels.
TEST(StepOps, BlasPathDequantizesThenRunsTheLibrarysGemm) {
  Workload w;
  Scenario s = scenario(tiny_dense(), w, "q8_0");
  s.runtime.coef.quant_compute_factor["q8"] = 0.5;
  s.runtime.coef.blas_compute_factor["rocblas"] = 0.25;
  s.runtime.kernels.blas.min_rows = 64;
  s.runtime.kernels.blas.library = "rocblas";
  const double params = 1024.0 * (1024 + 2 * 256 + 1024);  // q, k, v (2 KV heads x 128), o
  const double q8_bytes = params * s.quant.matrix_bpw / 8;
  const StepShape chunk{512, 0, 1, false, true}, small{32, 0, 1, false, true};
  auto proj = [&](const StepShape& shape) { return find_op(s, step_ops(s, shape), "attention projections [4x full]"); };
  EXPECT_DOUBLE_EQ(proj(chunk).compute_rate, 10e12 * 0.5);  // no library: the quantized kernels
  EXPECT_DOUBLE_EQ(proj(chunk).weight_bytes, 4 * q8_bytes);
  s.runtime.blas_library = "rocblas";
  EXPECT_DOUBLE_EQ(proj(chunk).compute_rate, 10e12 * 0.25);
  EXPECT_DOUBLE_EQ(proj(chunk).weight_bytes, 4 * (q8_bytes + params * (2 + 2)));
  EXPECT_DOUBLE_EQ(proj(small).compute_rate, 10e12 * 0.5);  // 32 < 64 rows: MMQ
  EXPECT_DOUBLE_EQ(proj(small).weight_bytes, 4 * q8_bytes);
  Scenario f16 = scenario(tiny_dense(), w, "f16");
  f16.runtime = s.runtime;
  EXPECT_DOUBLE_EQ(find_op(f16, step_ops(f16, chunk), "attention projections [4x full]").weight_bytes, 4 * params * 2);
}

// In a build of the BLAS era the routed experts stay on the runtime's quantized kernels (mul_mat_id:
// MMQ with the ids, or per expert over its gathered rows, below the library's row limit), so they read
// no dequantized copy; those kernels, dense products below min_rows included, run at the era's factor.
TEST(StepOps, BlasEraExpertsStayOnTheEraQuantizedKernels) {
  Workload w;
  Scenario s = scenario(tiny_moe(), w, "q8_0");
  s.runtime.coef.quant_compute_factor["q8"] = 0.5;
  s.runtime.coef.blas_compute_factor["rocblas"] = 0.25;
  s.runtime.coef.blas_era_compute_factor[kBlasEraOwnKernels] = 0.8;
  s.runtime.kernels.blas.min_rows = 64;
  s.runtime.kernels.blas.library = "rocblas";
  const double expert = 3 * 1024.0 * 512;
  const StepShape chunk{512, 0, 1, false, true}, small{32, 0, 1, false, true};
  auto op = [&](const StepShape& shape, const char* what) { return find_op(s, step_ops(s, shape), what); };
  const Op today = op(chunk, "routed experts");
  s.runtime.blas_library = "rocblas";
  const Op era = op(chunk, "routed experts");
  EXPECT_DOUBLE_EQ(era.weight_bytes, 2 * 16 * expert * s.quant.expert_bpw / 8);  // every expert, no f16 copy
  EXPECT_DOUBLE_EQ(era.weight_bytes, today.weight_bytes);
  EXPECT_NEAR(era.compute_rate, 0.8 * today.compute_rate, 1e-9 * today.compute_rate);
  EXPECT_DOUBLE_EQ(op(chunk, "attention projections").compute_rate, 10e12 * 0.25);  // dense: the library
  EXPECT_DOUBLE_EQ(op(small, "attention projections").compute_rate, 10e12 * 0.5 * 0.8);  // below min_rows: the era's MMQ
}

// A measured build's older flash-attention kernel (the 2025 HIP tile or WMMA kernel) runs fused
// prefill attention at its factor of today's rate; the vector decode kernel and the unfused path
// (GEMMs) are other kernels and keep their rates.
TEST(StepOps, AnOlderFlashAttentionKernelRunsAtItsFactor) {
  Scenario s = scenario(tiny_dense());
  s.runtime.kernels.vector_decode_attention = true;  // as ggml's backends: flash_attn_ext_vec for a few rows
  s.runtime.coef.gemv_max_rows = 8;
  s.runtime.coef.attention_kernel_factor["tile"] = 0.1;
  const StepShape chunk{512, 4096, 1, false, true}, decode{1, 4096, 1, true, false};
  auto rate = [&](const StepShape& shape) { return find_op(s, step_ops(s, shape), "attention [").compute_rate; };
  const double today = rate(chunk), today_decode = rate(decode);
  s.runtime.attention_kernel = "tile";
  EXPECT_NEAR(rate(chunk), 0.1 * today, 1e-12 * today);
  EXPECT_DOUBLE_EQ(rate(decode), today_decode);
  s.runtime.always_unfused = true;
  const double unfused = rate(chunk);
  s.runtime.attention_kernel.clear();
  EXPECT_DOUBLE_EQ(rate(chunk), unfused);
}

// A runtime that copies each row's experts out by index (PyTorch W[expert_indices]) moves their
// weights three times: read by the gather, written as the copy, read by the product. Only in the
// row-by-row regime: grouped rows read each touched expert in place.
TEST(StepOps, GatheredExpertWeightsAreReadWrittenAndReadAgain) {
  Scenario s = scenario(tiny_moe());
  const double expert = 3 * 1024.0 * 512;
  s.runtime.kernels.moe_gathers_expert_weights = true;
  s.runtime.coef.moe_gemv_max_rows = 1;  // as the PyTorch profiles: one row is row by row
  auto decode = step_ops(s, {1, 10, 1, true, false});
  EXPECT_DOUBLE_EQ(find_op(s, decode, "routed experts").weight_bytes, 3 * (2 * 2 * expert * 2));
  auto big = step_ops(s, {512, 0, 1, false, true});
  EXPECT_DOUBLE_EQ(find_op(s, big, "routed experts").weight_bytes, 2 * 16 * expert * 2);
}

// A runtime whose fused attention for a few query rows is a vector kernel (ggml's
// flash_attn_ext_vec, MLX's sdpa_vector) runs it on the ALUs at its own efficiency; a chunk
// of many rows keeps the matrix kernel's roof, as does a runtime whose decode kernel is a matrix one.
TEST(StepOps, VectorDecodeAttentionRunsOnTheAlus) {
  Scenario s = scenario(tiny_dense());
  s.runtime.coef.gemv_max_rows = 8;
  s.runtime.coef.vector_attention_efficiency = 0.25;
  s.runtime.coef.attention_efficiency = 0.5;
  s.hardware.fp32.value = FlopRate(4e12);
  s.hardware.fp16.value = FlopRate(16e12);
  const double vector_roof = 4e12 * 0.25;
  const double matrix_roof = s.hardware.matmul_peak().value * 0.5;
  s.runtime.kernels.vector_decode_attention = true;
  EXPECT_DOUBLE_EQ(find_op(s, step_ops(s, {1, 1000, 1, true, false}), "attention [4x full]").compute_rate, vector_roof);
  EXPECT_DOUBLE_EQ(find_op(s, step_ops(s, {512, 0, 1, false, true}), "attention [4x full]").compute_rate, matrix_roof);
  s.runtime.kernels.vector_decode_attention = false;
  EXPECT_DOUBLE_EQ(find_op(s, step_ops(s, {1, 1000, 1, true, false}), "attention [4x full]").compute_rate, matrix_roof);
}

// An engine whose fused attention kernels run differently over wide score heads (profile attention:
// wide_heads; ggml-metal from 512) runs a prefill's attention over such a layer at
// wide_head_attention_factor of its rate and a decode step's vector kernel at
// wide_head_vector_attention_factor; narrower heads, the unfused path and an engine without the
// kernels keep their rates.
TEST(StepOps, WideHeadAttentionRunsAtItsOwnFactors) {
  ModelSpec narrow = tiny_dense(), wide = tiny_dense();
  wide.layers.clear();
  append_layers(wide, 4, gqa(8, 2, 512), dense(4096));
  auto rates = [](const ModelSpec& m, int from_dim, bool unfused = false) {
    Scenario s = scenario(m);
    s.runtime.kernels.vector_decode_attention = true;
    s.runtime.coef.gemv_max_rows = 8;
    s.runtime.coef.vector_attention_efficiency = 0.25;
    s.runtime.coef.attention_efficiency = 0.5;
    s.runtime.coef.wide_head_attention_factor = 0.8;
    s.runtime.coef.wide_head_vector_attention_factor = 0.7;
    s.runtime.kernels.wide_head_min_dim = from_dim;
    s.runtime.always_unfused = unfused;
    s.hardware.fp32.value = FlopRate(4e12);
    s.hardware.fp16.value = FlopRate(16e12);
    const double prefill = find_op(s, step_ops(s, {512, 4096, 1, false, true}), "attention [4x full]").compute_rate;
    const double decode = find_op(s, step_ops(s, {1, 4096, 1, true, false}), "attention [4x full]").compute_rate;
    return std::tuple{prefill, decode, s.hardware.matmul_peak().value * 0.5};
  };
  const double vector_roof = 4e12 * 0.25;
  auto [prefill, decode, matrix_roof] = rates(wide, 512);
  EXPECT_NEAR(prefill, matrix_roof * 0.8, 1e-9 * matrix_roof);
  EXPECT_NEAR(decode, vector_roof * 0.7, 1e-9 * vector_roof);
  auto [narrow_prefill, narrow_decode, narrow_roof] = rates(narrow, 512);
  EXPECT_DOUBLE_EQ(narrow_prefill, narrow_roof);
  EXPECT_DOUBLE_EQ(narrow_decode, vector_roof);
  auto [no_kernels_prefill, no_kernels_decode, roof] = rates(wide, 0);
  EXPECT_DOUBLE_EQ(no_kernels_prefill, roof);
  EXPECT_DOUBLE_EQ(no_kernels_decode, vector_roof);
  // The unfused path multiplies its scores as GEMMs: the same rate either way.
  EXPECT_DOUBLE_EQ(std::get<0>(rates(wide, 512, true)), std::get<0>(rates(wide, 0, true)));
}

// Latent attention scores over its 576-wide latent and rotary part, DeepSeek-V4's compressed layers
// over 512-wide heads: the shipped Metal profile's wide-head kernels take both, a 128-wide head stays
// on the narrow kernels, and a runtime held to the unfused path (-fa 0) runs none of them.
TEST(StepOps, LatentAndCompressedAttentionTakeTheMetalWideHeadKernels) {
  RuntimeSpec metal = resolve_runtime("llama.cpp-metal");
  ASSERT_EQ(metal.kernels.wide_head_min_dim, 512);
  metal.coef.wide_head_vector_attention_factor = 0.5;
  Workload w;
  w.prompt = 4096;
  w.gen = 1;
  auto decode_rate = [&](const RuntimeSpec& rt, const char* model, const char* quant, const char* op) {
    const Scenario s = make_scenario(resolve_hardware("m3-ultra-80c"), resolve_model(model), find_quantization(quant), rt, w);
    return std::pair{find_op(s, step_ops(s, {1, 4096, 1, true, false}), op).compute_rate, step_invariants(s).vector_attention_rate};
  };
  auto [glm, glm_vector] = decode_rate(metal, "glm-4.7-flash", "q8_0", "attention [46x mla]");
  EXPECT_DOUBLE_EQ(glm, glm_vector * 0.5);
  auto [dsv4, dsv4_vector] = decode_rate(metal, "deepseek-v4-flash", "q4_k_m", "attention [21x compressed]");
  EXPECT_DOUBLE_EQ(dsv4, dsv4_vector * 0.5);
  auto [llama, llama_vector] = decode_rate(metal, "llama-3.1-8b", "q8_0", "attention [32x full]");
  EXPECT_DOUBLE_EQ(llama, llama_vector);
  const Scenario glm_scenario = make_scenario(resolve_hardware("m3-ultra-80c"), resolve_model("glm-4.7-flash"), find_quantization("q8_0"), metal, w);
  EXPECT_TRUE(runs_wide_head_attention(glm_scenario));
  RuntimeSpec unfused = metal;
  unfused.always_unfused = true;
  const Scenario held = make_scenario(resolve_hardware("m3-ultra-80c"), resolve_model("glm-4.7-flash"), find_quantization("q8_0"), unfused, w);
  EXPECT_FALSE(runs_wide_head_attention(held));
  EXPECT_DOUBLE_EQ(find_op(held, step_ops(held, {1, 4096, 1, true, false}), "attention [46x mla]").compute_rate,
                   step_invariants(held).vector_attention_rate);
}

// MLA reads its compressed latent and attends over it (absorbed form); through the binary: tests/golden/mla-latent-decode.
TEST(StepOps, MlaDecodeReadsTheLatent) {
  ModelSpec m = tiny_dense();
  m.layers.clear();
  AttentionSpec a;
  a.kind = AttentionKind::mla;
  a.q_heads = 16;
  a.kv_heads = 1;
  a.head_dim = 192;
  a.v_head_dim = 128;
  a.kv_lora_rank = 512;
  a.rope_dim = 64;
  append_layers(m, 2, a, dense(4096));
  Scenario s = scenario(m);
  auto ops = step_ops(s, {1, 999, 1, true, false});
  const Op& att = find_op(s, ops, "attention [2x mla]");
  EXPECT_DOUBLE_EQ(att.kv_read_bytes, 2 * 1000 * (512 + 64) * 2.0);
  EXPECT_DOUBLE_EQ(att.flops, 2 * 2.0 * 16 * ((512 + 64) + 512) * 1000);
}

// A compressed layer at decode (query at position 1000): the raw window (16 rows) and the pooled rows,
// the indexer's top 8 where the runtime gathers them, all 250 where it masks the rest (llama.cpp).
TEST(StepOps, CompressedDecodeAttendsTheWindowAndPooledRows) {
  ModelSpec m = tiny_dense();
  m.layers.clear();
  append_layers(m, 1, small_compressed(4), dense(4096));
  append_layers(m, 1, small_compressed(128), dense(4096));
  Scenario s = scenario(m);
  const double row = 64 * 2.0, pooled_4 = 1000 / 4.0, pooled_128 = 1000 / 128.0;
  auto ops = step_ops(s, {1, 999, 1, true, false});
  const Op& sparse = find_op(s, ops, "attention [1x compressed]");  // the first: the ratio-4 layer's
  EXPECT_DOUBLE_EQ(sparse.flops, 2 * 8.0 * (64 + 64) * (16 + 8));
  EXPECT_DOUBLE_EQ(sparse.kv_read_bytes, (17 + 8) * row);
  const Op& idx = find_op(s, ops, "indexer [1x compressed]");
  EXPECT_DOUBLE_EQ(idx.flops, 2 * 4.0 * 16 * pooled_4);
  EXPECT_DOUBLE_EQ(idx.kv_read_bytes, pooled_4 * 16 * 2.0);
  s.runtime.kernels.compressed_attention_masked = true;
  ops = step_ops(s, {1, 999, 1, true, false});
  std::vector<const Op*> att;
  for (const auto& op : ops)
    if (std::string(op.what) == "attention") att.push_back(&op);
  ASSERT_EQ(att.size(), 2u);
  EXPECT_DOUBLE_EQ(att[0]->flops, 2 * 8.0 * (64 + 64) * (16 + pooled_4));
  EXPECT_DOUBLE_EQ(att[0]->kv_read_bytes, (17 + pooled_4) * row);
  EXPECT_DOUBLE_EQ(att[0]->activation_bytes, 2 * (17 + pooled_4) * row);  // the concatenated key tensor
  // Ratio 128 has no indexer: every pooled row either way.
  EXPECT_DOUBLE_EQ(att[1]->flops, 2 * 8.0 * (64 + 64) * (16 + pooled_128));
  // In a prefill chunk the indexer's f32 scores run on the fp32 ALUs, the attention on the matmul peak.
  s.hardware.fp16.value = FlopRate(40e12);
  s.runtime.coef.attention_efficiency = 0.5;
  ops = step_ops(s, {64, 4096, 1, false, true});
  EXPECT_DOUBLE_EQ(find_op(s, ops, "indexer [1x compressed]").compute_rate, 10e12 * 0.5);
  EXPECT_DOUBLE_EQ(find_op(s, ops, "attention [1x compressed]").compute_rate, s.hardware.matmul_peak().value * 0.5);
  EXPECT_GT(s.hardware.matmul_peak().value, 10e12);
}

// A hybrid linear-attention layer reads and writes its state once per step; through the binary: tests/golden/hybrid-linear-state.
TEST(StepOps, HybridLinearStateTraffic) {
  Scenario s = scenario(tiny_hybrid(linear_attention(5e6, 2e6, 1e6), dense(4096)));
  auto ops = step_ops(s, {1, 100000, 1, true, false});
  const Op& st = find_op(s, ops, "state update [3x linear]");
  EXPECT_DOUBLE_EQ(st.kv_read_bytes + st.kv_write_bytes, 3 * 2 * 2e6);
  EXPECT_DOUBLE_EQ(find_op(s, ops, "attention projections [3x linear]").weight_bytes, 3 * 5e6 * 2);
}

// A wrapper on an older engine build pays its extra kernels per routed-expert and per
// linear-attention layer, at the engine's kernel latency; one whose profile names its snapshot
// also sums each token's experts with k - 1 unfused adds.
TEST(StepOverhead, WrapperKernelsPerMoeAndLinearLayer) {
  Scenario s = scenario(tiny_hybrid(linear_attention(5e6), moe(16, 2, 512)));
  s.runtime.coef.launch_overhead_us = 5;
  const double engine = step_overhead_seconds(s);
  s.runtime.coef.wrapper_moe_kernels_per_layer = 10;
  s.runtime.coef.wrapper_linear_kernels_per_layer = 28;
  const double latency = s.runtime.coef.launch_overhead_us * 1e-6;
  EXPECT_NEAR(step_overhead_seconds(s) - engine, (10 * (3 + 1) + 28 * 3) * latency, 1e-15);
  // A wrapper that moved to the upstream engine at a version (Ollama 0.30): the versions before it
  // pay the snapshot's kernels, its unfused expert sum too (k - 1 = 1 add per routed-expert layer
  // at top-2); from that version on, and today's version, none.
  s.runtime.vendored_engine_until_version = version_number("0.30.0");
  s.runtime.version = version_number("0.12.6");
  EXPECT_NEAR(step_overhead_seconds(s) - engine, ((10 + (2 - 1)) * (3 + 1) + 28 * 3) * latency, 1e-15);
  s.runtime.version = version_number("0.30.0");
  EXPECT_NEAR(step_overhead_seconds(s), engine, 1e-15);
  s.runtime.version = kCurrentVersion;
  EXPECT_NEAR(step_overhead_seconds(s), engine, 1e-15);
}

// A chip generation's kernel latency (its GPU's clock and dispatch) multiplies the tier's: the same
// kernels on an M3 at generation_launch_factor 1.1 take 1.1 times as long; another generation's
// factor, or none, leaves it.
TEST(StepOverhead, GenerationLaunchFactorScalesTheKernelLatencyOfItsGeneration) {
  Scenario s = scenario(tiny_dense());
  s.runtime.coef.launch_overhead_us = 5, s.runtime.coef.kernels_per_layer = 10, s.runtime.coef.step_overhead_ms = 0;
  s.hardware.family = "m3";
  const double base = step_overhead_seconds(s);
  ASSERT_GT(base, 0);
  s.runtime.coef.generation_launch_factor["m5"] = 0.8;
  EXPECT_DOUBLE_EQ(step_overhead_seconds(s), base);
  s.runtime.coef.generation_launch_factor["m3"] = 1.1;
  EXPECT_NEAR(step_overhead_seconds(s), 1.1 * base, 1e-15);
  s.runtime.coef.tier_launch_factor[s.hardware.tier] = 2;
  EXPECT_NEAR(step_overhead_seconds(s), 2 * 1.1 * base, 1e-15);
}

// A build before the engine's fused linear-attention kernel runs each linear-attention layer's
// recurrence as a chain of generic ops: decomposed_linear_kernels_per_layer more kernels per such
// layer at the kernel latency; a build from it, today's build, and full-attention layers pay none.
// A wrapper's vendored snapshot of the engine runs the chain too, whatever its date.
TEST(StepOverhead, BuildsBeforeTheFusedRecurrenceRunItAsAChain) {
  Scenario s = scenario(tiny_hybrid(linear_attention(5e6), dense(4096)));
  s.runtime.coef.launch_overhead_us = 5;
  const double latency = 5e-6;
  const double today = step_overhead_seconds(s);
  s.runtime.kernels.fused_linear_attention_since_build = 8000;
  s.runtime.kernels.fused_linear_attention_since_date = 20260320;
  s.runtime.kernels.decomposed_linear_kernels_per_layer = 12;
  EXPECT_NEAR(step_overhead_seconds(s), today, 1e-15);
  s.runtime.build = 7999;
  EXPECT_NEAR(step_overhead_seconds(s) - today, 12 * 3 * latency, 1e-15);
  s.runtime.build = 8000;
  EXPECT_NEAR(step_overhead_seconds(s), today, 1e-15);
  // No build stated: a row published before the boundary's day ran a build before it.
  s.runtime.build = kCurrentBuild;
  s.runtime.published_by = 20260315;
  EXPECT_NEAR(step_overhead_seconds(s) - today, 12 * 3 * latency, 1e-15);
  // A wrapper version that ran its own snapshot (before 0.30) pays the chain after the boundary too.
  s.runtime.published_by = 20260420;
  s.runtime.vendored_engine_until_version = version_number("0.30.0");
  s.runtime.version = version_number("0.20.0");
  EXPECT_NEAR(step_overhead_seconds(s) - today, 12 * 3 * latency, 1e-15);
  s.runtime.version = version_number("0.30.0");
  EXPECT_NEAR(step_overhead_seconds(s), today, 1e-15);
}

// A layer's kernels follow its structure: a Llama layer is 11 attention + 6 MLP kernels; query/key
// norms and Gemma's output norms add 2 each (so a Gemma 3 layer is 21); latent attention with a
// compressed query runs 16 attention kernels. The runtime's kernels_per_layer is a Llama layer's,
// and other layers scale it.
TEST(StepOverhead, KernelsFollowTheLayerStructure) {
  LayerGroup llama{1, gqa(8, 2, 128), dense(4096)};
  EXPECT_DOUBLE_EQ(layer_kernels(llama), kLlamaLayerKernels);
  EXPECT_DOUBLE_EQ(kLlamaLayerKernels, 11 + 6);
  LayerGroup gemma = llama;
  gemma.attention.qk_norm = gemma.attention.post_norms = true;
  EXPECT_DOUBLE_EQ(layer_kernels(gemma), 11 + 2 + 1 + 6 + 1);
  LayerGroup latent = llama;
  latent.attention.kind = AttentionKind::mla;
  latent.attention.q_lora_rank = 768;
  EXPECT_DOUBLE_EQ(layer_kernels(latent), 16 + 6);
  // DeepSeek-V4 (llama.cpp's deepseek4 graph): the attention core 25, a compressor 35 over overlapping
  // windows (25 otherwise), an indexer 35 + 9; the MLP as any.
  LayerGroup compressed{1, small_compressed(4), dense(4096)};
  EXPECT_DOUBLE_EQ(layer_kernels(compressed), 25 + 35 + 35 + 9 + 6);
  compressed.attention = small_compressed(128);
  EXPECT_DOUBLE_EQ(layer_kernels(compressed), 25 + 25 + 6);
  ModelSpec m = tiny_dense();
  m.layers.clear();
  append_layers(m, 3, gemma.attention, dense(4096));
  Scenario s = scenario(m);
  s.runtime.coef.launch_overhead_us = 5;
  s.runtime.coef.kernels_per_layer = 10;
  s.runtime.coef.step_overhead_ms = 0;
  EXPECT_NEAR(step_overhead_seconds(s), 3 * 10 * (21.0 / 17) * 5e-6, 1e-15);
}

TEST(Versions, ReadAsTwoOrThreeNumbers) {
  EXPECT_EQ(version_number("0.30"), 30 * 1000);
  EXPECT_EQ(version_number("0.30.0"), 30 * 1000);
  EXPECT_EQ(version_number("v0.12.6"), 12 * 1000 + 6);
  EXPECT_EQ(version_number("1.2.3"), 1 * 1000000 + 2 * 1000 + 3);
  for (const char* bad : {"", "0", "v", "0.", "0.30.", "1.2.3.4", "0.x", "0.1000", "abc", "0.30.0-rc3"})
    EXPECT_EQ(version_number(bad), -1) << bad;
}

// A build before the engine's concurrent dispatch waits for each kernel in turn: its kernel
// latency is serial_dispatch_launch_factor times the concurrent build's. Today's build (what a user
// predicts, and a measurement stating none), a stated build from the boundary on, and a runtime
// stating no boundary pay 1 times.
TEST(StepOverhead, BuildsBeforeConcurrentDispatchPayTheSerialFactor) {
  Scenario s = scenario(tiny_dense());
  s.runtime.coef.launch_overhead_us = 5;
  s.runtime.coef.kernels_per_layer = 12;
  s.runtime.coef.step_overhead_ms = 0;
  s.runtime.coef.serial_dispatch_launch_factor = 1.5;
  const double concurrent = 12 * 4 * 5e-6;  // 12 kernels x 4 layers x 5 us
  EXPECT_NEAR(step_overhead_seconds(s), concurrent, 1e-15);  // no boundary stated
  s.runtime.kernels.concurrent_dispatch_since_build = 6451;
  s.runtime.build = 6450;
  EXPECT_NEAR(step_overhead_seconds(s), concurrent * 1.5, 1e-15);
  s.runtime.build = 1026;
  EXPECT_NEAR(step_overhead_seconds(s), concurrent * 1.5, 1e-15);
  s.runtime.build = 6451;
  EXPECT_NEAR(step_overhead_seconds(s), concurrent, 1e-15);
  s.runtime.build = kCurrentBuild;
  EXPECT_NEAR(step_overhead_seconds(s), concurrent, 1e-15);
}

// A build before concurrent dispatch waits for each matrix-matrix product's last wave to drain:
// the GPU's cores x serial_drain_tiles_per_core tile slots idle for half a tile's time, a tile of
// 64 x matrix_tile_rows outputs over the product's input width K. Today's build does not wait;
// matrix-vector products (decode) are not tiled.
TEST(Physics, SerialBuildsWaitForEachMatrixProductToDrain) {
  Scenario s = scenario(tiny_dense());
  s.hardware.gpu_cores.value = 10;
  s.runtime.coef.matrix_tile_rows = 32;
  s.runtime.coef.serial_drain_tiles_per_core = 3;
  s.runtime.coef.gemv_max_rows = 8;
  s.runtime.kernels.concurrent_dispatch_since_build = 6451;
  auto op_seconds = [&](const char* what, double rows) {
    return find_op(s, step_ops(s, StepShape{rows, 0, 1, true, rows > 1}), what).compute_seconds();
  };
  const double rate = 10e12, layers = 4, rows = 512;
  const double drain_per_input = 64 * 32 * 10 * 3;  // tile outputs x tile slots on the GPU
  const double proj_flops = 2 * rows * (1024 * 1024 + 2 * 1024 * 256 + 1024 * 1024);
  const double mlp_flops = 2 * rows * 3 * 1024 * 4096;
  const double today_proj = op_seconds("attention projections", rows), today_mlp = op_seconds("MLP", rows);
  const double today_decode = op_seconds("MLP", 1);
  EXPECT_NEAR(today_proj, layers * proj_flops / rate, 1e-9 * today_proj);
  s.runtime.build = 6450;
  EXPECT_NEAR(op_seconds("attention projections", rows),
              layers * (proj_flops + drain_per_input * (3 * 1024 + 8 * 128)) / rate, 1e-9 * today_proj);
  EXPECT_NEAR(op_seconds("MLP", rows), layers * (mlp_flops + drain_per_input * (2 * 1024 + 4096)) / rate, 1e-9 * today_mlp);
  EXPECT_DOUBLE_EQ(op_seconds("MLP", 1), today_decode);
  s.runtime.build = 6451;
  EXPECT_DOUBLE_EQ(op_seconds("MLP", rows), today_mlp);
}

// Only the products a layer runs drain: a layer attending over an earlier layer's cache (Gemma 3n/4
// KV sharing) projects neither key nor value, so its serial build waits for the query and output
// products' waves alone, over 1024 and 8 x 128 input widths; a layer whose keys are its values
// (Gemma 4 attention_k_eq_v) for the query, key and output products'.
TEST(Physics, ALayerReusingACacheDrainsOnlyTheProductsItRuns) {
  const double rate = 10e12, layers = 4, rows = 512;
  const double drain_per_input = 64 * 32 * 10 * 3;  // tile outputs x tile slots on the GPU
  // Each product's time today, and a serial build's with each product's input width drained.
  auto check = [&](Scenario s, double params, double drained_width) {
    s.hardware.gpu_cores.value = 10;
    s.runtime.coef.matrix_tile_rows = 32;
    s.runtime.coef.serial_drain_tiles_per_core = 3;
    s.runtime.kernels.concurrent_dispatch_since_build = 6451;
    auto proj_seconds = [&] {
      return find_op(s, step_ops(s, StepShape{rows, 0, 1, true, true}), "attention projections").compute_seconds();
    };
    const double flops = 2 * rows * params, today = proj_seconds();
    EXPECT_NEAR(today, layers * flops / rate, 1e-9 * today);
    s.runtime.build = 6450;
    EXPECT_NEAR(proj_seconds(), layers * (flops + drain_per_input * drained_width) / rate, 1e-9 * today);
  };
  Scenario reused = scenario(tiny_dense());
  reused.model.layers[0].attention.kv_reused = true;
  check(reused, 1024 * 1024 + 1024 * 1024, 1024 + 8 * 128);  // query and output only
  Scenario keys_are_values = scenario(tiny_dense());
  keys_are_values.model.layers[0].attention.kv_shared = true;
  check(keys_are_values, 1024 * 1024 + 1024 * 256 + 1024 * 1024, 2 * 1024 + 8 * 128);  // no value product
}

// A kernel of fixed output tiles that never splits the inner dimension fills the GPU with rows x
// outputs of them: where the profile states the width compute_half_tokens holds for
// (matrix_fill_outputs), a product of w outputs reaches half its peak at compute_half_tokens x
// matrix_fill_outputs / w rows. tiny_dense's MLP (hidden 1024, gated 4096), with gate and up
// dispatched together, is 3 x 1024 x 4096 parameters over 1024 + 4096 input widths; its LM head,
// over the prompt's last token, is vocab outputs wide. An architecture's own kernel (M5's tensor-API
// matmul2d, 64 outputs a tile as the legacy kernel's) fills its grid the same way, over its own
// padded rows.
TEST(Physics, FixedTileKernelsReachHalfPeakAtFewerRowsOnWiderProducts) {
  Scenario s = scenario(tiny_dense());
  s.runtime.coef.compute_half_tokens = 32;
  auto rate = [&](const char* what, double rows) {
    return find_op(s, step_ops(s, StepShape{rows, 0, 1, true, true}), what).compute_rate;
  };
  const double rows = 512, plain_mlp = rate("MLP", rows), plain_head = rate("LM head", rows);
  s.runtime.coef.matrix_fill_outputs = 4096;
  const double mlp_width = 3.0 * 1024 * 4096 / (1024 + 4096);
  const double mlp_half = 32 * 4096 / mlp_width, head_half = 32 * 4096 / static_cast<double>(s.model.vocab);
  EXPECT_NEAR(rate("MLP", rows) / plain_mlp, (rows / (rows + mlp_half)) / (rows / (rows + 32)), 1e-12);
  EXPECT_NEAR(rate("LM head", rows) / plain_head, (1 / (1 + head_half)) / (1 / (1 + 32.0)), 1e-12);
  s.hardware.architecture = "neural-accelerators";
  s.runtime.kernels.matrix_tile_by_architecture["neural-accelerators"] = {.rows = 128, .since = {.build = 8915, .date = 20260425}};
  s.runtime.build = 9000;
  const double padded = 640;  // 512 + 100 rows in whole 128-row tiles
  EXPECT_NEAR(rate("MLP", rows + 100), rate("MLP", padded) * (rows + 100) / padded, 1e-9 * rate("MLP", padded));
  EXPECT_NEAR(rate("MLP", padded) / plain_mlp, (padded / (padded + mlp_half)) / (rows / (rows + 32)), 1e-12);
}

// A batch of prompts shorter than a chunk is packed into its steps (llama.cpp's ubatches span
// sequences): four 256-token prompts share one 1024-row step, and each sequence's prefill is a
// quarter of it; eight share two such steps; prompts longer than a chunk are chunked one by one.
TEST(Prefill, ShortPromptsOfABatchShareAChunk) {
  Workload w;
  w.prompt = 256;
  w.gen = 1;
  w.batch = 4;
  w.chunk = 1024;
  Scenario s = scenario(tiny_dense(), w);
  EXPECT_DOUBLE_EQ(prompts_per_prefill_step(s), 4);
  const double step = step_seconds(s, StepShape{256, 0, 4, true, true});
  EXPECT_NEAR(predict(s).prefill_seconds, step / 4, 1e-15);
  EXPECT_NEAR(predict(s).ttft_seconds, step, 1e-15);  // every prompt done before the first token
  w.batch = 8;
  s = scenario(tiny_dense(), w);
  EXPECT_DOUBLE_EQ(prompts_per_prefill_step(s), 1024.0 / 256);
  EXPECT_NEAR(predict(s).ttft_seconds, 2 * step, 1e-15);
  w.prompt = 2048;  // two chunks of one prompt: nothing to pack
  s = scenario(tiny_dense(), w);
  EXPECT_DOUBLE_EQ(prompts_per_prefill_step(s), 1);
  w.batch = 1;
  EXPECT_DOUBLE_EQ(predict(s).prefill_seconds, predict(scenario(tiny_dense(), w)).prefill_seconds);
}

// The closed-form sums equal stepping chunk by chunk and token by token, across window edges.
TEST(ClosedForm, MatchesStepping) {
  ModelSpec m = tiny_dense();
  m.layers.clear();
  append_layers(m, 3, gqa(8, 2, 128, AttentionKind::sliding, 1024), dense(4096));
  append_layers(m, 1, gqa(8, 2, 128), dense(4096));
  Workload w;
  Scenario s = scenario(m, w);
  s.runtime.coef.compute_half_tokens = 8;
  s.runtime.coef.step_overhead_ms = 0.5;
  s.runtime.coef.attention_query_tile = 64;
  StepShape decode{1, 0, 1, true, false};
  EXPECT_NEAR(sum_steps(s, decode, 700, 1, 900).seconds, brute_force(s, decode, 700, 1, 900), 1e-9);
  StepShape chunk{256, 0, 1, false, true};
  EXPECT_NEAR(sum_steps(s, chunk, 0, 256, 40).seconds, brute_force(s, chunk, 0, 256, 40), 1e-9);
  StepShape batched{1, 0, 8, true, false};
  EXPECT_NEAR(sum_steps(s, batched, 1000, 1, 100).seconds, brute_force(s, batched, 1000, 1, 100), 1e-9);
  // Compressed layers kink at their raw window (16) and where the indexer's cap binds (4 x 8 = 32).
  m.layers.clear();
  for (int ratio : {0, 4, 128}) append_layers(m, 2, small_compressed(ratio), dense(4096));
  s = scenario(m, w);
  s.runtime.coef.compute_half_tokens = 8;
  s.runtime.coef.attention_query_tile = 4;
  EXPECT_NEAR(sum_steps(s, decode, 0, 1, 300).seconds, brute_force(s, decode, 0, 1, 300), 1e-9);
  StepShape small_chunk{8, 0, 1, false, true};
  EXPECT_NEAR(sum_steps(s, small_chunk, 0, 8, 60).seconds, brute_force(s, small_chunk, 0, 8, 60), 1e-9);
}

// An indexer's f32 scores of a chunk against every pooled key: one per head where the runtime forms them
// before summing the heads (mlx-lm), one where a fused kernel sums as it goes (llama.cpp).
TEST(Memory, IndexerScoresPerHeadOrSummed) {
  ModelSpec m = tiny_dense();
  m.hidden = 128;
  m.layers.clear();
  append_layers(m, 1, small_compressed(4), dense(256));
  Scenario s = scenario(m);
  // Deep enough that the scores' phase is the pass's peak either way: even summed, 8 x 16384 x 4 bytes
  // of scores outweigh the MLP's 8 x (2 x 128 + 3 x 256) x 4.
  const double chunk = 8, context = 65536, pooled = context / 4;
  const double fused = transient_bytes(s, chunk, context).value;
  s.runtime.kernels.indexer_scores_per_head = true;
  EXPECT_DOUBLE_EQ(transient_bytes(s, chunk, context).value - fused, (4 - 1) * chunk * pooled * 4);
}

// llama.cpp's compute buffer for a chunk is the largest phase of its graph, each phase's tensors
// freed before the next (ggml-alloc reuses them): for Llama 3.1 8B with flash attention off and a
// 512-token ubatch, the logits of the whole ubatch and the normed rows they are computed from
// outweigh the score phase at 2048 tokens of context; at 32768 the score phase is the peak.
TEST(Memory, LlamaCppChunkPeakIsItsLargestPhase) {
  RuntimeSpec rt = resolve_runtime("llama.cpp-metal");
  rt.always_unfused = true;  // -fa 0
  Workload w;
  w.prompt = 512;
  w.gen = 1;
  w.chunk = 512;
  const Scenario s = make_scenario(resolve_hardware("m3-10c"), resolve_model("llama-3.1-8b"), find_quantization("q4_k_m"), rt, w);
  const double n = 512, h = 4096, vocab = 128256, heads = 32;
  auto score_phase = [&](double keys) {
    return heads * n * keys * 4    // the f32 KQ matrix, softmax in place
           + n * keys * 4          // the f32 mask, an input every layer reads
           + n * (2 * h + 2 * h) * 4;  // x, its normed copy, q and the output (k, v go to the cache)
  };
  const double logits_phase = n * (vocab + h) * 4;
  ASSERT_GT(logits_phase, score_phase(2048));
  EXPECT_DOUBLE_EQ(transient_bytes(s, n, 2048).value, logits_phase);
  ASSERT_GT(score_phase(32768), logits_phase);
  EXPECT_DOUBLE_EQ(transient_bytes(s, n, 32768).value, score_phase(32768));
  // With flash attention the scores are never materialised and the mask gains an f16 copy: at 65536
  // tokens the MLP's buffers and the masks outweigh the logits.
  rt.always_unfused = false;
  const Scenario fused = make_scenario(resolve_hardware("m3-10c"), resolve_model("llama-3.1-8b"), find_quantization("q4_k_m"), rt, w);
  const double mlp_phase = n * (2 * h + 2 * 14336) * 4 + n * 65536 * (4 + 2);  // gate and up; the rest in place
  ASSERT_GT(mlp_phase, logits_phase);
  EXPECT_DOUBLE_EQ(transient_bytes(fused, n, 65536).value, mlp_phase);
}

// llama.cpp reserves its compute buffer at load for a ubatch of min(n_ubatch, n_ctx) tokens against a
// full cache of n_ctx (sched_reserve), and holds it while it decodes; a runtime that allocates per
// chunk holds the last chunk's buffers at the prompt's length.
TEST(Memory, ReservedComputeBufferIsSizedAtTheWholeContext) {
  RuntimeSpec rt = resolve_runtime("llama.cpp-metal");
  ASSERT_TRUE(rt.kernels.compute_buffer_reserved);
  rt.always_unfused = true;  // -fa 0: the score phase grows with the context
  auto transient_of = [&](const RuntimeSpec& runtime, long long prompt, long long gen) {
    Workload w;
    w.prompt = prompt;
    w.gen = gen;
    w.chunk = 512;
    const Scenario s = make_scenario(resolve_hardware("m3-10c"), resolve_model("llama-3.1-8b"), find_quantization("q4_k_m"), runtime, w);
    return std::make_pair(memory(s).transient.value, s);
  };
  const auto [reserved, s] = transient_of(rt, 2048, 30000);
  EXPECT_DOUBLE_EQ(reserved, transient_bytes(s, 512, 2048 + 30000).value);
  // A context shorter than a ubatch: that many rows.
  const auto [short_context, s_short] = transient_of(rt, 100, 50);
  EXPECT_DOUBLE_EQ(short_context, transient_bytes(s_short, 100 + 50, 100 + 50).value);
  RuntimeSpec per_chunk = rt;
  per_chunk.kernels.compute_buffer_reserved = false;
  const auto [allocated, s_chunk] = transient_of(per_chunk, 2048, 30000);
  EXPECT_DOUBLE_EQ(allocated, transient_bytes(s_chunk, 512, 2048).value);
  EXPECT_LT(allocated, reserved);
}

// A routed-expert layer computes every token's k chosen experts in one batched product (ggml's
// mul_mat_id and MLX's gather_qmm write rows x k x width), so its MLP phase holds k experts' rows,
// not one; the down product's k outputs sit beside its input before they are weighed and summed.
// Hidden 1024, 4 of 16 experts of width 256, 4-byte activations, a chunk of 64 tokens at a shallow
// context (the logits, 32000 + 1024 f32 values for the last row, stay below).
TEST(Memory, RoutedExpertsHoldEveryChosenExpertsRows) {
  const double n = 64, h = 1024, k = 4, width = 256, bytes = 4;
  ModelSpec m = tiny_dense();
  m.layers.clear();
  append_layers(m, 2, gqa(8, 2, 128), moe(16, 4, 256));
  Scenario s = scenario(m);
  ASSERT_FALSE(s.runtime.kernels.activations_in_place);
  // Fresh buffers: act(gate), up and their product of k x width; or the product beside k outputs of h.
  const double fresh = std::max(2 * h + 3 * k * width, h + k * width + k * h);
  EXPECT_DOUBLE_EQ(transient_bytes(s, n, 64).value, n * fresh * bytes);
  // In place (llama.cpp): gate and up, then the product (over the gate) beside the k outputs.
  s.runtime.kernels.activations_in_place = true;
  const double in_place = std::max(2 * h + 2 * k * width, h + k * width + k * h);
  ASSERT_GT(h + k * width + k * h, 2 * h + 2 * k * width);  // here the down outputs are the peak
  EXPECT_DOUBLE_EQ(transient_bytes(s, n, 64).value, n * in_place * bytes);
  // An MLP without a gate holds up and act(up) (fresh), or up alone (in place).
  ModelSpec plain = tiny_dense();
  for (auto& g : plain.layers) g.ffn.gated = false;
  Scenario p = scenario(plain);
  EXPECT_DOUBLE_EQ(transient_bytes(p, n, 64).value, n * (2 * h + 2 * 4096) * bytes);
  p.runtime.kernels.activations_in_place = true;
  EXPECT_DOUBLE_EQ(transient_bytes(p, n, 64).value, n * std::max(2 * h + 4096, 2 * h + 2 * 8.0 * 128) * bytes);
}

TEST(Memory, OomContextIsTheFirstFailingChunk) {
  Workload w;
  w.prompt = 1000;
  w.limit = gigabytes(1.0);
  Scenario s = scenario(tiny_dense(), w);
  auto oom = oom_context(s, 512, 1 << 20);
  ASSERT_TRUE(oom.has_value());
  const Bytes weights = weight_bytes(s.model, s.quant);
  auto in_use = [&](double end) {
    return weights + kv_allocated(s, end, end) + transient_bytes(s, 512, end) + s.runtime.runtime_bytes;
  };
  EXPECT_LE(in_use(static_cast<double>(*oom)).value, s.limit.value);
  EXPECT_GT(in_use(static_cast<double>(*oom + 512)).value, s.limit.value);
  EXPECT_EQ(*oom % 512, 0);
}

// An out-of-memory probe allocates the KV of its stated capacity up front: the binary search with
// that capacity finds what a chunk-by-chunk scan finds, and never later than where KV sized to the
// context reached runs out when the capacity is past that point.
TEST(Memory, OomContextWithAStatedKvCapacity) {
  Workload w;
  w.prompt = 1000;
  w.limit = gigabytes(1.0);
  Scenario s = scenario(tiny_dense(), w);
  constexpr long long kChunk = 512, kMax = 1 << 20;
  const auto reached = oom_context(s, kChunk, kMax);
  ASSERT_TRUE(reached.has_value());
  const Bytes weights = weight_bytes(s.model, s.quant);
  for (double capacity : {0.5 * static_cast<double>(*reached), static_cast<double>(*reached),
                          static_cast<double>(*reached + kChunk), 2.0 * static_cast<double>(*reached)}) {
    std::optional<long long> scanned;
    for (long long k = 0; (k + 1) * kChunk <= kMax && !scanned; ++k) {
      const double end = static_cast<double>((k + 1) * kChunk);
      if (weights + kv_allocated(s, end, capacity, kChunk) + transient_bytes(s, kChunk, end) + s.runtime.runtime_bytes > s.limit)
        scanned = k * kChunk;
    }
    EXPECT_EQ(oom_context(s, kChunk, kMax, capacity), scanned) << "capacity " << capacity;
    if (capacity > static_cast<double>(*reached)) {
      ASSERT_TRUE(scanned.has_value());
      EXPECT_LE(*scanned, *reached);
    }
  }
}

TEST(Memory, ContextBeyondTheModelMaximumIsRefused) {
  ModelSpec m = tiny_dense();
  m.max_context = 4096;
  Workload w;
  w.prompt = 4000;
  w.gen = 200;
  EXPECT_THROW(scenario(m, w), InputError);
  w.allow_beyond_max = true;
  EXPECT_NO_THROW(scenario(m, w));
}

// Seed 001: Gemma 4 26B-A4B, 3-bit MLX, 36 GB Mac Studio (M4 Max 32c), MLX's unfused path for
// head_dim 256/512: 1024-token chunks survive a ~130K prompt, 2048-token chunks do not.
TEST(Seed001, ChunkSafetyOnA36GbMacStudio) {
  Workload w;
  w.prompt = 130000;
  w.gen = 0;
  w.ram = gibibytes(36);
  auto make = [&](long long chunk) {
    w.chunk = chunk;
    return make_scenario(resolve_hardware("m4-max-32c"), resolve_model("gemma-4-26b-a4b"),
                         find_quantization("mlx-3bit"), resolve_runtime("mlx"), w);
  };
  Scenario s1024 = make(1024), s2048 = make(2048);
  EXPECT_DOUBLE_EQ(s1024.limit.value, 36 * kGiB * 2 / 3);  // macOS default working set for 36 GiB
  auto oom1024 = oom_context(s1024, 1024, 262144);
  auto oom2048 = oom_context(s2048, 2048, 262144);
  EXPECT_TRUE(!oom1024 || *oom1024 >= 130000);
  ASSERT_TRUE(oom2048.has_value());
  EXPECT_LT(*oom2048, 130000);
  EXPECT_GT(*oom2048, 32768);  // "at long context", not at once
}

// Seed 001 also says a 32-token chunk at 130K allocates ~665 MB of scores. Its own formula
// (n_q_heads x chunk x kv_len x 4 bytes) gives 16 x 32 x 130000 x 4 = 266 MB per layer, and the
// transient memory follows the formula, not the seed's figure.
TEST(Seed001, ScoreFormulaGives266MbNot665) {
  Workload w;
  w.prompt = 130000;
  w.gen = 0;
  w.chunk = 32;
  Scenario s = make_scenario(resolve_hardware("m4-max-32c"), resolve_model("gemma-4-26b-a4b"),
                             find_quantization("mlx-3bit"), resolve_runtime("mlx"), w);
  const double formula = 16.0 * 32 * 130000 * 4;
  const double transient = transient_bytes(s, 32, 130000).value;
  EXPECT_GE(transient, formula);           // the scores plus activation buffers
  EXPECT_LT(transient, formula + 20e6);    // the scores dominate
  EXPECT_LT(transient, 665e6 / 2);         // far below the seed's figure
}

TEST(Catalog, EveryProfileParsesAndCarriesSources) {
  ASSERT_GE(hardware_catalog().size(), 40u);
  for (const auto& hw : hardware_catalog()) {
    EXPECT_FALSE(hw.bandwidth.source.empty()) << hw.id;
    EXPECT_FALSE(hw.fp16.source.empty()) << hw.id;
    EXPECT_GT(hw.bandwidth.value.value, 0) << hw.id;
  }
  for (const char* id : {"m1-8c", "m1-pro-16c", "m3-max-30c", "m4-max-40c", "m3-ultra-80c", "m5-10c", "dgx-spark",
                         "strix-halo-395", "h200-sxm", "rtx-4090", "rtx-5090"})
    EXPECT_NO_THROW(resolve_hardware(id)) << id;
  EXPECT_EQ(resolve_hardware("m4-max-40c").bandwidth.value.value, 546e9);
  EXPECT_EQ(resolve_hardware("m4-max-32c").bandwidth.value.value, 410e9);  // the binned part
  EXPECT_GE(runtime_catalog().size(), 9u);
  EXPECT_GE(model_catalog().size(), 60u);
  EXPECT_EQ(resolve_model("Llama 2 7B").id, "llama-2-7b");
}

// Numbers in JSON and CSV are written by write_g6: the digits must be those of "{:.6g}"
// (printf's %.6g), ties, powers of ten, exponents and negative values included.
TEST(Report, NumbersHaveTheDigitsOfG6) {
  std::mt19937_64 rng(14);
  std::uniform_real_distribution<double> exponent(-60, 60);
  std::vector<double> values = {0.0,      1e6,     999999.5, 999999.4, 9.999995, 0.0001, 0.00001, 9.9999951e-5,
                                0.000099999949, 123456.5, -2.5, 1.0 / 3, 1e21, 1e22, 1e23, 1.5e-300, 5e-324,
                                1e100, 0.1, 0.5, 100000, 1234565, 1e-17, 99999.95};
  for (int i = 0; i < 20000; ++i) values.push_back((i % 2 ? -1 : 1) * std::exp(exponent(rng)));
  for (int i = 0; i < 2000; ++i) values.push_back(std::round(std::exp(exponent(rng) / 4) * 1e6) / 2);  // halves
  for (double v : values) EXPECT_EQ(Json::number(v).text(), fmt::format("{:.6g}", v)) << v;
}

// A chip generation with no fitted factor borrows those of the fitted generations sharing its GPU
// architecture (the profiles' `architecture`), never another architecture's: an M1 takes an M2's
// (both before Dynamic Caching), an M4 an M3's, an M5 (neural accelerators) none of theirs.
TEST(GenerationFactor, AnUnfittedGenerationBorrowsItsArchitecturesFactors) {
  auto keys_and_peak = [](const char* chip, std::map<std::string, double> factors) {
    RuntimeSpec rt = resolve_runtime("mlx");
    rt.coef.generation_compute_factor = std::move(factors);
    rt.coef.bf16_emulation_factor = 1;  // M1/M2 emulate qwen3-8b's bf16: not what this test is about
    Workload w;
    w.prompt = 512;
    w.gen = 1;
    const Scenario s = make_scenario(resolve_hardware(chip), resolve_model("qwen3-8b"), find_quantization("mlx-4bit"), rt, w);
    return std::make_pair(generation_keys(s), step_invariants(s).plain_peak / s.hardware.matmul_peak().value);
  };
  using Keys = std::vector<std::string>;
  const std::map<std::string, double> fitted = {{"m2", 0.6}, {"m3", 1.0}, {"m4", 1.2}};
  EXPECT_EQ(keys_and_peak("m1-7c", fitted), std::make_pair(Keys{"m2"}, 0.6));
  EXPECT_EQ(keys_and_peak("m2-8c", fitted), std::make_pair(Keys{"m2"}, 0.6));
  EXPECT_EQ(keys_and_peak("m5-10c", fitted), std::make_pair(Keys{}, 1.0));
  // The sibling lends its factor whichever of the two is unfitted.
  const auto m4 = keys_and_peak("m4-10c", {{"m3", 1.0}, {"m2", 0.6}});
  EXPECT_EQ(m4.first, Keys{"m3"});
  const auto m3 = keys_and_peak("m3-10c", {{"m4", 1.2}, {"m2", 0.6}});
  EXPECT_EQ(m3.first, Keys{"m4"});
  EXPECT_DOUBLE_EQ(m3.second, 1.2);
  const auto m1 = keys_and_peak("m1-7c", {{"m2", 0.6}, {"m3", 1.0}});
  EXPECT_DOUBLE_EQ(m1.second, 0.6);
  // No factors at all: nothing borrowed, the runtime-wide value.
  EXPECT_EQ(keys_and_peak("m1-7c", {}), std::make_pair(Keys{}, 1.0));
}

// MLX computes in the checkpoint's dtype (mlx_lm.convert keeps config.json's torch_dtype); M1 and M2
// GPUs have no bfloat16 arithmetic, so there a bf16 checkpoint's products run at
// bf16_emulation_factor of their rate. Nothing else slows: an fp16 checkpoint, an unquantized fp16
// file, an M3, or a runtime computing in f32 whatever the checkpoint.
TEST(ComputeDtype, Bf16IsEmulatedOnlyOnGpusWithoutBf16Arithmetic) {
  auto peak_share = [](const char* chip, const char* runtime, ModelSpec model, const char* quant) {
    RuntimeSpec rt = resolve_runtime(runtime);
    rt.coef.bf16_emulation_factor = 0.5;
    rt.coef.generation_compute_factor.clear();
    Workload w;
    w.prompt = 512;
    w.gen = 1;
    const Scenario s = make_scenario(resolve_hardware(chip), std::move(model), find_quantization(quant), rt, w);
    return step_invariants(s).plain_peak / s.hardware.matmul_peak().value;
  };
  const ModelSpec bf16_model = resolve_model("qwen3-8b"), f16_model = resolve_model("llama-2-7b");
  ASSERT_EQ(bf16_model.dtype, "bf16");
  ASSERT_EQ(f16_model.dtype, "f16");
  EXPECT_DOUBLE_EQ(peak_share("m2-max-38c", "mlx", bf16_model, "mlx-4bit"), 0.5);
  EXPECT_DOUBLE_EQ(peak_share("m1-max-32c", "mlx", bf16_model, "bf16"), 0.5);
  EXPECT_DOUBLE_EQ(peak_share("m3-max-40c", "mlx", bf16_model, "mlx-4bit"), 1.0);
  EXPECT_DOUBLE_EQ(peak_share("m2-max-38c", "mlx", f16_model, "mlx-4bit"), 1.0);
  EXPECT_DOUBLE_EQ(peak_share("m2-max-38c", "mlx", bf16_model, "f16"), 1.0);
  EXPECT_DOUBLE_EQ(peak_share("m2-max-38c", "llama.cpp-metal", bf16_model, "q4_k_m"), 1.0);
  // A model that states no dtype is taken as bf16, and the prediction says so.
  ModelSpec unstated = bf16_model;
  unstated.dtype.clear();
  EXPECT_DOUBLE_EQ(peak_share("m2-max-38c", "mlx", unstated, "mlx-4bit"), 0.5);
  Workload w;
  w.prompt = 512;
  w.gen = 1;
  const Prediction p = predict(make_scenario(resolve_hardware("m2-max-38c"), unstated, find_quantization("mlx-4bit"),
                                             resolve_runtime("mlx"), w));
  ASSERT_EQ(p.warnings.size(), 2u);
  EXPECT_NE(p.warnings[0].find("bf16 assumed"), std::string::npos);
  EXPECT_NE(p.warnings[1].find("no bfloat16 arithmetic"), std::string::npos);
}

// Unquantized bf16 weights on such a GPU go through the conversion element by element: their
// decode, bandwidth-bound, slows by the same factor (mlx-examples PR #186 measured 0.64 for decode
// beside 0.58 for the prompt on an M2 Ultra). A quantized checkpoint's weight stream does not.
TEST(ComputeDtype, Bf16WeightsStreamAtTheEmulationFactor) {
  // One chip, its bf16 arithmetic flipped: every other input the same.
  auto invariants = [](bool native, const char* quant) {
    RuntimeSpec rt = resolve_runtime("mlx");
    rt.coef.bf16_emulation_factor = 0.5;
    HardwareSpec hw = resolve_hardware("m2-max-38c");
    hw.bf16_native.value = native;
    Workload w;
    w.prompt = 512;
    w.gen = 1;
    return step_invariants(make_scenario(hw, resolve_model("qwen3-8b"), find_quantization(quant), rt, w));
  };
  const StepInvariants bf16_emulated = invariants(false, "bf16"), bf16_native = invariants(true, "bf16");
  EXPECT_DOUBLE_EQ(bf16_emulated.matrix_bandwidth, 0.5 * bf16_native.matrix_bandwidth);
  EXPECT_DOUBLE_EQ(invariants(false, "mlx-4bit").matrix_bandwidth, invariants(true, "mlx-4bit").matrix_bandwidth);
  // Every arithmetic roof slows by the factor: matrix products, attention, the matrix-vector and
  // vector-attention ALU roofs; the activation and KV streams do not.
  EXPECT_DOUBLE_EQ(bf16_emulated.plain_peak, 0.5 * bf16_native.plain_peak);
  EXPECT_DOUBLE_EQ(bf16_emulated.attention_rate, 0.5 * bf16_native.attention_rate);
  EXPECT_DOUBLE_EQ(bf16_emulated.gemv_rate, 0.5 * bf16_native.gemv_rate);
  EXPECT_DOUBLE_EQ(bf16_emulated.vector_attention_rate, 0.5 * bf16_native.vector_attention_rate);
  EXPECT_DOUBLE_EQ(bf16_emulated.bandwidth, bf16_native.bandwidth);
}

// A descriptor's dtype is written by `import` and read back unchanged.
TEST(ComputeDtype, ModelDtypeSurvivesTheYamlRoundTrip) {
  ModelSpec m = resolve_model("llama-2-7b");
  ASSERT_EQ(m.dtype, "f16");
  EXPECT_EQ(parse_model_yaml_text(model_to_yaml(m), "round trip").dtype, "f16");
  m.dtype.clear();
  EXPECT_EQ(parse_model_yaml_text(model_to_yaml(m), "round trip").dtype, "");
}

// A runtime profile's measured gap (README Limitations) warns exactly where its conditions hold:
// the phase predicted, the model's layer kind, the GPU's architecture, the context the phase reaches.
TEST(MeasuredGaps, APredictionWarnsOnlyInsideTheRegime) {
  MeasuredGap gap;
  gap.phase = MeasuredGap::Phase::decode;
  gap.layers = AttentionKind::linear;
  gap.architectures = {"static-registers", "dynamic-caching"};
  gap.measured = "decoded 30% slower";
  gap.source = "rows.csv";
  const std::string warning = "decode measured off this prediction: decoded 30% slower (rows.csv)";
  auto warns = [&](Scenario s) {
    s.runtime.measured_gaps = {gap};
    const auto w = predict(s).warnings;
    return std::find(w.begin(), w.end(), warning) != w.end();
  };
  Scenario s = scenario(tiny_hybrid(linear_attention(5e6), dense(4096)));
  s.hardware.architecture = "dynamic-caching";
  EXPECT_TRUE(warns(s));
  Scenario other = s;
  other.hardware.architecture = "neural-accelerators";
  EXPECT_FALSE(warns(other));
  EXPECT_FALSE(warns(scenario(tiny_dense())));  // no linear-attention layer
  other = s;
  other.workload.gen = 0;  // no decode predicted
  EXPECT_FALSE(warns(other));
  gap.min_context = 4096;  // the decode ends at 512 + 128 tokens of context
  EXPECT_FALSE(warns(s));
  other = s;
  other.workload.prompt = 4096 - 128;
  EXPECT_TRUE(warns(other));
  gap = {.phase = MeasuredGap::Phase::prefill, .layers = std::nullopt, .architectures = {}, .min_context = 0,
         .measured = "decoded 30% slower", .source = "rows.csv"};
  EXPECT_FALSE(warns(s));  // a prefill gap's text begins "prefill"
  other = s;
  other.runtime.measured_gaps = {gap};
  const auto w = predict(other).warnings;
  EXPECT_NE(std::find(w.begin(), w.end(), "prefill measured off this prediction: decoded 30% slower (rows.csv)"), w.end());
  other.workload.cached = other.workload.prompt;  // nothing left to prefill
  EXPECT_FALSE(in_measured_gap(other, gap));
}

// predict_times is predict without the memory budget: the same times to the bit (MLX re-wires its
// weights per call, so the weight bytes it reads without the budget are exercised too).
TEST(Predict, TimesAloneAreThePredictionsTimes) {
  for (const char* runtime : {"mlx", "llama.cpp-metal"}) {
    Workload w;
    w.prompt = 3000;
    w.gen = 200;
    const Scenario s = make_scenario(resolve_hardware("m4-max-40c"), resolve_model("qwen3-8b"),
                                     find_quantization(std::string(runtime) == "mlx" ? "mlx-4bit" : "q4_k_m"),
                                     resolve_runtime(runtime), w);
    const Prediction full = predict(s), times = predict_times(s);
    EXPECT_EQ(times.prefill_seconds, full.prefill_seconds) << runtime;
    EXPECT_EQ(times.decode_seconds, full.decode_seconds) << runtime;
    EXPECT_EQ(times.rewire_seconds, full.rewire_seconds) << runtime;
    EXPECT_EQ(times.ttft_seconds, full.ttft_seconds) << runtime;
    EXPECT_GT(full.mem.weights.value, 0) << runtime;
    EXPECT_EQ(times.mem.weights.value, 0) << runtime;  // not computed
    if (std::string(runtime) == "mlx") {
      EXPECT_GT(full.rewire_seconds, 0);
    }
  }
}

// A decode kernel that reads every cell of a sliding layer's cache (llama.cpp's CUDA/HIP kernels:
// profile `sliding_decode_reads: cache`) reads the window + chunk cells the cache holds once the
// context has filled it, where a kernel that skips masked cells reads the window and the new token;
// with the cache kept at full length (--swa-full) it reads the whole context. Prefill is unchanged.
TEST(StepOps, SlidingDecodeReadsTheWholeCacheWhereTheKernelDoesNotSkipMaskedCells) {
  ModelSpec m = tiny_dense();
  m.layers.clear();
  const int window = 1024;
  append_layers(m, 2, gqa(8, 2, 128, AttentionKind::sliding, window), dense(4096));
  Scenario s = scenario(m);
  s.chunk = 2048;
  const double per_token = 2.0 * 2 * 128 * 2;  // K and V, 2 KV heads of 128, f16
  const double context = 8192;
  auto reads = [&](bool prefill) {
    auto ops = step_ops(s, {prefill ? 512.0 : 1.0, context, 1, true, prefill});
    return find_op(s, ops, "attention [2x sliding]").kv_read_bytes;
  };
  ASSERT_EQ(s.runtime.kernels.sliding_decode_reads_cache, false);
  EXPECT_DOUBLE_EQ(reads(false), 2 * (window + 1) * per_token);
  const double prefill_skipping = reads(true);
  s.runtime.kernels.sliding_decode_reads_cache = true;
  EXPECT_DOUBLE_EQ(reads(false), 2 * (window + 2048) * per_token);
  EXPECT_DOUBLE_EQ(reads(true), prefill_skipping);
  s.runtime.sliding_kv_full = true;
  EXPECT_DOUBLE_EQ(reads(false), 2 * (context + 1) * per_token);
}
