// The config.json families added for the session-7 MoE models (hunyuan_v1_moe, glm4_moe,
// glm4_moe_lite, deepseek_v2, minimax_m2, nemotron_h's LatentMoE), each on a small config written
// here, with the parameter counts derived by hand.
#include <gtest/gtest.h>

#include "helpers.hpp"
#include "ridgeline/derived.hpp"
#include "ridgeline/importers.hpp"
#include "ridgeline/quant.hpp"

using namespace ridgeline;
using ridgeline::test::error_of;

namespace {
// Hidden 64, 4 heads of 16 (2 KV heads), vocabulary 100: the attention of every GQA config below.
constexpr double kH = 64, kVocab = 100;
constexpr double kGqaAttention = kH * (4 * 16) + 2 * kH * (2 * 16) + (4 * 16) * kH;  // q, k and v, o
double norms(int layers) { return (2.0 * layers + 1) * kH; }

const char* kHunyuan = R"({"model_type": "hunyuan_v1_moe", "hidden_size": 64, "vocab_size": 100,
  "num_hidden_layers": 4, "num_attention_heads": 4, "num_key_value_heads": 2, "attention_head_dim": 16,
  "intermediate_size": 96, "num_experts": 8, "moe_topk": [2, 2, 2, 2], "moe_intermediate_size": [32, 32, 32, 32],
  "num_shared_expert": [1, 1, 1, 1], "use_mixed_mlp_moe": true, "use_cla": false, "tie_word_embeddings": true,
  "max_position_embeddings": 2048})";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}
}  // namespace

TEST(HfFamilies, HunyuanPerLayerListsAndTheSharedMlp) {
  const ModelSpec m = import_hf_config_text(kHunyuan, "c.json");
  ASSERT_EQ(m.layers.size(), 1u);
  const auto& g = m.layers[0];
  EXPECT_EQ(g.count, 4);
  EXPECT_EQ(g.attention.head_dim, 16);
  EXPECT_EQ(g.ffn.experts, 8);
  EXPECT_EQ(g.ffn.active_experts, 2);
  EXPECT_EQ(g.ffn.expert_intermediate, 32);
  EXPECT_EQ(g.ffn.shared_experts, 1);
  EXPECT_EQ(g.ffn.shared_intermediate, 96);
  EXPECT_TRUE(m.tied_embeddings);
  const double experts = 8 * 3 * kH * 32, shared = 3 * kH * 96, router = 8 * kH;
  EXPECT_DOUBLE_EQ(total_params(m), kVocab * kH + norms(4) + 4 * (kGqaAttention + experts + shared + router));
  EXPECT_DOUBLE_EQ(active_params(m), kVocab * kH + norms(4) + 4 * (kGqaAttention + 2 * 3 * kH * 32 + shared + router));
}

TEST(HfFamilies, HunyuanRefusesWhatItCannotSay) {
  EXPECT_EQ(error_of([] { import_hf_config_text(replaced(kHunyuan, "\"use_cla\": false", "\"use_cla\": true"), "c.json"); }),
            "c.json: use_cla: cross-layer attention (K/V shared between layers) is not modelled");
  EXPECT_EQ(error_of([] { import_hf_config_text(replaced(kHunyuan, "[2, 2, 2, 2]", "[2, 2, 2]"), "c.json"); }),
            "c.json: moe_topk: 3 entries for 4 layers");
  EXPECT_EQ(error_of([] { import_hf_config_text(replaced(kHunyuan, "[2, 2, 2, 2]", "[2, 9, 2, 2]"), "c.json"); }),
            "c.json: moe_topk: top-9 of 8 experts in layer 1");
  EXPECT_EQ(error_of([] { import_hf_config_text(replaced(kHunyuan, "[32, 32, 32, 32]", "[32, 32.5, 32, 32]"), "c.json"); }),
            "c.json: moe_intermediate_size[1]: 32.5 is not a whole number");
}

