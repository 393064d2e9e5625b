// Table, JSON and SVG of a chunk-safety search.
#include "ridgeline/chunk_report.hpp"

#include "ridgeline/advisor_report.hpp"
#include "ridgeline/report.hpp"
#include "ridgeline/text_layout.hpp"

namespace ridgeline {

namespace {
// "32 q heads x 32-token chunk x 131072 keys x 4 bytes = 537 MB per full-attention layer".
std::string score_formula(const ScoreMatrixCheck& c) {
  return fmt::format("{} q heads x {}-token chunk x {} keys x {} bytes = {:.0f} MB per full-attention layer{}", c.q_heads,
                     ScoreMatrixCheck::kChunk, c.keys, c.bytes_per_score, c.bytes / 1e6,
                     c.materialised ? "" : " (this runtime's path is fused: no score matrix)");
}
}  // namespace

std::string chunk_svg(const ChunkReport& r) {
  Series peak{"peak at the target context", {}, {}}, reach{"context reached (tokens)", {}, {}};
  for (const auto& t : r.trials) {
    peak.x.push_back(static_cast<double>(t.chunk));
    peak.y.push_back(t.peak.value / kGB);
    reach.x.push_back(static_cast<double>(t.chunk));
    reach.y.push_back(static_cast<double>(t.oom ? *t.oom : r.context));
  }
  std::vector<Chart> charts = {
      {"Peak memory at the target context against chunk size", "chunk tokens", "GB (10^9 bytes)", {peak},
       r.scenario.limit.value / kGB, "GPU memory limit", {}, ""},
      {"Context reached before running out of memory", "chunk tokens", "context tokens", {reach}, static_cast<double>(r.context),
       "target context", {}, ""}};
  return svg_charts(charts, "ridgeline chunk");
}

std::string chunk_json(const ChunkReport& r) {
  const Scenario& s = r.scenario;
  JsonArray chunks;
  for (const auto& t : r.trials)
    chunks.push(JsonObject()
                    .add_integer("chunk", t.chunk)
                    .add("oom_at_context_tokens", Json::optional_integer(t.oom))
                    .add("completes", Json::boolean(t.completes && r.weights_fit))
                    .add("prefill_seconds", r.weights_fit ? Json::number(t.prefill_seconds) : Json::null())
                    .add_bytes("peak_bytes", t.peak.value));
  return JsonObject()
             .add_integer("schema_version", kSchemaVersion)
             .add_string("hardware", s.hardware.id)
             .add_string("model", s.model.id)
             .add_string("quant", s.quant.id)
             .add_string("runtime", s.runtime.id)
             .add_number("memory_gb", sold_ram_gb(s.ram))
             .add_bytes("limit_bytes", s.limit.value)
             .add_bytes("weights_bytes", r.weights.value)
             .add("weights_fit", Json::boolean(r.weights_fit))
             .add_integer("context", r.context)
             .add("largest_safe_chunk", Json::optional_integer(r.largest_safe))
             .add("chunks", chunks)
             .add_string("score_formula_32_tokens", r.score_check ? score_formula(*r.score_check) : "")
             .str() +
         "\n";
}

std::string chunk_table(const ChunkReport& r, const std::vector<Hint>& hints) {
  const Scenario& s = r.scenario;
  std::string out = wrap_long_lines(fmt::format("{} with {} RAM, GPU limit {} | {} {} on {} | target context {} tokens\n\n",
                                                s.hardware.name, format_sold_ram(s.ram), format_gb(s.limit), s.model.id,
                                                s.quant.id, s.runtime.id, r.context));
  if (!r.weights_fit) {
    out += fmt::format("the weights alone ({}) exceed the GPU limit ({}): no chunk size helps\n", format_gb(r.weights),
                       format_gb(s.limit));
    return out + wrap_long_lines(hints_text(hints));
  }
  out += fmt::format("{:>7}  {:>26}  {:>12}  {:>16}  {}\n", "chunk", "runs out of memory after", "prefill time", "peak at target", "");
  for (const auto& t : r.trials)  // within 100 columns (the longest status included)
    out += fmt::format("{:>7}  {:>26}  {:>10.1f} s  {:>16}  {}\n", t.chunk,
                       t.oom ? fmt::format("{} tokens", *t.oom) : "never (up to max context)", t.prefill_seconds,
                       format_gb(t.peak), t.completes ? "safe" : "OUT OF MEMORY before the target");
  out += r.largest_safe ? fmt::format("\nlargest safe chunk: {} tokens\n", *r.largest_safe)
                        : std::string("\nno chunk size in the list reaches the target context\n");
  if (!r.largest_safe) out += wrap_long_lines(hints_text(hints));
  if (s.runtime.kernels.compute_buffer_reserved)
    out += wrap_long_lines(fmt::format("{} reserves a chunk's buffers when the model loads, sized for the whole context: a "
                                       "context past a chunk's limit fails at load, not partway through the prompt\n",
                                       s.runtime.id));
  if (r.score_check) out += wrap_long_lines("score-matrix check: " + score_formula(*r.score_check) + "\n");
  return out;
}

}  // namespace ridgeline
