#include "ridgeline/model.hpp"

namespace ridgeline {

namespace {
bool same_attention(const AttentionSpec& a, const AttentionSpec& b) {
  return a.kind == b.kind && a.q_heads == b.q_heads && a.kv_heads == b.kv_heads &&
         a.head_dim == b.head_dim && a.v_head_dim == b.v_head_dim && a.window == b.window &&
         a.kv_shared == b.kv_shared && a.qkv_bias == b.qkv_bias && a.output_gate == b.output_gate && a.out_bias == b.out_bias &&
         a.qk_norm == b.qk_norm && a.post_norms == b.post_norms &&
         a.q_lora_rank == b.q_lora_rank && a.kv_lora_rank == b.kv_lora_rank &&
         a.rope_dim == b.rope_dim && a.linear_params == b.linear_params &&
         a.state_bytes == b.state_bytes && a.state_flops_per_token == b.state_flops_per_token;
}
bool same_ffn(const FfnSpec& a, const FfnSpec& b) {
  return a.intermediate == b.intermediate && a.gated == b.gated && a.experts == b.experts &&
         a.active_experts == b.active_experts && a.expert_intermediate == b.expert_intermediate &&
         a.shared_experts == b.shared_experts && a.shared_intermediate == b.shared_intermediate &&
         a.expert_bias == b.expert_bias && a.latent == b.latent;
}
}  // namespace

bool same_layer(const LayerGroup& g, const AttentionSpec& attn, const FfnSpec& ffn) {
  return same_attention(g.attention, attn) && same_ffn(g.ffn, ffn);
}

void append_layers(ModelSpec& m, int count, const AttentionSpec& a, const FfnSpec& f) {
  if (count <= 0) return;
  if (!m.layers.empty() && same_layer(m.layers.back(), a, f)) {
    m.layers.back().count += count;
    return;
  }
  m.layers.push_back(LayerGroup{count, a, f});
}

int layer_count(const ModelSpec& m) {
  int n = 0;
  for (const auto& g : m.layers) n += g.count;
  return n;
}

const char* to_string(AttentionKind k) {
  switch (k) {
    case AttentionKind::full: return "full";
    case AttentionKind::sliding: return "sliding";
    case AttentionKind::mla: return "mla";
    case AttentionKind::linear: return "linear";
    case AttentionKind::none: return "none";
  }
  return "?";
}

}  // namespace ridgeline
