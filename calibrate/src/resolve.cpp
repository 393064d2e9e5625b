// Source spellings -> catalog ids. Each rule is a fact about how a source writes names; anything
// else is unresolved with its reason, or mapped explicitly (NameMaps).
#include "ridgeline/resolve.hpp"

#include <algorithm>
#include <tuple>

#include "ridgeline/catalog.hpp"
#include "ridgeline/catalog_lookup.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/hardware.hpp"
#include "ridgeline/names.hpp"
#include "ridgeline/quant.hpp"
#include "ridgeline/runtime.hpp"
#include "ridgeline/runtime_compat.hpp"

namespace ridgeline {

namespace {


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
      throw FieldError("map", "'{}'; expected KIND:TEXT=ID or KIND=ID with KIND one of chip, model, quant, runtime", spec);
    const std::string left = spec.substr(0, eq), id = spec.substr(eq + 1);
    const auto colon = left.find(':');
    const std::string kind = left.substr(0, colon);
    const std::string text = colon == std::string::npos ? "*" : left.substr(colon + 1);
    if (std::find(kKinds.begin(), kKinds.end(), kind) == kKinds.end())
      throw FieldError("map", "'{}': kind '{}' is not chip, model, quant or runtime{}", spec, kind, did_you_mean(kind, kKinds));
    if (!known_id(kind, id)) throw FieldError("map", "'{}': '{}' is not a known {} id", spec, id, kind);
    maps.by_kind[kind][text] = id;
  }
  return maps;
}

std::string resolve_chip_name(const std::string& chip, int gpu_cores, std::string& why) {
  HardwareMatch m = match_hardware_name(chip, gpu_cores);
  if (m.id.empty()) {
    why = chip.empty() ? "no chip stated" : m.refusal;
    return "";
  }
  if (!m.notes.empty()) why = m.notes.front();
  return m.id;
}

std::string resolve_runtime_name(const std::string& runtime, const std::string& vendor, std::string& why) {
  std::string id = match_runtime_name(runtime, vendor, why);
  if (id.empty() && runtime.empty()) why = "no runtime stated";
  return id;
}

namespace {
// "Llama 3 8B (dir '8B-v3')": XiongjieDai's tables name the model folder in parentheses.
std::string dir_in_parentheses(const std::string& model) {
  const auto at = model.find("(dir '");
  if (at == std::string::npos) return "";
  const auto end = model.find('\'', at + 6);
  return end == std::string::npos ? "" : model.substr(at + 6, end - at - 6);
}
}  // namespace

std::string resolve_model_name(const std::string& model, std::string& why, std::string* implied_quant, bool ollama) {
  if (model.empty()) return why = "no model stated", "";
  NameMatch m = ollama ? match_ollama_model_name(model) : match_model_name(model);
  if (m.id.empty())
    if (std::string dir = dir_in_parentheses(model); !dir.empty())
      if (NameMatch d = match_model_name(dir); !d.id.empty()) m = d;
  if (m.id.empty()) return why = m.refusal, "";
  if (!m.notes.empty()) why = m.notes.front();
  if (implied_quant) *implied_quant = m.quant;
  return m.id;
}

std::string resolve_quant_name(const std::string& quant, std::string& why) {
  NameMatch m = match_quant_name(quant);
  if (m.id.empty()) {
    why = quant.empty() ? "no quantization stated" : m.refusal;
    return "";
  }
  if (!m.notes.empty()) why = m.notes.front();
  return m.id;
}

