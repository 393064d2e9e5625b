// HuggingFace config.json -> ModelSpec, one function per architecture family. Defaults for
// omitted keys follow the transformers configuration classes of each family.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <functional>
#include <map>
#include <set>

#include "ridgeline/error.hpp"
#include "ridgeline/importers.hpp"
#include "ridgeline/strict_reader.hpp"

namespace ridgeline {

namespace {

// Typed, range-checked access to a config object with per-family defaults. Null means absent.
class Config {
 public:
  // Points into `node`, which must outlive the Config.
  Config(const Node& node, std::string where) : node_(&node), where_(std::move(where)) {}
  Config(Node&&, std::string) = delete;
  bool has(const std::string& k) const { return node_->has(k); }
  std::string where(const std::string& k) const { return fmt::format("{}: {}", where_, k); }
  long long count(const std::string& k, long long lo = 1, long long hi = 1LL << 40) const {
    if (!has(k)) throw InputError("{}: missing required key '{}'", where_, k);
    double v = scalar_number((*node_)[k], where(k), static_cast<double>(lo), static_cast<double>(hi));
    if (v != std::floor(v)) throw InputError("{}: {} is not a whole number", where(k), v);
    return static_cast<long long>(v);
  }
  long long count_or(const std::string& k, long long fallback, long long lo = 0) const {
    return has(k) ? count(k, lo) : fallback;
  }
  double real_or(const std::string& k, double fallback) const {
    return has(k) ? scalar_number((*node_)[k], where(k), -1e300, 1e300) : fallback;
  }
  bool flag_or(const std::string& k, bool fallback) const {
    if (!has(k)) return fallback;
    const Node& n = (*node_)[k];
    if (n.is_scalar() && (n.text() == "true" || n.text() == "false")) return n.text() == "true";
    throw InputError("{}: expected true or false, got '{}'", where(k), n.is_scalar() ? n.text() : "a structure");
  }
  std::string text_or(const std::string& k, const std::string& fallback) const {
    return has(k) ? scalar_string((*node_)[k], where(k)) : fallback;
  }
  std::vector<std::string> text_list(const std::string& k) const {
    std::vector<std::string> out;
    if (!has(k)) return out;
    const Node& list = (*node_)[k];
    if (!list.is_sequence()) throw InputError("{}: expected a list", where(k));
    for (size_t i = 0; i < list.size(); ++i)
      out.push_back(scalar_string(list[i], fmt::format("{}[{}]", where(k), i)));
    return out;
  }
  std::vector<long long> int_list(const std::string& k) const {
    std::vector<long long> out;
    if (!has(k)) return out;
    const Node& list = (*node_)[k];
    if (!list.is_sequence()) throw InputError("{}: expected a list", where(k));
    for (size_t i = 0; i < list.size(); ++i)
      out.push_back(static_cast<long long>(scalar_number(list[i], fmt::format("{}[{}]", where(k), i), 0, 1e9)));
    return out;
  }
  // A count written either once for every layer or as a list of one per layer (HunYuan).
  std::vector<long long> per_layer(const std::string& k, size_t layers, long long fallback, long long lo = 1) const {
    if (!has(k)) return std::vector<long long>(layers, fallback);
    const Node& v = (*node_)[k];
    if (!v.is_sequence()) return std::vector<long long>(layers, count(k, lo));
    if (v.size() != layers)
      throw InputError("{}: {} entries for {} layers", where(k), v.size(), layers);
    std::vector<long long> out;
    for (size_t i = 0; i < layers; ++i) {
      const std::string at = fmt::format("{}[{}]", where(k), i);
      const double x = scalar_number(v[i], at, static_cast<double>(lo), 1e9);
      if (x != std::floor(x)) throw InputError("{}: {} is not a whole number", at, x);
      out.push_back(static_cast<long long>(x));
    }
    return out;
  }
  Config child(const std::string& k) const { return Config((*node_)[k], where(k)); }
  const Node& node() const { return *node_; }
  const std::string& label() const { return where_; }

