// Validation against measured benchmarks in ../shared/data (skipped when absent): the shipped
// calibrations must keep their errors on the named datasets. These are in-sample figures for
// the rows named (the cross-validated ones are in the README); they guard against regressions.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>

#include "ridgeline/calibration.hpp"
#include "ridgeline/catalog.hpp"
#include "ridgeline/ops.hpp"

using namespace ridgeline;
namespace fs = std::filesystem;

namespace {
const fs::path kData = fs::path(RIDGELINE_SHARED_DIR) / "data";

// Which of a file's rows a figure covers: all, one model's, or all but one model's.
struct Rows {
  std::string only, except;
  bool take(const std::string& id) const { return (only.empty() || id == only) && id != except; }
};

// Mean absolute percentage error of one quantity over a file, with the shipped calibrations.
double mape(const std::string& file, Measured q, int& n, const Rows& rows = {}) {
  Dataset d = load_dataset({(kData / file).string()}, {});
  double sum = 0;
  n = 0;
  for (auto& o : d.observations) {
    if (o.quantity != q || !rows.take(o.scenario.model.id)) continue;
    apply_shipped_calibration(o.scenario.runtime, o.scenario.hardware.vendor);
    const auto pred = predict_observation(o);
    if (!pred) continue;
    sum += 100 * std::abs(*pred - o.measured) / o.measured;
    ++n;
  }
  return n ? sum / n : 0;
}
}  // namespace

TEST(MeasuredM2Ultra, LlamaBenchPrefillAndDecode) {
  if (!fs::exists(kData)) GTEST_SKIP() << "../shared/data is absent (fresh clone): skipping";
  int n = 0;
  // The 25 rows of the models with a descriptor before session 7; GLM-4.7-Flash's 5 (resolved since)
  // are guarded apart below.
  const Rows fitted{"", "glm-4.7-flash"};
  const double prefill = mape("llamacpp_benches_m2ultra_llamabench.csv", Measured::prefill_tok_s, n, fitted);
  EXPECT_EQ(n, 25);
  // 2.4% under the one-GEMM-curve model; the regime model shares its GEMM terms across chip
  // generations and builds (weighted by age), 8.5% here: the bound follows what it reaches.
  // Session 7 raised this bound, knowingly: the fit now also serves 590 newly resolved rows (GLM-4.7-
  // Flash on this file among them) and the old builds' unfused attention; these 25 rows went 2.6 ->
  // 4.1% prefill and 4.7 -> 5.8% decode while llama.cpp-metal held out by chip, model and source went
  // 23.5/23.9/21.7 -> 18.7/18.7/16.9% prefill and 23.8/16.6/18.7 -> 23.3/13.0/15.4% decode.
  // Session 17 raised it again, knowingly: a second M5 Max source (calibrate/data, llama-bench at
  // b10050) moved the shared K-quant and dequantization terms; these 25 rows went 4.18 -> 4.52%
  // while that source's prefill went 22.0 -> 12.4% and the held-out set's decode 11.0 -> 10.7%
  // (README "Calibration and measured accuracy", session 17).
  EXPECT_LT(prefill, 4.6);  // 4.52% on 2026-11-27 (session 17; 4.18% session 16, 4.1% session 7, 2.6% session 6); was < 4.5
  const double decode = mape("llamacpp_benches_m2ultra_llamabench.csv", Measured::decode_tok_s, n, fitted);
  EXPECT_LT(decode, 5.5);  // 4.8% on 2026-11-26 (session 14: the unpacking on single-issue GPUs; 5.8% session 7, 4.7% session 6, 9.6% session 5); was < 6.5
  std::cout << "llamacpp_benches_m2ultra_llamabench.csv: prefill MAPE " << prefill << "%, decode MAPE " << decode << "%\n";
}

TEST(MeasuredDgxSpark, LlamaBenchPrefillAndDecode) {
  if (!fs::exists(kData)) GTEST_SKIP() << "../shared/data is absent (fresh clone): skipping";
  int n = 0;
  const double prefill = mape("llamacpp_benches_dgxspark_llamabench.csv", Measured::prefill_tok_s, n);
  EXPECT_GT(n, 40);
  EXPECT_LT(prefill, 12.5);  // 11.5% on 2026-11-26; was < 13
  const double decode = mape("llamacpp_benches_dgxspark_llamabench.csv", Measured::decode_tok_s, n);
  EXPECT_LT(decode, 6.5);    // 5.4% on 2026-11-26; was < 8
  std::cout << "llamacpp_benches_dgxspark_llamabench.csv: prefill MAPE " << prefill << "%, decode MAPE " << decode << "%\n";
}

