#include "ridgeline/model.hpp"

#include "ridgeline/error.hpp"

namespace ridgeline {

bool same_layer(const LayerGroup& g, const AttentionSpec& attn, const FfnSpec& ffn) {
  return g.attention == attn && g.ffn == ffn;
}

bool keeps_own_cache(const AttentionSpec& a) {
  switch (a.kind) {
    case AttentionKind::full:
    case AttentionKind::sliding:
    case AttentionKind::mla: return !a.kv_reused;
    case AttentionKind::compressed: return true;
    case AttentionKind::linear: return a.state_bytes > 0;
    case AttentionKind::none: return false;
  }
  return false;
}

std::optional<size_t> reuse_without_source(const ModelSpec& m) {
  for (size_t i = 0; i < m.layers.size(); ++i) {
    const AttentionSpec& a = m.layers[i].attention;
    if (!a.kv_reused) continue;
    bool source = false;
    for (size_t j = 0; j < i && !source; ++j) {
      const AttentionSpec& e = m.layers[j].attention;
      source = !e.kv_reused && e.kind == a.kind && e.kv_heads == a.kv_heads && e.head_dim == a.head_dim &&
               e.v_head_dim == a.v_head_dim && e.kv_shared == a.kv_shared && e.window == a.window;
    }
    if (!source) return i;
  }
  return std::nullopt;
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
    case AttentionKind::compressed: return "compressed";
  }
  return "?";
}

AttentionKind parse_attention_kind(const std::string& text, const std::string& where) {
  static const AttentionKind kinds[] = {AttentionKind::full,   AttentionKind::sliding, AttentionKind::mla,
                                        AttentionKind::compressed, AttentionKind::linear,  AttentionKind::none};
  std::vector<std::string> names;
  for (AttentionKind k : kinds) {
    if (text == to_string(k)) return k;
    names.push_back(to_string(k));
  }
  throw InputError("{}: '{}' is not an attention kind (expected full, sliding, mla, compressed, linear or none){}", where, text,
                   did_you_mean(text, names));
}

}  // namespace ridgeline
