// Validation analytics (calibrate's validate_dataset) over a few hand-made rows whose measured rates
// are set from the model's own predictions, so each error and anomaly is known by construction;
// and the resolver's reasons, which name the missing field, not a flag.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "ridgeline/coefficients.hpp"
#include "ridgeline/validation.hpp"

#include "benchmark_csv.hpp"

using namespace ridgeline;

namespace {
const std::string& kHeader = test::kBenchmarkHeader;

// One decode row of llama-3-8b q4_k_m on llama.cpp-metal on `chip`, measured at `decode`.
std::string decode_row(const std::string& chip, double decode) {
  return fmt::format("test,{},40,,,llama.cpp Metal,Llama 3 8B,,Q4_K_M,0,512,128,,{:.17g},llama-bench\n", chip, decode);
}

std::string write_csv(const std::string& name, const std::string& text) {
  const std::string path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream(path) << kHeader << text;
  return path;
}

double predicted_decode(const ValidationReport& v, size_t row) { return v.results.at(row).values.at(Measured::decode_tok_s).second; }
}  // namespace

TEST(Validation, ErrorsAnomaliesAndSummariesOverHandMadeRows) {
  // First pass: what the model predicts for each chip's row (measured 100 tok/s as a stand-in).
  const auto probe = validate_dataset({write_csv("ridgeline_validation_probe.csv",
                                                 decode_row("Apple M3 Max", 100) + decode_row("Apple M4 Max", 100))},
                                      {}, {});
  ASSERT_EQ(probe.results.size(), 2u);
  const double p3 = predicted_decode(probe, 0), p4 = predicted_decode(probe, 1);
  ASSERT_GT(p3, 0);
  ASSERT_GT(p4, 0);
  // Rows: M3 Max measured at 0.8 x its prediction, M3 Max at half of it (an anomaly: predicted 2x
  // measured, beyond kAnomalyRatio), a chip not in the catalog, M4 Max at 0.8 x its prediction.
  const auto v = validate_dataset({write_csv("ridgeline_validation_rows.csv",
                                             decode_row("Apple M3 Max", 0.8 * p3) + decode_row("Apple M3 Max", 0.5 * p3) +
                                                 decode_row("Apple M9 Max", 100) + decode_row("Apple M4 Max", 0.8 * p4))},
                                  {}, {});
  ASSERT_EQ(v.rows.size(), 4u);
  EXPECT_EQ(v.resolved_rows, 3u);
  EXPECT_EQ(v.usable_rows, 3u);
  EXPECT_FALSE(v.resolved[2].ok);
  EXPECT_EQ(v.unusable[2], v.resolved[2].reason);
  EXPECT_EQ(v.anomalies, 1u);
  EXPECT_TRUE(v.results[0].anomaly.empty());
  EXPECT_TRUE(v.results[1].anomaly.starts_with("decode_tok_s predicted")) << v.results[1].anomaly;
  EXPECT_TRUE(v.results[3].anomaly.empty());
  EXPECT_DOUBLE_EQ(predicted_decode(v, 0), p3);
  // The same scenario on datasheet roofs for rows 0 and 1: their fractions stand as their measurements.
  ASSERT_TRUE(v.results[0].roofline_fraction && v.results[1].roofline_fraction);
  EXPECT_GT(*v.results[0].roofline_fraction, 0);
  EXPECT_LT(*v.results[0].roofline_fraction, 1);
  EXPECT_NEAR(*v.results[1].roofline_fraction / *v.results[0].roofline_fraction, 0.5 / 0.8, 1e-12);
  // Absolute percentage errors: |p - 0.8p| / 0.8p = 25%, |p - 0.5p| / 0.5p = 100%.
  const double ape_08 = 100 * 0.2 / 0.8, ape_05 = 100 * 0.5 / 0.5;
  const ApeSum all = v.overall.at("decode_tok_s");
  EXPECT_EQ(all.n, 3);
  EXPECT_NEAR(all.sum, ape_08 + ape_05 + ape_08, 1e-9);
  EXPECT_EQ(v.overall.count("prefill_tok_s"), 0u);
  const ApeSum m3 = v.by_chip.at("m3-max-40c").at("decode_tok_s");
  EXPECT_EQ(m3.n, 2);
  EXPECT_NEAR(m3.sum, ape_08 + ape_05, 1e-9);
  const ApeSum m4 = v.by_chip.at("m4-max-40c").at("decode_tok_s");
  EXPECT_EQ(m4.n, 1);
  EXPECT_NEAR(m4.sum, ape_08, 1e-9);
  EXPECT_EQ(v.by_runtime.at("llama.cpp-metal").at("decode_tok_s").n, 3);
  EXPECT_EQ(v.by_chip.size(), 2u);  // the unresolved row is in no group
}

