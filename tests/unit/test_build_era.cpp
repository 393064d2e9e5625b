// A measured row's build era: the build its runtime text states, else the one its notes state,
// else the bound its source's publication date puts on it (calibrate/src/build_era.cpp), and how
// the runtime's era boundaries answer from either (built_before).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ridgeline/calibration.hpp"
#include "ridgeline/catalog.hpp"
#include "ridgeline/dates.hpp"
#include "ridgeline/validation.hpp"

#include "benchmark_csv.hpp"

using namespace ridgeline;

namespace {
using Builds = std::vector<long long>;
}  // namespace

// Calendar dates: real months and days only (2024 is a leap year, 2025 is not); a month alone is
// bounded by its last day.
TEST(Dates, RealDaysOnly) {
  EXPECT_EQ(date_number("2025-09-13"), 2025 * 10000 + 9 * 100 + 13);
  EXPECT_EQ(date_number("2024-02-29"), 2024 * 10000 + 2 * 100 + 29);
  EXPECT_EQ(date_number("2025-02-29"), 0);
  EXPECT_EQ(date_number("2025-09-31"), 0);
  EXPECT_EQ(date_number("2025-9-13"), 0);
  EXPECT_EQ(date_number("1999-12-31"), 0);
  EXPECT_EQ(month_end_number("2024-02"), 2024 * 10000 + 2 * 100 + 29);
  EXPECT_EQ(month_end_number("2023-02"), 2023 * 10000 + 2 * 100 + 28);
  EXPECT_EQ(month_end_number("2024-13"), 0);
  EXPECT_EQ(date_text(2025 * 10000 + 9 * 100 + 13), "2025-09-13");
}

// A number in parentheses is a build only right after a commit hash (7+ hex digits), as llama.cpp
// prints it: a year in parentheses is not one.
TEST(BuildEra, StatedBuildReadsParenthesesOnlyAfterACommit) {
  EXPECT_EQ(stated_build("llama.cpp Metal (2023)"), 0);
  EXPECT_EQ(stated_build("llama.cpp Metal (June 2023)"), 0);
  EXPECT_EQ(stated_build("llama.cpp Metal (MTL,BLAS) build b828e18c7 (7948)"), 7948);
  EXPECT_EQ(stated_build("main: build: 8e672efe (1628)"), 1628);
  EXPECT_EQ(stated_build("llama.cpp Metal,BLAS build e9fd8dc (7825)"), 7825);  // 7 hex digits
  EXPECT_EQ(stated_build("commit e9fd8d (7825)"), 0);                          // 6: no commit hash
  EXPECT_EQ(stated_build("llama.cpp Metal ./main build 1026 (c63bb1d)"), 1026);
  EXPECT_EQ(stated_build("llama.cpp CUDA build b6767 (5acd45546)"), 6767);
}

// Builds in notes only where nothing else is meant: b<digits> after "llama.cpp" or "build", "build
// 1234", "build: <commit> (1234)"; pull requests, issues and ranges are no build.
TEST(BuildEra, NotesStateBuildsOnlyUnambiguously) {
  EXPECT_EQ(noted_builds("same prompts as the 2024-12-15 comment, whose setup lists Llama.cpp b4326 with flash attention"),
            Builds{4326});
  EXPECT_EQ(noted_builds("ran build 1234 twice"), Builds{1234});
  EXPECT_EQ(noted_builds("log: build: 8e672efe (1628)"), Builds{1628});
  EXPECT_EQ(noted_builds("llama-bench columns: fa=1; build b828e18c7 (7948); build b828e18c7 (7948)"), Builds{7948});
  EXPECT_EQ(noted_builds("llama.cpp PR #15434 and PR 15929; issue #4326"), Builds{});
  EXPECT_EQ(noted_builds("llama.cpp builds around b5863-b6111 (July-Aug 2025)"), Builds{});
  EXPECT_EQ(noted_builds("build aaf4fba83; gpu_info 'AMD Radeon 8060S'"), Builds{});  // a commit alone
  EXPECT_EQ(noted_builds("build 2797.5 s"), Builds{});
  EXPECT_EQ(noted_builds("Llama.cpp b4326 first, then build 4400"), (Builds{4326, 4400}));
}

