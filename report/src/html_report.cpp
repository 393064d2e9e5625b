// Self-contained HTML reports: inline CSS and SVG only, no scripts, no network.
#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ridgeline/html_report.hpp"
#include "ridgeline/report.hpp"

namespace ridgeline {

namespace {

// A self-contained page: a title, an intro paragraph, then sections of raw HTML (tables, SVG).
std::string html_page(const std::string& title, const std::string& intro,
                      const std::vector<std::pair<std::string, std::string>>& sections) {
  std::string s = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + xml_escape(title) +
                  "</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:1100px;color:#222}"
                  "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}"
                  "th{background:#f3f3f3}td.l,th.l{text-align:left}.ok{color:#1a7f37}.fail{color:#b42318}.warn{color:#9a6700}"
                  "section{margin:2em 0}</style></head><body>\n<h1>" + xml_escape(title) + "</h1>\n<p id=\"summary\">" +
                  xml_escape(intro) + "</p>\n";
  for (const auto& [heading, body] : sections)
    s += "<section><h2>" + xml_escape(heading) + "</h2>\n" + body + "</section>\n";
  return s + "<p style=\"color:#777\">ridgeline: analytic model; ranges: 1 sigma, the calibration's coefficient covariance (delta method) with its held-out scatter.</p></body></html>\n";
}

struct Bar {
  std::string label;
  std::vector<double> parts;  // stacked
  std::optional<double> low, high, marker;
};

// Horizontal (stacked) bars with optional range whiskers and a marker line per bar.
std::string bar_svg(const std::string& id, const std::vector<Bar>& bars, const std::vector<std::string>& part_names,
                    const std::string& unit) {
  const double left = 300, width = 480, row = 20, top = 28;
  double max = 0;
  for (const auto& b : bars) {
    double sum = 0;
    for (double p : b.parts) sum += p;
    max = std::max({max, sum, b.high.value_or(0), b.marker.value_or(0)});
  }
  if (max <= 0) max = 1;
  const char* colors[] = {"#1f77b4", "#ff7f0e", "#d62728", "#7f7f7f"};
  const double height = top + row * static_cast<double>(bars.size()) + 20;
  std::string s = fmt::format("<svg id=\"{}\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-size=\"11\">\n",
                              id, left + width + 90, height);
  for (size_t k = 0; k < part_names.size() && part_names.size() > 1; ++k)
    s += fmt::format("<rect x=\"{}\" y=\"6\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"15\">{}</text>\n",
                     left + 110.0 * static_cast<double>(k), colors[k % 4], left + 110.0 * static_cast<double>(k) + 14, xml_escape(part_names[k]));
  for (size_t i = 0; i < bars.size(); ++i) {
    const double y = top + row * static_cast<double>(i);
    s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left - 6, y + 13, xml_escape(bars[i].label));
    double x = left, sum = 0;
    for (size_t k = 0; k < bars[i].parts.size(); ++k) {
      const double w = bars[i].parts[k] / max * width;
      s += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"14\" fill=\"{}\"/>\n", x, y + 2, w, colors[k % 4]);
      x += w;
      sum += bars[i].parts[k];
    }
    if (bars[i].low && bars[i].high)
      s += fmt::format("<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#000\"/>\n", left + *bars[i].low / max * width,
                       left + *bars[i].high / max * width, y + 9, y + 9);
    if (bars[i].marker)
      s += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1:.1f}\" y2=\"{2:.1f}\" stroke=\"#000\" stroke-width=\"2\"/>\n",
                       left + *bars[i].marker / max * width, y, y + 18);
    const double label_x = std::max({x, bars[i].high ? left + *bars[i].high / max * width : 0.0,
                                     bars[i].marker ? left + *bars[i].marker / max * width : 0.0});
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\">{:.3g} {}</text>\n", label_x + 4, y + 13, sum, unit);
  }
  return s + "</svg>\n";
}


// One text per element, joined by "; ".
std::string joined(const std::vector<std::string>& texts) { return fmt::format("{}", fmt::join(texts, "; ")); }
double gb(long long bytes) { return static_cast<double>(bytes) / 1e9; }
// Token counts and such are formatted as numbers ("{:g}"), as the page always wrote them.
double as_double(long long v) { return static_cast<double>(v); }
// A figure as the JSON writes it (6 significant digits).
std::string json_text(double v) { return Json::number(v).text(); }

