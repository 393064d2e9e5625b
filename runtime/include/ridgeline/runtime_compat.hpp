#pragma once
// Which hardware a runtime runs on and which weight formats it loads: a setup outside these is one
// no machine runs (mlx on a DGX Spark, a GGUF q4_k_m in MLX). Keyed on the shipped runtime ids; a
// runtime profile of the user's own (another id) is not judged.
#include <string>
#include <vector>

#include "ridgeline/runtime.hpp"

namespace ridgeline {

// The shipped runtimes that run on `vendor`'s hardware.
std::vector<std::string> runtimes_for_vendor(const std::string& vendor);
// "" when `rt` runs on `vendor`'s hardware (or is not a shipped runtime), else why not.
std::string runtime_vendor_mismatch(const RuntimeSpec& rt, const std::string& hardware_id, const std::string& vendor);
// "" when the runtime `runtime` (an id) runs the model `model_id` (any, for most runtimes), else why
// not (ds4 runs one model).
std::string runtime_model_mismatch(const std::string& runtime, const std::string& model_id);
// Whether the shipped runtime `runtime` runs a single model (ds4): its fit on that model is its fit.
bool runs_one_model(const std::string& runtime);
// "gguf", "mlx", "checkpoint" (FP8, NVFP4) or "float" (f16, bf16, f32).
std::string quant_family(const std::string& quant);
// Whether the shipped runtime `runtime` (an id) loads weights of `family` (quant_family's names).
bool runtime_loads(const std::string& runtime, const std::string& family);
// "" when `rt` loads `quant`'s format (or is not a shipped runtime), else why not.
std::string quant_runtime_mismatch(const std::string& quant, const RuntimeSpec& rt);
std::string quant_runtime_mismatch(const std::string& quant, const std::string& runtime);

}  // namespace ridgeline