// The source's latest date bounds the build (a month counts as its last day); text that is no
// real date is not one.
TEST(BuildEra, PublishedByIsTheSourcesLatestDate) {
  EXPECT_EQ(published_by("https://github.com/ml-explore/mlx-examples/issues/1029 (comment by chigkim, 2024-12-16)"),
            2024 * 10000 + 12 * 100 + 16);
  EXPECT_EQ(published_by("page (2025-05-17) [via notes compiled 2026-09-30]"), 2026 * 10000 + 9 * 100 + 30);
  EXPECT_EQ(published_by("a post of 2024-02"), 2024 * 10000 + 2 * 100 + 29);
  EXPECT_EQ(published_by("run at 2025-10-14T08:00"), 2025 * 10000 + 10 * 100 + 14);
  EXPECT_EQ(published_by("2025-13-01, pp2048-32, x2025-10-14, commit 4c7e9893c4ca"), 0);
  EXPECT_EQ(published_by("https://github.com/ggml-org/llama.cpp/issues/9112"), 0);
  // A file name's day; eight digits inside a longer number or a hex hash, or no real day, are none.
  EXPECT_EQ(published_by("submissions/20260717-apple-m5-qwen3-5-4b.json @ 4ce45e83"), 2026 * 10000 + 7 * 100 + 17);
  EXPECT_EQ(published_by("run 120260717, hash a20260717, 20261317-x, 20260230"), 0);
}

// The runtime text's build first, else the notes' one build (two different ones: none, the date
// bound instead); a build known makes the date irrelevant.
TEST(BuildEra, RowBuildPrefersRuntimeThenNotesThenDate) {
  Measurement m;
  m.runtime = "llama.cpp-metal";
  m.source = "issue (comment, 2024-12-16)";
  m.notes = "setup lists Llama.cpp b4326";
  RowBuild b = row_build(m);
  EXPECT_EQ(b.build, 4326);
  EXPECT_EQ(b.from, RowBuild::From::notes);
  EXPECT_EQ(b.published_by, 0);
  m.runtime = "llama.cpp Metal build 858f6b73 (2797)";
  b = row_build(m);
  EXPECT_EQ(b.build, 2797);
  EXPECT_EQ(b.from, RowBuild::From::runtime);
  m.runtime = "llama.cpp-metal";
  m.notes = "setup lists Llama.cpp b4326; rerun on build 7000";
  b = row_build(m);
  EXPECT_EQ(b.build, kCurrentBuild);
  EXPECT_EQ(b.from, RowBuild::From::none);
  EXPECT_EQ(b.noted, (Builds{4326, 7000}));
  EXPECT_EQ(b.published_by, 2024 * 10000 + 12 * 100 + 16);
}

// built_before: the build decides when stated; else a publication date strictly before the
// boundary's day; else (today's build) never.
TEST(BuildEra, BuiltBeforeAnswersFromTheBuildElseTheDate) {
  RuntimeSpec rt;
  const long long boundary = 6451;
  const int day = 2025 * 10000 + 9 * 100 + 13;
  rt.published_by = day - 1;  // 2025-09-12
  EXPECT_TRUE(built_before(rt, boundary, day));
  rt.published_by = day;  // the boundary's own day: it may already have run it
  EXPECT_FALSE(built_before(rt, boundary, day));
  rt.published_by = day + 1;
  EXPECT_FALSE(built_before(rt, boundary, day));
  rt.published_by = 0;
  EXPECT_FALSE(built_before(rt, boundary, day));
  rt.published_by = day - 1;
  EXPECT_FALSE(built_before(rt, boundary, 0));  // a boundary without a date: the date says nothing
  EXPECT_FALSE(built_before(rt, 0, day));       // no boundary at all
  rt.build = boundary;  // a stated build overrides the date
  EXPECT_FALSE(built_before(rt, boundary, day));
  rt.build = boundary - 1, rt.published_by = day + 1;
  EXPECT_TRUE(built_before(rt, boundary, day));
  // The shipped Metal profile's boundaries carry their days.
  const RuntimeSpec& metal = *catalog_runtime("llama.cpp-metal");
  EXPECT_EQ(metal.kernels.concurrent_dispatch_since_date, 2025 * 10000 + 9 * 100 + 13);
  EXPECT_EQ(metal.kernels.fused_attention_default_since_date, 2025 * 10000 + 8 * 100 + 30);
  EXPECT_EQ(catalog_runtime("ollama")->kernels.concurrent_dispatch_since_date, metal.kernels.concurrent_dispatch_since_date);
  EXPECT_EQ(catalog_runtime("llama.cpp-rocm")->kernels.blas.until_date, 2025 * 10000 + 11 * 100 + 9);
}

