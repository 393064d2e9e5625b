// Text, JSON and CSV for buy and fit results, and the price table.
#include "ridgeline/advisor_report.hpp"
#include "ridgeline/text_layout.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/ranges.h>

#include "ridgeline/bands.hpp"
#include "ridgeline/page_records.hpp"
#include "ridgeline/report.hpp"

namespace ridgeline {

namespace {

Json string_or_null(const std::string& s) { return s.empty() ? Json::null() : Json::string(s); }
Json optional_shortest(const std::optional<double>& v) { return v ? Json::shortest(*v) : Json::null(); }
double ram_gb(const Bytes& b) { return sold_ram_gb(b); }  // RAM as sold: Apple's "64GB" is 64 GiB, H200's 141 GB is 141e9

JsonArray decode_by_context(const Scenario& base) {
  JsonArray out;
  for (const auto& [context, rate] : decode_rate_by_context(base))
    out.push(JsonArray().push(Json::integer(context)).push(Json::number(rate, kRateDigits)));
  return out;
}

// The decode range's level and parts (bands.hpp); null without a calibration.
Json decode_band_json(const Prediction& p) {
  if (!p.bands) return Json::null();
  return JsonObject()
      .add_string("level", "1 sigma")
      .add_number("percent", band_percent(p.bands->decode.total), kRateDigits)
      .add("coefficients_percent",
           p.bands->covariance ? Json::number(band_percent(p.bands->decode.coefficients), kRateDigits) : Json::null());
}

JsonArray hints_json(const std::vector<Hint>& hints) {
  JsonArray out;
  for (const auto& h : hints)
    out.push(JsonObject().add_string("kind", h.kind).add_number("value", h.value).add_string("setting", h.setting).add_string("text", h.text));
  return out;
}

}  // namespace

std::vector<std::pair<long long, double>> decode_rate_by_context(const Scenario& base) {
  std::vector<std::pair<long long, double>> out;
  const long long max = base.model.max_context > 0 ? std::min<long long>(base.model.max_context, 131072) : 131072;
  for (long long c = 1024; c <= max; c *= 2) {
    StepShape step{1, static_cast<double>(c), static_cast<double>(base.workload.batch), true, false};
    out.emplace_back(c, 1.0 / step_seconds(base, step));
  }
  return out;
}

std::vector<std::string> workload_run_pairs(const BuyResult& r, size_t workload) {
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

std::string calibrations_used(const BuyResult& r) {
  std::set<std::string> seen;
  for (const auto& c : r.configurations)
    for (const auto& w : c.results)
      if (w.ran) seen.insert(w.scenario.runtime.calibration.empty() ? "none" : w.scenario.runtime.calibration);
  return fmt::format("{}", fmt::join(seen, ", "));
}

std::string hints_text(const std::vector<Hint>& hints) {
  std::string s;
  for (const auto& h : hints) s += fmt::format("  to make it fit: {}\n", h.text);
  return s;
}

// The predictions' warnings over the configurations shown, each text once with the machines it
// concerns (a measured gap or an emulated dtype is a property of a chip, not of one RAM size).
std::string warnings_text(const BuyResult& r, size_t shown) {
  WarningMachines seen;
  for (size_t i = 0; i < std::min(shown, r.configurations.size()); ++i)
    for (const auto& w : r.configurations[i].results) add_warnings(seen, r.configurations[i].offer.hardware, w.p.warnings);
  std::string s;
  for (const auto& [text, machines] : seen)
    s += wrap_long_lines(fmt::format("warning ({}): {}", fmt::join(machines, ", "), text), kTableWidth, 2) + "\n";
  return s;
}

std::string assumed_workload_text(const BuyResult& r) {
  std::string s;
  for (size_t i = 0; i < r.workloads.size(); ++i) {
    const auto& a = r.workloads[i];
    s += fmt::format("workload '{}': {}, prompt {}{} + gen {} = context {}, batch {}", a.name, a.model, a.prompt,
                     a.prompt_defaulted ? " (default)" : "", a.gen, a.prompt + a.gen, a.batch);
    if (a.checked_context > a.prompt + a.gen) s += fmt::format("; memory and decode checked at context {}", a.checked_context);
    const auto pairs = workload_run_pairs(r, i);
    s += fmt::format("; {}{}\n", pairs.empty() ? "not run" : fmt::format("{}", fmt::join(pairs, ", ")),
                     a.quant.empty() && a.runtime.empty() ? " (by vendor)" : "");
  }
  std::vector<std::string> req;
  if (r.req.min_decode) req.push_back(fmt::format("decode >= {:g} tok/s", *r.req.min_decode));
  if (r.req.max_ttft) req.push_back(fmt::format("time to first token <= {:g} s", *r.req.max_ttft));
  if (r.req.min_context) req.push_back(fmt::format("context >= {} tokens", *r.req.min_context));
  if (r.req.budget) req.push_back(fmt::format("price <= ${:.0f}", *r.req.budget));
  s += fmt::format("requirements: {}; calibration: {}\n", req.empty() ? "none" : fmt::format("{}", fmt::join(req, ", ")),
                   calibrations_used(r));
  return s;
}

std::string buy_json(const BuyResult& r) {
  JsonObject out;
  out.add_integer("schema_version", kSchemaVersion)
      .add("requirements", JsonObject()
                               .add("min_decode", optional_shortest(r.req.min_decode))
                               .add("max_ttft", optional_shortest(r.req.max_ttft))
                               .add("min_context", Json::optional_integer(r.req.min_context))
                               .add("budget", optional_shortest(r.req.budget)));
  JsonArray workloads;
  for (size_t i = 0; i < r.workloads.size(); ++i) {
    const auto& a = r.workloads[i];
    JsonArray pairs;
    for (const auto& p : workload_run_pairs(r, i)) pairs.push(Json::string(p));
    workloads.push(JsonObject()
                       .add_string("name", a.name)
                       .add_string("model", a.model)
                       .add_integer("prompt", a.prompt)
                       .add("prompt_defaulted", Json::boolean(a.prompt_defaulted))
                       .add_integer("gen", a.gen)
                       .add_integer("batch", a.batch)
                       .add_integer("context", a.prompt + a.gen)
                       .add_integer("checked_context", a.checked_context)
                       .add("quant", string_or_null(a.quant))
                       .add("runtime", string_or_null(a.runtime))
                       .add("kv_dtype", string_or_null(a.kv_dtype))
                       .add("ran_as", pairs));
  }
  JsonArray impossible;
  for (const auto& why : r.impossible) impossible.push(Json::string(why));
  out.add("workloads", workloads)
      .add("impossible", impossible)
      .add_string("calibration", calibrations_used(r))
      .add_integer("discontinued_left_out", static_cast<long long>(r.discontinued_left_out));
  auto configurations = JsonArray::one_per_line();
  for (size_t i = 0; i < r.configurations.size(); ++i) {
    const auto& c = r.configurations[i];
    JsonArray failures;
    for (const auto& f : c.failures) failures.push(Json::string(f));
    JsonArray predictions;
    for (const auto& w : c.results) {
      if (!w.ran) continue;
      const double decode = w.p.decode_tps();
      const auto& m = w.p.mem;
      JsonObject p;
      p.add_string("workload", w.workload)
          .add_string("quant", w.scenario.quant.id)
          .add_string("runtime", w.scenario.runtime.id)
          .add_string("kv_dtype", w.scenario.kv.id)
          .add_integer("prompt", w.scenario.workload.prompt)
          .add_integer("gen", w.scenario.workload.gen)
          .add_integer("batch", w.scenario.workload.batch)
          .add_number("prefill_tokens_per_second", w.p.prefill_tps(), kRateDigits)
          .add_number("ttft_seconds", w.p.ttft_seconds, kRateDigits)
          .add_number("decode_tokens_per_second", decode, kRateDigits)
          .add("decode_tokens_per_second_range", JsonArray()
                                                     .push(Json::number(w.decode_low, kRateDigits))
                                                     .push(Json::number(w.decode_high, kRateDigits)))
          .add("decode_band", decode_band_json(w.p))
          .add_number("aggregate_decode_tokens_per_second", w.p.aggregate_decode_tps(), kRateDigits)
          .add_number("price_per_decode_token_per_second", decode > 0 ? c.price_usd / decode : 0.0, kRateDigits)
          .add("fits", Json::boolean(m.fits))
          .add_bytes("peak_bytes", m.peak.value)
          .add_bytes("limit_bytes", m.limit.value)
          .add_bytes("weights_bytes", m.weights.value)
          .add_bytes("kv_cache_bytes", m.kv_cache.value)
          .add_bytes("transient_bytes", m.transient.value)
          .add_bytes("runtime_bytes", m.runtime.value)
          .add_bytes("headroom_bytes", m.limit.value - m.peak.value)
          .add("max_context_tokens", Json::optional_integer(w.max_context))
          .add("at_checked_context",
               w.at_context ? Json(JsonObject()
                                       .add_integer("context", w.at_context->prefill_tokens + w.at_context->decode_tokens)
                                       .add_number("decode_tokens_per_second", w.at_context->decode_tps(), kRateDigits)
                                       .add("fits", Json::boolean(w.at_context->mem.fits))
                                       .add_bytes("peak_bytes", w.at_context->mem.peak.value))
                            : Json::null())
          .add("calibration", string_or_null(w.scenario.runtime.calibration))
          .add("hints", hints_json(w.hints))
          .add("warnings", JsonArray::of_strings(w.p.warnings))
          .add("decode_by_context", decode_by_context(w.scenario));
      predictions.push(p);
    }
    configurations.push(JsonObject()
                            .add_integer("rank", static_cast<long long>(i + 1))
                            .add_string("configuration", c.offer.id)
                            .add_string("hardware", c.offer.hardware)
                            .add_string("chip", c.chip_name)
                            .add_string("machine", c.offer.machine)
                            .add_number("memory_gb", ram_gb(c.offer.memory))
                            .add_number("price_usd", c.price_usd)
                            .add_string("price_kind", c.price_kind)
                            .add_number("new_price_usd", c.offer.price_usd)
                            .add_string("price_source", c.offer.source)
                            .add_string("price_url", c.offer.url)
                            .add_string("price_read", c.offer.read)
                            .add("price_unverified", string_or_null(c.offer.unverified))
                            .add_string("status", c.offer.on_sale ? "on-sale" : "discontinued")
                            .add("left_store", string_or_null(c.offer.left_store))
                            .add("meets_requirements", Json::boolean(c.meets()))
                            .add("dominated_by_rank", c.dominated_by ? Json::integer(static_cast<long long>(*c.dominated_by + 1)) : Json::null())
                            .add_number("decode_speed_for_ranking", c.speed, kRateDigits)
                            .add_number("ttft_seconds_for_ranking", c.ttft, kRateDigits)
                            .add_number("headroom_fraction", c.headroom, kRateDigits)
                            .add("failures", failures)
                            .add("predictions", predictions));
  }
  return std::move(out.add("configurations", configurations).add_string("recommendation", r.recommendation)).str() + "\n";
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
  s += warnings_text(r, kShown);
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
  auto rows = JsonArray::one_per_line();
  for (const auto& x : r.rows)
    rows.push(JsonObject()
                  .add_string("model", x.model)
                  .add_string("runtime", x.runtime)
                  .add_string("quant", x.quant)
                  .add_integer("context", x.context)
                  .add_integer("model_max_context", x.model_max)
                  .add("fits", Json::boolean(x.fits))
                  .add_number("decode_tokens_per_second", x.decode_tps, kRateDigits)
                  .add_number("prefill_tokens_per_second", x.prefill_tps, kRateDigits)
                  .add_number("ttft_seconds", x.ttft_seconds, kRateDigits)
                  .add_bytes("weights_bytes", x.weights.value)
                  .add_bytes("peak_bytes", x.peak.value)
                  .add_bytes("limit_bytes", x.limit.value)
                  .add("max_context_tokens", x.fits ? Json::integer(x.max_context.value_or(x.model_max)) : Json::null())
                  .add("hints", hints_json(x.hints)));
  return JsonObject()
             .add_integer("schema_version", kSchemaVersion)
             .add_string("hardware", r.hardware.id)
             .add_number("memory_gb", ram_gb(r.ram))
             .add_bytes("limit_bytes", r.limit.value)
             .add_integer("context", r.context)
             .add_integer("gen", r.gen)
             .add("rows", rows)
             .str() +
         "\n";
}

namespace {
// One column of fit's CSV: its header and how a row fills it; the header and every row come from
// this list. Speeds at 4 significant digits as in the JSON, byte counts exact.
using FR = const FitResult&;
using Row = const FitRow&;
struct FitCsvField {
  const char* name;
  std::string (*cell)(FR, Row);
};
std::string rate(double v) { return fmt::format("{:.{}g}", v, kRateDigits); }
std::string whole_bytes(const Bytes& b) { return std::to_string(std::llround(b.value)); }
// The hints as "kind=setting; ...", always quoted (RFC 4180: inner quotes doubled).
std::string fix_cell(const std::vector<Hint>& hints) {
  std::string fix;
  for (const auto& h : hints) fix += (fix.empty() ? "" : "; ") + h.kind + "=" + h.setting;
  std::string out;
  append_csv_quoted(out, fix);
  return out;
}
const FitCsvField kFitCsvFields[] = {
    {"hardware", [](FR r, Row) { return r.hardware.id; }},
    {"memory_gb", [](FR r, Row) { return fmt::format("{:g}", ram_gb(r.ram)); }},
    {"model", [](FR, Row x) { return x.model; }},
    {"runtime", [](FR, Row x) { return x.runtime; }},
    {"quant", [](FR, Row x) { return x.quant; }},
    {"context", [](FR, Row x) { return std::to_string(x.context); }},
    {"fits", [](FR, Row x) { return std::string(x.fits ? "yes" : "no"); }},
    {"decode_tok_s", [](FR, Row x) { return rate(x.decode_tps); }},
    {"prefill_tok_s", [](FR, Row x) { return rate(x.prefill_tps); }},
    {"ttft_s", [](FR, Row x) { return rate(x.ttft_seconds); }},
    {"weights_bytes", [](FR, Row x) { return whole_bytes(x.weights); }},
    {"peak_bytes", [](FR, Row x) { return whole_bytes(x.peak); }},
    {"limit_bytes", [](FR, Row x) { return whole_bytes(x.limit); }},
    {"max_context_tokens", [](FR, Row x) { return x.fits ? std::to_string(x.max_context.value_or(x.model_max)) : std::string(); }},
    {"fix", [](FR, Row x) { return fix_cell(x.hints); }},
};
}  // namespace

std::string fit_csv(const FitResult& r) {
  std::string s;
  for (const auto& f : kFitCsvFields) s += (s.empty() ? "" : ",") + std::string(f.name);
  s += "\n";
  for (const auto& x : r.rows) {
    for (const auto& f : kFitCsvFields) s += (&f == kFitCsvFields ? "" : ",") + f.cell(r, x);
    s += "\n";
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