TEST(HfFamilies, Glm4MoeDenseFirstThenSharedAndRoutedExperts) {
  const std::string json = R"({"model_type": "glm4_moe", "hidden_size": 64, "vocab_size": 100, "num_hidden_layers": 3,
    "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "attention_bias": true,
    "intermediate_size": 256, "moe_intermediate_size": 32, "n_routed_experts": 8, "n_shared_experts": 1,
    "num_experts_per_tok": 2, "first_k_dense_replace": 1, "tie_word_embeddings": false, "use_qk_norm": true})";
  const ModelSpec m = import_hf_config_text(json, "c.json");
  ASSERT_EQ(m.layers.size(), 2u);
  EXPECT_EQ(m.layers[0].count, 1);
  EXPECT_EQ(m.layers[0].ffn.intermediate, 256);
  EXPECT_EQ(m.layers[1].count, 2);
  EXPECT_TRUE(m.layers[1].attention.qkv_bias);
  const double bias = 4 * 16 + 2 * 2 * 16;  // q, k and v biases
  const double dense = 3 * kH * 256, moe = 8 * 3 * kH * 32 + 3 * kH * 32 + 8 * kH;
  EXPECT_DOUBLE_EQ(total_params(m), 2 * kVocab * kH + norms(3) + 3 * (kGqaAttention + bias) + dense + 2 * moe);
  EXPECT_EQ(error_of([&] { import_hf_config_text(replaced(json, "\"first_k_dense_replace\": 1", "\"first_k_dense_replace\": 4"), "c.json"); }),
            "c.json: first_k_dense_replace: 4 dense layers in a 3-layer model");
}

TEST(HfFamilies, Glm4MoeLiteAndDeepseekV2AreLatentAttention) {
  // GLM-4.7-Flash's shape in miniature: MLA with a query LoRA, one dense layer, then experts.
  const std::string lite = R"({"model_type": "glm4_moe_lite", "hidden_size": 64, "vocab_size": 100,
    "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 4, "q_lora_rank": 24,
    "kv_lora_rank": 16, "qk_nope_head_dim": 12, "qk_rope_head_dim": 4, "v_head_dim": 8,
    "intermediate_size": 128, "moe_intermediate_size": 32, "n_routed_experts": 4, "n_shared_experts": 1,
    "num_experts_per_tok": 2, "first_k_dense_replace": 1})";
  const ModelSpec m = import_hf_config_text(lite, "c.json");
  ASSERT_EQ(m.layers.size(), 2u);
  const auto& a = m.layers[1].attention;
  EXPECT_EQ(a.kind, AttentionKind::mla);
  EXPECT_EQ(a.head_dim, 12 + 4);
  EXPECT_EQ(a.q_lora_rank, 24);
  // MLA caches the compressed latent and the shared rope key, whatever the head count.
  EXPECT_DOUBLE_EQ(kv_bytes_at(m, find_kv_dtype("f16"), 1000).value, 2 * 1000 * (16 + 4) * 2.0);
  // DeepSeek-V2-Lite writes "q_lora_rank": null: queries come straight from the hidden state.
  const ModelSpec v2 = import_hf_config_text(
      replaced(replaced(lite, "glm4_moe_lite", "deepseek_v2"), "\"q_lora_rank\": 24", "\"q_lora_rank\": null"), "c.json");
  EXPECT_EQ(v2.layers[1].attention.q_lora_rank, 0);
  EXPECT_DOUBLE_EQ(attention_params(v2.layers[1].attention, 64),
                   kH * 4 * 16 + kH * (16 + 4) + 16 + 16 * 4 * (12 + 8) + 4 * 8 * kH);  // q, kv_a + norm, kv_b, o
}

TEST(HfFamilies, MinimaxM2SoftmaxAttentionOnly) {
  const std::string json = R"({"model_type": "minimax_m2", "hidden_size": 64, "vocab_size": 100, "num_hidden_layers": 2,
    "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "intermediate_size": 32,
    "num_local_experts": 8, "num_experts_per_tok": 2, "attn_type_list": [1, 1], "shared_intermediate_size": 0,
    "sliding_window": null, "tie_word_embeddings": false})";
  const ModelSpec m = import_hf_config_text(json, "c.json");
  ASSERT_EQ(m.layers.size(), 1u);
  EXPECT_EQ(m.layers[0].count, 2);
  EXPECT_EQ(m.layers[0].attention.kind, AttentionKind::full);
  EXPECT_EQ(m.layers[0].ffn.shared_experts, 0);
  EXPECT_DOUBLE_EQ(total_params(m), 2 * kVocab * kH + norms(2) + 2 * (kGqaAttention + 8 * 3 * kH * 32 + 8 * kH));
  EXPECT_EQ(error_of([&] { import_hf_config_text(replaced(json, "[1, 1]", "[1, 0]"), "c.json"); }),
            "c.json: attn_type_list[1]: 0 is lightning (linear) attention, which the minimax_m2 importer does not "
            "model (expected 1, softmax attention)");
}

