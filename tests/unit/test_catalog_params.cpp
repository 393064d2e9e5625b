// Published parameter counts of catalog descriptors written by hand from a config.json (no reference copy
// in ../shared/configs), checked against the count the descriptor implies. Each figure names its source.
#include <gtest/gtest.h>

#include "ridgeline/catalog.hpp"
#include "ridgeline/derived.hpp"

using namespace ridgeline;

namespace {
void expect_near_billions(double got, double published_billions, double tolerance, const std::string& what) {
  EXPECT_NEAR(got / 1e9, published_billions, published_billions * tolerance) << what;
}
}  // namespace

TEST(CatalogParams, MistralSmall31) {
  const ModelSpec m = resolve_model("mistral-small-3.1-24b");
  // Model card: "24B" parameters, vision encoder included.
  expect_near_billions(total_params(m) + m.encoder_params, 24, 0.03, m.id);
  // Text-only count from config.json on the meta device, 23,572,403,200 (stated for 3.2, same text shapes).
  EXPECT_NEAR(total_params(m), 23572403200.0, 23572403200.0 * 0.001) << m.id;
}

TEST(CatalogParams, Ministral3_14B) {
  const ModelSpec m = resolve_model("ministral-3-14b");
  // Model card: 14B = a 13.5B language model + a 0.4B vision encoder.
  expect_near_billions(total_params(m) + m.encoder_params, 14, 0.03, m.id);
  EXPECT_NEAR(total_params(m), 13506073600.0, 13506073600.0 * 0.001) << m.id;
}

TEST(CatalogParams, DotsLlm1) {
  const ModelSpec m = resolve_model("dots.llm1");
  // Model card (rednote-hilab/dots.llm1.inst): 142B total, 14B activated; the activated figure counts
  // the embedding, as Qwen's do.
  expect_near_billions(total_params(m), 142, 0.03, m.id);
  expect_near_billions(active_params(m) + embedding_params(m), 14, 0.03, m.id);
}

TEST(CatalogParams, NamesUsersWriteResolveToTheNewDescriptors) {
  EXPECT_EQ(resolve_model("Mistral-Small-3.1-24B-Instruct-2503-UD-Q4_K_XL").id, "mistral-small-3.1-24b");
  EXPECT_EQ(resolve_model("mistralai/Mistral-Small-3.2-24B-Instruct-2506").id, "mistral-small-3.1-24b");
  EXPECT_EQ(resolve_model("Ministral-3-14B-Instruct-2512-BF16").id, "ministral-3-14b");
  EXPECT_EQ(resolve_model("dots.llm1.inst-UD-Q4_K_XL").id, "dots.llm1");
}

// Group B models (session 7). llama-bench prints a GGUF's parameter count (the text model as converted,
// without the multi-token-prediction head and without the vision tower, which ships as a separate mmproj file).
TEST(CatalogParams, Qwen35SmallSizesMatchLlamaBenchCounts) {
  // "qwen35 0.8B ... 752.39 M", "qwen35 4B ... 4.21 B", "qwen35 9B ... 8.95 B" in public llama-bench tables.
  EXPECT_NEAR(total_params(resolve_model("qwen3.5-0.8b")), 752.39e6, 752.39e6 * 0.001);
  expect_near_billions(total_params(resolve_model("qwen3.5-4b")), 4.21, 0.005, "qwen3.5-4b");
  expect_near_billions(total_params(resolve_model("qwen3.5-9b")), 8.95, 0.005, "qwen3.5-9b");
  EXPECT_TRUE(resolve_model("qwen3.5-4b").tied_embeddings);  // the 0.8B and 4B tie their head, the 9B does not
  EXPECT_FALSE(resolve_model("qwen3.5-9b").tied_embeddings);
}

TEST(CatalogParams, Gemma3_270M) {
  const ModelSpec m = resolve_model("gemma-3-270m");
  // Google's announcement: 270M = 170M embedding parameters (a 256k vocabulary) + 100M in the blocks.
  expect_near_billions(total_params(m), 0.270, 0.01, m.id);
  expect_near_billions(embedding_params(m), 0.170, 0.02, m.id);
}

TEST(CatalogParams, Phi4Mini) {
  const ModelSpec m = resolve_model("phi-4-mini-instruct");
  // 3,836,021,760 as listed beside its config.json in public code; the model card says 3.8B.
  EXPECT_NEAR(total_params(m), 3836021760.0, 3836021760.0 * 0.0001) << m.id;
}

