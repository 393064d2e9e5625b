#include <gtest/gtest.h>

#include "helpers.hpp"
#include "ridgeline/derived.hpp"

using namespace ridgeline;
using namespace ridgeline::test;

TEST(Derived, DenseGqaParameters) {
  const ModelSpec m = tiny_dense();
  const double h = 1024, q = 8 * 128, kv = 2 * 128;
  const double attention = h * (q + kv + kv) + q * h;
  const double mlp = 3 * h * 4096;
  const double norms = (2 * 4 + 1) * h;
  EXPECT_DOUBLE_EQ(attention_params(m.layers[0].attention, m.hidden), attention);
  EXPECT_DOUBLE_EQ(total_params(m), 2 * 32000 * h + 4 * (attention + mlp) + norms);
  // Active: the embedding lookup is not a matmul; the LM head is.
  EXPECT_DOUBLE_EQ(active_params(m), 32000 * h + 4 * (attention + mlp) + norms);
}

TEST(Derived, MoeCountsOnlyActiveExperts) {
  ModelSpec m = tiny_dense();
  m.layers.clear();
  FfnSpec f = moe(16, 2, 512);
  f.shared_experts = 1;
  f.shared_intermediate = 256;
  append_layers(m, 2, gqa(8, 2, 128), f);
  const double h = 1024;
  const double expert = 3 * h * 512, shared = 3 * h * 256, router = 16 * h;
  EXPECT_DOUBLE_EQ(ffn_params_total(f, m.hidden), 16 * expert + shared + router);
  EXPECT_DOUBLE_EQ(ffn_params_active(f, m.hidden), 2 * expert + shared + router);
}

TEST(Derived, KvBytesPerKind) {
  const KvDtype& f16 = find_kv_dtype("f16");
  EXPECT_DOUBLE_EQ(kv_bytes_per_token(gqa(8, 2, 128), f16).value, 2 * (2 * 128) * 2.0);
  AttentionSpec shared = gqa(16, 2, 512);
  shared.kv_shared = true;  // Gemma 4 global layers: K doubles as V
  EXPECT_DOUBLE_EQ(kv_bytes_per_token(shared, f16).value, 2 * 512 * 2.0);
  AttentionSpec mla;
  mla.kind = AttentionKind::mla;
  mla.kv_lora_rank = 512;
  mla.rope_dim = 64;
  EXPECT_DOUBLE_EQ(kv_bytes_per_token(mla, f16).value, (512 + 64) * 2.0);
  AttentionSpec linear;
  linear.kind = AttentionKind::linear;
  EXPECT_DOUBLE_EQ(kv_bytes_per_token(linear, f16).value, 0);
  EXPECT_DOUBLE_EQ(kv_bytes_per_token(gqa(8, 2, 128), find_kv_dtype("q8_0")).value, 2 * 256 * 34.0 / 32);
}

TEST(Derived, SlidingLayersHoldAtMostTheWindow) {
  ModelSpec m = tiny_dense();
  m.layers.clear();
  append_layers(m, 3, gqa(8, 2, 128, AttentionKind::sliding, 1024), dense(4096));
  append_layers(m, 1, gqa(8, 2, 128), dense(4096));
  const double per_token = 2 * 256 * 2.0;
  const KvDtype& f16 = find_kv_dtype("f16");
  EXPECT_DOUBLE_EQ(kv_bytes_at(m, f16, 100).value, 4 * 100 * per_token);
  EXPECT_DOUBLE_EQ(kv_bytes_at(m, f16, 10000).value, (3 * 1024 + 10000) * per_token);
}

TEST(Derived, LinearStateIsFixed) {
  ModelSpec m = tiny_dense();
  m.layers.clear();
  append_layers(m, 3, linear_attention(0, 1e6), dense(4096));
  EXPECT_DOUBLE_EQ(state_bytes(m).value, 3e6);
  EXPECT_DOUBLE_EQ(kv_bytes_at(m, find_kv_dtype("f16"), 1e6).value, 0);
}

TEST(Quant, BitsPerWeightIncludeScales) {
  EXPECT_DOUBLE_EQ(find_quantization("q4_0").matrix_bpw, 8.0 * 18 / 32);  // fp16 scale + 32 nibbles
  EXPECT_DOUBLE_EQ(find_quantization("q8_0").matrix_bpw, 8.0 * 34 / 32);
  EXPECT_DOUBLE_EQ(find_quantization("q6_k").matrix_bpw, 8.0 * 210 / 256);
  EXPECT_DOUBLE_EQ(find_quantization("mlx-4bit").matrix_bpw, 4 + 32.0 / 64);  // fp16 scale and bias per 64
  EXPECT_DOUBLE_EQ(find_quantization("mxfp4").expert_bpw, 8.0 * 17 / 32);
  EXPECT_TRUE(find_quantization("q4_k_m").approximate);
}

