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
  std::string vendor;
  std::string family;
  std::string tier;
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

  // Peak used for matrix multiplications in prefill: the matrix units where present.
  FlopRate matmul_peak() const { return matrix_fp16 ? matrix_fp16->value : fp16.value; }
  Bytes largest_memory() const;
};

// Memory the GPU may use by default with `ram` installed (macOS working-set rule and the like).
Bytes default_gpu_limit(const HardwareSpec& hw, Bytes ram);

HardwareSpec parse_hardware_yaml(const std::string& path);
HardwareSpec parse_hardware_yaml_text(const std::string& text, const std::string& label);
const std::vector<HardwareSpec>& hardware_catalog();
// An id from the catalog or a path to a profile .yaml. Throws InputError with a suggestion.
HardwareSpec resolve_hardware(const std::string& id_or_path);
// --set key=value on a profile: bandwidth, fp16, fp32, matrix_fp16, stream_efficiency.
void apply_hardware_override(HardwareSpec& hw, const std::string& key, const std::string& value);

}  // namespace ridgeline
