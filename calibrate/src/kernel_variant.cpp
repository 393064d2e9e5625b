// Which kernels a measured row ran, beyond its runtime id: read from the row's text once at parse
// time (read_kernel_variant) and applied to the runtime profile when its scenario is built
// (apply_kernel_variant). One runtime id covers builds and switches whose kernels differ: llama.cpp
// with flash attention off runs the unfused path; ggml-cuda on RDNA3 before its WMMA MMQ kernels
// handed products of 64 rows and more to rocBLAS, or hipBLASLt with ROCBLAS_USE_HIPBLASLT=1.
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

#include "ridgeline/calibration.hpp"
#include "ridgeline/measurement.hpp"
#include "ridgeline/names.hpp"

namespace ridgeline {

namespace {

bool contains(std::string_view text, std::string_view needle) { return text.find(needle) != std::string_view::npos; }

// `key` followed by one of `values` as a whole word: "flash_attn false", "fa=0", "-fa 0". Each
// occurrence of the key is checked against every value: a bare key ("fa") occurs in most notes'
// words, so the pair must match whole. One scan of the text per key, not per pair.
bool says(std::string_view text, std::string_view key, std::initializer_list<std::string_view> values) {
  auto word_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  for (size_t at = text.find(key); at != std::string_view::npos; at = text.find(key, at + 1)) {
    if (at > 0 && (word_char(text[at - 1]) || text[at - 1] == '_')) continue;
    const std::string_view rest = text.substr(at + key.size());
    for (std::string_view v : values)
      if (rest.starts_with(v) && (rest.size() == v.size() || !word_char(rest[v.size()]))) return true;
  }
  return false;
}

}  // namespace

void read_kernel_variant(Measurement& m) {
  const std::string text = lower_ascii(m.runtime + "; " + m.notes);
  // llama-bench prints flash_attn per test; lhl's summary tables write fa=1, kyuz0's logs -fa 1.
  const bool fa_off = says(text, "flash_attn", {" false", " 0", "=0", ": false", ": 0", "=false"}) ||
                      says(text, "fa", {"=0", " 0"}) || says(text, "-fa", {" 0", "=0"}) ||
                      says(text, "flash attention", {" off", " disabled"}) ||
                      contains(text, "without flash attention");  // chigkim's llama-cli comparison
  const bool fa_on = !fa_off && (says(text, "flash_attn", {" true", " 1", "=1", ": true", ": 1", "=true"}) ||
                                 says(text, "fa", {"=1", " 1"}) || says(text, "-fa", {" 1", "=1", " on"}) ||
                                 says(text, "flash attention", {" on", " enabled"}) ||
                                 // before PR #15434 -fa was a switch without a value: chigkim's "with -fa;"
                                 says(text, "-fa", {";", ","}) || contains(text, "with flash attention"));
  if (m.attention_path.empty() && fa_off) m.attention_path = "unfused";
  if (m.attention_path.empty() && fa_on) m.attention_path = "fused";
  // rocBLAS hands GEMMs to hipBLASLt when ROCBLAS_USE_HIPBLASLT=1 (lhl's sweeps name the variable,
  // his summary table lists a hipBLASLt flag: "flags 'fa=1 hipBLASLt'").
  const size_t flags = text.find("flags '");
  const size_t flags_end = flags == std::string::npos ? flags : text.find('\'', flags + 7);
  const bool flagged = flags_end != std::string::npos && text.substr(flags, flags_end - flags).find("hipblaslt") != std::string::npos;
  if (flagged || contains(text, "rocblas_use_hipblaslt=1")) m.blas_library = "hipblaslt";
  else if (contains(text, "rocblas_use_hipblaslt=0")) m.blas_library = "rocblas";
  // A HIP build names whether rocWMMA flash attention was compiled in: lhl's variants are
  // 'llama.cpp-rocwmma' and 'llama.cpp-hip', his summary's runtimes "HIP rocWMMA" and "HIP".
  // mlx_lm.benchmark runs a warmup call, then its trials one after another (--delay N waits N seconds
  // before each: mlx_lm/benchmark.py), so without a delay each timed call finds the weights resident.
  if (contains(text, "mlx_lm.benchmark")) {
    const size_t delay = text.find("--delay ");
    const bool waits = delay != std::string::npos && delay + 8 < text.size() && text[delay + 8] >= '1' && text[delay + 8] <= '9';
    m.back_to_back = !waits;
  }
  // llama.cpp's "-ngl 0" / "--n-gpu-layers 0" offloads no layer ("-ngl 1" and more, "-ngl 99" do).
  m.no_gpu_layers = says(text, "-ngl", {" 0", "=0"}) || says(text, "--n-gpu-layers", {" 0", "=0"}) ||
                    says(text, "--gpu-layers", {" 0", "=0"});
  if (contains(text, "rocwmma")) m.attention_kernel = "wmma";
  else if (contains(text, "llama.cpp-hip") || contains(text, "llama.cpp hip"))
    m.attention_kernel = "tile";
}

void apply_kernel_variant(RuntimeSpec& rt, const Measurement& m) {
  rt.back_to_back = m.back_to_back;
  if (m.attention_path == "unfused") rt.always_unfused = true;
  // A build from before fused attention became the engine's default ran it only when asked to.
  if (m.attention_path.empty() && built_before(rt, rt.kernels.fused_attention_default_since_build, rt.kernels.fused_attention_default_since_date))
    rt.always_unfused = true;
  if (m.attention_path == "fused") rt.always_unfused = false, rt.fused_prefill_head_dims.clear(), rt.fused_decode_head_dims.clear();
  // A build before the profile's blas.until_build ran the BLAS path; so did a row that states a BLAS
  // library without a build (the switch has no effect on a build that does not call the library).
  if (rt.kernels.blas.library.empty()) return;
  const bool older = built_before(rt, rt.kernels.blas.until_build, rt.kernels.blas.until_date);  // the row's build or date (observations.cpp)
  if (older || (rt.build == kCurrentBuild && !m.blas_library.empty())) rt.blas_library = m.blas_library.empty() ? rt.kernels.blas.library : m.blas_library;
  // A row of that era (before RDNA3's MMA flash attention) ran prefill attention on the ALU tile
  // kernel, or with rocWMMA compiled in on the WMMA kernel (ggml-org/ggml src/ggml-cuda/fattn.cu
  // history: rocWMMA flash attention 2025-03-04, llama/12032; RDNA3 MMA flash attention 2026-05-14,
  // llama/22880).
  if (!rt.blas_library.empty()) rt.attention_kernel = m.attention_kernel;
}

}  // namespace ridgeline
