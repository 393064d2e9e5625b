// ridgeline buy: rank the machines one can buy for the user's workloads and requirements.
#include <algorithm>
#include <cmath>

#include <fmt/ranges.h>

#include "advisor.hpp"
#include "ridgeline/catalog.hpp"
#include "ridgeline/derived.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/report.hpp"
#include "ridgeline/yaml_reader.hpp"

namespace ridgeline::cli {

namespace {

std::optional<double> opt_positive(const std::string& text, const char* flag) {
  if (text.empty()) return std::nullopt;
  auto v = parse_double(text);
  if (!v || *v <= 0) throw InputError("{}: '{}' is not a number > 0", flag, text);
  return v;
}

void read_workload_file(const std::string& path, BuyResult& r, BuyOptions& o) {
  MapReader root(load_document(path), path);
  const YAML::Node list = root.node("workloads");
  if (!list.IsSequence() || list.size() == 0) throw InputError("{}: workloads: expected a non-empty list", path);
  for (size_t i = 0; i < list.size(); ++i) {
    MapReader w(list[i], fmt::format("{}: workloads[{}]", path, i));
    BuyWorkload b;
    b.model = w.str("model");
    b.name = w.opt_str("name").value_or(b.model);
    b.quant = w.opt_str("quant").value_or("");
    b.runtime = w.opt_str("runtime").value_or("");
    b.prompt = w.opt_integer("prompt", 1, 1LL << 30).value_or(4096);
    b.gen = w.opt_integer("gen", 0, 1LL << 30).value_or(256);
    b.batch = w.opt_integer("batch", 1, 4096).value_or(1);
    w.finish();
    r.workloads.push_back(b);
  }
  if (auto req = root.opt_map("requirements")) {
    if (auto v = req->opt_number("min_decode", 1e-6, 1e6)) r.req.min_decode = v;
    if (auto v = req->opt_number("max_ttft", 1e-6, 1e9)) r.req.max_ttft = v;
    if (auto v = req->opt_integer("min_context", 1, 1LL << 30)) r.req.min_context = v;
    req->finish();
  }
  if (auto v = root.opt_number("budget", 1, 1e9)) r.req.budget = v;
  if (auto c = root.opt_str("consider")) o.consider = *c;
  root.finish();
}

std::vector<std::string> considered(const std::string& consider) {
  std::vector<std::string> ids;
  if (consider.empty()) {
    for (const auto& hw : hardware_catalog())
      if (hw.vendor == "apple" && !hw.machines.empty()) ids.push_back(hw.id);
    return ids;
  }
  for (const auto& id : split_list(consider)) {
    HardwareSpec hw;
    try {
      hw = resolve_hardware(id);
    } catch (const InputError& e) {
      std::string msg = e.what();
      if (msg.starts_with("--hardware")) msg.replace(0, 10, "--consider");
      throw InputError(msg);
    }
    if (hw.machines.empty()) throw InputError("--consider: '{}' has no machine with a price in its profile", id);
    ids.push_back(hw.id);
  }
  return ids;
}

WorkloadResult evaluate(const HardwareSpec& hw, const MachineOffer& offer, const BuyWorkload& w, std::string& failure) {
  WorkloadResult r;
  r.workload = w.name;
  ScenarioOptions so;
  so.hardware = hw.id;
  so.model = w.model;
  so.quant = w.quant;
  so.runtime = w.runtime;
  so.prompt = std::to_string(w.prompt);
  so.gen = std::to_string(w.gen);
  so.batch = std::to_string(w.batch);
  so.memory = fmt::format("{} GiB", offer.memory.value / kGiB);
  so.allow_beyond_max = false;
  try {
    r.scenario = build_scenario(so);
  } catch (const InputError& e) {
    failure = fmt::format("{}: {}", w.name, e.what());
    return r;
  }
  r.ran = true;
  r.p = predict(r.scenario);
  const double err = r.scenario.runtime.decode_error;
  r.decode_low = r.p.decode_tps() * (1 - err);
  r.decode_high = r.p.decode_tps() * (1 + err);
  r.max_context = r.p.mem.oom_at_context;
  return r;
}

void check(Configuration& c, const Requirements& req) {
  for (const auto& r : c.results) {
    if (!r.ran) continue;
    const auto& p = r.p;
    if (!p.mem.fits) {
      c.failures.push_back(fmt::format("{}: does not fit: peak {} > GPU limit {}", r.workload, format_gb(p.mem.peak),
                                       format_gb(p.mem.limit)));
      c.shortfall += 10 + p.mem.peak.value / p.mem.limit.value;  // worse than any miss of a machine that runs it
      continue;
    }
    if (req.min_decode && p.decode_tps() < *req.min_decode) {
      c.failures.push_back(fmt::format("{}: decode {:.1f} tok/s < {:g} required ({:+.0f}%)", r.workload, p.decode_tps(),
                                       *req.min_decode, 100 * (p.decode_tps() / *req.min_decode - 1)));
      c.shortfall += 1 - p.decode_tps() / *req.min_decode;
    }
    if (req.max_ttft && p.ttft_seconds > *req.max_ttft) {
      c.failures.push_back(fmt::format("{}: time to first token {:.1f} s > {:g} s allowed ({:+.0f}%)", r.workload,
                                       p.ttft_seconds, *req.max_ttft, 100 * (p.ttft_seconds / *req.max_ttft - 1)));
      c.shortfall += p.ttft_seconds / *req.max_ttft - 1;
    }
    if (req.min_context && r.max_context && *r.max_context < *req.min_context) {
      c.failures.push_back(fmt::format("{}: runs out of memory after {} tokens < {} required", r.workload,
                                       *r.max_context, *req.min_context));
      c.shortfall += 1 - static_cast<double>(*r.max_context) / static_cast<double>(*req.min_context);
    }
  }
  if (req.budget && c.price_usd > *req.budget) {
    c.failures.push_back(fmt::format("price ${:.0f} > budget ${:.0f}", c.price_usd, *req.budget));
    c.shortfall += c.price_usd / *req.budget - 1;
  }
}

std::string recommend(const BuyResult& r) {
  if (r.configurations.empty()) return "No configuration to consider.";
  const Configuration& best = r.configurations.front();
  auto figures = [](const Configuration& c) {
    std::string s;
    for (const auto& w : c.results)
      if (w.ran)
        s += fmt::format("{}{}: {:.0f} tok/s decode ({:.0f}-{:.0f}), {:.1f} s to first token{}", s.empty() ? "" : "; ",
                         w.workload, w.p.decode_tps(), w.decode_low, w.decode_high, w.p.ttft_seconds,
                         w.max_context ? fmt::format(", fits up to {} tokens", *w.max_context) : std::string(", fits its whole context"));
    return s;
  };
  std::string text;
  if (best.meets()) {
    text = fmt::format("Buy the {} with the {} and {} for ${:.0f}: the cheapest configuration that meets every requirement ({}).",
                       best.mac_model, best.chip_name, format_gib(best.memory), best.price_usd, figures(best));
    // The fastest configuration that also meets them, for comparison.
    const Configuration* fast = &best;
    for (const auto& c : r.configurations)
      if (c.meets() && !c.results.empty() && c.results[0].ran && c.results[0].p.decode_tps() > fast->results[0].p.decode_tps()) fast = &c;
    // Worth a sentence only when it is clearly faster (10% or more).
    if (fast != &best && fast->results[0].p.decode_tps() >= 1.1 * best.results[0].p.decode_tps())
      text += fmt::format(" Paying ${:.0f} for the {} ({}, {:.0f} GB/s) buys {:.1f}x the decode speed.", fast->price_usd,
                          fast->mac_model, fast->chip_name, fast->bandwidth_gbs,
                          fast->results[0].p.decode_tps() / best.results[0].p.decode_tps());
  } else {
    text = fmt::format("No configuration meets every requirement{}. The closest is the {} with the {} and {} for ${:.0f} ({}); it fails: {}.",
                       r.req.budget ? fmt::format(" within ${:.0f}", *r.req.budget) : "", best.mac_model, best.chip_name,
                       format_gib(best.memory), best.price_usd, figures(best), fmt::join(best.failures, "; "));
  }
  text += fmt::format(" Decode reads every active weight once per token, so it follows memory bandwidth ({:.0f} GB/s here); "
                      "the prompt is compute-bound ({:.1f} TFLOPS of matrix throughput sets the time to first token); RAM "
                      "decides what fits: weights, the KV cache that grows with context, and the prefill's transient buffers.",
                      best.bandwidth_gbs, best.matmul_tflops);
  return text;
}

// One decode step at doubling contexts up to the model's maximum (128K at most): [[context, tok/s], ...].
std::string decode_by_context(const Scenario& base) {
  std::string s = "[";
  const long long max = base.model.max_context > 0 ? std::min<long long>(base.model.max_context, 131072) : 131072;
  for (long long c = 1024; c <= max; c *= 2) {
    StepShape step{1, static_cast<double>(c), static_cast<double>(base.workload.batch), true, false};
    s += fmt::format("{}[{}, {:.4g}]", c == 1024 ? "" : ", ", c, 1.0 / step_seconds(base, step));
  }
  return s + "]";
}

}  // namespace

BuyResult run_advisor(const BuyOptions& in) {
  BuyOptions o = in;
  BuyResult r;
  if (!o.workloads.empty()) read_workload_file(o.workloads, r, o);
  if (!o.model.empty()) {
    BuyWorkload w;
    w.name = o.model;
    w.model = o.model;
    w.quant = o.quant;
    w.runtime = o.runtime;
    w.prompt = parse_count(o.prompt, "--prompt", 1, 1LL << 30);
    w.gen = parse_count(o.gen, "--gen", 0, 1LL << 30);
    w.batch = parse_count(o.batch, "--batch", 1, 4096);
    r.workloads.push_back(w);
  }
  if (r.workloads.empty()) throw InputError("buy: give --model or --workloads FILE.yaml");
  if (auto v = opt_positive(o.min_decode, "--min-decode")) r.req.min_decode = v;
  if (auto v = opt_positive(o.max_ttft, "--max-ttft")) r.req.max_ttft = v;
  if (!o.min_context.empty()) r.req.min_context = parse_count(o.min_context, "--min-context", 1, 1LL << 30);
  if (auto v = opt_positive(o.budget, "--budget")) r.req.budget = v;
  for (const auto& id : considered(o.consider)) {
    const HardwareSpec hw = resolve_hardware(id);
    for (const auto& offer : hw.machines) {
      // One row per chip and RAM size: the cheapest machine that offers it.
      auto same = std::find_if(r.configurations.begin(), r.configurations.end(), [&](const Configuration& c) {
        return c.hardware == hw.id && c.memory == offer.memory;
      });
      if (same != r.configurations.end() && same->price_usd <= offer.price_usd) continue;
      Configuration c{hw.id, hw.name, offer.model, offer.memory, offer.price_usd, hw.bandwidth.value.value / kGB,
                      hw.matmul_peak().value / 1e12, {}, {}, 0};
      for (const auto& w : r.workloads) {
        std::string failure;
        c.results.push_back(evaluate(hw, offer, w, failure));
        if (!failure.empty()) c.failures.push_back(failure), c.shortfall += 20;
      }
      check(c, r.req);
      if (same != r.configurations.end()) *same = std::move(c);
      else r.configurations.push_back(std::move(c));
    }
  }
  // Configurations that meet every requirement first, cheapest first; then by how far they miss.
  std::stable_sort(r.configurations.begin(), r.configurations.end(), [](const Configuration& a, const Configuration& b) {
    if (a.meets() != b.meets()) return a.meets();
    if (a.meets()) return a.price_usd != b.price_usd ? a.price_usd < b.price_usd : a.hardware < b.hardware;
    return a.shortfall != b.shortfall ? a.shortfall < b.shortfall : a.price_usd < b.price_usd;
  });
  r.recommendation = recommend(r);
  return r;
}

std::string buy_json(const BuyResult& r) {
  auto o = [](const auto& v) { return v ? fmt::format("{}", *v) : std::string("null"); };
  std::string s = fmt::format("{{\"schema_version\": {}, \"requirements\": {{\"min_decode\": {}, \"max_ttft\": {}, "
                              "\"min_context\": {}, \"budget\": {}}}, \"configurations\": [",
                              kSchemaVersion, o(r.req.min_decode), o(r.req.max_ttft), o(r.req.min_context), o(r.req.budget));
  for (size_t i = 0; i < r.configurations.size(); ++i) {
    const auto& c = r.configurations[i];
    s += fmt::format("{}\n{{\"hardware\": \"{}\", \"chip\": \"{}\", \"mac_model\": \"{}\", \"memory_gb\": {:g}, \"price_usd\": {:g}, "
                     "\"meets_requirements\": {}, \"failures\": [",
                     i ? "," : "", c.hardware, json_escape(c.chip_name), json_escape(c.mac_model), c.memory.value / kGiB,
                     c.price_usd, c.meets() ? "true" : "false");
    for (size_t k = 0; k < c.failures.size(); ++k) s += fmt::format("{}\"{}\"", k ? ", " : "", json_escape(c.failures[k]));
    s += "], \"predictions\": [";
    bool first = true;
    for (const auto& w : c.results) {
      if (!w.ran) continue;
      const double decode = w.p.decode_tps();
      s += fmt::format("{}{{\"workload\": \"{}\", \"prefill_tokens_per_second\": {:.4g}, \"ttft_seconds\": {:.4g}, "
                       "\"decode_tokens_per_second\": {:.4g}, \"decode_tokens_per_second_range\": [{:.4g}, {:.4g}], "
                       "\"aggregate_decode_tokens_per_second\": {:.4g}, \"price_per_decode_token_per_second\": {:.4g}, "
                       "\"fits\": {}, \"peak_bytes\": {:.0f}, \"limit_bytes\": {:.0f}, \"weights_bytes\": {:.0f}, "
                       "\"kv_cache_bytes\": {:.0f}, \"transient_bytes\": {:.0f}, \"runtime_bytes\": {:.0f}, "
                       "\"headroom_bytes\": {:.0f}, \"max_context_tokens\": {}, \"calibration\": {}, \"decode_by_context\": {}}}",
                       first ? "" : ", ", json_escape(w.workload), w.p.prefill_tps(), w.p.ttft_seconds, decode, w.decode_low,
                       w.decode_high, w.p.aggregate_decode_tps(), decode > 0 ? c.price_usd / decode : 0.0,
                       w.p.mem.fits ? "true" : "false", w.p.mem.peak.value, w.p.mem.limit.value, w.p.mem.weights.value,
                       w.p.mem.kv_cache.value, w.p.mem.transient.value, w.p.mem.runtime.value,
                       w.p.mem.limit.value - w.p.mem.peak.value,
                       w.max_context ? std::to_string(*w.max_context) : "null",
                       w.scenario.runtime.calibration.empty() ? "null" : "\"" + json_escape(w.scenario.runtime.calibration) + "\"",
                       decode_by_context(w.scenario));
      first = false;
    }
    s += "]}";
  }
  s += fmt::format("\n], \"recommendation\": \"{}\"}}\n", json_escape(r.recommendation));
  return s;
}

std::string buy_table(const BuyResult& r) {
  std::string s = fmt::format("{:<4} {:<14} {:<30} {:>7} {:>7}  ", "rank", "hardware", "machine", "RAM", "price");
  for (const auto& w : r.workloads) s += fmt::format("{:>26}  ", w.name.substr(0, 26));
  s += "verdict\n";
  constexpr size_t kShown = 20;  // the JSON and the HTML report carry every configuration
  for (size_t i = 0; i < std::min(kShown, r.configurations.size()); ++i) {
    const auto& c = r.configurations[i];
    s += fmt::format("{:<4} {:<14} {:<30} {:>7} {:>7}  ", i + 1, c.hardware, c.mac_model.substr(0, 30),
                     format_gib(c.memory), fmt::format("${:.0f}", c.price_usd));
    for (const auto& w : c.results) {
      if (!w.ran) s += fmt::format("{:>26}  ", "cannot run");
      else if (!w.p.mem.fits) s += fmt::format("{:>26}  ", "does not fit");
      else s += fmt::format("{:>26}  ", fmt::format("{:.1f} tok/s, TTFT {:.1f} s", w.p.decode_tps(), w.p.ttft_seconds));
    }
    s += c.meets() ? "meets all" : fmt::format("{}", fmt::join(c.failures, "; "));
    s += "\n";
  }
  if (r.configurations.size() > kShown)
    s += fmt::format("... {} more (see --json or --html)\n", r.configurations.size() - kShown);
  return s + "\n" + r.recommendation + "\n";
}

int run_buy(const BuyOptions& o, std::ostream& out) {
  const BuyResult r = run_advisor(o);
  out << (o.json ? buy_json(r) : buy_table(r));
  if (!o.html.empty()) write_output("--html", o.html, report_html(buy_json(r), "buy"));
  const bool any = std::any_of(r.configurations.begin(), r.configurations.end(), [](const Configuration& c) { return c.meets(); });
  return any ? kOk : kRequirementFailed;
}

}  // namespace ridgeline::cli