using Sections = std::vector<std::pair<std::string, std::string>>;

// What the report answers: the workloads as predicted and the requirements, before any figure.
std::string buy_header(const BuyPage& r) {
  std::string s = "<table id=\"workload\"><tr><th class=\"l\">workload</th><th class=\"l\">model</th><th>prompt</th>"
                  "<th>generated</th><th>context</th><th>checked at context</th><th>batch</th><th class=\"l\">quantization on runtime</th></tr>\n";
  for (const auto& w : r.workloads)
    s += fmt::format("<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{:g}{}</td><td>{:g}</td><td>{:g}</td><td>{:g}</td>"
                     "<td>{:g}</td><td class=\"l\">{}</td></tr>\n",
                     xml_escape(w.name), xml_escape(w.model), as_double(w.prompt), w.prompt_defaulted ? " (default)" : "", as_double(w.gen),
                     as_double(w.context), as_double(w.checked_context), as_double(w.batch), xml_escape(joined(w.ran_as)));
  s += "</table>\n";
  std::vector<std::string> parts;
  if (r.min_decode) parts.push_back(fmt::format("decode at least {:g} tokens/s per sequence", *r.min_decode));
  if (r.max_ttft) parts.push_back(fmt::format("time to first token at most {:g} s", *r.max_ttft));
  if (r.min_context) parts.push_back(fmt::format("a context of {:g} tokens", as_double(*r.min_context)));
  if (r.budget) parts.push_back(fmt::format("price at most ${:.0f}", *r.budget));
  const std::string impossible = joined(r.impossible);
  s += fmt::format("<p id=\"requirements\">Requirements: {}.{}</p>\n",
                   parts.empty() ? "none" : xml_escape(fmt::format("{}", fmt::join(parts, ", "))),
                   impossible.empty() ? "" : " <b>Not possible on any machine:</b> " + xml_escape(impossible) + ".");
  s += fmt::format("<p>Calibration: {}. RAM in GB as Apple sells it (chips of 2<sup>30</sup>-byte GiB); every other size in "
                   "GB = 10<sup>9</sup> bytes. Prices in USD with their source and date in the JSON (* a figure no stored source confirms); "
                   "{:g} discontinued configurations left out.</p>\n",
                   xml_escape(r.calibration), as_double(r.discontinued_left_out));
  return s;
}

// The configuration's run of `workload`, if it ran there.
const BuyPage::Run* run_of(const BuyPage::Configuration& c, const std::string& workload) {
  for (const auto& run : c.runs)
    if (run.workload == workload) return &run;
  return nullptr;
}

