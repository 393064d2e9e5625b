// The calibration source kept in the repository (calibrate/data, see its README): public
// llama-bench rows of an M5 Max that the shipped llama.cpp-metal calibration is fitted on beside
// ../shared/data. It runs on a fresh clone. In-sample figures: they guard against regressions,
// and the bounds are what the model reaches plus a small margin, never loosened.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <iostream>

#include "ridgeline/calibration.hpp"
#include "ridgeline/catalog.hpp"
#include "repo_files.hpp"

using namespace ridgeline;
namespace fs = std::filesystem;

namespace {
const fs::path kFile = fs::path(RIDGELINE_REPO_DATA_DIR) / "ax_engine_m5max_llamabench.csv";
}  // namespace

TEST(RepoDataset, AxEngineM5MaxRowsResolve) {
  const Dataset d = load_dataset({kFile.string()}, {});
  // Four models x (pp512, pp2048, tg128) of one llama.cpp build.
  ASSERT_EQ(d.rows.size(), 4u * 3u);
  test::expect_every_row_usable(d);
  int prefill = 0, decode = 0;
  for (const auto& o : d.observations) {
    prefill += o.quantity == Measured::prefill_tok_s;
    decode += o.quantity == Measured::decode_tok_s;
    EXPECT_EQ(o.scenario.hardware.id, "m5-max-40c");
    EXPECT_EQ(o.scenario.runtime.id, "llama.cpp-metal");
  }
  EXPECT_EQ(prefill, 4 * 2);
  EXPECT_EQ(decode, 4);
}

TEST(RepoDataset, ShippedLlamaCppMetalCalibrationIsFittedOnIt) {
  const Calibration c = load_calibration((fs::path(data_dir()) / "calibrate/calibrations/llama.cpp-metal-apple.yaml").string());
  const std::string hash = fnv1a64_hex(test::file_bytes(kFile));
  bool named = false;
  for (const auto& [file, fnv] : c.datasets) named = named || (file == kFile.filename().string() && fnv == hash);
  EXPECT_TRUE(named) << "the shipped llama.cpp-metal calibration does not name " << kFile.filename() << " with hash " << hash;
}

TEST(RepoDataset, AxEngineM5MaxErrorsWithTheShippedCalibrations) {
  Dataset d = load_dataset({kFile.string()}, {});
  double prefill = 0, decode = 0;
  int np = 0, nd = 0;
  for (auto& o : d.observations) {
    apply_shipped_calibration(o.scenario.runtime, o.scenario.hardware.vendor);
    const auto pred = predict_observation(o);
    ASSERT_TRUE(pred) << "row " << d.rows[o.row].row << " has no prediction";
    const double ape = absolute_percentage_error(o.quantity, o.measured, *pred, static_cast<double>(d.rows[o.row].chunk));
    if (o.quantity == Measured::prefill_tok_s) prefill += ape, ++np;
    if (o.quantity == Measured::decode_tok_s) decode += ape, ++nd;
  }
  ASSERT_GT(np, 0);
  ASSERT_GT(nd, 0);
  prefill /= np, decode /= nd;
  std::cout << "ax_engine_m5max_llamabench.csv: prefill MAPE " << prefill << "%, decode MAPE " << decode << "%\n";
  // Before it was a calibration source (the 2026-11-26 calibrations): prefill 22.0%, decode 8.4%.
  EXPECT_LT(prefill, 13.5);  // 12.4% on 2026-11-27 (session 17, fitted on it)
  EXPECT_LT(decode, 6.5);    // 5.7% on 2026-11-27
}