TEST(HfFamilies, NemotronLatentMoeRoutesExpertsThroughTheLatent) {
  const std::string json = R"({"model_type": "nemotron_h", "hidden_size": 64, "vocab_size": 100, "num_hidden_layers": 2,
    "hybrid_override_pattern": "E*", "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16,
    "intermediate_size": 128, "mamba_num_heads": 4, "mamba_head_dim": 8, "ssm_state_size": 8,
    "n_routed_experts": 8, "num_experts_per_tok": 2, "moe_intermediate_size": 24, "moe_latent_size": 16,
    "n_shared_experts": 1, "moe_shared_expert_intermediate_size": 48})";
  const ModelSpec m = import_hf_config_text(json, "c.json");
  const FfnSpec& f = m.layers[0].ffn;
  EXPECT_EQ(f.latent, 16);
  // Routed experts (relu^2: up and down) work at the latent width; the shared one at the hidden width,
  // and the layer projects into and out of the latent.
  EXPECT_DOUBLE_EQ(expert_params(f, 64), 2 * 16 * 24);
  EXPECT_DOUBLE_EQ(ffn_params_active(f, 64), 2 * kH * 48 + 2 * kH * 16 + 8 * kH + 2 * (2 * 16 * 24));
  EXPECT_DOUBLE_EQ(total_params(m), 2 * kVocab * kH + norms(2) + kGqaAttention +
                                        (2 * kH * 48 + 2 * kH * 16 + 8 * kH + 8 * (2 * 16 * 24)));
  // The descriptor YAML carries the latent and reads it back.
  ModelSpec named = m;
  named.id = named.name = "x";
  named.max_context = 2048;
  const ModelSpec back = parse_model_yaml_text(model_to_yaml(named), "m.yaml");
  EXPECT_EQ(back.layers[0].ffn.latent, 16);
  EXPECT_DOUBLE_EQ(total_params(back), total_params(m));
}

// The norms a layer adds to a Llama layer's two, which its kernel count follows: per-head query and
// key norms by model type (Qwen3, Gemma 3) or use_qk_norm, Gemma's output norms by type; they
// survive the descriptor's own format.
TEST(HfFamilies, QueryKeyAndOutputNormsFromTheModelType) {
  const std::string qwen3 = R"({"model_type": "qwen3", "hidden_size": 1024, "num_attention_heads": 16,
    "num_key_value_heads": 8, "head_dim": 128, "num_hidden_layers": 2, "intermediate_size": 3072,
    "vocab_size": 1000, "max_position_embeddings": 4096})";
  const ModelSpec q = import_hf_config_text(qwen3, "q.json");
  EXPECT_TRUE(q.layers.at(0).attention.qk_norm);
  EXPECT_FALSE(q.layers.at(0).attention.post_norms);
  std::string llama = qwen3;
  llama.replace(llama.find("qwen3"), 5, "llama");
  EXPECT_FALSE(import_hf_config_text(llama, "l.json").layers.at(0).attention.qk_norm);
  std::string flagged = llama;
  flagged.replace(flagged.find("\"vocab_size\""), 0, "\"use_qk_norm\": true, ");
  EXPECT_TRUE(import_hf_config_text(flagged, "f.json").layers.at(0).attention.qk_norm);
  const std::string gemma2 = R"({"model_type": "gemma2", "hidden_size": 1024, "num_attention_heads": 8,
    "num_key_value_heads": 4, "head_dim": 128, "num_hidden_layers": 2, "intermediate_size": 4096,
    "vocab_size": 1000, "max_position_embeddings": 8192, "sliding_window": 4096})";
  const ModelSpec g = import_hf_config_text(gemma2, "g.json");
  EXPECT_TRUE(g.layers.at(0).attention.post_norms);
  EXPECT_FALSE(g.layers.at(0).attention.qk_norm);
  ModelSpec named = q;
  named.id = "q";
  named.source = "test";
  named.name = "Q";
  const ModelSpec back = parse_model_yaml_text(model_to_yaml(named), "q.yaml");
  EXPECT_TRUE(back.layers.at(0).attention.qk_norm);
}

