#pragma once
// Small hand-made models and a scenario with simple coefficients, so expected numbers can be
// derived by hand in each test.
#include <functional>
#include <string>

#include "ridgeline/error.hpp"
#include "ridgeline/simulate.hpp"

namespace ridgeline::test {

inline AttentionSpec gqa(int q, int kv, int dim, AttentionKind kind = AttentionKind::full, int window = 0) {
  AttentionSpec a;
  a.kind = kind;
  a.q_heads = q;
  a.kv_heads = kv;
  a.head_dim = a.v_head_dim = dim;
  a.window = window;
  return a;
}

// A DeepSeek-V4 layer in small: 8 query heads of 64 sharing one K=V row, q-LoRA 32, a window of 16,
// ratio 4 over overlapping windows with an indexer of 4 heads x 16, the output in 2 groups of 24.
inline AttentionSpec small_compressed(int ratio) {
  AttentionSpec a;
  a.kind = AttentionKind::compressed;
  a.q_heads = 8;
  a.kv_heads = 1;
  a.kv_shared = true;
  a.head_dim = a.v_head_dim = 64;
  a.rope_dim = 16;
  a.q_lora_rank = 32;
  a.window = 16;
  a.compress_ratio = ratio;
  if (ratio == 4) {
    a.compress_overlap = true;
    a.index_heads = 4;
    a.index_head_dim = 16;
    a.index_topk = 8;
  }
  a.o_groups = 2;
  a.o_lora_rank = 24;
  return a;
}

inline FfnSpec dense(long long width) {
  FfnSpec f;
  f.intermediate = width;
  return f;
}

inline FfnSpec moe(int experts, int active, long long width) {
  FfnSpec f;
  f.experts = experts;
  f.active_experts = active;
  f.expert_intermediate = width;
  return f;
}

// hidden 1024, 4 layers, 8 query heads, 2 KV heads of 128, MLP 4096, vocab 32000, untied.
inline ModelSpec tiny_dense() {
  ModelSpec m;
  m.id = "tiny";
  m.hidden = 1024;
  m.vocab = 32000;
  m.max_context = 1 << 20;
  append_layers(m, 4, gqa(8, 2, 128), dense(4096));
  return m;
}

// Two full-attention layers whose MLP is 16 routed experts of width 512, 2 active: the MoE tests' model.
inline ModelSpec tiny_moe() {
  ModelSpec m = tiny_dense();
  m.layers.clear();
  append_layers(m, 2, gqa(8, 2, 128), moe(16, 2, 512));
  return m;
}

// A linear-attention (Gated DeltaNet-like) layer's attention: its projections, recurrent state and
// the state update's FLOPs per token.
inline AttentionSpec linear_attention(double params, double state = 0, double state_flops = 0) {
  AttentionSpec a;
  a.kind = AttentionKind::linear;
  a.linear_params = params;
  a.state_bytes = state;
  a.state_flops_per_token = state_flops;
  return a;
}

// Three linear-attention layers and one full-attention layer, each with `ffn`: the hybrid tests' model.
inline ModelSpec tiny_hybrid(const AttentionSpec& lin, const FfnSpec& ffn) {
  ModelSpec m = tiny_dense();
  m.layers.clear();
  append_layers(m, 3, lin, ffn);
  append_layers(m, 1, gqa(8, 2, 128), ffn);
  return m;
}

inline HardwareSpec simple_hardware() {
  HardwareSpec hw;
  hw.id = "simple";
  hw.name = "simple";
  hw.vendor = "test";
  hw.bandwidth.value = Bandwidth(100e9);
  hw.stream_efficiency.value = 1.0;
  hw.fp16.value = FlopRate(10e12);
  hw.fp32.value = FlopRate(10e12);
  hw.memory_sizes.value = {gibibytes(64)};
  hw.gpu_limit.kind = GpuLimitRule::Kind::fraction;
  hw.gpu_limit.fraction = 1.0;
  return hw;
}

// No overheads, full efficiency: time is the pure roofline.
inline RuntimeSpec simple_runtime() {
  RuntimeSpec rt;
  rt.id = "simple";
  rt.default_chunk = 512;
  rt.coef.bandwidth_efficiency = 1;
  rt.coef.compute_efficiency = 1;
  rt.coef.compute_half_tokens = 0;
  rt.coef.gemv_max_rows = 0;
  rt.coef.moe_gemv_max_rows = 0;  // every matrix product on the one GEMM roof unless a test says otherwise
  rt.coef.gemv_compute_efficiency = 1;
  rt.coef.attention_efficiency = 1;
  rt.coef.attention_query_tile = 1e9;
  rt.coef.launch_overhead_us = 0;
  rt.coef.kernels_per_layer = 0;
  rt.coef.step_overhead_ms = 0;
  return rt;
}

inline Scenario scenario(ModelSpec m, Workload w = {}, std::string quant = "f16") {
  return make_scenario(simple_hardware(), std::move(m), find_quantization(quant), simple_runtime(), w);
}

// The one-line message of the InputError `f` throws, or "(no error)".
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace ridgeline::test
