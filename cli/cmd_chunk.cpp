#include <algorithm>
#include <ostream>

#include "commands.hpp"
#include "ridgeline/advisor_report.hpp"
#include "ridgeline/derived.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/report.hpp"

namespace ridgeline::cli {

namespace {
struct ChunkResult {
  long long chunk;
  std::optional<long long> oom;
  double prefill_seconds;
  Bytes peak;
  bool completes;
};
}  // namespace

int run_chunk(const ChunkOptions& o, std::ostream& out) {
  ScenarioOptions base = o.s;
  base.prompt = o.context;
  base.gen = "0";
  const long long context = parse_count(o.context, "--context", 1, 1LL << 30);
  std::vector<long long> chunks;
  for (const auto& c : split_list(o.chunks)) chunks.push_back(parse_count(c, "--chunks", 1, 1 << 20));
  std::vector<ChunkResult> results;
  std::optional<long long> largest;
  Scenario first = build_scenario(base);
  for (long long c : chunks) {
    ScenarioOptions opt = base;
    opt.chunk = std::to_string(c);
    Scenario s = build_scenario(opt);
    Prediction p = predict(s);
    const long long horizon = std::max(context, s.model.max_context);
    auto oom = oom_context(s, c, horizon);
    bool completes = !oom || *oom >= context;
    results.push_back({c, oom, p.prefill_seconds, p.mem.peak, completes});
    if (completes && (!largest || c > *largest)) largest = c;
  }
  // The seed-001 check: transient = n_q_heads x chunk x kv_len x bytes per score element.
  std::string formula;
  for (const auto& g : first.model.layers) {
    const auto& a = g.attention;
    if (a.kind == AttentionKind::full && !formula.size()) {
      const Scenario& s = first;
      const double bytes = static_cast<double>(a.q_heads) * 32.0 * static_cast<double>(context) * s.runtime.coef.transient_bytes_per_score;
      formula = fmt::format("{} q heads x 32-token chunk x {} keys x {} bytes = {:.0f} MB per full-attention layer{}",
                            a.q_heads, context, s.runtime.coef.transient_bytes_per_score, bytes / 1e6,
                            unfused_attention(s, a, true) ? "" : " (this runtime's path is fused: no score matrix)");
    }
  }
  if (o.json) {
    out << fmt::format("{{\"schema_version\": {}, \"hardware\": \"{}\", \"model\": \"{}\", \"quant\": \"{}\", \"runtime\": \"{}\", "
                       "\"memory_gib\": {:.6g}, \"limit_bytes\": {:.6g}, \"context\": {}, \"largest_safe_chunk\": {}, \"chunks\": [",
                       kSchemaVersion, first.hardware.id, first.model.id, first.quant.id, first.runtime.id,
                       first.ram.value / kGiB, first.limit.value, context, largest ? std::to_string(*largest) : "null");
    for (size_t i = 0; i < results.size(); ++i) {
      const auto& r = results[i];
      out << fmt::format("{}{{\"chunk\": {}, \"oom_at_context_tokens\": {}, \"completes\": {}, \"prefill_seconds\": {:.6g}, \"peak_bytes\": {:.6g}}}",
                         i ? ", " : "", r.chunk, r.oom ? std::to_string(*r.oom) : "null", r.completes ? "true" : "false",
                         r.prefill_seconds, r.peak.value);
    }
    out << fmt::format("], \"score_formula_32_tokens\": \"{}\"}}\n", json_escape(formula));
    return largest ? kOk : kRequirementFailed;
  }
  out << fmt::format("{} with {} GiB RAM, GPU limit {} | {} {} on {} | target context {} tokens\n\n",
                     first.hardware.name, first.ram.value / kGiB, format_gb(first.limit), first.model.id,
                     first.quant.id, first.runtime.id, context);
  out << fmt::format("{:>7}  {:>26}  {:>14}  {:>16}  {}\n", "chunk", "runs out of memory after", "prefill time", "peak at target", "");
  for (const auto& r : results)
    out << fmt::format("{:>7}  {:>26}  {:>12.1f} s  {:>16}  {}\n", r.chunk,
                       r.oom ? fmt::format("{} tokens", *r.oom) : "never (up to max context)", r.prefill_seconds,
                       format_gb(r.peak), r.completes ? "safe" : "OUT OF MEMORY before the target");
  out << (largest ? fmt::format("\nlargest safe chunk: {} tokens\n", *largest)
                  : std::string("\nno chunk size in the list reaches the target context\n"));
  if (!largest) {  // what else would: computed with the smallest chunk tried (smaller chunks are listed above)
    Scenario smallest = first;
    smallest.chunk = *std::min_element(chunks.begin(), chunks.end());
    std::vector<Hint> hints = fit_hints(smallest);
    std::erase_if(hints, [](const Hint& h) { return h.kind == "chunk"; });
    out << hints_text(hints);
  }
  if (!formula.empty()) out << "score-matrix check: " << formula << "\n";
  return largest ? kOk : kRequirementFailed;
}

}  // namespace ridgeline::cli
