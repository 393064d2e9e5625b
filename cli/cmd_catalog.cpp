#include <filesystem>
#include <ostream>

#include "commands.hpp"
#include "ridgeline/catalog.hpp"
#include "ridgeline/derived.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/importers.hpp"
#include "ridgeline/report.hpp"
#include "ridgeline/advisor_report.hpp"
#include "ridgeline/prices.hpp"
#include "ridgeline/text_layout.hpp"

namespace ridgeline::cli {

namespace {
// `list --json`: the catalog as {"schema_version": 1, "<what>": [ {...}, ... ]}.
std::string list_json(const std::string& what) {
  JsonArray items;
  if (what == "hardware") {
    for (const auto& hw : hardware_catalog()) {
      JsonArray sizes;
      for (auto b : hw.memory_sizes.value) sizes.push(Json::number(sold_ram_gb(b)));
      items.push(JsonObject()
                     .add("id", Json::string(hw.id))
                     .add("name", Json::string(hw.name))
                     .add("vendor", Json::string(hw.vendor))
                     .add("bandwidth_bytes_per_second", Json::number(hw.bandwidth.value.value))
                     .add("bandwidth_source", Json::string(hw.bandwidth.source))
                     .add("matmul_peak_flops", Json::number(hw.matmul_peak().value))
                     .add("gpu_cores", Json::integer(hw.gpu_cores.value))
                     .add("memory_gb", sizes));
    }
  } else if (what == "models") {
    for (const auto& m : model_catalog()) {
      JsonArray aliases;
      for (const auto& a : m.aliases) aliases.push(Json::string(a));
      items.push(JsonObject()
                     .add("id", Json::string(m.id))
                     .add("params", Json::integer(static_cast<long long>(total_params(m))))
                     .add("active_params", Json::integer(static_cast<long long>(active_params(m))))
                     .add("layers", Json::integer(layer_count(m)))
                     .add("max_context", Json::integer(m.max_context))
                     .add("aliases", aliases));
    }
  } else if (what == "quants") {
    for (const auto& q : quantizations())
      items.push(JsonObject()
                     .add("id", Json::string(q.id))
                     .add("matrix_bpw", Json::number(q.matrix_bpw))
                     .add("expert_bpw", Json::number(q.expert_bpw))
                     .add("embedding_bpw", Json::number(q.embedding_bpw))
                     .add("lm_head_bpw", Json::number(q.lm_head_bpw))
                     .add("approximate", Json::boolean(q.approximate))
                     .add("description", Json::string(q.description)));
  } else {
    for (const auto& rt : runtime_catalog())
      items.push(JsonObject()
                     .add("id", Json::string(rt.id))
                     .add("name", Json::string(rt.name))
                     .add("default_chunk", Json::integer(rt.default_chunk))
                     .add("kv", Json::string(rt.kv_upfront ? "upfront" : "growing")));
  }
  JsonObject out;
  out.add("schema_version", Json::integer(kSchemaVersion));
  if (what == "hardware") out.add("hardware", items);
  else if (what == "models") out.add("models", items);
  else if (what == "quants") out.add("quants", items);
  else out.add("runtimes", items);
  return std::move(out).str() + "\n";
}
}  // namespace

int run_list(const ListOptions& o, std::ostream& out) {
  if (o.prices && o.what != "hardware") throw InputError("list: --prices goes with 'hardware', not '{}'", o.what);
  if (o.prices && o.json) throw InputError("list: --prices has no JSON form; `ridgeline buy --json` carries prices");
  const bool known = o.what == "hardware" || o.what == "models" || o.what == "quants" || o.what == "runtimes";
  if (o.json && known) {
    out << list_json(o.what);
    return kOk;
  }
  if (o.what == "hardware" && o.prices) {
    out << price_table(price_catalog());
  } else if (o.what == "hardware") {
    // 100 columns: the figures on one line, the bandwidth's source wrapped under the name.
    out << fmt::format("{:<16} {:<38} {:>10} {:>12} {:>4}  {}\n{:<17}{}\n", "id", "name", "bandwidth", "matmul peak", "GPU",
                       "RAM (GB)", "", "bandwidth source");
    for (const auto& hw : hardware_catalog()) {
      std::string sizes;
      for (auto b : hw.memory_sizes.value) sizes += (sizes.empty() ? "" : "/") + fmt::format("{:g}", sold_ram_gb(b));
      out << fmt::format("{:<16} {:<38} {:>5.0f} GB/s {:>5.1f} TFLOPS {:>4}  {}\n", hw.id, shorten_at_word(hw.name, 38),
                         hw.bandwidth.value.value / 1e9, hw.matmul_peak().value / 1e12, hw.gpu_cores.value, sizes);
      for (const auto& line : wrap_words(hw.bandwidth.source, kTableWidth - 17)) out << fmt::format("{:<17}{}\n", "", line);
    }
  } else if (o.what == "models") {
    out << fmt::format("{:<28} {:>9} {:>9} {:>7} {:>10}  {}\n", "id", "params B", "active B", "layers", "max ctx", "aliases");
    for (const auto& m : model_catalog()) {
      std::string aliases;
      for (const auto& a : m.aliases) aliases += (aliases.empty() ? "" : ", ") + a;
      // Long alias lists wrap onto lines indented under the figures, within 100 columns.
      out << wrap_long_lines(fmt::format("{:<28} {:>9.2f} {:>9.2f} {:>7} {:>10}  {}\n", m.id, total_params(m) / 1e9,
                                         active_params(m) / 1e9, layer_count(m), m.max_context, aliases),
                             kTableWidth, 30);
    }
  } else if (o.what == "quants") {
    out << fmt::format("{:<12} {:>7} {:>7} {:>7} {:>7}  {}\n", "id", "matrix", "expert", "embed", "head", "description (bits per weight incl. scales)");
    for (const auto& q : quantizations())
      out << wrap_long_lines(fmt::format("{:<12} {:>7.3f} {:>7.3f} {:>7.3f} {:>7.3f}  {}{}\n", q.id, q.matrix_bpw, q.expert_bpw,
                                         q.embedding_bpw, q.lm_head_bpw, q.description, q.approximate ? " [approximate]" : ""),
                             kTableWidth, 46);
    std::string kv = "\nKV-cache dtypes (bytes per element):";
    for (const auto& k : kv_dtypes()) kv += fmt::format(" {} {:.4g};", k.id, k.bytes_per_element);
    out << wrap_long_lines(kv + "\n");
  } else if (o.what == "runtimes") {
    for (const auto& rt : runtime_catalog())
      out << wrap_long_lines(fmt::format("{:<18} chunk {:>5}  KV {:<8} {}\n", rt.id, rt.default_chunk,
                                         rt.kv_upfront ? "upfront" : "growing", rt.name),
                             kTableWidth, 44);
  } else {
    throw InputError("list: '{}' is not a catalog (expected hardware, models, quants or runtimes){}", o.what,
                     did_you_mean(o.what, {"hardware", "models", "quants", "runtimes"}));
  }
  return kOk;
}

int run_import(const ImportOptions& o, std::ostream& out) {
  ModelSpec m = o.file.ends_with(".gguf") ? import_gguf(o.file).model : import_hf_config(o.file);
  m.name = model_name_for_file(o.file, m.name);
  m.id = o.id.empty() ? model_id_from_name(m.name) : o.id;
  std::string text = model_to_yaml(m);
  if (o.output.empty()) {
    out << text;
  } else {
    write_output("-o", o.output, text);
  }
  return kOk;
}

int run_show(const ShowOptions& o, std::ostream& out) {
  const ModelSource src = resolve_model_source(o.model);
  const ModelSpec& m = src.model;
  const Quantization& q = find_quantization(choose_quant(o.quant, src, "f16"));
  const KvDtype& kv = find_kv_dtype(o.kv_dtype);
  const long long ctx = parse_count(o.context, "--context", 1, 1LL << 30);
  if (o.json) {
    JsonArray layers;
    for (const auto& g : m.layers)
      layers.push(JsonObject()
                      .add("count", Json::integer(g.count))
                      .add("attention", Json::string(to_string(g.attention.kind)))
                      .add("q_heads", Json::integer(g.attention.q_heads))
                      .add("kv_heads", Json::integer(g.attention.kv_heads))
                      .add("head_dim", Json::integer(g.attention.head_dim))
                      .add("window", Json::integer(g.attention.kind == AttentionKind::sliding ||
                                                           g.attention.kind == AttentionKind::compressed
                                                       ? g.attention.window
                                                       : 0))
                      .add("compress_ratio", Json::integer(g.attention.compress_ratio))
                      .add("kv_bytes_per_token", Json::bytes(kv_bytes_per_token(g.attention, kv).value))
                      .add("kv_reused", Json::boolean(g.attention.kv_reused))
                      .add("raw_window_bytes_per_token", Json::bytes(raw_window_bytes_per_token(g.attention, kv).value))
                      .add("experts", Json::integer(g.ffn.is_moe() ? g.ffn.experts : 0))
                      .add("active_experts", Json::integer(g.ffn.is_moe() ? g.ffn.active_experts : 0)));
    out << JsonObject()
               .add("schema_version", Json::integer(kSchemaVersion))
               .add("model", Json::string(m.id))
               .add("name", Json::string(m.name))
               .add("source", Json::string(m.source))
               .add("params", Json::integer(static_cast<long long>(total_params(m))))
               .add("active_params", Json::integer(static_cast<long long>(active_params(m))))
               .add("quant", Json::string(q.id))
               .add("weights_bytes", Json::bytes(weight_bytes(m, q).value))
               .add("kv_dtype", Json::string(kv.id))
               .add("context", Json::integer(ctx))
               .add("kv_bytes_per_sequence", Json::bytes(kv_bytes_at(m, kv, static_cast<double>(ctx)).value))
               .add("state_bytes", Json::bytes(state_bytes(m).value))
               .add("hidden", Json::integer(m.hidden))
               .add("vocab", Json::integer(m.vocab))
               .add("max_context", Json::integer(m.max_context))
               .add("per_layer_input", Json::integer(m.per_layer_input))
               .add("per_layer_vocab", Json::integer(m.per_layer_vocab))
               .add("layers", layers)
               .str()
        << "\n";
    return kOk;
  }
  std::string text;  // wrapped within 100 columns at the end
  text += fmt::format("{} ({})\nsource: {}\n", m.name, m.id, m.source);
  text += fmt::format("parameters: {:.3f} B total, {:.3f} B active per token (embedding lookup excluded)",
                     total_params(m) / 1e9, active_params(m) / 1e9);
  if (m.encoder_params > 0) text += fmt::format(", plus {:.3f} B in encoders", m.encoder_params / 1e9);
  text += fmt::format("\nweights at {}: {} ({})\n", q.id, format_gb(weight_bytes(m, q)), format_gib(weight_bytes(m, q)));
  if (!src.quant_origin.empty()) text += fmt::format("quantization {} from {}\n", src.quant, src.quant_origin);
  if (src.file_weight_bytes)
    text += fmt::format("weights in the files: {} bytes ({}), as stored; the estimate above is {:.1f}% of it\n",
                       static_cast<long long>(*src.file_weight_bytes), format_gb(Bytes(*src.file_weight_bytes)),
                       100.0 * weight_bytes(m, q).value / *src.file_weight_bytes);
  for (const auto& note : src.notes) text += "note: " + note + "\n";
  text += fmt::format("KV cache ({}) at {} tokens: {} per sequence; fixed state {}\n", kv.id, ctx,
                     format_gb(kv_bytes_at(m, kv, static_cast<double>(ctx))), format_gb(state_bytes(m)));
  text += fmt::format("hidden {}, vocab {}, tied embeddings {}, max context {}\n", m.hidden, m.vocab, m.tied_embeddings,
                     m.max_context);
  if (m.per_layer_input > 0)
    text += fmt::format("per-layer inputs: {} a layer from a table of {} rows ({:.3f} B parameters, gathered)\n",
                        m.per_layer_input, m.per_layer_vocab, per_layer_table_params(m) / 1e9);
  text += "layers:\n";
  for (const auto& g : m.layers) {
    const auto& a = g.attention;
    text += fmt::format("  {:>3} x {:<8} q {:>3} kv {:>3} head_dim {:>3}{}  KV/token {:>6.0f} B{}  ffn {}{}\n", g.count,
                       to_string(a.kind), a.q_heads, a.kv_heads, a.head_dim,
                       a.kind == AttentionKind::sliding      ? fmt::format(" window {}", a.window)
                       : a.kind == AttentionKind::compressed ? fmt::format(" window {} ratio {}", a.window, a.compress_ratio)
                                                             : "",
                       kv_bytes_per_token(a, kv).value, a.kv_reused ? " (reads an earlier layer's)" : "",
                       g.ffn.is_moe() ? fmt::format("MoE {}/{} x {}", g.ffn.active_experts, g.ffn.experts, g.ffn.expert_intermediate)
                                      : fmt::format("dense {}", g.ffn.intermediate),
                       g.ffn.intermediate && g.ffn.is_moe() ? fmt::format(" + dense {}", g.ffn.intermediate) : "");
  }
  out << wrap_long_lines(text, kTableWidth, 6);
  return kOk;
}

}  // namespace ridgeline::cli
