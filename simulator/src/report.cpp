#include "ridgeline/report.hpp"

#include <fmt/format.h>

#include <cmath>
#include <iterator>

#include "ridgeline/derived.hpp"

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

std::string json_escape(const std::string& s) {
  std::string out;
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
  return out;
}

namespace {
// A byte count as an exact integer (JSON and CSV readers must not meet 4.9151e+09).
long long whole_bytes(double v) { return std::llround(v); }
std::string opt_ctx(const std::optional<long long>& c) { return c ? std::to_string(*c) : "null"; }
}  // namespace

void append_prediction_json(fmt::memory_buffer& out, const Scenario& s, const Prediction& p) {
  const auto& m = p.mem;
  std::string warnings;
  for (const auto& w : p.warnings) warnings += (warnings.empty() ? "\"" : ", \"") + json_escape(w) + "\"";
  auto it = std::back_inserter(out);
  fmt::format_to(it,
      "{{\"schema_version\": {}, \"hardware\": \"{}\", \"model\": \"{}\", \"quant\": \"{}\", "
      "\"runtime\": \"{}\", \"calibration\": {}, \"kv_dtype\": \"{}\", \"memory_gib\": {:.6g}, "
      "\"workload\": {{\"prompt\": {}, \"cached\": {}, \"gen\": {}, \"chunk\": {}, \"batch\": {}}}, ",
      kSchemaVersion, json_escape(s.hardware.id), json_escape(s.model.id), s.quant.id, s.runtime.id,
      s.runtime.calibration.empty() ? std::string("null") : fmt::format("\"{}\"", json_escape(s.runtime.calibration)), s.kv.id,
      s.ram.value / kGiB, s.workload.prompt, s.workload.cached, s.workload.gen, s.chunk, s.workload.batch);
  fmt::format_to(it,
      "\"prefill\": {{\"tokens\": {}, \"seconds\": {:.6g}, \"ms_per_token\": {:.6g}, \"tokens_per_second\": {:.6g}, \"bound\": \"{}\"}}, "
      "\"decode\": {{\"tokens\": {}, \"seconds\": {:.6g}, \"tokens_per_second\": {:.6g}, \"tokens_per_second_start\": {:.6g}, "
      "\"tokens_per_second_end\": {:.6g}, \"aggregate_tokens_per_second\": {:.6g}, \"bound\": \"{}\"}}, "
      "\"ttft_seconds\": {:.6g}, \"total_seconds\": {:.6g}, ",
      p.prefill_tokens, p.prefill_seconds, p.prefill_ms_per_token(), p.prefill_tps(), to_string(p.prefill_bound),
      p.decode_tokens, p.decode_seconds, p.decode_tps(), p.decode_tps_start, p.decode_tps_end, p.aggregate_decode_tps(),
      to_string(p.decode_bound), p.ttft_seconds, p.total_seconds);
  fmt::format_to(it,
      "\"memory\": {{\"weights_bytes\": {}, \"kv_cache_bytes\": {}, \"state_bytes\": {}, \"transient_bytes\": {}, "
      "\"runtime_bytes\": {}, \"peak_bytes\": {}, \"limit_bytes\": {}, \"fits\": {}, \"oom_at_context_tokens\": {}}}, "
      "\"warnings\": [{}]}}",
      whole_bytes(m.weights.value), whole_bytes(m.kv_cache.value), whole_bytes(m.state.value),
      whole_bytes(m.transient.value), whole_bytes(m.runtime.value), whole_bytes(m.peak.value), whole_bytes(m.limit.value),
      m.fits ? "true" : "false", opt_ctx(m.oom_at_context), warnings);
}

std::string prediction_json(const Scenario& s, const Prediction& p) {
  fmt::memory_buffer out;
  append_prediction_json(out, s, p);
  return fmt::to_string(out);
}

std::string prediction_table(const Scenario& s, const Prediction& p) {
  const auto& m = p.mem;
  std::string out;
  out += fmt::format("{} | {} {} | {} | {} GiB RAM\n", s.hardware.name, s.model.id, s.quant.id, s.runtime.id,
                     s.ram.value / kGiB);
  out += fmt::format("workload: prompt {} (cached {}), generate {}, chunk {}, batch {}, KV {}\n",
                     s.workload.prompt, s.workload.cached, s.workload.gen, s.chunk, s.workload.batch, s.kv.id);
  out += s.runtime.calibration.empty()
             ? "coefficients: the runtime profile's (uncalibrated)\n\n"
             : fmt::format("coefficients: {} calibration (cross-validated error: prefill ±{:.0f}%, decode ±{:.0f}%)\n\n",
                           s.runtime.calibration, 100 * s.runtime.prefill_error, 100 * s.runtime.decode_error);
  if (!m.fits) {
    // A run that cannot hold its memory pages or fails to load: its speed is not a roofline question.
    out += fmt::format("  speed     not predicted: the peak memory ({}) exceeds the GPU limit ({}); the run would fail\n"
                       "            to load or page to SSD (JSON still carries the in-memory figures, with fits: false)\n\n",
                       format_gb(m.peak), format_gb(m.limit));
  } else {
    out += fmt::format("  prefill   {:>10.2f} s   {:>8.3f} ms/token  {:>9.1f} tok/s   ({}-bound)\n",
                       p.prefill_seconds, p.prefill_ms_per_token(), p.prefill_tps(), to_string(p.prefill_bound));
    if (p.decode_tokens > 0) {
      out += fmt::format("  decode    {:>10.2f} s   {:>8.1f} tok/s avg (start {:.1f}, end {:.1f})   ({}-bound)\n",
                         p.decode_seconds, p.decode_tps(), p.decode_tps_start, p.decode_tps_end,
                         to_string(p.decode_bound));
      if (p.batch > 1) out += fmt::format("            aggregate over {} sequences: {:.1f} tok/s\n", p.batch, p.aggregate_decode_tps());
    }
    out += fmt::format("  TTFT      {:>10.2f} s\n  total     {:>10.2f} s\n\n", p.ttft_seconds, p.total_seconds);
  }
  out += fmt::format("  memory    weights {}  KV {}  state {}  transient {}  runtime {}\n", format_gb(m.weights),
                     format_gb(m.kv_cache), format_gb(m.state), format_gb(m.transient), format_gb(m.runtime));
  out += fmt::format("            peak {} of limit {} -> {}\n", format_gb(m.peak), format_gb(m.limit),
                     m.fits ? "fits" : "DOES NOT FIT");
  out += m.oom_at_context
             ? fmt::format("            with {}-token chunks, out of memory after {} tokens of context\n", s.chunk, *m.oom_at_context)
             : fmt::format("            with {}-token chunks, never out of memory up to the model's maximum context\n", s.chunk);
  for (const auto& w : p.warnings) out += "  warning: " + w + "\n";
  return out;
}

