// The coefficients' covariance (Eigen) and the prediction bands it gives (delta method), against
// problems whose answers are derived by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "helpers.hpp"
#include "ridgeline/bands.hpp"
#include "ridgeline/calibration.hpp"
#include "ridgeline/fit_covariance.hpp"

using namespace ridgeline;
using namespace ridgeline::test;

namespace {

// Decode rows of tiny dense models on the simple hardware, measured as the simulator predicts
// them under `truth` times e^noise[i].
std::vector<Observation> decode_rows(const RuntimeSpec& truth, const std::vector<int>& layer_counts,
                                     const std::vector<long long>& prompts, const std::vector<double>& noise) {
  std::vector<Observation> obs;
  for (int layers : layer_counts)
    for (long long prompt : prompts) {
      ModelSpec m = tiny_dense();
      m.id = "tiny-" + std::to_string(layers);
      m.layers.clear();
      append_layers(m, layers, gqa(8, 2, 128), dense(4096));
      Workload w;
      w.prompt = prompt;
      w.gen = 32;
      // Streaming at half the datasheet, so a fitted efficiency near 1 stays below the datasheet cap.
      HardwareSpec hw = simple_hardware();
      hw.stream_efficiency.value = 0.5;
      Scenario s = make_scenario(hw, m, find_quantization("f16"), truth, w);
      const double rate = predict(s).decode_tps() * std::exp(noise[obs.size()]);
      s.runtime = simple_runtime();  // the fit starts from the profile's values
      s.runtime.coef.kernels_per_layer = truth.coef.kernels_per_layer;
      obs.push_back({0, Measured::decode_tok_s, rate, s});
    }
  return obs;
}

Calibration fit_simple(const std::vector<Observation>& obs) {
  FitOptions opt;
  opt.cross_validate = false;
  return fit_runtime("simple", obs, std::vector<Measurement>(1), opt);
}

}  // namespace

// Straight-line least squares y = a + b x: J = [1 x], and (J^T J)^-1 = [[Sxx, -Sx], [-Sx, n]] / (n Sxx - Sx^2),
// scaled by s^2 = |f|^2 / (n - 2).
TEST(FitCovariance, StraightLineMatchesTheClosedForm) {
  const std::vector<double> x = {0, 1, 2, 3, 5}, f = {0.1, -0.2, 0.05, 0.15, -0.1};
  std::vector<double> jacobian;
  for (double xi : x) jacobian.insert(jacobian.end(), {1.0, xi});
  const double n = 5, sx = 0 + 1 + 2 + 3 + 5, sxx = 0 + 1 + 4 + 9 + 25;
  const double s2 = (0.01 + 0.04 + 0.0025 + 0.0225 + 0.01) / (n - 2), det = n * sxx - sx * sx;
  const LeastSquaresCovariance c = least_squares_covariance(jacobian, f, 2);
  EXPECT_NEAR(c.scale2, s2, 1e-15);
  EXPECT_NEAR(c.matrix[0], s2 * sxx / det, 1e-12);
  EXPECT_NEAR(c.matrix[1], -s2 * sx / det, 1e-12);
  EXPECT_NEAR(c.matrix[2], -s2 * sx / det, 1e-12);
  EXPECT_NEAR(c.matrix[3], s2 * n / det, 1e-12);
  EXPECT_EQ(c.rank, 2);
  EXPECT_TRUE(c.not_identified.empty());
  // Through a map v = v(u) with derivatives d: D C D.
  const auto scaled = scaled_covariance(c.matrix, {2.0, 0.5});
  EXPECT_NEAR(scaled[0], 4 * c.matrix[0], 1e-15);
  EXPECT_NEAR(scaled[1], 1 * c.matrix[1], 1e-15);
  EXPECT_NEAR(scaled[3], 0.25 * c.matrix[3], 1e-15);
}

// Two parameters the data cannot tell apart (equal columns): one direction is left out, and both
// are reported as not identified (each has half its weight in it).
TEST(FitCovariance, EqualColumnsAreNotIdentified) {
  const std::vector<double> jacobian = {1, 1, 2, 2, 3, 3, 4, 4}, f = {0.1, -0.1, 0.1, -0.1};
  const LeastSquaresCovariance c = least_squares_covariance(jacobian, f, 2);
  EXPECT_EQ(c.rank, 1);
  EXPECT_EQ(c.not_identified, (std::vector<size_t>{0, 1}));
  // Along the identified direction (1, 1)/sqrt2 the variance of a + b is s^2 / sum(x^2), x = 1..4.
  const double s2 = 4 * 0.01 / 2, var_sum = c.matrix[0] + 2 * c.matrix[1] + c.matrix[3];
  EXPECT_NEAR(var_sum, s2 / (1 + 4 + 9 + 16), 1e-12);
}

