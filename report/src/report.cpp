#include "ridgeline/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iterator>

#include "ridgeline/bands.hpp"
#include "ridgeline/derived.hpp"
#include "ridgeline/number_format.hpp"
#include "ridgeline/text_layout.hpp"

namespace ridgeline {

std::string xml_escape(const std::string& s) {
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

namespace {
// Escaped text appended in place; ids and keys, which need none, are copied whole.
// Bytes JSON requires escaped: the quote, the backslash and the control characters.
constexpr auto kNeedsEscape = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[static_cast<size_t>(c)] = true;
  t['"'] = t['\\'] = true;
  return t;
}();

void append_json_escaped(std::string& out, std::string_view s) {
  bool plain = true;
  for (char c : s) plain &= !kNeedsEscape[static_cast<unsigned char>(c)];  // no branch per character
  if (plain) {
    out += s;
    return;
  }
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) out += fmt::format("\\u{:04x}", c);
        else out += c;
    }
  }
}
}  // namespace

std::string json_escape(const std::string& s) {
  std::string out;
  append_json_escaped(out, s);
  return out;
}

namespace {
// 6 significant digits, as printf's and fmt's "{:.6g}" write them (number_format.hpp).
std::string num(double v) {
  char buf[32];
  return std::string(buf, write_g6(v, buf));
}

const RateBand* band_of(const Prediction& p, bool prefill) {
  if (!p.bands || (prefill ? p.prefill_tokens : p.decode_tokens) <= 0) return nullptr;
  return prefill ? &p.bands->prefill : &p.bands->decode;
}
}  // namespace

double json_number_value(double v) {
  if (!std::isfinite(v)) return v;
  char buf[33];
  *write_g6(v, buf) = '\0';
  return std::strtod(buf, nullptr);
}
double json_number_value(double v, int significant) {
  return std::isfinite(v) ? std::strtod(fmt::format("{:.{}g}", v, significant).c_str(), nullptr) : v;
}

Json Json::number(double v) { return Json(num(v)); }
Json Json::number(double v, int significant) { return Json(fmt::format("{:.{}g}", v, significant)); }
Json Json::fixed(double v, int decimals) { return Json(fmt::format("{:.{}f}", v, decimals)); }
Json Json::shortest(double v) { return Json(fmt::format("{}", v)); }
Json Json::integer(long long v) { return Json(std::to_string(v)); }
Json Json::bytes(double v) { return Json(std::to_string(std::llround(v))); }
Json Json::string(const std::string& v) {
  std::string text;
  text.reserve(v.size() + 2);
  text += '"';
  append_json_escaped(text, v);
  text += '"';
  return Json(std::move(text));
}
Json Json::boolean(bool v) { return Json(v ? "true" : "false"); }
Json Json::null() { return Json("null"); }
Json Json::optional_integer(const std::optional<long long>& v) { return v ? integer(*v) : null(); }

void JsonObject::begin_member(const JsonKey& key) {
  if (text_.size() == 1) {
    text_.reserve(256);  // most records are a few hundred bytes: one allocation, not six
    text_ += key.first_member();
  } else {
    text_ += key.next_member();
  }
}
JsonObject& JsonObject::add(const JsonKey& key, const Json& value) {
  begin_member(key);
  text_ += value.text();
  return *this;
}
JsonObject& JsonObject::add_number(const JsonKey& key, double v) {
  begin_member(key);
  char buf[32];
  text_.append(buf, write_g6(v, buf));
  return *this;
}
JsonObject& JsonObject::add_integer(const JsonKey& key, long long v) {
  begin_member(key);
  char buf[24];
  text_.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
  return *this;
}
JsonObject& JsonObject::add_number(const JsonKey& key, double v, int significant) {
  begin_member(key);
  fmt::format_to(std::back_inserter(text_), "{:.{}g}", v, significant);
  return *this;
}
JsonObject& JsonObject::add_named(std::string_view name, const Json& value) {
  text_ += text_.size() == 1 ? "\"" : ", \"";
  append_json_escaped(text_, name);
  text_ += "\": ";
  text_ += value.text();
  return *this;
}
JsonObject& JsonObject::add_bytes(const JsonKey& key, double v) { return add_integer(key, std::llround(v)); }
JsonObject& JsonObject::add_string(const JsonKey& key, std::string_view v) {
  begin_member(key);
  text_ += '"';
  append_json_escaped(text_, v);
  text_ += '"';
  return *this;
}
JsonObject& JsonObject::add(const JsonKey& key, const JsonObject& value) {
  begin_member(key);
  text_ += value.text_;
  text_ += '}';
  return *this;
}
JsonObject& JsonObject::add(const JsonKey& key, const JsonArray& value) {
  begin_member(key);
  text_ += value.text_;
  if (value.lines_) text_ += '\n';
  text_ += ']';
  return *this;
}
JsonObject::operator Json() const { return Json(str()); }
std::string JsonObject::str() const& { return text_ + "}"; }
std::string JsonObject::str() && {
  text_ += '}';
  return std::move(text_);
}

