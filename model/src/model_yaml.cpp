// The project's own model descriptor format (model/catalog/*.yaml) and its writer.
#include <fmt/format.h>

#include <map>
#include <fstream>
#include <sstream>

#include "ridgeline/error.hpp"
#include "ridgeline/importers.hpp"
#include "ridgeline/strict_reader.hpp"

namespace ridgeline {

namespace {
constexpr long long kMaxDim = 1LL << 24;

AttentionSpec parse_attention(MapReader r) {
  AttentionSpec a;
  a.kind = parse_attention_kind(r.str("kind"), r.where("kind"));
  auto dim = [&](const char* k) { return static_cast<int>(r.integer(k, 1, kMaxDim)); };
  switch (a.kind) {
    case AttentionKind::full:
    case AttentionKind::sliding:
      a.q_heads = dim("q_heads");
      a.kv_heads = dim("kv_heads");
      if (a.kv_heads > a.q_heads)
        throw InputError("{}: {} exceeds q_heads {}", r.where("kv_heads"), a.kv_heads, a.q_heads);
      a.head_dim = dim("head_dim");
      a.v_head_dim = static_cast<int>(r.opt_integer("v_head_dim", 1, kMaxDim).value_or(a.head_dim));
      if (a.kind == AttentionKind::sliding) a.window = dim("window");
      a.kv_shared = r.opt_boolean("kv_shared").value_or(false);
      a.kv_reused = r.opt_boolean("kv_reused").value_or(false);
      a.qkv_bias = r.opt_boolean("qkv_bias").value_or(false);
      a.out_bias = r.opt_boolean("out_bias").value_or(false);
      a.output_gate = r.opt_boolean("output_gate").value_or(false);
      a.qk_norm = r.opt_boolean("qk_norm").value_or(false);
      a.post_norms = r.opt_boolean("post_norms").value_or(false);
      break;
    case AttentionKind::mla:
      a.q_heads = dim("q_heads");
      a.kv_heads = 1;
      a.head_dim = dim("head_dim");
      a.v_head_dim = dim("v_head_dim");
      a.kv_lora_rank = dim("kv_lora_rank");
      a.rope_dim = dim("rope_dim");
      if (a.rope_dim >= a.head_dim)
        throw InputError("{}: {} must be below head_dim {}", r.where("rope_dim"), a.rope_dim, a.head_dim);
      a.q_lora_rank = static_cast<int>(r.opt_integer("q_lora_rank", 0, kMaxDim).value_or(0));
      break;
    case AttentionKind::compressed: {
      a.q_heads = dim("q_heads");
      a.kv_heads = 1;
      a.kv_shared = true;
      a.head_dim = dim("head_dim");
      a.v_head_dim = a.head_dim;
      a.rope_dim = dim("rope_dim");
      if (a.rope_dim > a.head_dim)
        throw InputError("{}: {} exceeds head_dim {}", r.where("rope_dim"), a.rope_dim, a.head_dim);
      a.q_lora_rank = static_cast<int>(r.opt_integer("q_lora_rank", 0, kMaxDim).value_or(0));
      a.window = dim("window");
      a.compress_ratio = static_cast<int>(r.integer("compress_ratio", 0, kMaxDim));
      a.compress_overlap = r.opt_boolean("compress_overlap").value_or(false);
      if (r.has("index_heads")) {
        if (a.compress_ratio == 0)
          throw InputError("{}: an indexer selects pooled rows, and compress_ratio 0 pools none", r.where("index_heads"));
        a.index_heads = dim("index_heads");
        a.index_head_dim = dim("index_head_dim");
        a.index_topk = dim("index_topk");
      }
      if (r.has("o_groups")) {
        a.o_groups = dim("o_groups");
        if (a.q_heads % a.o_groups != 0)
          throw InputError("{}: {} does not divide q_heads {}", r.where("o_groups"), a.o_groups, a.q_heads);
        a.o_lora_rank = dim("o_lora_rank");
      }
      break;
    }
    case AttentionKind::linear:
      a.linear_params = r.number("params", 0, 1e12);
      a.state_bytes = r.number("state_bytes", 0, 1e12);
      a.state_flops_per_token = r.number("state_flops_per_token", 0, 1e15);
      break;
    case AttentionKind::none: break;
  }
  r.finish();
  return a;
}

FfnSpec parse_ffn(MapReader r) {
  FfnSpec f;
  f.intermediate = r.opt_integer("intermediate", 0, kMaxDim).value_or(0);
  f.gated = r.opt_boolean("gated").value_or(true);
  if (r.has("experts")) {
    f.experts = static_cast<int>(r.integer("experts", 1, 65536));
    f.active_experts = static_cast<int>(r.integer("active", 1, f.experts));
    f.expert_intermediate = r.integer("expert_intermediate", 1, kMaxDim);
    f.shared_experts = static_cast<int>(r.opt_integer("shared_experts", 0, 64).value_or(0));
    f.shared_intermediate = r.opt_integer("shared_intermediate", 1, kMaxDim).value_or(f.expert_intermediate);
    f.expert_bias = r.opt_boolean("expert_bias").value_or(false);
    f.latent = r.opt_integer("latent", 1, kMaxDim).value_or(0);
  }
  r.finish();
  return f;
}
}  // namespace

ModelSpec parse_model_yaml_text(const std::string& text, const std::string& label) {
  const Node root = load_document_text(text, label);
  MapReader r(root, label);
  ModelSpec m;
  m.id = r.str("id");
  m.name = r.opt_str("name").value_or(m.id);
  m.source = r.str("source");
  if (r.has("aliases")) m.aliases = r.str_list("aliases");
  m.hidden = r.integer("hidden", 1, kMaxDim);
  m.vocab = r.integer("vocab", 1, kMaxDim);
  m.tied_embeddings = r.boolean("tied_embeddings");
  m.max_context = r.integer("max_context", 1, 1LL << 30);
  m.encoder_params = r.opt_number("encoder_params", 0, 1e13).value_or(0);
  m.dtype = r.opt_one_of("dtype", {"bf16", "f16", "f32"}, "a checkpoint dtype").value_or("");
  m.residual_streams = static_cast<int>(r.opt_integer("residual_streams", 1, 64).value_or(1));
  m.sinkhorn_iterations = static_cast<int>(r.opt_integer("sinkhorn_iterations", 0, 1000).value_or(0));
  if (r.has("per_layer_input")) {
    MapReader p = r.map("per_layer_input");
    m.per_layer_input = static_cast<int>(p.integer("width", 1, kMaxDim));
    m.per_layer_vocab = p.integer("vocab", 1, kMaxDim);
    p.finish();
  }
  r.each_map("layers", [&](MapReader& g) {
    int count = static_cast<int>(g.integer("count", 1, 100000));
    AttentionSpec a = parse_attention(g.map("attention"));
    FfnSpec f = g.has("ffn") ? parse_ffn(g.map("ffn")) : FfnSpec{};
    g.ignore("ffn");
    g.finish();
    append_layers(m, count, a, f);
    // A layer that reuses keys and values reads those of an earlier layer of its kind and shape.
    if (a.kv_reused && reuse_without_source(m))
      throw InputError("{}: kv_reused needs an earlier {} layer with {} KV heads of head_dim {} that caches its own",
                       g.where("attention"), to_string(a.kind), a.kv_heads, a.head_dim);
  }, MapReader::List::non_empty);
  r.finish();
  return m;
}

ModelSpec parse_model_yaml(const std::string& path) {
  return parse_model_yaml_text(read_text_file(path), path);
}

std::string model_to_yaml(const ModelSpec& m) {
  std::string out;
  auto line = [&](const std::string& s) { out += s + "\n"; };
  line(fmt::format("id: {}", m.id));
  line(fmt::format("name: \"{}\"", m.name));
  line(fmt::format("source: \"{}\"", m.source));
  if (!m.aliases.empty()) {
    std::string list;
    for (const auto& a : m.aliases) list += (list.empty() ? "" : ", ") + fmt::format("\"{}\"", a);
    line(fmt::format("aliases: [{}]", list));
  }
  line(fmt::format("hidden: {}", m.hidden));
  line(fmt::format("vocab: {}", m.vocab));
  line(fmt::format("tied_embeddings: {}", m.tied_embeddings));
  line(fmt::format("max_context: {}", m.max_context));
  if (m.encoder_params > 0) line(fmt::format("encoder_params: {:.6g}", m.encoder_params));
  if (!m.dtype.empty()) line(fmt::format("dtype: {}", m.dtype));
  if (m.residual_streams > 1) line(fmt::format("residual_streams: {}", m.residual_streams));
  if (m.sinkhorn_iterations > 0) line(fmt::format("sinkhorn_iterations: {}", m.sinkhorn_iterations));
  if (m.per_layer_input > 0)
    line(fmt::format("per_layer_input: {{width: {}, vocab: {}}}", m.per_layer_input, m.per_layer_vocab));
  line("layers:");
  for (const auto& g : m.layers) {
    const auto& a = g.attention;
    std::string attn = fmt::format("kind: {}", to_string(a.kind));
    if (a.kind == AttentionKind::full || a.kind == AttentionKind::sliding) {
      attn += fmt::format(", q_heads: {}, kv_heads: {}, head_dim: {}", a.q_heads, a.kv_heads, a.head_dim);
      if (a.v_head_dim != a.head_dim) attn += fmt::format(", v_head_dim: {}", a.v_head_dim);
      if (a.kind == AttentionKind::sliding) attn += fmt::format(", window: {}", a.window);
      if (a.kv_shared) attn += ", kv_shared: true";
      if (a.kv_reused) attn += ", kv_reused: true";
      if (a.qkv_bias) attn += ", qkv_bias: true";
      if (a.out_bias) attn += ", out_bias: true";
      if (a.output_gate) attn += ", output_gate: true";
      if (a.qk_norm) attn += ", qk_norm: true";
      if (a.post_norms) attn += ", post_norms: true";
    } else if (a.kind == AttentionKind::mla) {
      attn += fmt::format(", q_heads: {}, head_dim: {}, v_head_dim: {}, kv_lora_rank: {}, rope_dim: {}",
                          a.q_heads, a.head_dim, a.v_head_dim, a.kv_lora_rank, a.rope_dim);
      if (a.q_lora_rank) attn += fmt::format(", q_lora_rank: {}", a.q_lora_rank);
    } else if (a.kind == AttentionKind::compressed) {
      attn += fmt::format(", q_heads: {}, head_dim: {}, rope_dim: {}", a.q_heads, a.head_dim, a.rope_dim);
      if (a.q_lora_rank) attn += fmt::format(", q_lora_rank: {}", a.q_lora_rank);
      attn += fmt::format(", window: {}, compress_ratio: {}", a.window, a.compress_ratio);
      if (a.compress_overlap) attn += ", compress_overlap: true";
      if (a.index_heads)
        attn += fmt::format(", index_heads: {}, index_head_dim: {}, index_topk: {}", a.index_heads, a.index_head_dim, a.index_topk);
      if (a.o_groups) attn += fmt::format(", o_groups: {}, o_lora_rank: {}", a.o_groups, a.o_lora_rank);
    } else if (a.kind == AttentionKind::linear) {
      attn += fmt::format(", params: {:.9g}, state_bytes: {:.9g}, state_flops_per_token: {:.9g}",
                          a.linear_params, a.state_bytes, a.state_flops_per_token);
    }
    const auto& f = g.ffn;
    std::string ffn;
    if (f.intermediate) ffn += fmt::format("intermediate: {}", f.intermediate);
    if (!f.gated && (f.intermediate || f.experts)) ffn += std::string(ffn.empty() ? "" : ", ") + "gated: false";
    if (f.experts) {
      ffn += fmt::format("{}experts: {}, active: {}, expert_intermediate: {}", ffn.empty() ? "" : ", ",
                         f.experts, f.active_experts, f.expert_intermediate);
      if (f.shared_experts)
        ffn += fmt::format(", shared_experts: {}, shared_intermediate: {}", f.shared_experts, f.shared_intermediate);
      if (f.expert_bias) ffn += ", expert_bias: true";
      if (f.latent) ffn += fmt::format(", latent: {}", f.latent);
    }
    line(fmt::format("  - count: {}", g.count));
    line(fmt::format("    attention: {{{}}}", attn));
    if (!ffn.empty()) line(fmt::format("    ffn: {{{}}}", ffn));
  }
  return out;
}

}  // namespace ridgeline
