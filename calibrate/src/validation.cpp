// Validation analytics: each row predicted as its observations are made, against its measurement and
// against the same scenario on datasheet roofs; anomaly rules; MAPE per quantity, chip and runtime.
#include "ridgeline/validation.hpp"

#include <cmath>

#include "ridgeline/coefficients.hpp"
#include "ridgeline/error.hpp"

namespace ridgeline {

namespace {

// The same scenario on datasheet roofs: full bandwidth and matmul peak, no overheads. Set in place
// and undone by the caller, instead of two copies of the whole scenario per measured rate.
void to_roofline(Scenario& s) {
  s.hardware.stream_efficiency.value = 1;
  auto& c = s.runtime.coef;
  for (const auto& f : coefficient_table()) {
    if (f.family) (c.*f.family).clear();  // every keyed factor (class, generation, tier) back to 1
    else if (!std::isnan(f.roofline)) c.*f.member = f.roofline;  // efficiencies 1, overheads 0
  }
}

// The prediction on datasheet roofs for an observation, leaving it as it was.
std::optional<double> roofline_bound(Observation& ob) {
  const double stream = ob.scenario.hardware.stream_efficiency.value;
  RuntimeCoefficients& c = ob.scenario.runtime.coef;
  std::vector<std::map<std::string, double>> families;  // moved aside, not copied
  for (const auto& f : coefficient_table())
    if (f.family) families.push_back(std::exchange(c.*f.family, {}));
  const RuntimeCoefficients scalars = c;
  to_roofline(ob.scenario);
  const auto bound = predict_observation(ob);
  ob.scenario.hardware.stream_efficiency.value = stream;
  c = scalars;
  auto next = families.begin();
  for (const auto& f : coefficient_table())
    if (f.family) c.*f.family = std::move(*next++);
  return bound;
}

// The calibration each runtime and vendor gets, applied once per pair and copied to every row:
// it sets coefficients and the runtime's fixed memory only.
class CalibrationCache {
 public:
  explicit CalibrationCache(const CalibrationChoice& choice) : kind_(choice.kind) {
    if (choice.kind == CalibrationChoice::Kind::file) explicit_ = load_calibration(choice.file);
  }
  void apply(RuntimeSpec& rt, const std::string& vendor) {
    if (kind_ == CalibrationChoice::Kind::none) return;
    auto [it, added] = done_.try_emplace({rt.id, vendor});
    if (added) {
      RuntimeSpec calibrated = rt;
      if (explicit_) {
        if (explicit_->runtime == rt.id) apply_calibration(calibrated, *explicit_);
      } else {
        apply_shipped_calibration(calibrated, vendor);
      }
      it->second = {calibrated.coef, calibrated.runtime_bytes};
    }
    rt.coef = it->second.first;
    rt.runtime_bytes = it->second.second;
  }

 private:
  CalibrationChoice::Kind kind_;
  std::optional<Calibration> explicit_;
  std::map<std::pair<std::string, std::string>, std::pair<RuntimeCoefficients, Bytes>> done_;
};

// One observation of a row: its prediction, the roofline fraction and the anomaly rules.
void judge(Observation& ob, const Measurement& row, CalibrationCache& calibration, std::vector<RowValidation>& results) {
  calibration.apply(ob.scenario.runtime, ob.scenario.hardware.vendor);
  auto pred = predict_observation(ob);
  if (!pred) return;
  if (results.size() <= ob.row) results.resize(ob.row + 1);
  RowValidation& r = results[ob.row];
  const double stated = row.bandwidth_gbs, sheet = ob.scenario.hardware.bandwidth.value.value / kGB;
  if (stated > 0 && std::abs(stated / sheet - 1) > kStatedBandwidthTolerance)
    r.bandwidth_note = fmt::format("the source states {:.0f} GB/s; {} has {:.0f} GB/s ({}): efficiencies computed "
                                   "with the stated figure are off by {:.2f}x", stated, ob.scenario.hardware.id, sheet,
                                   ob.scenario.hardware.bandwidth.source, sheet / stated);
  r.values[ob.quantity] = {ob.measured, *pred};
  if (ob.quantity == Measured::prefill_tok_s || ob.quantity == Measured::decode_tok_s) {
    const auto phase = ob.quantity == Measured::decode_tok_s ? MeasuredGap::Phase::decode : MeasuredGap::Phase::prefill;
    for (const auto& gap : ob.scenario.runtime.measured_gaps)
      if (gap.phase == phase && in_measured_gap(ob.scenario, gap))
        r.measured_gaps.emplace_back(ob.quantity, gap.measured);
    if (auto bound = roofline_bound(ob); bound && *bound > 0) {
      const double f = ob.measured / *bound;
      if (!r.roofline_fraction || ob.quantity == Measured::decode_tok_s) r.roofline_fraction = f;
      if (f > 1) r.anomaly = fmt::format("{} is {:.0f}% of the roofline bound: above what the datasheet allows "
                                         "(transcription error, wrong chip, or speculative decoding?)", to_string(ob.quantity), 100 * f);
    }
    const double ratio = *pred / ob.measured;
    if (r.anomaly.empty() && (ratio > kAnomalyRatio || ratio < 1 / kAnomalyRatio))
      r.anomaly = fmt::format("{} predicted {:.3g} vs measured {:.3g} ({:+.0f}%): far outside the error band "
                              "(a cliff, throttling or a transcription error?)", to_string(ob.quantity), *pred, ob.measured,
                              100 * (ratio - 1));
  }
}

}  // namespace

ValidationReport validate_dataset(const std::vector<std::string>& files, const NameMaps& maps,
                                  const CalibrationChoice& calibration_choice) {
  CalibrationCache calibration(calibration_choice);
  ValidationReport v;
  // Each observation is predicted as it is made and dropped.
  auto sink = [&](Observation& ob, const Measurement& row) { judge(ob, row, calibration, v.results); };
  Dataset d = load_dataset(files, maps, true, sink, false);
  v.results.resize(d.rows.size());
  for (size_t i = 0; i < d.rows.size(); ++i) {
    v.resolved_rows += d.resolved[i].ok;
    v.usable_rows += d.unusable[i].empty();
    if (!v.results[i].anomaly.empty()) ++v.anomalies;
    for (const auto& [q, mp] : v.results[i].values) {
      const double ape = absolute_percentage_error(q, mp.first, mp.second, static_cast<double>(d.rows[i].chunk));
      for (auto* m : {&v.overall, &v.by_chip[d.resolved[i].hardware], &v.by_runtime[d.resolved[i].runtime]}) {
        (*m)[to_string(q)].sum += ape;
        ++(*m)[to_string(q)].n;
      }
    }
  }
  v.rows = std::move(d.rows);
  v.resolved = std::move(d.resolved);
  v.unusable = std::move(d.unusable);
  v.skipped = std::move(d.skipped);
  return v;
}

}  // namespace ridgeline