Sections buy_sections(const BuyPage& r) {
  Sections sections;
  sections.push_back({"What this answers", buy_header(r)});
  const auto& configs = r.configurations;
  std::vector<std::string> workloads;  // the columns: the workloads the best configuration ran
  if (!configs.empty())
    for (const auto& run : configs[0].runs) workloads.push_back(run.workload);
  std::string table = "<table id=\"configurations\"><tr><th>rank</th><th class=\"l\">hardware</th><th class=\"l\">machine</th><th>RAM GB</th><th>price</th>";
  for (const auto& w : workloads) table += "<th>" + xml_escape(w) + "<br>decode tok/s (range) / TTFT s</th>";
  table += "<th class=\"l\">verdict</th></tr>\n";
  for (size_t i = 0; i < configs.size(); ++i) {
    const auto& c = configs[i];
    table += fmt::format("<tr><td>{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{:g}</td><td>${:.0f}{}</td>", i + 1,
                         xml_escape(c.hardware), xml_escape(c.machine), c.memory_gb, c.price_usd,
                         (c.price_unverified ? "*" : "") + (c.price_kind == "new" ? "" : " (" + xml_escape(c.price_kind) + ")"));
    for (const auto& w : workloads) {
      const BuyPage::Run* run = run_of(c, w);
      table += !run        ? "<td>cannot run</td>"
               : !run->fits ? "<td>does not fit</td>"
                            : fmt::format("<td>{:.1f} ({:.0f}-{:.0f}) / {:.1f}</td>", run->decode_tps, run->decode_low,
                                          run->decode_high, run->ttft_seconds);
    }
    const std::string dominated = c.dominated_by_rank ? fmt::format("; dominated by #{}", *c.dominated_by_rank) : "";
    table += c.meets_requirements ? "<td class=\"l ok\">meets all" + dominated + "</td>"
                                  : "<td class=\"l fail\">" + xml_escape(joined(c.failures)) + "</td>";
    table += "</tr>\n";
  }
  constexpr size_t kCharted = 12;
  // Each prediction warning once, with the machines it concerns (as buy's table prints them).
  WarningMachines warned;
  for (const auto& c : configs)
    for (const auto& run : c.runs) add_warnings(warned, c.hardware, run.warnings);
  std::string warnings;
  for (const auto& [text, machines] : warned)
    warnings += "<p class=\"warn\">Warning (" + xml_escape(fmt::format("{}", fmt::join(machines, ", "))) + "): " + xml_escape(text) + "</p>\n";
  sections.push_back({"Configurations, best first", table + "</table>\n" + warnings +
                      (configs.size() > kCharted ? fmt::format("<p id=\"cut\">The bar charts below draw the first {} of these {} "
                                                               "configurations; the price-against-speed chart draws every one that fits.</p>\n",
                                                               kCharted, configs.size())
                                                 : std::string("<p id=\"cut\">Every configuration is drawn in the charts below.</p>\n"))});
  for (size_t wi = 0; wi < workloads.size(); ++wi) {
    std::vector<Bar> decode, ttft, memory;
    Chart ctx{"decode tokens/s against context", "context (tokens)", "tokens/s", {}, {}, "", {}, "", false, false};
    Chart price{"price against decode speed", "price (USD)", "decode tokens/s", {}, {}, "", {}, "", true, false};
    Series meets{"meets the requirements", {}, {}}, fails{"fails a requirement", {}, {}};
    for (size_t i = 0; i < configs.size(); ++i) {
      const auto& c = configs[i];
      for (const auto& p : c.runs) {
        if (p.workload != workloads[wi]) continue;
        const std::string label = fmt::format("#{} {} {:g} GB ${:.0f}", i + 1, c.hardware, c.memory_gb, c.price_usd);
        if (p.fits) {
          auto& s = c.meets_requirements ? meets : fails;
          s.x.push_back(c.price_usd);
          s.y.push_back(p.decode_tps);
        }
        if (i >= kCharted) continue;
        decode.push_back({label, {p.decode_tps}, p.decode_low, p.decode_high, r.min_decode});
        ttft.push_back({label, {p.ttft_seconds}, {}, {}, r.max_ttft});
        memory.push_back({label, {gb(p.weights_bytes), gb(p.kv_cache_bytes), gb(p.transient_bytes), gb(p.runtime_bytes)}, {}, {},
                          gb(p.limit_bytes)});
        if (p.fits && ctx.series.size() < 6) {
          Series s{label, {}, {}};
          for (const auto& [context, tps] : p.decode_by_context) s.x.push_back(as_double(context)), s.y.push_back(tps);
          ctx.series.push_back(std::move(s));
        }
      }
    }
    price.series = {meets, fails};
    const std::string w = workloads[wi];
    sections.push_back({"Decode tokens/s per configuration: " + w, bar_svg(fmt::format("decode-{}", wi), decode, {"decode"}, "tok/s") +
                        "<p>Bars: predicted decode at the workload's prompt; whiskers: the 1-sigma range (coefficient covariance and held-out scatter); black tick: the required decode speed.</p>\n"});
    sections.push_back({"Time to first token per configuration: " + w, bar_svg(fmt::format("ttft-{}", wi), ttft, {"TTFT"}, "s") +
                        "<p>Black tick: the largest acceptable time to first token.</p>\n"});
    sections.push_back({"Memory budget: " + w, bar_svg(fmt::format("memory-{}", wi), memory, {"weights", "KV cache", "transient", "runtime"}, "GB") +
                        "<p>GB = 10<sup>9</sup> bytes. Black tick: the GPU memory limit for that RAM size (the default rule, or --limit).</p>\n"});
    sections.push_back({"Tokens/s against context: " + w, svg_charts({ctx}, w)});
    sections.push_back({"Price against speed: " + w, svg_charts({price}, w)});
  }
  return sections;
}

