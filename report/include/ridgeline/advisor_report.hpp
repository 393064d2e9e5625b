#pragma once
// Reporters for the advisor's typed results: text tables, JSON (schema_version 1) and CSV.
#include <string>
#include <utility>
#include <vector>

#include "ridgeline/advisor.hpp"

namespace ridgeline {

// buy's and fit's speeds and times in JSON: 4 significant digits, as the tables compare them.
constexpr int kRateDigits = 4;

std::string buy_json(const BuyResult& r);
std::string buy_table(const BuyResult& r);
// The workloads as predicted, one line each ("prompt 4096 + gen 256 = context 4352, batch 1, ...").
std::string assumed_workload_text(const BuyResult& r);
// What buy's JSON and HTML state beside the configurations: the runtime/quantization pairs workload
// `workload` ran with across the machines ("q4_k_m on llama.cpp-metal (KV f16)"), the calibrations
// used ("none" for a runtime without one), and one decode step's rate at doubling contexts up to the
// model's maximum (128K at most): {context, tokens/s}.
std::vector<std::string> workload_run_pairs(const BuyResult& r, size_t workload);
std::string calibrations_used(const BuyResult& r);
std::vector<std::pair<long long, double>> decode_rate_by_context(const Scenario& base);

std::string fit_json(const FitResult& r);
std::string fit_csv(const FitResult& r);
std::string fit_table(const FitResult& r);
// The price table, wrapped to 100 columns.
std::string price_table(const std::vector<PriceRow>& rows);
// One "to make it fit:" block for a prediction that does not fit (empty when it fits).
std::string hints_text(const std::vector<Hint>& hints);

}  // namespace ridgeline