// The shipped profiles say which kernels multiply on M5's matrix units, and from when: llama.cpp's
// products from its tensor-API build and never its flash attention; MLX's products and attention
// from 0.30.0; ds4 none; a wrapper its engine's.
TEST(BuildEra, ShippedProfilesNameTheKernelsOnMatrixUnits) {
  const auto& metal = catalog_runtime("llama.cpp-metal")->kernels;
  ASSERT_TRUE(metal.products_on_matrix_units.has_value());
  EXPECT_EQ(metal.products_on_matrix_units->date, 2025 * 10000 + 11 * 100 + 6);
  EXPECT_GT(metal.products_on_matrix_units->build, metal.concurrent_dispatch_since_build);  // two months after b6451
  EXPECT_FALSE(metal.attention_on_matrix_units.has_value());
  const auto& mlx = catalog_runtime("mlx")->kernels;
  ASSERT_TRUE(mlx.products_on_matrix_units && mlx.attention_on_matrix_units);
  EXPECT_EQ(mlx.products_on_matrix_units->version, version_number("0.30.0"));
  EXPECT_EQ(mlx.attention_on_matrix_units->version, version_number("0.30.0"));
  const auto& ds4 = catalog_runtime("ds4")->kernels;
  EXPECT_FALSE(ds4.products_on_matrix_units || ds4.attention_on_matrix_units);
  EXPECT_EQ(catalog_runtime("llama-server")->kernels.products_on_matrix_units->build, metal.products_on_matrix_units->build);
}

// A version the runtime column does not state is read from the notes where they write it right
// after the column's own name ("ollama 0.5.9"), never another tool's ("llm_benchmark 0.4.2"); two
// different ones there, or a version in the column, leave the notes' unread.
TEST(BuildEra, AWrappersVersionIsReadFromTheNotesAfterItsName) {
  Measurement m;
  m.runtime = "ollama";
  m.notes = "llm_benchmark 0.4.2 (ollama-benchmark) on MacBook Air, macOS 15.3.1, ollama 0.5.9; value = eval rate";
  EXPECT_EQ(row_build(m).version, version_number("0.5.9"));
  m.notes = "llm_benchmark 0.4.2, macOS 15.3.1";
  EXPECT_EQ(row_build(m).version, kCurrentVersion);
  m.notes = "ollama 0.5.9 then ollama 0.6.0";
  EXPECT_EQ(row_build(m).version, kCurrentVersion);
  m.notes = "ollama 0.5.9 twice: ollama 0.5.9.";
  EXPECT_EQ(row_build(m).version, version_number("0.5.9"));
  m.runtime = "Ollama 0.12.6";
  EXPECT_EQ(row_build(m).version, version_number("0.12.6"));
  m.runtime = "ollama-server";  // a name that differs from the notes' word
  m.notes = "ollama 0.5.9";
  EXPECT_EQ(row_build(m).version, kCurrentVersion);
}

// A row's assumptions say where its era came from.
TEST(BuildEra, NoteSaysWhereTheEraCameFrom) {
  const RuntimeSpec& metal = *catalog_runtime("llama.cpp-metal");
  Measurement m;
  m.runtime = "llama.cpp-metal";
  m.source = "issue (comment by chigkim, 2024-11-25)";
  EXPECT_EQ(build_era_note(row_build(m), metal),
            "published 2024-11-25: before flash attention's default (b6330, 2025-08-30) and concurrent dispatch (b6451, 2025-09-13)");
  m.source = "issue (comment, 2025-09-01)";  // after the default, before concurrent dispatch
  EXPECT_EQ(build_era_note(row_build(m), metal), "published 2025-09-01: before concurrent dispatch (b6451, 2025-09-13)");
  m.source = "issue (comment, 2025-10-01)";
  EXPECT_EQ(build_era_note(row_build(m), metal), "");
  m.notes = "setup lists Llama.cpp b4326";
  EXPECT_EQ(build_era_note(row_build(m), metal),
            "build 4326 from the notes: before flash attention's default (b6330) and concurrent dispatch (b6451)");
  m.notes = "Llama.cpp b4326, later build 7000";
  m.source = "issue (comment, 2024-12-16)";
  EXPECT_EQ(build_era_note(row_build(m), metal),
            "the notes state builds 4326, 7000: none taken; published 2024-12-16: before flash attention's default (b6330, "
            "2025-08-30) and concurrent dispatch (b6451, 2025-09-13)");
  m.runtime = "llama.cpp Metal build 858f6b73 (2797)";  // the runtime text states it: nothing to say
  EXPECT_EQ(build_era_note(row_build(m), metal), "");
}