TEST(CatalogParams, TinyLlama) {
  const ModelSpec m = resolve_model("tinyllama-1.1b");
  // Model card: 1.1B parameters; geerlingguy's llama-bench row prints 1.10 B for the 1T OpenOrca fine-tune.
  expect_near_billions(total_params(m), 1.10, 0.005, m.id);
}

TEST(CatalogParams, DevstralSmall2) {
  const ModelSpec m = resolve_model("devstral-small-2-24b");
  // Public text-only export: 23.57B language-model parameters; the same layers as Mistral Small 3.1.
  expect_near_billions(total_params(m), 23.57, 0.001, m.id);
  EXPECT_EQ(total_params(m), total_params(resolve_model("mistral-small-3.1-24b")));
  EXPECT_EQ(m.max_context, 262144);
}

TEST(CatalogParams, GroupBNamesResolve) {
  EXPECT_EQ(resolve_model("Qwen3.5-4B-MLX-4bit").id, "qwen3.5-4b");
  EXPECT_EQ(resolve_model("Gemma3 270M").id, "gemma-3-270m");
  EXPECT_EQ(resolve_model("phi-4-mini-instruct-4bit").id, "phi-4-mini-instruct");
  EXPECT_EQ(resolve_model("TinyLlama-1.1B-1T-OpenOrca").id, "tinyllama-1.1b");
  EXPECT_EQ(resolve_model("Devstral-Small-2505").id, "mistral-small-3.1-24b");
  EXPECT_EQ(resolve_model("Magistral-Small-2509").id, "mistral-small-3.1-24b");
}

// Group A models (session 7): published totals and actives, and the checks that settle what the
// sources left open (tied embeddings, the LatentMoE widths) against llama.cpp's own counts.
TEST(CatalogParams, HunyuanA13B) {
  const ModelSpec m = resolve_model("hunyuan-a13b");
  // Model card (github.com/Tencent-Hunyuan/Hunyuan-A13B): 80B total, 13B active.
  expect_near_billions(total_params(m), 80, 0.01, m.id);
  expect_near_billions(active_params(m), 13, 0.03, m.id);
  // llama.cpp PR #14425: the Q4_K_M file, 45.38 GiB at 4.85 bits per weight. Untied embeddings would
  // add vocab x hidden = 0.52 B, 0.65 %: outside this tolerance.
  EXPECT_NEAR(total_params(m), 45.38 * 1073741824.0 * 8 / 4.85, total_params(m) * 0.002) << m.id;
}

TEST(CatalogParams, Glm47Flash) {
  const ModelSpec m = resolve_model("glm-4.7-flash");
  // Model card: "30B-A3B"; the BF16 GGUF of ik_llama.cpp issue #1167, 55.79 GiB at 16 bits per weight.
  expect_near_billions(total_params(m), 30, 0.01, m.id);
  EXPECT_NEAR(total_params(m), 55.79 * 1073741824.0 * 8 / 16, total_params(m) * 0.001) << m.id;
  expect_near_billions(active_params(m) - lm_head_params(m), 3, 0.10, m.id);  // "A3B": a rounded class name
}

TEST(CatalogParams, Glm46) {
  const ModelSpec m = resolve_model("glm-4.6");
  // GLM-4.5 card, the architecture GLM-4.6 keeps: 355B total, 32B active (the MTP layer, not counted here,
  // is 1 of 93 layers).
  expect_near_billions(total_params(m), 355, 0.01, m.id);
  expect_near_billions(active_params(m), 32, 0.03, m.id);
}

TEST(CatalogParams, MiniMaxM2Family) {
  // Model card (MiniMaxAI/MiniMax-M2): 230B total, 10B active; M2.7 keeps the shapes.
  for (const char* id : {"minimax-m2", "minimax-m2.7"}) {
    const ModelSpec m = resolve_model(id);
    expect_near_billions(total_params(m), 230, 0.01, m.id);
    expect_near_billions(active_params(m), 10, 0.05, m.id);
  }
  EXPECT_EQ(resolve_model("minimax-m2").max_context, 196608);
  EXPECT_EQ(resolve_model("minimax-m2.7").max_context, 204800);
}

