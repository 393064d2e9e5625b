#pragma once
// What each HTML page shows (html_report.hpp), as typed records with two sources: the live result a
// command holds (buy_page, fit_page, chunk_page, validation_page, sweep_page_row, here) and the
// saved `--json` output of that command (saved_results.hpp). The full results cannot be rebuilt
// from their JSON: BuyResult, FitResult and ChunkReport hold whole hardware, model and runtime
// specs (scenarios) that the JSON names by id, ValidationReport holds each measured row of which
// the JSON keeps the file, row and figures, and a sweep row is a Scenario and a Prediction. So a
// page is drawn from these "saved view" records, which hold exactly the fields the page shows.
//
// Figures are held as the JSON states them: rates at the digits the JSON writer gives them
// (json_number_value), byte counts whole, texts the JSON writes as null empty. A page drawn from a
// live result and one drawn from its saved JSON are then the same bytes.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ridgeline/advisor.hpp"
#include "ridgeline/chunk_safety.hpp"
#include "ridgeline/validation.hpp"

namespace ridgeline {

// Prediction warnings, each text once with the hardware ids whose predictions carry it, in the order
// first seen (buy's table and its HTML page list them so).
using WarningMachines = std::vector<std::pair<std::string, std::vector<std::string>>>;
void add_warnings(WarningMachines& out, const std::string& hardware, const std::vector<std::string>& warnings);

struct BuyPage {
  struct Workload {
    std::string name, model;
    long long prompt = 0, gen = 0, context = 0, checked_context = 0, batch = 1;
    bool prompt_defaulted = false;
    std::vector<std::string> ran_as;  // "q4_k_m on llama.cpp-metal (KV f16)", one per pair used
    bool operator==(const Workload&) const = default;
  };
  // One workload that ran on one configuration.
  struct Run {
    std::string workload;
    bool fits = false;
    double decode_tps = 0, decode_low = 0, decode_high = 0, ttft_seconds = 0;  // 1-sigma range low..high
    long long weights_bytes = 0, kv_cache_bytes = 0, transient_bytes = 0, runtime_bytes = 0, limit_bytes = 0;
    std::vector<std::pair<long long, double>> decode_by_context;  // {context, tokens/s}
    std::vector<std::string> warnings;  // the prediction's (a measured gap it falls in, an emulated dtype)
    bool operator==(const Run&) const = default;
  };
  struct Configuration {
    std::string hardware, machine, price_kind;  // price_kind: new, used or last new
    double memory_gb = 0, price_usd = 0;
    bool price_unverified = false, meets_requirements = false;
    std::optional<long long> dominated_by_rank;
    std::vector<std::string> failures;
    std::vector<Run> runs;
    bool operator==(const Configuration&) const = default;
  };
  std::vector<Workload> workloads;
  std::optional<double> min_decode, max_ttft, budget;  // the requirements
  std::optional<long long> min_context;
  std::vector<std::string> impossible;
  std::string calibration;
  long long discontinued_left_out = 0;
  std::vector<Configuration> configurations;  // ranked, best first
  std::string recommendation;
  bool operator==(const BuyPage&) const = default;
};

struct FitPage {
  struct Row {
    std::string model, runtime, quant;
    long long context = 0;
    bool fits = false;
    double decode_tps = 0, prefill_tps = 0;
    long long weights_bytes = 0, peak_bytes = 0;
    std::optional<long long> max_context;  // when it fits: the largest context that fits
    std::vector<std::string> fixes;        // the hints' sentences, when it does not fit
    bool operator==(const Row&) const = default;
  };
  std::string hardware;
  double memory_gb = 0;
  long long limit_bytes = 0, context = 0, gen = 0;
  std::vector<Row> rows;
  bool operator==(const FitPage&) const = default;
};

struct ChunkPage {
  struct Trial {
    long long chunk = 0;
    std::optional<long long> oom;                // context completed before running out; none: never
    std::optional<double> prefill_seconds;       // none when the weights alone pass the limit
    long long peak_bytes = 0;
    bool operator==(const Trial&) const = default;
  };
  std::string hardware, model;
  double memory_gb = 0;
  long long limit_bytes = 0;
  std::optional<long long> largest_safe;
  std::vector<Trial> trials;
  bool operator==(const ChunkPage&) const = default;
};

struct ValidationPage {
  // A measured quantity's figures; none where the JSON has null (not finite).
  struct Figure {
    Measured quantity = Measured::decode_tok_s;
    std::optional<double> measured, predicted;
    bool operator==(const Figure&) const = default;
  };
  struct Resolved {
    std::string hardware, model, quant, runtime;
    bool operator==(const Resolved&) const = default;
  };
  struct Row {
    std::string file;
    long long row = 0;
    std::optional<Resolved> resolved;  // none: the row's names did not resolve
    std::vector<Figure> figures;                       // the quantities the page lists (kPageQuantities)
    std::optional<double> roofline_fraction;
    std::string anomaly, reason;  // reason: why the row yields no observation
    bool operator==(const Row&) const = default;
  };
  // The quantities the page lists per row, in this order (the out-of-memory probe is left out).
  static constexpr Measured kPageQuantities[] = {Measured::prefill_tok_s, Measured::decode_tok_s, Measured::transient_bytes};
  std::vector<Row> rows;
  long long row_count = 0, resolved = 0, anomalies = 0;  // the summary
  bool operator==(const ValidationPage&) const = default;
};

struct SweepPage {
  struct Figures {
    double prefill_tps = 0, decode_tps = 0, ttft_seconds = 0;
    long long peak_bytes = 0;
    bool fits = false;
    bool operator==(const Figures&) const = default;
  };
  struct Row {
    std::string hardware, model;
    long long prompt = 0;
    std::optional<Figures> figures;  // none: the point was not computed, for `reason`
    std::string reason;
    bool operator==(const Row&) const = default;
  };
  std::vector<Row> rows;
  bool operator==(const SweepPage&) const = default;
};

BuyPage buy_page(const BuyResult& r);
FitPage fit_page(const FitResult& r);
ChunkPage chunk_page(const ChunkReport& r);
ValidationPage validation_page(const ValidationReport& v);
SweepPage::Row sweep_page_row(const Scenario& s, const Prediction& p);

}  // namespace ridgeline
