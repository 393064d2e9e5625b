#pragma once
// The Prediction record of one scenario: prefill, decode, TTFT, memory (predict.cpp), and the
// uncertainty bands bands.hpp adds to it.
#include <optional>
#include <string>
#include <vector>

#include "ridgeline/memory.hpp"
#include "ridgeline/ops.hpp"

namespace ridgeline {

// A calibrated rate's uncertainty as standard deviations of ln(rate) (1 sigma); bands.hpp.
struct RateBand {
  double coefficients = 0;  // the fitted coefficients' covariance through the simulator (delta method)
  double total = 0;         // with the calibration's held-out scatter: sqrt(coefficients^2 + scatter^2)
  // Coefficients the calibration's data did not identify, on which this rate depends: the band
  // cannot include them and understates.
  std::vector<std::string> not_identified;
};
struct PredictionBands {
  RateBand prefill, decode;
  bool covariance = true;   // false: the calibration has none (schema 1), `coefficients` is 0
  bool scatter_from_mape = false;
};

struct Prediction {
  long long prefill_tokens = 0;
  double prefill_seconds = 0;
  // Of prefill_seconds, the fixed costs: once a call, a server's request cost and the weights wired
  // anew (shared by a batch's sequences); once a chunk, its buffers allocated anew (runtime profile
  // `residency:`).
  double request_seconds = 0, rewire_seconds = 0, fresh_buffer_seconds = 0;
  Bound prefill_bound = Bound::compute;
  long long decode_tokens = 0;
  double decode_seconds = 0;
  double decode_tps_start = 0;
  double decode_tps_end = 0;
  Bound decode_bound = Bound::memory;
  double ttft_seconds = 0;
  double total_seconds = 0;
  long long batch = 1;
  long long chunk = 0;
  MemoryBreakdown mem;
  std::vector<std::string> warnings;
  std::optional<PredictionBands> bands;  // set by add_bands (bands.hpp) for a calibrated runtime, not by predict
  double prefill_ms_per_token() const { return prefill_tokens ? 1e3 * prefill_seconds / static_cast<double>(prefill_tokens) : 0; }
  double prefill_tps() const { return prefill_seconds > 0 ? static_cast<double>(prefill_tokens) / prefill_seconds : 0; }
  double decode_tps() const { return decode_seconds > 0 ? static_cast<double>(decode_tokens) / decode_seconds : 0; }
  double aggregate_decode_tps() const { return decode_tps() * static_cast<double>(batch); }
};

// Whether the scenario is in a regime its runtime profile lists under measured_gaps.
bool in_measured_gap(const Scenario& s, const MeasuredGap& gap);

// The prediction: times, the memory budget and the warnings that apply.
Prediction predict(const Scenario& s);
// Its times alone (no memory budget, `mem` left empty, and no warnings): for callers that read only
// the rates, the fit and the bands' gradients millions of times, and validate once per figure.
Prediction predict_times(const Scenario& s);

}  // namespace ridgeline