JsonArray JsonArray::of_strings(const std::vector<std::string>& texts) {
  JsonArray out;
  for (const auto& t : texts) out.push(Json::string(t));
  return out;
}

JsonArray JsonArray::one_per_line() {
  JsonArray a;
  a.lines_ = true;
  return a;
}
JsonArray& JsonArray::push(const Json& value) {
  if (lines_) text_ += text_.size() > 1 ? ",\n" : "\n";
  else if (text_.size() > 1) text_ += ", ";
  text_ += value.text();
  return *this;
}
JsonArray::operator Json() const { return Json(str()); }
std::string JsonArray::str() const { return text_ + (lines_ ? "\n]" : "]"); }

namespace {
// A rate's 1-sigma band: the range, its percent above the prediction (below: 1 / (1 + percent/100)),
// and the coefficients' share alone; null when no calibration set the coefficients.
Json band_json(const Prediction& p, bool prefill, double rate) {
  const RateBand* b = band_of(p, prefill);
  if (!b) return Json::null();
  return JsonObject()
      .add("level", Json::string("1 sigma"))
      .add("tokens_per_second_low", Json::number(rate * std::exp(-b->total)))
      .add("tokens_per_second_high", Json::number(rate * std::exp(b->total)))
      .add("percent", Json::number(band_percent(b->total)))
      .add("coefficients_percent", p.bands->covariance ? Json::number(band_percent(b->coefficients)) : Json::null())
      .add("not_identified", [&] {  // coefficients it depends on that the data left free: the band understates
        JsonArray names;
        for (const auto& n : b->not_identified) names.push(Json::string(n));
        return names;
      }());
}
}  // namespace

