#pragma once
// "Which machine should I buy": every configuration (chip x RAM x price) predicted on every
// workload, checked against the requirements, ranked, and explained.
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"

namespace ridgeline::cli {

struct BuyWorkload {
  std::string name, model, quant, runtime;
  long long prompt = 4096, gen = 256, batch = 1;
};

struct Requirements {
  std::optional<double> min_decode;   // tokens/s per sequence
  std::optional<double> max_ttft;     // seconds
  std::optional<long long> min_context;  // tokens that must fit
  std::optional<double> budget;       // USD
};

struct WorkloadResult {
  std::string workload;
  bool ran = false;          // false: the runtime or model cannot run here (reason in failures)
  Scenario scenario;
  Prediction p;
  double decode_low = 0, decode_high = 0;  // range from the calibration's cross-validated error
  std::optional<long long> max_context;    // largest context that fits (nullopt: the model's maximum)
};

struct Configuration {
  std::string hardware, chip_name, mac_model;
  Bytes memory;
  double price_usd = 0;
  double bandwidth_gbs = 0, matmul_tflops = 0;
  std::vector<WorkloadResult> results;
  std::vector<std::string> failures;
  double shortfall = 0;  // sum of relative misses, to rank the configurations that fail
  bool meets() const { return failures.empty(); }
};

struct BuyResult {
  std::vector<BuyWorkload> workloads;
  Requirements req;
  std::vector<Configuration> configurations;  // best first
  std::string recommendation;
};

struct BuyOptions {
  std::string model, quant, runtime, prompt = "4096", gen = "256", batch = "1";
  std::string min_decode, max_ttft, min_context, budget, consider, workloads, html;
  bool json = false;
};

BuyResult run_advisor(const BuyOptions& o);
std::string buy_json(const BuyResult& r);
std::string buy_table(const BuyResult& r);
// The HTML report of a buy, sweep, chunk or validate JSON result (what `--json` prints).
std::string report_html(const std::string& json, const std::string& label);

}  // namespace ridgeline::cli