TEST(CatalogParams, Nemotron3SuperLatentMoe) {
  const ModelSpec m = resolve_model("nvidia-nemotron-3-super-120b-a12b");
  // Model card (nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-NVFP4): 120B total, 12B active.
  expect_near_billions(total_params(m), 120, 0.01, m.id);
  expect_near_billions(active_params(m), 12, 0.03, m.id);
  // llama.cpp's count of the unsloth GGUF, 120.67 B (kyuz0/amd-strix-halo-toolboxes logs): tied
  // embeddings would remove 0.54 B, and experts read at the hidden width instead of the 1024 latent
  // would quadruple the 113 B of expert weights.
  EXPECT_NEAR(total_params(m), 120.67e9, 0.01e9) << m.id;
  int latent_layers = 0;
  for (const auto& g : m.layers)
    if (g.ffn.is_moe()) {
      EXPECT_EQ(g.ffn.latent, 1024);
      latent_layers += g.count;
    }
  EXPECT_EQ(latent_layers, 40);
}

TEST(CatalogParams, DeepSeekV2Lite) {
  const ModelSpec m = resolve_model("deepseek-v2-lite");
  // DeepSeek-V2 paper / model card: DeepSeek-V2-Lite has 15.7B total and 2.4B active parameters.
  expect_near_billions(total_params(m), 15.7, 0.01, m.id);
  expect_near_billions(active_params(m), 2.4, 0.03, m.id);
  EXPECT_EQ(m.layers.back().attention.q_lora_rank, 0);  // no query compression in the Lite model
}

// Session 12's hand-written descriptors (sources in each file's comments): the count each implies
// against the published one, within the tolerance its note explains.
TEST(CatalogParams, Session12DescriptorsMatchPublishedCounts) {
  struct Published {
    const char* id;
    double params;
    double tolerance;  // relative
    const char* source;
  };
  const Published table[] = {
      {"lfm2-2.6b", 2569272320.0, 0.001, "model card; the descriptor leaves out 1,024 q/k norm weights"},
      {"gemma-4-12b", 11959730176.0, 0.01, "tenstorrent/tt-xla#5255, image and audio embedders included"},
      {"glm-5", 744e9, 0.01, "744B total (radixark/miles glm5-744B-A40B)"},
      {"granite-4.0-h-small", 32e9, 0.03, "IBM model card: 32B"},
      {"granite-4.0-h-tiny", 7e9, 0.03, "IBM model card: 7B"},
      {"ernie-4.5-21b-a3b", 21825437888.0, 0.002, "its safetensors count"},
      {"nvidia-nemotron-nano-9b-v2", 8.888e9, 0.002, "a memory estimator's count from its safetensors index"},
      {"nvidia-nemotron-nano-12b-v2", 12.31e9, 0.002, "the 12B-Base model card"},
      {"olmo-3-1025-7b", 7298011136.0, 0.0001, "the count a fine-tune of Olmo-3-1025-7B declares"},
      {"deepseek-v4-flash", 284.33e9, 0.0001, "llama-bench's line for an unsloth GGUF of it: 284.33 B (published 284B)"},
  };
  for (const auto& p : table)
    EXPECT_NEAR(total_params(resolve_model(p.id)), p.params, p.params * p.tolerance) << p.id << ": " << p.source;
}

// Gemma 4 E2B and E4B (per-layer inputs, KV-shared layers): llama-bench's parameter count of their
// GGUFs (model_n_params in defai-digital/ax-engine benchmarks/results/inference/llama-cpp-metal/
// 2026-08-07-llama-cpp-b10050-m5max/gemma-4-e{2,4}b-it-4bit.json @7faacd02) less the K and V
// projections the checkpoint keeps in its KV-shared layers, which those layers never run and the
// descriptor does not count (E2B: 16 sliding layers of one 256-wide KV head and 4 full of one
// 512-wide; E4B: 15 sliding of two 256-wide and 3 full of two 512-wide). What is left are norms.
TEST(CatalogParams, GemmaFourSmallMatchLlamaCppCountsLessUnusedKvProjections) {
  const double e2b_unused = 16 * 1536.0 * 2 * 256 + 4 * 1536.0 * 2 * 512;
  const double e4b_unused = 15 * 2560.0 * 2 * 2 * 256 + 3 * 2560.0 * 2 * 2 * 512;
  EXPECT_NEAR(total_params(resolve_model("gemma-4-e2b")), 4647450147.0 - e2b_unused, 4647450147.0 * 1e-4);
  EXPECT_NEAR(total_params(resolve_model("gemma-4-e4b")), 7518069290.0 - e4b_unused, 7518069290.0 * 1e-4);
}