TEST(MeasuredH200, TransientMemoryOfTheUnfusedPath) {
  if (!fs::exists(kData)) GTEST_SKIP() << "../shared/data is absent (fresh clone): skipping";
  int n = 0;
  const double transient = mape("h200_pytorch_visible.csv", Measured::transient_bytes, n);
  EXPECT_EQ(n, 16);
  EXPECT_LT(transient, 0.5);  // 0.03% on 2026-11-29 (the largest phase plus the mask); was < 5
}

// The H200's own ceiling (h200_micro.csv: a 2 GiB device copy, read + write bytes over its time)
// bounds the weight stream both PyTorch runtimes take, and the stream must not be an absorber of
// other costs: a fit of the prefill-only runtime's bandwidth on its unfused rows once put it at
// 0.39 of this rate (1.65 TB/s), which MoE prefill then streamed its experts at.
TEST(MeasuredH200, WeightStreamWithinTheMachinesCopyRate) {
  const fs::path micro = kData / "h200_micro.csv";
  if (!fs::exists(micro)) GTEST_SKIP() << "../shared/data is absent (fresh clone): skipping";
  std::ifstream in(micro);
  const std::regex copy_row(R"(device-to-device copy.*GB/s read\+write ([0-9.]+))");
  double copy_gbs = 0;
  for (std::string line; std::getline(in, line);)
    if (std::smatch m; std::regex_search(line, m, copy_row)) copy_gbs = std::stod(m[1]);
  ASSERT_GT(copy_gbs, 0) << "no copy row in " << micro;
  for (const char* id : {"pytorch-sdpa", "pytorch-cudagraph"}) {
    RuntimeSpec rt = resolve_runtime(id);
    apply_shipped_calibration(rt, "nvidia");
    Workload w;
    w.prompt = 2048;
    w.gen = 1;
    const Scenario s = make_scenario(resolve_hardware("h200-sxm"), resolve_model("llama-3.1-8b"), find_quantization("bf16"), rt, w);
    const double stream_gbs = step_invariants(s).matrix_bandwidth / 1e9;
    EXPECT_GT(stream_gbs, 0.6 * copy_gbs) << id;
    EXPECT_LE(stream_gbs, copy_gbs) << id;
  }
}

// llama-batched-bench, B = 1..32 sequences (aggregate decode rates): routed experts row by row
// below 32 rows on Metal, grouped by expected coverage above. Issue #10's target is 12%.
TEST(MeasuredBatchedDecode, M2UltraAndDgxSpark) {
  if (!fs::exists(kData)) GTEST_SKIP() << "../shared/data is absent (fresh clone): skipping";
  int n = 0;
  const double m2 = mape("llamacpp_benches_m2ultra_batched.csv", Measured::decode_tok_s, n, {"", "glm-4.7-flash"});
  EXPECT_GT(n, 80);
  EXPECT_LT(m2, 7.0);   // 6.4% on 2026-11-26 (session 14; 8.1% session 7, 8.8% session 6, 33.5% session 2); was < 9.0
  const double spark = mape("llamacpp_benches_dgxspark_batched.csv", Measured::decode_tok_s, n);
  EXPECT_GT(n, 80);
  EXPECT_LT(spark, 11.5);  // 10.7% on 2026-11-26 (session 7; 12.1% in session 6, 24% in session 2); was < 13
  std::cout << "batched decode MAPE: M2 Ultra " << m2 << "%, DGX Spark " << spark << "%\n";
}

// Strix Halo decode at depth 0..64K (kyuz0 depth curves): issue #10's target is 10%.
TEST(MeasuredStrixHalo, DecodeAtDepth) {
  if (!fs::exists(kData)) GTEST_SKIP() << "../shared/data is absent (fresh clone): skipping";
  int n = 0;
  const double decode = mape("strixhalo_kyuz0_depth_curves.csv", Measured::decode_tok_s, n, {"", "deepseek-v4-flash"});
  EXPECT_GT(n, 200);
  // 9.1% on 2026-11-26 after session 13's refit, which fits the file's 90 DeepSeek-V4-Flash rows with
  // the rest (their own decode went 9.6 -> 5.4% on ROCm, 67 -> 24% on Vulkan); 8.8% without them
  // (session 6; 8.0% in session 5, before the Strix kernel variants). The bound was 9.0 for these rows.
  EXPECT_LT(decode, 9.5);
}