// One coefficient, linear in log: a memory-bound decode on the simple runtime runs at a rate
// proportional to bandwidth_efficiency v, so residual_i = ln(v / 0.7) - e_i for rows measured at
// e^e_i times the rate at 0.7. With residuals this small the soft-L1 loss is least squares
// (relative difference (e/0.2)^2 / 8 < 3e-5): v = 0.7 e^mean(e), J_i = dr_i/dv = 1/v, so
// var(v) = s^2 v^2 / n with s^2 = sum (e_i - mean)^2 / (n - 1). The weights (0.5 for rows that
// state no build) scale f and J alike and cancel.
TEST(FitCovariance, OneLogLinearCoefficientThroughTheFit) {
  RuntimeSpec truth = simple_runtime();
  truth.coef.bandwidth_efficiency = 0.7;
  const std::vector<double> noise = {0.003, -0.001, -0.002};  // mean 0
  const auto obs = decode_rows(truth, {4}, {512, 2048, 8192}, noise);
  const Calibration c = fit_simple(obs);
  ASSERT_EQ(c.coefficients.size(), 1u);  // three decode rows: bandwidth_efficiency alone
  const double v = c.coefficients.at("bandwidth_efficiency").value;
  EXPECT_NEAR(v, 0.7, 0.7 * 1e-6);
  const double n = 3, s2 = (0.003 * 0.003 + 0.001 * 0.001 + 0.002 * 0.002) / (n - 1);
  const double expected = std::sqrt(s2 * v * v / n);
  EXPECT_NEAR(c.coefficients.at("bandwidth_efficiency").stderr_, expected, 1e-3 * expected);
  ASSERT_EQ(c.covariance.names, std::vector<std::string>{"bandwidth_efficiency"});
  EXPECT_NEAR(c.covariance.matrix[0], expected * expected, 2e-3 * expected * expected);
  EXPECT_EQ(c.covariance_rank, 1);
  EXPECT_NEAR(c.residual_scale, std::sqrt(0.5 * s2), 1e-3 * std::sqrt(0.5 * s2));  // s of the weighted residuals
}

// The delta method for one coefficient, derived by hand: decode_seconds = sum over steps of
// bytes_k / (BW v) + t0, so d ln(rate) / dv = (decode_seconds - gen t0) / (v decode_seconds), and
// the coefficients' band is |g| sd(v). Prefill: only its memory-bound operators depend on v.
TEST(Bands, DeltaMethodForOneCoefficient) {
  Workload w;
  w.prompt = 1024;
  w.chunk = 512;
  w.gen = 64;
  Scenario s = scenario(tiny_dense(), w);
  s.runtime.coef.bandwidth_efficiency = 0.8;
  s.runtime.coef.step_overhead_ms = 2;
  const double sd = 0.05;
  s.runtime.uncertainty.known = true;
  s.runtime.uncertainty.blocks = {{{"bandwidth_efficiency"}, {sd * sd}, {}, {}}};
  s.runtime.uncertainty.prefill_log_scatter = 0.1;
  s.runtime.uncertainty.decode_log_scatter = 0.2;
  const Prediction p = predict(s);
  const auto b = prediction_bands(s);
  ASSERT_TRUE(b);
  const double t0 = 2e-3, gen = 64;
  const double g_decode = (p.decode_seconds - gen * t0) / (0.8 * p.decode_seconds);
  EXPECT_NEAR(b->decode.coefficients, g_decode * sd, 1e-6 * g_decode * sd);
  EXPECT_NEAR(b->decode.total, std::sqrt(g_decode * sd * g_decode * sd + 0.2 * 0.2), 1e-9);
  double memory_bound = 0;  // the two chunks' memory-bound operator time
  for (const StepShape& chunk : {StepShape{512, 0, 1, false, true}, StepShape{512, 512, 1, true, true}})
    for (const Op& op : step_ops(s, chunk))
      if (op.memory_seconds() > op.compute_seconds()) memory_bound += op.memory_seconds();
  const double g_prefill = memory_bound / (0.8 * p.prefill_seconds);
  EXPECT_GT(g_prefill, 0);
  EXPECT_NEAR(b->prefill.coefficients, g_prefill * sd, 1e-4 * g_prefill * sd);
  EXPECT_NEAR(b->prefill.total, std::hypot(g_prefill * sd, 0.1), 1e-9);
}