std::string csv_header() {
  return "hardware,model,quant,runtime,memory_gib,prompt,cached,gen,chunk,batch,kv_dtype,prefill_seconds,"
         "prefill_ms_per_token,prefill_tokens_per_second,prefill_bound,decode_seconds,decode_tokens_per_second,"
         "decode_tokens_per_second_start,decode_tokens_per_second_end,ttft_seconds,total_seconds,weights_bytes,"
         "kv_cache_bytes,transient_bytes,peak_bytes,limit_bytes,fits,oom_at_context_tokens";
}

size_t csv_header_columns() { return 28; }

void append_csv_row(fmt::memory_buffer& out, const Scenario& s, const Prediction& p) {
  const auto& m = p.mem;
  auto it = std::back_inserter(out);
  fmt::format_to(it, "{},{},{},{},{:.6g},{},{},{},{},{},{},", s.hardware.id, s.model.id, s.quant.id, s.runtime.id,
                 s.ram.value / kGiB, s.workload.prompt, s.workload.cached, s.workload.gen, s.chunk, s.workload.batch, s.kv.id);
  if (m.fits)  // a run that does not fit has no speed to state
    fmt::format_to(it, "{:.6g},{:.6g},{:.6g},{},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},", p.prefill_seconds,
                   p.prefill_ms_per_token(), p.prefill_tps(), to_string(p.prefill_bound), p.decode_seconds, p.decode_tps(),
                   p.decode_tps_start, p.decode_tps_end, p.ttft_seconds, p.total_seconds);
  else
    fmt::format_to(it, ",,,,,,,,,,");
  fmt::format_to(it, "{},{},{},{},{},{},", whole_bytes(m.weights.value), whole_bytes(m.kv_cache.value),
                 whole_bytes(m.transient.value), whole_bytes(m.peak.value), whole_bytes(m.limit.value), m.fits ? "true" : "false");
  if (m.oom_at_context) fmt::format_to(it, "{}", *m.oom_at_context);
}

std::string csv_row(const Scenario& s, const Prediction& p) {
  fmt::memory_buffer out;
  append_csv_row(out, s, p);
  return fmt::to_string(out);
}

std::string explain_table(const Scenario& s, const StepShape& shape, const std::vector<Op>& ops) {
  std::string out = fmt::format(
      "{} step: {} new token(s) x {} sequence(s) at context {} | {} {} on {} ({})\n\n", shape.prefill ? "prefill" : "decode",
      shape.tokens, shape.batch, shape.context, s.model.id, s.quant.id, s.hardware.id, s.runtime.id);
  out += fmt::format("{:<44} {:>11} {:>10} {:>10} {:>10} {:>9} {:>9}  {}\n", "operator", "GFLOP", "weights MB",
                     "KV MB", "other MB", "compute", "memory", "binds");
  double total = 0;
  for (const auto& op : ops) {
    const double cs = op.compute_seconds(), ms = op.memory_seconds();
    total += std::max(cs, ms);
    out += fmt::format("{:<44} {:>11.3f} {:>10.2f} {:>10.2f} {:>10.2f} {:>7.3f}ms {:>7.3f}ms  {}\n", op_label(s, op),
                       op.flops / 1e9, op.weight_bytes / 1e6, (op.kv_read_bytes + op.kv_write_bytes) / 1e6,
                       op.activation_bytes / 1e6, cs * 1e3, ms * 1e3, cs >= ms ? "compute" : "memory");
  }
  const double overhead = step_overhead_seconds(s);
  out += fmt::format("\noperators {:.3f} ms + launch/step overhead {:.3f} ms = {:.3f} ms per step\n", total * 1e3,
                     overhead * 1e3, (total + overhead) * 1e3);
  out += fmt::format("rates: matmul peak {:.1f} TFLOPS, effective bandwidth {:.1f} GB/s (datasheet {:.0f} x stream {:.2f} x kernel {:.2f})\n",
                     s.hardware.matmul_peak().value / 1e12,
                     s.hardware.bandwidth.value.value * s.hardware.stream_efficiency.value * s.runtime.coef.bandwidth_efficiency / 1e9,
                     s.hardware.bandwidth.value.value / 1e9, s.hardware.stream_efficiency.value, s.runtime.coef.bandwidth_efficiency);
  return out;
}

}  // namespace ridgeline
