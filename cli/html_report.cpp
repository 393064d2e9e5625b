// Self-contained HTML reports: inline CSS and SVG only, no scripts, no network.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "advisor.hpp"
#include "ridgeline/report.hpp"

namespace ridgeline::cli {

std::string html_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '<') o += "&lt;";
    else if (c == '>') o += "&gt;";
    else if (c == '&') o += "&amp;";
    else if (c == '"') o += "&quot;";
    else o += c;
  }
  return o;
}

std::string html_page(const std::string& title, const std::string& intro,
                      const std::vector<std::pair<std::string, std::string>>& sections) {
  std::string s = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + html_escape(title) +
                  "</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:1100px;color:#222}"
                  "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}"
                  "th{background:#f3f3f3}td.l,th.l{text-align:left}.ok{color:#1a7f37}.fail{color:#b42318}"
                  "section{margin:2em 0}</style></head><body>\n<h1>" + html_escape(title) + "</h1>\n<p id=\"summary\">" +
                  html_escape(intro) + "</p>\n";
  for (const auto& [heading, body] : sections)
    s += "<section><h2>" + html_escape(heading) + "</h2>\n" + body + "</section>\n";
  return s + "<p style=\"color:#777\">ridgeline: analytic model; ranges from the calibration's cross-validated error.</p></body></html>\n";
}

namespace {

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
                     left + 110.0 * static_cast<double>(k), colors[k % 4], left + 110.0 * static_cast<double>(k) + 14, html_escape(part_names[k]));
  for (size_t i = 0; i < bars.size(); ++i) {
    const double y = top + row * static_cast<double>(i);
    s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left - 6, y + 13, html_escape(bars[i].label));
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

}  // namespace

std::string buy_html(const BuyResult& r) {
  constexpr size_t kCharted = 12;
  const size_t n = std::min(kCharted, r.configurations.size());
  std::vector<std::pair<std::string, std::string>> sections;

  std::string table = "<table id=\"configurations\"><tr><th>rank</th><th class=\"l\">hardware</th><th class=\"l\">machine</th><th>RAM</th><th>price</th>";
  for (const auto& w : r.workloads) table += "<th>" + html_escape(w.name) + "<br>decode tok/s (range) / TTFT s</th>";
  table += "<th class=\"l\">verdict</th></tr>\n";
  for (size_t i = 0; i < r.configurations.size(); ++i) {
    const auto& c = r.configurations[i];
    table += fmt::format("<tr><td>{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td><td>${:.0f}</td>", i + 1,
                         c.hardware, html_escape(c.mac_model), format_gib(c.memory), c.price_usd);
    for (const auto& w : c.results)
      table += !w.ran ? "<td>cannot run</td>" : !w.p.mem.fits ? "<td>does not fit</td>"
               : fmt::format("<td>{:.1f} ({:.0f}-{:.0f}) / {:.1f}</td>", w.p.decode_tps(), w.decode_low, w.decode_high, w.p.ttft_seconds);
    table += c.meets() ? "<td class=\"l ok\">meets all</td>" : "<td class=\"l fail\">" + html_escape(fmt::format("{}", fmt::join(c.failures, "; "))) + "</td>";
    table += "</tr>\n";
  }
  sections.push_back({"Configurations, best first", table + "</table>\n"});

  for (size_t wi = 0; wi < r.workloads.size(); ++wi) {
    std::vector<Bar> decode, ttft, memory;
    for (size_t i = 0; i < n; ++i) {
      const auto& c = r.configurations[i];
      const auto& w = c.results[wi];
      if (!w.ran) continue;
      const std::string label = fmt::format("{} {} ${:.0f}", c.hardware, format_gib(c.memory), c.price_usd);
      decode.push_back({label, {w.p.decode_tps()}, w.decode_low, w.decode_high, r.req.min_decode});
      ttft.push_back({label, {w.p.ttft_seconds}, {}, {}, r.req.max_ttft});
      const auto& m = w.p.mem;
      memory.push_back({label, {m.weights.value / 1e9, (m.kv_cache.value + m.state.value) / 1e9, m.transient.value / 1e9, m.runtime.value / 1e9},
                        {}, {}, m.limit.value / 1e9});
    }
    const std::string name = html_escape(r.workloads[wi].name);
    sections.push_back({"Decode tokens/s per configuration: " + r.workloads[wi].name,
                        bar_svg(fmt::format("decode-{}", wi), decode, {"decode"}, "tok/s") +
                            "<p>Bars: predicted; whiskers: the calibration's cross-validated range; black line: the requirement.</p>\n"});
    sections.push_back({"Time to first token per configuration: " + r.workloads[wi].name,
                        bar_svg(fmt::format("ttft-{}", wi), ttft, {"TTFT"}, "s")});
    sections.push_back({"Memory budget: " + r.workloads[wi].name,
                        bar_svg(fmt::format("memory-{}", wi), memory, {"weights", "KV cache", "transient", "runtime"}, "GB") +
                            "<p>Black line: the GPU memory limit for that RAM size.</p>\n"});
    // Tokens/s against context: one decode step at each context, for the charted configurations.
    Chart ctx{"decode tokens/s against context: " + r.workloads[wi].name, "context (tokens)", "tokens/s", {}, {}, "", {}, "", false, false};
    for (size_t i = 0; i < std::min<size_t>(6, n); ++i) {
      const auto& w = r.configurations[i].results[wi];
      if (!w.ran) continue;
      Series sr{r.configurations[i].hardware + " " + format_gib(r.configurations[i].memory), {}, {}};
      const long long max = w.scenario.model.max_context > 0 ? std::min<long long>(w.scenario.model.max_context, 131072) : 131072;
      for (long long c = 1024; c <= max; c *= 2) {
        Scenario s = w.scenario;
        s.workload.prompt = c;
        s.workload.gen = 1;
        s.workload.cached = 0;
        StepShape step{1, static_cast<double>(c), static_cast<double>(s.workload.batch), true, false};
        sr.x.push_back(static_cast<double>(c));
        sr.y.push_back(1.0 / (ops_seconds(step_ops(s, step)) + step_overhead_seconds(s)));
      }
      ctx.series.push_back(std::move(sr));
    }
    sections.push_back({"Tokens/s against context: " + r.workloads[wi].name, svg_charts({ctx}, name)});
    Chart price{"price against decode speed: " + r.workloads[wi].name, "price (USD)", "decode tokens/s", {}, {}, "", {}, "", true, false};
    Series meets{"meets the requirements", {}, {}}, fails{"fails a requirement", {}, {}};
    for (const auto& c : r.configurations)
      if (c.results[wi].ran && c.results[wi].p.mem.fits)
        (c.meets() ? meets : fails).x.push_back(c.price_usd), (c.meets() ? meets : fails).y.push_back(c.results[wi].p.decode_tps());
    price.series = {meets, fails};
    sections.push_back({"Price against speed: " + r.workloads[wi].name, svg_charts({price}, name)});
  }
  return html_page("ridgeline buy", r.recommendation, sections);
}

}  // namespace ridgeline::cli