TEST(Quant, Q4KMTotalsMatchAMeasuredFile) {
  // Llama-3-8B Q4_K_M is 4.58 GiB (llama.cpp's model line in XiongjieDai's notebooks).
  ModelSpec m;
  m.hidden = 4096;
  m.vocab = 128256;
  append_layers(m, 32, gqa(32, 8, 128), dense(14336));
  const double gib = weight_bytes(m, find_quantization("q4_k_m")).value / kGiB;
  EXPECT_NEAR(gib, 4.58, 4.58 * 0.02);
  // The sizes llama.cpp's quantize tool lists for Llama-3-8B: Q3_K_L 4.03G, Q5_K_S 5.21G.
  EXPECT_NEAR(weight_bytes(m, find_quantization("q3_k_l")).value / kGiB, 4.03, 4.03 * 0.02);
  EXPECT_NEAR(weight_bytes(m, find_quantization("q5_k_s")).value / kGiB, 5.21, 5.21 * 0.02);
  // bartowski's _L adds only the embedding and output at Q8_0: the matrices are Q6_K's.
  const double q6_k = weight_bytes(m, find_quantization("q6_k")).value;
  const double table_weights = 2.0 * 4096 * 128256;  // untied embedding and output
  EXPECT_NEAR(weight_bytes(m, find_quantization("q6_k_l")).value - q6_k,
              table_weights * (8.0 * 34 / 32 - 8.0 * 210 / 256) / 8, 1e3);
}

// A tied table is the output projection too, and llama.cpp stores it as one (Q6_K under Q4_0):
// the weights count it once at the output's width, and a decode step's LM head reads it at that width.
TEST(Quant, TiedTableIsStoredAsTheOutputTensor) {
  ModelSpec m;
  m.hidden = 1024;
  m.vocab = 151936;
  append_layers(m, 2, gqa(16, 8, 128), dense(3072));
  const Quantization& q4 = find_quantization("q4_0");
  const double untied = weight_bytes(m, q4).value;
  m.tied_embeddings = true;
  const double table = 151936.0 * 1024;
  // untied: table at Q4_0 + head at Q6_K; tied: the one table at Q6_K.
  EXPECT_NEAR(weight_bytes(m, q4).value, untied - table * q4.embedding_bpw / 8, 1);
  EXPECT_DOUBLE_EQ(embedding_table_bpw(m, q4), 8.0 * 210 / 256);
  const Quantization& mlx = find_quantization("mlx-4bit");
  EXPECT_DOUBLE_EQ(embedding_table_bpw(m, mlx), mlx.embedding_bpw);  // one width for all: unchanged
}

TEST(Quant, UnknownNamesSuggest) {
  try {
    find_quantization("q4_k_n");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'q4_k_m'"), std::string::npos) << e.what();
  }
}


TEST(Derived, CompressedAttentionParameters) {
  const double h = 128, q_width = 8 * 64;
  const double q = h * 32 + 32 + 32 * q_width, kv = h * 64 + 64, o = q_width * 24 + 2 * 24 * h, sinks = 8;
  EXPECT_DOUBLE_EQ(attention_params(small_compressed(0), 128), q + kv + o + sinks);
  // Ratio 128: a compressor of key and gate projections 64 wide, a position bias per slot, a norm.
  EXPECT_DOUBLE_EQ(attention_params(small_compressed(128), 128), q + kv + o + sinks + (2 * h * 64 + 128 * 64 + 64));
  // Ratio 4 overlaps its windows (projections twice as wide) and indexes: 4 x 16 queries from the
  // q-LoRA, a weight per head, and a compressor of its own 16 wide (32 with the overlap).
  const double compressor = 2 * h * 128 + 4 * 128 + 64;
  const double indexer = 32 * (4 * 16) + h * 4 + (2 * h * 32 + 4 * 32 + 16);
  EXPECT_DOUBLE_EQ(attention_params(small_compressed(4), 128), q + kv + o + sinks + compressor + indexer);
}

TEST(Derived, CompressedKvIsTheWindowPlusPooledRows) {
  const KvDtype& f16 = find_kv_dtype("f16");
  // A pooled row of K=V (64) and one of the indexer's keys (16) per 4 tokens.
  EXPECT_DOUBLE_EQ(kv_bytes_per_token(small_compressed(4), f16).value, (64 + 16) / 4.0 * 2);
  EXPECT_DOUBLE_EQ(kv_bytes_per_token(small_compressed(128), f16).value, 64 / 128.0 * 2);
  EXPECT_DOUBLE_EQ(kv_bytes_per_token(small_compressed(0), f16).value, 0);
  EXPECT_DOUBLE_EQ(raw_window_bytes_per_token(small_compressed(0), f16).value, 64 * 2.0);
  ModelSpec m = tiny_dense();
  m.hidden = 128;
  m.layers.clear();
  for (int ratio : {0, 4, 128}) append_layers(m, 1, small_compressed(ratio), dense(256));
  const double context = 4096, window = 16 * 64 * 2.0;
  EXPECT_DOUBLE_EQ(kv_bytes_at(m, f16, context).value,
                   3 * window + context * ((64 + 16) / 4.0 * 2 + 64 / 128.0 * 2));
  EXPECT_DOUBLE_EQ(kv_bytes_at(m, f16, 10).value, 3 * 10 * 64 * 2.0 + 10 * ((64 + 16) / 4.0 * 2 + 64 / 128.0 * 2));
}

TEST(Derived, HyperConnectionsMixStreamsBeforeEveryBlock) {
  ModelSpec m = tiny_dense();  // 4 layers, hidden 1024
  EXPECT_DOUBLE_EQ(hyper_connection_params(m), 0);
  const double plain = total_params(m);
  m.residual_streams = 4;
  const double mixes = (2 + 4) * 4, width = 4 * 1024.0;
  const double per_layer = 2 * (mixes * width + mixes + 3), head = 4 * width + 4 + 1;
  EXPECT_DOUBLE_EQ(hyper_connection_params_per_layer(m), per_layer);
  EXPECT_DOUBLE_EQ(total_params(m), plain + 4 * per_layer + head);
}
