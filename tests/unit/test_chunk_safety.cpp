// The chunk-safety search (simulator's chunk_safety) on the tiny model, whose memory is derived by
// hand: weights + KV for the context + the chunk's transient buffers.
#include <gtest/gtest.h>

#include <algorithm>

#include "helpers.hpp"
#include "ridgeline/advisor.hpp"
#include "ridgeline/chunk_safety.hpp"
#include "ridgeline/derived.hpp"

using namespace ridgeline;
using namespace ridgeline::test;

namespace {
// tiny_dense() at f16 on simple_runtime() (KV up front for the context, 4-byte activations, one
// logits row, fused attention):
//   KV per token:        4 layers x (K and V) x 2 KV heads x 128 dims x 2 bytes
//   transient per token: the wider of attention (2h + 2 q_dim + 2 kv_dim = 2x1024 + 2x1024 + 2x256)
//                        and MLP (2h + 3 x 4096) = 14336 elements x 4 bytes
//   logits:              one row of 32000 fp32 values and the normed row they are computed from
//                        (1024 x 4 bytes), after the layers' buffers are freed (so the chunk's
//                        peak is the larger of the two, not their sum)
constexpr double kKvPerToken = 4 * 2 * 2 * 128 * 2.0;
constexpr double kTransientPerChunkToken = (2 * 1024 + 3 * 4096) * 4.0;
constexpr double kLogits = (32000 + 1024) * 4.0;
// Memory beyond the weights at the end of a chunk of n tokens that ends at `end`.
double beyond_weights(double n, double end) { return kKvPerToken * end + std::max(kTransientPerChunkToken * n, kLogits); }

constexpr double kBudget = 64e6;  // the GPU limit is the weights + 64 MB
constexpr long long kContext = 8192;

Scenario tiny_with_budget(double budget) {
  Workload w;
  Scenario s = scenario(tiny_dense(), w);
  w.limit = weight_bytes(s.model, s.quant) + Bytes(budget);
  return scenario(tiny_dense(), w);
}
}  // namespace

TEST(ChunkSafety, EachChunkSizeRunsOutWhereItsMemoryPassesTheLimit) {
  const Scenario s = tiny_with_budget(kBudget);
  const ChunkReport r = chunk_safety(s, kContext, {2048, 256});
  EXPECT_EQ(r.context, kContext);
  EXPECT_EQ(r.scenario.workload.prompt, kContext);
  EXPECT_EQ(r.scenario.workload.gen, 0);
  EXPECT_TRUE(r.weights_fit);
  ASSERT_EQ(r.trials.size(), 2u);
  // 2048 tokens: the first chunk already needs 4096 x 2048 + 57344 x 2048 = 125.8 MB > 64 MB.
  ASSERT_GT(beyond_weights(2048, 2048), kBudget);
  EXPECT_EQ(r.trials[0].chunk, 2048);
  ASSERT_TRUE(r.trials[0].oom.has_value());
  EXPECT_EQ(*r.trials[0].oom, 0);
  EXPECT_FALSE(r.trials[0].completes);
  // 256 tokens: the chunk ending at 48 x 256 = 12288 is the first past the budget
  // (4096 x 12288 + 57344 x 256 = 65.01 MB), so 47 chunks complete: 12032 tokens, past 8192.
  ASSERT_LE(beyond_weights(256, 47 * 256), kBudget);
  ASSERT_GT(beyond_weights(256, 48 * 256), kBudget);
  ASSERT_TRUE(r.trials[1].oom.has_value());
  EXPECT_EQ(*r.trials[1].oom, 47 * 256);
  EXPECT_TRUE(r.trials[1].completes);
  EXPECT_EQ(r.largest_safe, 256);
  EXPECT_EQ(r.smallest_chunk(), 256);
  // Peak at the target context: the last prefill chunk with the cache at 8192 tokens.
  const Bytes weights = weight_bytes(s.model, s.quant);
  EXPECT_DOUBLE_EQ(r.weights.value, weights.value);
  for (const auto& t : r.trials) {
    EXPECT_NEAR(t.peak.value, (weights + Bytes(beyond_weights(static_cast<double>(t.chunk), kContext))).value, 1.0) << t.chunk;
    Workload w = r.scenario.workload;
    w.chunk = t.chunk;
    Scenario at = r.scenario;
    set_workload(at, w);
    EXPECT_DOUBLE_EQ(t.prefill_seconds, predict(at).prefill_seconds) << t.chunk;
  }
  // Seed 001's check on the first full-attention layer: 8 q heads x 32 tokens x 8192 keys x 4 bytes,
  // not materialised on the fused path.
  ASSERT_TRUE(r.score_check.has_value());
  EXPECT_EQ(r.score_check->q_heads, 8);
  EXPECT_DOUBLE_EQ(r.score_check->bytes, 8.0 * 32 * kContext * 4);
  EXPECT_FALSE(r.score_check->materialised);
  EXPECT_TRUE(chunk_hints(r).empty());  // a chunk size completes: nothing else to suggest
}

TEST(ChunkSafety, WeightsBeyondTheLimitMakeNoChunkSafe) {
  Workload w;
  Scenario s = scenario(tiny_dense(), w);
  w.limit = weight_bytes(s.model, s.quant) * 0.5;
  s = scenario(tiny_dense(), w);
  s.runtime.always_unfused = true;
  const ChunkReport r = chunk_safety(s, kContext, {256});
  EXPECT_FALSE(r.weights_fit);
  EXPECT_FALSE(r.largest_safe.has_value());
  ASSERT_TRUE(r.score_check.has_value());
  EXPECT_TRUE(r.score_check->materialised);
  // The hints are the scenario's own (a smaller chunk is not ruled out: no chunk helps here).
  const auto hints = chunk_hints(r);
  const auto own = fit_hints(r.scenario);
  ASSERT_EQ(hints.size(), own.size());
  for (size_t i = 0; i < hints.size(); ++i) EXPECT_EQ(hints[i].text, own[i].text);
}

TEST(ChunkSafety, NoChunkReachingTheTargetLeavesHintsOtherThanAChunk) {
  // A budget below the 256-token chunk's first step (4096 x 256 + 57344 x 256 + 128000 = 15.9 MB).
  const Scenario s = tiny_with_budget(8e6);
  ASSERT_GT(beyond_weights(256, 256), 8e6);
  const ChunkReport r = chunk_safety(s, kContext, {1024, 256});
  EXPECT_TRUE(r.weights_fit);
  EXPECT_FALSE(r.largest_safe.has_value());
  for (const auto& t : r.trials) EXPECT_FALSE(t.completes) << t.chunk;
  for (const auto& h : chunk_hints(r)) EXPECT_NE(h.kind, "chunk") << h.text;
}

TEST(ChunkSafety, AChunkOutsideItsRangeIsAFieldError) {
  const Scenario s = tiny_with_budget(kBudget);
  EXPECT_EQ(error_of([&] { chunk_safety(s, kContext, {0}); }), "chunk: 0; expected 1 to 1048576");
}
