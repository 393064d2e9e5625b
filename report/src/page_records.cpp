// The HTML pages' records from the live results, each figure at the precision its command's JSON
// writes it (advisor_report.cpp, chunk_report.cpp, validation_report.cpp, report.cpp), so that the
// page matches the one `report` draws from the saved JSON (saved_results.cpp).
#include "ridgeline/page_records.hpp"

#include <algorithm>
#include <cmath>

#include "ridgeline/advisor_report.hpp"
#include "ridgeline/report.hpp"

namespace ridgeline {

namespace {
long long whole_bytes(const Bytes& b) { return std::llround(b.value); }
double rate(double v) { return json_number_value(v, kRateDigits); }  // buy's and fit's speeds and times
// validation_json writes a figure that is not finite as null, and a count (bytes, tokens) whole.
std::optional<double> finite_figure(double v, Measured q = Measured::decode_tok_s) {
  if (!std::isfinite(v)) return std::nullopt;
  return is_count(q) ? static_cast<double>(std::llround(v)) : json_number_value(v);
}
}  // namespace

void add_warnings(WarningMachines& out, const std::string& hardware, const std::vector<std::string>& warnings) {
  for (const auto& text : warnings) {
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& e) { return e.first == text; });
    if (it == out.end()) it = out.insert(out.end(), {text, {}});
    if (std::find(it->second.begin(), it->second.end(), hardware) == it->second.end()) it->second.push_back(hardware);
  }
}

BuyPage buy_page(const BuyResult& r) {
  BuyPage page;
  for (size_t i = 0; i < r.workloads.size(); ++i) {
    const auto& a = r.workloads[i];
    page.workloads.push_back({a.name, a.model, a.prompt, a.gen, a.prompt + a.gen, a.checked_context, a.batch,
                              a.prompt_defaulted, workload_run_pairs(r, i)});
  }
  page.min_decode = r.req.min_decode;  // the JSON writes requirements at full precision
  page.max_ttft = r.req.max_ttft;
  page.budget = r.req.budget;
  page.min_context = r.req.min_context;
  page.impossible = r.impossible;
  page.calibration = calibrations_used(r);
  page.discontinued_left_out = static_cast<long long>(r.discontinued_left_out);
  for (const auto& c : r.configurations) {
    BuyPage::Configuration out;
    out.hardware = c.offer.hardware;
    out.machine = c.offer.machine;
    out.price_kind = c.price_kind;
    out.memory_gb = json_number_value(sold_ram_gb(c.offer.memory));
    out.price_usd = json_number_value(c.price_usd);
    out.price_unverified = !c.offer.unverified.empty();
    out.meets_requirements = c.meets();
    if (c.dominated_by) out.dominated_by_rank = static_cast<long long>(*c.dominated_by + 1);
    out.failures = c.failures;
    for (const auto& w : c.results) {
      if (!w.ran) continue;
      const auto& m = w.p.mem;
      BuyPage::Run run{w.workload, m.fits, rate(w.p.decode_tps()), rate(w.decode_low), rate(w.decode_high),
                       rate(w.p.ttft_seconds), whole_bytes(m.weights), whole_bytes(m.kv_cache), whole_bytes(m.transient),
                       whole_bytes(m.runtime), whole_bytes(m.limit), {}, w.p.warnings};
      for (const auto& [context, tps] : decode_rate_by_context(w.scenario)) run.decode_by_context.emplace_back(context, rate(tps));
      out.runs.push_back(std::move(run));
    }
    page.configurations.push_back(std::move(out));
  }
  page.recommendation = r.recommendation;
  return page;
}

FitPage fit_page(const FitResult& r) {
  FitPage page{r.hardware.id, json_number_value(sold_ram_gb(r.ram)), whole_bytes(r.limit), r.context, r.gen, {}};
  for (const auto& x : r.rows) {
    FitPage::Row row{x.model, x.runtime, x.quant, x.context, x.fits, rate(x.decode_tps), rate(x.prefill_tps),
                     whole_bytes(x.weights), whole_bytes(x.peak), std::nullopt, {}};
    if (x.fits) row.max_context = x.max_context.value_or(x.model_max);  // none: up to the model's maximum
    for (const auto& h : x.hints) row.fixes.push_back(h.text);
    page.rows.push_back(std::move(row));
  }
  return page;
}

ChunkPage chunk_page(const ChunkReport& r) {
  const Scenario& s = r.scenario;
  ChunkPage page{s.hardware.id, s.model.id, json_number_value(sold_ram_gb(s.ram)), whole_bytes(s.limit), r.largest_safe, {}};
  for (const auto& t : r.trials)  // beyond the limit no prefill time is real: chunk_json writes null
    page.trials.push_back({t.chunk, t.oom, r.weights_fit ? std::optional(json_number_value(t.prefill_seconds)) : std::nullopt,
                           whole_bytes(t.peak)});
  return page;
}

ValidationPage validation_page(const ValidationReport& v) {
  ValidationPage page;
  for (size_t i = 0; i < v.rows.size(); ++i) {
    const auto& r = v.resolved[i];
    const auto& res = v.results[i];
    ValidationPage::Row row{v.rows[i].file, v.rows[i].row, std::nullopt, {}, std::nullopt, res.anomaly, v.unusable[i]};
    if (r.ok) row.resolved = ValidationPage::Resolved{r.hardware, r.model, r.quant, r.runtime};
    for (Measured q : ValidationPage::kPageQuantities)
      if (auto it = res.values.find(q); it != res.values.end())
        row.figures.push_back({q, finite_figure(it->second.first, q), finite_figure(it->second.second, q)});
    if (res.roofline_fraction) row.roofline_fraction = finite_figure(*res.roofline_fraction);
    page.rows.push_back(std::move(row));
  }
  page.row_count = static_cast<long long>(v.rows.size());
  page.resolved = static_cast<long long>(v.resolved_rows);
  page.anomalies = static_cast<long long>(v.anomalies);
  return page;
}

SweepPage::Row sweep_page_row(const Scenario& s, const Prediction& p) {
  return {s.hardware.id, s.model.id, s.workload.prompt,
          SweepPage::Figures{json_number_value(p.prefill_tps()), json_number_value(p.decode_tps()),
                             json_number_value(p.ttft_seconds), whole_bytes(p.mem.peak), p.mem.fits},
          ""};
}

}  // namespace ridgeline