// The checkpoint's float dtype is read from torch_dtype (or the newer `dtype`, or a text_config's),
// and a config that states none leaves it unstated rather than guessed.
TEST(HfFamilies, CheckpointDtypeFromTorchDtype) {
  EXPECT_EQ(import_hf_config_text(kHunyuan, "c.json").dtype, "");
  const std::string tail = "\"max_position_embeddings\": 2048";
  EXPECT_EQ(import_hf_config_text(replaced(kHunyuan, tail, tail + R"(, "torch_dtype": "bfloat16")"), "c.json").dtype, "bf16");
  EXPECT_EQ(import_hf_config_text(replaced(kHunyuan, tail, tail + R"(, "dtype": "float16")"), "c.json").dtype, "f16");
  EXPECT_EQ(import_hf_config_text(replaced(kHunyuan, tail, tail + R"(, "torch_dtype": "float32")"), "c.json").dtype, "f32");
}

// DeepSeek-V4 (deepseek_v4): compressed attention in every layer by its compress_ratios (one more
// entry, the MTP layer's, is not loaded), routed and shared experts everywhere, hyper-connections.
TEST(HfFamilies, DeepseekV4CompressedLayersByRatio) {
  const std::string json = R"({"model_type": "deepseek_v4", "hidden_size": 64, "vocab_size": 100, "num_hidden_layers": 3,
    "num_attention_heads": 4, "num_key_value_heads": 1, "head_dim": 32, "qk_rope_head_dim": 8, "q_lora_rank": 16,
    "sliding_window": 8, "o_groups": 2, "o_lora_rank": 12, "index_n_heads": 2, "index_head_dim": 8, "index_topk": 4,
    "compress_ratios": [0, 4, 128, 0], "n_routed_experts": 8, "num_experts_per_tok": 2, "moe_intermediate_size": 16,
    "n_shared_experts": 1, "hc_mult": 2, "hc_sinkhorn_iters": 5, "tie_word_embeddings": false})";
  const ModelSpec m = import_hf_config_text(json, "c.json");
  ASSERT_EQ(m.layers.size(), 3u);
  EXPECT_EQ(m.layers[0].attention.compress_ratio, 0);
  EXPECT_EQ(m.layers[1].attention.compress_ratio, 4);
  EXPECT_TRUE(m.layers[1].attention.compress_overlap);
  EXPECT_EQ(m.layers[1].attention.index_topk, 4);
  EXPECT_EQ(m.layers[2].attention.compress_ratio, 128);
  EXPECT_EQ(m.layers[2].attention.index_heads, 0);
  EXPECT_EQ(m.residual_streams, 2);
  EXPECT_EQ(m.sinkhorn_iterations, 5);
  const double q = kH * 16 + 16 + 16 * (4 * 32), kv = kH * 32 + 32, o = (4 * 32) * 12 + 2 * 12 * kH, sinks = 4;
  const double core = q + kv + o + sinks;
  const double ratio_4 = (2 * kH * 64 + 4 * 64 + 32) + (16 * (2 * 8) + kH * 2 + (2 * kH * 16 + 4 * 16 + 8));
  const double ratio_128 = 2 * kH * 32 + 128 * 32 + 32;
  const double moe = 8 * 3 * kH * 16 + 3 * kH * 16 + 8 * kH;  // routed, shared, router
  const double mixes = (2 + 2) * 2, hyper = 3 * 2 * (mixes * 2 * kH + mixes + 3) + 2 * 2 * kH + 2 + 1;
  EXPECT_DOUBLE_EQ(total_params(m), 2 * kVocab * kH + norms(3) + 3 * (core + moe) + ratio_4 + ratio_128 + hyper);
  EXPECT_EQ(error_of([&] { import_hf_config_text(replaced(json, "[0, 4, 128, 0]", "[0, 4, 64, 0]"), "c.json"); }),
            "c.json: compress_ratios[2]: 64 is not a DeepSeek-V4 compression ratio (expected 0, 4 or 128)");
  EXPECT_EQ(error_of([&] { import_hf_config_text(replaced(json, "[0, 4, 128, 0]", "[0, 4]"), "c.json"); }),
            "c.json: compress_ratios: 2 entries for 3 layers (expected one per layer)");
}

