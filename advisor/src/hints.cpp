// Fix-it hints: for a scenario that does not fit its GPU memory limit, what would, found by
// predicting the memory again with one thing changed.
#include <algorithm>
#include <cmath>
#include <functional>

#include "ridgeline/advisor.hpp"
#include "ridgeline/derived.hpp"
#include "ridgeline/error.hpp"

namespace ridgeline {

namespace {

// Contexts are suggested in whole steps of this many tokens (the usual -c / --max-kv-size granularity).
constexpr long long kContextStep = 1024;
// The smallest prefill chunk worth suggesting: below it prefill slows sharply (launch overhead per chunk).
constexpr long long kSmallestChunk = 64;

bool is_gguf_runtime(const RuntimeSpec& rt) { return rt.id.starts_with("llama.cpp") || rt.id == "ollama"; }

bool fits_with(Scenario s, const std::function<void(Scenario&)>& change) {
  change(s);
  return memory(s).fits;
}

}  // namespace

std::vector<std::string> download_quants(const RuntimeSpec& rt) {
  if (rt.id == "mlx" || rt.id == "vllm-mlx") return {"mlx-8bit", "mlx-6bit", "mlx-4bit", "mlx-3bit"};
  if (rt.id.starts_with("pytorch")) return {"bf16"};
  return {"q8_0", "q6_k", "q5_k_m", "q4_k_m", "q3_k_m", "q2_k"};
}

Bytes os_reserve(Bytes ram) { return std::max(ram * (1.0 / 8.0), Bytes(4 * kGiB)); }

std::vector<Hint> fit_hints(const Scenario& s) {
  const MemoryBreakdown mem = memory(s);
  std::vector<Hint> hints;
  if (mem.fits) return hints;
  const long long context = s.workload.prompt + s.workload.gen;

  // A smaller KV-cache type (llama.cpp's -ctk/-ctv; quantized V needs flash attention there).
  if (is_gguf_runtime(s.runtime) && s.kv.bytes_per_element >= 2) {
    for (const char* kv : {"q8_0", "q4_0"}) {
      const KvDtype& k = find_kv_dtype(kv);
      if (fits_with(s, [&](Scenario& t) { t.kv = k; })) {
        hints.push_back({"kv_dtype", fmt::format("a {} KV cache fits ({} bytes per element instead of {:g})", kv,
                                                 k.bytes_per_element, s.kv.bytes_per_element),
                         k.bytes_per_element, kv});
        break;
      }
    }
  }
  // A smaller prefill chunk shrinks the transient buffers of the prompt.
  for (long long c = s.chunk / 2; c >= kSmallestChunk; c /= 2) {
    if (fits_with(s, [&](Scenario& t) { t.chunk = c; })) {
      hints.push_back({"chunk", fmt::format("a prefill chunk of {} tokens fits (now {})", c, s.chunk),
                       static_cast<double>(c), std::to_string(c)});
      break;
    }
  }
  // The macOS GPU limit can be raised up to the RAM less what the system needs.
  if (s.hardware.gpu_limit.kind == GpuLimitRule::Kind::apple_wired_default) {
    const Bytes ceiling = s.ram - os_reserve(s.ram);
    if (mem.peak <= ceiling) {
      const double mb = std::ceil(mem.peak.value / kMiB / 1024.0) * 1024.0;  // whole GiB, in the sysctl's MiB
      hints.push_back({"wired_limit",
                       fmt::format("raising the GPU limit to {:.0f} GiB fits (peak {}, limit now {}, {} of RAM left for "
                                   "macOS): sudo sysctl iogpu.wired_limit_mb={:.0f}",
                                   mb / 1024, format_gb(mem.peak), format_gb(s.limit), format_gib(s.ram - Bytes(mb * kMiB)), mb),
                       mb, fmt::format("sudo sysctl iogpu.wired_limit_mb={:.0f}", mb)});
    }
  }
  // The largest download of a smaller quantization that fits.
  const double bpw = s.quant.matrix_bpw;
  for (const auto& id : download_quants(s.runtime)) {
    const Quantization& q = find_quantization(id);
    if (q.matrix_bpw >= bpw) continue;
    if (fits_with(s, [&](Scenario& t) { t.quant = q; })) {
      hints.push_back({"quant", fmt::format("quantization {} fits (weights {} instead of {})", id,
                                            format_gb(weight_bytes(s.model, q)), format_gb(mem.weights)),
                       q.matrix_bpw, id});
      break;
    }
  }
  // A shorter context, when the weights fit at all.
  if (mem.oom_at_context && *mem.oom_at_context >= kContextStep) {
    const long long fit = *mem.oom_at_context / kContextStep * kContextStep;
    if (fit < context)
      hints.push_back({"context", fmt::format("a context of {} tokens fits (asked {})", fit, context),
                       static_cast<double>(fit), std::to_string(fit)});
  }
  if (hints.empty())
    hints.push_back({"ram", fmt::format("nothing on this machine fits it: peak {} against {} of RAM", format_gb(mem.peak),
                                        format_sold_ram(s.ram)),
                     mem.peak.value, ""});
  return hints;
}

std::vector<Hint> chunk_hints(const ChunkReport& r) {
  if (!r.weights_fit) return fit_hints(r.scenario);
  if (r.largest_safe) return {};
  Scenario smallest = r.scenario;
  smallest.chunk = r.smallest_chunk();
  std::vector<Hint> hints = fit_hints(smallest);
  std::erase_if(hints, [](const Hint& h) { return h.kind == "chunk"; });
  return hints;
}

}  // namespace ridgeline
