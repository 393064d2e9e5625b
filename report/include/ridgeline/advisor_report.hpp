#pragma once
// Reporters for the advisor's typed results: text tables, JSON (schema_version 1) and CSV.
#include <string>

#include "ridgeline/advisor.hpp"

namespace ridgeline {

std::string buy_json(const BuyResult& r);
std::string buy_table(const BuyResult& r);
// The workloads as predicted, one line each ("prompt 4096 + gen 256 = context 4352, batch 1, ...").
std::string assumed_workload_text(const BuyResult& r);

std::string fit_json(const FitResult& r);
std::string fit_csv(const FitResult& r);
std::string fit_table(const FitResult& r);
// The price table, wrapped to 100 columns.
std::string price_table(const std::vector<PriceRow>& rows);
// One "to make it fit:" block for a prediction that does not fit (empty when it fits).
std::string hints_text(const std::vector<Hint>& hints);

}  // namespace ridgeline
