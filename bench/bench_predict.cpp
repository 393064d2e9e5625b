// Prediction throughput (not part of `make test`): `make bench`.
#include <benchmark/benchmark.h>

#include "ridgeline/bands.hpp"
#include "ridgeline/calibration.hpp"
#include "ridgeline/catalog.hpp"
#include "ridgeline/measurement.hpp"
#include "ridgeline/report.hpp"
#include "ridgeline/simulate.hpp"

using namespace ridgeline;

namespace {
Scenario long_context(long long prompt) {
  Workload w;
  w.prompt = prompt;
  w.gen = 1024;
  w.chunk = 512;
  return make_scenario(resolve_hardware("m4-max-40c"), resolve_model("gemma-4-26b-a4b"),
                       find_quantization("q4_k_m"), resolve_runtime("llama.cpp-metal"), w);
}
}  // namespace

// predict: a 128K-token prompt plus 1K generated tokens (sliding + full layers, MoE).
static void BM_Predict128K(benchmark::State& state) {
  Scenario s = long_context(131072);
  for (auto _ : state) benchmark::DoNotOptimize(predict(s));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Predict128K);

// A 100,000-point sweep: contexts 1K..100K for one configuration (scenario reuse, as sweep does
// per point after resolving the catalogs once).
static void BM_Sweep100K(benchmark::State& state) {
  Scenario s = long_context(1024);
  for (auto _ : state) {
    for (long long i = 0; i < 100000; ++i) {
      s.workload.prompt = 1024 + (i % 1000) * 128;
      benchmark::DoNotOptimize(predict(s));
    }
  }
  state.SetItemsProcessed(state.iterations() * 100000);
}
BENCHMARK(BM_Sweep100K)->Unit(benchmark::kMillisecond)->Iterations(1);

// One sweep row written out: predict plus the CSV or JSON record (what `sweep --csv/--json` does
// per point after resolving its setups once).
static void BM_SweepRowCsv(benchmark::State& state) {
  Scenario s = long_context(8192);
  std::string out;
  for (auto _ : state) {
    out.clear();
    append_csv_row(out, s, predict(s));
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SweepRowCsv);

static void BM_SweepRowJson(benchmark::State& state) {
  Scenario s = long_context(8192);
  std::string out;
  for (auto _ : state) {
    out.clear();
    append_prediction_json(out, s, predict(s));
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SweepRowJson);

// Reading measurement rows (validate's first step): 10,000 rows of the project's CSV schema with
// quoted notes, parsed and checked.
static void BM_ParseMeasurementCsv(benchmark::State& state) {
  std::string text =
      "source,chip,gpu_cores,bandwidth_gbs,memory_gb,runtime,model,params_b,quant,context_tokens,n_prompt,n_gen,"
      "prefill_tok_s,decode_tok_s,notes\n";
  for (int i = 0; i < 10000; ++i)
    text += "\"bench, run " + std::to_string(i) + "\",Apple M4 Max,40,546,128,llama.cpp Metal build 1234,Llama 3.1 8B,8,"
            "Q4_K_M," + std::to_string(1024 * (i % 64)) + ",512,128,1234.5,56.7,\"llama-bench; n_ubatch=512, \"\"quoted\"\"\"\n";
  for (auto _ : state) benchmark::DoNotOptimize(parse_measurement_csv(text, "bench.csv"));
  state.SetItemsProcessed(state.iterations() * 10000);
}
BENCHMARK(BM_ParseMeasurementCsv)->Unit(benchmark::kMillisecond);

// The same prediction with its uncertainty bands under the shipped llama.cpp-metal calibration
// (the delta method: two predictions per fitted coefficient the scenario reads).
static void BM_PredictWithBands128K(benchmark::State& state) {
  Scenario s = long_context(131072);
  std::vector<const Calibration*> applied;
  if (const Calibration* c = apply_shipped_calibration(s.runtime, s.hardware.vendor, &applied))
    s.runtime.uncertainty = uncertainty_of(*c, applied);
  for (auto _ : state) {
    Prediction p = predict(s);
    add_bands(s, p);
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PredictWithBands128K);

BENCHMARK_MAIN();