JsonObject prediction_record(const Scenario& s, const Prediction& p) {
  const auto& m = p.mem;
  const JsonArray warnings = JsonArray::of_strings(p.warnings);
  JsonObject out;
  out.add_integer("schema_version", kSchemaVersion)
      .add_string("hardware", s.hardware.id)
      .add_string("model", s.model.id)
      .add_string("quant", s.quant.id)
      .add_string("runtime", s.runtime.id)
      .add("calibration", s.runtime.calibration.empty() ? Json::null() : Json::string(s.runtime.calibration))
      .add_string("kv_dtype", s.kv.id)
      .add_number("memory_gb", sold_ram_gb(s.ram))
      .add("workload", JsonObject()
                           .add_integer("prompt", s.workload.prompt)
                           .add_integer("cached", s.workload.cached)
                           .add_integer("gen", s.workload.gen)
                           .add_integer("chunk", s.chunk)
                           .add_integer("batch", s.workload.batch))
      .add("prefill", JsonObject()
                          .add_integer("tokens", p.prefill_tokens)
                          .add_number("seconds", p.prefill_seconds)
                          .add_number("ms_per_token", p.prefill_ms_per_token())
                          .add_number("tokens_per_second", p.prefill_tps())
                          .add_string("bound", to_string(p.prefill_bound))
                          .add("per_call", JsonObject()
                                               .add_number("request_seconds", p.request_seconds)
                                               .add_number("rewire_seconds", p.rewire_seconds)
                                               .add_number("fresh_buffer_seconds", p.fresh_buffer_seconds))
                          .add("band", band_json(p, true, p.prefill_tps())))
      .add("decode", JsonObject()
                         .add_integer("tokens", p.decode_tokens)
                         .add_number("seconds", p.decode_seconds)
                         .add_number("tokens_per_second", p.decode_tps())
                         .add_number("tokens_per_second_start", p.decode_tps_start)
                         .add_number("tokens_per_second_end", p.decode_tps_end)
                         .add_number("aggregate_tokens_per_second", p.aggregate_decode_tps())
                         .add_string("bound", to_string(p.decode_bound))
                         .add("band", band_json(p, false, p.decode_tps())))
      .add_number("ttft_seconds", p.ttft_seconds)
      .add_number("total_seconds", p.total_seconds)
      .add("memory", JsonObject()
                         .add_bytes("weights_bytes", m.weights.value)
                         .add_bytes("kv_cache_bytes", m.kv_cache.value)
                         .add_bytes("state_bytes", m.state.value)
                         .add_bytes("transient_bytes", m.transient.value)
                         .add_bytes("runtime_bytes", m.runtime.value)
                         .add_bytes("peak_bytes", m.peak.value)
                         .add_bytes("limit_bytes", m.limit.value)
                         .add("fits", Json::boolean(m.fits))
                         .add("oom_at_context_tokens", Json::optional_integer(m.oom_at_context)))
      .add("warnings", warnings);
  return out;
}

std::string prediction_json(const Scenario& s, const Prediction& p) { return prediction_record(s, p).str(); }

void append_prediction_json(std::string& out, const Scenario& s, const Prediction& p) {
  out += prediction_record(s, p).str();
}

