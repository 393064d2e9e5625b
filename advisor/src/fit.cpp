// fit: the inverse question. On one machine, every catalog model x the quantizations users
// download for each runtime: whether it fits, how fast it runs at a stated context, the largest
// context that fits, and for what does not fit, what would.
#include <algorithm>

#include "ridgeline/advisor.hpp"
#include "ridgeline/catalog.hpp"
#include "ridgeline/derived.hpp"
#include "ridgeline/error.hpp"

namespace ridgeline {

namespace {

std::vector<std::string> runtimes_for(const FitRequest& r) {
  if (!r.runtimes.empty()) return r.runtimes;
  if (r.hardware.vendor == "apple") return {"llama.cpp-metal", "mlx"};
  return {default_runtime_for(r.hardware)};
}

}  // namespace

FitResult advise_fit(const FitRequest& r) {
  if (r.context < 2) throw InputError("context: {} tokens; expected at least 2", r.context);
  if (r.gen < 1 || r.gen >= r.context)
    throw InputError("gen: {} tokens; expected 1 up to context - 1 ({})", r.gen, r.context - 1);
  FitResult out;
  out.hardware = r.hardware;
  out.ram = r.ram;
  out.limit = r.limit ? std::min(*r.limit, r.ram) : default_gpu_limit(r.hardware, r.ram);
  out.context = r.context;
  out.gen = r.gen;
  out.runtimes = runtimes_for(r);
  const std::vector<ModelSpec>& models = r.models.empty() ? model_catalog() : r.models;
  for (const auto& id : out.runtimes) {
    const RuntimeSpec rt = resolve_runtime(id);
    if (!r.kv_dtype.empty()) find_kv_dtype(r.kv_dtype);
    for (const auto& m : models) {
      const long long context = m.max_context > 0 ? std::min(r.context, m.max_context) : r.context;
      const long long gen = std::min(r.gen, context - 1);
      for (const auto& quant : download_quants(rt)) {
        Workload w;
        w.prompt = context - gen;
        w.gen = gen;
        w.ram = r.ram;
        w.limit = out.limit;
        RunChoice choice{quant, rt.id, r.kv_dtype, r.calibration};
        const Scenario s = advisor_scenario(r.hardware, m, choice, w);
        const Prediction p = predict(s);
        FitRow row;
        row.model = m.id;
        row.runtime = rt.id;
        row.quant = quant;
        row.context = context;
        row.model_max = m.max_context;
        row.fits = p.mem.fits;
        row.weights = p.mem.weights;
        row.peak = p.mem.peak;
        row.limit = p.mem.limit;
        row.max_context = p.mem.oom_at_context;
        if (row.fits) {
          row.decode_tps = p.decode_tps();
          row.prefill_tps = p.prefill_tps();
          row.ttft_seconds = p.ttft_seconds;
        } else {
          row.hints = fit_hints(s);
        }
        out.rows.push_back(std::move(row));
      }
    }
  }
  return out;
}

}  // namespace ridgeline