TEST(Validation, WithoutCalibrationTheProfileCoefficientsPredict) {
  const std::string file = write_csv("ridgeline_validation_none.csv", decode_row("Apple M3 Max", 100));
  const auto shipped = validate_dataset({file}, {}, {});
  const auto none = validate_dataset({file}, {}, {CalibrationChoice::Kind::none, ""});
  ASSERT_EQ(none.results.size(), 1u);
  EXPECT_NE(predicted_decode(none, 0), predicted_decode(shipped, 0));
}

TEST(Resolution, AMissingNameIsReportedByFieldWithoutAFlag) {
  Measurement m;
  m.runtime = "llama.cpp Metal", m.model = "Llama 3 8B", m.quant = "Q4_K_M", m.decode_tok_s = 50;
  const Resolution r = resolve_measurement(m, {});
  EXPECT_FALSE(r.ok);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].why, "no chip stated");
  EXPECT_EQ(r.problems[0].unstated, "chip");
  EXPECT_EQ(r.reason, "no chip stated");
  // A name stated but not matched is no missing field.
  m.chip = "Apple M9 Max";
  const Resolution unknown = resolve_measurement(m, {});
  ASSERT_EQ(unknown.problems.size(), 1u);
  EXPECT_EQ(unknown.problems[0].unstated, "");
}

// The roofline a measured rate is compared with (validate's share of it) sets every efficiency to 1
// and every overhead to 0, each declared once beside the coefficient: a new one cannot be left out
// of the reset by its unit.
TEST(Validation, RooflineValuesAreDeclaredByUnit) {
  for (const auto& c : coefficient_table()) {
    const std::string unit = c.unit;
    if (c.family) continue;  // keyed factors are cleared to 1 whatever their declaration
    if (unit == "fraction") {
      EXPECT_EQ(c.roofline, 1.0) << c.name;
    } else if (unit == "ms" || unit == "us") {
      EXPECT_EQ(c.roofline, 0.0) << c.name;
    }
  }
}

// A measured decode row in a regime the runtime profile lists under measured_gaps (llama.cpp on a
// GPU before the M5, a model with Gated DeltaNet layers) carries the gap; the same model's row on
// an M5 Max, and a model without such layers, do not.
TEST(Validation, ARowInAListedGapCarriesIt) {
  auto row = [](const std::string& chip, const std::string& model) {
    return fmt::format("test,{},40,,,llama.cpp Metal,{},,Q4_K_M,0,512,128,,50,llama-bench\n", chip, model);
  };
  const auto v = validate_dataset({write_csv("ridgeline_validation_gaps.csv", row("Apple M3 Max", "Qwen3.5-35B-A3B") +
                                                                                    row("Apple M5 Max", "Qwen3.5-35B-A3B") +
                                                                                    row("Apple M3 Max", "Qwen3-30B-A3B"))},
                                  {}, {});
  ASSERT_EQ(v.results.size(), 3u);
  ASSERT_EQ(v.results[0].measured_gaps.size(), 1u) << v.unusable[0];
  EXPECT_EQ(v.results[0].measured_gaps[0].first, Measured::decode_tok_s);
  EXPECT_TRUE(v.results[0].measured_gaps[0].second.starts_with("models with Gated DeltaNet layers"));
  EXPECT_TRUE(v.results[1].measured_gaps.empty());
  EXPECT_TRUE(v.results[2].measured_gaps.empty());
  EXPECT_EQ(v.results[2].values.count(Measured::decode_tok_s), 1u) << v.unusable[2];
}