// Keyed coefficients of another kernel class, generation or tier cost no predictions and add nothing.
TEST(Bands, CoefficientsTheScenarioDoesNotReadCostNothing) {
  Scenario s = scenario(tiny_dense());
  s.hardware.stream_efficiency.value = 0.5;  // below the datasheet cap on both sides of v = 1
  const RateGradient g =
      rate_gradient(s, {"quant_compute_factor.q8", "bandwidth_efficiency", "tier_bandwidth_factor.ultra"}, {1e-3, 1e-3, 1e-3});
  EXPECT_EQ(g.predictions, 2);
  EXPECT_EQ(g.decode[0], 0);
  EXPECT_NEAR(g.decode[1], 1.0, 1e-6);  // pure roofline decode: rate proportional to v = 1
  EXPECT_EQ(g.decode[2], 0);
}

// A die's bandwidth factor multiplies the weight stream of its own die's chips and no other's.
TEST(Bands, DieBandwidthFactorIsReadOnItsOwnDieOnly) {
  Scenario s = scenario(tiny_dense());
  s.hardware.stream_efficiency.value = 0.5;  // below the datasheet cap on both sides of v = 1
  const RateGradient g = rate_gradient(s, {"die_bandwidth_factor." + hardware_die(s.hardware), "die_bandwidth_factor.m9-max"},
                                       {1e-3, 1e-3});
  EXPECT_EQ(g.predictions, 2);
  EXPECT_NEAR(g.decode[0], 1.0, 1e-6);  // pure roofline decode: rate proportional to the factor
  EXPECT_EQ(g.decode[1], 0);
}

// No calibration, no band; a calibration without a covariance (schema 1): the held-out scatter only.
TEST(Bands, UncalibratedAndSchemaOne) {
  Scenario s = scenario(tiny_dense());
  EXPECT_FALSE(prediction_bands(s));
  Calibration old;
  old.schema_version = 1;
  old.leave_one_chip_out.mape["decode_tok_s"] = 10;
  old.leave_one_model_out.mape["decode_tok_s"] = 20;
  s.runtime.uncertainty = uncertainty_of(old, {&old});
  const auto b = prediction_bands(s);
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->covariance);
  EXPECT_TRUE(b->scatter_from_mape);
  EXPECT_NEAR(b->decode.total, 0.20 * std::sqrt(std::acos(-1.0) / 2), 1e-12);  // worst MAPE x sqrt(pi/2)
  s.runtime.calibration = "old.yaml";
  std::string note = bands_note(s, *b);
  std::replace(note.begin(), note.end(), '\n', ' ');
  EXPECT_NE(note.find("the old.yaml calibration file has no covariance"), std::string::npos) << note;
}

// A wrapper's file that fitted no coefficient of its own keeps its engine's covariance: the band
// still carries the engine's coefficients (the note says so), not the held-out scatter alone.
TEST(Bands, WrapperFileWithoutCoefficientsKeepsEngineCovariance) {
  Calibration engine;
  engine.coefficients["bandwidth_efficiency"] = {0.9, 0.01};
  engine.covariance.names = {"bandwidth_efficiency"};
  engine.covariance.matrix = {0.01 * 0.01};
  Calibration wrapper;  // coefficients: {} and so no covariance
  wrapper.leave_one_model_out.log_error_p68["decode_tok_s"] = 0.04;
  const CalibrationUncertainty u = uncertainty_of(wrapper, {&engine, &wrapper});
  ASSERT_EQ(u.blocks.size(), 1u);
  EXPECT_EQ(u.blocks[0].names, engine.covariance.names);
  // A wrapper that did fit a coefficient without a covariance (schema 1) voids the band as before.
  wrapper.coefficients["wrapper_step_overhead_ms"] = {1.0, 0.1};
  EXPECT_TRUE(uncertainty_of(wrapper, {&engine, &wrapper}).blocks.empty());
}

