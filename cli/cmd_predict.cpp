#include <ostream>

#include "commands.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/advisor_report.hpp"
#include "ridgeline/report.hpp"

namespace ridgeline::cli {

int run_predict(const PredictOptions& o, std::ostream& out) {
  Scenario s = build_scenario(o.s);
  Prediction p = predict(s);
  out << (o.json ? prediction_json(s, p) + "\n" : prediction_table(s, p));
  if (!o.json && !p.mem.fits) out << hints_text(fit_hints(s));
  return p.mem.fits ? kOk : kRequirementFailed;
}

int run_explain(const ExplainOptions& o, std::ostream& out) {
  Scenario s = build_scenario(o.s);
  StepShape shape;
  if (o.step == "decode") {
    shape = {1, static_cast<double>(s.workload.prompt), static_cast<double>(s.workload.batch), true, false};
  } else if (o.step == "prefill") {
    const double n = static_cast<double>(std::min(s.chunk, s.workload.prompt));
    shape = {n, static_cast<double>(s.workload.prompt) - n, 1, false, true};
  } else {
    throw InputError("--step: '{}' is not a step (expected prefill or decode)", o.step);
  }
  const auto ops = step_ops(s, shape);
  if (!o.json) {
    out << explain_table(s, shape, ops);
    return kOk;
  }
  out << fmt::format("{{\"schema_version\": {}, \"step\": \"{}\", \"tokens\": {}, \"context\": {}, \"batch\": {}, "
                     "\"overhead_seconds\": {:.6g}, \"operators\": [",
                     kSchemaVersion, o.step, shape.tokens, shape.context, shape.batch, step_overhead_seconds(s));
  for (size_t i = 0; i < ops.size(); ++i) {
    const auto& op = ops[i];
    out << fmt::format("{}{{\"name\": \"{}\", \"flops\": {:.6g}, \"weight_bytes\": {:.6g}, \"activation_bytes\": {:.6g}, "
                       "\"kv_read_bytes\": {:.6g}, \"kv_write_bytes\": {:.6g}, \"compute_seconds\": {:.6g}, "
                       "\"memory_seconds\": {:.6g}, \"bound\": \"{}\"}}",
                       i ? ", " : "", json_escape(op_label(s, op)), op.flops, op.weight_bytes, op.activation_bytes,
                       op.kv_read_bytes, op.kv_write_bytes, op.compute_seconds(), op.memory_seconds(),
                       op.compute_seconds() >= op.memory_seconds() ? "compute" : "memory");
  }
  out << "]}\n";
  return kOk;
}

}  // namespace ridgeline::cli
