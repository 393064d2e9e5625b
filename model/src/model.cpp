#include "ridgeline/model.hpp"

namespace ridgeline {

bool same_layer(const LayerGroup& g, const AttentionSpec& attn, const FfnSpec& ffn) {
  return g.attention == attn && g.ffn == ffn;
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

}  // namespace ridgeline
