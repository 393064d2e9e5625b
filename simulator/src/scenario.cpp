// Scenarios: a setup (hardware, model with equal layer groups merged, quantization, runtime) and
// the workload checked against it.
#include <algorithm>

#include "ridgeline/error.hpp"
#include "ridgeline/scenario.hpp"

namespace ridgeline {

namespace {
// Time and memory do not depend on layer order, so equal groups anywhere in the stack are
// merged (Gemma's 5 sliding + 1 full pattern becomes two groups): fewer operators per step.
std::vector<LayerGroup> merge_equal_groups(const std::vector<LayerGroup>& layers) {
  std::vector<LayerGroup> merged;
  for (auto g : layers) {
    g.after_last_cache = false;
    auto it = std::find_if(merged.begin(), merged.end(),
                           [&](const LayerGroup& m) { return same_layer(m, g.attention, g.ffn); });
    if (it == merged.end()) merged.push_back(g);
    else it->count += g.count;
  }
  return merged;
}
}  // namespace

Scenario make_setup(HardwareSpec hw, ModelSpec m, Quantization q, RuntimeSpec rt) {
  // Equal groups merge on each side of the last layer that keeps a cache of its own, never across
  // it: the groups after it are marked, for a runtime that evaluates prefill lazily (ops.cpp).
  size_t tail = m.layers.size();
  while (tail > 0 && !keeps_own_cache(m.layers[tail - 1].attention)) --tail;
  const auto split = m.layers.begin() + static_cast<std::ptrdiff_t>(tail);
  std::vector<LayerGroup> layers = merge_equal_groups({m.layers.begin(), split});
  for (LayerGroup g : merge_equal_groups({split, m.layers.end()})) {
    g.after_last_cache = true;
    layers.push_back(g);
  }
  m.layers = std::move(layers);
  return Scenario{std::move(hw), std::move(m), std::move(q), std::move(rt), {}, {}, 0, {}, {}};
}

std::optional<FieldError> workload_problem(const Scenario& s, const Workload& w) {
  if (w.prompt < 1) return FieldError("prompt", "{} tokens; expected at least 1", w.prompt);
  if (w.gen < 0) return FieldError("gen", "{} tokens; expected 0 or more", w.gen);
  if (w.cached < 0 || w.cached >= w.prompt)
    return FieldError("cached", "{} tokens; expected 0 up to prompt - 1 ({})", w.cached, w.prompt - 1);
  if (w.batch < 1 || w.batch > 4096) return FieldError("batch", "{}; expected 1 to 4096", w.batch);
  const long long chunk = w.chunk > 0 ? w.chunk : s.runtime.default_chunk;
  if (chunk < 1 || chunk > (1 << 20)) return FieldError("chunk", "{}; expected 1 to 1048576", chunk);
  const long long context = w.prompt + w.gen;
  if (s.model.max_context > 0 && context > s.model.max_context && !w.allow_beyond_max)
    return FieldError("context", "{} tokens (prompt {} + gen {}) is beyond {}'s maximum of {} tokens", context, w.prompt,
                      w.gen, s.model.id, s.model.max_context);
  return std::nullopt;
}

void set_workload(Scenario& s, const Workload& w) {
  if (auto problem = workload_problem(s, w)) throw *problem;
  s.workload = w;
  s.kv = find_kv_dtype(w.kv_dtype.empty() ? s.runtime.default_kv_dtype : w.kv_dtype);
  s.chunk = w.chunk > 0 ? w.chunk : s.runtime.default_chunk;
  s.ram = w.ram.value > 0 ? w.ram : s.hardware.largest_memory();
  s.limit = w.limit.value > 0 ? w.limit : default_gpu_limit(s.hardware, s.ram);
}

Scenario make_scenario(HardwareSpec hw, ModelSpec m, Quantization q, RuntimeSpec rt, Workload w) {
  Scenario s = make_setup(std::move(hw), std::move(m), std::move(q), std::move(rt));
  set_workload(s, w);
  return s;
}

double prompts_per_prefill_step(const Scenario& s) {
  const double prompt = static_cast<double>(s.workload.prompt - s.workload.cached);
  if (s.workload.batch <= 1 || prompt <= 0) return 1;
  return std::clamp(static_cast<double>(s.chunk) / prompt, 1.0, static_cast<double>(s.workload.batch));
}

}  // namespace ridgeline
