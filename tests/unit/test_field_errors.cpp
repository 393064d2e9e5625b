// Library errors name the field at fault, never a command-line flag (the CLI maps fields to flags
// in cli/flags.cpp; tests/bad_inputs/cases.txt checks what the command line prints).
#include <gtest/gtest.h>

#include <string>

#include "helpers.hpp"
#include "ridgeline/catalog.hpp"
#include "ridgeline/runtime.hpp"

namespace ridgeline {
namespace {

// Runs `f`, expecting a FieldError on `field` whose message names no flag.
template <typename F>
void expect_field_error(F f, const std::string& field) {
  try {
    f();
    ADD_FAILURE() << "no error for " << field;
  } catch (const FieldError& e) {
    EXPECT_EQ(e.field(), field);
    EXPECT_EQ(std::string(e.what()), field + ": " + e.detail());
    EXPECT_EQ(std::string(e.what()).find("--"), std::string::npos) << e.what();
  }
}

TEST(FieldErrors, ResolversNameTheFieldNotTheFlag) {
  expect_field_error([] { resolve_model("qwen3-8bb"); }, "model");
  expect_field_error([] { resolve_hardware("m4-max-4c"); }, "hardware");
  expect_field_error([] { resolve_hardware("./no_such_hardware.yaml"); }, "hardware");
  expect_field_error([] { resolve_runtime("exllamav2"); }, "runtime");
}

TEST(FieldErrors, OverridesNameTheKey) {
  HardwareSpec hw = test::simple_hardware();
  expect_field_error([&] { apply_hardware_override(hw, "bandwidth", "0", "test"); }, "set.bandwidth");
  expect_field_error([&] { apply_hardware_override(hw, "stream_efficiency", "2", "test"); }, "set.stream_efficiency");
  expect_field_error([&] { apply_hardware_override(hw, "bandwidthh", "5", "test"); }, "set");
  apply_hardware_override(hw, "bandwidth", "200 GB/s", "test");
  EXPECT_EQ(hw.bandwidth.source, "test");  // the caller says where an override came from
  RuntimeSpec rt = *catalog_runtime("llama.cpp-metal");
  expect_field_error([&] { apply_runtime_override(rt, "compute_efficiency", "7"); }, "set.compute_efficiency");
}

TEST(FieldErrors, WorkloadProblemsNameTheWorkloadField) {
  Scenario s = make_setup(test::simple_hardware(), test::tiny_dense(), find_quantization("f16"),
                          *catalog_runtime("llama.cpp-metal"));
  Workload w;
  w.prompt = 100;
  EXPECT_FALSE(workload_problem(s, w));
  auto field_of = [&](Workload bad) { return workload_problem(s, bad).value_or(FieldError("none", "")).field(); };
  Workload cached = w;
  cached.cached = w.prompt;  // a cached prefix leaves at least one token to compute
  EXPECT_EQ(field_of(cached), "cached");
  Workload batch = w;
  batch.batch = 0;
  EXPECT_EQ(field_of(batch), "batch");
  Workload beyond = w;
  beyond.prompt = s.model.max_context;  // + the default generation
  EXPECT_EQ(field_of(beyond), "context");
  beyond.allow_beyond_max = true;
  EXPECT_FALSE(workload_problem(s, beyond));
}

}  // namespace
}  // namespace ridgeline