// Gemma 4 E2B/E4B's layout on a small config: the last num_kv_shared_layers layers reuse the cache
// of the last earlier layer of their type (no K/V projections, no cache), twice as wide an MLP with
// use_double_wide_mlp, and a per-layer input table beside the layers.
TEST(HfFamilies, Gemma4SharedKvLayersAndPerLayerInputs) {
  const char* config = R"({"model_type": "gemma4_text", "hidden_size": 64, "vocab_size": 100,
    "num_hidden_layers": 5, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16,
    "global_head_dim": 32, "intermediate_size": 96, "sliding_window": 8, "max_position_embeddings": 2048,
    "tie_word_embeddings": true, "num_kv_shared_layers": 2, "use_double_wide_mlp": true,
    "hidden_size_per_layer_input": 8, "vocab_size_per_layer_input": 50,
    "layer_types": ["sliding_attention", "sliding_attention", "full_attention", "sliding_attention", "full_attention"]})";
  const ModelSpec m = import_hf_config_text(config, "c.json");
  ASSERT_EQ(m.layers.size(), 4u);  // sliding x2, full, then the two shared layers
  EXPECT_FALSE(m.layers[1].attention.kv_reused);  // the full layer after the two sliding ones
  EXPECT_TRUE(m.layers[2].attention.kv_reused);
  EXPECT_EQ(m.layers[2].attention.kind, AttentionKind::sliding);
  EXPECT_TRUE(m.layers[3].attention.kv_reused);
  EXPECT_EQ(m.layers[3].attention.head_dim, 32);
  EXPECT_EQ(m.layers[1].ffn.intermediate, 96);
  EXPECT_EQ(m.layers[3].ffn.intermediate, 2 * 96);
  EXPECT_EQ(m.per_layer_input, 8);
  EXPECT_EQ(m.per_layer_vocab, 50);
  // q and o of 4 heads, k and v of 2, 16 wide on sliding layers and 32 on full ones; a shared layer
  // keeps q and o only.
  const double sliding = kH * 4 * 16 + 2 * kH * 2 * 16 + 4 * 16 * kH, full = kH * 4 * 32 + 2 * kH * 2 * 32 + 4 * 32 * kH;
  const double shared_sliding = 2 * kH * 4 * 16, shared_full = 2 * kH * 4 * 32;
  const double mlp = 3 * kH * 96, wide_mlp = 3 * kH * 2 * 96;
  const double table = 50.0 * 5 * 8, projections = 3 * kH * 8 * 5;  // hidden -> 5 x 8, then per layer gate and back
  EXPECT_DOUBLE_EQ(total_params(m), kVocab * kH + norms(5) + 2 * sliding + full + shared_sliding + shared_full +
                                        3 * mlp + 2 * wide_mlp + table + projections);
  EXPECT_DOUBLE_EQ(active_params(m), total_params(m) - table);  // the table is gathered, as the input embedding is
  const KvDtype& f16 = find_kv_dtype("f16");
  EXPECT_DOUBLE_EQ(kv_bytes_per_token(m.layers[2].attention, f16).value, 0.0);
  EXPECT_DOUBLE_EQ(kv_read_bytes_per_token(m.layers[2].attention, f16).value, 2 * (16 + 16) * 2.0);
  EXPECT_DOUBLE_EQ(kv_bytes_per_token(m.layers[0].attention, f16).value, 2 * (16 + 16) * 2.0);
  EXPECT_DOUBLE_EQ(kv_bytes_per_token(m.layers[1].attention, f16).value, 2 * (32 + 32) * 2.0);
  EXPECT_EQ(error_of([&] { import_hf_config_text(replaced(config, "\"hidden_size_per_layer_input\": 8", "\"hidden_size_per_layer_input\": 3e9"), "c.json"); }),
            "c.json: hidden_size_per_layer_input: 3e9 is out of range (expected 1 to 16777216)");
}
