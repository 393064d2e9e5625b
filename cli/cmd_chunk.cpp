// ridgeline chunk: the chunk-safety search (simulator's chunk_safety) over the sizes asked, reported
// as a table with what else would fit (advisor's chunk_hints), JSON or SVG charts.
#include <ostream>

#include "commands.hpp"
#include "ridgeline/chunk_report.hpp"
#include "ridgeline/error.hpp"

namespace ridgeline::cli {

int run_chunk(const ChunkOptions& o, std::ostream& out) {
  ScenarioOptions base = o.s;
  base.prompt = o.context;
  base.gen = "0";
  const long long context = parse_count(o.context, "--context", 1, 1LL << 30);
  // --chunk (the scenario flag) beside --chunks: one chunk size to check, not silently dropped.
  if (!o.s.chunk.empty() && o.chunks_given)
    throw InputError("chunk: --chunk {} and --chunks {} both given; use --chunks for the sizes to try", o.s.chunk, o.chunks);
  std::vector<long long> chunks;
  for (const auto& c : split_list(o.s.chunk.empty() ? o.chunks : o.s.chunk))
    chunks.push_back(parse_count(c, o.s.chunk.empty() ? "--chunks" : "--chunk", 1, 1 << 20));
  const ChunkReport r = chunk_safety(build_scenario(base), context, chunks);
  if (!o.plot.empty()) write_output("--plot", o.plot, chunk_svg(r));
  out << (o.json ? chunk_json(r) : chunk_table(r, chunk_hints(r)));
  return r.largest_safe ? kOk : kRequirementFailed;
}

}  // namespace ridgeline::cli