Sections fit_sections(const FitPage& r) {
  std::string table = "<table id=\"fit\"><tr><th class=\"l\">model</th><th class=\"l\">runtime</th><th class=\"l\">quant</th>"
                      "<th>context</th><th>decode tok/s</th><th>prefill tok/s</th><th>weights GB</th><th>peak GB</th>"
                      "<th>largest context that fits</th><th class=\"l\">to make it fit</th></tr>\n";
  std::vector<Bar> decode;
  for (const auto& x : r.rows) {
    table += fmt::format("<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{:g}</td><td>{}</td>"
                         "<td>{}</td><td>{:.2f}</td><td>{:.2f}</td><td>{}</td><td class=\"l {}\">{}</td></tr>\n",
                         xml_escape(x.model), xml_escape(x.runtime), xml_escape(x.quant), as_double(x.context),
                         x.fits ? fmt::format("{:.1f}", x.decode_tps) : "", x.fits ? fmt::format("{:.0f}", x.prefill_tps) : "",
                         gb(x.weights_bytes), gb(x.peak_bytes), x.fits && x.max_context ? std::to_string(*x.max_context) : "",
                         x.fits ? "ok" : "fail", x.fits ? "fits" : xml_escape(joined(x.fixes)));
    if (x.fits) decode.push_back({fmt::format("{} {} {}", x.model, x.runtime, x.quant), {x.decode_tps}, {}, {}, {}});
  }
  return {{"Every model x runtime x quantization", table + "</table>\n"},
          {"Decode tokens/s of every combination that fits", bar_svg("fit-decode", decode, {"decode"}, "tok/s") +
                                                                 fmt::format("<p>All {} combinations that fit are drawn.</p>\n", decode.size())}};
}

Sections chunk_sections(const ChunkPage& r) {
  std::string table = "<table id=\"chunks\"><tr><th>chunk</th><th>runs out of memory after</th><th>prefill s</th><th>peak GB</th></tr>\n";
  std::vector<Bar> time, peak;
  for (const auto& c : r.trials) {
    table += fmt::format("<tr><td>{:g}</td><td>{}</td><td>{}</td><td>{:.2f}</td></tr>\n", as_double(c.chunk),
                         c.oom ? fmt::format("{:g} tokens", as_double(*c.oom)) : "never",
                         c.prefill_seconds ? fmt::format("{:.1f}", *c.prefill_seconds) : "-", gb(c.peak_bytes));
    // Beyond the limit no prefill time is real (chunk_json writes null): no bar.
    if (c.prefill_seconds) time.push_back({fmt::format("chunk {:g}", as_double(c.chunk)), {*c.prefill_seconds}, {}, {}, {}});
    peak.push_back({fmt::format("chunk {:g}", as_double(c.chunk)), {gb(c.peak_bytes)}, {}, {}, gb(r.limit_bytes)});
  }
  const std::string no_time =
      time.size() < r.trials.size() ? "<p>No prefill time: the weights alone pass the GPU limit, so no chunk size runs.</p>\n" : "";
  return {{"Chunk sizes", table + "</table>\n"},
          {"Prefill time per chunk size", bar_svg("prefill", time, {"prefill"}, "s") + no_time},
          {"Peak memory per chunk size (black line: the limit)", bar_svg("peak", peak, {"peak"}, "GB")}};
}