// End to end: a Metal row published before concurrent dispatch, with no build, is predicted as
// the build from its notes would be (serial dispatch, unfused attention), slower than the same row
// published after; two builds in the notes, or a year in parentheses, leave today's build.
TEST(BuildEra, DatedRowsArePredictedInTheirEra) {
  const std::string csv = test::write_benchmark_csv(
      "ridgeline_build_eras.csv",
      "issue (2024-11-25),Apple M3 Max,40,,,llama.cpp-metal,Llama-3.1-8B,,Q4_K_M,0,,128,,30,x\n"
      "issue (2025-10-01),Apple M3 Max,40,,,llama.cpp-metal,Llama-3.1-8B,,Q4_K_M,0,,128,,30,x\n"
      "issue,Apple M3 Max,40,,,llama.cpp-metal,Llama-3.1-8B,,Q4_K_M,0,,128,,30,Llama.cpp b4326\n"
      "issue (2025-10-01),Apple M3 Max,40,,,llama.cpp-metal,Llama-3.1-8B,,Q4_K_M,0,,128,,30,llama.cpp b4326; build 7000\n"
      "issue,Apple M3 Max,40,,,llama.cpp Metal (2023),Llama-3.1-8B,,Q4_K_M,0,,128,,30,x\n");
  const ValidationReport v = validate_dataset({csv}, {}, {});
  ASSERT_EQ(v.results.size(), 5u);
  auto decode = [&](size_t i) { return v.results[i].values.at(Measured::decode_tok_s).second; };
  EXPECT_LT(decode(0), decode(1));
  EXPECT_DOUBLE_EQ(decode(2), decode(0));  // b4326 and "published 2024-11-25" fall in the same era
  EXPECT_DOUBLE_EQ(decode(3), decode(1));
  EXPECT_DOUBLE_EQ(decode(4), decode(1));
  ASSERT_FALSE(v.resolved[2].assumptions.empty());
  EXPECT_EQ(v.resolved[2].assumptions.back(),
            "build 4326 from the notes: before flash attention's default (b6330) and concurrent dispatch (b6451)");
}

// Flash attention's default by era: a row dated before it ran the unfused path unless its text
// says flash attention was on, as builds of that time wrote it (a bare "-fa", "with flash attention").
TEST(BuildEra, DatedRowsRanUnfusedAttentionUnlessTheySayOtherwise) {
  const RuntimeSpec& metal = *catalog_runtime("llama.cpp-metal");
  auto unfused = [&](const std::string& notes, int published) {
    Measurement m;
    m.runtime = "llama.cpp-metal";
    m.notes = notes;
    read_kernel_variant(m);
    RuntimeSpec rt = metal;
    rt.published_by = published;
    apply_kernel_variant(rt, m);
    return rt.always_unfused;
  };
  const int before = metal.kernels.fused_attention_default_since_date - 1, on_the_day = metal.kernels.fused_attention_default_since_date;
  EXPECT_TRUE(unfused("llama_perf_context_print", before));
  EXPECT_FALSE(unfused("llama_perf_context_print", on_the_day));
  EXPECT_FALSE(unfused("with -fa; llama_perf_context_print", before));
  EXPECT_FALSE(unfused("setup lists Llama.cpp b4326 with flash attention, temp 0.0", before));
  EXPECT_TRUE(unfused("WITHOUT flash attention; prompt eval", on_the_day));
}