std::string prediction_table(const Scenario& s, const Prediction& p) {
  const auto& m = p.mem;
  std::string out;
  out += fmt::format("{} | {} {} | {} | {} RAM\n", s.hardware.name, s.model.id, s.quant.id, s.runtime.id,
                     format_sold_ram(s.ram));
  out += fmt::format("workload: prompt {} (cached {}), generate {}, chunk {}, batch {}, KV {}\n",
                     s.workload.prompt, s.workload.cached, s.workload.gen, s.chunk, s.workload.batch, s.kv.id);
  out += s.runtime.calibration.empty() ? "coefficients: the runtime profile's (uncalibrated: no uncertainty band)\n\n"
                                       : fmt::format("coefficients: {} calibration\n\n", s.runtime.calibration);
  // "1 sigma: 520-875 tok/s (+30%/-23%; the coefficients alone ±1.2%)" under a rate.
  auto band_line = [&](bool prefill, double rate) {
    const RateBand* b = band_of(p, prefill);
    if (!b) return std::string();
    const std::string coefficients =
        p.bands->covariance ? fmt::format("; the coefficients alone ±{:.1f}%", band_percent(b->coefficients)) : "";
    return fmt::format("            1 sigma: {:.1f}-{:.1f} tok/s (+{:.0f}%/-{:.0f}%{}){}\n", rate * std::exp(-b->total),
                       rate * std::exp(b->total), band_percent(b->total), 100 * -std::expm1(-b->total), coefficients,
                       b->not_identified.empty() ? "" : ", understated (see below)");
  };
  if (!m.fits) {
    // A run that cannot hold its memory pages or fails to load: its speed is not a roofline question.
    out += fmt::format("  speed     not predicted: the peak memory ({}) exceeds the GPU limit ({}); the run would fail\n"
                       "            to load or page to SSD (JSON still carries the in-memory figures, with fits: false)\n\n",
                       format_gb(m.peak), format_gb(m.limit));
  } else {
    out += fmt::format("  prefill   {:>10.2f} s   {:>8.3f} ms/token  {:>9.1f} tok/s   ({}-bound)\n",
                       p.prefill_seconds, p.prefill_ms_per_token(), p.prefill_tps(), to_string(p.prefill_bound));
    out += band_line(true, p.prefill_tps());
    if (p.rewire_seconds > 0 || p.fresh_buffer_seconds > 0)
      out += fmt::format("            of which fixed: weights wired anew {:.3f} s (once a call), buffers allocated anew {:.3f} s (each chunk){}\n",
                         p.rewire_seconds, p.fresh_buffer_seconds,
                         p.request_seconds > 0 ? fmt::format(", the server's request {:.3f} s", p.request_seconds) : "");
    if (p.decode_tokens > 0) {
      out += fmt::format("  decode    {:>10.2f} s   {:>8.1f} tok/s avg (start {:.1f}, end {:.1f})   ({}-bound)\n",
                         p.decode_seconds, p.decode_tps(), p.decode_tps_start, p.decode_tps_end,
                         to_string(p.decode_bound));
      out += band_line(false, p.decode_tps());
      if (p.batch > 1) out += fmt::format("            aggregate over {} sequences: {:.1f} tok/s\n", p.batch, p.aggregate_decode_tps());
    }
    out += fmt::format("  TTFT      {:>10.2f} s\n  total     {:>10.2f} s\n\n", p.ttft_seconds, p.total_seconds);
  }
  out += fmt::format("  memory    weights {}  KV {}  state {}  transient {}  runtime {}\n", format_gb(m.weights),
                     format_gb(m.kv_cache), format_gb(m.state), format_gb(m.transient), format_gb(m.runtime));
  out += fmt::format("            peak {} of limit {} -> {}\n", format_gb(m.peak), format_gb(m.limit),
                     m.fits ? "fits" : "DOES NOT FIT");
  if (m.weights.value > m.limit.value)
    out += fmt::format("            the weights alone ({}) exceed the GPU limit ({}): no context fits\n", format_gb(m.weights),
                       format_gb(m.limit));
  else if (m.oom_at_context && *m.oom_at_context == 0)
    out += fmt::format("            the weights, fixed state and runtime leave no room for a {}-token chunk within the limit\n", s.chunk);
  else
    out += m.oom_at_context
               ? fmt::format("            with {}-token chunks, out of memory after {} tokens of context\n", s.chunk, *m.oom_at_context)
               : fmt::format("            with {}-token chunks, never out of memory up to the model's maximum context\n", s.chunk);
  for (const auto& w : p.warnings) out += "  warning: " + w + "\n";
  if (p.bands && m.fits) out += "\n" + wrap_long_lines(bands_note(s, *p.bands), 100, 0);
  return out;
}

