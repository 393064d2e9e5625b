// Source spellings -> catalog ids. Each rule is a fact about how a source writes names; anything
// else is unresolved with its reason, or mapped explicitly with --map.
#include "ridgeline/resolve.hpp"

#include <algorithm>
#include <regex>

#include "ridgeline/catalog.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/hardware.hpp"
#include "ridgeline/quant.hpp"
#include "ridgeline/runtime.hpp"

namespace ridgeline {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}
bool has(const std::string& s, const char* needle) { return s.find(needle) != std::string::npos; }

const std::vector<std::string> kKinds = {"chip", "model", "quant", "runtime"};

bool known_id(const std::string& kind, const std::string& id) {
  try {
    if (kind == "chip") resolve_hardware(id);
    else if (kind == "model") resolve_model(id);
    else if (kind == "quant") find_quantization(id);
    else resolve_runtime(id);
    return true;
  } catch (const InputError&) {
    return false;
  }
}

}  // namespace

NameMaps parse_name_maps(const std::vector<std::string>& specs) {
  NameMaps maps;
  for (const auto& spec : specs) {
    const auto eq = spec.rfind('=');
    if (eq == std::string::npos || eq + 1 == spec.size())
      throw InputError("--map: '{}'; expected KIND:TEXT=ID or KIND=ID with KIND one of chip, model, quant, runtime", spec);
    const std::string left = spec.substr(0, eq), id = spec.substr(eq + 1);
    const auto colon = left.find(':');
    const std::string kind = left.substr(0, colon);
    const std::string text = colon == std::string::npos ? "*" : left.substr(colon + 1);
    if (std::find(kKinds.begin(), kKinds.end(), kind) == kKinds.end())
      throw InputError("--map: '{}': kind '{}' is not chip, model, quant or runtime{}", spec, kind, did_you_mean(kind, kKinds));
    if (!known_id(kind, id)) throw InputError("--map: '{}': '{}' is not a known {} id", spec, id, kind);
    maps.by_kind[kind][text] = id;
  }
  return maps;
}

std::string resolve_chip_name(const std::string& chip, int gpu_cores, std::string& why) {
  const std::string c = lower(chip);
  if (has(c, "gb10") || has(c, "dgx spark")) return "dgx-spark";
  if (has(c, "ryzen ai max+ 395") || has(c, "strix halo") || has(c, "8060s")) return "strix-halo-395";
  if (has(c, "h200")) return "h200-sxm";
  if (has(c, "rtx 5090")) return "rtx-5090";
  if (has(c, "rtx 4090")) return "rtx-4090";
  static const std::regex apple_re(R"(apple (m[1-9])(?: (pro|max|ultra))?\b)");
  std::smatch m;
  if (!std::regex_search(c, m, apple_re)) {
    why = chip.empty() ? "no chip stated (use --map chip=ID)" : fmt::format("chip '{}' is not in the hardware catalog", chip);
    return "";
  }
  const std::string family = m[1].str(), tier = m[2].matched ? m[2].str() : "base";
  const HardwareSpec* best = nullptr;
  for (const auto& hw : hardware_catalog()) {
    if (hw.vendor != "apple" || hw.family != family || hw.tier != tier) continue;
    if (gpu_cores > 0 && hw.gpu_cores.value == gpu_cores) return hw.id;
    if (!best || hw.gpu_cores.value > best->gpu_cores.value) best = &hw;
  }
  if (!best) {
    why = fmt::format("chip '{}' is not in the hardware catalog", chip);
    return "";
  }
  if (gpu_cores > 0) {
    why = fmt::format("chip '{}' with {} GPU cores is not in the hardware catalog", chip, gpu_cores);
    return "";
  }
  why = fmt::format("GPU cores not stated: assumed the {}-core {}", best->gpu_cores.value, best->id);
  return best->id;
}

std::string resolve_runtime_name(const std::string& runtime, const std::string& vendor, std::string& why) {
  const std::string r = lower(runtime);
  if (r == "pytorch-sdpa" || r == "pytorch-cudagraph") return r;
  if (has(r, "ds4")) return why = "ds4 (a DeepSeek-V4-Flash-only engine) has no runtime profile", "";
  if (has(r, "speculative") || has(r, "mtp")) return why = "speculative decoding is not modelled", "";
  if (has(r, "vllm-mlx")) return "vllm-mlx";
  if (has(r, "ollama")) return "ollama";
  if (has(r, "mlx")) {
    if (has(r, "omlx") || has(r, "lm studio")) return why = fmt::format("runtime '{}' (an MLX front end with its own caching) has no profile", runtime), "";
    return "mlx";
  }
  if (has(r, "llama.cpp") || has(r, "llama-server") || has(r, "llama-bench")) {
    if (has(r, " cpu")) return why = "llama.cpp on the CPU is not modelled", "";
    if (has(r, "metal") || has(r, "mtl")) return "llama.cpp-metal";
    if (has(r, "cuda")) return "llama.cpp-cuda";
    if (has(r, "rocm") || has(r, "hip") || has(r, "rocwmma")) return "llama.cpp-rocm";
    if (has(r, "vulkan") || has(r, "radv") || has(r, "amdvlk")) return "llama.cpp-vulkan";
    if (vendor == "apple") return why = "llama.cpp backend not stated: assumed Metal on Apple", "llama.cpp-metal";
    return why = fmt::format("llama.cpp backend not stated in '{}'", runtime), "";
  }
  return why = runtime.empty() ? "no runtime stated (use --map runtime=ID)"
                               : fmt::format("runtime '{}' has no profile", runtime), "";
}

