#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <set>
#include <ostream>

#include "commands.hpp"
#include "ridgeline/bands.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/report.hpp"
#include "ridgeline/text_layout.hpp"

namespace ridgeline::cli {

namespace {
// Axes that choose what runs (resolved once per combination) and axes of the workload (varied per
// point over one resolved setup). Within each, the order is the row order, outermost first.
struct Axis {
  std::string name;
  std::string ScenarioOptions::*field;
};
const std::vector<Axis>& setup_axes() {
  static const std::vector<Axis> a = {{"hardware", &ScenarioOptions::hardware}, {"model", &ScenarioOptions::model},
                                      {"quant", &ScenarioOptions::quant},       {"runtime", &ScenarioOptions::runtime},
                                      {"memory", &ScenarioOptions::memory}};
  return a;
}

std::vector<std::string> axis_values(const ScenarioOptions& base, const Axis& axis) {
  const std::string& text = base.*axis.field;
  if (text.empty()) return {""};
  if (axis.name == "hardware" && text == "all") {
    std::vector<std::string> ids;
    for (const auto& h : hardware_headers()) ids.push_back(h.id);
    return ids;
  }
  return split_list(text);
}

void append(std::string& out, std::string_view text) { out += text; }

struct SetupPoint {
  ScenarioOptions opts;
  std::string series;  // the values of axes with more than one, for plot legends
};

std::vector<SetupPoint> expand_setups(const ScenarioOptions& base) {
  std::vector<SetupPoint> points{{base, ""}};
  for (const auto& axis : setup_axes()) {
    const std::vector<std::string> values = axis_values(base, axis);
    std::vector<SetupPoint> next;
    for (const auto& p : points)
      for (const auto& v : values) {
        SetupPoint q = p;
        q.opts.*axis.field = v;
        if (values.size() > 1) q.series += (q.series.empty() ? "" : " ") + (axis.name == "memory" ? "memory " + v : v);
        next.push_back(std::move(q));
      }
    points = std::move(next);
  }
  return points;
}

// The workload grid: chunk x batch x gen x prompt (prompt innermost: the x axis of the plots).
struct WorkloadPoint {
  long long chunk = 0, batch = 1, gen = 0, prompt = 1;
  std::string series;
};
std::vector<WorkloadPoint> expand_workloads(const ScenarioOptions& o) {
  auto counts = [](const std::string& text, const char* flag, long long lo, long long hi) {
    std::vector<long long> v;
    if (text.empty()) return std::vector<long long>{0};
    for (const auto& item : split_list(text)) v.push_back(parse_count(item, flag, lo, hi));
    return v;
  };
  const auto chunks = counts(o.chunk, "--chunk", 1, 1 << 20), batches = counts(o.batch, "--batch", 1, 4096);
  const auto gens = counts(o.gen, "--gen", 0, 1LL << 30), prompts = counts(o.prompt, "--prompt", 1, 1LL << 30);
  std::vector<WorkloadPoint> out;
  for (long long c : chunks)
    for (long long b : batches)
      for (long long g : gens)
        for (long long p : prompts) {
          std::string series;
          auto add = [&](const char* name, long long v, size_t n) {
            if (n > 1) series += fmt::format("{}{} {}", series.empty() ? "" : " ", name, v);
          };
          add("chunk", c, chunks.size());
          add("batch", b, batches.size());
          add("gen", g, gens.size());
          out.push_back({c, b, g, p, series});
        }
  return out;
}

// The text table: each setup (hardware, model, quantization, runtime, RAM) on a heading line and
// under it one row per workload point, so that rows stay within 100 columns whatever the ids.
void append_table_header(std::string& out) {
  fmt::format_to(std::back_inserter(out), "{:>7} {:>9} {:>8} {:>8} {:>7}  {}\n", "prompt", "pf ms/tok", "TTFT s", "dec t/s",
                 "peak GB", "status");
}

void append_setup_heading(std::string& out, const Setup& st) {
  Scenario s = st.scenario;
  s.ram = st.base.ram.value > 0 ? st.base.ram : s.hardware.largest_memory();
  s.limit = st.base.limit.value > 0 ? st.base.limit : default_gpu_limit(s.hardware, s.ram);
  append(out, wrap_long_lines(fmt::format("{} | {} {} | {} | {:g} GB RAM, GPU limit {:.1f} GB\n", s.hardware.id, s.model.id,
                                          s.quant.id, s.runtime.id, sold_ram_gb(s.ram), s.limit.value / kGB)));
}

// A point that could not be computed: what was asked, and why not.
void append_not_computed(std::string& out, const SweepOptions& o, const Scenario& s, const Workload& w,
                         const std::string& why) {
  const long long chunk = w.chunk > 0 ? w.chunk : s.runtime.default_chunk;
  const Bytes ram = w.ram.value > 0 ? w.ram : s.hardware.largest_memory();
  if (o.csv) {
    fmt::format_to(std::back_inserter(out), "{},{},{},{},{},{},{},{},{},{},{}", s.hardware.id, s.model.id, s.quant.id, s.runtime.id,
                       fmt::format("{:g}", sold_ram_gb(ram)), w.prompt, w.cached, w.gen, chunk, w.batch,
                       w.kv_dtype.empty() ? s.runtime.default_kv_dtype : w.kv_dtype);
    append(out, std::string(csv_header_columns() - 11, ','));
    append(out, ",not_computed,");
    append_csv_text(out, why);
    append(out, "\n");
  } else if (o.json) {
    out += JsonObject()
               .add_string("hardware", s.hardware.id)
               .add_string("model", s.model.id)
               .add_string("quant", s.quant.id)
               .add_string("runtime", s.runtime.id)
               .add_number("memory_gb", sold_ram_gb(ram))
               .add("workload", JsonObject()
                                    .add_integer("prompt", w.prompt)
                                    .add_integer("cached", w.cached)
                                    .add_integer("gen", w.gen)
                                    .add_integer("chunk", chunk)
                                    .add_integer("batch", w.batch))
               .add_string("status", "not_computed")
               .add_string("reason", why)
               .str();
  } else {
    append(out, wrap_long_lines(fmt::format("{:>7}  not computed: {}\n", w.prompt, why), kTableWidth, 9));
  }
}

// Table rows carry the warnings the JSON has, each text once per sweep (the JSON repeats them per row).
void append_computed(std::string& out, const SweepOptions& o, const Scenario& s, const Prediction& p,
                     std::set<std::string>& warned) {
  const char* status = p.mem.fits ? "ok" : "does_not_fit";
  if (o.csv) {
    append_csv_row(out, s, p);
    out += ',';
    out += status;
    out += ",\n";
  } else if (o.json) {
    append_prediction_json(out, s, p);
    out.resize(out.size() - 1);  // the closing brace: the status goes in the same object
    out += ", \"status\": \"";
    out += status;
    out += "\"}";
  } else if (!p.mem.fits) {  // a run that does not fit has no speed to state
    fmt::format_to(std::back_inserter(out), "{:>7} {:>9} {:>8} {:>8} {:>7.1f}  does not fit\n", s.workload.prompt, "-", "-", "-",
                   p.mem.peak.value / kGB);
  } else {
    fmt::format_to(std::back_inserter(out), "{:>7} {:>9.3f} {:>8.2f} {:>8.1f} {:>7.1f}  fits", s.workload.prompt,
                   p.prefill_ms_per_token(), p.ttft_seconds, p.decode_tps(), p.mem.peak.value / kGB);
    if (p.bands && p.decode_tokens > 0)  // --bands: the decode rate's 1-sigma range
      fmt::format_to(std::back_inserter(out), "  decode 1 sigma {:.1f}-{:.1f}", p.decode_tps() * std::exp(-p.bands->decode.total),
                     p.decode_tps() * std::exp(p.bands->decode.total));
    append(out, "\n");
  }
  if (o.csv || o.json) return;
  for (const auto& w : p.warnings)
    if (warned.insert(w).second) append(out, wrap_long_lines("  warning: " + w + "\n"));
}
}  // namespace

int run_sweep(const SweepOptions& o, std::ostream& out) {
  const auto setups = expand_setups(o.s);
  const auto workloads = expand_workloads(o.s);
  std::set<std::string> warned;
  if (setups.size() * workloads.size() > 2000000) throw InputError("sweep: more than 2,000,000 points; narrow the lists");
  // Rows stream through one buffer, written out in blocks: nothing per point is kept.
  std::string buf;
  buf.reserve(1 << 17);
  auto flush = [&](bool always) {
    if (always || buf.size() > (1 << 16)) out.write(buf.data(), static_cast<std::streamsize>(buf.size())), buf.clear();
  };
  if (o.csv) {
    append(buf, csv_header() + ",status,reason\n");
  } else if (o.json) {
    fmt::format_to(std::back_inserter(buf), "{{\"schema_version\": {}, \"predictions\": [", kSchemaVersion);
  }
  std::map<std::string, Series> prefill, decode, mem;
  std::optional<double> limit, oom;
  size_t computed = 0, rows = 0;
  for (size_t si = 0; si < setups.size(); ++si) {
    const SetupPoint& sp = setups[si];
    // Built one at a time, not all kept: a long list of setups costs no memory per setup.
    Setup setup = build_setup(sp.opts, true);  // an impossible combination (mlx on a DGX Spark) is a row
    if (!o.csv && !o.json) {
      append(buf, si ? "\n" : "");
      append_setup_heading(buf, setup);
      append_table_header(buf);
    }
    for (const auto& wp : workloads) {
      Workload w = setup.base;
      w.prompt = wp.prompt;
      w.gen = wp.gen;
      w.chunk = wp.chunk;
      w.batch = wp.batch;
      if (o.json) append(buf, rows ? ",\n" : "\n");
      ++rows;
      const auto bad = setup.impossible.empty() ? workload_problem(setup.scenario, w) : std::nullopt;
      if (std::string problem = bad ? flag_message(*bad) : setup.impossible; !problem.empty()) {
        append_not_computed(buf, o, setup.scenario, w, problem);
        flush(false);
        continue;
      }
      set_workload(setup.scenario, w);
      const Scenario& s = setup.scenario;
      Prediction p = predict(s);
      if (o.bands) add_bands(s, p);
      ++computed;
      append_computed(buf, o, s, p, warned);
      flush(false);
      if (o.plot.empty()) continue;
      std::string key = sp.series;
      if (!wp.series.empty()) key += (key.empty() ? "" : " ") + wp.series;
      if (key.empty()) key = s.model.id;
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
  }
  if (o.json) append(buf, "\n]}\n");
  if (o.bands && !o.csv && !o.json) append(buf, "decode 1 sigma: the calibration's coefficient covariance through the model (delta method) with its held-out scatter\n");
  flush(true);
  if (!o.plot.empty()) {
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
  if (computed == 0) {
    std::cerr << "sweep: no point could be computed (each row says why)\n";
    return kRequirementFailed;
  }
  return kOk;
}

}  // namespace ridgeline::cli
