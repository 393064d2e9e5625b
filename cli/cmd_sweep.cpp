#include <map>
#include <ostream>

#include "commands.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/report.hpp"

namespace ridgeline::cli {

namespace {
struct Axis {
  std::string name;
  std::string ScenarioOptions::*field;
};
const std::vector<Axis>& axes() {
  static const std::vector<Axis> a = {
      {"hardware", &ScenarioOptions::hardware}, {"model", &ScenarioOptions::model},
      {"quant", &ScenarioOptions::quant},       {"runtime", &ScenarioOptions::runtime},
      {"memory", &ScenarioOptions::memory},     {"chunk", &ScenarioOptions::chunk},
      {"batch", &ScenarioOptions::batch},       {"gen", &ScenarioOptions::gen},
      {"prompt", &ScenarioOptions::prompt}};  // prompt last: it is the x axis of the plots
  return a;
}

struct Point {
  ScenarioOptions opts;
  std::string series;  // the non-prompt values, for plot legends
};

std::vector<Point> expand(const ScenarioOptions& base) {
  std::vector<Point> points{{base, ""}};
  for (const auto& axis : axes()) {
    const std::string& text = base.*axis.field;
    if (text.empty()) continue;
    std::vector<std::string> values = split_list(text);
    if (axis.name == "hardware" && text == "all") {
      values.clear();
      for (const auto& hw : hardware_catalog()) values.push_back(hw.id);
    }
    std::vector<Point> next;
    for (const auto& p : points)
      for (const auto& v : values) {
        Point q = p;
        q.opts.*axis.field = v;
        if (values.size() > 1 && axis.name != "prompt") {
          const bool numeric = axis.name == "chunk" || axis.name == "batch" || axis.name == "gen" || axis.name == "memory";
          q.series += (q.series.empty() ? "" : " ") + (numeric ? axis.name + " " + v : v);
        }
        next.push_back(q);
      }
    points = std::move(next);
    if (points.size() > 2000000) throw InputError("sweep: more than 2,000,000 points; narrow the lists");
  }
  return points;
}
}  // namespace

int run_sweep(const SweepOptions& o, std::ostream& out) {
  const auto points = expand(o.s);
  std::vector<std::pair<Scenario, Prediction>> results;
  results.reserve(points.size());
  for (const auto& p : points) {
    Scenario s = build_scenario(p.opts);
    Prediction pr = predict(s);
    results.emplace_back(std::move(s), std::move(pr));
  }
  if (o.csv) {
    out << csv_header() << "\n";
    for (const auto& [s, p] : results) out << csv_row(s, p) << "\n";
  } else if (o.json) {
    out << fmt::format("{{\"schema_version\": {}, \"predictions\": [", kSchemaVersion);
    for (size_t i = 0; i < results.size(); ++i) out << (i ? ",\n" : "\n") << prediction_json(results[i].first, results[i].second);
    out << "\n]}\n";
  } else {
    out << fmt::format("{:<16} {:<18} {:<10} {:<16} {:>8} {:>9} {:>9} {:>10} {:>9} {:>10} {:>6}\n", "hardware", "model",
                       "quant", "runtime", "prompt", "pf ms/tok", "TTFT s", "decode t/s", "peak GB", "limit GB", "fits");
    for (const auto& [s, p] : results)
      out << fmt::format("{:<16} {:<18} {:<10} {:<16} {:>8} {:>9.3f} {:>9.2f} {:>10.1f} {:>9.1f} {:>10.1f} {:>6}\n",
                         s.hardware.id, s.model.id, s.quant.id, s.runtime.id, s.workload.prompt,
                         p.prefill_ms_per_token(), p.ttft_seconds, p.decode_tps(), p.mem.peak.value / kGB,
                         p.mem.limit.value / kGB, p.mem.fits ? "yes" : "NO");
  }
  if (!o.plot.empty()) {
    std::map<std::string, Series> prefill, decode, mem;
    std::optional<double> limit, oom;
    for (size_t i = 0; i < results.size(); ++i) {
      const auto& [s, p] = results[i];
      const std::string key = points[i].series.empty() ? s.model.id : points[i].series;
      const double x = static_cast<double>(s.workload.prompt);
      for (auto* m : {&prefill, &decode, &mem}) (*m)[key].label = key;
      prefill[key].x.push_back(x);
      prefill[key].y.push_back(p.prefill_ms_per_token());
      decode[key].x.push_back(x);
      decode[key].y.push_back(p.decode_tps_start);
      mem[key].x.push_back(x);
      mem[key].y.push_back(p.mem.peak.value / kGB);
      limit = p.mem.limit.value / kGB;
      if (p.mem.oom_at_context) oom = oom ? std::min(*oom, static_cast<double>(*p.mem.oom_at_context)) : static_cast<double>(*p.mem.oom_at_context);
    }
    auto values = [](const std::map<std::string, Series>& m) {
      std::vector<Series> v;
      for (const auto& [k, s] : m) v.push_back(s);
      return v;
    };
    std::vector<Chart> charts = {
        {"Prefill cost against context", "prompt tokens", "prefill ms/token", values(prefill), {}, "", {}, ""},
        {"Decode speed at the end of the prompt", "context tokens", "decode tokens/s", values(decode), {}, "", {}, ""},
        {"Peak memory against context", "context tokens", "GB (10^9 bytes)", values(mem), limit, "GPU memory limit", oom, "first out-of-memory context"}};
    write_output("--plot", o.plot, svg_charts(charts, "ridgeline sweep"));
  }
  return kOk;
}

}  // namespace ridgeline::cli
