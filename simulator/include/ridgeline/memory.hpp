#pragma once
// The memory model: weights, KV allocation, transient buffers and runtime memory against the GPU
// limit, and where a chunk size runs out of memory (memory.cpp).
#include <optional>

#include "ridgeline/scenario.hpp"

namespace ridgeline {

struct MemoryBreakdown {
  Bytes weights, kv_cache, state, transient, runtime, peak, limit;
  bool fits = true;
  std::optional<long long> oom_at_context;  // context completed before the first failing chunk
};
// Memory in use while a prefill chunk of `chunk` tokens ends at `context_end`.
// `chunk` defaults to the scenario's chunk (it sizes sliding-window caches).
Bytes transient_bytes(const Scenario& s, double chunk, double context_end);
Bytes kv_allocated(const Scenario& s, double context, double capacity, long long chunk = 0);
// Cells a sliding-window layer's cache holds when `tokens` cells are allocated: the window plus one
// chunk (the chunk's keys before eviction), or all of them where the runtime keeps sliding layers at
// full length (--swa-full).
double sliding_cells_held(const Scenario& s, double window, double tokens, double chunk);
MemoryBreakdown memory(const Scenario& s);
// First context at which a chunk of `chunk` tokens runs out of memory, over the chunks up to
// `max_context`; nullopt when none does. The KV cache is sized to the context reached, or, given
// `kv_capacity`, to that many tokens (an out-of-memory probe that allocates its stated capacity).
std::optional<long long> oom_context(const Scenario& s, long long chunk, long long max_context,
                                     std::optional<double> kv_capacity = std::nullopt);

}  // namespace ridgeline
