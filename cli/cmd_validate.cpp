// ridgeline validate DATA...: every row predicted against what was measured, with the share of
// the roofline bound it reached and a flag for anomalies; then MAPE per quantity, chip, runtime.
#include <cmath>
#include <iostream>
#include <map>
#include <utility>

#include "commands.hpp"
#include "ridgeline/coefficients.hpp"
#include "ridgeline/calibration.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/measurement.hpp"
#include "ridgeline/yaml_reader.hpp"
#include "ridgeline/report.hpp"
#include "ridgeline/text_layout.hpp"

namespace ridgeline::cli {

namespace {

constexpr double kAnomalyRatio = 1.5;  // predicted/measured beyond 1.5x either way is flagged

// The same scenario on datasheet roofs: full bandwidth and matmul peak, no overheads. Set in place
// and undone by the caller, instead of two copies of the whole scenario per measured rate.
void to_roofline(Scenario& s) {
  s.hardware.stream_efficiency.value = 1;
  auto& c = s.runtime.coef;
  c.bandwidth_efficiency = 1;
  c.compute_efficiency = 1;
  c.compute_half_tokens = 0;
  c.attention_efficiency = 1;
  c.launch_overhead_us = 0;
  c.step_overhead_ms = 0;
  c.wrapper_step_overhead_ms = 0;  // a server's own costs are overheads too
  c.wrapper_request_ms = 0;
  c.gemv_compute_efficiency = 1;
  for (const auto& f : coefficient_table())  // every keyed factor (class, generation, tier) back to 1
    if (f.family) (c.*f.family).clear();
}

// The prediction on datasheet roofs for an observation, leaving it as it was.
std::optional<double> roofline_bound(Observation& ob) {
  const double stream = ob.scenario.hardware.stream_efficiency.value;
  RuntimeCoefficients& c = ob.scenario.runtime.coef;
  std::vector<std::map<std::string, double>> families;  // moved aside, not copied
  for (const auto& f : coefficient_table())
    if (f.family) families.push_back(std::exchange(c.*f.family, {}));
  const RuntimeCoefficients scalars = c;
  to_roofline(ob.scenario);
  const auto bound = predict_observation(ob);
  ob.scenario.hardware.stream_efficiency.value = stream;
  c = scalars;
  auto next = families.begin();
  for (const auto& f : coefficient_table())
    if (f.family) c.*f.family = std::move(*next++);
  return bound;
}

// The calibration each runtime and vendor gets, applied once per pair and copied to every row:
// it sets coefficients and the runtime's fixed memory only.
class CalibrationCache {
 public:
  explicit CalibrationCache(const std::string& option) : option_(option) {
    if (!option.empty() && option != "none") explicit_ = load_calibration(option);
  }
  void apply(RuntimeSpec& rt, const std::string& vendor) {
    if (option_ == "none") return;
    auto [it, added] = done_.try_emplace({rt.id, vendor});
    if (added) {
      RuntimeSpec calibrated = rt;
      if (explicit_) {
        if (explicit_->runtime == rt.id) apply_calibration(calibrated, *explicit_);
      } else {
        apply_shipped_calibration(calibrated, vendor);
      }
      it->second = {calibrated.coef, calibrated.runtime_bytes};
    }
    rt.coef = it->second.first;
    rt.runtime_bytes = it->second.second;
  }

