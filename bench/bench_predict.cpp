// Prediction throughput (not part of `make test`): `make bench`.
#include <benchmark/benchmark.h>

#include "ridgeline/bands.hpp"
#include "ridgeline/calibration.hpp"
#include "ridgeline/catalog.hpp"
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
