#include <ostream>

#include "commands.hpp"
#include "ridgeline/bands.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/advisor_report.hpp"
#include "ridgeline/report.hpp"
#include "ridgeline/text_layout.hpp"

namespace ridgeline::cli {

int run_predict(const PredictOptions& o, std::ostream& out) {
  Scenario s = build_scenario(o.s);
  Prediction p = predict(s);
  add_bands(s, p);
  out << (o.json ? prediction_json(s, p) + "\n" : wrap_long_lines(prediction_table(s, p)));  // within 100 columns
  if (!o.json && !p.mem.fits) out << wrap_long_lines(hints_text(fit_hints(s)));
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
    out << wrap_long_lines(explain_table(s, shape, ops));
    return kOk;
  }
  out << explain_json(s, o.step, shape, ops) << "\n";
  return kOk;
}

}  // namespace ridgeline::cli
