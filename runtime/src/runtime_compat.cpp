#include "ridgeline/runtime_compat.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ridgeline {

namespace {
struct RuntimeHome {
  const char* id;
  std::vector<std::string> vendors;
  std::vector<std::string> models = {};  // the only models it runs; empty: any
};
const std::vector<RuntimeHome>& runtime_homes() {
  static const std::vector<RuntimeHome> homes = {
      {"llama.cpp-metal", {"apple"}},
      {"ollama", {"apple"}},  // the shipped ollama profile wraps the Metal backend
      {"mlx", {"apple"}},
      {"vllm-mlx", {"apple"}},
      {"llama-server", {"apple"}},  // the shipped profile wraps the Metal backend
      {"mlx-server", {"apple"}},
      {"llama.cpp-cuda", {"nvidia"}},
      {"llama.cpp-rocm", {"amd"}},
      {"llama.cpp-vulkan", {"amd", "nvidia"}},
      {"pytorch-cudagraph", {"nvidia"}},  // CUDA graphs
      {"pytorch-sdpa", {"nvidia", "amd"}},  // the profile's figures are CUDA/ROCm PyTorch
      {"ds4", {"apple", "nvidia"}, {"deepseek-v4-flash"}},  // its Metal and CUDA backends; one model
  };
  return homes;
}

std::vector<std::string> loadable_families(const std::string& runtime) {
  // MXFP4 is both a GGUF type and an MLX format (gpt-oss ships in both).
  if (runtime.starts_with("llama.cpp") || runtime == "ollama" || runtime == "llama-server") return {"gguf", "mxfp4", "float"};
  if (runtime == "mlx" || runtime == "vllm-mlx" || runtime == "mlx-server") return {"mlx", "mxfp4", "float"};
  if (runtime.starts_with("pytorch")) return {"checkpoint", "float"};
  if (runtime == "ds4") return {"gguf"};  // its own GGUFs of DeepSeek-V4-Flash
  return {};
}

// The shipped runtime's home, or nullptr for a runtime of the user's own (not judged).
const RuntimeHome* home_of(const std::string& runtime) {
  for (const auto& h : runtime_homes())
    if (runtime == h.id) return &h;
  return nullptr;
}
}  // namespace

std::vector<std::string> runtimes_for_vendor(const std::string& vendor) {
  std::vector<std::string> out;
  for (const auto& h : runtime_homes())
    if (std::find(h.vendors.begin(), h.vendors.end(), vendor) != h.vendors.end()) out.push_back(h.id);
  return out;
}

std::string runtime_vendor_mismatch(const RuntimeSpec& rt, const std::string& hardware_id, const std::string& vendor) {
  const RuntimeHome* h = home_of(rt.id);
  if (!h || std::find(h->vendors.begin(), h->vendors.end(), vendor) != h->vendors.end()) return "";
  return fmt::format("{} does not run on {} ({} hardware); runtimes for {}: {}", rt.id, hardware_id, vendor, vendor,
                     fmt::join(runtimes_for_vendor(vendor), ", "));
}

bool runs_one_model(const std::string& runtime) {
  const RuntimeHome* h = home_of(runtime);
  return h && h->models.size() == 1;
}

std::string runtime_model_mismatch(const std::string& runtime, const std::string& model_id) {
  const RuntimeHome* h = home_of(runtime);
  if (!h || h->models.empty() || std::find(h->models.begin(), h->models.end(), model_id) != h->models.end()) return "";
  return fmt::format("{} runs only {}, not {}", runtime, fmt::join(h->models, ", "), model_id);
}

std::string quant_family(const std::string& quant) {
  if (quant == "f16" || quant == "bf16" || quant == "f32") return "float";
  if (quant.starts_with("mlx-")) return "mlx";
  if (quant == "mxfp4") return "mxfp4";
  if (quant == "fp8" || quant == "nvfp4") return "checkpoint";
  return "gguf";  // llama.cpp block types, unsloth dynamic mixes, GGUF MXFP4
}

bool runtime_loads(const std::string& runtime, const std::string& family) {
  const auto families = loadable_families(runtime);
  return std::find(families.begin(), families.end(), family) != families.end();
}

std::string quant_runtime_mismatch(const std::string& quant, const std::string& runtime) {
  const auto families = loadable_families(runtime);
  if (families.empty() || runtime_loads(runtime, quant_family(quant))) return "";
  return fmt::format("{} cannot load {} ({} format; it loads {} weights)", runtime, quant, quant_family(quant),
                     fmt::join(families, " or "));
}

std::string quant_runtime_mismatch(const std::string& quant, const RuntimeSpec& rt) { return quant_runtime_mismatch(quant, rt.id); }

}  // namespace ridgeline
