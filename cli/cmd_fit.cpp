// ridgeline fit: what one machine can run (the inverse of buy).
#include <algorithm>
#include <ostream>

#include "commands.hpp"
#include "ridgeline/advisor.hpp"
#include "ridgeline/advisor_report.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/html_report.hpp"
#include "ridgeline/strict_reader.hpp"

namespace ridgeline::cli {

int run_fit(const FitCommandOptions& o, std::ostream& out) {
  FitRequest rq;
  rq.hardware = resolve_hardware(o.hardware);
  rq.ram = o.memory.empty() ? rq.hardware.largest_memory() : sold_ram(rq.hardware, o.memory, "--memory", o.any_memory);
  if (!o.limit.empty()) rq.limit = parse_size_option(o.limit, "--limit");
  rq.context = parse_count(o.context, "--context", 2, 1LL << 30);
  rq.gen = parse_count(o.gen, "--gen", 1, 1LL << 30);
  if (rq.gen >= rq.context) throw InputError("--gen: {} tokens; expected fewer than --context ({})", rq.gen, rq.context);
  if (!o.runtimes.empty())
    for (const auto& id : split_list(o.runtimes)) rq.runtimes.push_back(resolve_runtime(id).id);
  if (!o.models.empty())
    for (const auto& id : split_list(o.models)) rq.models.push_back(resolve_model_at(id, "--model"));
  if (!o.kv_dtype.empty()) find_kv_dtype(o.kv_dtype);
  rq.kv_dtype = o.kv_dtype;
  rq.calibration = calibration_choice(o.calibration);
  const FitResult r = advise_fit(rq);
  out << (o.json ? fit_json(r) : o.csv ? fit_csv(r) : fit_table(r));
  if (!o.html.empty()) write_output("--html", o.html, html_report(fit_page(r)));
  return std::any_of(r.rows.begin(), r.rows.end(), [](const FitRow& x) { return x.fits; }) ? kOk : kRequirementFailed;
}

}  // namespace ridgeline::cli
