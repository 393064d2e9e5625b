// Typed scenario setup for the advisor: defaults by vendor and the calibration choice.
#include <algorithm>
#include <cmath>

#include "ridgeline/advisor.hpp"
#include "ridgeline/calibration.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/runtime_compat.hpp"

namespace ridgeline {

std::string default_runtime_for(const HardwareSpec& hw) {
  if (hw.vendor == "apple") return "llama.cpp-metal";
  if (hw.vendor == "amd") return "llama.cpp-vulkan";
  return "llama.cpp-cuda";
}

std::string default_quant_for(const RuntimeSpec& rt) {
  if (rt.id == "mlx" || rt.wraps == "mlx") return "mlx-4bit";
  if (rt.id.starts_with("pytorch")) return "bf16";
  if (rt.id == "ds4") return "ds4-q2";  // the file its README gives 96 and 128 GB machines
  return "q4_k_m";
}

QuantChoice choose_quantization(const std::string& asked, const ModelSource& src, const std::string& fallback) {
  if (asked.empty()) {
    if (!src.quant.empty()) return {src.quant, ""};
    if (!src.unknown_quant.empty())
      throw FieldError("quant", "{} is not a quantization ridgeline knows; give the nearest one (`ridgeline list quants`)",
                       src.unknown_quant);
    return {fallback, ""};
  }
  if (src.quant_is_file_type && asked != src.quant)
    return {asked, fmt::format("{} differs from the file's own {} ({}); predicting for {} as asked", asked, src.quant,
                               src.quant_origin, asked)};
  return {asked, ""};
}

void check_runtime_runs_on(const RuntimeSpec& rt, const HardwareSpec& hw) {
  if (const std::string why = runtime_vendor_mismatch(rt, hw.id, hw.vendor); !why.empty()) throw FieldError("runtime", "{}", why);
}

void check_runtime_runs_model(const RuntimeSpec& rt, const std::string& model_id) {
  if (const std::string why = runtime_model_mismatch(rt.id, model_id); !why.empty()) throw FieldError("runtime", "{}", why);
}

void apply_calibration_choice(RuntimeSpec& rt, const HardwareSpec& hw, const CalibrationChoice& choice) {
  if (choice.kind == CalibrationChoice::Kind::none) return;
  std::optional<Calibration> loaded;
  const Calibration* c = nullptr;
  std::vector<const Calibration*> applied;
  if (choice.kind == CalibrationChoice::Kind::shipped) {
    c = apply_shipped_calibration(rt, hw.vendor, &applied);  // a wrapper: its engine's, then its own
  } else {
    c = &loaded.emplace(load_calibration(choice.file));
    if (c->runtime != rt.id && c->runtime != rt.wraps)
      throw FieldError("calibration", "{} was fitted for runtime '{}', not '{}'", choice.file, c->runtime, rt.id);
    apply_calibration(rt, *c);
    applied.push_back(c);
  }
  if (!c) return;
  rt.calibration = choice.kind == CalibrationChoice::Kind::shipped
                       ? fmt::format("shipped {} ({})", c->runtime, c->hardware_vendor)
                       : choice.file;
  // The scatter is the engine's held-out error (chip, model or source held out, the worst).
  rt.uncertainty = uncertainty_of(*c, applied);
}

void validate_run_choice(const RunChoice& c) {
  if (!c.quant.empty()) find_quantization(c.quant);
  if (!c.runtime.empty()) {
    const RuntimeSpec rt = resolve_runtime(c.runtime);
    if (!c.quant.empty())  // a format the runtime cannot load runs nowhere: refused before ranking
      if (const std::string why = quant_runtime_mismatch(c.quant, rt); !why.empty()) throw FieldError("quant", "{}", why);
  }
  if (!c.kv_dtype.empty()) find_kv_dtype(c.kv_dtype);
  if (c.calibration.kind == CalibrationChoice::Kind::file) load_calibration(c.calibration.file);
}

Scenario advisor_scenario(const HardwareSpec& hw, const ModelSpec& m, const RunChoice& c, Workload w) {
  RuntimeSpec rt = resolve_runtime(c.runtime.empty() ? default_runtime_for(hw) : c.runtime);
  if (const std::string why = runtime_vendor_mismatch(rt, hw.id, hw.vendor); !why.empty()) throw InputError("{}", why);
  check_runtime_runs_model(rt, m.id);
  const std::string quant = c.quant.empty() ? default_quant_for(rt) : c.quant;
  apply_calibration_choice(rt, hw, c.calibration);
  if (!c.kv_dtype.empty()) w.kv_dtype = c.kv_dtype;
  return make_scenario(hw, m, find_quantization(quant), std::move(rt), w);
}

}  // namespace ridgeline
