#pragma once
// Safe prefill chunk sizes: for each chunk size tried, the context at which it runs out of memory,
// its prefill time and its peak memory at a target context (chunk_safety.cpp).
#include <optional>
#include <vector>

#include "ridgeline/scenario.hpp"

namespace ridgeline {

// One chunk size at the target context.
struct ChunkTrial {
  long long chunk = 0;
  std::optional<long long> oom;  // context completed before the first failing chunk; none up to the horizon
  double prefill_seconds = 0;
  Bytes peak;                    // at the end of the target context
  bool completes = false;        // no out-of-memory before the target context
};

// Seed 001's check of the score matrix an unfused path materialises, on the first full-attention
// layer: q heads x chunk x keys x bytes per score element, at its 32-token chunk.
struct ScoreMatrixCheck {
  static constexpr long long kChunk = 32;  // the seed's chunk
  int q_heads = 0;
  long long keys = 0;            // the target context
  double bytes_per_score = 0;    // the runtime's transient_bytes_per_score
  double bytes = 0;              // q_heads x kChunk x keys x bytes_per_score
  bool materialised = false;     // false: this runtime's path is fused and holds no score matrix
};

struct ChunkReport {
  Scenario scenario;   // at the target context (prompt = context, no generation), its own chunk
  long long context = 0;
  Bytes weights;
  bool weights_fit = false;   // beyond the limit no chunk size matters and no prefill time is real
  std::vector<ChunkTrial> trials;              // in the order asked
  std::optional<long long> largest_safe;       // the largest chunk that completes, when the weights fit
  std::optional<ScoreMatrixCheck> score_check;  // none without a full-attention layer
  // The smallest chunk size tried (what else would fit is judged at it), else the scenario's own.
  long long smallest_chunk() const;
};

// Tries each chunk size on `setup`'s hardware, model, quantization and runtime with its workload's
// prompt set to `context` and no generation (cached tokens, batch, KV dtype, RAM and limit as given).
// Throws FieldError ("prompt", "chunk", "context") when the workload cannot run.
ChunkReport chunk_safety(const Scenario& setup, long long context, const std::vector<long long>& chunks);

}  // namespace ridgeline
