#pragma once
// Reporters of the chunk-safety search (simulator's ChunkReport): a table, JSON and SVG charts.
#include <string>
#include <vector>

#include "ridgeline/advisor.hpp"
#include "ridgeline/chunk_safety.hpp"

namespace ridgeline {

// The table, then the largest safe chunk, `hints` (advisor's chunk_hints) where nothing completes,
// and the score-matrix check; within 100 columns.
std::string chunk_table(const ChunkReport& r, const std::vector<Hint>& hints);
std::string chunk_json(const ChunkReport& r);
// Peak memory at the target context and the context each chunk size reaches, against the limit.
std::string chunk_svg(const ChunkReport& r);

}  // namespace ridgeline
