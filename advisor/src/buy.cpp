// buy: every priced configuration predicted on every workload, checked against the requirements
// and the model's own limits, ranked (cheapest that meets everything first), and explained.
#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/ranges.h>

#include "ridgeline/advisor.hpp"
#include "ridgeline/bands.hpp"
#include "ridgeline/catalog.hpp"
#include "ridgeline/error.hpp"

namespace ridgeline {

namespace {

// The prompt predicted when none is given; lowered to fit within the model's maximum with the generation.
constexpr long long kDefaultPrompt = 4096;
// A configuration that cannot run a workload misses by more than any that runs it slowly. Speed and
// price misses are relative (1 - decode / required, TTFT / allowed - 1, price / budget - 1), so 10
// (plus the overshoot peak / limit) ranks not fitting below, say, a TTFT ten times too slow, and 20
// ranks not running at all below not fitting.
constexpr double kCannotRunShortfall = 20;
constexpr double kDoesNotFitShortfall = 10;
// The faster alternative is worth a sentence only when it is clearly faster.
constexpr double kWorthMentioning = 1.1;
// Speeds (decode, time to first token) closer than this are the same speed for dominance: far inside
// the model's error.
constexpr double kSameSpeed = 0.02;

AssumedWorkload assume(const BuyWorkload& w, const Requirements& req, std::vector<std::string>& impossible) {
  AssumedWorkload a{w.name, w.model.id, 0, w.gen, w.batch, 0, !w.prompt, w.run.quant, w.run.runtime, w.run.kv_dtype};
  const long long max = w.model.max_context;
  a.prompt = w.prompt.value_or(max > 0 ? std::min(kDefaultPrompt, max - w.gen) : kDefaultPrompt);
  if (a.prompt < 1) {
    impossible.push_back(fmt::format("{}: {} generated tokens leave no room for a prompt within {}'s maximum of {} tokens",
                                     w.name, w.gen, w.model.id, max));
    a.prompt = 1;
  } else if (max > 0 && a.prompt + w.gen > max) {
    impossible.push_back(fmt::format("{}: a context of {} tokens (prompt {} + gen {}) is beyond {}'s maximum of {} tokens",
                                     w.name, a.prompt + w.gen, a.prompt, w.gen, w.model.id, max));
  }
  a.checked_context = std::max(a.prompt + w.gen, req.min_context.value_or(0));
  if (req.min_context && max > 0 && *req.min_context > max)
    impossible.push_back(fmt::format("{}: the required context of {} tokens is beyond {}'s maximum of {} tokens", w.name,
                                     *req.min_context, w.model.id, max));
  return a;
}

WorkloadResult evaluate(const HardwareSpec& hw, const Configuration& c, const BuyWorkload& w, const AssumedWorkload& a,
                        const BuyRequest& rq) {
  WorkloadResult r;
  r.workload = w.name;
  Workload wl;
  wl.prompt = a.prompt;
  wl.gen = a.gen;
  wl.batch = a.batch;
  wl.ram = c.offer.memory;
  if (rq.limit) wl.limit = std::min(*rq.limit, c.offer.memory);
  try {
    r.scenario = advisor_scenario(hw, w.model, w.run, wl);
  } catch (const InputError& e) {
    r.cannot_run = e.what();
    return r;
  }
  r.ran = true;
  r.p = predict(r.scenario);
  add_bands(r.scenario, r.p);
  const double sd = r.p.bands ? r.p.bands->decode.total : 0.0;  // 1 sigma of ln(decode rate)
  r.decode_low = r.p.decode_tps() * std::exp(-sd);
  r.decode_high = r.p.decode_tps() * std::exp(sd);
  r.max_context = r.p.mem.oom_at_context;
  if (!r.p.mem.fits) r.hints = fit_hints(r.scenario);
  if (a.checked_context > a.prompt + a.gen &&
      (w.model.max_context <= 0 || a.checked_context <= w.model.max_context)) {
    Scenario at = r.scenario;
    at.workload.prompt = a.checked_context - a.gen;
    r.at_context = predict(at);
    if (!r.at_context->mem.fits && r.hints.empty()) r.hints = fit_hints(at);
  }
  return r;
}

void check(Configuration& c, const AssumedWorkload& a, const WorkloadResult& r, const Requirements& req) {
  if (!r.ran) {
    c.failures.push_back(fmt::format("{}: cannot run here: {}", r.workload, r.cannot_run));
    c.shortfall += kCannotRunShortfall;
    return;
  }
  auto hint = [&] { return r.hints.empty() ? std::string() : fmt::format(" ({})", r.hints.front().text); };
  if (!r.p.mem.fits) {
    c.failures.push_back(fmt::format("{}: does not fit: peak {} > GPU limit {}{}", r.workload, format_gb(r.p.mem.peak),
                                     format_gb(r.p.mem.limit), hint()));
    c.shortfall += kDoesNotFitShortfall + r.p.mem.peak.value / r.p.mem.limit.value;
    return;
  }
  if (r.at_context && !r.at_context->mem.fits) {
    c.failures.push_back(fmt::format("{}: a context of {} tokens does not fit: peak {} > GPU limit {}{}", r.workload,
                                     a.checked_context, format_gb(r.at_context->mem.peak),
                                     format_gb(r.at_context->mem.limit), hint()));
    c.shortfall += 1 + r.at_context->mem.peak.value / r.at_context->mem.limit.value;
    return;
  }
  const double decode = r.checked_decode();
  if (req.min_decode && decode < *req.min_decode) {
    c.failures.push_back(fmt::format("{}: decode {:.1f} tok/s{} < {:g} required ({:+.0f}%)", r.workload, decode,
                                     r.at_context ? fmt::format(" at {} tokens", a.checked_context) : "",
                                     *req.min_decode, 100 * (decode / *req.min_decode - 1)));
    c.shortfall += 1 - decode / *req.min_decode;
  }
  if (req.max_ttft && r.p.ttft_seconds > *req.max_ttft) {
    c.failures.push_back(fmt::format("{}: time to first token {:.1f} s > {:g} s allowed ({:+.0f}%)", r.workload,
                                     r.p.ttft_seconds, *req.max_ttft, 100 * (r.p.ttft_seconds / *req.max_ttft - 1)));
    c.shortfall += r.p.ttft_seconds / *req.max_ttft - 1;
  }
}

// Ranking among configurations that meet everything: price, then speed, then headroom.
bool better(const Configuration& a, const Configuration& b) {
  if (a.price_usd != b.price_usd) return a.price_usd < b.price_usd;
  if (a.speed != b.speed) return a.speed > b.speed;
  if (a.headroom != b.headroom) return a.headroom > b.headroom;
  return a.offer.id < b.offer.id;
}

std::string figures(const Configuration& c) {
  std::vector<std::string> parts;
  for (const auto& w : c.results) {
    if (!w.ran || !w.p.mem.fits) continue;
    std::string s = fmt::format("{}: {:.0f} tok/s decode (1 sigma {:.0f}-{:.0f}), {:.1f} s to first token", w.workload,
                                w.p.decode_tps(), w.decode_low, w.decode_high, w.p.ttft_seconds);
    if (w.at_context) s += fmt::format(", {:.0f} tok/s at the required context", w.at_context->decode_tps());
    s += w.max_context ? fmt::format(", fits up to {} tokens", *w.max_context) : std::string(", fits the model's whole context");
    parts.push_back(s);
  }
  return parts.empty() ? std::string("no workload fits") : fmt::format("{}", fmt::join(parts, "; "));
}

std::string describe(const Configuration& c) {
  return fmt::format("{} with the {} and {} GB for ${:.0f}{}", c.offer.machine, c.chip_name, sold_ram_gb(c.offer.memory),
                     c.price_usd, c.price_kind == "new" ? "" : fmt::format(" ({} price)", c.price_kind));
}

std::string recommend(const BuyResult& r) {
  if (r.configurations.empty()) return "No configuration to consider: the price table has no row for the machines asked.";
  const Configuration& best = r.configurations.front();
  std::string text;
  if (!r.impossible.empty()) {
    text = fmt::format("No machine can meet these requirements: {}. ", fmt::join(r.impossible, "; "));
  }
  if (best.meets()) {
    text += fmt::format("Buy the {}: the cheapest configuration that meets every requirement ({}).", describe(best), figures(best));
    // The cheapest configuration that is clearly faster, and the fastest, both undominated, for comparison.
    const Configuration* faster = nullptr;
    const Configuration* fastest = &best;
    for (const auto& c : r.configurations) {
      if (!c.meets() || c.dominated_by) continue;
      if (!faster && c.speed >= kWorthMentioning * best.speed) faster = &c;
      if (c.speed > fastest->speed) fastest = &c;
    }
    if (fastest == faster || (faster && fastest->speed < kWorthMentioning * faster->speed)) fastest = nullptr;
    for (const Configuration* c : {faster, fastest}) {
      if (!c || c == &best || c->speed < kWorthMentioning * best.speed) continue;
      text += fmt::format(" {} ${:.0f} for the {} ({}, {:.0f} GB/s) buys {:.1f}x the decode speed.",
                          c == faster ? "Paying" : "The fastest that meets them:", c->price_usd, c->offer.machine,
                          c->chip_name, c->bandwidth_gbs, c->speed / best.speed);
    }
  } else if (r.impossible.empty()) {
    text = fmt::format("No configuration meets every requirement{}. The closest is the {} ({}); it fails: {}.",
                       r.req.budget ? fmt::format(" within ${:.0f}", *r.req.budget) : "", describe(best), figures(best),
                       fmt::join(best.failures, "; "));
  } else {
    return text + "Relax the context requirement or choose a model with a longer maximum.";
  }
  // What a person would check before buying: a requirement inside the prediction's error, a price the
  // table does not confirm.
  if (best.meets() && r.req.min_decode)
    for (const auto& w : best.results) {
      const double sd = w.p.bands ? w.p.bands->decode.total : 0.0;  // 1 sigma of ln(decode rate)
      const double low = w.checked_decode() * std::exp(-sd);
      if (w.ran && low < *r.req.min_decode)
        text += fmt::format(" Within the prediction's 1-sigma band ({:.0f}-{:.0f} tok/s) '{}' could decode below the {:g} tok/s "
                            "required.", low, w.checked_decode() * std::exp(sd), w.workload,
                            *r.req.min_decode);
    }
  if (!best.offer.unverified.empty())
    text += fmt::format(" Its price is not confirmed ({}){}.", best.offer.unverified,
                        best.meets() ? "; check it before buying" : "");
  text += fmt::format(" Decode reads every active weight once per token, so it follows memory bandwidth ({:.0f} GB/s here); "
                      "the prompt is compute-bound ({:.1f} TFLOPS of matrix throughput sets the time to first token); RAM "
                      "decides what fits: weights, the KV cache that grows with context, and the prefill's transient buffers.",
                      best.bandwidth_gbs, best.matmul_tflops);
  return text;
}

}  // namespace

bool BuyResult::any_meets() const {
  return std::any_of(configurations.begin(), configurations.end(), [](const Configuration& c) { return c.meets(); });
}

BuyResult advise_buy(const BuyRequest& rq) {
  if (rq.workloads.empty()) throw InputError("workloads: expected at least one workload");
  BuyResult r;
  r.req = rq.req;
  for (const auto& w : rq.workloads) r.workloads.push_back(assume(w, rq.req, r.impossible));

  // One configuration per chip and RAM size: the cheapest row that offers it.
  std::map<std::pair<std::string, double>, Configuration> cheapest;
  for (const auto& row : rq.prices) {
    if (!rq.consider.empty() && std::find(rq.consider.begin(), rq.consider.end(), row.hardware) == rq.consider.end()) continue;
    if (rq.memory && sold_ram_gb(row.memory) != sold_ram_gb(*rq.memory)) continue;  // "36" is the 36 GB part
    if (!row.on_sale && !rq.include_discontinued) {
      ++r.discontinued_left_out;
      continue;
    }
    Configuration c;
    c.offer = row;
    c.price_usd = row.on_sale ? row.price_usd : row.used ? row.used->usd : row.price_usd;
    c.price_kind = row.on_sale ? "new" : row.used ? "used" : "last new";
    auto key = std::make_pair(row.hardware, row.memory.value);
    auto it = cheapest.find(key);
    if (it == cheapest.end() || c.price_usd < it->second.price_usd) cheapest[key] = std::move(c);
  }
  for (auto& [key, c] : cheapest) {
    const HardwareSpec hw = resolve_hardware(c.offer.hardware);
    c.chip_name = hw.name;
    c.bandwidth_gbs = hw.bandwidth.value.value / kGB;
    c.matmul_tflops = hw.matmul_peak().value / 1e12;
    double log_speed = 0, log_ttft = 0, headroom = 1;
    for (size_t i = 0; i < rq.workloads.size(); ++i) {
      c.results.push_back(evaluate(hw, c, rq.workloads[i], r.workloads[i], rq));
      const WorkloadResult& w = c.results.back();
      check(c, r.workloads[i], w, rq.req);
      if (w.fits()) {
        log_speed += std::log(std::max(w.checked_decode(), 1e-9));
        log_ttft += std::log(std::max(w.p.ttft_seconds, 1e-9));
        const MemoryBreakdown& m = w.checked().mem;
        headroom = std::min(headroom, (m.limit.value - m.peak.value) / m.limit.value);
      }
    }
    c.speed = std::exp(log_speed / static_cast<double>(rq.workloads.size()));
    c.ttft = std::exp(log_ttft / static_cast<double>(rq.workloads.size()));
    c.headroom = headroom;
    for (const auto& why : r.impossible) c.failures.push_back(why);
    if (rq.req.budget && c.price_usd > *rq.req.budget) {
      c.failures.push_back(fmt::format("price ${:.0f} > budget ${:.0f}", c.price_usd, *rq.req.budget));
      c.shortfall += c.price_usd / *rq.req.budget - 1;
    }
    r.configurations.push_back(std::move(c));
  }
  std::sort(r.configurations.begin(), r.configurations.end(), [](const Configuration& a, const Configuration& b) {
    if (a.meets() != b.meets()) return a.meets();
    if (a.meets()) return better(a, b);
    return a.shortfall != b.shortfall ? a.shortfall < b.shortfall : better(a, b);
  });
  // Dominated: another configuration that meets everything is at most as dear (ranked ahead of it) and
  // at least as fast, within kSameSpeed, at decode and at the first token. A dearer machine with the
  // same decode but a clearly faster prompt (more GPU cores on the same memory) is a real choice.
  for (size_t i = 0; i < r.configurations.size(); ++i) {
    const Configuration& c = r.configurations[i];
    if (!c.meets()) continue;
    for (size_t j = 0; j < i; ++j) {
      const Configuration& d = r.configurations[j];
      if (d.meets() && d.speed >= (1 - kSameSpeed) * c.speed && d.ttft <= (1 + kSameSpeed) * c.ttft) {
        r.configurations[i].dominated_by = j;
        break;
      }
    }
  }
  r.recommendation = recommend(r);
  return r;
}

}  // namespace ridgeline