 private:
  const Node* node_;
  std::string where_;
};

int to_int(long long v) { return static_cast<int>(v); }

// Common skeleton: hidden, vocab, embeddings, max context, plain GQA attention.
ModelSpec base(const Config& c, bool tied_default) {
  ModelSpec m;
  m.hidden = c.count("hidden_size");
  m.vocab = c.count("vocab_size");
  m.tied_embeddings = c.flag_or("tie_word_embeddings", tied_default);
  m.max_context = c.count_or("max_position_embeddings", 0);
  return m;
}

AttentionSpec gqa(const Config& c, long long hidden) {
  AttentionSpec a;
  a.q_heads = to_int(c.count("num_attention_heads", 1, 4096));
  a.kv_heads = to_int(c.count_or("num_key_value_heads", a.q_heads, 1));
  if (a.kv_heads > a.q_heads)
    throw InputError("{}: {} key/value heads exceed {} query heads", c.where("num_key_value_heads"),
                     a.kv_heads, a.q_heads);
  a.head_dim = to_int(c.count_or("head_dim", hidden / a.q_heads, 1));
  a.v_head_dim = a.head_dim;
  a.qkv_bias = c.flag_or("attention_bias", false);
  return a;
}

FfnSpec dense_ffn(long long width) {
  FfnSpec f;
  f.intermediate = width;
  return f;
}

ModelSpec llama_like(const Config& c) {  // llama, mistral, qwen2, qwen3, phi3
  const std::string type = c.text_or("model_type", "llama");
  ModelSpec m = base(c, false);
  AttentionSpec a = gqa(c, m.hidden);
  if (type == "qwen2") a.qkv_bias = true;  // Qwen2 always has q/k/v biases
  bool sliding = c.has("sliding_window") && c.flag_or("use_sliding_window", type == "mistral" || type == "phi3");
  if (sliding) {
    a.kind = AttentionKind::sliding;
    a.window = to_int(c.count("sliding_window"));
  }
  append_layers(m, to_int(c.count("num_hidden_layers")), a, dense_ffn(c.count("intermediate_size")));
  return m;
}

ModelSpec mixtral(const Config& c) {
  ModelSpec m = base(c, false);
  AttentionSpec a = gqa(c, m.hidden);
  if (c.has("sliding_window")) {
    a.kind = AttentionKind::sliding;
    a.window = to_int(c.count("sliding_window"));
  }
  FfnSpec f;
  f.experts = to_int(c.count("num_local_experts"));
  f.active_experts = to_int(c.count("num_experts_per_tok"));
  f.expert_intermediate = c.count("intermediate_size");
  append_layers(m, to_int(c.count("num_hidden_layers")), a, f);
  return m;
}

ModelSpec qwen3_moe(const Config& c) {
  ModelSpec m = base(c, false);
  AttentionSpec a = gqa(c, m.hidden);
  FfnSpec moe;
  moe.experts = to_int(c.count("num_experts"));
  moe.active_experts = to_int(c.count("num_experts_per_tok"));
  moe.expert_intermediate = c.count("moe_intermediate_size");
  const long long step = c.count_or("decoder_sparse_step", 1, 1);
  const auto dense_layers = c.int_list("mlp_only_layers");
  const int n = to_int(c.count("num_hidden_layers"));
  for (int i = 0; i < n; ++i) {
    bool dense = std::find(dense_layers.begin(), dense_layers.end(), i) != dense_layers.end() ||
                 (i + 1) % step != 0;
    append_layers(m, 1, a, dense ? dense_ffn(c.count("intermediate_size")) : moe);
  }
  return m;
}

// Gemma 2/3: alternating local (sliding) and global layers.
ModelSpec gemma(const Config& c, int pattern, long long default_window) {
  ModelSpec m = base(c, true);
  AttentionSpec global = gqa(c, m.hidden);
  AttentionSpec local = global;
  local.kind = AttentionKind::sliding;
  local.window = to_int(c.count_or("sliding_window", default_window, 1));
  const int n = to_int(c.count("num_hidden_layers"));
  auto types = c.text_list("layer_types");
  const FfnSpec f = dense_ffn(c.count("intermediate_size"));
  for (int i = 0; i < n; ++i) {
    bool is_local = types.empty() ? ((i + 1) % pattern != 0) : types.at(static_cast<size_t>(i)) == "sliding_attention";
    append_layers(m, 1, is_local ? local : global, f);
  }
  return m;
}

// transformers Gemma3TextConfig defaults (the 4B checkpoint omits several keys).
Node with_defaults(const Node& n, const std::map<std::string, std::string>& defaults) {
  Node out = n;
  if (!out.is_map()) return out;  // not a config object: its reader names what is missing
  for (const auto& [k, v] : defaults)
    if (!out.has(k)) out.set(k, Node::scalar(v));
  return out;
}

ModelSpec gemma4(const Config& c) {
  ModelSpec m = base(c, true);
  AttentionSpec local = gqa(c, m.hidden);
  local.kind = AttentionKind::sliding;
  local.window = to_int(c.count("sliding_window"));
  AttentionSpec global = local;
  global.kind = AttentionKind::full;
  global.window = 0;
  global.head_dim = global.v_head_dim = to_int(c.count_or("global_head_dim", local.head_dim, 1));
  global.kv_heads = to_int(c.count_or("num_global_key_value_heads", local.kv_heads, 1));
  global.kv_shared = c.flag_or("attention_k_eq_v", false);  // global layers cache K only (V = K)
  FfnSpec f = dense_ffn(c.count("intermediate_size"));
  if (c.flag_or("enable_moe_block", false)) {
    f.experts = to_int(c.count("num_experts"));
    f.active_experts = to_int(c.count("top_k_experts"));
    f.expert_intermediate = c.has("moe_intermediate_size") ? c.count("moe_intermediate_size")
                                                           : c.count("expert_intermediate_size");
  }
  auto types = c.text_list("layer_types");
  const int n = to_int(c.count("num_hidden_layers"));
  if (types.size() != static_cast<size_t>(n))
    throw InputError("{}: {} entries for {} layers", c.where("layer_types"), types.size(), n);
  // E2B/E4B: the last num_kv_shared_layers layers attend over the cache of the last earlier layer
  // of their type, and with use_double_wide_mlp their MLP is twice as wide (transformers
  // Gemma4TextMLP: first_kv_shared_layer_idx = layers - shared); a per-layer input table beside.
  const long long shared = c.count_or("num_kv_shared_layers", 0, 0);
  if (shared >= n) throw InputError("{}: {} shared layers leave none of {} to cache", c.where("num_kv_shared_layers"), shared, n);
  FfnSpec wide = f;
  if (c.flag_or("use_double_wide_mlp", false)) wide.intermediate *= 2;
  for (int i = 0; i < n; ++i) {
    AttentionSpec a = types[static_cast<size_t>(i)] == "full_attention" ? global : local;
    const bool reused = shared > 0 && i >= n - shared;
    a.kv_reused = reused;
    append_layers(m, 1, a, reused ? wide : f);
  }
  if (c.has("hidden_size_per_layer_input") && c.count_or("hidden_size_per_layer_input", 0, 0) > 0) {
    m.per_layer_input = to_int(c.count("hidden_size_per_layer_input", 1, 1 << 24));
    m.per_layer_vocab = c.has("vocab_size_per_layer_input") ? c.count("vocab_size_per_layer_input", 1, 1 << 24) : m.vocab;
  }
  if (const auto i = reuse_without_source(m))
    throw InputError("{}: layer group {} shares the KV of no earlier layer of its type and shape", c.where("num_kv_shared_layers"), *i);
  return m;
}

ModelSpec gpt_oss(const Config& c) {
  ModelSpec m = base(c, false);
  AttentionSpec full = gqa(c, m.hidden);
  full.out_bias = full.qkv_bias;
  AttentionSpec sliding = full;
  sliding.kind = AttentionKind::sliding;
  sliding.window = to_int(c.count("sliding_window"));
  FfnSpec f;
  f.experts = to_int(c.count("num_local_experts"));
  f.active_experts = to_int(c.count_or("experts_per_token", c.count_or("num_experts_per_tok", 0), 1));
  f.expert_intermediate = c.count("intermediate_size");
  f.expert_bias = true;
  auto types = c.text_list("layer_types");
  const int n = to_int(c.count("num_hidden_layers"));
  for (int i = 0; i < n; ++i) {
    bool is_sliding = types.empty() ? (i % 2 == 0) : types.at(static_cast<size_t>(i)) == "sliding_attention";
    append_layers(m, 1, is_sliding ? sliding : full, f);
  }
  return m;
}

ModelSpec llama4(const Config& c) {
  ModelSpec m = base(c, false);
  AttentionSpec global = gqa(c, m.hidden);
  AttentionSpec chunked = global;  // chunked local attention, modelled as a window of one chunk
  chunked.kind = AttentionKind::sliding;
  chunked.window = to_int(c.count_or("attention_chunk_size", 8192, 1));
  FfnSpec moe;
  moe.experts = to_int(c.count("num_local_experts"));
  moe.active_experts = to_int(c.count("num_experts_per_tok"));
  moe.expert_intermediate = c.count("intermediate_size");
  moe.shared_experts = 1;
  moe.shared_intermediate = c.count("intermediate_size");
  const FfnSpec dense = dense_ffn(c.count("intermediate_size_mlp"));
  const long long step = c.count_or("interleave_moe_layer_step", 1, 1);
  auto nope = c.int_list("no_rope_layers");  // 1 = RoPE (chunked) layer, 0 = global NoPE layer
  const int n = to_int(c.count("num_hidden_layers"));
  for (int i = 0; i < n; ++i) {
    bool is_global = nope.empty() ? ((i + 1) % 4 == 0) : nope.at(static_cast<size_t>(i)) == 0;
    append_layers(m, 1, is_global ? global : chunked, (i + 1) % step == 0 ? moe : dense);
  }
  return m;
}

// DeepSeek's routed experts: n_routed_experts of moe_intermediate_size, num_experts_per_tok active,
// beside n_shared_experts shared ones of the same width.
FfnSpec deepseek_moe(const Config& c) {
  FfnSpec moe;
  moe.experts = to_int(c.count("n_routed_experts"));
  moe.active_experts = to_int(c.count("num_experts_per_tok"));
  moe.expert_intermediate = c.count("moe_intermediate_size");
  moe.shared_experts = to_int(c.count_or("n_shared_experts", 0));
  moe.shared_intermediate = moe.expert_intermediate;
  return moe;
}

// DeepSeek's layout, which GLM-4.5+ shares: the first first_k_dense_replace layers dense
// (intermediate_size), then the routed experts.
void append_dense_then_moe(const Config& c, ModelSpec& m, const AttentionSpec& a) {
  const FfnSpec moe = deepseek_moe(c);
  const int n = to_int(c.count("num_hidden_layers"));
  const int dense = to_int(c.count_or("first_k_dense_replace", 0));
  if (dense > n) throw InputError("{}: {} dense layers in a {}-layer model", c.where("first_k_dense_replace"), dense, n);
  append_layers(m, dense, a, dense_ffn(c.count("intermediate_size")));
  append_layers(m, n - dense, a, moe);
}

// Multi-head latent attention, the first layers dense, then routed experts beside shared ones:
// DeepSeek-V2/V3, Kimi K2 and GLM-4.7-Flash (glm4_moe_lite). Their MTP layers are not loaded to generate.
ModelSpec deepseek(const Config& c) {
  ModelSpec m = base(c, false);
  AttentionSpec a;
  a.kind = AttentionKind::mla;
  a.q_heads = to_int(c.count("num_attention_heads"));
  a.kv_heads = 1;
  a.rope_dim = to_int(c.count("qk_rope_head_dim"));
  a.head_dim = to_int(c.count("qk_nope_head_dim")) + a.rope_dim;
  a.v_head_dim = to_int(c.count("v_head_dim"));
  a.kv_lora_rank = to_int(c.count("kv_lora_rank"));
  a.q_lora_rank = to_int(c.count_or("q_lora_rank", 0));
  append_dense_then_moe(c, m, a);
  return m;
}

// DeepSeek-V4 (deepseek_v4): compressed attention in every layer (compress_ratios, one per layer and
// one more for the MTP layer, which is not loaded to generate: 0 is the raw window only, 4 pools every
// 4 tokens with overlapping windows and an indexer, 128 pools every 128 tokens), routed experts beside
// shared ones in every layer, and hyper-connections (hc_mult residual streams).
ModelSpec deepseek_v4(const Config& c) {
  ModelSpec m = base(c, false);
  const int n = to_int(c.count("num_hidden_layers"));
  AttentionSpec a;
  a.kind = AttentionKind::compressed;
  a.q_heads = to_int(c.count("num_attention_heads"));
  if (c.count_or("num_key_value_heads", 1, 1) != 1)
    throw InputError("{}: {} key/value heads; DeepSeek-V4 attention shares one (expected 1)", c.where("num_key_value_heads"),
                     c.count("num_key_value_heads"));
  a.kv_heads = 1;
  a.kv_shared = true;
  a.head_dim = a.v_head_dim = to_int(c.count("head_dim"));
  a.rope_dim = to_int(c.count("qk_rope_head_dim"));
  a.q_lora_rank = to_int(c.count_or("q_lora_rank", 0));
  a.window = to_int(c.count("sliding_window"));
  a.o_groups = to_int(c.count_or("o_groups", 0));
  a.o_lora_rank = a.o_groups > 0 ? to_int(c.count("o_lora_rank")) : 0;
  const auto ratios = c.int_list("compress_ratios");
  if (ratios.size() < static_cast<size_t>(n))
    throw InputError("{}: {} entries for {} layers (expected one per layer)", c.where("compress_ratios"), ratios.size(), n);
  const FfnSpec moe = deepseek_moe(c);
  for (int i = 0; i < n; ++i) {
    AttentionSpec layer = a;
    layer.compress_ratio = to_int(ratios[static_cast<size_t>(i)]);
    // The ratio-4 layers (compressed sparse attention) pool overlapping windows and index them; the
    // others (0, 128) do neither (mlx-lm deepseek_v4.py: Compressor.overlap, V4Attention.indexer).
    if (layer.compress_ratio == 4) {
      layer.compress_overlap = true;
      layer.index_heads = to_int(c.count("index_n_heads"));
      layer.index_head_dim = to_int(c.count("index_head_dim"));
      layer.index_topk = to_int(c.count("index_topk"));
    } else if (layer.compress_ratio != 0 && layer.compress_ratio != 128) {
      throw InputError("{}[{}]: {} is not a DeepSeek-V4 compression ratio (expected 0, 4 or 128)", c.where("compress_ratios"), i,
                       layer.compress_ratio);
    }
    append_layers(m, 1, layer, moe);
  }
  m.residual_streams = to_int(c.count_or("hc_mult", 1, 1));
  m.sinkhorn_iterations = to_int(c.count_or("hc_sinkhorn_iters", 0));
  return m;
}

// GLM-4.5/4.6/4.7 (glm4_moe): GQA with q/k/v biases, the first layers dense, then routed experts beside
// shared ones of the same width. Its per-head q/k norms and partial RoPE move no weight that matters.
ModelSpec glm4_moe(const Config& c) {
  ModelSpec m = base(c, false);
  append_dense_then_moe(c, m, gqa(c, m.hidden));
  return m;
}

// MiniMax-M2 family (minimax_m2): softmax attention in every layer (attn_type_list 1; MiniMax-01's
// lightning attention, 0, is refused), routed experts of intermediate_size, an optional shared one.
ModelSpec minimax_m2(const Config& c) {
  ModelSpec m = base(c, false);
  const AttentionSpec a = gqa(c, m.hidden);
  const int n = to_int(c.count("num_hidden_layers"));
  const auto types = c.int_list("attn_type_list");
  if (!types.empty() && types.size() != static_cast<size_t>(n))
    throw InputError("{}: {} entries for {} layers", c.where("attn_type_list"), types.size(), n);
  for (size_t i = 0; i < types.size(); ++i)
    if (types[i] != 1)
      throw InputError("{}[{}]: {} is lightning (linear) attention, which the minimax_m2 importer does not model "
                       "(expected 1, softmax attention)", c.where("attn_type_list"), i, types[i]);
  FfnSpec moe;
  moe.experts = to_int(c.count("num_local_experts"));
  moe.active_experts = to_int(c.count("num_experts_per_tok"));
  moe.expert_intermediate = c.count("intermediate_size");
  if (const long long shared = c.count_or("shared_intermediate_size", 0); shared > 0) {
    moe.shared_experts = 1;
    moe.shared_intermediate = shared;
  }
  append_layers(m, n, a, moe);
  return m;
}

// Hunyuan-A13B (hunyuan_v1_moe): GQA, routed experts beside a shared MLP of intermediate_size (times
// num_shared_expert); expert counts, top-k and widths may be written per layer. Cross-layer attention
// (use_cla: K/V shared between layers) is refused: the descriptor has no way to say it.
ModelSpec hunyuan_v1_moe(const Config& c) {
  ModelSpec m = base(c, false);
  AttentionSpec a = gqa(c, m.hidden);
  if (!c.has("head_dim") && c.has("attention_head_dim"))
    a.head_dim = a.v_head_dim = to_int(c.count("attention_head_dim"));
  if (c.flag_or("use_cla", false))
    throw InputError("{}: cross-layer attention (K/V shared between layers) is not modelled", c.where("use_cla"));
  const int n = to_int(c.count("num_hidden_layers"));
  const auto layers = static_cast<size_t>(n);
  const long long width = c.count("intermediate_size");
  const auto experts = c.per_layer("num_experts", layers, 1);
  const auto top_k = c.per_layer("moe_topk", layers, 1);
  const auto expert_width = c.per_layer("moe_intermediate_size", layers, width);
  const auto shared = c.per_layer("num_shared_expert", layers, 1, 0);
  const bool mixed = c.flag_or("use_mixed_mlp_moe", true);  // the shared MLP beside the experts
  const long long skipped = c.count_or("moe_layer_num_skipped", 0);  // leading dense layers
  for (size_t i = 0; i < layers; ++i) {
    if (experts[i] <= 1 || static_cast<long long>(i) < skipped) {
      append_layers(m, 1, a, dense_ffn(width));
      continue;
    }
    if (top_k[i] > experts[i])
      throw InputError("{}: top-{} of {} experts in layer {}", c.where("moe_topk"), top_k[i], experts[i], i);
    FfnSpec f;
    f.experts = to_int(experts[i]);
    f.active_experts = to_int(top_k[i]);
    f.expert_intermediate = expert_width[i];
    if (mixed && shared[i] > 0) {
      f.shared_experts = to_int(shared[i]);
      f.shared_intermediate = width;
    }
    append_layers(m, 1, a, f);
  }
  return m;
}

// Gated DeltaNet (Qwen3-Next, Qwen3.5): weights, fixed state and per-token state arithmetic.
AttentionSpec gated_deltanet(const Config& c, long long hidden) {
  const double nk = static_cast<double>(c.count("linear_num_key_heads"));
  const double nv = static_cast<double>(c.count("linear_num_value_heads"));
  const double dk = static_cast<double>(c.count("linear_key_head_dim"));
  const double dv = static_cast<double>(c.count("linear_value_head_dim"));
  const double kernel = static_cast<double>(c.count_or("linear_conv_kernel_dim", 4, 1));
  const double h = static_cast<double>(hidden);
  const double conv_channels = 2 * nk * dk + nv * dv;
  AttentionSpec a;
  a.kind = AttentionKind::linear;
  a.linear_params = h * (2 * nk * dk + 2 * nv * dv) + h * 2 * nv + conv_channels * kernel +
                    2 * nv + dv + nv * dv * h;
  a.state_bytes = nv * dk * dv * 4.0 + (kernel - 1) * conv_channels * 2.0;  // fp32 state, bf16 conv
  a.state_flops_per_token = 4.0 * nv * dk * dv;  // decay+update of the state, then its read-out
  return a;
}

ModelSpec qwen_hybrid(const Config& c) {  // qwen3_next, qwen3_5, qwen3_5_moe
  ModelSpec m = base(c, false);
  AttentionSpec full = gqa(c, m.hidden);
  full.output_gate = c.flag_or("attn_output_gate", true);  // Qwen3-Next gates without the key
  const AttentionSpec linear = gated_deltanet(c, m.hidden);
  FfnSpec f;
  if (c.has("num_experts")) {
    f.experts = to_int(c.count("num_experts"));
    f.active_experts = to_int(c.count("num_experts_per_tok"));
    f.expert_intermediate = c.count("moe_intermediate_size");
    if (c.has("shared_expert_intermediate_size")) {
      f.shared_experts = 1;
      f.shared_intermediate = c.count("shared_expert_intermediate_size");
    }
  } else {
    f = dense_ffn(c.count("intermediate_size"));
  }
  auto types = c.text_list("layer_types");
  const int n = to_int(c.count("num_hidden_layers"));
  const long long interval = c.count_or("full_attention_interval", 4, 1);
  for (int i = 0; i < n; ++i) {
    bool is_full = types.empty() ? ((i + 1) % interval == 0) : types.at(static_cast<size_t>(i)) == "full_attention";
    append_layers(m, 1, is_full ? full : linear, f);
  }
  return m;
}

// Mamba-2 mixer (Nemotron-H).
AttentionSpec mamba2(const Config& c, long long hidden) {
  const double heads = static_cast<double>(c.count("mamba_num_heads"));
  const double head_dim = static_cast<double>(c.count("mamba_head_dim"));
  const double groups = static_cast<double>(c.count_or("n_groups", 1, 1));
  const double d_state = static_cast<double>(c.count("ssm_state_size"));
  const double kernel = static_cast<double>(c.count_or("conv_kernel", 4, 1));
  const double inner = heads * head_dim;
  const double h = static_cast<double>(hidden);
  const double conv_channels = inner + 2 * groups * d_state;
  AttentionSpec a;
  a.kind = AttentionKind::linear;
  a.linear_params = h * (2 * inner + 2 * groups * d_state + heads) + conv_channels * (kernel + 1) +
                    3 * heads + inner + inner * h;
  a.state_bytes = heads * head_dim * d_state * 4.0 + (kernel - 1) * conv_channels * 2.0;
  a.state_flops_per_token = 6.0 * heads * head_dim * d_state;
  return a;
}

ModelSpec nemotron_h(const Config& c) {
  ModelSpec m = base(c, false);
  const std::string pattern = c.text_or("hybrid_override_pattern", "");
  const int n = to_int(c.count("num_hidden_layers"));
  if (pattern.size() != static_cast<size_t>(n))
    throw InputError("{}: pattern has {} layers but num_hidden_layers is {}",
                     c.where("hybrid_override_pattern"), pattern.size(), n);
  AttentionSpec attn = gqa(c, m.hidden);
  if (!c.has("head_dim")) attn.head_dim = attn.v_head_dim = to_int(c.count("attention_head_dim"));
  const AttentionSpec mixer = mamba2(c, m.hidden);
  AttentionSpec none;
  none.kind = AttentionKind::none;
  FfnSpec no_ffn;
  FfnSpec mlp = dense_ffn(c.count("intermediate_size"));
  mlp.gated = false;  // relu^2 MLP: up and down only
  FfnSpec moe;
  moe.gated = false;
  if (pattern.find('E') != std::string::npos) {
    moe.experts = to_int(c.count("n_routed_experts"));
    moe.active_experts = to_int(c.count("num_experts_per_tok"));
    moe.expert_intermediate = c.count("moe_intermediate_size");
    moe.shared_experts = to_int(c.count_or("n_shared_experts", 0));
    moe.shared_intermediate = c.count_or("moe_shared_expert_intermediate_size", 0);
    moe.latent = c.count_or("moe_latent_size", 0);  // Nemotron 3 Super: experts in a 1024-wide latent
  }
  for (int i = 0; i < n; ++i) {
    switch (pattern[static_cast<size_t>(i)]) {
      case 'M': append_layers(m, 1, mixer, no_ffn); break;
      case '*': append_layers(m, 1, attn, no_ffn); break;
      case '-': append_layers(m, 1, none, mlp); break;
      case 'E': append_layers(m, 1, none, moe); break;
      default:
        throw InputError("{}: unknown layer symbol '{}' at position {} (expected M, *, - or E)",
                         c.where("hybrid_override_pattern"), pattern[static_cast<size_t>(i)], i);
    }
  }
  return m;
}

ModelSpec decilm(const Config& c) {  // nemotron-nas: per-block attention and FFN widths
  ModelSpec m = base(c, false);
  const int heads = to_int(c.count("num_attention_heads"));
  const Node& blocks = c.node()["block_configs"];
  if (!blocks.is_sequence()) throw InputError("{}: expected a list of blocks", c.where("block_configs"));
  for (size_t i = 0; i < blocks.size(); ++i) {
    Config b(blocks[i], fmt::format("{}[{}]", c.where("block_configs"), i));
    Config ba = b.child("attention"), bf = b.child("ffn");
    AttentionSpec a;
    if (ba.flag_or("no_op", false)) {
      a.kind = AttentionKind::none;
    } else if (ba.flag_or("replace_with_linear", false)) {
      a.kind = AttentionKind::linear;  // one hidden x hidden matrix, no cache
      a.linear_params = static_cast<double>(m.hidden) * static_cast<double>(m.hidden);
    } else {
      a.q_heads = heads;
      a.kv_heads = heads / to_int(ba.count("n_heads_in_group", 1, heads));
      a.head_dim = a.v_head_dim = to_int(m.hidden / heads);
    }
    FfnSpec f;
    if (!bf.flag_or("no_op", false)) {
      // DeciLM: intermediate = ceil(2/3 * ffn_mult * hidden / 256) * 256
      double mult = bf.real_or("ffn_mult", 0);
      if (!(mult > 0)) throw InputError("{}: expected a positive ffn_mult", bf.where("ffn_mult"));
      f.intermediate = static_cast<long long>(std::ceil(2.0 * mult * static_cast<double>(m.hidden) / 3.0 / 256.0)) * 256;
    }
    append_layers(m, 1, a, f);
  }
  return m;
}

const std::map<std::string, std::function<ModelSpec(const Config&)>>& families() {
  static const std::map<std::string, std::function<ModelSpec(const Config&)>> f = {
      {"llama", llama_like}, {"mistral", llama_like}, {"qwen2", llama_like},
      {"qwen3", llama_like}, {"phi3", llama_like}, {"mixtral", mixtral},
      {"qwen3_moe", qwen3_moe},
      {"gemma2", [](const Config& c) { return gemma(c, 2, 4096); }},
      {"gemma3_text", [](const Config& c) {
         const Node filled = with_defaults(c.node(), {{"vocab_size", "262208"}, {"num_attention_heads", "8"},
                                                      {"num_key_value_heads", "4"}, {"head_dim", "256"},
                                                      {"max_position_embeddings", "131072"}});
         Config d(filled, c.label());
         return gemma(d, to_int(d.count_or("sliding_window_pattern", 6, 1)), 4096);
       }},
      {"gemma4_text", gemma4}, {"gpt_oss", gpt_oss}, {"llama4_text", llama4},
      {"deepseek_v2", deepseek}, {"deepseek_v3", deepseek}, {"deepseek_v32", deepseek}, {"kimi_k2", deepseek},
      {"deepseek_v4", deepseek_v4},
      {"glm4_moe_lite", deepseek}, {"glm4_moe", glm4_moe}, {"minimax_m2", minimax_m2},
      {"hunyuan_v1_moe", hunyuan_v1_moe},
      {"qwen3_next", qwen_hybrid}, {"qwen3_5_text", qwen_hybrid}, {"qwen3_5_moe_text", qwen_hybrid},
      {"nemotron_h", nemotron_h}, {"nemotron-nas", decilm},
  };
  return f;
}

// SigLIP-style vision tower: patch embedding + transformer blocks (+ projector to the text width).
double vision_params(const Config& v, long long text_hidden) {
  const double h = static_cast<double>(v.count("hidden_size"));
  const double inter = static_cast<double>(v.count("intermediate_size"));
  const double layers = static_cast<double>(v.has("num_hidden_layers") ? v.count("num_hidden_layers") : v.count("depth"));
  const double patch = static_cast<double>(v.count_or("patch_size", 14, 1));
  const double block = 4 * h * h + 2 * h * inter + 9 * h + inter;
  return layers * block + 3 * patch * patch * h + h * static_cast<double>(text_hidden);
}

}  // namespace

ModelSpec import_hf_config_text(const std::string& json, const std::string& label) {
  const Node root = load_document_text(json, label);
  if (!root.is_map()) throw InputError("{}: expected a JSON object", label);
  Config top(root, label);
  Config text = top.has("text_config") ? top.child("text_config") : top;
  std::string type = text.text_or("model_type", top.text_or("model_type", ""));
  if (type.empty() && top.has("quantization"))
    throw InputError("{}: this is a quantization config (hf_quant_config.json), not a model config; "
                     "import the model's config.json and name its quantization apart from it", label);
  if (type.empty()) throw InputError("{}: missing required key 'model_type'", label);
  if (type == "gemma3" || type == "gemma4" || type == "llama4" || type == "qwen3_5" || type == "qwen3_5_moe") type += "_text";
  auto it = families().find(type);
  if (it == families().end()) {
    std::vector<std::string> known;
    for (const auto& [k, fn] : families()) known.push_back(k);
    throw InputError("{}: model_type '{}' is not supported{} (supported: llama, mistral, qwen2, "
                     "qwen3, qwen3_moe, qwen3_next, qwen3_5, phi3, mixtral, gemma2, gemma3, gemma4, "
                     "gpt_oss, llama4, deepseek_v2, deepseek_v3, deepseek_v4, kimi_k2, glm4_moe, glm4_moe_lite, minimax_m2, "
                     "hunyuan_v1_moe, nemotron_h, nemotron-nas)",
                     label, type, did_you_mean(type, known));
  }
  ModelSpec m = it->second(text);
  // Norms a layer adds to a Llama layer's two: per-head query and key norms (Qwen3 and its hybrids,
  // Gemma 3/4; any config that says use_qk_norm) and Gemma's norms of the attention and MLP outputs.
  static const std::set<std::string> qk_norm_types = {"qwen3", "qwen3_moe", "qwen3_next", "qwen3_5_text",
                                                      "qwen3_5_moe_text", "gemma3_text", "gemma4_text"};
  static const std::set<std::string> post_norm_types = {"gemma2", "gemma3_text", "gemma4_text"};
  const bool qk_norm = qk_norm_types.count(type) > 0 || text.flag_or("use_qk_norm", false);
  for (auto& g : m.layers) {
    if (g.attention.kind != AttentionKind::full && g.attention.kind != AttentionKind::sliding) continue;
    g.attention.qk_norm = qk_norm;
    g.attention.post_norms = post_norm_types.count(type) > 0;
  }
  // Gemma 3/4 keep the tie flag on the outer config.
  if (top.has("text_config") && top.has("tie_word_embeddings"))
    m.tied_embeddings = top.flag_or("tie_word_embeddings", m.tied_embeddings);
  if (top.has("vision_config")) m.encoder_params += vision_params(top.child("vision_config"), m.hidden);
  for (const Config* c : {&top, &text})
    for (const char* key : {"torch_dtype", "dtype"}) {
      const std::string d = c->text_or(key, "");
      if (m.dtype.empty()) m.dtype = d == "bfloat16" ? "bf16" : d == "float16" ? "f16" : d == "float32" ? "f32" : "";
    }
  m.source = label;
  // The model's own name when the file says it ("_name_or_path": "meta-llama/Llama-3.1-8B"), else ""
  // and the caller names it after the file or its folder (model_name_for_file).
  std::string named = top.text_or("_name_or_path", "");
  if (auto slash = named.find_last_of('/'); slash != std::string::npos) named.erase(0, slash + 1);
  m.name = named;
  if (m.layers.empty()) throw InputError("{}: no layers", label);
  return m;
}

ModelSpec import_hf_config(const std::string& path) {
  return import_hf_config_text(read_text_file(path), path);
}

}  // namespace ridgeline
