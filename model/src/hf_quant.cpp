// The quantization a Hugging Face / MLX config.json declares. MLX writes
// `quantization: {group_size, bits, mode}` (plus per-layer overrides keyed by module path);
// transformers writes `quantization_config` with a `quant_method` (fp8, mxfp4, modelopt,
// compressed-tensors, gptq, awq, ...). Unquantized checkpoints say their dtype instead.
#include "ridgeline/model_source.hpp"
#include "ridgeline/quant.hpp"
#include "ridgeline/strict_reader.hpp"

namespace ridgeline {

namespace {
bool present(const Node& n, const char* key) { return n.has(key); }

std::string text(const Node& n, const char* key, const std::string& where, const std::string& fallback = "") {
  return present(n, key) ? scalar_string(n[key], fmt::format("{}: {}", where, key)) : fallback;
}

// A bit width (1-64) or a group size (up to 2^20 weights).
int whole(const Node& n, const char* key, const std::string& where, int fallback) {
  if (!present(n, key)) return fallback;
  const double max = std::string(key).find("bits") != std::string::npos ? 64 : 1 << 20;
  const std::string at = fmt::format("{}: {}", where, key);
  const double v = scalar_number(n[key], at, 1, max);
  if (v != static_cast<int>(v)) throw InputError("{}: {} is not a whole number", at, v);
  return static_cast<int>(v);
}

bool known(const std::string& id) {
  for (const auto& q : quantizations())
    if (q.id == id) return true;
  return false;
}

void mlx_block(const Node& q, const std::string& where, ModelSource& out) {
  const int bits = whole(q, "bits", where, 0);
  const int group = whole(q, "group_size", where, 64);
  const std::string mode = text(q, "mode", where, "affine");
  const std::string id = group == 64 ? fmt::format("mlx-{}bit", bits) : fmt::format("mlx-{}bit-g{}", bits, group);
  if (mode != "affine" || !known(id)) {
    out.unknown_quant = fmt::format("{}: MLX {} {}-bit group {}", where, mode, bits, group);
    return;
  }
  out.quant = id;
  out.quant_origin = fmt::format("config.json {} (MLX {}-bit, group {})", where.substr(where.rfind(' ') + 1), bits, group);
  int overrides = 0;
  std::string example;
  for (const auto& entry : q.entries()) {
    const std::string& key = entry.key;
    if (key == "bits" || key == "group_size" || key == "mode" || key == "quant_method") continue;
    if (example.empty()) example = key;
    ++overrides;
  }
  if (overrides > 0)
    out.notes.push_back(fmt::format("{} modules are quantized differently from the rest (e.g. '{}'); "
                                    "the {} widths apply to all matrices", overrides, example, id));
}

void method_block(const Node& q, const std::string& where, ModelSource& out) {
  const std::string method = text(q, "quant_method", where);
  std::string id;
  std::string detail = method;
  if (method == "fp8" || method == "mxfp4") {
    id = method;
  } else if (method == "modelopt") {
    const std::string algo = text(q, "quant_algo", where);
    detail += " " + algo;
    if (algo == "NVFP4") id = "nvfp4";
    else if (algo == "FP8") id = "fp8";
  } else if (method == "compressed-tensors" && present(q, "config_groups") && q["config_groups"].is_map()) {
    for (const auto& group : q["config_groups"].entries()) {
      const std::string gw = fmt::format("{}: config_groups: {}", where, group.key);
      const Node& w = group.value["weights"];
      const int bits = whole(w, "num_bits", gw + ": weights", 0);
      const std::string type = text(w, "type", gw + ": weights");
      detail = fmt::format("{} {}-bit {}", method, bits, type);
      if (type == "float" && bits == 8) id = "fp8";
      else if (type == "float" && bits == 4 && whole(w, "group_size", gw + ": weights", 0) == 16) id = "nvfp4";
      break;  // the first group covers the Linear layers in every checkpoint seen
    }
  } else if (present(q, "bits")) {
    detail = fmt::format("{} {}-bit", method, whole(q, "bits", where, 0));
  }
  if (id.empty()) {
    out.unknown_quant = fmt::format("{}: {}", where, detail);
    return;
  }
  out.quant = id;
  out.quant_origin = fmt::format("config.json quantization_config ({})", detail);
}
}  // namespace

bool quantization_from_hf_config(const std::string& config_json, const std::string& label, ModelSource& out) {
  const Node root = load_document_text(config_json, label);
  if (!root.is_map()) throw InputError("{}: expected a JSON object", label);
  for (const char* key : {"quantization", "quantization_config"}) {
    if (!present(root, key)) continue;
    const Node& q = root[key];
    const std::string where = fmt::format("{}: {}", label, key);
    if (!q.is_map()) throw InputError("{}: expected an object", where);
    if (present(q, "quant_method")) method_block(q, where, out);
    else if (present(q, "bits")) mlx_block(q, where, out);
    else out.unknown_quant = fmt::format("{}: neither 'bits' nor 'quant_method'", where);
    return true;
  }
  const Node& text_config = present(root, "text_config") ? root["text_config"] : root;
  for (const Node* n : {&root, &text_config})
    for (const char* key : {"torch_dtype", "dtype"}) {
      const std::string dtype = text(*n, key, label);
      const std::string id = dtype == "bfloat16" ? "bf16" : dtype == "float16" ? "f16" : dtype == "float32" ? "f32" : "";
      if (id.empty()) continue;
      out.quant = id;
      out.quant_origin = fmt::format("config.json {} {}", key, dtype);
      return false;
    }
  return false;
}

void quantization_from_hf_quant_config(const std::string& json, const std::string& label, ModelSource& out) {
  const Node root = load_document_text(json, label);
  if (!present(root, "quantization") || !root["quantization"].is_map())
    throw InputError("{}: missing required key 'quantization' (an NVIDIA ModelOpt hf_quant_config.json)", label);
  const std::string where = label + ": quantization";
  const std::string algo = text(root["quantization"], "quant_algo", where);
  const std::string id = algo == "FP8" ? "fp8" : algo == "NVFP4" ? "nvfp4" : "";
  out.quant.clear();
  out.unknown_quant.clear();
  if (id.empty()) {
    out.unknown_quant = fmt::format("{}: quant_algo {}", where, algo);
    return;
  }
  out.quant = id;
  out.quant_origin = fmt::format("hf_quant_config.json quant_algo {}", algo);
}

}  // namespace ridgeline