namespace {
// CSV cells are appended straight into the row: a sweep writes ~35 per row.
void put_num(std::string& out, double v) {
  char buf[32];
  out.append(buf, write_g6(v, buf));
}
void put_int(std::string& out, long long v) {
  char buf[24];
  out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}
void put_bytes(std::string& out, const Bytes& b) { put_int(out, std::llround(b.value)); }
// A band column: empty when the prediction has no band (uncalibrated, or a sweep without --bands).
void put_band(std::string& out, const Prediction& p, bool prefill, double rate, double sign) {
  if (const RateBand* b = band_of(p, prefill)) put_num(out, rate * std::exp(sign * b->total));
}
void put_coefficients_percent(std::string& out, const Prediction& p, bool prefill) {
  const RateBand* b = band_of(p, prefill);
  if (b && p.bands->covariance) put_num(out, band_percent(b->coefficients));
}

// One CSV column: its header name and how a prediction fills it.
using S = const Scenario&;
using P = const Prediction&;
struct CsvField {
  const char* name;
  void (*write)(std::string& out, S, P);
  bool speed = false;  // empty when the run does not fit: a run that cannot happen has no speed
};
const CsvField kCsvFields[] = {
    {"hardware", [](std::string& o, S s, P) { append_csv_text(o, s.hardware.id); }},
    {"model", [](std::string& o, S s, P) { append_csv_text(o, s.model.id); }},
    {"quant", [](std::string& o, S s, P) { append_csv_text(o, s.quant.id); }},
    {"runtime", [](std::string& o, S s, P) { append_csv_text(o, s.runtime.id); }},
    {"memory_gb", [](std::string& o, S s, P) { put_num(o, sold_ram_gb(s.ram)); }},
    {"prompt", [](std::string& o, S s, P) { put_int(o, s.workload.prompt); }},
    {"cached", [](std::string& o, S s, P) { put_int(o, s.workload.cached); }},
    {"gen", [](std::string& o, S s, P) { put_int(o, s.workload.gen); }},
    {"chunk", [](std::string& o, S s, P) { put_int(o, s.chunk); }},
    {"batch", [](std::string& o, S s, P) { put_int(o, s.workload.batch); }},
    {"kv_dtype", [](std::string& o, S s, P) { append_csv_text(o, s.kv.id); }},
    {"prefill_seconds", [](std::string& o, S, P p) { put_num(o, p.prefill_seconds); }, true},
    {"prefill_ms_per_token", [](std::string& o, S, P p) { put_num(o, p.prefill_ms_per_token()); }, true},
    {"prefill_tokens_per_second", [](std::string& o, S, P p) { put_num(o, p.prefill_tps()); }, true},
    {"prefill_bound", [](std::string& o, S, P p) { o += to_string(p.prefill_bound); }, true},
    {"decode_seconds", [](std::string& o, S, P p) { put_num(o, p.decode_seconds); }, true},
    {"decode_tokens_per_second", [](std::string& o, S, P p) { put_num(o, p.decode_tps()); }, true},
    {"decode_tokens_per_second_start", [](std::string& o, S, P p) { put_num(o, p.decode_tps_start); }, true},
    {"decode_tokens_per_second_end", [](std::string& o, S, P p) { put_num(o, p.decode_tps_end); }, true},
    {"ttft_seconds", [](std::string& o, S, P p) { put_num(o, p.ttft_seconds); }, true},
    {"total_seconds", [](std::string& o, S, P p) { put_num(o, p.total_seconds); }, true},
    {"weights_bytes", [](std::string& o, S, P p) { put_bytes(o, p.mem.weights); }},
    {"kv_cache_bytes", [](std::string& o, S, P p) { put_bytes(o, p.mem.kv_cache); }},
    {"transient_bytes", [](std::string& o, S, P p) { put_bytes(o, p.mem.transient); }},
    {"peak_bytes", [](std::string& o, S, P p) { put_bytes(o, p.mem.peak); }},
    {"limit_bytes", [](std::string& o, S, P p) { put_bytes(o, p.mem.limit); }},
    {"fits", [](std::string& o, S, P p) { o += p.mem.fits ? "true" : "false"; }},
    {"oom_at_context_tokens", [](std::string& o, S, P p) { if (p.mem.oom_at_context) put_int(o, *p.mem.oom_at_context); }},
    {"prefill_tokens_per_second_1sigma_low", [](std::string& o, S, P p) { put_band(o, p, true, p.prefill_tps(), -1); }, true},
    {"prefill_tokens_per_second_1sigma_high", [](std::string& o, S, P p) { put_band(o, p, true, p.prefill_tps(), 1); }, true},
    {"prefill_coefficients_1sigma_percent", [](std::string& o, S, P p) { put_coefficients_percent(o, p, true); }, true},
    {"decode_tokens_per_second_1sigma_low", [](std::string& o, S, P p) { put_band(o, p, false, p.decode_tps(), -1); }, true},
    {"decode_tokens_per_second_1sigma_high", [](std::string& o, S, P p) { put_band(o, p, false, p.decode_tps(), 1); }, true},
    {"decode_coefficients_1sigma_percent", [](std::string& o, S, P p) { put_coefficients_percent(o, p, false); }, true},
};
}  // namespace

