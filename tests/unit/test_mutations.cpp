// Tests that each fail under one mutation of the model that survived the suite before (issue 13):
// the derivation is in the expected value, the mutation it kills in the comment.
#include <gtest/gtest.h>

#include <cmath>

#include "helpers.hpp"
#include "ridgeline/catalog.hpp"
#include "ridgeline/derived.hpp"
#include "ridgeline/report.hpp"
#include "ridgeline/strict_reader.hpp"

using namespace ridgeline;
using namespace ridgeline::test;

namespace {
// The tiny model's KV bytes per token: 4 layers x (K and V) x 2 KV heads x 128 dims x 2 bytes (f16).
constexpr double kTinyKvPerToken = 4 * 2 * 2 * 128 * 2.0;

// The simple scenario with MLX-style KV growth: allocated in steps of `step` tokens as the context grows.
Scenario growing_kv_scenario(Workload w, long long step) {
  RuntimeSpec rt = simple_runtime();
  rt.kv_upfront = false;
  rt.kv_step_tokens = step;
  return make_scenario(simple_hardware(), tiny_dense(), find_quantization("f16"), rt, w);
}
}  // namespace

// Mutation: TTFT without the batch factor. Every sequence's prompt is processed before the first
// token of any sequence, so TTFT is batch x the prefill of one sequence.
TEST(Mutation, TtftWaitsForEveryPromptInTheBatch) {
  Workload one;
  one.prompt = 2048;
  one.gen = 16;
  Workload four = one;
  four.batch = 4;
  const Prediction p1 = predict(scenario(tiny_dense(), one));
  const Prediction p4 = predict(scenario(tiny_dense(), four));
  ASSERT_GT(p1.prefill_seconds, 0);
  EXPECT_DOUBLE_EQ(p4.prefill_seconds, p1.prefill_seconds);  // per sequence
  EXPECT_DOUBLE_EQ(p4.ttft_seconds, 4 * p1.prefill_seconds);
  EXPECT_DOUBLE_EQ(p4.total_seconds, 4 * p1.prefill_seconds + p4.decode_seconds);
}

// Mutation: peak memory ignoring the decode phase. With KV growing in steps, a short prompt and a
// long generation peak at the end of decoding: the cache holds ceil((prompt + gen) / step) steps.
TEST(Mutation, PeakMemoryIncludesTheEndOfDecoding) {
  Workload w;
  w.prompt = 100;
  w.gen = 10000;
  const Scenario s = growing_kv_scenario(w, 256);
  const MemoryBreakdown m = memory(s);
  const double steps_at_end = std::ceil((100.0 + 10000) / 256);  // 40 steps of 256 tokens
  const double expected = weight_bytes(s.model, s.quant).value + s.runtime.runtime_bytes.value +
                          steps_at_end * 256 * kTinyKvPerToken + transient_bytes(s, 1, 100 + 10000).value;
  EXPECT_DOUBLE_EQ(m.peak.value, expected);
  EXPECT_DOUBLE_EQ(m.kv_cache.value, steps_at_end * 256 * kTinyKvPerToken);
}

// Mutation: MLX's growing-KV step removed. The cache is allocated in whole steps: 300 tokens of
// context hold ceil(300 / 256) = 2 steps, not 300 tokens and not the whole capacity.
TEST(Mutation, GrowingKvIsAllocatedInWholeSteps) {
  const Scenario s = growing_kv_scenario(Workload{}, 256);
  EXPECT_DOUBLE_EQ(kv_allocated(s, 300, 100000).value, 2 * 256 * kTinyKvPerToken);
  EXPECT_DOUBLE_EQ(kv_allocated(s, 512, 100000).value, 2 * 256 * kTinyKvPerToken);
  EXPECT_DOUBLE_EQ(kv_allocated(s, 513, 100000).value, 3 * 256 * kTinyKvPerToken);
  // The shipped MLX profile grows (mlx-lm's KVCache step is 256 tokens).
  const RuntimeSpec mlx = resolve_runtime("mlx");
  EXPECT_FALSE(mlx.kv_upfront);
  EXPECT_EQ(mlx.kv_step_tokens, 256);
}

// Mutation: the Apple limit rule above 36 GiB changed from 0.75. macOS wires at most 2/3 of RAM
// up to 36 GiB and 3/4 above it for the GPU.
TEST(Mutation, AppleGpuLimitIsThreeQuartersAbove36GiB) {
  const HardwareSpec hw = resolve_hardware("m4-max-40c");
  ASSERT_EQ(hw.gpu_limit.kind, GpuLimitRule::Kind::apple_wired_default);
  EXPECT_DOUBLE_EQ(default_gpu_limit(hw, gibibytes(36)).value, 36 * kGiB * 2 / 3);
  EXPECT_DOUBLE_EQ(default_gpu_limit(hw, gibibytes(48)).value, 48 * kGiB * 3 / 4);
  EXPECT_DOUBLE_EQ(default_gpu_limit(hw, gibibytes(128)).value, 128 * kGiB * 3 / 4);
}

// Mutation: renaming a JSON key. The keys are a stable interface (schema_version 1): every one the
// documentation names is present and carries the record's value.
TEST(Mutation, PredictionJsonKeepsItsKeys) {
  Workload w;
  w.prompt = 1000;
  w.gen = 10;
  w.batch = 2;
  const Scenario s = scenario(tiny_dense(), w);
  const Prediction p = predict(s);
  const Node j = load_document_text(prediction_json(s, p), "prediction JSON");
  auto number = [](const Node& n) { return scalar_number(n, "prediction JSON", -1e300, 1e300); };
  EXPECT_EQ(j["schema_version"].text(), std::to_string(kSchemaVersion));
  EXPECT_NEAR(number(j["ttft_seconds"]), p.ttft_seconds, 1e-5 * p.ttft_seconds);
  EXPECT_NEAR(number(j["total_seconds"]), p.total_seconds, 1e-5 * p.total_seconds);
  EXPECT_NEAR(number(j["prefill"]["seconds"]), p.prefill_seconds, 1e-5 * p.prefill_seconds);
  EXPECT_NEAR(number(j["decode"]["seconds"]), p.decode_seconds, 1e-5 * p.decode_seconds);
  EXPECT_EQ(j["workload"]["batch"].text(), "2");
  // Times carry 6 significant digits (relative error below 1e-5); byte counts are exact integers.
  EXPECT_EQ(j["memory"]["peak_bytes"].text(), std::to_string(std::llround(p.mem.peak.value)));
  EXPECT_EQ(j["memory"]["weights_bytes"].text(), std::to_string(std::llround(p.mem.weights.value)));
  EXPECT_EQ(j["memory"]["fits"].text(), "true");
}