namespace {
std::string catalog_match(const std::string& name) {
  const std::string key = normalize_name(name);
  if (key.empty()) return "";
  for (const auto& m : model_catalog()) {
    if (normalize_name(m.id) == key) return m.id;
    for (const auto& a : m.aliases)
      if (normalize_name(a) == key) return m.id;
  }
  return "";
}
}  // namespace

std::string resolve_model_name(const std::string& model, std::string& why) {
  static const std::regex dir_re(R"(\(dir '([^']+)'\))");
  static const std::regex paren_re(R"(\s*\(.*\)\s*)");
  static const std::regex quant_suffix_re(R"([-._ ](ud-|i1-)?(i?q[0-9]\w*|bf16|f16|f32|mxfp4|mlx|gguf|ggmlv3)\b.*$)",
                                          std::regex::icase);
  std::vector<std::string> candidates{model};
  std::smatch m;
  if (std::regex_search(model, m, dir_re)) candidates.push_back(m[1].str());
  std::string base = std::regex_replace(model, paren_re, "");
  candidates.push_back(base);
  candidates.push_back(std::regex_replace(base, quant_suffix_re, ""));
  for (auto c : std::vector<std::string>(candidates)) {
    for (const char* prefix : {"OpenAI ", "LLaMA (v1) "}) {
      if (c.starts_with(prefix)) candidates.push_back("LLaMA " + c.substr(std::string(prefix).size()));
      if (c.starts_with(prefix)) candidates.push_back(c.substr(std::string(prefix).size()));
    }
    for (const char* suffix : {"-Instruct", " Instruct", "-it", "-chat", "-Base"})
      if (c.ends_with(suffix)) candidates.push_back(c.substr(0, c.size() - std::string(suffix).size()));
  }
  for (const auto& c : candidates)
    if (auto id = catalog_match(c); !id.empty()) return id;
  why = model.empty() ? "no model stated (use --map model=ID)" : fmt::format("model '{}' is not in the catalog", model);
  return "";
}

std::string resolve_quant_name(const std::string& quant, std::string& why) {
  std::string q = lower(quant);
  q = std::regex_replace(q, std::regex(R"(\s*\(.*\)\s*)"), "");
  q = std::regex_replace(q, std::regex(R"(^mostly\s+)"), "");
  q = std::regex_replace(q, std::regex(R"(^i1-)"), "");
  q = std::regex_replace(q, std::regex(R"(\s*-\s*medium$)"), "_m");
  q = std::regex_replace(q, std::regex(R"(\s*-\s*small$)"), "_s");
  q = std::regex_replace(q, std::regex(R"(^mlx (\d)bit$)"), "mlx-$1bit");
  for (const auto& t : quantizations())
    if (t.id == q) return t.id;
  why = quant.empty() ? "no quantization stated (use --map quant=ID)"
                      : fmt::format("quantization '{}' is not known", quant);
  return "";
}

Resolution resolve_measurement(const Measurement& m, const NameMaps& maps) {
  Resolution r;
  auto mapped = [&](const std::string& kind, const std::string& text) -> std::string {
    auto k = maps.by_kind.find(kind);
    if (k == maps.by_kind.end()) return "";
    if (auto it = k->second.find(text); it != k->second.end()) return it->second;
    if (auto it = k->second.find("*"); it != k->second.end()) return it->second;
    return "";
  };
  std::vector<std::string> reasons;
  auto step = [&](const std::string& kind, const std::string& text, auto&& fn) {
    std::string id = mapped(kind, text);
    if (!id.empty()) return id;
    std::string why;
    id = fn(why);
    if (id.empty()) reasons.push_back(why);
    else if (!why.empty()) r.assumptions.push_back(why);
    return id;
  };
  r.hardware = step("chip", m.chip, [&](std::string& w) { return resolve_chip_name(m.chip, m.gpu_cores, w); });
  std::string vendor;
  if (!r.hardware.empty()) vendor = resolve_hardware(r.hardware).vendor;
  r.runtime = step("runtime", m.runtime, [&](std::string& w) { return resolve_runtime_name(m.runtime, vendor, w); });
  r.model = step("model", m.model, [&](std::string& w) { return resolve_model_name(m.model, w); });
  r.quant = step("quant", m.quant, [&](std::string& w) { return resolve_quant_name(m.quant, w); });
  // lhl/strix-halo-testing names the gpt-oss GGUFs "-F16" and llama.cpp reports F16, but the
  // weights are the MXFP4 release (../shared/data/README.md).
  if (r.model.starts_with("gpt-oss") && (r.quant == "f16" || r.quant == "bf16") && mapped("quant", m.quant).empty()) {
    r.quant = "mxfp4";
    r.assumptions.push_back("gpt-oss '-F16' GGUF holds MXFP4 experts");
  }
  if (!m.prefill_tok_s && !m.decode_tok_s && !m.transient_bytes && !m.kv_capacity)
    reasons.push_back("no measured rate or memory figure in this row");
  r.ok = reasons.empty();
  for (const auto& why : reasons) r.reason += (r.reason.empty() ? "" : "; ") + why;
  return r;
}

}  // namespace ridgeline