// DeepSeek-V4-Flash (compressed attention, a descriptor since session 13) at depth 0..64K on Strix
// Halo: llama.cpp attends every pooled row of its ratio-4 layers (masked), so its prefill falls with
// depth like full attention over a quarter of the context. Read as MLA it was predicted +65..+97% on
// decode at an empty cache.
TEST(MeasuredStrixHalo, CompressedAttentionAtDepth) {
  if (!fs::exists(kData)) GTEST_SKIP() << "../shared/data is absent (fresh clone): skipping";
  int n = 0;
  const Rows dsv4{"deepseek-v4-flash", ""};
  const double decode = mape("strixhalo_kyuz0_depth_curves.csv", Measured::decode_tok_s, n, dsv4);
  EXPECT_EQ(n, 90);
  const double prefill = mape("strixhalo_kyuz0_depth_curves.csv", Measured::prefill_tok_s, n, dsv4);
  EXPECT_EQ(n, 90);
  EXPECT_LT(decode, 14.0);   // 13.0% on 2026-11-26 (ROCm 5%, Vulkan 24%, whose builds differ: Limitations)
  EXPECT_LT(prefill, 15.0);  // 14.2% on 2026-11-26
  std::cout << "DeepSeek-V4-Flash on Strix Halo: decode " << decode << "%, prefill " << prefill << "%\n";
}

// GLM-4.7-Flash (MLA + MoE, a descriptor since session 7; fitted with the rest since its refit):
// llama-bench and llama-batched-bench on the M2 Ultra (Metal), llama-bench on the DGX Spark (CUDA).
// Before the layer kernel counts (latent attention runs 16 kernels, a Llama layer 17 with its MLP)
// and the refit, Metal decode was predicted 24% fast.
TEST(MeasuredGlm47Flash, M2UltraAndDgxSpark) {
  if (!fs::exists(kData)) GTEST_SKIP() << "../shared/data is absent (fresh clone): skipping";
  const Rows glm{"glm-4.7-flash", ""};
  int n = 0;
  const double metal_prefill = mape("llamacpp_benches_m2ultra_llamabench.csv", Measured::prefill_tok_s, n, glm);
  EXPECT_EQ(n, 5);
  EXPECT_LT(metal_prefill, 8.0);  // 7.2% (17.0% before the refit)
  const double metal_decode = mape("llamacpp_benches_m2ultra_llamabench.csv", Measured::decode_tok_s, n, glm);
  EXPECT_LT(metal_decode, 10.5);  // 9.4% (23.7% before the refit)
  const double metal_batched = mape("llamacpp_benches_m2ultra_batched.csv", Measured::decode_tok_s, n, glm);
  EXPECT_EQ(n, 18);
  EXPECT_LT(metal_batched, 12.5);  // 11.3% (session 14; 13.1% before, 22.6% before the refit)
  const double cuda_prefill = mape("llamacpp_benches_dgxspark_llamabench.csv", Measured::prefill_tok_s, n, glm);
  EXPECT_GT(n, 0);
  EXPECT_LT(cuda_prefill, 4.5);  // 3.5% (6.3%)
  const double cuda_decode = mape("llamacpp_benches_dgxspark_llamabench.csv", Measured::decode_tok_s, n, glm);
  EXPECT_LT(cuda_decode, 4.0);  // 3.2% (7.6%)
  std::cout << "GLM-4.7-Flash MAPE: M2 Ultra llama-bench prefill " << metal_prefill << "%, decode " << metal_decode
            << "%, batched decode " << metal_batched << "%; DGX Spark prefill " << cuda_prefill << "%, decode "
            << cuda_decode << "%\n";
}

// antirez/ds4 (DeepSeek-V4-Flash only) on the M2 Ultra, M4 Max, M5 Max, DGX Spark and RTX PRO 6000,
// context 2K..64K (256K on one M5 Max run): its own Apple and NVIDIA calibrations (session 13). The
// MacBook Pro M4 Max run is the outlier (decode +86%: a throttled laptop, data README).
TEST(MeasuredDs4, DeepSeekV4FlashAcrossChipsAndDepth) {
  if (!fs::exists(kData)) GTEST_SKIP() << "../shared/data is absent (fresh clone): skipping";
  int n = 0;
  const double decode = mape("ds4_speedbench_deepseek_v4_flash.csv", Measured::decode_tok_s, n);
  EXPECT_EQ(n, 386);
  const double prefill = mape("ds4_speedbench_deepseek_v4_flash.csv", Measured::prefill_tok_s, n);
  EXPECT_EQ(n, 386);
  EXPECT_LT(decode, 12.0);   // 11.2% on 2026-11-26
  EXPECT_LT(prefill, 12.0);  // 11.3% on 2026-11-26 (the indexer's f32 products on the fp32 ALUs; 15.5% on the matmul peak)
  std::cout << "ds4: decode " << decode << "%, prefill " << prefill << "%\n";
}
