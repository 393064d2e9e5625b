// Validation against the reference configs in ../shared/configs (skipped when absent).
#include <gtest/gtest.h>

#include <filesystem>

#include "ridgeline/derived.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/importers.hpp"

using namespace ridgeline;
namespace fs = std::filesystem;

namespace {
const fs::path kConfigs = fs::path(RIDGELINE_SHARED_DIR) / "configs";
}

TEST(HfConfigs, EveryReferenceConfigImports) {
  if (!fs::exists(kConfigs)) GTEST_SKIP() << "../shared/configs is absent (fresh clone): skipping";
  int models = 0;
  for (const auto& e : fs::directory_iterator(kConfigs)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() != ".json") continue;
    if (name.find("hf_quant_config") != std::string::npos) {
      // A quantization companion file, not a model: it must be refused with a clear reason.
      EXPECT_THROW(import_hf_config(e.path().string()), InputError) << name;
      continue;
    }
    ModelSpec m = import_hf_config(e.path().string());
    EXPECT_GT(total_params(m), 1e8) << name;
    EXPECT_LE(active_params(m), total_params(m) + lm_head_params(m)) << name;
    ++models;
  }
  EXPECT_EQ(models, 58);
}

// Published counts, in billions, with each publisher's convention made explicit.
TEST(HfConfigs, PublishedParameterCounts) {
  if (!fs::exists(kConfigs)) GTEST_SKIP() << "../shared/configs is absent (fresh clone): skipping";
  auto load = [](const char* f) { return import_hf_config((kConfigs / f).string()); };
  auto near = [](double got, double published, double tolerance) { EXPECT_NEAR(got / 1e9, published, published * tolerance); };
  near(total_params(load("Llama-3.1-8B.json")), 8.03, 0.005);
  const ModelSpec oss = load("gpt-oss-120b.json");
  near(total_params(oss), 116.8, 0.005);
  near(active_params(oss), 5.1, 0.02);  // OpenAI counts the unembedding, not the embedding
  const ModelSpec g4 = load("gemma-4-26B-A4B.json");
  near(total_params(g4), 25.2, 0.01);
  near(active_params(g4), 3.8, 0.02);
  const ModelSpec q3 = load("Qwen3-30B-A3B.json");
  near(total_params(q3), 30.5, 0.01);
  near(active_params(q3) + embedding_params(q3), 3.3, 0.03);  // Qwen counts the embedding too
  near(total_params(load("DeepSeek-V3.json")), 671, 0.005);
  near(active_params(load("DeepSeek-V3.json")), 37, 0.03);
  near(total_params(load("Mixtral-8x7B-v0.1.json")), 46.7, 0.005);
  near(total_params(load("Qwen2.5-7B.json")), 7.61, 0.005);
  const ModelSpec g3 = load("gemma-3-4b-it.json");
  near(total_params(g3) + g3.encoder_params, 4.3, 0.01);  // Google counts the vision tower
  near(total_params(load("NVIDIA-Nemotron-3-Nano-30B-A3B-BF16.json")), 31.6, 0.01);
  near(total_params(load("Llama-3_3-Nemotron-Super-49B-v1.json")), 49.9, 0.01);
  near(total_params(load("Qwen3-Next-80B-A3B-Thinking.json")), 80, 0.01);
  near(total_params(load("Llama-4-Maverick-17B-128E-Instruct.json")), 400, 0.01);
}

TEST(HfConfigs, KvForSlidingHybridAndMla) {
  if (!fs::exists(kConfigs)) GTEST_SKIP() << "../shared/configs is absent (fresh clone): skipping";
  const KvDtype& f16 = find_kv_dtype("f16");
  // Gemma 4 26B-A4B: 25 sliding layers (8 KV heads x 256, window 1024) + 5 global (2 x 512, K = V).
  const ModelSpec g4 = import_hf_config((kConfigs / "gemma-4-26B-A4B.json").string());
  EXPECT_DOUBLE_EQ(kv_bytes_at(g4, f16, 131072).value,
                   25 * 1024 * (8 * 256 * 2) * 2.0 + 5 * 131072.0 * (2 * 512) * 2.0);
  // DeepSeek-V3: 61 MLA layers of kv_lora_rank 512 + rope 64.
  const ModelSpec ds = import_hf_config((kConfigs / "DeepSeek-V3.json").string());
  EXPECT_DOUBLE_EQ(kv_bytes_at(ds, f16, 1000).value, 61 * 1000 * (512 + 64) * 2.0);
  // Qwen3-Next: only 12 of 48 layers keep KV (2 heads x 256); the rest keep a fixed state.
  const ModelSpec qn = import_hf_config((kConfigs / "Qwen3-Next-80B-A3B-Thinking.json").string());
  EXPECT_DOUBLE_EQ(kv_bytes_at(qn, f16, 1000).value, 12 * 1000 * (2 * 2 * 256) * 2.0);
  EXPECT_GT(state_bytes(qn).value, 0);
}
