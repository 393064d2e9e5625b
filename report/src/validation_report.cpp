// Table, JSON and SVG of a validation run.
#include "ridgeline/validation_report.hpp"

#include <cmath>

#include "ridgeline/report.hpp"
#include "ridgeline/text_layout.hpp"

namespace ridgeline {

namespace {

// 6 significant digits; null where a figure is not finite.
Json num(double v) { return std::isfinite(v) ? Json::number(v) : Json::null(); }
constexpr int kMapeDecimals = 2;  // percent with two decimals: finer than any dataset's scatter

Json mape_json(const ApeByQuantity& m) {
  JsonObject out;
  for (const auto& [q, v] : m)
    out.add_named(q, JsonObject().add("mape", Json::fixed(v.sum / v.n, kMapeDecimals)).add_integer("n", v.n));
  return out;
}

Json mape_by(const std::map<std::string, ApeByQuantity>& t) {
  JsonObject out;
  for (const auto& [key, m] : t) out.add_named(key, mape_json(m));
  return out;
}

Json string_or_null(const std::string& s) { return s.empty() ? Json::null() : Json::string(s); }

}  // namespace

std::string validation_json(const ValidationReport& v) {
  auto rows = JsonArray::one_per_line();
  for (size_t i = 0; i < v.rows.size(); ++i) {
    const auto& m = v.rows[i];
    const auto& r = v.resolved[i];
    const auto& res = v.results[i];
    JsonObject row;
    row.add_integer("row", m.row)
        .add_string("file", m.file)
        .add("resolved", r.ok ? Json(JsonObject()
                                         .add_string("hardware", r.hardware)
                                         .add_string("model", r.model)
                                         .add_string("quant", r.quant)
                                         .add_string("runtime", r.runtime))
                              : Json::null())
        .add("reason", string_or_null(v.unusable[i]))
        .add("assumptions", JsonArray::of_strings(r.assumptions))
        .add("chunk_tokens", m.chunk > 0 ? Json::integer(m.chunk) : Json::null());
    for (const auto& [q, mp] : res.values) {  // an OOM probe that never ran out of memory: null
      const bool no_oom = q == Measured::oom_context_tokens;
      auto value = [q](double x) { return is_count(q) && std::isfinite(x) ? Json::integer(std::llround(x)) : num(x); };
      row.add_named(std::string("measured_") + to_string(q), mp.first < 0 && no_oom ? Json::null() : value(mp.first))
          .add_named(std::string("predicted_") + to_string(q), mp.second < 0 && no_oom ? Json::null() : value(mp.second));
    }
    JsonArray gaps;
    for (const auto& [q, measured] : res.measured_gaps) gaps.push(Json::string(fmt::format("{}: {}", to_string(q), measured)));
    rows.push(row.add("roofline_fraction", res.roofline_fraction ? num(*res.roofline_fraction) : Json::null())
                  .add("anomaly", string_or_null(res.anomaly))
                  .add("stated_bandwidth", string_or_null(res.bandwidth_note))
                  .add("measured_gaps", gaps));
  }
  return JsonObject()
             .add_integer("schema_version", kSchemaVersion)
             .add("rows", rows)
             .add("summary", JsonObject()
                                 .add_integer("rows", static_cast<long long>(v.rows.size()))
                                 .add_integer("resolved", static_cast<long long>(v.resolved_rows))
                                 .add_integer("usable", static_cast<long long>(v.usable_rows))
                                 .add_integer("anomalies", static_cast<long long>(v.anomalies))
                                 .add("mape", mape_json(v.overall))
                                 .add("per_chip", mape_by(v.by_chip))
                                 .add("per_runtime", mape_by(v.by_runtime))
                                 .add("skipped_files", JsonArray::of_strings(v.skipped)))
             .str() +
         "\n";
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
    for (const auto& [q, mp] : res.values) line += fmt::format("  {} {} vs {}", to_string(q), num(mp.second).text(), num(mp.first).text());
    if (res.roofline_fraction) line += fmt::format("  roofline {:.0f}%", 100 * *res.roofline_fraction);
    if (!res.anomaly.empty()) line += "  ANOMALY: " + res.anomaly;
    if (!res.bandwidth_note.empty()) line += "  NOTE: " + res.bandwidth_note;
    // The gap's text is long (validate --json has it): the row says which rates, the profile where.
    for (const auto& gap : res.measured_gaps)
      line += fmt::format("  MEASURED GAP: {} (runtime profile {}, measured_gaps)", to_string(gap.first), r.runtime);
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