void append_csv_quoted(std::string& out, std::string_view v) {
  out += '"';
  for (char c : v) out += c == '"' ? "\"\"" : std::string_view(&c, 1);
  out += '"';
}

void append_csv_text(std::string& out, std::string_view v) {
  const bool plain = std::none_of(v.begin(), v.end(), [](char c) { return c == ',' || c == '"' || c == '\r' || c == '\n'; });
  if (plain) out += v;
  else append_csv_quoted(out, v);
}

std::string csv_header() {
  std::string out;
  for (const auto& f : kCsvFields) out += (out.empty() ? "" : ",") + std::string(f.name);
  return out;
}

std::string csv_row(const Scenario& s, const Prediction& p) {
  std::string out;
  append_csv_row(out, s, p);
  return out;
}

void append_csv_row(std::string& out, const Scenario& s, const Prediction& p) {
  for (const auto& f : kCsvFields) {
    if (&f != kCsvFields) out += ',';
    if (!f.speed || p.mem.fits) f.write(out, s, p);
  }
}

size_t csv_header_columns() { return std::size(kCsvFields); }

std::string explain_table(const Scenario& s, const StepShape& shape, const std::vector<Op>& ops) {
  std::string out = fmt::format(
      "{} step: {} new token(s) x {} sequence(s) at context {} | {} {} on {} ({})\n\n", shape.prefill ? "prefill" : "decode",
      shape.tokens, shape.batch, shape.context, s.model.id, s.quant.id, s.hardware.id, s.runtime.id);
  // Within 100 columns: the operator column is as wide as its labels up to 28 characters; a longer
  // label goes on its own line above its figures.
  constexpr size_t kLabelMax = 28;
  size_t lw = 8;
  for (const auto& op : ops) lw = std::max(lw, std::min(kLabelMax, op_label(s, op).size()));
  out += fmt::format("{:<{}} {:>9} {:>10} {:>9} {:>9} {:>10} {:>10}  {}\n", "operator", lw, "GFLOP", "weights MB",
                     "KV MB", "other MB", "compute", "memory", "binds");
  double total = 0;
  for (const auto& op : ops) {
    const double cs = op.compute_seconds(), ms = op.memory_seconds();
    total += std::max(cs, ms);
    std::string label = op_label(s, op);
    if (label.size() > lw) out += label + "\n", label.clear();
    out += fmt::format("{:<{}} {:>9.3f} {:>10.2f} {:>9.2f} {:>9.2f} {:>8.3f}ms {:>8.3f}ms  {}\n", label, lw,
                       op.flops / 1e9, op.weight_bytes / 1e6, (op.kv_read_bytes + op.kv_write_bytes) / 1e6,
                       op.activation_bytes / 1e6, cs * 1e3, ms * 1e3, cs >= ms ? "compute" : "memory");
  }
  const double overhead = step_overhead_seconds(s);
  out += fmt::format("\noperators {:.3f} ms + launch/step overhead {:.3f} ms = {:.3f} ms per step\n", total * 1e3,
                     overhead * 1e3, (total + overhead) * 1e3);
  // The matmul peak and the activation/KV bandwidth the operators above were timed at, from StepInvariants
  // (weight streams take their kernel class's factor on top, and bf16 weights the emulation's).
  const StepInvariants inv = step_invariants(s);
  const bool emulated = bf16_emulated(s);
  const auto& tiers = s.runtime.coef.tier_bandwidth_factor;
  const auto tier = tiers.find(s.hardware.tier);
  const auto& dies = s.runtime.coef.die_bandwidth_factor;
  const auto die = dies.find(hardware_die(s.hardware));
  // On a GPU with matrix units beside its SIMD groups (M5), which of the two each kernel family uses.
  const auto unit = [&](const std::optional<Release>& since) -> std::string {
    if (!s.hardware.matrix_fp16) return "";
    return on_matrix_units(s, since) ? " (matrix units)"
                                     : fmt::format(" (SIMD fp16; the matrix units' {:.1f} unused)",
                                                   s.hardware.matrix_fp16->value.value / 1e12);
  };
  const auto& k = s.runtime.kernels;
  out += fmt::format("rates: matmul peak {:.1f} TFLOPS{}, {:.1f} with the chip generation's factor{}; activations in {}{}\n",
                     multiply_peak(s, k.products_on_matrix_units) / 1e12, unit(k.products_on_matrix_units), inv.plain_peak / 1e12,
                     emulated ? " and bf16 emulation's" : "", compute_dtype(s),
                     emulated ? fmt::format(" (no bfloat16 arithmetic on this GPU: x{:.2f})", s.runtime.coef.bf16_emulation_factor) : "");
  if (s.hardware.matrix_fp16)
    out += fmt::format("prefill attention: {:.1f} TFLOPS{} x attention_efficiency {:.3f}\n", multiply_peak(s, k.attention_on_matrix_units) / 1e12,
                       unit(k.attention_on_matrix_units), s.runtime.coef.attention_efficiency);
  out += fmt::format("effective bandwidth {:.1f} GB/s (datasheet {:.0f} x stream {:.2f} x kernel {:.2f} x tier {:.2f}{}, at most the datasheet)\n",
                     inv.bandwidth / 1e9, s.hardware.bandwidth.value.value / 1e9, s.hardware.stream_efficiency.value,
                     s.runtime.coef.bandwidth_efficiency, tier == tiers.end() ? 1.0 : tier->second,
                     die == dies.end() ? "" : fmt::format(" x die {:.2f}", die->second));
  // An unfused step whose one query row reads the cache through its own kernels (ops.cpp).
  const bool unfused = std::any_of(inv.groups.begin(), inv.groups.end(), [&](const StepInvariants::Group& g) {
    return shape.prefill ? g.unfused_prefill : g.unfused_decode;
  });
  if (unfused && unfused_reads_once_per_kv_head(s, shape.tokens, shape.batch))
    out += fmt::format("unfused attention: the KV cache read once per KV head at {:.1f} GB/s (x unfused_kv_bandwidth_factor {:.3f})\n",
                       inv.unfused_kv_bandwidth / 1e9, s.runtime.coef.unfused_kv_bandwidth_factor);
  else if (unfused)
    out += fmt::format("unfused attention: the KV cache read once per query head at {:.1f} GB/s\n", inv.bandwidth / 1e9);
  out += fmt::format("matrix-vector ALUs {:.2f} TFLOPS (fp32 {:.2f} x {:.3f}){}\n", inv.gemv_rate / 1e12,
                     s.hardware.fp32.value.value / 1e12, s.runtime.coef.gemv_compute_efficiency,
                     inv.dequant_ops > 0 ? fmt::format(", {:.1f} unpacking instructions a weight beside 2 x rows multiply-adds "
                                                       "(this GPU issues one instruction class per cycle)", inv.dequant_ops)
                                         : "");
  out += fmt::format("matrix-matrix kernels: half efficiency at {:.0f} rows{}{}\n", dense_half_rows(s, inv),
                     inv.matrix_half_scale != 1 ? fmt::format(" ({:.1f} x {:.1f}: on matrix units {:.1f} times the SIMD fp16 rate)",
                                                              s.runtime.coef.compute_half_tokens, inv.matrix_half_scale, inv.matrix_half_scale)
                                                : "",
                     inv.matrix_tile_rows > 1 ? fmt::format(", in whole tiles of {:.0f} rows", inv.matrix_tile_rows) : "");
  if (s.runtime.coef.matrix_fill_outputs > 0)
    out += fmt::format("    for a {0:.0f}-wide product; a product w wide: x {0:.0f} / w (fixed output tiles fill the GPU with rows x "
                       "outputs of them)\n",
                       s.runtime.coef.matrix_fill_outputs);
  // Which kernel a decode step's fused attention runs, for the first softmax-attention layer.
  const AttentionSpec* att = first_full_attention(s.model);
  const auto kernel = att == nullptr || shape.prefill
                          ? DecodeAttentionKernel::none
                          : decode_attention_kernel(s, *att, shape.tokens, shape.batch, shape.context + shape.tokens);
  if (kernel == DecodeAttentionKernel::vector)
    out += fmt::format("decode attention: the vector kernel on the ALUs, {:.2f} TFLOPS (fp32 x vector_attention_efficiency {:.3f})\n",
                       inv.vector_attention_rate / 1e12, s.runtime.coef.vector_attention_efficiency);
  else if (kernel == DecodeAttentionKernel::tensor_tiles)
    out += fmt::format("decode attention: the tensor-core kernel, {:.0f}% of its tiles filled by one KV head's query rows "
                       "(x attention_efficiency {:.3f})\n",
                       100 * decode_tile_fill(s, *att, shape.tokens), s.runtime.coef.attention_efficiency);
  // Layers whose score heads take the engine's wide-head kernels (RuntimeSpec::EngineKernels::wide_head_min_dim).
  if (runs_wide_head_attention(s))
    out += fmt::format("score heads of {} and wider: the engine's wide-head attention kernels, flash attention x {:.3f} "
                       "(wide_head_attention_factor), the decode vector kernel x {:.3f} (wide_head_vector_attention_factor)\n",
                       s.runtime.kernels.wide_head_min_dim, s.runtime.coef.wide_head_attention_factor,
                       s.runtime.coef.wide_head_vector_attention_factor);
  // The first routed-expert layer's reads: how many experts' weights the step's rows bring in.
  const auto moe = std::find_if(s.model.layers.begin(), s.model.layers.end(), [](const LayerGroup& g) { return g.ffn.is_moe(); });
  if (moe != s.model.layers.end()) {
    const FfnSpec& f = moe->ffn;
    const double rows = shape.tokens * shape.batch, skew = s.runtime.coef.moe_routing_skew;
    const ExpertReads reads = expert_reads(s, inv, f, rows);
    if (!reads.grouped)
      out += fmt::format("routed experts: row by row, {:.0f} row{} x {} experts = {:.0f} expert reads a layer (shared or not)\n", rows,
                         rows == 1 ? "" : "s", f.active_experts, reads.experts);
    else
      out += fmt::format("routed experts: grouped by expert, {:.1f} of {} read a layer for {:.0f} rows x {} (routing skew {:.2f}{})\n",
                         reads.experts, f.experts, rows, f.active_experts, skew,
                         skew > 0 ? fmt::format("; uniform routing: {:.1f}", experts_touched(f.experts, f.active_experts, rows, 0)) : "");
  }
  return out;
}

