#pragma once
// A hardware profile: datasheet figures, each with its source. Fitted coefficients live in
// runtime profiles and calibration files and never overwrite these values.
#include <optional>
#include <string>
#include <vector>

#include "ridgeline/units.hpp"

namespace ridgeline {

template <typename T>
struct Sourced {
  T value{};
  std::string source;
  std::string derivation;  // how the figure was obtained, when it is not quoted directly
};

struct GpuLimitRule {
  enum class Kind { apple_wired_default, fraction, fixed } kind = Kind::fraction;
  double fraction = 1.0;
  Bytes fixed;
  std::string source;
};

struct HardwareSpec {
  std::string id;
  std::string name;
  std::vector<std::string> aliases;  // marketing names ("DGX Spark", "GB10"); Apple chips are read from their words
  std::string vendor;
  std::string family;
  std::string tier;
  // The GPU's architecture as it bears on kernel efficiency (Apple: static-registers for M1/M2,
  // dynamic-caching from M3, neural-accelerators for M5); "" when the profile states none. A chip
  // generation without a fitted factor of its own borrows those of the generations sharing it.
  std::string architecture;
  Sourced<int> gpu_cores;
  int cpu_performance = 0;
  int cpu_efficiency = 0;
  Sourced<Bandwidth> bandwidth;
  std::string memory_technology;
  Sourced<std::vector<Bytes>> memory_sizes;
  Sourced<double> stream_efficiency;  // measured fraction of peak bandwidth a streaming kernel gets
  GpuLimitRule gpu_limit;
  Sourced<FlopRate> fp32;
  Sourced<FlopRate> fp16;
  std::optional<Sourced<FlopRate>> matrix_fp16;  // M5 GPU neural accelerators
  // Whether the GPU does bfloat16 arithmetic itself; M1 and M2 convert it in software, so a
  // runtime computing in bf16 there runs its products below the fp16 peak (bf16_emulation_factor).
  Sourced<bool> bf16_native{true, {}, {}};  // native unless a profile says otherwise (hand-built specs)
  // Whether the GPU issues one instruction class per cycle per SIMD (M1, M2), so integer and
  // half-precision work takes the FP32 multiply-adds' slots, or co-issues them (M3 on; compute.alu_issue).
  Sourced<bool> single_issue{false, {}, {}};  // co-issue unless a profile says otherwise

  // Peak used for matrix multiplications in prefill: the matrix units where present.
  FlopRate matmul_peak() const { return matrix_fp16 ? matrix_fp16->value : fp16.value; }
  Bytes largest_memory() const;
};

// The die a profile's chip is cut from, as its generation's tier ("m4-max"): binned parts of it
// (the 32-core M4 Max) share its memory system's design and its fitted factors (die_bandwidth_factor).
std::string hardware_die(const HardwareSpec& hw);

// Memory the GPU may use by default with `ram` installed (macOS working-set rule and the like).
Bytes default_gpu_limit(const HardwareSpec& hw, Bytes ram);

HardwareSpec parse_hardware_yaml(const std::string& path);
HardwareSpec parse_hardware_yaml_text(const std::string& text, const std::string& label);
// Every catalog profile, parsed (list, buy, sweep --hardware all).
const std::vector<HardwareSpec>& hardware_catalog();
// What name matching needs of a catalog profile, read without parsing it (id = file stem).
struct HardwareHeader {
  std::string id, name;
  std::vector<std::string> aliases;
  std::string vendor, family, tier, architecture;
  int gpu_cores = 0;
};
const std::vector<HardwareHeader>& hardware_headers();
// The catalog profile with this id, parsed once on first use; nullptr when the catalog has none.
const HardwareSpec* catalog_hardware(const std::string& id);
// A hardware name as written: an id, "M4 Max", "m4-max", "M4 Max 40-core", "MacBook Pro M4 Max 64GB",
// "Apple M2 Ultra (76-core GPU)", "h200", "strix-halo", "DGX-Spark". A bare tier is the full (largest
// GPU) part, said in `notes`; RAM in the name ("64GB", Apple's GB being GiB) goes to `memory`.
struct HardwareMatch {
  std::string id;
  Bytes memory;  // zero when the name states none
  std::vector<std::string> notes;
  std::string refusal;  // why not, when id is empty
};
HardwareMatch match_hardware_name(const std::string& text, int gpu_cores = 0);
// A hardware name (above) or a path to a profile .yaml. Throws InputError with the candidates.
HardwareSpec resolve_hardware(const std::string& name_or_path);
// An override of one profile value (key: bandwidth, fp16, fp32, matrix_fp16, stream_efficiency), its
// source recorded as `source`. Errors are FieldErrors on "set" (an unknown key) or "set.<key>".
void apply_hardware_override(HardwareSpec& hw, const std::string& key, const std::string& value, const std::string& source);

}  // namespace ridgeline
