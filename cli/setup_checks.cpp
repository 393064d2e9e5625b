// Setups no machine runs: RAM a chip is never sold with, a runtime on hardware it does not run on,
// a quantization its runtime cannot load. Refused with the allowed values (issue 14).
#include <algorithm>
#include <cmath>
#include <fmt/ranges.h>
#include <iostream>

#include "commands.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/yaml_reader.hpp"

namespace ridgeline::cli {

double parse_ram_gb(const std::string& text, const std::string& flag) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  const auto number = parse_double(text.substr(0, i));
  std::string unit = text.substr(i);
  unit.erase(0, unit.find_first_not_of(' '));
  std::string lower;
  for (char c : unit) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // Apple sells "36GB" of 2^30-byte chips: GB, G and GiB all name that part; TB is 1024 of them.
  double scale = 0;
  if (lower.empty() || lower == "g" || lower == "gb" || lower == "gib") scale = 1;
  else if (lower == "t" || lower == "tb" || lower == "tib") scale = 1024;
  if (!number || *number <= 0 || scale == 0)
    throw InputError("{}: '{}' is not a RAM size (expected GB as sold, e.g. 36, '36 GB' or 36GB)", flag, text);
  return *number * scale;
}

std::string sold_sizes_text(const HardwareSpec& hw) {
  std::vector<std::string> sizes;
  for (Bytes b : hw.memory_sizes.value) sizes.push_back(fmt::format("{:g}", sold_ram_gb(b)));
  return fmt::format("{} GB", fmt::join(sizes, ", "));
}

Bytes sold_ram(const HardwareSpec& hw, const std::string& text, const std::string& flag, bool any_size) {
  const double gb = parse_ram_gb(text, flag);
  for (Bytes b : hw.memory_sizes.value)
    if (std::abs(sold_ram_gb(b) - gb) < 0.05) return b;
  if (!any_size)
    throw InputError("{}: {} is not sold with {:g} GB (sizes: {}); pass --any-memory to predict for it anyway", flag,
                     hw.id, gb, sold_sizes_text(hw));
  if (gb > 1e6) throw InputError("{}: '{}' is out of range (expected at most 1000000 GB)", flag, text);
  return gibibytes(gb);
}

namespace {
// Which vendors' hardware a runtime runs on, by the id of the runtime it is (or wraps).
struct RuntimeHome {
  const char* id;
  std::vector<std::string> vendors;
};
const RuntimeHome kRuntimeHomes[] = {
    {"llama.cpp-metal", {"apple"}}, {"ollama", {"apple"}},  // the shipped ollama profile wraps the Metal backend
    {"mlx", {"apple"}},             {"vllm-mlx", {"apple"}},
    {"llama.cpp-cuda", {"nvidia"}}, {"llama.cpp-rocm", {"amd"}},
    {"llama.cpp-vulkan", {"amd", "nvidia"}},
    {"pytorch-cudagraph", {"nvidia"}},  // CUDA graphs
    {"pytorch-sdpa", {"nvidia", "amd"}},
};

// Weight formats by family: GGUF block types (llama.cpp), MLX affine, checkpoint FP8/NVFP4, plain floats.
std::string quant_family(const std::string& quant) {
  if (quant == "f16" || quant == "bf16" || quant == "f32") return "float";
  if (quant.starts_with("mlx-")) return "mlx";
  if (quant == "fp8" || quant == "nvfp4") return "checkpoint";
  return "gguf";
}

std::vector<std::string> loadable_families(const std::string& runtime) {
  if (runtime.starts_with("llama.cpp") || runtime == "ollama") return {"gguf", "float"};
  if (runtime == "mlx" || runtime == "vllm-mlx") return {"mlx", "float"};
  if (runtime.starts_with("pytorch")) return {"checkpoint", "float"};
  return {};  // a runtime profile of the user's own: not judged
}
}  // namespace

std::vector<std::string> runtimes_for_vendor(const std::string& vendor) {
  std::vector<std::string> out;
  for (const auto& h : kRuntimeHomes)
    if (std::find(h.vendors.begin(), h.vendors.end(), vendor) != h.vendors.end()) out.push_back(h.id);
  return out;
}

void check_runtime_runs_on(const RuntimeSpec& rt, const HardwareSpec& hw) {
  for (const auto& h : kRuntimeHomes) {
    if (rt.id != h.id) continue;
    if (std::find(h.vendors.begin(), h.vendors.end(), hw.vendor) == h.vendors.end())
      throw InputError("--runtime: {} does not run on {} ({} hardware); runtimes for {}: {}", rt.id, hw.id, hw.vendor,
                       hw.vendor, fmt::join(runtimes_for_vendor(hw.vendor), ", "));
    return;
  }
}

void check_quant_loads(const std::string& quant, const RuntimeSpec& rt, bool force) {
  const auto families = loadable_families(rt.id);
  if (families.empty() || std::find(families.begin(), families.end(), quant_family(quant)) != families.end()) return;
  const std::string what = fmt::format("{} cannot load {} ({} format; it loads {} weights)", rt.id, quant,
                                       quant_family(quant), fmt::join(families, " or "));
  if (!force) throw InputError("--quant: {}; pass --force to predict anyway", what);
  std::cerr << "ridgeline: warning: " << what << "; predicting anyway (--force)\n";
}

}  // namespace ridgeline::cli