// The band from the coefficients shrinks as 1/sqrt(rows) and grows with the scatter: the same
// three-coefficient fit on 24 rows, on 12 of them, and on 24 rows three times as noisy.
TEST(Bands, GrowWithFewerOrNoisierRows) {
  RuntimeSpec truth = simple_runtime();
  truth.coef.bandwidth_efficiency = 0.7;
  truth.coef.step_overhead_ms = 3;
  truth.coef.launch_overhead_us = 8;
  truth.coef.kernels_per_layer = 10;
  std::vector<double> noise(24);
  for (size_t i = 0; i < noise.size(); ++i) noise[i] = 0.02 * std::sin(1.7 * static_cast<double>(i) + 0.3);
  std::vector<double> noisy = noise;
  for (double& e : noisy) e *= 3;
  const std::vector<int> layers = {2, 4, 8, 16};
  const std::vector<long long> six = {256, 1024, 2048, 4096, 8192, 16384}, three = {256, 2048, 8192};
  auto band = [&](const std::vector<Observation>& obs) {
    const Calibration c = fit_simple(obs);
    EXPECT_EQ(c.covariance.names.size(), 3u);  // bandwidth, step and launch overheads
    Workload w;
    w.prompt = 4096;
    w.gen = 128;
    Scenario s = scenario(tiny_dense(), w);
    s.runtime.coef.kernels_per_layer = 10;
    apply_calibration(s.runtime, c);
    s.runtime.uncertainty = uncertainty_of(c, {&c});
    return prediction_bands(s)->decode.coefficients;
  };
  const double base = band(decode_rows(truth, layers, six, noise));
  const double fewer = band(decode_rows(truth, layers, three, noise));
  const double noisier = band(decode_rows(truth, layers, six, noisy));
  EXPECT_GT(base, 0);
  EXPECT_GT(fewer, 1.2 * base);  // half the rows: about sqrt(2) (the residual pattern differs)
  EXPECT_NEAR(noisier / base, 3.0, 0.15);  // residuals 3x: s 3x, the Jacobian unchanged
}

// The covariance round-trips through the file; the reader holds it to what a covariance is.
TEST(CalibrationFile, CovarianceRoundTripsAndIsChecked) {
  Calibration c;
  c.runtime = "mlx";
  c.hardware_vendor = "apple";
  c.chips = {"m4-max-40c"};
  c.fitted_on = "2026-11-25";
  c.observations = 12;
  c.datasets = {{"x.csv", "0123456789abcdef"}};
  c.coefficients["bandwidth_efficiency"] = {0.81, 0.02};
  c.coefficients["step_overhead_ms"] = {1.5, 0.3};
  c.covariance = {{"bandwidth_efficiency", "step_overhead_ms"}, {0.0004, -0.003, -0.003, 0.09}, {}, {"step_overhead_ms"}};
  c.covariance_rank = 2;
  c.residual_scale = 0.1;
  c.leave_one_model_out.folds = 3;
  c.leave_one_model_out.log_error_p68["decode_tok_s"] = 0.125;
  const std::string text = calibration_to_yaml(c);
  const Calibration back = parse_calibration_yaml_text(text, "c.yaml");
  EXPECT_EQ(back.schema_version, 2);
  EXPECT_EQ(back.covariance.names, c.covariance.names);
  EXPECT_EQ(back.covariance.matrix, c.covariance.matrix);
  EXPECT_EQ(back.covariance.not_identified, c.covariance.not_identified);
  EXPECT_DOUBLE_EQ(back.leave_one_model_out.log_error_p68.at("decode_tok_s"), 0.125);
  bool from_mape = false;
  EXPECT_DOUBLE_EQ(calibration_log_scatter(back, "decode_tok_s", from_mape), 0.125);
  EXPECT_FALSE(from_mape);
  auto broken = [&](const std::string& from, const std::string& to) {
    std::string t = text;
    t.replace(t.find(from), from.size(), to);
    return error_of([&] { parse_calibration_yaml_text(t, "c.yaml"); });
  };
  EXPECT_EQ(broken("0.0004 -0.003\n", "0.0004 -0.004\n"),
            "c.yaml: covariance: matrix[0][1]: -0.004 differs from [1][0] = -0.003 (a covariance is symmetric)");
  EXPECT_EQ(broken("0.0004 -0.003\n", "0.0009 -0.003\n"),
            "c.yaml: covariance: matrix[0][0]: the variance of bandwidth_efficiency (0.0009) disagrees with its stderr 0.02 "
            "(expected about 0.0004)");
  // |correlation| > 1: -0.007 / (0.02 x 0.3).
  EXPECT_EQ(broken("0.0004 -0.003\n    -0.003 0.09", "0.0004 -0.007\n    -0.007 0.09"),
            "c.yaml: covariance: matrix: not positive semi-definite (its correlation matrix has an eigenvalue of -0.167; "
            "expected >= 0)");
  EXPECT_EQ(broken("order: [bandwidth_efficiency, step_overhead_ms]", "order: [bandwidth_efficiency, launch_overhead_us]"),
            "c.yaml: covariance: order[1]: 'launch_overhead_us' is not one of the fitted coefficients above");
  EXPECT_EQ(broken("-0.003 0.09", "-0.003 0.09 1"), "c.yaml: covariance: matrix: row 1: expected 2 numbers, got 3");
  EXPECT_EQ(broken("-0.003 0.09", "-0.003 0,09"), "c.yaml: covariance: matrix: row 1: '0,09' is not a finite number");
}
