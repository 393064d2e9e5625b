// Table, JSON and SVG of a validation run.
#include "ridgeline/validation_report.hpp"

#include <cmath>

#include "ridgeline/report.hpp"
#include "ridgeline/text_layout.hpp"

namespace ridgeline {

namespace {

// 6 significant digits, written as the JSON builder writes them (std::to_chars, the digits of {:.6g}).
std::string num(double v) { return std::isfinite(v) ? Json::number(v).text() : "null"; }

std::string mape_json(const ApeByQuantity& m) {
  std::string s = "{";
  for (const auto& [q, v] : m) s += fmt::format("{}\"{}\": {{\"mape\": {:.2f}, \"n\": {}}}", s.size() > 1 ? ", " : "", q, v.sum / v.n, v.n);
  return s + "}";
}

std::string quoted_or_null(const std::string& s) { return s.empty() ? "null" : "\"" + json_escape(s) + "\""; }

}  // namespace

std::string validation_json(const ValidationReport& v) {
  std::string out = fmt::format("{{\"schema_version\": {}, \"rows\": [", kSchemaVersion);
  for (size_t i = 0; i < v.rows.size(); ++i) {
    const auto& m = v.rows[i];
    const auto& r = v.resolved[i];
    const auto& res = v.results[i];
    out += (i ? ",\n" : "\n") + fmt::format("{{\"row\": {}, \"file\": \"{}\"", m.row, json_escape(m.file));
    if (r.ok)
      out += fmt::format(", \"resolved\": {{\"hardware\": \"{}\", \"model\": \"{}\", \"quant\": \"{}\", \"runtime\": \"{}\"}}",
                         r.hardware, r.model, r.quant, r.runtime);
    else out += ", \"resolved\": null";
    out += fmt::format(", \"reason\": {}", quoted_or_null(v.unusable[i]));
    out += ", \"assumptions\": [";
    for (size_t k = 0; k < r.assumptions.size(); ++k) out += (k ? ", " : "") + ("\"" + json_escape(r.assumptions[k]) + "\"");
    out += "]";
    out += ", \"chunk_tokens\": " + (m.chunk > 0 ? std::to_string(m.chunk) : "null");
    for (const auto& [q, mp] : res.values)
      out += fmt::format(", \"measured_{0}\": {1}, \"predicted_{0}\": {2}", to_string(q),
                         mp.first < 0 && q == Measured::oom_context_tokens ? "null" : num(mp.first),
                         mp.second < 0 && q == Measured::oom_context_tokens ? "null" : num(mp.second));
    out += ", \"roofline_fraction\": " + (res.roofline_fraction ? num(*res.roofline_fraction) : "null");
    out += ", \"anomaly\": " + quoted_or_null(res.anomaly);
    out += ", \"stated_bandwidth\": " + quoted_or_null(res.bandwidth_note) + "}";
  }
  out += "\n], \"summary\": {" + fmt::format("\"rows\": {}, \"resolved\": {}, \"usable\": {}, \"anomalies\": {}, ",
                                            v.rows.size(), v.resolved_rows, v.usable_rows, v.anomalies);
  out += "\"mape\": " + mape_json(v.overall) + ", \"per_chip\": {";
  bool first = true;
  for (const auto& [k, m] : v.by_chip) out += (first ? "" : ", ") + ("\"" + k + "\": ") + mape_json(m), first = false;
  out += "}, \"per_runtime\": {";
  first = true;
  for (const auto& [k, m] : v.by_runtime) out += (first ? "" : ", ") + ("\"" + k + "\": ") + mape_json(m), first = false;
  out += "}, \"skipped_files\": [";
  for (size_t k = 0; k < v.skipped.size(); ++k) out += (k ? ", " : "") + ("\"" + json_escape(v.skipped[k]) + "\"");
  out += "]}}\n";
  return out;
}

std::string validation_table(const ValidationReport& v) {
  std::string out;
  for (size_t i = 0; i < v.rows.size(); ++i) {
    const auto& m = v.rows[i];
    const auto& r = v.resolved[i];
    const auto& res = v.results[i];
    // One record per line, not wrapped: a row's figures stay on its file:row line for grep.
    std::string line = fmt::format("{}:{}  ", m.file, m.row);
    if (!v.unusable[i].empty()) {
      out += line + "not used: " + v.unusable[i] + "\n";
      continue;
    }
    line += fmt::format("{} {} {} {}", r.hardware, r.model, r.quant, r.runtime);
    for (const auto& [q, mp] : res.values) line += fmt::format("  {} {} vs {}", to_string(q), num(mp.second), num(mp.first));
    if (res.roofline_fraction) line += fmt::format("  roofline {:.0f}%", 100 * *res.roofline_fraction);
    if (!res.anomaly.empty()) line += "  ANOMALY: " + res.anomaly;
    if (!res.bandwidth_note.empty()) line += "  NOTE: " + res.bandwidth_note;
    out += line + "\n";
  }
  out += fmt::format("\n{} row{}, {} resolved, {} usable, {} anomal{}\n", v.rows.size(), v.rows.size() == 1 ? "" : "s",
                     v.resolved_rows, v.usable_rows, v.anomalies, v.anomalies == 1 ? "y" : "ies");
  for (const auto& why : v.skipped) out += wrap_long_lines("skipped " + why + "\n");
  auto table = [&](const std::string& title, const std::map<std::string, ApeByQuantity>& t) {
    out += fmt::format("{:<22} {:>16} {:>16} {:>16} {:>16}\n", title, "prefill MAPE", "decode MAPE", "transient MAPE", "OOM miss");
    for (const auto& [k, cells] : t) {
      auto cell = [&cells = cells](const char* q) {  // named capture: clang < 16 cannot capture a binding
        auto it = cells.find(q);
        return it == cells.end() ? std::string("-") : fmt::format("{:.1f}% (n={})", it->second.sum / it->second.n, it->second.n);
      };
      out += fmt::format("{:<22} {:>16} {:>16} {:>16} {:>16}\n", k, cell("prefill_tok_s"), cell("decode_tok_s"),
                         cell("transient_bytes"), cell("oom_context_tokens"));
    }
  };
  table("all", {{"all", v.overall}});
  table("chip", v.by_chip);
  table("runtime", v.by_runtime);
  return out;
}

std::string validation_svg(const ValidationReport& v) {
  std::vector<Chart> charts;
  for (Measured q : {Measured::prefill_tok_s, Measured::decode_tok_s}) {
    Chart c{fmt::format("predicted against measured: {}", to_string(q)), "measured tokens/s", "predicted tokens/s", {}, {}, "", {}, "", true, true};
    std::map<std::string, Series> by;
    for (size_t i = 0; i < v.rows.size(); ++i)
      if (auto it = v.results[i].values.find(q); it != v.results[i].values.end()) {
        auto& s = by[v.resolved[i].runtime];
        s.label = v.resolved[i].runtime;
        s.x.push_back(it->second.first);
        s.y.push_back(it->second.second);
      }
    for (auto& [k, s] : by) c.series.push_back(std::move(s));
    if (!c.series.empty()) charts.push_back(std::move(c));
  }
  return svg_charts(charts, "ridgeline validate");
}

}  // namespace ridgeline