namespace {

// The names of a row (chip and GPU cores, runtime, model, quantization) to ids; reasons go to `reasons`.
Resolution resolve_names(const Measurement& m, const NameMaps& maps, std::vector<ResolveProblem>& reasons) {
  Resolution r;
  auto mapped = [&](const std::string& kind, const std::string& text) -> std::string {
    auto k = maps.by_kind.find(kind);
    if (k == maps.by_kind.end()) return "";
    if (auto it = k->second.find(text); it != k->second.end()) return it->second;
    if (auto it = k->second.find("*"); it != k->second.end()) return it->second;
    return "";
  };
  auto step = [&](const std::string& kind, const std::string& text, auto&& fn) {
    std::string id = mapped(kind, text);
    if (!id.empty()) return id;
    std::string why;
    id = fn(why);
    if (id.empty()) reasons.push_back({why, text.empty() ? kind : ""});
    else if (!why.empty()) r.assumptions.push_back(why);
    return id;
  };
  r.hardware = step("chip", m.chip, [&](std::string& w) { return resolve_chip_name(m.chip, m.gpu_cores, w); });
  std::string vendor;
  if (!r.hardware.empty()) vendor = resolve_hardware(r.hardware).vendor;
  r.runtime = step("runtime", m.runtime, [&](std::string& w) { return resolve_runtime_name(m.runtime, vendor, w); });
  std::string name_quant;  // a quantization written in the model's name ("Qwen3-8B-4bit")
  // A row of Ollama names its models as Ollama's library does ("deepseek-r1" is deepseek-r1:8b).
  r.model = step("model", m.model, [&](std::string& w) { return resolve_model_name(m.model, w, &name_quant, r.runtime == "ollama"); });
  if (m.quant.empty() && !name_quant.empty() && mapped("quant", m.quant).empty()) {
    r.quant = name_quant;
    r.assumptions.push_back(fmt::format("quantization {} read from the model name", name_quant));
  } else if (std::string why; !name_quant.empty() && mapped("quant", m.quant).empty() &&
             resolve_quant_name(m.quant, why).empty()) {
    r.quant = name_quant;  // "ollama default tag (quant not printed)": the tag's rule gives it
    r.assumptions.push_back(fmt::format("quantization '{}' not readable: {} from the model name", m.quant, name_quant));
  } else {
    r.quant = step("quant", m.quant, [&](std::string& w) { return resolve_quant_name(m.quant, w); });
  }
  const bool quant_mapped = !mapped("quant", m.quant).empty();  // a --map names the quantization: taken as given
  // A checkpoint named for its multi-token-prediction head ("qwen3.6:27b-mtp-q8_0") is run to draft
  // tokens: the rate is a speculative one (such rows measure well above the roofline).
  for (const std::string* text : {&m.model, &m.quant}) {
    const auto words = name_words(*text);
    if (std::find(words.begin(), words.end(), "mtp") != words.end()) {
      reasons.push_back({fmt::format("'{}' names a multi-token-prediction checkpoint: speculative decoding is not modelled", *text), ""});
      break;
    }
  }
  if (quant_mapped) return r;
  // lhl/strix-halo-testing names the gpt-oss GGUFs "-F16" and llama.cpp reports F16, but the
  // weights are the MXFP4 release (../shared/data/README.md).
  if (r.model.starts_with("gpt-oss") && (r.quant == "f16" || r.quant == "bf16")) {
    r.quant = "mxfp4";
    r.assumptions.push_back("gpt-oss '-F16' GGUF holds MXFP4 experts");
  }
  // Under MLX a block-float format (MXFP4, NVFP4) is MLX's own mode of it on every layer ("mlx-" in the
  // table), except gpt-oss's MXFP4 layout, whose name says the rest is 8-bit ("MXFP4-Q8", "experts / Q8").
  if (const std::string own = "mlx-" + r.quant;
      !r.quant.empty() && runtime_loads(r.runtime, "mlx") && find_by_id(quantizations(), own, &Quantization::id)) {
    const auto words = name_words(m.quant + " " + m.model);
    const bool rest_at_8 = r.quant == "mxfp4" && std::any_of(words.begin(), words.end(), [](const std::string& w) {
                             return w == "q8" || w == "experts" || w == "moe";
                           });
    if (!rest_at_8) {
      r.assumptions.push_back(fmt::format("{} under MLX: MLX's {} mode on every layer ({})", r.quant, r.quant, own));
      r.quant = own;
    }
  }
  // A format the runtime does not load ("4 bit" read as MLX under llama.cpp; a GGUF type under MLX).
  if (!r.runtime.empty() && !r.quant.empty())
    if (std::string why = quant_runtime_mismatch(r.quant, r.runtime); !why.empty()) reasons.push_back({why, ""});
  if (!r.runtime.empty() && !r.model.empty())
    if (std::string why = runtime_model_mismatch(r.runtime, r.model); !why.empty()) reasons.push_back({why, ""});
  return r;
}

Resolution finish(Resolution r, const Measurement& m, std::vector<ResolveProblem> reasons) {
  if (!m.prefill_tok_s && !m.decode_tok_s && !m.transient_bytes && !m.kv_capacity)
    reasons.push_back({"no measured rate or memory figure in this row", ""});
  r.ok = reasons.empty();
  for (const auto& p : reasons) r.reason += (r.reason.empty() ? "" : "; ") + p.why;
  r.problems = std::move(reasons);
  return r;
}

}  // namespace

Resolution resolve_measurement(const Measurement& m, const NameMaps& maps) {
  std::vector<ResolveProblem> reasons;
  Resolution r = resolve_names(m, maps, reasons);
  return finish(std::move(r), m, std::move(reasons));
}

std::vector<Resolution> resolve_measurements(const std::vector<Measurement>& rows, const NameMaps& maps) {
  // A data set writes a few dozen spellings over thousands of rows; name matching (and the
  // suggestions of a refusal) costs far more than a lookup.
  using Key = std::tuple<std::string, int, std::string, std::string, std::string>;
  std::map<Key, std::pair<Resolution, std::vector<ResolveProblem>>> seen;
  std::vector<Resolution> out;
  out.reserve(rows.size());
  for (const auto& m : rows) {
    Key key{m.chip, m.gpu_cores, m.runtime, m.model, m.quant};
    auto it = seen.find(key);
    if (it == seen.end()) {
      std::vector<ResolveProblem> reasons;
      Resolution r = resolve_names(m, maps, reasons);
      it = seen.emplace(std::move(key), std::pair{std::move(r), std::move(reasons)}).first;
    }
    out.push_back(finish(it->second.first, m, it->second.second));
  }
  return out;
}

}  // namespace ridgeline
