// Self-contained HTML reports: inline CSS and SVG only, no scripts, no network.
#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ridgeline/error.hpp"
#include "ridgeline/html_report.hpp"
#include "ridgeline/report.hpp"
#include "ridgeline/strict_reader.hpp"

namespace ridgeline {

namespace {

// A self-contained page: a title, an intro paragraph, then sections of raw HTML (tables, SVG).
std::string html_page(const std::string& title, const std::string& intro,
                      const std::vector<std::pair<std::string, std::string>>& sections) {
  std::string s = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + xml_escape(title) +
                  "</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:1100px;color:#222}"
                  "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}"
                  "th{background:#f3f3f3}td.l,th.l{text-align:left}.ok{color:#1a7f37}.fail{color:#b42318}"
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

}  // namespace

namespace {

// JSON results are read back into the document tree (JSON is read as YAML) through these helpers.
double num(const Node& n, const char* key, double fallback = 0) {
  const Node& v = n[key];
  if (!v.is_scalar() || v.text() == "null") return fallback;
  auto d = parse_double(v.text());
  return d ? *d : fallback;
}
std::string str(const Node& n, const char* key) {
  const Node& v = n[key];
  return v.is_scalar() && v.text() != "null" ? v.text() : "";
}
std::optional<double> opt(const Node& n, const char* key) {
  const Node& v = n[key];
  if (!v.is_scalar() || v.text() == "null") return std::nullopt;
  return parse_double(v.text());
}
// The i-th element of the list under `key`, which must be a number.
double element(const Node& n, const char* key, size_t i) {
  const Node& list = n[key];
  if (!list.is_sequence() || i >= list.size()) throw InputError("{}: expected a list of at least {} numbers", key, i + 1);
  return scalar_number(list[i], fmt::format("{}[{}]", key, i), -1e300, 1e300);
}
// The elements of the list under `key`, each a text, joined by "; ".
std::string joined(const Node& n, const char* key) {
  std::string out;
  const Node& list = n[key];
  for (size_t i = 0; i < list.items().size(); ++i)
    out += (out.empty() ? "" : "; ") + scalar_string(list[i], fmt::format("{}[{}]", key, i));
  return out;
}

// What the report answers: the workloads as predicted and the requirements, before any figure.
std::string buy_header(const Node& root) {
  std::string s = "<table id=\"workload\"><tr><th class=\"l\">workload</th><th class=\"l\">model</th><th>prompt</th>"
                  "<th>generated</th><th>context</th><th>checked at context</th><th>batch</th><th class=\"l\">quantization on runtime</th></tr>\n";
  for (const Node& w : root["workloads"].items()) {
    const std::string ran = joined(w, "ran_as");
    s += fmt::format("<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{:g}{}</td><td>{:g}</td><td>{:g}</td><td>{:g}</td>"
                     "<td>{:g}</td><td class=\"l\">{}</td></tr>\n",
                     xml_escape(str(w, "name")), xml_escape(str(w, "model")), num(w, "prompt"),
                     str(w, "prompt_defaulted") == "true" ? " (default)" : "", num(w, "gen"), num(w, "context"),
                     num(w, "checked_context"), num(w, "batch"), xml_escape(ran));
  }
  s += "</table>\n";
  const Node& req = root["requirements"];
  std::vector<std::string> parts;
  if (auto v = opt(req, "min_decode")) parts.push_back(fmt::format("decode at least {:g} tokens/s per sequence", *v));
  if (auto v = opt(req, "max_ttft")) parts.push_back(fmt::format("time to first token at most {:g} s", *v));
  if (auto v = opt(req, "min_context")) parts.push_back(fmt::format("a context of {:g} tokens", *v));
  if (auto v = opt(req, "budget")) parts.push_back(fmt::format("price at most ${:.0f}", *v));
  const std::string impossible = joined(root, "impossible");
  s += fmt::format("<p id=\"requirements\">Requirements: {}.{}</p>\n",
                   parts.empty() ? "none" : xml_escape(fmt::format("{}", fmt::join(parts, ", "))),
                   impossible.empty() ? "" : " <b>Not possible on any machine:</b> " + xml_escape(impossible) + ".");
  s += fmt::format("<p>Calibration: {}. RAM in GB as Apple sells it (chips of 2<sup>30</sup>-byte GiB); every other size in "
                   "GB = 10<sup>9</sup> bytes. Prices in USD with their source and date in the JSON (* a figure no stored source confirms); "
                   "{:g} discontinued configurations left out.</p>\n",
                   xml_escape(str(root, "calibration")), num(root, "discontinued_left_out"));
  return s;
}

std::vector<std::pair<std::string, std::string>> buy_sections(const Node& root) {
  std::vector<std::pair<std::string, std::string>> sections;
  sections.push_back({"What this answers", buy_header(root)});
  const Node& configs = root["configurations"];
  if (!configs.is_sequence()) throw InputError("configurations: expected a list, got {}", configs.is_map() ? "a map" : "one value");
  std::vector<std::string> workloads;
  if (configs.size() > 0)
    for (const Node& w : configs[0]["predictions"].items()) workloads.push_back(str(w, "workload"));
  std::string table = "<table id=\"configurations\"><tr><th>rank</th><th class=\"l\">hardware</th><th class=\"l\">machine</th><th>RAM GB</th><th>price</th>";
  for (const auto& w : workloads) table += "<th>" + xml_escape(w) + "<br>decode tok/s (range) / TTFT s</th>";
  table += "<th class=\"l\">verdict</th></tr>\n";
  for (size_t i = 0; i < configs.size(); ++i) {
    const Node& c = configs[i];
    table += fmt::format("<tr><td>{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{:g}</td><td>${:.0f}{}</td>", i + 1,
                         xml_escape(str(c, "hardware")), xml_escape(str(c, "machine")), num(c, "memory_gb"), num(c, "price_usd"),
                         (str(c, "price_unverified").empty() ? "" : "*") +
                             (str(c, "price_kind") == "new" ? "" : " (" + str(c, "price_kind") + ")"));
    for (const auto& w : workloads) {
      std::string cell = "<td>cannot run</td>";
      for (const Node& p : c["predictions"].items())
        if (str(p, "workload") == w)
          cell = str(p, "fits") != "true" ? "<td>does not fit</td>"
                 : fmt::format("<td>{:.1f} ({:.0f}-{:.0f}) / {:.1f}</td>", num(p, "decode_tokens_per_second"),
                               element(p, "decode_tokens_per_second_range", 0), element(p, "decode_tokens_per_second_range", 1),
                               num(p, "ttft_seconds"));
      table += cell;
    }
    const std::string failures = joined(c, "failures");
    const std::string dominated = str(c, "dominated_by_rank").empty() ? "" : "; dominated by #" + str(c, "dominated_by_rank");
    table += str(c, "meets_requirements") == "true" ? "<td class=\"l ok\">meets all" + dominated + "</td>"
                                                    : "<td class=\"l fail\">" + xml_escape(failures) + "</td>";
    table += "</tr>\n";
  }
  constexpr size_t kCharted = 12;
  sections.push_back({"Configurations, best first", table + "</table>\n" +
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
      const Node& c = configs[i];
      for (const Node& p : c["predictions"].items()) {
        if (str(p, "workload") != workloads[wi]) continue;
        const std::string label = fmt::format("#{} {} {:g} GB ${:.0f}", i + 1, str(c, "hardware"), num(c, "memory_gb"), num(c, "price_usd"));
        const bool fits = str(p, "fits") == "true";
        if (fits) {
          auto& s = str(c, "meets_requirements") == "true" ? meets : fails;
          s.x.push_back(num(c, "price_usd"));
          s.y.push_back(num(p, "decode_tokens_per_second"));
        }
        if (i >= kCharted) continue;
        decode.push_back({label, {num(p, "decode_tokens_per_second")}, element(p, "decode_tokens_per_second_range", 0),
                          element(p, "decode_tokens_per_second_range", 1), opt(root["requirements"], "min_decode")});
        ttft.push_back({label, {num(p, "ttft_seconds")}, {}, {}, opt(root["requirements"], "max_ttft")});
        memory.push_back({label, {num(p, "weights_bytes") / 1e9, num(p, "kv_cache_bytes") / 1e9, num(p, "transient_bytes") / 1e9,
                                  num(p, "runtime_bytes") / 1e9}, {}, {}, num(p, "limit_bytes") / 1e9});
        if (fits && ctx.series.size() < 6) {
          Series s{label, {}, {}};
          for (const Node& point : p["decode_by_context"].items())
            s.x.push_back(scalar_number(point[0], "decode_by_context", -1e300, 1e300)),
                s.y.push_back(scalar_number(point[1], "decode_by_context", -1e300, 1e300));
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

std::vector<std::pair<std::string, std::string>> fit_sections(const Node& root) {
  std::string table = "<table id=\"fit\"><tr><th class=\"l\">model</th><th class=\"l\">runtime</th><th class=\"l\">quant</th>"
                      "<th>context</th><th>decode tok/s</th><th>prefill tok/s</th><th>weights GB</th><th>peak GB</th>"
                      "<th>largest context that fits</th><th class=\"l\">to make it fit</th></tr>\n";
  std::vector<Bar> decode;
  for (const Node& x : root["rows"].items()) {
    const bool fits = str(x, "fits") == "true";
    std::string fix;
    for (const Node& h : x["hints"].items()) fix += (fix.empty() ? "" : "; ") + str(h, "text");
    table += fmt::format("<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{:g}</td><td>{}</td>"
                         "<td>{}</td><td>{:.2f}</td><td>{:.2f}</td><td>{}</td><td class=\"l {}\">{}</td></tr>\n",
                         str(x, "model"), str(x, "runtime"), str(x, "quant"), num(x, "context"),
                         fits ? fmt::format("{:.1f}", num(x, "decode_tokens_per_second")) : "",
                         fits ? fmt::format("{:.0f}", num(x, "prefill_tokens_per_second")) : "", num(x, "weights_bytes") / 1e9,
                         num(x, "peak_bytes") / 1e9, fits ? str(x, "max_context_tokens") : "", fits ? "ok" : "fail",
                         fits ? "fits" : xml_escape(fix));
    if (fits) decode.push_back({fmt::format("{} {} {}", str(x, "model"), str(x, "runtime"), str(x, "quant")),
                                {num(x, "decode_tokens_per_second")}, {}, {}, {}});
  }
  return {{"Every model x runtime x quantization", table + "</table>\n"},
          {"Decode tokens/s of every combination that fits", bar_svg("fit-decode", decode, {"decode"}, "tok/s") +
                                                                 fmt::format("<p>All {} combinations that fit are drawn.</p>\n", decode.size())}};
}

std::vector<std::pair<std::string, std::string>> chunk_sections(const Node& root) {
  std::string table = "<table id=\"chunks\"><tr><th>chunk</th><th>runs out of memory after</th><th>prefill s</th><th>peak GB</th></tr>\n";
  std::vector<Bar> time, peak;
  for (const Node& c : root["chunks"].items()) {
    const auto oom = opt(c, "oom_at_context_tokens");
    table += fmt::format("<tr><td>{:g}</td><td>{}</td><td>{:.1f}</td><td>{:.2f}</td></tr>\n", num(c, "chunk"),
                         oom ? fmt::format("{:g} tokens", *oom) : "never", num(c, "prefill_seconds"), num(c, "peak_bytes") / 1e9);
    time.push_back({fmt::format("chunk {:g}", num(c, "chunk")), {num(c, "prefill_seconds")}, {}, {}, {}});
    peak.push_back({fmt::format("chunk {:g}", num(c, "chunk")), {num(c, "peak_bytes") / 1e9}, {}, {}, num(root, "limit_bytes") / 1e9});
  }
  return {{"Chunk sizes", table + "</table>\n"},
          {"Prefill time per chunk size", bar_svg("prefill", time, {"prefill"}, "s")},
          {"Peak memory per chunk size (black line: the limit)", bar_svg("peak", peak, {"peak"}, "GB")}};
}

std::vector<std::pair<std::string, std::string>> validate_sections(const Node& root) {
  std::string table = "<table id=\"rows\"><tr><th class=\"l\">file:row</th><th class=\"l\">resolved</th><th>measured</th><th>predicted</th><th>roofline</th><th class=\"l\">anomaly or reason</th></tr>\n";
  Chart chart{"predicted against measured decode tokens/s", "measured", "predicted", {}, {}, "", {}, "", true, true};
  Series pts{"rows", {}, {}};
  for (const Node& r : root["rows"].items()) {
    const Node& res = r["resolved"];
    std::string what = res.is_map() ? fmt::format("{} {} {} {}", str(res, "hardware"), str(res, "model"), str(res, "quant"), str(res, "runtime")) : "";
    std::string measured, predicted;
    for (const char* q : {"prefill_tok_s", "decode_tok_s", "transient_bytes"}) {
      const std::string m = str(r, ("measured_" + std::string(q)).c_str()), p = str(r, ("predicted_" + std::string(q)).c_str());
      if (!m.empty()) measured += std::string(q) + " " + m + " ", predicted += p + " ";
    }
    if (auto m = opt(r, "measured_decode_tok_s"))
      if (auto p = opt(r, "predicted_decode_tok_s")) pts.x.push_back(*m), pts.y.push_back(*p);
    const auto roof = opt(r, "roofline_fraction");
    table += fmt::format("<tr><td class=\"l\">{}:{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"l\">{}</td></tr>\n",
                         xml_escape(str(r, "file")), str(r, "row"), xml_escape(what), measured, predicted,
                         roof ? fmt::format("{:.0f}%", 100 * *roof) : "", xml_escape(str(r, "anomaly") + str(r, "reason")));
  }
  chart.series.push_back(pts);
  return {{"Predicted against measured", svg_charts({chart}, "validate")}, {"Rows", table + "</table>\n"}};
}

std::vector<std::pair<std::string, std::string>> sweep_sections(const Node& root) {
  std::string table = "<table id=\"predictions\"><tr><th class=\"l\">hardware</th><th class=\"l\">model</th><th>prompt</th><th>prefill tok/s</th><th>decode tok/s</th><th>TTFT s</th><th>peak GB</th><th>fits</th></tr>\n";
  Chart decode{"decode tokens/s against prompt length", "prompt tokens", "tokens/s", {}, {}, "", {}, "", false, false};
  std::map<std::string, Series> series;
  for (const Node& p : root["predictions"].items()) {
    const std::string key = str(p, "hardware") + " " + str(p, "model");
    table += fmt::format("<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{:g}</td><td>{:.1f}</td><td>{:.1f}</td><td>{:.2f}</td><td>{:.2f}</td><td>{}</td></tr>\n",
                         str(p, "hardware"), str(p, "model"), num(p["workload"], "prompt"), num(p["prefill"], "tokens_per_second"),
                         num(p["decode"], "tokens_per_second"), num(p, "ttft_seconds"), num(p["memory"], "peak_bytes") / 1e9,
                         str(p["memory"], "fits"));
    auto& s = series[key];
    s.label = key;
    s.x.push_back(num(p["workload"], "prompt"));
    s.y.push_back(num(p["decode"], "tokens_per_second"));
  }
  for (auto& [k, s] : series) decode.series.push_back(s);
  return {{"Decode against context", svg_charts({decode}, "sweep")}, {"Predictions", table + "</table>\n"}};
}

}  // namespace

std::string report_html(const std::string& json, const std::string& label) {
  const Node root = load_document_text(json, label);
  if (!root.is_map()) throw InputError("{}: expected the JSON object printed by buy, sweep, chunk or validate --json", label);
  // The section readers name the key; the file is named here.
  auto read = [&](std::vector<std::pair<std::string, std::string>> (*sections)(const Node&)) {
    try {
      return sections(root);
    } catch (const InputError& e) {
      throw InputError("{}: {}", label, e.what());
    }
  };
  if (root.find("configurations")) {
    std::string summary = str(root, "recommendation");
    return html_page("ridgeline buy", summary, read(buy_sections));
  }
  if (root.find("chunks"))
    return html_page("ridgeline chunk", fmt::format("Largest safe chunk for {} on {} ({:g} GB RAM): {}", str(root, "model"),
                                                     str(root, "hardware"), num(root, "memory_gb"), str(root, "largest_safe_chunk")),
                     read(chunk_sections));
  if (root.find("rows") && root.find("context"))
    return html_page("ridgeline fit", fmt::format("What {} with {:g} GB of RAM runs (GPU limit {:.2f} GB), speeds at a context of "
                                                  "{:g} tokens ({:g} generated).", str(root, "hardware"), num(root, "memory_gb"),
                                                  num(root, "limit_bytes") / 1e9, num(root, "context"), num(root, "gen")),
                     read(fit_sections));
  if (root.find("rows") && root.find("summary"))
    return html_page("ridgeline validate", fmt::format("{:g} rows, {:g} resolved, {:g} anomal{}", num(root["summary"], "rows"),
                                                        num(root["summary"], "resolved"), num(root["summary"], "anomalies"),
                                                        num(root["summary"], "anomalies") == 1 ? "y" : "ies"),
                     read(validate_sections));
  if (root.find("predictions")) return html_page("ridgeline sweep", "Predictions over the grid.", read(sweep_sections));
  throw InputError("{}: not a ridgeline buy, sweep, chunk or validate JSON result (expected a 'configurations', 'chunks', "
                   "'rows' or 'predictions' key)", label);
}

}  // namespace ridgeline