// A wrapper version runs the engine build its profile names (`engine_builds`): the last entry at or
// before it; a version before the first entry, or today's, names none.
TEST(BuildEra, WrapperVersionsRunTheEngineBuildTheProfileNames) {
  RuntimeSpec rt;
  rt.engine_builds = {{version_number("0.5.0"), 0, 2025 * 10000 + 8 * 100 + 14},
                      {version_number("0.12.4"), 6646, 0},
                      {version_number("0.13.5"), 7437, 0},
                      {version_number("0.30.0"), 9452, 0}};
  auto build = [&](const char* v) {
    const auto* e = engine_build_of_version(rt, version_number(v));
    return e ? e->build : -1;
  };
  EXPECT_EQ(build("0.4.9"), -1);
  EXPECT_EQ(build("0.12.3"), 0);  // a commit day only
  EXPECT_EQ(build("0.12.4"), 6646);
  EXPECT_EQ(build("0.13.4"), 6646);
  EXPECT_EQ(build("0.20.0"), 7437);
  EXPECT_EQ(build("0.30.0"), 9452);
  EXPECT_EQ(build("0.33.1"), 9452);
  EXPECT_EQ(engine_build_of_version(rt, kCurrentVersion), nullptr);
  // Applied to a row: a known build replaces the row's date; a commit day bounds it.
  RuntimeSpec row = rt;
  row.version = version_number("0.20.0"), row.published_by = 2026 * 10000 + 4 * 100 + 25;
  apply_engine_build(row);
  EXPECT_EQ(row.build, 7437);
  EXPECT_EQ(row.published_by, 0);
  row = rt;
  row.version = version_number("0.5.9"), row.published_by = 2026 * 10000 + 1 * 100 + 1;
  apply_engine_build(row);
  EXPECT_EQ(row.build, kCurrentBuild);
  EXPECT_EQ(row.published_by, 2025 * 10000 + 8 * 100 + 14);
  row.published_by = 2025 * 10000 + 2 * 100 + 1;  // a row published earlier keeps its own day
  apply_engine_build(row);
  EXPECT_EQ(row.published_by, 2025 * 10000 + 2 * 100 + 1);
  // The shipped Ollama profile: its vendored ggml from 0.13.5 to 0.25 (ec98e2002), llama-server's
  // pinned builds from 0.30, commits of 2025-08-14 or earlier before 0.12.4; a row's assumptions say
  // which it ran.
  const RuntimeSpec& ollama = *catalog_runtime("ollama");
  EXPECT_EQ(engine_build_of_version(ollama, version_number("0.20.0"))->build, 7437);
  EXPECT_EQ(engine_build_of_version(ollama, version_number("0.30.0"))->build, 9452);
  EXPECT_EQ(engine_build_of_version(ollama, version_number("0.5.9"))->no_later_than, 2025 * 10000 + 8 * 100 + 14);
  Measurement m;
  m.runtime = "Ollama 0.20.0";
  m.source = "issue (2026-04-25)";
  EXPECT_EQ(build_era_note(row_build(m), ollama), "ollama 0.20.0 runs llama.cpp-metal build 7437");
  m.runtime = "Ollama 0.5.9";
  EXPECT_EQ(build_era_note(row_build(m), ollama),
            "ollama 0.5.9 runs llama.cpp-metal a commit of 2025-08-14 or earlier: before flash attention's default (b6330, "
            "2025-08-30) and concurrent dispatch (b6451, 2025-09-13)");
}

// End to end: an M5 prompt through Ollama 0.12.11 ran ggml b6840, before llama.cpp's products on
// the tensor API (b6980), and is predicted slower than through 0.13.2 (b7209), though both rows were
// published after that build's day (which alone would have taken them as running it).
TEST(BuildEra, WrapperRowsArePredictedAtTheirEnginesBuild) {
  const std::string csv = test::write_benchmark_csv(
      "ridgeline_wrapper_builds.csv",
      "issue (2025-12-05),Apple M5,10,,32,Ollama 0.12.11,Qwen3-8B,,Q4_K_M,0,512,,500,,x\n"
      "issue (2025-12-05),Apple M5,10,,32,Ollama 0.13.2,Qwen3-8B,,Q4_K_M,0,512,,500,,x\n"
      "issue (2025-12-05),Apple M5,10,,32,Ollama,Qwen3-8B,,Q4_K_M,0,512,,500,,x\n");
  const ValidationReport v = validate_dataset({csv}, {}, {});
  ASSERT_EQ(v.results.size(), 3u);
  auto prefill = [&](size_t i) { return v.results[i].values.at(Measured::prefill_tok_s).second; };
  EXPECT_LT(prefill(0), prefill(1));
  EXPECT_DOUBLE_EQ(prefill(2), prefill(1));  // no version: the date says it may have run the tensor API
  const auto& products = catalog_runtime("llama.cpp-metal")->kernels.products_on_matrix_units;
  ASSERT_TRUE(products.has_value());
  EXPECT_GT(products->build, 6840);
  EXPECT_LE(products->build, 7209);
  EXPECT_LT(products->date, 2025 * 10000 + 12 * 100 + 5);
}
