#pragma once
// A model descriptor: the explicit layer mix of a decoder-only transformer. Plain data; parsed
// from catalog YAML, HuggingFace config.json or a GGUF header, and read by the simulator.
#include <optional>
#include <string>
#include <vector>

namespace ridgeline {

enum class AttentionKind {
  full,     // attends over the whole context
  sliding,  // attends over at most `window` previous tokens
  mla,      // multi-head latent attention: caches kv_lora_rank + rope_dim per token
  linear,   // linear attention / state space: fixed per-sequence state, no growing KV
  none,     // no attention in this layer (e.g. DeciLM "no-op" blocks)
  // DeepSeek-V4: one K=V head (head_dim wide) shared by every query head; a raw cache of the last
  // `window` tokens, and past it one pooled row per `compress_ratio` tokens (0: the window only),
  // all attended or, with an indexer (index_heads > 0), the index_topk rows it scores highest.
  compressed,
};

struct AttentionSpec {
  AttentionKind kind = AttentionKind::full;
  int q_heads = 0;
  int kv_heads = 0;
  int head_dim = 0;    // query/key width per head (MLA: nope + rope)
  int v_head_dim = 0;  // value width per head
  int window = 0;      // sliding only
  bool kv_shared = false;  // keys and values are one cached tensor (Gemma 4 attention_k_eq_v)
  // The layer attends over the keys and values an earlier layer of its kind cached (Gemma 3n/4
  // num_kv_shared_layers): no key or value projection and no cache of its own, but the same reads.
  bool kv_reused = false;
  bool qkv_bias = false;
  bool output_gate = false;  // q_proj also yields a sigmoid output gate (Qwen3-Next, Qwen3.5)
  bool qk_norm = false;      // queries and keys are RMS-normalized per head (Qwen3, Gemma 3): two norms more
  bool post_norms = false;   // attention and MLP outputs are normalized too (Gemma's sandwich norms): two more
  bool out_bias = false;
  // MLA and compressed
  int q_lora_rank = 0;  // 0: queries are projected directly from the hidden state
  int kv_lora_rank = 0;  // MLA only
  int rope_dim = 0;
  // compressed only. A pooled row is a softmax-gated sum of compress_ratio tokens' projections
  // (key and gate, each head_dim wide, or twice that where windows overlap their neighbour).
  int compress_ratio = 0;
  bool compress_overlap = false;
  int index_heads = 0;     // the indexer's query heads (0: no indexer, every pooled row attended)
  int index_head_dim = 0;  // its keys are pooled like the KV, index_head_dim wide
  int index_topk = 0;      // pooled rows each query attends
  // Grouped low-rank output (compressed): the heads' outputs in o_groups groups, each projected to
  // o_lora_rank by its own matrix, then all groups together to hidden (0: one q_heads x v_head_dim
  // x hidden projection).
  int o_groups = 0;
  int o_lora_rank = 0;
  // linear / state space only: families differ too much for one formula, so the importer
  // states the mixer's weights, its fixed state and its per-token arithmetic explicitly.
  double linear_params = 0;
  double state_bytes = 0;       // per sequence
  double state_flops_per_token = 0;

  bool operator==(const AttentionSpec&) const = default;
};

struct FfnSpec {
  long long intermediate = 0;  // dense MLP width; with experts, the dense MLP beside them (0: none)
  bool gated = true;           // gate+up+down (3 matrices) or up+down (2)
  int experts = 0;             // 0: dense layer
  int active_experts = 0;
  long long expert_intermediate = 0;
  int shared_experts = 0;
  long long shared_intermediate = 0;  // width of each shared expert
  bool expert_bias = false;
  // LatentMoE (Nemotron 3 Super): routed experts work in this narrower width; each layer projects
  // hidden -> latent before them and latent -> hidden after (0: experts read the hidden state).
  long long latent = 0;
  bool is_moe() const { return experts > 0; }
  bool operator==(const FfnSpec&) const = default;
  long long expert_width(long long hidden) const { return latent > 0 ? latent : hidden; }
};

struct LayerGroup {
  int count = 1;
  AttentionSpec attention;
  FfnSpec ffn;
  // In the model's layer order no layer from this group on keeps a cache or state of its own
  // (Gemma 4 E's KV-shared tail). Set where a simulator scenario is built (its setup merges equal
  // groups only on each side of that point); a runtime that evaluates prefill lazily skips them.
  bool after_last_cache = false;
};

struct ModelSpec {
  std::string id;
  std::string name;
  std::string source;  // where the shapes come from
  std::vector<std::string> aliases;
  long long hidden = 0;
  long long vocab = 0;
  bool tied_embeddings = false;
  long long max_context = 0;
  double encoder_params = 0;  // vision/audio encoders: not in total_params, not loaded by text runtimes
  // The checkpoint's float dtype (bf16, f16, f32; config.json torch_dtype): the dtype of its
  // non-quantized tensors, which mlx_lm.convert keeps and MLX computes in. "" when unstated.
  std::string dtype;
  // Hyper-connections (DeepSeek-V4's mHC): the residual is residual_streams copies of the hidden
  // state, mixed before and after each attention and MLP block by weights computed from the streams
  // (a small f32 product, then sinkhorn_iterations normalizations of a streams x streams matrix).
  // 1: a plain residual.
  int residual_streams = 1;
  int sinkhorn_iterations = 0;
  // Per-layer input embeddings (Gemma 4 E2B/E4B hidden_size_per_layer_input): a second table of
  // per_layer_vocab rows of layers x per_layer_input values, of which each token gathers its row;
  // a product projects the hidden state to the same width, and each layer gates its slice and
  // projects it back (two hidden x per_layer_input products). 0: none.
  int per_layer_input = 0;
  long long per_layer_vocab = 0;
  std::vector<LayerGroup> layers;  // in order; consecutive equal layers are merged into one group
};

// Adds `count` layers, merging with the previous group when identical.
void append_layers(ModelSpec& m, int count, const AttentionSpec& a, const FfnSpec& f);
int layer_count(const ModelSpec& m);
bool same_layer(const LayerGroup& a, const AttentionSpec& attn, const FfnSpec& ffn);
// Whether a layer of this attention keeps a cache or a state of its own (not a kv_reused layer, not
// a layer without attention, not a stateless linear layer).
bool keeps_own_cache(const AttentionSpec& a);
// The index of the first group whose kv_reused layers have no earlier group of their kind and shape
// that caches its own keys and values to read; nullopt when every one has.
std::optional<size_t> reuse_without_source(const ModelSpec& m);
const char* to_string(AttentionKind k);
// The kind a descriptor names ("linear"); an InputError naming `where` for any other text.
AttentionKind parse_attention_kind(const std::string& text, const std::string& where);

}  // namespace ridgeline
