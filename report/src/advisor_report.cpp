// Text, JSON and CSV for buy and fit results, and the price table.
#include "ridgeline/advisor_report.hpp"
#include "ridgeline/text_layout.hpp"

#include <algorithm>
#include <set>

#include <fmt/ranges.h>

#include "ridgeline/bands.hpp"
#include "ridgeline/report.hpp"

namespace ridgeline {

namespace {

std::string quoted(const std::string& s) { return "\"" + json_escape(s) + "\""; }
std::string opt_json(const std::optional<long long>& v) { return v ? std::to_string(*v) : "null"; }
std::string opt_json(const std::optional<double>& v) { return v ? fmt::format("{}", *v) : "null"; }
double ram_gb(const Bytes& b) { return sold_ram_gb(b); }  // RAM as sold: Apple's "64GB" is 64 GiB, H200's 141 GB is 141e9

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

// The decode range's level and parts (bands.hpp); null without a calibration.
std::string decode_band_json(const Prediction& p) {
  if (!p.bands) return "null";
  return fmt::format("{{\"level\": \"1 sigma\", \"percent\": {:.4g}, \"coefficients_percent\": {}}}",
                     band_percent(p.bands->decode.total),
                     p.bands->covariance ? fmt::format("{:.4g}", band_percent(p.bands->decode.coefficients)) : "null");
}

std::string hints_json(const std::vector<Hint>& hints) {
  std::string s = "[";
  for (size_t i = 0; i < hints.size(); ++i)
    s += fmt::format("{}{{\"kind\": \"{}\", \"value\": {:.6g}, \"setting\": {}, \"text\": {}}}", i ? ", " : "", hints[i].kind,
                     hints[i].value, quoted(hints[i].setting), quoted(hints[i].text));
  return s + "]";
}

// The runtime/quantization pairs a workload ran with across the machines ("q4_k_m on llama.cpp-metal").
std::vector<std::string> run_pairs(const BuyResult& r, size_t workload) {
  std::set<std::string> seen;
  std::vector<std::string> out;
  for (const auto& c : r.configurations) {
    const auto& w = c.results[workload];
    if (!w.ran) continue;
    std::string pair = fmt::format("{} on {} (KV {})", w.scenario.quant.id, w.scenario.runtime.id, w.scenario.kv.id);
    if (seen.insert(pair).second) out.push_back(pair);
  }
  return out;
}

std::string calibration_of(const BuyResult& r) {
  std::set<std::string> seen;
  for (const auto& c : r.configurations)
    for (const auto& w : c.results)
      if (w.ran) seen.insert(w.scenario.runtime.calibration.empty() ? "none" : w.scenario.runtime.calibration);
  return fmt::format("{}", fmt::join(seen, ", "));
}

}  // namespace

std::string hints_text(const std::vector<Hint>& hints) {
  std::string s;
  for (const auto& h : hints) s += fmt::format("  to make it fit: {}\n", h.text);
  return s;
}

std::string assumed_workload_text(const BuyResult& r) {
  std::string s;
  for (size_t i = 0; i < r.workloads.size(); ++i) {
    const auto& a = r.workloads[i];
    s += fmt::format("workload '{}': {}, prompt {}{} + gen {} = context {}, batch {}", a.name, a.model, a.prompt,
                     a.prompt_defaulted ? " (default)" : "", a.gen, a.prompt + a.gen, a.batch);
    if (a.checked_context > a.prompt + a.gen) s += fmt::format("; memory and decode checked at context {}", a.checked_context);
    const auto pairs = run_pairs(r, i);
    s += fmt::format("; {}{}\n", pairs.empty() ? "not run" : fmt::format("{}", fmt::join(pairs, ", ")),
                     a.quant.empty() && a.runtime.empty() ? " (by vendor)" : "");
  }
  std::vector<std::string> req;
  if (r.req.min_decode) req.push_back(fmt::format("decode >= {:g} tok/s", *r.req.min_decode));
  if (r.req.max_ttft) req.push_back(fmt::format("time to first token <= {:g} s", *r.req.max_ttft));
  if (r.req.min_context) req.push_back(fmt::format("context >= {} tokens", *r.req.min_context));
  if (r.req.budget) req.push_back(fmt::format("price <= ${:.0f}", *r.req.budget));
  s += fmt::format("requirements: {}; calibration: {}\n", req.empty() ? "none" : fmt::format("{}", fmt::join(req, ", ")),
                   calibration_of(r));
  return s;
}

std::string buy_json(const BuyResult& r) {
  std::string s = fmt::format("{{\"schema_version\": {}, \"requirements\": {{\"min_decode\": {}, \"max_ttft\": {}, "
                              "\"min_context\": {}, \"budget\": {}}}, \"workloads\": [",
                              kSchemaVersion, opt_json(r.req.min_decode), opt_json(r.req.max_ttft), opt_json(r.req.min_context),
                              opt_json(r.req.budget));
  for (size_t i = 0; i < r.workloads.size(); ++i) {
    const auto& a = r.workloads[i];
    std::string pairs;
    for (const auto& p : run_pairs(r, i)) pairs += (pairs.empty() ? "" : ", ") + quoted(p);
    s += fmt::format("{}{{\"name\": {}, \"model\": {}, \"prompt\": {}, \"prompt_defaulted\": {}, \"gen\": {}, \"batch\": {}, "
                     "\"context\": {}, \"checked_context\": {}, \"quant\": {}, \"runtime\": {}, \"kv_dtype\": {}, \"ran_as\": [{}]}}",
                     i ? ", " : "", quoted(a.name), quoted(a.model), a.prompt, a.prompt_defaulted, a.gen, a.batch,
                     a.prompt + a.gen, a.checked_context, a.quant.empty() ? "null" : quoted(a.quant),
                     a.runtime.empty() ? "null" : quoted(a.runtime), a.kv_dtype.empty() ? "null" : quoted(a.kv_dtype), pairs);
  }
  s += "], \"impossible\": [";
  for (size_t i = 0; i < r.impossible.size(); ++i) s += (i ? ", " : "") + quoted(r.impossible[i]);
  s += fmt::format("], \"calibration\": {}, \"discontinued_left_out\": {}, \"configurations\": [", quoted(calibration_of(r)),
                   r.discontinued_left_out);
  for (size_t i = 0; i < r.configurations.size(); ++i) {
    const auto& c = r.configurations[i];
    s += fmt::format("{}\n{{\"rank\": {}, \"configuration\": {}, \"hardware\": \"{}\", \"chip\": {}, \"machine\": {}, "
                     "\"memory_gb\": {:g}, \"price_usd\": {:g}, \"price_kind\": \"{}\", \"new_price_usd\": {:g}, "
                     "\"price_source\": {}, \"price_url\": {}, \"price_read\": {}, \"price_unverified\": {}, \"status\": \"{}\", "
                     "\"left_store\": {}, \"meets_requirements\": {}, \"dominated_by_rank\": {}, \"decode_speed_for_ranking\": {:.4g}, "
                     "\"ttft_seconds_for_ranking\": {:.4g}, \"headroom_fraction\": {:.4g}, \"failures\": [",
                     i ? "," : "", i + 1, quoted(c.offer.id), c.offer.hardware, quoted(c.chip_name), quoted(c.offer.machine),
                     ram_gb(c.offer.memory), c.price_usd, c.price_kind, c.offer.price_usd, quoted(c.offer.source),
                     quoted(c.offer.url), quoted(c.offer.read), c.offer.unverified.empty() ? "null" : quoted(c.offer.unverified),
                     c.offer.on_sale ? "on-sale" : "discontinued",
                     c.offer.left_store.empty() ? "null" : quoted(c.offer.left_store), c.meets(),
                     c.dominated_by ? std::to_string(*c.dominated_by + 1) : "null", c.speed, c.ttft, c.headroom);
    for (size_t k = 0; k < c.failures.size(); ++k) s += (k ? ", " : "") + quoted(c.failures[k]);
    s += "], \"predictions\": [";
    bool first = true;
    for (const auto& w : c.results) {
      if (!w.ran) continue;
      const double decode = w.p.decode_tps();
      const auto& m = w.p.mem;
      s += fmt::format("{}{{\"workload\": {}, \"quant\": \"{}\", \"runtime\": \"{}\", \"kv_dtype\": \"{}\", \"prompt\": {}, "
                       "\"gen\": {}, \"batch\": {}, \"prefill_tokens_per_second\": {:.4g}, \"ttft_seconds\": {:.4g}, "
                       "\"decode_tokens_per_second\": {:.4g}, \"decode_tokens_per_second_range\": [{:.4g}, {:.4g}], "
                       "\"decode_band\": {}, "
                       "\"aggregate_decode_tokens_per_second\": {:.4g}, \"price_per_decode_token_per_second\": {:.4g}, "
                       "\"fits\": {}, \"peak_bytes\": {:.0f}, \"limit_bytes\": {:.0f}, \"weights_bytes\": {:.0f}, "
                       "\"kv_cache_bytes\": {:.0f}, \"transient_bytes\": {:.0f}, \"runtime_bytes\": {:.0f}, "
                       "\"headroom_bytes\": {:.0f}, \"max_context_tokens\": {}, ",
                       first ? "" : ", ", quoted(w.workload), w.scenario.quant.id, w.scenario.runtime.id, w.scenario.kv.id,
                       w.scenario.workload.prompt, w.scenario.workload.gen, w.scenario.workload.batch, w.p.prefill_tps(),
                       w.p.ttft_seconds, decode, w.decode_low, w.decode_high, decode_band_json(w.p), w.p.aggregate_decode_tps(),
                       decode > 0 ? c.price_usd / decode : 0.0, w.p.mem.fits, m.peak.value, m.limit.value, m.weights.value,
                       m.kv_cache.value, m.transient.value, m.runtime.value, m.limit.value - m.peak.value,
                       opt_json(w.max_context));
      if (w.at_context)
        s += fmt::format("\"at_checked_context\": {{\"context\": {}, \"decode_tokens_per_second\": {:.4g}, \"fits\": {}, "
                         "\"peak_bytes\": {:.0f}}}, ",
                         w.at_context->prefill_tokens + w.at_context->decode_tokens, w.at_context->decode_tps(),
                         w.at_context->mem.fits, w.at_context->mem.peak.value);
      else
        s += "\"at_checked_context\": null, ";
      s += fmt::format("\"calibration\": {}, \"hints\": {}, \"decode_by_context\": {}}}",
                       w.scenario.runtime.calibration.empty() ? "null" : quoted(w.scenario.runtime.calibration),
                       hints_json(w.hints), decode_by_context(w.scenario));
      first = false;
    }
    s += "]}";
  }
  s += fmt::format("\n], \"recommendation\": {}}}\n", quoted(r.recommendation));
  return s;
}

std::string buy_table(const BuyResult& r) {
  std::string s = wrap_long_lines(assumed_workload_text(r)) + "\n";
  // One workload: its cell is a column. More: the cells would pass 100 columns, so each
  // configuration's cells go on indented lines under it, as many "workload  cell" pairs a line as fit.
  constexpr size_t kCell = 23, kFixed = 58, kIndent = 6, kVerdictMin = 16;
  const bool columns = kFixed + (kCell + 2) * r.workloads.size() + kVerdictMin <= kTableWidth;
  size_t name_width = 0;
  for (const auto& w : r.workloads) name_width = std::max(name_width, std::min<size_t>(w.name.size(), 24));
  const size_t pair_width = name_width + 2 + kCell + 3;
  const size_t pairs_per_line = std::max<size_t>(1, (kTableWidth - kIndent) / pair_width);
  s += fmt::format("{:<4} {:<14} {:<22} {:>4} {:>8}  ", "rank", "hardware", "machine", "RAM", "price");
  if (columns)
    for (const auto& w : r.workloads) s += fmt::format("{:>23}  ", shorten_at_word(w.name, kCell));
  s += "verdict\n";
  if (!columns) s += std::string(kIndent, ' ') + "under each: per workload, decode tok/s at the checked context and time to first token\n";
  constexpr size_t kShown = 20;  // the JSON and the HTML report carry every configuration
  for (size_t i = 0; i < std::min(kShown, r.configurations.size()); ++i) {
    const auto& c = r.configurations[i];
    const std::string mark = c.offer.unverified.empty() ? "" : "*";
    const std::string price = fmt::format("${:.0f}{}{}", c.price_usd, c.price_kind == "used" ? "u" : c.offer.on_sale ? "" : "d", mark);
    std::string row = fmt::format("{:<4} {:<14} {:<22} {:>4} {:>8}  ", i + 1, c.offer.hardware, shorten_at_word(c.offer.machine, 22),
                                  fmt::format("{:g}", ram_gb(c.offer.memory)), price);
    std::vector<std::string> cells;
    for (const auto& w : c.results)
      cells.push_back(!w.ran ? "cannot run" : !w.p.mem.fits ? "does not fit"
                      : fmt::format("{:.1f} tok/s, TTFT {:.1f} s", w.checked_decode(), w.p.ttft_seconds));
    if (columns)
      for (const auto& cell : cells) row += fmt::format("{:>23}  ", cell);
    const std::string verdict = c.meets() ? c.dominated_by ? fmt::format("meets all; dominated by #{}", *c.dominated_by + 1) : "meets all"
                                          : fmt::format("{}", fmt::join(c.failures, "; "));
    // A verdict past 100 columns wraps under its own column, or onto indented lines when that column is too narrow.
    const size_t column = row.size(), room = column < kTableWidth ? kTableWidth - column : 0;
    const bool under = room >= kVerdictMin && wrap_words(verdict, room).size() <= 2;
    const auto lines = wrap_words(verdict, under ? room : kTableWidth - kIndent);
    s += row + (under ? lines[0] : "") + "\n";
    for (size_t k = under ? 1 : 0; k < lines.size(); ++k) s += std::string(under ? column : kIndent, ' ') + lines[k] + "\n";
    if (columns) continue;
    for (size_t k = 0; k < cells.size(); k += pairs_per_line) {
      std::string line(kIndent, ' ');
      for (size_t j = k; j < std::min(cells.size(), k + pairs_per_line); ++j)
        line += fmt::format("{:<{}}  {:>23}{}", shorten_at_word(r.workloads[j].name, name_width), name_width, cells[j],
                            j + 1 < std::min(cells.size(), k + pairs_per_line) ? "   " : "");
      s += line + "\n";
    }
  }
  if (r.configurations.size() > kShown)
    s += fmt::format("... {} more (see --json or --html)\n", r.configurations.size() - kShown);
  s += wrap_long_lines("RAM in GB as sold (GiB-sized chips); sizes in GB = 10^9 bytes. Price marks: * figure not confirmed by a "
                       "stored source, d discontinued (last new price), u used/refurbished price. Decode at the checked context. "
                       "Decode ranges (below, --json, --html): 1 sigma, the calibration's coefficient covariance carried through "
                       "the model (delta method) combined with its held-out scatter.\n", kTableWidth, 0);
  if (r.discontinued_left_out > 0)
    s += fmt::format("{} discontinued configurations left out (--include-discontinued ranks them at their used price).\n",
                     r.discontinued_left_out);
  return s + "\n" + wrap_long_lines(r.recommendation, kTableWidth, 0) + "\n";
}

std::string fit_json(const FitResult& r) {
  std::string s = fmt::format("{{\"schema_version\": {}, \"hardware\": \"{}\", \"memory_gb\": {:g}, \"limit_bytes\": {:.0f}, "
                              "\"context\": {}, \"gen\": {}, \"rows\": [",
                              kSchemaVersion, r.hardware.id, ram_gb(r.ram), r.limit.value, r.context, r.gen);
  for (size_t i = 0; i < r.rows.size(); ++i) {
    const auto& x = r.rows[i];
    s += fmt::format("{}\n{{\"model\": \"{}\", \"runtime\": \"{}\", \"quant\": \"{}\", \"context\": {}, \"model_max_context\": {}, "
                     "\"fits\": {}, \"decode_tokens_per_second\": {:.4g}, \"prefill_tokens_per_second\": {:.4g}, "
                     "\"ttft_seconds\": {:.4g}, \"weights_bytes\": {:.0f}, \"peak_bytes\": {:.0f}, \"limit_bytes\": {:.0f}, "
                     "\"max_context_tokens\": {}, \"hints\": {}}}",
                     i ? "," : "", x.model, x.runtime, x.quant, x.context, x.model_max, x.fits, x.decode_tps, x.prefill_tps,
                     x.ttft_seconds, x.weights.value, x.peak.value, x.limit.value,
                     x.fits ? (x.max_context ? std::to_string(*x.max_context) : std::to_string(x.model_max)) : "null",
                     hints_json(x.hints));
  }
  return s + "\n]}\n";
}

std::string fit_csv(const FitResult& r) {
  std::string s = "hardware,memory_gb,model,runtime,quant,context,fits,decode_tok_s,prefill_tok_s,ttft_s,weights_bytes,"
                  "peak_bytes,limit_bytes,max_context_tokens,fix\n";
  for (const auto& x : r.rows) {
    std::string fix;
    for (const auto& h : x.hints) fix += (fix.empty() ? "" : "; ") + h.kind + "=" + h.setting;
    s += fmt::format("{},{:g},{},{},{},{},{},{:.4g},{:.4g},{:.4g},{:.0f},{:.0f},{:.0f},{},\"{}\"\n", r.hardware.id, ram_gb(r.ram),
                     x.model, x.runtime, x.quant, x.context, x.fits ? "yes" : "no", x.decode_tps, x.prefill_tps,
                     x.ttft_seconds, x.weights.value, x.peak.value, x.limit.value,
                     x.fits ? (x.max_context ? std::to_string(*x.max_context) : std::to_string(x.model_max)) : "",
                     fix);
  }
  return s;
}

std::string fit_table(const FitResult& r) {
  std::string s = wrap_long_lines(fmt::format("{} with {:g} GB RAM, GPU limit {}; speeds at a context of {} tokens (prompt {} + "
                                              "gen {}), or the model's maximum when shorter\n\n",
                                              r.hardware.name, ram_gb(r.ram), format_gb(r.limit), r.context, r.context - r.gen, r.gen),
                                  kTableWidth, 0);
  // Columns as wide as the names in this table (whole ids, never cut), so a row fits 100 columns.
  // A longer id goes on a line of its own above its rows.
  constexpr size_t kModelWidth = 26;
  size_t mw = 5, rw = 7;
  for (const auto& x : r.rows) {
    mw = std::max(mw, std::min(kModelWidth, x.model.size()));
    rw = std::max(rw, x.runtime.size());
  }
  std::string long_id_shown;
  auto model_cell = [&](const std::string& id) {
    if (id.size() <= mw) return id;
    if (id != long_id_shown) s += id + "\n";  // once above the rows of that model
    long_id_shown = id;
    return std::string();
  };
  s += fmt::format("{:<{}} {:<{}} {:<10} {:>7} {:>7} {:>7} {:>9} {:>11}\n", "model", mw, "runtime", rw, "quant", "decode",
                   "prefill", "TTFT s", "weights", "max ctx");
  size_t i = 0;
  while (i < r.rows.size()) {
    // One model and runtime: every quantization that fits, then one line for those that do not.
    size_t j = i;
    std::vector<std::string> too_big;
    while (j < r.rows.size() && r.rows[j].model == r.rows[i].model && r.rows[j].runtime == r.rows[i].runtime) {
      const auto& x = r.rows[j];
      if (x.fits) {
        const std::string cell = model_cell(x.model);
        s += fmt::format("{:<{}} {:<{}} {:<10} {:>7.1f} {:>7.0f} {:>7.1f} {:>9} {:>11}\n", cell, mw, x.runtime, rw, x.quant,
                         x.decode_tps, x.prefill_tps, x.ttft_seconds, format_gb(x.weights),
                         x.max_context ? std::to_string(*x.max_context) : fmt::format("{} (max)", x.model_max));
      } else {
        too_big.push_back(x.quant);
      }
      ++j;
    }
    if (!too_big.empty()) {
      const auto& last = r.rows[j - 1];  // the smallest download: its hints say what would make the model fit
      std::string fix;
      for (const auto& h : last.hints)
        if (h.kind != "quant") fix += (fix.empty() ? "" : "; ") + h.text;
      const std::string cell = model_cell(r.rows[i].model);
      s += wrap_long_lines(fmt::format("{:<{}} {:<{}} does not fit at {}{}\n", cell, mw, r.rows[i].runtime, rw,
                                       fmt::join(too_big, ", "),
                                       too_big.size() < j - i ? std::string()
                                                              : fmt::format(" (peak {} at {}){}", format_gb(last.peak), last.quant,
                                                                            fix.empty() ? "" : ": " + fix)),
                           kTableWidth, mw + rw + 2);
    }
    i = j;
  }
  return s + "\ndecode and prefill in tokens/s; weights in GB = 10^9 bytes; max ctx: the largest context that fits.\n";
}

std::string price_table(const std::vector<PriceRow>& rows) {
  // Three lines per row so the table fits 100 columns: the figures, the machine, the source.
  std::string s = fmt::format("{:<38} {:<14} {:>4} {:>8} {:>8}\n{:>4}{}\n{:>4}{}\n", "configuration", "hardware", "RAM",
                              "price", "status", "", "machine, storage; when it left the store; used price", "",
                              "date read: source address");
  for (const auto& p : rows) {
    s += fmt::format("{:<38} {:<14} {:>4} {:>8} {:>8}\n", p.id, p.hardware, fmt::format("{:g}", ram_gb(p.memory)),
                     fmt::format("${:.0f}{}", p.price_usd, p.unverified.empty() ? "" : "*"), p.on_sale ? "on sale" : "gone");
    std::string machine = p.machine + (p.storage.empty() ? "" : ", " + p.storage);
    if (!p.on_sale) machine += fmt::format("; left the store {}", p.left_store);
    if (p.used) machine += fmt::format("; used ${:.0f} ({})", p.used->usd, p.used->read);
    s += fmt::format("{:>4}{}\n{:>4}{}: {}\n", "", machine, "", p.read.empty() ? "given" : p.read,
                     p.url.empty() ? p.source : p.url);
  }
  return s + "RAM in GB as sold (GiB-sized chips).\n* the figure is not confirmed by a stored source (the row's "
             "'unverified' note in the file says why).\n";
}

}  // namespace ridgeline
