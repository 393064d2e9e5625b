#include <algorithm>
#include <ostream>

#include "commands.hpp"
#include "ridgeline/text_layout.hpp"
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

// Peak memory at the target context and the context each chunk size reaches, against the limit.
std::string chunk_svg(const std::vector<ChunkResult>& results, Bytes limit, long long context) {
  Series peak{"peak at the target context", {}, {}}, reach{"context reached (tokens)", {}, {}};
  for (const auto& r : results) {
    peak.x.push_back(static_cast<double>(r.chunk));
    peak.y.push_back(r.peak.value / kGB);
    reach.x.push_back(static_cast<double>(r.chunk));
    reach.y.push_back(static_cast<double>(r.oom ? *r.oom : context));
  }
  std::vector<Chart> charts = {
      {"Peak memory at the target context against chunk size", "chunk tokens", "GB (10^9 bytes)", {peak}, limit.value / kGB,
       "GPU memory limit", {}, ""},
      {"Context reached before running out of memory", "chunk tokens", "context tokens", {reach}, static_cast<double>(context),
       "target context", {}, ""}};
  return svg_charts(charts, "ridgeline chunk");
}
}  // namespace

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
  std::vector<ChunkResult> results;
  std::optional<long long> largest;
  Scenario first = build_scenario(base);
  // Weights beyond the limit: no chunk size matters and no prefill time is a real one.
  const Prediction whole = predict(first);
  const bool weights_fit = whole.mem.weights.value <= whole.mem.limit.value;
  for (long long c : chunks) {
    ScenarioOptions opt = base;
    opt.chunk = std::to_string(c);
    Scenario s = build_scenario(opt);
    Prediction p = predict(s);
    const long long horizon = std::max(context, s.model.max_context);
    auto oom = oom_context(s, c, horizon);
    bool completes = !oom || *oom >= context;
    results.push_back({c, oom, p.prefill_seconds, p.mem.peak, completes});
    if (weights_fit && completes && (!largest || c > *largest)) largest = c;
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
  if (!o.plot.empty()) write_output("--plot", o.plot, chunk_svg(results, whole.mem.limit, context));
  if (o.json) {
    out << fmt::format("{{\"schema_version\": {}, \"hardware\": \"{}\", \"model\": \"{}\", \"quant\": \"{}\", \"runtime\": \"{}\", "
                       "\"memory_gb\": {:g}, \"limit_bytes\": {:.0f}, \"weights_bytes\": {:.0f}, \"weights_fit\": {}, \"context\": {}, "
                       "\"largest_safe_chunk\": {}, \"chunks\": [",
                       kSchemaVersion, first.hardware.id, first.model.id, first.quant.id, first.runtime.id,
                       sold_ram_gb(first.ram), first.limit.value, whole.mem.weights.value,
                       weights_fit ? "true" : "false", context, largest ? std::to_string(*largest) : "null");
    for (size_t i = 0; i < results.size(); ++i) {
      const auto& r = results[i];
      out << fmt::format("{}{{\"chunk\": {}, \"oom_at_context_tokens\": {}, \"completes\": {}, \"prefill_seconds\": {}, \"peak_bytes\": {:.0f}}}",
                         i ? ", " : "", r.chunk, r.oom ? std::to_string(*r.oom) : "null", r.completes && weights_fit ? "true" : "false",
                         weights_fit ? fmt::format("{:.6g}", r.prefill_seconds) : "null", r.peak.value);
    }
    out << fmt::format("], \"score_formula_32_tokens\": \"{}\"}}\n", json_escape(formula));
    return largest ? kOk : kRequirementFailed;
  }
  out << wrap_long_lines(fmt::format("{} with {} RAM, GPU limit {} | {} {} on {} | target context {} tokens\n\n",
                                     first.hardware.name, format_sold_ram(first.ram), format_gb(first.limit), first.model.id,
                                     first.quant.id, first.runtime.id, context));
  if (!weights_fit) {
    out << fmt::format("the weights alone ({}) exceed the GPU limit ({}): no chunk size helps\n", format_gb(whole.mem.weights),
                       format_gb(whole.mem.limit));
    out << wrap_long_lines(hints_text(fit_hints(first)));
    return kRequirementFailed;
  }
  out << fmt::format("{:>7}  {:>26}  {:>12}  {:>16}  {}\n", "chunk", "runs out of memory after", "prefill time", "peak at target", "");
  for (const auto& r : results)  // within 100 columns (the longest status included)
    out << fmt::format("{:>7}  {:>26}  {:>10.1f} s  {:>16}  {}\n", r.chunk,
                       r.oom ? fmt::format("{} tokens", *r.oom) : "never (up to max context)", r.prefill_seconds,
                       format_gb(r.peak), r.completes ? "safe" : "OUT OF MEMORY before the target");
  out << (largest ? fmt::format("\nlargest safe chunk: {} tokens\n", *largest)
                  : std::string("\nno chunk size in the list reaches the target context\n"));
  if (!largest) {  // what else would: computed with the smallest chunk tried (smaller chunks are listed above)
    Scenario smallest = first;
    smallest.chunk = *std::min_element(chunks.begin(), chunks.end());
    std::vector<Hint> hints = fit_hints(smallest);
    std::erase_if(hints, [](const Hint& h) { return h.kind == "chunk"; });
    out << wrap_long_lines(hints_text(hints));
  }
  if (!formula.empty()) out << wrap_long_lines("score-matrix check: " + formula + "\n");
  return largest ? kOk : kRequirementFailed;
}

}  // namespace ridgeline::cli
