#include "ridgeline/derived.hpp"

#include <algorithm>

namespace ridgeline {

namespace {
// A compressor's weights (DeepSeek-V4): key and gate projections of `width` (doubled where windows
// overlap), a learned position bias for each of the ratio slots, and the pooled row's norm.
double compressor_params(const AttentionSpec& a, double h, double width) {
  const double out = width * (a.compress_overlap ? 2 : 1);
  return 2 * h * out + a.compress_ratio * out + width;
}
}  // namespace

double attention_params(const AttentionSpec& a, long long hidden) {
  const double h = static_cast<double>(hidden);
  switch (a.kind) {
    case AttentionKind::compressed: {
      const double q_width = static_cast<double>(a.q_heads) * a.head_dim;
      const double q = a.q_lora_rank > 0 ? h * a.q_lora_rank + a.q_lora_rank + a.q_lora_rank * q_width : h * q_width;
      const double kv = h * a.head_dim + a.head_dim;  // the one K=V projection and its norm
      const double o = a.o_groups > 0 ? q_width * a.o_lora_rank + static_cast<double>(a.o_groups) * a.o_lora_rank * h
                                      : q_width * h;
      double p = q + kv + o + a.q_heads;  // + one attention sink per head
      if (a.compress_ratio > 0) p += compressor_params(a, h, a.head_dim);
      if (a.index_heads > 0) {
        const double index_q = static_cast<double>(a.index_heads) * a.index_head_dim;
        p += (a.q_lora_rank > 0 ? a.q_lora_rank : h) * index_q + h * a.index_heads +  // queries, head weights
             compressor_params(a, h, a.index_head_dim);
      }
      return p;
    }
    case AttentionKind::none: return 0;
    case AttentionKind::linear: return a.linear_params;
    case AttentionKind::mla: {
      const double q_width = static_cast<double>(a.q_heads) * a.head_dim;
      const double q = a.q_lora_rank > 0 ? h * a.q_lora_rank + a.q_lora_rank + a.q_lora_rank * q_width
                                         : h * q_width;
      const double kv_a = h * (a.kv_lora_rank + a.rope_dim) + a.kv_lora_rank;  // + its norm
      const double nope = a.head_dim - a.rope_dim;
      const double kv_b = static_cast<double>(a.kv_lora_rank) * a.q_heads * (nope + a.v_head_dim);
      const double o = static_cast<double>(a.q_heads) * a.v_head_dim * h;
      return q + kv_a + kv_b + o;
    }
    case AttentionKind::full:
    case AttentionKind::sliding: {
      const double q = static_cast<double>(a.q_heads) * a.head_dim;
      // A layer that reuses an earlier layer's keys and values projects neither.
      const double k = a.kv_reused ? 0.0 : static_cast<double>(a.kv_heads) * a.head_dim;
      const double v = a.kv_shared || a.kv_reused ? 0.0 : static_cast<double>(a.kv_heads) * a.v_head_dim;
      const double o = static_cast<double>(a.q_heads) * a.v_head_dim;
      double p = h * (q * (a.output_gate ? 2 : 1) + k + v) + o * h;
      if (a.qkv_bias) p += q + k + v;
      if (a.out_bias) p += h;
      return p;
    }
  }
  return 0;
}

namespace {
double mlp_params(long long hidden, long long width, bool gated, bool bias) {
  const double matrices = gated ? 3.0 : 2.0;
  double p = matrices * static_cast<double>(hidden) * static_cast<double>(width);
  if (bias) p += (gated ? 2.0 : 1.0) * static_cast<double>(width) + static_cast<double>(hidden);
  return p;
}
}  // namespace

double expert_params(const FfnSpec& f, long long hidden) {
  return mlp_params(f.expert_width(hidden), f.expert_intermediate, f.gated, f.expert_bias);
}

double router_params(const FfnSpec& f, long long hidden) {
  return f.is_moe() ? static_cast<double>(f.experts) * static_cast<double>(hidden) : 0.0;
}

static double dense_part(const FfnSpec& f, long long hidden) {
  double p = f.intermediate > 0 ? mlp_params(hidden, f.intermediate, f.gated, false) : 0.0;
  p += f.shared_experts * mlp_params(hidden, f.shared_intermediate, f.gated, false);
  if (f.latent > 0) p += 2.0 * static_cast<double>(hidden) * static_cast<double>(f.latent);  // in and out of the latent
  return p;
}

double ffn_params_total(const FfnSpec& f, long long hidden) {
  return dense_part(f, hidden) + router_params(f, hidden) + f.experts * expert_params(f, hidden);
}

double ffn_params_active(const FfnSpec& f, long long hidden) {
  return dense_part(f, hidden) + router_params(f, hidden) +
         f.active_experts * expert_params(f, hidden);
}

double embedding_params(const ModelSpec& m) {
  return static_cast<double>(m.vocab) * static_cast<double>(m.hidden);
}
double lm_head_params(const ModelSpec& m) { return embedding_params(m); }

namespace {
double norm_params(const ModelSpec& m) {
  return (2.0 * layer_count(m) + 1.0) * static_cast<double>(m.hidden);
}
}  // namespace

double hyper_connection_params_per_layer(const ModelSpec& m) {
  const double s = m.residual_streams;
  if (s <= 1) return 0;
  // Before each attention and MLP block: pre, post and the streams x streams combination from the
  // streams (mixes x streams x hidden), a bias per mix and three scales.
  const double mixes = (2 + s) * s;
  return 2.0 * (mixes * s * static_cast<double>(m.hidden) + mixes + 3);
}

double hyper_connection_params(const ModelSpec& m) {
  const double s = m.residual_streams;
  if (s <= 1) return 0;
  // Before the head: one weight per stream from the streams, a bias each and a scale.
  return layer_count(m) * hyper_connection_params_per_layer(m) + s * s * static_cast<double>(m.hidden) + s + 1;
}

double per_layer_table_params(const ModelSpec& m) {
  return static_cast<double>(m.per_layer_vocab) * layer_count(m) * m.per_layer_input;
}

double per_layer_projection_params(const ModelSpec& m) {
  // The model's hidden -> layers x width product, then per layer its gate and its projection back.
  return static_cast<double>(m.hidden) * m.per_layer_input * layer_count(m) * 3.0;
}

double total_params(const ModelSpec& m) {
  double p = embedding_params(m) + (m.tied_embeddings ? 0.0 : lm_head_params(m)) + norm_params(m) +
             hyper_connection_params(m) + per_layer_table_params(m) + per_layer_projection_params(m);
  for (const auto& g : m.layers)
    p += g.count * (attention_params(g.attention, m.hidden) + ffn_params_total(g.ffn, m.hidden));
  return p;
}

double active_params(const ModelSpec& m) {
  double p = lm_head_params(m) + norm_params(m) + hyper_connection_params(m) + per_layer_projection_params(m);
  for (const auto& g : m.layers)
    p += g.count * (attention_params(g.attention, m.hidden) + ffn_params_active(g.ffn, m.hidden));
  return p;
}

double embedding_table_bpw(const ModelSpec& m, const Quantization& q) {
  return m.tied_embeddings ? q.lm_head_bpw : q.embedding_bpw;
}

Bytes weight_bytes(const ModelSpec& m, const Quantization& q) {
  // The per-layer table is stored as an input table (llama.cpp's per_layer_token_embd; MLX quantizes
  // embeddings like the matrices).
  double bits = embedding_params(m) * embedding_table_bpw(m, q) + per_layer_table_params(m) * q.embedding_bpw +
                per_layer_projection_params(m) * q.matrix_bpw;
  if (!m.tied_embeddings) bits += lm_head_params(m) * q.lm_head_bpw;
  bits += (norm_params(m) + hyper_connection_params(m)) * 32.0;  // f32 in GGUF and MLX; a rounding error elsewhere
  for (const auto& g : m.layers) {
    const auto& f = g.ffn;
    double matrices = attention_params(g.attention, m.hidden) + dense_part(f, m.hidden);
    bits += g.count * (matrices * q.matrix_bpw + f.experts * expert_params(f, m.hidden) * q.expert_bpw +
                       router_params(f, m.hidden) * 32.0);
  }
  return Bytes(bits / 8.0);
}

Bytes kv_bytes_per_token(const AttentionSpec& a, const KvDtype& kv) {
  return a.kv_reused ? Bytes(0.0) : kv_read_bytes_per_token(a, kv);
}

Bytes kv_read_bytes_per_token(const AttentionSpec& a, const KvDtype& kv) {
  double elements = 0;
  switch (a.kind) {
    case AttentionKind::full:
    case AttentionKind::sliding:
      elements = static_cast<double>(a.kv_heads) * (a.head_dim + (a.kv_shared ? 0 : a.v_head_dim));
      break;
    case AttentionKind::mla: elements = a.kv_lora_rank + a.rope_dim; break;
    case AttentionKind::compressed:
      if (a.compress_ratio > 0) elements = (a.head_dim + (a.index_heads > 0 ? a.index_head_dim : 0)) / static_cast<double>(a.compress_ratio);
      break;
    case AttentionKind::linear:
    case AttentionKind::none: elements = 0; break;
  }
  return Bytes(elements * kv.bytes_per_element);
}

Bytes raw_window_bytes_per_token(const AttentionSpec& a, const KvDtype& kv) {
  return Bytes(a.kind == AttentionKind::compressed ? a.head_dim * kv.bytes_per_element : 0.0);
}

Bytes kv_bytes_at(const ModelSpec& m, const KvDtype& kv, double context) {
  double total = 0;
  for (const auto& g : m.layers) {
    const auto& a = g.attention;
    const double tokens = a.kind == AttentionKind::sliding ? std::min<double>(context, a.window) : context;
    total += g.count * (kv_bytes_per_token(a, kv).value * tokens +
                        raw_window_bytes_per_token(a, kv).value * std::min<double>(context, a.window));
  }
  return Bytes(total);
}

Bytes state_bytes(const ModelSpec& m) {
  double total = 0;
  for (const auto& g : m.layers)
    if (g.attention.kind == AttentionKind::linear) total += g.count * g.attention.state_bytes;
  return Bytes(total);
}

}  // namespace ridgeline