 private:
  std::string option_;
  std::optional<Calibration> explicit_;
  std::map<std::pair<std::string, std::string>, std::pair<RuntimeCoefficients, Bytes>> done_;
};

struct RowResult {
  std::map<Measured, std::pair<double, double>> values;  // measured, predicted
  std::optional<double> roofline_fraction;
  std::string anomaly;
  std::string bandwidth_note;  // the source's bandwidth figure disagrees with the datasheet
};

// 6 significant digits, written as the JSON builder writes them (std::to_chars, the digits of {:.6g}).
std::string num(double v) { return std::isfinite(v) ? Json::number(v).text() : "null"; }

}  // namespace

int run_validate(const ValidateOptions& o, std::ostream& out) {
  // With several files, one that is not a benchmark format is reported and skipped, so that
  // `validate data/*.csv` goes on; a lone unreadable file is still the error (exit 2).
  CalibrationCache calibration(o.calibration);
  std::vector<RowResult> results;
  // Each observation is predicted as it is made and dropped.
  auto judge = [&](Observation& ob, const Measurement& row) {
    calibration.apply(ob.scenario.runtime, ob.scenario.hardware.vendor);
    auto pred = predict_observation(ob);
    if (!pred) return;
    if (results.size() <= ob.row) results.resize(ob.row + 1);
    RowResult& r = results[ob.row];
    const double stated = row.bandwidth_gbs, sheet = ob.scenario.hardware.bandwidth.value.value / kGB;
    if (stated > 0 && std::abs(stated / sheet - 1) > 0.05)
      r.bandwidth_note = fmt::format("the source states {:.0f} GB/s; {} has {:.0f} GB/s ({}): efficiencies computed "
                                     "with the stated figure are off by {:.2f}x", stated, ob.scenario.hardware.id, sheet,
                                     ob.scenario.hardware.bandwidth.source, sheet / stated);
    r.values[ob.quantity] = {ob.measured, *pred};
    if (ob.quantity == Measured::prefill_tok_s || ob.quantity == Measured::decode_tok_s) {
      if (auto bound = roofline_bound(ob); bound && *bound > 0) {
        const double f = ob.measured / *bound;
        if (!r.roofline_fraction || ob.quantity == Measured::decode_tok_s) r.roofline_fraction = f;
        if (f > 1) r.anomaly = fmt::format("{} is {:.0f}% of the roofline bound: above what the datasheet allows "
                                           "(transcription error, wrong chip, or speculative decoding?)", to_string(ob.quantity), 100 * f);
      }
      const double ratio = *pred / ob.measured;
      if (r.anomaly.empty() && (ratio > kAnomalyRatio || ratio < 1 / kAnomalyRatio))
        r.anomaly = fmt::format("{} predicted {:.3g} vs measured {:.3g} ({:+.0f}%): far outside the error band "
                                "(a cliff, throttling or a transcription error?)", to_string(ob.quantity), *pred, ob.measured,
                                100 * (ratio - 1));
    }
  };
  Dataset d = load_dataset(o.data, parse_name_maps(o.maps), true, judge);
  results.resize(d.rows.size());
  const std::vector<std::string>& skipped = d.skipped;
  for (const auto& why : skipped) std::cerr << "ridgeline: skipped " << why << "\n";
  // Summary: MAPE by quantity, chip and runtime (OOM: share of predictions more than a chunk off).
  std::map<std::string, std::map<std::string, std::pair<double, int>>> by_chip, by_runtime;
  std::map<std::string, std::pair<double, int>> overall;
  size_t anomalies = 0, resolved = 0, usable = 0;
  for (size_t i = 0; i < d.rows.size(); ++i) {
    resolved += d.resolved[i].ok;
    usable += d.unusable[i].empty();
    if (!results[i].anomaly.empty()) ++anomalies;
    for (const auto& [q, mp] : results[i].values) {
      const double ape = absolute_percentage_error(q, mp.first, mp.second, static_cast<double>(d.rows[i].chunk));
      for (auto* m : {&overall, &by_chip[d.resolved[i].hardware], &by_runtime[d.resolved[i].runtime]}) {
        (*m)[to_string(q)].first += ape;
        ++(*m)[to_string(q)].second;
      }
    }
  }
  auto mape_json = [](const std::map<std::string, std::pair<double, int>>& m) {
    std::string s = "{";
    for (const auto& [q, v] : m) s += fmt::format("{}\"{}\": {{\"mape\": {:.2f}, \"n\": {}}}", s.size() > 1 ? ", " : "", q, v.first / v.second, v.second);
    return s + "}";
  };
  if (o.json) {
    out << "{\"schema_version\": " << kSchemaVersion << ", \"rows\": [";
    for (size_t i = 0; i < d.rows.size(); ++i) {
      const auto& m = d.rows[i];
      const auto& r = d.resolved[i];
      out << (i ? ",\n" : "\n") << fmt::format("{{\"row\": {}, \"file\": \"{}\"", m.row, json_escape(m.file));
      if (r.ok)
        out << fmt::format(", \"resolved\": {{\"hardware\": \"{}\", \"model\": \"{}\", \"quant\": \"{}\", \"runtime\": \"{}\"}}",
                           r.hardware, r.model, r.quant, r.runtime);
      else out << ", \"resolved\": null";
      out << fmt::format(", \"reason\": {}", d.unusable[i].empty() ? "null" : "\"" + json_escape(d.unusable[i]) + "\"");
      out << ", \"assumptions\": [";
      for (size_t k = 0; k < r.assumptions.size(); ++k) out << (k ? ", " : "") << "\"" << json_escape(r.assumptions[k]) << "\"";
      out << "]";
      out << ", \"chunk_tokens\": " << (m.chunk > 0 ? std::to_string(m.chunk) : "null");
      for (const auto& [q, mp] : results[i].values)
        out << fmt::format(", \"measured_{0}\": {1}, \"predicted_{0}\": {2}", to_string(q),
                           mp.first < 0 && q == Measured::oom_context_tokens ? "null" : num(mp.first),
                           mp.second < 0 && q == Measured::oom_context_tokens ? "null" : num(mp.second));
      out << ", \"roofline_fraction\": " << (results[i].roofline_fraction ? num(*results[i].roofline_fraction) : "null");
      out << ", \"anomaly\": " << (results[i].anomaly.empty() ? "null" : "\"" + json_escape(results[i].anomaly) + "\"");
      out << ", \"stated_bandwidth\": " << (results[i].bandwidth_note.empty() ? "null" : "\"" + json_escape(results[i].bandwidth_note) + "\"") << "}";
    }
    out << "\n], \"summary\": {" << fmt::format("\"rows\": {}, \"resolved\": {}, \"usable\": {}, \"anomalies\": {}, ",
                                                d.rows.size(), resolved, usable, anomalies);
    out << "\"mape\": " << mape_json(overall) << ", \"per_chip\": {";
    bool first = true;
    for (const auto& [k, v] : by_chip) out << (first ? "" : ", ") << "\"" << k << "\": " << mape_json(v), first = false;
    out << "}, \"per_runtime\": {";
    first = true;
    for (const auto& [k, v] : by_runtime) out << (first ? "" : ", ") << "\"" << k << "\": " << mape_json(v), first = false;
    out << "}, \"skipped_files\": [";
    for (size_t k = 0; k < skipped.size(); ++k) out << (k ? ", " : "") << "\"" << json_escape(skipped[k]) << "\"";
    out << "]}}\n";
  } else {
    for (size_t i = 0; i < d.rows.size(); ++i) {
      const auto& m = d.rows[i];
      const auto& r = d.resolved[i];
      // One record per line, not wrapped: a row's figures stay on its file:row line for grep.
      std::string line = fmt::format("{}:{}  ", m.file, m.row);
      if (!d.unusable[i].empty()) {
        out << line << "not used: " << d.unusable[i] << "\n";
        continue;
      }
      line += fmt::format("{} {} {} {}", r.hardware, r.model, r.quant, r.runtime);
      for (const auto& [q, mp] : results[i].values)
        line += fmt::format("  {} {} vs {}", to_string(q), num(mp.second), num(mp.first));
      if (results[i].roofline_fraction) line += fmt::format("  roofline {:.0f}%", 100 * *results[i].roofline_fraction);
      if (!results[i].anomaly.empty()) line += "  ANOMALY: " + results[i].anomaly;
      if (!results[i].bandwidth_note.empty()) line += "  NOTE: " + results[i].bandwidth_note;
      out << line << "\n";
    }
    out << fmt::format("\n{} row{}, {} resolved, {} usable, {} anomal{}\n", d.rows.size(), d.rows.size() == 1 ? "" : "s", resolved,
                       usable, anomalies, anomalies == 1 ? "y" : "ies");
    for (const auto& why : skipped) out << wrap_long_lines("skipped " + why + "\n");
    auto table = [&](const std::string& title, const std::map<std::string, std::map<std::string, std::pair<double, int>>>& t) {
      out << fmt::format("{:<22} {:>16} {:>16} {:>16} {:>16}\n", title, "prefill MAPE", "decode MAPE", "transient MAPE", "OOM miss");
      for (const auto& [k, v] : t) {
        auto cell = [&cells = v](const char* q) {  // named capture: clang < 16 cannot capture a binding
          auto it = cells.find(q);
          return it == cells.end() ? std::string("-") : fmt::format("{:.1f}% (n={})", it->second.first / it->second.second, it->second.second);
        };
        out << fmt::format("{:<22} {:>16} {:>16} {:>16} {:>16}\n", k, cell("prefill_tok_s"), cell("decode_tok_s"),
                           cell("transient_bytes"), cell("oom_context_tokens"));
      }
    };
    table("all", {{"all", overall}});
    table("chip", by_chip);
    table("runtime", by_runtime);
  }
  if (!o.plot.empty()) {
    std::vector<Chart> charts;
    for (Measured q : {Measured::prefill_tok_s, Measured::decode_tok_s}) {
      Chart c{fmt::format("predicted against measured: {}", to_string(q)), "measured tokens/s", "predicted tokens/s", {}, {}, "", {}, "", true, true};
      std::map<std::string, Series> by;
      for (size_t i = 0; i < d.rows.size(); ++i)
        if (auto it = results[i].values.find(q); it != results[i].values.end()) {
          auto& s = by[d.resolved[i].runtime];
          s.label = d.resolved[i].runtime;
          s.x.push_back(it->second.first);
          s.y.push_back(it->second.second);
        }
      for (auto& [k, s] : by) c.series.push_back(std::move(s));
      if (!c.series.empty()) charts.push_back(std::move(c));
    }
    write_output("--plot", o.plot, svg_charts(charts, "ridgeline validate"));
  }
  return anomalies > 0 ? kRequirementFailed : kOk;
}

}  // namespace ridgeline::cli