std::string explain_json(const Scenario& s, const std::string& step, const StepShape& shape, const std::vector<Op>& ops) {
  JsonArray operators;
  for (const auto& op : ops)
    operators.push(JsonObject()
                       .add("name", Json::string(op_label(s, op)))
                       .add("flops", Json::number(op.flops))
                       .add("weight_bytes", Json::bytes(op.weight_bytes))
                       .add("activation_bytes", Json::bytes(op.activation_bytes))
                       .add("kv_read_bytes", Json::bytes(op.kv_read_bytes))
                       .add("kv_write_bytes", Json::bytes(op.kv_write_bytes))
                       .add("compute_seconds", Json::number(op.compute_seconds()))
                       .add("memory_seconds", Json::number(op.memory_seconds()))
                       .add("bound", Json::string(op.compute_seconds() >= op.memory_seconds() ? "compute" : "memory")));
  return JsonObject()
      .add("schema_version", Json::integer(kSchemaVersion))
      .add("step", Json::string(step))
      .add("tokens", Json::integer(std::llround(shape.tokens)))
      .add("context", Json::integer(std::llround(shape.context)))
      .add("batch", Json::integer(std::llround(shape.batch)))
      .add("overhead_seconds", Json::number(step_overhead_seconds(s)))
      .add("activation_dtype", Json::string(std::string(compute_dtype(s))))
      .add("compute_dtype_factor", Json::number(compute_dtype_factor(s)))
      .add("operators", operators)
      .str();
}

}  // namespace ridgeline
