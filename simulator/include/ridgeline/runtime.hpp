#pragma once
// A runtime profile: how one inference engine executes the operator graph. Every coefficient
// the simulator uses is named here and read from simulator/runtimes/<id>.yaml (or replaced by
// a calibration file, or by --set), never written into the simulator code.
#include <map>
#include <string>
#include <vector>

#include "ridgeline/units.hpp"

namespace ridgeline {

struct RuntimeCoefficients {
  double bandwidth_efficiency = 0.9;  // fraction of the hardware's streaming bandwidth kernels reach
  double compute_efficiency = 0.6;    // fraction of matmul peak reached by large GEMMs
  double compute_half_tokens = 64;    // tokens per step at which GEMM efficiency is half its maximum
  double attention_efficiency = 0.4;  // fraction of matmul peak reached by attention arithmetic
  double attention_query_tile = 64;   // queries per tile on the fused path: KV is re-read per tile
  double launch_overhead_us = 5;      // per kernel launch
  double kernels_per_layer = 12;
  double moe_kernels_per_layer = 0;   // extra launches in a routed-expert layer (router, top-k, gather)
  double moe_compute_factor = 1;      // routed-expert GEMMs (gathered rows per expert) relative to dense GEMMs
  double step_overhead_ms = 1;        // per forward pass (decode step or prefill chunk)
  double activation_buffer_factor = 1;  // scales the estimated per-token activation buffers
  std::map<std::string, double> quant_compute_factor;  // prefill GEMM slowdown by quant kernel class
};

struct RuntimeSpec {
  std::string id;
  std::string name;
  std::string source;
  long long default_chunk = 512;
  std::string default_kv_dtype = "f16";
  bool kv_upfront = true;          // KV allocated for the whole context at load (llama.cpp)
  long long kv_step_tokens = 256;  // growth step when not up front (MLX KVCache.step)
  Bytes runtime_bytes;             // fixed memory: context, command buffers, allocator slack
  // Attention path: fused (flash-style) unless a rule says unfused.
  std::vector<int> fused_prefill_head_dims;  // empty: every head_dim is fused in prefill
  std::vector<int> fused_decode_head_dims;   // empty: every head_dim is fused in decode
  bool always_unfused = false;
  double transient_bytes_per_score = 4;  // live bytes per score element on the unfused path
  RuntimeCoefficients coef;
  // Set when a calibration replaced the coefficients: its name and its cross-validated error
  // (fraction, held-out MAPE) per quantity, used to show predictions as ranges.
  std::string calibration;
  double prefill_error = 0, decode_error = 0;
};

RuntimeSpec parse_runtime_yaml(const std::string& path);
RuntimeSpec parse_runtime_yaml_text(const std::string& text, const std::string& label);
const std::vector<RuntimeSpec>& runtime_catalog();
// A runtime name as written ("llama.cpp", "llama.cpp Metal (MTL,BLAS)", "lm-studio", "mlx_lm",
// "mlx-lm") -> a runtime id. `hardware_vendor` ("apple", "nvidia", "amd" or "") picks llama.cpp's
// backend when the name does not; without it "llama.cpp" is refused with the backends as candidates.
// Returns "" and sets `why`; when it resolves, `why` may hold the assumption made.
std::string match_runtime_name(const std::string& text, const std::string& hardware_vendor, std::string& why);
// A runtime name (above) or a profile .yaml. Throws InputError with the candidates.
RuntimeSpec resolve_runtime(const std::string& name_or_path, const std::string& hardware_vendor = "");
// --set for runtime coefficients (e.g. compute_efficiency=0.5). Returns false if not a runtime key.
bool apply_runtime_override(RuntimeSpec& rt, const std::string& key, const std::string& value);

}  // namespace ridgeline