Sections validate_sections(const ValidationPage& r) {
  std::string table = "<table id=\"rows\"><tr><th class=\"l\">file:row</th><th class=\"l\">resolved</th><th>measured</th><th>predicted</th><th>roofline</th><th class=\"l\">anomaly or reason</th></tr>\n";
  Chart chart{"predicted against measured decode tokens/s", "measured", "predicted", {}, {}, "", {}, "", true, true};
  Series pts{"rows", {}, {}};
  for (const auto& row : r.rows) {
    const auto& res = row.resolved;
    const std::string what = res ? fmt::format("{} {} {} {}", res->hardware, res->model, res->quant, res->runtime) : "";
    std::string measured, predicted;
    for (const auto& f : row.figures) {
      if (!f.measured) continue;
      measured += std::string(to_string(f.quantity)) + " " + json_text(*f.measured) + " ";
      predicted += (f.predicted ? json_text(*f.predicted) : "") + " ";
      if (f.quantity == Measured::decode_tok_s && f.predicted) pts.x.push_back(*f.measured), pts.y.push_back(*f.predicted);
    }
    table += fmt::format("<tr><td class=\"l\">{}:{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"l\">{}</td></tr>\n",
                         xml_escape(row.file), row.row, xml_escape(what), measured, predicted,
                         row.roofline_fraction ? fmt::format("{:.0f}%", 100 * *row.roofline_fraction) : "",
                         xml_escape(row.anomaly + row.reason));
  }
  chart.series.push_back(pts);
  return {{"Predicted against measured", svg_charts({chart}, "validate")}, {"Rows", table + "</table>\n"}};
}

Sections sweep_sections(const SweepPage& r) {
  std::string table = "<table id=\"predictions\"><tr><th class=\"l\">hardware</th><th class=\"l\">model</th><th>prompt</th><th>prefill tok/s</th><th>decode tok/s</th><th>TTFT s</th><th>peak GB</th><th>fits</th></tr>\n";
  Chart decode{"decode tokens/s against prompt length", "prompt tokens", "tokens/s", {}, {}, "", {}, "", false, false};
  std::map<std::string, Series> series;
  for (const auto& p : r.rows) {
    table += fmt::format("<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{:g}</td>", xml_escape(p.hardware),
                         xml_escape(p.model), as_double(p.prompt));
    if (!p.figures) {  // a point that was not computed has no figures to draw
      table += "<td class=\"l\" colspan=\"5\">not computed: " + xml_escape(p.reason) + "</td></tr>\n";
      continue;
    }
    const auto& f = *p.figures;
    table += fmt::format("<td>{:.1f}</td><td>{:.1f}</td><td>{:.2f}</td><td>{:.2f}</td><td>{}</td></tr>\n", f.prefill_tps,
                         f.decode_tps, f.ttft_seconds, gb(f.peak_bytes), f.fits);
    const std::string key = p.hardware + " " + p.model;
    auto& s = series[key];
    s.label = key;
    s.x.push_back(as_double(p.prompt));
    s.y.push_back(f.decode_tps);
  }
  for (auto& [k, s] : series) decode.series.push_back(s);
  return {{"Decode against context", svg_charts({decode}, "sweep")}, {"Predictions", table + "</table>\n"}};
}

}  // namespace

std::string html_report(const BuyPage& r) { return html_page("ridgeline buy", r.recommendation, buy_sections(r)); }

std::string html_report(const FitPage& r) {
  return html_page("ridgeline fit", fmt::format("What {} with {:g} GB of RAM runs (GPU limit {:.2f} GB), speeds at a context of "
                                                "{:g} tokens ({:g} generated).", r.hardware, r.memory_gb, gb(r.limit_bytes),
                                                as_double(r.context), as_double(r.gen)),
                   fit_sections(r));
}

std::string html_report(const ChunkPage& r) {
  return html_page("ridgeline chunk", fmt::format("Largest safe chunk for {} on {} ({:g} GB RAM): {}", r.model, r.hardware, r.memory_gb,
                                                  r.largest_safe ? std::to_string(*r.largest_safe) : "none"),
                   chunk_sections(r));
}

std::string html_report(const ValidationPage& r) {
  return html_page("ridgeline validate", fmt::format("{:g} rows, {:g} resolved, {:g} anomal{}", as_double(r.row_count), as_double(r.resolved),
                                                     as_double(r.anomalies), r.anomalies == 1 ? "y" : "ies"),
                   validate_sections(r));
}

std::string html_report(const SweepPage& r) { return html_page("ridgeline sweep", "Predictions over the grid.", sweep_sections(r)); }

}  // namespace ridgeline
