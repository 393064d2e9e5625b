#pragma once
// The GPU architectures a hardware profile may name (HardwareSpec::architecture), read in one place
// by the hardware parser and by runtime profiles that pick a kernel per architecture.
#include <algorithm>
#include <string>
#include <vector>

namespace ridgeline {

// Apple: static-registers (M1, M2: registers allocated per kernel), dynamic-caching (M3, M4),
// neural-accelerators (M5: a matrix unit in each GPU core). NVIDIA: blackwell (sm_100 and later,
// whose tensor cores multiply 4-bit floats natively: an m16n8k64 MMA).
inline const std::vector<std::string>& gpu_architectures() {
  static const std::vector<std::string> names = {"static-registers", "dynamic-caching", "neural-accelerators", "blackwell"};
  return names;
}

// Whether a statement limited to `listed` GPU architectures covers `architecture` (an empty list
// covers every GPU): a profile's measured gap, a kernel retune.
inline bool covers_architecture(const std::vector<std::string>& listed, const std::string& architecture) {
  return listed.empty() || std::find(listed.begin(), listed.end(), architecture) != listed.end();
}

}  // namespace ridgeline
