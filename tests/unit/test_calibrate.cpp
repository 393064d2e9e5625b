// Benchmark parsers (on small fixtures of each tool's output), name resolution, the fitter
// (recovers coefficients it generated data with) and the calibration file.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "helpers.hpp"
#include "ridgeline/calibration.hpp"
#include "ridgeline/calibration_report.hpp"
#include "ridgeline/catalog.hpp"
#include "ridgeline/runtime_compat.hpp"
#include "ridgeline/strict_reader.hpp"
#include "ridgeline/validation.hpp"

#include "benchmark_csv.hpp"

using namespace ridgeline;
using ridgeline::test::error_of;

namespace {
std::string fixture(const std::string& name) { return data_dir() + "/tests/fixtures/bench/" + name; }

// A prefill of `chunk` new tokens on top of `depth` cached ones, then `gen` generated.
// A row measured as `truth` predicts it and fitted from `profile`, on the unfused path or not.
Observation synthetic_row(const char* hardware, const char* model, const char* quant, const Workload& w, const RuntimeSpec& truth,
                          const RuntimeSpec& profile, bool unfused, Measured quantity) {
  RuntimeSpec rt = truth;
  rt.always_unfused = unfused;
  Scenario s = make_scenario(resolve_hardware(hardware), resolve_model(model), find_quantization(quant), rt, w);
  const Prediction p = predict(s);
  const double rate = quantity == Measured::prefill_tok_s ? p.prefill_tps() : p.decode_tps();
  s.runtime = profile;
  s.runtime.always_unfused = unfused;
  return {0, quantity, rate, s};
}

// A fit without cross-validation (the rows' measurement records are not read).
Calibration fit_in_sample(const std::string& runtime, const std::vector<Observation>& obs) {
  FitOptions opt;
  opt.cross_validate = false;
  const std::vector<Measurement> rows(1);
  return fit_runtime(runtime, obs, rows, opt);
}

Workload chunk_at_depth(long long depth, long long chunk, long long gen) {
  Workload w;
  w.prompt = depth + chunk;
  w.cached = depth;
  w.chunk = chunk;
  w.gen = gen;
  return w;
}
}  // namespace


namespace {
// Writes benchmark rows to a CSV (the measurement format's header first) and validates them.
ValidationReport validate_rows(const char* file, const std::string& rows) {
  return validate_dataset({test::write_benchmark_csv(file, rows)}, {}, {});
}
}  // namespace

TEST(BenchParsers, LlamaBenchJsonAndCsvCarryDepthUbatchAndNames) {
  for (const char* file : {"llama_bench.json", "llama_bench.csv"}) {
    auto rows = load_measurements(fixture(file));
    ASSERT_EQ(rows.size(), 2u) << file;
    EXPECT_EQ(rows[0].n_prompt, 2048);
    EXPECT_EQ(rows[0].context, 4096);
    EXPECT_EQ(rows[0].chunk, 2048);
    EXPECT_DOUBLE_EQ(*rows[0].prefill_tok_s, 2324.59);
    EXPECT_FALSE(rows[0].decode_tok_s);
    EXPECT_EQ(rows[1].n_gen, 32);
    EXPECT_DOUBLE_EQ(*rows[1].decode_tok_s, 123.38);
    EXPECT_FALSE(rows[1].decode_after_prompt);  // llama-bench tg runs at the depth, not after a prompt
    EXPECT_EQ(rows[0].model, "gpt-oss-20b-mxfp4");
    EXPECT_EQ(rows[0].quant, "MXFP4");
    const Resolution r = resolve_measurement(rows[0], {});
    ASSERT_TRUE(r.ok) << r.reason;
    EXPECT_EQ(r.hardware, "m2-ultra-76c");  // cores not stated: the top part, said as an assumption
    EXPECT_EQ(r.assumptions.size(), 1u);
    EXPECT_EQ(r.model, "gpt-oss-20b");
    EXPECT_EQ(r.quant, "mxfp4");
    EXPECT_EQ(r.runtime, "llama.cpp-metal");
  }
}

TEST(BenchParsers, LlamaBenchMarkdownReadsDepthRows) {
  auto rows = load_measurements(fixture("llama_bench.md"));
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[2].context, 4096);
  EXPECT_EQ(rows[2].n_prompt, 2048);
  EXPECT_DOUBLE_EQ(*rows[3].decode_tok_s, 123.38);
  EXPECT_EQ(rows[3].row, 6);  // line in the file
  EXPECT_EQ(rows[0].chip, "");  // not printed by llama-bench: supplied with --map
  NameMaps maps = parse_name_maps({"chip=m2-ultra-60c"});
  const Resolution r = resolve_measurement(rows[0], maps);
  ASSERT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.hardware, "m2-ultra-60c");
  EXPECT_EQ(r.model, "gpt-oss-20b");
}

TEST(BenchParsers, BatchedBenchRatesAreAggregates) {
  auto rows = load_measurements(fixture("batched_bench.txt"));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].batch, 4);
  EXPECT_EQ(rows[1].chunk, 2048);
  EXPECT_TRUE(rows[1].decode_after_prompt);
  EXPECT_DOUBLE_EQ(*rows[1].decode_tok_s, 221.84);
}

TEST(BenchParsers, MlxBenchmarkAndGenerateVerbose) {
  auto bench = load_measurements(fixture("mlx_benchmark.txt"));
  ASSERT_EQ(bench.size(), 1u);  // the averages, not each trial
  EXPECT_EQ(bench[0].n_prompt, 4096);
  EXPECT_DOUBLE_EQ(*bench[0].prefill_tok_s, 1314.605);
  EXPECT_DOUBLE_EQ(*bench[0].peak_memory_gb, 2.823);
  auto gen = load_measurements(fixture("mlx_generate.txt"));
  ASSERT_EQ(gen.size(), 1u);
  EXPECT_EQ(gen[0].n_gen, 256);
  EXPECT_DOUBLE_EQ(*gen[0].decode_tok_s, 95.21);
  EXPECT_DOUBLE_EQ(*gen[0].peak_memory_gb, 4.567);
  EXPECT_EQ(gen[0].runtime, "mlx");
}

TEST(BenchParsers, MeasurementCsvQuotingAndErrors) {
  const std::string& header = test::kBenchmarkHeader;
  auto rows = parse_measurement_csv(header + "\"a, b\",Apple M3 Max,40,,64,llama.cpp Metal,Llama 3 8B,,Q4_K_M,0,512,0,"
                                             "700,,\"llama-bench; two\nlines, \"\"quoted\"\"\"\n", "t.csv");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].notes, "llama-bench; two\nlines, \"quoted\"");
  EXPECT_EQ(resolve_measurement(rows[0], {}).hardware, "m3-max-40c");
  EXPECT_EQ(error_of([&] { parse_measurement_csv("source,chip,gpu_core\n", "t.csv"); }),
            "t.csv: header: unknown column 'gpu_core' (did you mean 'gpu_cores'?)");
  EXPECT_EQ(error_of([&] { parse_measurement_csv(header + "s,c,,,,r,m,,q,0,512,0,fast,,n\n", "t.csv"); }),
            "t.csv: row 2, column 'prefill_tok_s': 'fast' is not a rate in tokens/s > 0");
  EXPECT_EQ(error_of([&] { parse_measurement_csv(header + "s,c,,,,r,m,,q,0,512,0,-3,,n\n", "t.csv"); }),
            "t.csv: row 2, column 'prefill_tok_s': '-3' is not a rate in tokens/s > 0");
  EXPECT_EQ(error_of([&] { parse_measurement_csv(header + "\"s,c\n", "t.csv"); }),
            "t.csv: line 2: a quoted field is never closed");
  EXPECT_EQ(error_of([&] { parse_measurement_csv(header + "s,c\n", "t.csv"); }),
            "t.csv: row 2: 2 fields; expected 15 as in the header");
}

// The CSV reader appends runs of characters at once: each rule of RFC 4180 still holds at a run's edges.
TEST(BenchParsers, CsvRunsKeepQuotesSeparatorsAndLineEnds) {
  const auto rows = parse_csv("a,\"b,\"\"c\"\"\",d\"e\r\n\"x\ny\",,z\"\r\nlast,\"\",", "t.csv");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"a", "b,\"c\"", "d\"e"}));  // a quote inside a plain field is literal
  EXPECT_EQ(rows[1], (std::vector<std::string>{"x\ny", "", "z\""}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"last", "", ""}));  // no final newline: the trailing empty field counts
  EXPECT_EQ(error_of([] { parse_csv("a\n\"b\nc\nd", "t.csv"); }), "t.csv: line 2: a quoted field is never closed");
}

// Resolving each distinct spelling once gives what resolving every row does, reasons and assumptions included.
TEST(Resolution, DistinctSpellingsResolvedOnceAgreeWithEachRow) {
  std::vector<Measurement> rows(4);
  rows[0].chip = "Apple M3 Max", rows[0].gpu_cores = 40, rows[0].runtime = "llama.cpp Metal", rows[0].model = "Llama 3 8B";
  rows[0].quant = "Q4_K_M", rows[0].decode_tok_s = 50;
  rows[1] = rows[0];
  rows[1].decode_tok_s.reset();  // same names, no figure: its own reason
  rows[2] = rows[0];
  rows[2].gpu_cores = 0;  // the cores decide the part: not the same spelling
  rows[3] = rows[0];
  rows[3].model = "Llama 9 8B";
  const auto all = resolve_measurements(rows, {});
  ASSERT_EQ(all.size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const Resolution one = resolve_measurement(rows[i], {});
    EXPECT_EQ(all[i].ok, one.ok) << i;
    EXPECT_EQ(all[i].reason, one.reason) << i;
    EXPECT_EQ(all[i].hardware, one.hardware) << i;
    EXPECT_EQ(all[i].assumptions, one.assumptions) << i;
  }
  EXPECT_TRUE(all[0].ok);
  EXPECT_EQ(all[1].reason, "no measured rate or memory figure in this row");
  EXPECT_FALSE(all[3].ok);
}

// Several files: one in no benchmark format is skipped with its reason; a lone one is the error.
// With a sink, the same observations are handed over instead of kept.
TEST(Dataset, SkipsUnreadableFilesAndHandsObservationsToASink) {
  const std::string good = fixture("one_anomaly.csv"), bad = data_dir() + "/tests/bad_inputs/unrecognised.txt";
  const Dataset kept = load_dataset({good, bad}, {}, true);
  ASSERT_EQ(kept.skipped.size(), 1u);
  EXPECT_TRUE(kept.skipped[0].starts_with(bad + ": ")) << kept.skipped[0];
  ASSERT_FALSE(kept.observations.empty());
  EXPECT_EQ(kept.hashes.size(), 1u);
  EXPECT_EQ(kept.read, std::vector<std::string>{good});
  // Without hash_files (validate) the file is read the same and not hashed.
  const Dataset unhashed = load_dataset({good, bad}, {}, true, {}, false);
  EXPECT_TRUE(unhashed.hashes.empty());
  EXPECT_EQ(unhashed.read, kept.read);
  EXPECT_EQ(unhashed.observations.size(), kept.observations.size());
  EXPECT_FALSE(error_of([&] { load_dataset({bad}, {}, true); }).empty());
  EXPECT_FALSE(error_of([&] { load_dataset({good, bad}, {}); }).empty());
  std::vector<std::pair<size_t, double>> seen;
  const Dataset sunk = load_dataset({good, bad}, {}, true, [&](Observation& o, const Measurement& row) {
    EXPECT_EQ(row.row, kept.rows[o.row].row);
    seen.emplace_back(o.row, o.measured);
  });
  EXPECT_TRUE(sunk.observations.empty());
  ASSERT_EQ(seen.size(), kept.observations.size());
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].first, kept.observations[i].row);
    EXPECT_EQ(seen[i].second, kept.observations[i].measured);
  }
}

// The build and the version a runtime description states; none: 0 (today's).
TEST(Resolution, StatedBuildAndVersion) {
  EXPECT_EQ(stated_build("llama.cpp Metal (MTL,BLAS) build b828e18c7 (7948)"), 7948);
  EXPECT_EQ(stated_build("llama.cpp llama-server (Homebrew, version 9430, Metal)"), 9430);
  EXPECT_EQ(stated_build("llama.cpp Metal"), 0);
  EXPECT_EQ(stated_version("Ollama 0.12.6"), 12 * 1000 + 6);
  EXPECT_EQ(stated_version("ollama v0.30.0-rc31 (llama-server)"), 30 * 1000);
  EXPECT_EQ(stated_version("Ollama, version 0.9."), 9 * 1000);
  EXPECT_EQ(stated_version("Ollama"), 0);
  EXPECT_EQ(stated_version("llama.cpp Metal build b828e18c7 (7948)"), 0);  // "llama.cpp" is no version
}

// An Ollama row that states a version before 0.30 ran Ollama's vendored engine and pays its extra
// routed-expert kernels; one stating 0.30 or later, or none (today's Ollama), runs upstream
// llama-server: as fast as the engine less the wrapper's own costs.
TEST(Resolution, OllamaRowsBeforeItsUpstreamEngineArePredictedSlowerOnMoe) {
  const std::string csv = test::write_benchmark_csv(
      "ridgeline_ollama_versions.csv",
      "t,Apple M4 Max,40,,,Ollama 0.12.6,Qwen3-30B-A3B,,Q4_K_M,0,,128,,50,x\n"
      "t,Apple M4 Max,40,,,Ollama 0.30.1,Qwen3-30B-A3B,,Q4_K_M,0,,128,,50,x\n"
      "t,Apple M4 Max,40,,,Ollama,Qwen3-30B-A3B,,Q4_K_M,0,,128,,50,x\n"
      // No version, but published before 0.30.0 shipped (2026-06-01): the own engine.
      "blog 2026-05-31,Apple M4 Max,40,,,Ollama,Qwen3-30B-A3B,,Q4_K_M,0,,128,,50,x\n"
      "blog 2026-06-01,Apple M4 Max,40,,,Ollama,Qwen3-30B-A3B,,Q4_K_M,0,,128,,50,x\n"
      // A stated version outranks the date.
      "blog 2026-05-31,Apple M4 Max,40,,,Ollama 0.30.1,Qwen3-30B-A3B,,Q4_K_M,0,,128,,50,x\n");
  const ValidationReport v = validate_dataset({csv}, {}, {});
  ASSERT_EQ(v.results.size(), 6u);
  const double old_engine = v.results[0].values.at(Measured::decode_tok_s).second;
  const double upstream = v.results[1].values.at(Measured::decode_tok_s).second;
  EXPECT_LT(old_engine, upstream * 0.95);  // 10 kernels more in each of 48 routed-expert layers
  EXPECT_DOUBLE_EQ(v.results[2].values.at(Measured::decode_tok_s).second, upstream);
  EXPECT_DOUBLE_EQ(v.results[3].values.at(Measured::decode_tok_s).second, old_engine);
  EXPECT_DOUBLE_EQ(v.results[4].values.at(Measured::decode_tok_s).second, upstream);
  EXPECT_DOUBLE_EQ(v.results[5].values.at(Measured::decode_tok_s).second, upstream);
  // The dated row says why it was taken for the old engine.
  const auto& said = v.resolved[3].assumptions;
  EXPECT_TRUE(std::any_of(said.begin(), said.end(), [](const std::string& a) {
    return a.find("published 2026-05-31: before ollama replaced its own engine (0.30.0, 2026-06-01)") != std::string::npos;
  })) << fmt::format("{}", fmt::join(said, " | "));
}

// A row of Ollama names its model as Ollama's library does: "deepseek-r1" is deepseek-r1:8b there.
TEST(Resolution, AnOllamaRowReadsABareFamilyAsItsLatestTag) {
  const ValidationReport v = validate_rows(
      "ridgeline_ollama_bare.csv",
      "t,Apple M4 Max,40,,128,Ollama 0.12.6,deepseek-r1,,,0,,128,,50,x\n"
      "t,Apple M4 Max,40,,128,llama.cpp Metal,deepseek-r1,,Q4_K_M,0,,128,,5,x\n");
  ASSERT_EQ(v.resolved.size(), 2u);
  EXPECT_EQ(v.resolved[0].model, "llama-3.1-8b");
  EXPECT_EQ(v.resolved[0].quant, "q4_k_m");
  EXPECT_EQ(v.resolved[1].model, "deepseek-r1");
}

// A measured row is refused, with its reason, where its rate cannot be the modelled one: an MTP checkpoint
// drafts tokens (speculative); a bare bit count under a GGUF runtime reads as an MLX format llama.cpp
// cannot load. "M2 Pro (10-core)" counts the CPU: the 16-core-GPU bin.
TEST(Resolution, SpeculativeCheckpointsAndUnloadableFormatsAreRefusedWithTheirReason) {
  const ValidationReport v = validate_rows(
      "ridgeline_refusals.csv",
      "t,Apple M4 Max,40,,128,Ollama 0.30.2,qwen3.6:27b-mtp-q8_0,,,0,,128,,30,x\n"
      "t,Apple M4 Max,40,,128,LM Studio (GGUF),Qwen 2.5 72B,,8 bit,0,,128,,9,x\n"
      "t,Apple M2 Pro (10-core),,,32,llama.cpp Metal,Qwen3-8B,,Q4_K_M,0,,128,,20,x\n");
  ASSERT_EQ(v.unusable.size(), 3u);
  EXPECT_NE(v.unusable[0].find("speculative decoding is not modelled"), std::string::npos) << v.unusable[0];
  EXPECT_NE(v.unusable[1].find("llama.cpp-metal cannot load mlx-8bit"), std::string::npos) << v.unusable[1];
  EXPECT_EQ(v.unusable[2], "");
  ASSERT_EQ(v.resolved.size(), 3u);
  EXPECT_EQ(v.resolved[2].hardware, "m2-pro-16c");
}

// antirez/ds4's speed-bench rows: the context column is where the 2048-token prefill ends (the notes
// say so), the GGUF the README gives a 128 GB machine when the row does not name one (dataset_notes),
// and the engine runs one model.
TEST(Resolution, Ds4RowsPrefillUpToTheirFrontierOnTheirReadmesFile) {
  const std::string notes = "\"each row: prefill of prefill_tokens new tokens that ENDS at ctx_tokens\"";
  const std::string csv = test::write_benchmark_csv(
      "ridgeline_ds4.csv",
      "antirez/ds4 speed-bench/m5_max.csv @ x,Apple M5 Max,,,128,ds4 / ds4-bench,DeepSeek-V4-Flash,,"
      "not stated (ds4 q2 or q4 GGUF),6144,2048,128,300,28," + notes + "\n"
      "t,Apple M5 Max,,,128,ds4 / ds4-bench,Qwen3-8B,,IQ2XXS-w2Q2K-AProjQ8,6144,2048,128,300,28," + notes + "\n");
  const Dataset d = load_dataset({csv}, {});
  ASSERT_EQ(d.rows.size(), 2u);
  EXPECT_TRUE(d.resolved[0].ok) << d.unusable[0];
  EXPECT_EQ(d.resolved[0].runtime, "ds4");
  EXPECT_EQ(d.resolved[0].quant, "ds4-q2");
  ASSERT_EQ(d.observations.size(), 2u);  // the first row's prefill and decode
  const Workload& prefill = d.observations[0].scenario.workload;
  EXPECT_EQ(prefill.cached, 6144 - 2048);
  EXPECT_EQ(prefill.prompt, 6144);
  EXPECT_EQ(d.observations[1].scenario.workload.prompt, 6144);  // generation starts at the frontier
  EXPECT_NE(d.unusable[1].find("ds4 runs only deepseek-v4-flash, not qwen3-8b"), std::string::npos) << d.unusable[1];
  // A fit on one model is not applied by default, except for a runtime that runs only that model.
  EXPECT_TRUE(runs_one_model("ds4"));
  EXPECT_FALSE(runs_one_model("llama.cpp-metal"));
  ASSERT_NE(shipped_calibration("ds4", "apple"), nullptr);
  EXPECT_EQ(shipped_calibration("ds4", "apple")->leave_one_model_out.folds, 0);
  const std::string bad = test::write_benchmark_csv(
      "ridgeline_ds4_bad.csv", "t,Apple M5 Max,,,128,ds4,DeepSeek-V4-Flash,,ds4-q2,1024,2048,128,300,28," + notes + "\n");
  EXPECT_NE(error_of([&] { load_dataset({bad}, {}); }).find("n_prompt 2048 exceeds context_tokens 1024"), std::string::npos);
  EXPECT_EQ(error_of([] { parse_dataset_notes_text("notes:\n  - {source: \"antirez/ds4 x.csv\", quant: q9, evidence: e}\n", "n.yaml"); })
                .substr(0, 49),
            "n.yaml: notes[0]: quant: quantization 'q9' is not");
}

// MXFP4 means two layouts: gpt-oss's (experts MXFP4, the rest 8-bit: "MXFP4-Q8") and MLX's mxfp4 mode on
// every layer; under MLX a name with no 8-bit rest is the latter, at 4 + 8/32 bits a weight.
TEST(Resolution, MxFp4UnderMlxWithoutAnEightBitRestIsEveryLayerAtMxFp4) {
  const ValidationReport v = validate_rows(
      "ridgeline_mlx_mxfp4.csv",
      "t,Apple M4 Max,40,,128,mlx_lm 0.31,OsaurusAI/Qwen3.6-35B-A3B-mxfp4,,,0,,128,,100,x\n"
      "t,Apple M4 Max,40,,128,rapid-mlx,gpt-oss-20b-MXFP4-Q8,,MLX MXFP4 experts / Q8,0,,128,,100,x\n"
      "t,Apple M4 Max,40,,128,llama.cpp Metal,gpt-oss-20b,,MXFP4,0,,128,,100,x\n"
      "t,Apple M4 Max,40,,128,mlx_lm 0.31,Qwen3.6-27B,,nvfp4,0,,128,,30,x\n"
      "t,Apple M4 Max,40,,128,mlx_lm 0.31,Qwen3.6-27B,,mxfp8,0,,128,,20,x\n");
  ASSERT_EQ(v.resolved.size(), 5u);
  EXPECT_EQ(v.resolved[3].quant, "mlx-nvfp4");  // MLX's nvfp4 mode: 4 bits + an e4m3 scale per 16
  EXPECT_EQ(v.resolved[4].quant, "mlx-mxfp8");
  EXPECT_DOUBLE_EQ(find_quantization("mlx-nvfp4").matrix_bpw, 4 + 8.0 / 16);
  EXPECT_DOUBLE_EQ(find_quantization("mlx-mxfp8").matrix_bpw, 8 + 8.0 / 32);
  EXPECT_EQ(v.resolved[0].quant, "mlx-mxfp4");
  EXPECT_EQ(v.resolved[1].quant, "mxfp4");
  EXPECT_EQ(v.resolved[2].quant, "mxfp4");
  EXPECT_DOUBLE_EQ(find_quantization("mlx-mxfp4").matrix_bpw, 4 + 8.0 / 32);
}

// A row that says its memory paged measured the disk: reported with its reason, not fitted.
TEST(Resolution, RowsThatSayTheyPagedAreNotFitted) {
  const ValidationReport v = validate_rows(
      "ridgeline_paging.csv",
      "t,Apple M2 Ultra,76,,,mlx,Llama 3.1 70B,,16-bit,0,16,100,,0.23,NOT wired (memory paging)\n"
      "t,Apple M2 Ultra,76,,,mlx,Llama 3.1 70B,,16-bit,0,16,100,,4.7,wired memory; no swap\n");
  ASSERT_EQ(v.unusable.size(), 2u);
  EXPECT_EQ(v.unusable[0], "the row says its memory was paging or swapping, which is not modelled");
  EXPECT_EQ(v.unusable[1], "");
}

// A llama.cpp row run with no layer offloaded (-ngl 0) measured the CPU: reported, not fitted; one
// layer or more offloads (a Metal build of 2023 offloaded every layer with -ngl 1).
TEST(Resolution, RowsRunWithoutGpuLayersAreNotFitted) {
  const ValidationReport v = validate_rows(
      "ridgeline_ngl.csv",
      "t,Apple M2 Ultra,76,,,llama.cpp Metal,Llama 2 7B,,Q4_0,0,494,1023,10,3.1,args: -m x.gguf -ngl 0 -n 1024\n"
      "t,Apple M2 Ultra,76,,,llama.cpp Metal,Llama 2 7B,,Q4_0,0,494,1023,1200,90,args: -m x.gguf -ngl 1 -n 1024\n"
      "t,Apple M2 Ultra,76,,,llama.cpp Metal,Llama 2 7B,,Q4_0,0,494,1023,1200,90,args: --n-gpu-layers 0\n"
      "t,Apple M2 Ultra,76,,,llama.cpp Metal,Llama 2 7B,,Q4_0,0,494,1023,1200,90,args: -ngl 0\n"
      "t,Apple M2 Ultra,76,,,llama.cpp Metal,Llama 2 7B,,Q4_0,0,494,1023,1200,90,args: -ngl 01 -c 0\n");
  ASSERT_EQ(v.unusable.size(), 5u);
  const std::string cpu = "the row says no layer was offloaded to the GPU (-ngl 0): the CPU ran it, which is not modelled";
  EXPECT_EQ(v.unusable[0], cpu);
  EXPECT_EQ(v.unusable[1], "");
  EXPECT_EQ(v.unusable[2], cpu);
  EXPECT_EQ(v.unusable[3], cpu);
  EXPECT_EQ(v.unusable[4], "");
}

// calibrate/dataset_notes.yaml: a fact a file's rows omit (the part they ran on) is given to the
// rows whose source names it, only where the row leaves the field empty; the file is checked.
TEST(DatasetNotes, FillWhatRowsLeaveOutAndRefuseMalformedNotes) {
  const auto notes = parse_dataset_notes_text(
      "notes:\n  - {source: \"Bench/M1max_32GB.ipynb\", gpu_cores: 24, evidence: \"README: M1 Max 24-Core GPU 32GB\"}\n", "n.yaml");
  ASSERT_EQ(notes.size(), 1u);
  Measurement unstated, stated, other;
  unstated.source = stated.source = "Bench/M1max_32GB.ipynb @ abc";
  stated.gpu_cores = 32;
  other.source = "Bench/M2ultra.ipynb";
  EXPECT_NE(apply_dataset_notes(unstated, notes).find("24 GPU cores"), std::string::npos);
  EXPECT_EQ(unstated.gpu_cores, 24);
  EXPECT_EQ(apply_dataset_notes(stated, notes), "");
  EXPECT_EQ(stated.gpu_cores, 32);  // a row's own statement wins
  EXPECT_EQ(apply_dataset_notes(other, notes), "");
  EXPECT_EQ(other.gpu_cores, 0);
  EXPECT_EQ(error_of([] { parse_dataset_notes_text("notes:\n  - {source: \"Bench/M1max_32GB\", gpu_cores: 0, evidence: e}\n", "n.yaml"); }),
            "n.yaml: notes[0]: gpu_cores: 0 is out of range (expected 1 to 1024)");
  EXPECT_EQ(error_of([] { parse_dataset_notes_text("notes: {source: x}\n", "n.yaml"); }), "n.yaml: notes: expected a list of notes");
  EXPECT_FALSE(error_of([] { parse_dataset_notes_text("notes:\n  - {source: \"Bench/M1max_32GB\", gpu_cores: 24}\n", "n.yaml"); }).empty());
  EXPECT_FALSE(dataset_notes().empty());  // the shipped file parses
}

// A note may state the prefill chunk a file's quoted command ran with; a row stating its own keeps it.
TEST(DatasetNotes, FillTheChunkACommandStates) {
  const auto notes = parse_dataset_notes_text(
      "notes:\n  - {source: \"example.com/bench.html\", chunk_tokens: 2048, evidence: \"command: -ub 2048\"}\n", "n.yaml");
  Measurement unstated, stated;
  unstated.source = stated.source = "https://example.com/bench.html (copy)";
  stated.chunk = 512;
  EXPECT_NE(apply_dataset_notes(unstated, notes).find("prefill chunk 2048"), std::string::npos);
  EXPECT_EQ(unstated.chunk, 2048);
  EXPECT_EQ(apply_dataset_notes(stated, notes), "");
  EXPECT_EQ(stated.chunk, 512);
  EXPECT_EQ(error_of([] { parse_dataset_notes_text("notes:\n  - {source: \"example.com/bench\", evidence: e}\n", "n.yaml"); }),
            "n.yaml: notes[0]: states none of gpu_cores, quant, chunk_tokens and sustained_throttling: true");
}

// A note may say one run of a file throttled under sustained load (a laptop without High Power
// Mode): that run's prompt rates, compute-bound, are reported and not fitted; its decode rates, and
// the file's other runs, are used.
TEST(DatasetNotes, AThrottledRunsPromptRatesAreNotFitted) {
  const auto notes = parse_dataset_notes_text(
      "notes:\n  - {source: \"Bench/M1max_64GB.ipynb\", notes_contain: llama-bench, sustained_throttling: true, "
      "evidence: \"14-inch chassis\"}\n",
      "n.yaml");
  Measurement sweep, single, other;
  sweep.source = single.source = "Bench/M1max_64GB.ipynb @ abc";
  sweep.notes = "llama-bench pp 1024";
  single.notes = "./main text completion";
  other.source = "Bench/M2ultra.ipynb";
  other.notes = sweep.notes;
  EXPECT_NE(apply_dataset_notes(sweep, notes).find("throttled under sustained load"), std::string::npos);
  EXPECT_EQ(sweep.sustained_throttling, "14-inch chassis");
  EXPECT_EQ(apply_dataset_notes(single, notes), "");
  EXPECT_EQ(apply_dataset_notes(other, notes), "");
  EXPECT_TRUE(single.sustained_throttling.empty() && other.sustained_throttling.empty());
  EXPECT_EQ(error_of([] {
              parse_dataset_notes_text("notes:\n  - {source: \"Bench/M1max_64GB\", sustained_throttling: maybe, evidence: e}\n", "n.yaml");
            }).substr(0, 50),
            "n.yaml: notes[0]: sustained_throttling: expected t");
  // Through the shipped notes: the 14-inch M1 Max's llama-bench sweep (XiongjieDai, LLaMA 3).
  const std::string src = "XiongjieDai/GPU-Benchmarks-on-LLM-Inference LLaMA 3/Mac/M1max_64GB.ipynb @ aa72e0ec";
  const ValidationReport v = validate_rows(
      "ridgeline_throttled.csv",
      src + ",Apple M1 Max,32,,64,llama.cpp Metal build 858f6b73 (2797),Llama 3 8B,8.03,Q4_K_M,0,1024,0,355.45,,llama-bench pp 1024\n" +
          src + ",Apple M1 Max,32,,64,llama.cpp Metal build 858f6b73 (2797),Llama 3 8B,8.03,Q4_K_M,0,0,512,,35.7,llama-bench tg 512\n" +
          src + ",Apple M1 Max,32,,64,llama.cpp Metal ./main build 2797 (858f6b73),Llama 3 8B,8.03,Q4_K_M,0,258,1023,385.86,37.49,"
                "./main text completion\n");
  ASSERT_EQ(v.unusable.size(), 3u);
  EXPECT_EQ(v.unusable[0], "a dataset note says the run throttled under sustained load: its prompt rate is not modelled");
  EXPECT_EQ(v.unusable[1], "");
  EXPECT_EQ(v.unusable[2], "");
  EXPECT_EQ(v.usable_rows, 2u);
}

TEST(Resolution, UnresolvedRowsCarryTheirReason) {
  Measurement m;
  m.chip = "Apple M9 Max";
  m.runtime = "ds4 / ds4-bench";
  m.model = "DeepSeek-V4-Pro";
  m.quant = "Q4_K_M";
  m.decode_tok_s = 10;
  const Resolution r = resolve_measurement(m, {});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.reason, "hardware 'Apple M9 Max' is not in the catalog (no Apple m9 max profile); `ridgeline list hardware` "
                      "shows them; model 'DeepSeek-V4-Pro' "
                      "is not in the catalog; `ridgeline list models` shows them, or pass a descriptor .yaml, a config.json "
                      "or a .gguf");
  EXPECT_EQ(error_of([] { parse_name_maps({"chips=m1-8c"}); }),
            "map: 'chips=m1-8c': kind 'chips' is not chip, model, quant or runtime (did you mean 'chip'?)");
  EXPECT_EQ(error_of([] { parse_name_maps({"model:Llama=llama-9b"}); }),
            "map: 'model:Llama=llama-9b': 'llama-9b' is not a known model id");
}

// Observations generated by the simulator with known coefficients: the fit must find them again.
TEST(Fit, RecoversTheCoefficientsThatGeneratedTheData) {
  RuntimeSpec truth = resolve_runtime("llama.cpp-metal");
  truth.coef.bandwidth_efficiency = 0.7;
  truth.coef.step_overhead_ms = 3.0;
  truth.coef.compute_efficiency = 0.45;
  // Q8_0's unpacking cost on the single-issue chips below (M1, M2), inside its fit range. It slows
  // their prefill as a lower GEMM efficiency would: only co-issue chips of the same tiers (the M3
  // Max beside the M1 Max) tell the two apart.
  truth.coef.dequant_ops_per_weight["q8"] = 2.0;
  std::vector<Observation> obs;
  std::vector<Measurement> rows(1);
  for (const char* chip : {"m1-max-32c", "m2-ultra-76c", "m3-max-40c", "m4-pro-20c"})
    for (const char* model : {"llama-3.1-8b", "qwen3-14b"})
      // Two chunk sizes (64 and 512 rows) separate GEMM efficiency from its half-fill rows.
      for (long long depth : {0LL, 8192LL})
      for (long long chunk : {64LL, 512LL}) {
        const Workload w = chunk_at_depth(depth, chunk, 64);
        Scenario s = make_scenario(resolve_hardware(chip), resolve_model(model), find_quantization("q8_0"), truth, w);
        const Prediction p = predict(s);
        s.runtime = resolve_runtime("llama.cpp-metal");  // the fit starts from the profile's values
        obs.push_back({0, Measured::prefill_tok_s, p.prefill_tps(), s});
        obs.push_back({0, Measured::decode_tok_s, p.decode_tps(), s});
      }
  FitOptions opt;
  opt.cross_validate = false;
  const Calibration c = fit_runtime("llama.cpp-metal", obs, rows, opt);
  EXPECT_NEAR(c.coefficients.at("bandwidth_efficiency").value, 0.7, 0.7 * 0.02);
  EXPECT_NEAR(c.coefficients.at("step_overhead_ms").value, 3.0, 3.0 * 0.05);
  EXPECT_NEAR(c.coefficients.at("compute_efficiency").value, 0.45, 0.45 * 0.05);
  EXPECT_NEAR(c.coefficients.at("dequant_ops_per_weight.q8").value, 2.0, 2.0 * 0.05);
  EXPECT_LT(c.in_sample_mape.at("decode_tok_s"), 1.0);
  EXPECT_LT(c.in_sample_mape.at("prefill_tok_s"), 1.0);
}

// MLX on an M5 multiplies on matrix units (mlx.yaml's matrix_units: products, from 0.30.0): rows generated
// with the expert kernel at 0.6 of its share there give 0.6 back, told apart from the M5's own
// factor (which moves dense and MoE prefill alike) by dense and MoE rows on the M5 beside an M4.
TEST(Fit, ExpertKernelFactorOnMatrixUnitsComesFromDenseAndMoeRows) {
  const RuntimeSpec profile = resolve_runtime("mlx");
  RuntimeSpec truth = profile;
  truth.coef.moe_matrix_units_factor = 0.6;
  truth.coef.moe_compute_factor = 0.8;
  truth.coef.generation_compute_factor["m5"] = 0.9;
  std::vector<Observation> obs;
  for (const char* chip : {"m4-max-40c", "m5-max-40c", "m4-pro-20c", "m5-8c"})
    for (const char* model : {"qwen3-14b", "qwen3-30b-a3b"})
      for (long long prompt : {512LL, 2048LL, 4096LL}) {
        Workload w;
        w.prompt = prompt;
        w.gen = 64;
        Scenario s = make_scenario(resolve_hardware(chip), resolve_model(model), find_quantization("mlx-4bit"), truth, w);
        const Prediction p = predict(s);
        s.runtime = profile;
        obs.push_back({0, Measured::prefill_tok_s, p.prefill_tps(), s});
        obs.push_back({0, Measured::decode_tok_s, p.decode_tps(), s});
      }
  FitOptions opt;
  opt.cross_validate = false;
  const Calibration c = fit_runtime("mlx", obs, std::vector<Measurement>(1), opt);
  ASSERT_TRUE(c.coefficients.contains("moe_matrix_units_factor"));
  EXPECT_NEAR(c.coefficients.at("moe_matrix_units_factor").value, 0.6, 0.6 * 0.05);
  EXPECT_LT(c.in_sample_mape.at("prefill_tok_s"), 1.0);
  auto fits_factor_on = [&](bool m5_rows) {
    std::vector<Observation> some;
    for (const auto& o : obs)
      if ((o.scenario.hardware.family == "m5") == m5_rows) some.push_back(o);
    return fit_runtime("mlx", some, std::vector<Measurement>(1), opt).coefficients.contains("moe_matrix_units_factor");
  };
  // Without MoE rows on matrix units the factor is not fitted: it keeps the profile's value.
  EXPECT_FALSE(fits_factor_on(false));
  // Nor with MoE rows on matrix units alone: only its product with moe_compute_factor shows.
  EXPECT_FALSE(fits_factor_on(true));
}

// Batched MoE decode through ggml-cuda's grouped kernel (above moe_gemv_max_rows) reads the experts
// its rows touch: rows generated with routing skewed at 1.0 give 1.0 back from batches of 8 to 32
// beside batch-1 rows (which read k experts however skewed).
TEST(Fit, RoutingSkewComesFromGroupedBatchesOfSeveralSizes) {
  const RuntimeSpec profile = resolve_runtime("llama.cpp-cuda");
  RuntimeSpec truth = profile;
  truth.coef.moe_routing_skew = 1.0;
  truth.coef.bandwidth_efficiency = 0.9;
  std::vector<Observation> obs;
  for (const char* model : {"qwen3-30b-a3b", "llama-3.1-8b"})
    for (long long batch : {1LL, 2LL, 8LL, 16LL, 32LL}) {
      Workload w;
      w.prompt = 512;
      w.gen = 32;
      w.batch = batch;
      Scenario s = make_scenario(resolve_hardware("dgx-spark"), resolve_model(model), find_quantization("q8_0"), truth, w);
      const Prediction p = predict(s);
      s.runtime = profile;
      obs.push_back({0, Measured::prefill_tok_s, p.prefill_tps(), s});
      obs.push_back({0, Measured::decode_tok_s, p.aggregate_decode_tps(), s});  // batched rates are aggregates
    }
  FitOptions opt;
  opt.cross_validate = false;
  const Calibration c = fit_runtime("llama.cpp-cuda", obs, std::vector<Measurement>(1), opt);
  ASSERT_TRUE(c.coefficients.contains("moe_routing_skew"));
  EXPECT_NEAR(c.coefficients.at("moe_routing_skew").value, 1.0, 0.05);
  EXPECT_LT(c.in_sample_mape.at("decode_tok_s"), 1.0);
  // Batch-1 rows alone do not show it: it keeps the profile's uniform routing.
  std::vector<Observation> single;
  for (const auto& o : obs)
    if (o.scenario.workload.batch == 1) single.push_back(o);
  EXPECT_FALSE(fit_runtime("llama.cpp-cuda", single, std::vector<Measurement>(1), opt).coefficients.contains("moe_routing_skew"));
}

// Rows of Q8_0 on a MoE beside Q4_0 on two dense models, and the same with a dense Q8_0 model too
// (`rows(model, quant)` makes one model's): the two sides of a class measured only in MoE rows.
template <class Rows>
std::pair<std::vector<Observation>, std::vector<Observation>> moe_only_q8_then_anchored(Rows rows) {
  std::vector<Observation> moe_only = rows("qwen3-30b-a3b", "q8_0");
  for (const char* dense : {"llama-3.1-8b", "qwen3-14b"})
    for (const auto& o : rows(dense, "q4_0")) moe_only.push_back(o);
  std::vector<Observation> anchored = moe_only;
  for (const auto& o : rows("llama-3.1-8b", "q8_0")) anchored.push_back(o);
  return {moe_only, anchored};
}

// A kernel class measured only in MoE rows is told apart from the MoE kernels' own factor only
// through a class measured both ways: Q8_0 on a MoE beside Q4_0 on a dense model frees no class
// factor (else the Q8_0 factor and moe_compute_factor trade freely); dense Q8_0 rows free it.
TEST(Fit, AKernelClassSeenOnlyInMoeRowsNeedsAClassSeenBothWays) {
  const RuntimeSpec profile = resolve_runtime("llama.cpp-cuda");
  RuntimeSpec truth = profile;
  truth.coef.quant_compute_factor["q8"] = 0.8;
  truth.coef.moe_compute_factor = 0.6;
  auto rows = [&](const char* model, const char* quant) {
    std::vector<Observation> out;
    for (long long prompt : {128LL, 512LL, 2048LL}) {
      Workload w;
      w.prompt = prompt;
      w.gen = 32;
      Scenario s = make_scenario(resolve_hardware("dgx-spark"), resolve_model(model), find_quantization(quant), truth, w);
      const Prediction p = predict(s);
      s.runtime = profile;
      out.push_back({0, Measured::prefill_tok_s, p.prefill_tps(), s});
      out.push_back({0, Measured::decode_tok_s, p.decode_tps(), s});
    }
    return out;
  };
  const auto [moe_only, both] = moe_only_q8_then_anchored(rows);
  const Calibration unanchored = fit_in_sample("llama.cpp-cuda", moe_only);
  EXPECT_FALSE(unanchored.coefficients.contains("quant_compute_factor.q8"));
  EXPECT_FALSE(unanchored.coefficients.contains("quant_compute_factor.legacy"));
  const Calibration anchored = fit_in_sample("llama.cpp-cuda", both);
  EXPECT_TRUE(anchored.coefficients.contains("quant_compute_factor.q8") || anchored.coefficients.contains("quant_compute_factor.legacy"));
}

// The same holds for a class's unpacking cost on GPUs that cannot co-issue it (M1, M2): Q8_0 decode
// on a MoE beside Q4_0 on dense models frees no Q8_0 unpacking cost; dense Q8_0 rows free it.
TEST(Fit, AnUnpackingCostSeenOnlyInMoeRowsNeedsAClassSeenBothWays) {
  const RuntimeSpec profile = resolve_runtime("llama.cpp-metal");
  auto rows = [&](const char* model, const char* quant) {
    std::vector<Observation> out;
    for (long long batch : {1LL, 2LL, 4LL}) {
      Workload w;
      w.prompt = 512;
      w.gen = 128;
      w.batch = batch;
      const Scenario s = make_scenario(resolve_hardware("m2-ultra-76c"), resolve_model(model), find_quantization(quant), profile, w);
      const Prediction p = predict(s);
      out.push_back({0, Measured::prefill_tok_s, p.prefill_tps() * 0.9, s});
      out.push_back({0, Measured::decode_tok_s, p.aggregate_decode_tps() * 0.8, s});
    }
    return out;
  };
  const auto [moe_only, both] = moe_only_q8_then_anchored(rows);
  const Calibration unanchored = fit_in_sample("llama.cpp-metal", moe_only);
  EXPECT_FALSE(unanchored.coefficients.contains("dequant_ops_per_weight.q8"));
  EXPECT_TRUE(unanchored.coefficients.contains("dequant_ops_per_weight.legacy"));
  const Calibration anchored = fit_in_sample("llama.cpp-metal", both);
  EXPECT_TRUE(anchored.coefficients.contains("dequant_ops_per_weight.q8"));
}

// ggml-cuda on RDNA3 before its WMMA MMQ (llama.cpp-rocm.yaml's blas: section): rows generated with
// that era's own kernels at 0.7 of today's give 0.7 back, told apart from compute_efficiency by rows
// of a later build; rows of one era alone leave it unfitted (the profile's 1).
TEST(Fit, BlasEraKernelFactorComesFromRowsOfBothEras) {
  const RuntimeSpec profile = resolve_runtime("llama.cpp-rocm");
  RuntimeSpec truth = profile;
  truth.coef.blas_era_compute_factor[kBlasEraOwnKernels] = 0.7;
  truth.coef.blas_compute_factor["rocblas"] = 0.3;
  std::vector<Observation> obs;
  for (long long build : {6077LL, 8038LL})
    for (const char* model : {"llama-3.1-8b", "qwen3-14b", "qwen3-30b-a3b"})
      for (long long prompt : {16LL, 32LL, 512LL}) {
        Workload w;
        w.prompt = prompt;
        w.gen = 64;
        auto era = [&](RuntimeSpec rt) {
          rt.build = build;
          if (build < profile.kernels.blas.until_build) rt.blas_library = profile.kernels.blas.library;
          return rt;
        };
        Scenario s = make_scenario(resolve_hardware("strix-halo-395"), resolve_model(model), find_quantization("q4_k_m"), era(truth), w);
        const Prediction p = predict(s);
        s.runtime = era(profile);
        obs.push_back({0, Measured::prefill_tok_s, p.prefill_tps(), s});
        obs.push_back({0, Measured::decode_tok_s, p.decode_tps(), s});
      }
  FitOptions opt;
  opt.cross_validate = false;
  const std::string key = std::string("blas_era_compute_factor.") + kBlasEraOwnKernels;
  const Calibration c = fit_runtime("llama.cpp-rocm", obs, std::vector<Measurement>(1), opt);
  ASSERT_TRUE(c.coefficients.contains(key));
  EXPECT_NEAR(c.coefficients.at(key).value, 0.7, 0.7 * 0.05);
  EXPECT_LT(c.in_sample_mape.at("prefill_tok_s"), 1.0);
  std::vector<Observation> later;
  for (const auto& o : obs)
    if (o.scenario.runtime.blas_library.empty()) later.push_back(o);
  EXPECT_FALSE(fit_runtime("llama.cpp-rocm", later, std::vector<Measurement>(1), opt).coefficients.contains(key));
}

namespace {

// Decode rows the simulator gives with `truth` (prompt = each context, `gen` generated) for every
// chip, model and context, each carrying `profile` for the fit to start from.
std::vector<Observation> generated_decode_rows(const RuntimeSpec& truth, const RuntimeSpec& profile,
                                               std::initializer_list<const char*> chips, std::initializer_list<const char*> models,
                                               std::initializer_list<long long> contexts, long long gen) {
  std::vector<Observation> obs;
  for (const char* chip : chips)
    for (const char* model : models)
      for (long long context : contexts) {
        Workload w;
        w.prompt = context;
        w.gen = gen;
        Scenario s = make_scenario(resolve_hardware(chip), resolve_model(model), find_quantization("q4_k_m"), truth, w);
        const double rate = predict(s).decode_tps();
        s.runtime = profile;
        obs.push_back({0, Measured::decode_tok_s, rate, s});
      }
  return obs;
}

}  // namespace

// A vector kernel's ALU roof the rows do not reach (the truth's is 1.0; decode at depth where the
// KV stream, not the attention arithmetic, binds; the rows at 8K decode 11-15% slower than at 128
// tokens, so they count as showing attention's cost) shows only where a trial value would make it
// bind: the deep rows push the profile's 0.12 up until it stops binding (about 0.18 on these chips
// and models), and above that every value predicts the same. The weak prior pseudo-row keeps the
// solver at that edge instead of letting it run on toward any larger value.
TEST(Fit, RoofTheRowsDoNotReachStaysNearItsProfileValue) {
  const RuntimeSpec profile = resolve_runtime("llama.cpp-metal");
  RuntimeSpec truth = profile;
  truth.coef.vector_attention_efficiency = 1.0;
  const std::vector<Observation> obs =
      generated_decode_rows(truth, profile, {"m2-ultra-76c", "m4-max-40c"}, {"qwen3-14b", "qwen3-32b"}, {128, 8192, 8448}, 64);
  // The premise: at the profile's value the roof binds on some rows (they run faster than it says).
  size_t bound_rows = 0;
  for (const auto& o : obs) bound_rows += predict(o.scenario).decode_tps() < o.measured * (1 - 1e-6);
  ASSERT_GT(bound_rows, 0u);
  ASSERT_LT(bound_rows, obs.size());
  FitOptions opt;
  opt.cross_validate = false;
  const std::vector<Measurement> rows(1);
  const Calibration c = fit_runtime("llama.cpp-metal", obs, rows, opt);
  ASSERT_TRUE(c.coefficients.contains("vector_attention_efficiency"));
  // Pushed up from the profile's value to where the roof stops binding, and no further: the truth,
  // 1.0, predicts the same rows.
  const double v = c.coefficients.at("vector_attention_efficiency").value;
  EXPECT_GT(v, 1.2 * profile.coef.vector_attention_efficiency) << v;
  EXPECT_LT(v, 2.0 * profile.coef.vector_attention_efficiency) << v;
}

// Rows of a hybrid model (Qwen3.6-27B: one layer in four attends) at 4K and 8K tokens, measured with
// a 4% scatter, are deep enough but decode barely slower than at 128 and 512: they do not free MLX's
// vector attention roof, which keeps its profile value; rows of Llama 3.3 70B at 16K and 32K tokens,
// with the same scatter, slow with depth and pin it near the truth.
TEST(Fit, VectorAttentionRoofTheRowsCannotPinKeepsItsProfileValue) {
  const RuntimeSpec profile = resolve_runtime("mlx");
  RuntimeSpec truth = profile;
  truth.coef.vector_attention_efficiency = 0.2;
  auto rows_of = [&](const char* model, std::initializer_list<long long> contexts) {
    std::vector<Observation> obs;
    int i = 0;
    for (const char* chip : {"m5-max-40c", "m3-max-40c", "m4-max-40c"})
      for (long long context : contexts) {
        Workload w;
        w.prompt = context;
        w.gen = 128;
        Scenario s = make_scenario(resolve_hardware(chip), resolve_model(model), find_quantization("mlx-4bit"), truth, w);
        const double scatter = 1 + 0.04 * ((i++ % 2) ? 1 : -1);
        const double rate = predict(s).decode_tps() * scatter;
        s.runtime = profile;
        obs.push_back({0, Measured::decode_tok_s, rate, s});
      }
    return obs;
  };
  FitOptions opt;
  opt.cross_validate = false;
  const std::vector<Measurement> rows(1);
  const Calibration hybrid = fit_runtime("mlx", rows_of("qwen3.6-27b", {128, 512, 4096, 8192}), rows, opt);
  EXPECT_FALSE(hybrid.coefficients.contains("vector_attention_efficiency"));
  const Calibration dense = fit_runtime("mlx", rows_of("llama-3.3-70b-instruct", {128, 512, 16384, 32768}), rows, opt);
  ASSERT_TRUE(dense.coefficients.contains("vector_attention_efficiency"));
  EXPECT_NEAR(dense.coefficients.at("vector_attention_efficiency").value, 0.2, 0.2 * 0.2);
}

// Deep rows free the vector attention roof only where their measured decode is slower than their own
// setup's shallow row (kDepthShare, 10%): the same Llama 3.3 70B rows at 128 and 16K tokens, measured
// flat across depth, show no attention cost and leave the roof unfitted.
TEST(Fit, VectorAttentionRoofNeedsDecodeThatSlowsWithDepth) {
  const RuntimeSpec profile = resolve_runtime("mlx");
  RuntimeSpec truth = profile;
  truth.coef.vector_attention_efficiency = 0.2;
  std::vector<Observation> obs;
  for (const char* chip : {"m5-max-40c", "m3-max-40c", "m4-max-40c"})
    for (long long context : {128, 512, 16384, 32768}) {
      Workload w;
      w.prompt = context;
      w.gen = 128;
      Scenario s = make_scenario(resolve_hardware(chip), resolve_model("llama-3.3-70b-instruct"), find_quantization("mlx-4bit"), truth, w);
      const double rate = predict(s).decode_tps();
      s.runtime = profile;
      obs.push_back({0, Measured::decode_tok_s, rate, s});
    }
  FitOptions opt;
  opt.cross_validate = false;
  const std::vector<Measurement> rows(1);
  ASSERT_TRUE(fit_runtime("mlx", obs, rows, opt).coefficients.contains("vector_attention_efficiency"));
  // Flat: every row of a chip at its shallowest row's rate.
  std::map<std::string, double> shallow;
  for (auto& o : obs) {
    shallow.try_emplace(o.scenario.hardware.id, o.measured);
    o.measured = shallow.at(o.scenario.hardware.id);
  }
  EXPECT_FALSE(fit_runtime("mlx", obs, rows, opt).coefficients.contains("vector_attention_efficiency"));
}

// Rows at depth of a latent-attention model (GLM-4.7-Flash, 576-wide scores: the Metal profile's
// wide-head kernels) beside a narrow-head one (Qwen3-14B, 128) tell the wide heads' prefill and
// decode rates apart from the attention roofs they share: generated at 0.6 and 0.7 of the narrow
// rates, both come back. Without the narrow rows neither is fitted (the roofs alone would move).
TEST(Fit, WideHeadAttentionFactorsComeBackFromRowsAtDepth) {
  const RuntimeSpec profile = resolve_runtime("llama.cpp-metal");
  RuntimeSpec truth = profile;
  truth.coef.wide_head_attention_factor = 0.6;
  truth.coef.wide_head_vector_attention_factor = 0.7;
  auto rows_of = [&](std::initializer_list<const char*> models) {
    std::vector<Observation> obs;
    for (const char* chip : {"m2-ultra-76c", "m3-max-40c"})
      for (const char* model : models)
        for (long long depth : {0, 8192, 16384, 32768}) {
          Workload w;
          w.cached = depth;
          w.prompt = depth + 2048;
          w.gen = 0;
          Scenario s = make_scenario(resolve_hardware(chip), resolve_model(model), find_quantization("q8_0"), truth, w);
          s.chunk = 2048;
          const double prefill = predict(s).prefill_tps();
          s.workload = Workload{};
          s.workload.prompt = std::max<long long>(depth, 1);
          s.workload.gen = 32;
          const double decode = predict(s).decode_tps();
          s.runtime = profile;
          obs.push_back({0, Measured::decode_tok_s, decode, s});
          s.workload.cached = depth;
          s.workload.prompt = depth + 2048;
          s.workload.gen = 0;
          obs.push_back({0, Measured::prefill_tok_s, prefill, s});
        }
    return obs;
  };
  const Calibration both = fit_in_sample("llama.cpp-metal", rows_of({"glm-4.7-flash", "qwen3-14b"}));
  ASSERT_TRUE(both.coefficients.contains("wide_head_attention_factor"));
  ASSERT_TRUE(both.coefficients.contains("wide_head_vector_attention_factor"));
  EXPECT_NEAR(both.coefficients.at("wide_head_attention_factor").value, 0.6, 0.6 * 0.05);
  EXPECT_NEAR(both.coefficients.at("wide_head_vector_attention_factor").value, 0.7, 0.7 * 0.05);
  const Calibration wide_only = fit_in_sample("llama.cpp-metal", rows_of({"glm-4.7-flash"}));
  EXPECT_FALSE(wide_only.coefficients.contains("wide_head_attention_factor"));
  EXPECT_FALSE(wide_only.coefficients.contains("wide_head_vector_attention_factor"));
}

// Where the wide layers' decode runs a tensor-core kernel, not the vector one (ggml-cuda has no vector
// instance for latent attention's 576-wide scores), decode rows at depth show the prefill kernel's
// factor: from decode rows alone (GLM-4.7-Flash beside gpt-oss-20b, whose group of 8 query heads also
// takes the tensor-core kernel from 8,192 cells, on a DGX Spark whose profile is given wide-head
// kernels from 320 here) that factor comes back and the vector kernel's is not freed.
TEST(Fit, WideHeadDecodeOnTensorCoresShowsThePrefillKernelsFactor) {
  RuntimeSpec profile = resolve_runtime("llama.cpp-cuda");
  profile.kernels.wide_head_min_dim = 320;
  profile.coef.attention_efficiency = 0.02;  // so that the tensor-core kernel's arithmetic binds at depth
  RuntimeSpec truth = profile;
  truth.coef.wide_head_attention_factor = 0.6;
  std::vector<Observation> obs;
  for (const auto& [model, quant] : {std::pair{"glm-4.7-flash", "q8_0"}, std::pair{"gpt-oss-20b", "mxfp4"}})
    for (long long depth : {128, 16384, 32768, 65536}) {
      Workload w;
      w.prompt = depth;
      w.gen = 32;
      Scenario s = make_scenario(resolve_hardware("dgx-spark"), resolve_model(model), find_quantization(quant), truth, w);
      const double rate = predict(s).decode_tps();
      s.runtime = profile;
      obs.push_back({0, Measured::decode_tok_s, rate, s});
    }
  const Calibration c = fit_in_sample("llama.cpp-cuda", obs);
  ASSERT_TRUE(c.coefficients.contains("wide_head_attention_factor"));
  EXPECT_NEAR(c.coefficients.at("wide_head_attention_factor").value, 0.6, 0.6 * 0.05);
  EXPECT_FALSE(c.coefficients.contains("wide_head_vector_attention_factor"));
}

// A die whose kernels stream at 0.85 of what its tier's others reach (the M4 Max under llama.cpp):
// rows of two models from two sources give its factor back, fitted below the rest (every other
// coefficient as the fit without any die factor finds it, so a die no row covers is predicted from
// what the measured ones share); a die measured by one source gets none (its harness could pass for
// its memory system).
TEST(Fit, DieBandwidthFactorComesFromTwoSourcesAndLeavesTheRestAsItWas) {
  const RuntimeSpec profile = resolve_runtime("llama.cpp-metal");
  RuntimeSpec truth = profile;
  truth.coef.die_bandwidth_factor["m4-max"] = 0.85;
  auto rows_of = [&](bool two_sources, const RuntimeSpec& rt) {
    std::vector<Observation> obs = generated_decode_rows(rt, profile, {"m4-max-40c", "m3-max-40c", "m5-max-40c", "m2-ultra-76c"},
                                                         {"llama-3.1-8b", "qwen3-14b", "qwen3-32b"}, {512, 2048, 4096, 8192}, 128);
    for (size_t i = 0; i < obs.size(); ++i) obs[i].row = two_sources && i % 2 ? 1 : 0;  // the rows' sources alternate
    return obs;
  };
  FitOptions opt;
  opt.cross_validate = false;
  std::vector<Measurement> rows(2);  // the rows' sources: their files
  rows[0].file = "a.csv";
  rows[1].file = "b.csv";
  const Calibration c = fit_runtime("llama.cpp-metal", rows_of(true, truth), rows, opt);
  ASSERT_TRUE(c.coefficients.contains("die_bandwidth_factor.m4-max"));
  // The M4 Max against the other Max dies (its tier's factor, fitted first over all of them, is
  // shared): 0.85 of their stream, within the pull toward 1 of its shrinkage.
  const double m4 = c.coefficients.at("die_bandwidth_factor.m4-max").value;
  EXPECT_NEAR(m4 / c.coefficients.at("die_bandwidth_factor.m3-max").value, 0.85, 0.85 * 0.04) << m4;
  EXPECT_NEAR(m4 / c.coefficients.at("die_bandwidth_factor.m5-max").value, 0.85, 0.85 * 0.04) << m4;
  // Every coefficient above the dies is the fit without them: the same rows with the M4 Max's own
  // factor absent give the same values wherever they do not see the M4 Max apart.
  const Calibration one_source = fit_runtime("llama.cpp-metal", rows_of(false, truth), rows, opt);
  EXPECT_FALSE(one_source.coefficients.contains("die_bandwidth_factor.m4-max"));
  for (const auto& [name, v] : one_source.coefficients)
    EXPECT_DOUBLE_EQ(c.coefficients.at(name).value, v.value) << name;
}

// Prefill rows alone (the H200 harness's pytorch-sdpa) do not show the weight stream: the products
// hide it. Their memory-bound rows are the unfused path's passes over the score matrix, whose bytes
// a wrong bandwidth would absorb (a fit of both gave 0.38 of the streaming rate, and MoE prefill
// streamed its experts at that). Rows generated with 45 bytes of traffic give 45 back with the
// bandwidth held at the profile's value; with decode rows beside them the bandwidth is fitted and
// the traffic keeps its counted value.
TEST(Fit, PrefillOnlyUnfusedRowsFitTheScoreTrafficNotTheBandwidth) {
  const RuntimeSpec profile = resolve_runtime("pytorch-sdpa");
  RuntimeSpec truth = profile;
  truth.coef.score_traffic_bytes = 45;
  std::vector<Observation> obs;
  for (bool unfused : {false, true})
    for (long long depth : {0LL, 8192LL, 16384LL, 30720LL})
      for (long long chunk : {512LL, 2048LL})
        obs.push_back(synthetic_row("h200-sxm", unfused ? "llama-3.1-8b" : "qwen2.5-14b", "bf16", chunk_at_depth(depth, chunk, 1), truth,
                                    profile, unfused, Measured::prefill_tok_s));
  const Calibration c = fit_in_sample("pytorch-sdpa", obs);
  ASSERT_TRUE(c.coefficients.contains("score_traffic_bytes"));
  EXPECT_NEAR(c.coefficients.at("score_traffic_bytes").value, 45, 45 * 0.05);
  EXPECT_FALSE(c.coefficients.contains("bandwidth_efficiency"));
  std::vector<Observation> with_decode = obs;
  for (auto o : obs) {
    o.quantity = Measured::decode_tok_s;
    o.measured = predict(o.scenario).decode_tps();
    with_decode.push_back(o);
  }
  const Calibration both = fit_in_sample("pytorch-sdpa", with_decode);
  EXPECT_TRUE(both.coefficients.contains("bandwidth_efficiency"));
  EXPECT_FALSE(both.coefficients.contains("score_traffic_bytes"));
}

// Decode on the unfused path at growing depth (llama-bench tgN from an empty cache), generated with
// the unfused products' cache reads at 0.2 of the stream: a runtime that reads a group's rows once per
// KV head (Vulkan) gets the factor back from MHA and GQA rows alike; one that reads them per query
// head (Metal) does not fit it (the factor is not used there).
TEST(Fit, UnfusedCacheReadShareComesFromDeepUnfusedDecodeOncePerKvHead) {
  for (bool per_kv_head : {true, false}) {
    RuntimeSpec profile = resolve_runtime("llama.cpp-vulkan");
    profile.kernels.unfused_decode_reads_per_kv_head = per_kv_head;
    RuntimeSpec truth = profile;
    truth.coef.unfused_kv_bandwidth_factor = 0.2;
    std::vector<Observation> obs;
    for (bool unfused : {false, true})
      for (const char* model : {"llama-2-7b", "llama-3.1-8b", "qwen2.5-7b"})
        for (long long gen : {64LL, 512LL, 1024LL, 2048LL, 4000LL}) {
          Workload w;
          w.prompt = 16, w.gen = gen;
          obs.push_back(synthetic_row("strix-halo-395", model, "q4_0", w, truth, profile, unfused, Measured::decode_tok_s));
        }
    const Calibration c = fit_in_sample("llama.cpp-vulkan", obs);
    if (!per_kv_head) {
      EXPECT_FALSE(c.coefficients.contains("unfused_kv_bandwidth_factor"));
      continue;
    }
    ASSERT_TRUE(c.coefficients.contains("unfused_kv_bandwidth_factor"));
    EXPECT_NEAR(c.coefficients.at("unfused_kv_bandwidth_factor").value, 0.2, 0.2 * 0.05);
  }
}

// A wrapper's own cost per forward pass is told from its engine's error on a chip only by rows on
// more than one chip: Ollama rows generated with 2 ms of wrapper cost give it back from two chips,
// and give nothing to fit from one (the calibration keeps the profile's value and says so).
TEST(Fit, WrapperCostNeedsRowsOnTwoChips) {
  RuntimeSpec truth = resolve_runtime("ollama");
  apply_calibration(truth, *shipped_calibration("llama.cpp-metal", "apple"));  // as the fit takes its engine
  truth.coef.wrapper_step_overhead_ms = 2.0;
  auto rows_on = [&](std::initializer_list<const char*> chips) {
    std::vector<Observation> obs;
    for (const char* chip : chips)
      for (const char* model : {"llama-3.1-8b", "qwen3-14b"}) {
        Workload w;
        w.prompt = 512;
        w.gen = 64;
        Scenario s = make_scenario(resolve_hardware(chip), resolve_model(model), find_quantization("q4_k_m"), truth, w);
        const double rate = predict(s).decode_tps();
        s.runtime = resolve_runtime("ollama");
        obs.push_back({0, Measured::decode_tok_s, rate, s});
      }
    return obs;
  };
  FitOptions opt;
  opt.cross_validate = false;
  const std::vector<Measurement> rows(1);
  const Calibration two = fit_runtime("ollama", rows_on({"m2-10c", "m4-max-40c"}), rows, opt);
  EXPECT_NEAR(two.coefficients.at("wrapper_step_overhead_ms").value, 2.0, 2.0 * 0.05);
  // Its in-sample error is scored over the engine's calibration too, as it was fitted (the rows
  // were made with it: without it they would miss by the engine's fitted factors).
  EXPECT_LT(two.in_sample_mape.at("decode_tok_s"), 1.0);
  const Calibration one = fit_runtime("ollama", rows_on({"m2-10c"}), rows, opt);
  EXPECT_TRUE(one.coefficients.empty());
  EXPECT_GT(one.in_sample_mape.at("decode_tok_s"), 1.0);  // the 2 ms the fit did not take
  // Rows of one runtime on two vendors' hardware make two calibrations (ds4 on Apple and NVIDIA): a
  // vendor's fit sees its own chips only.
  std::vector<Observation> mixed = rows_on({"m2-10c", "m4-max-40c"});
  for (auto& o : rows_on({"m2-10c"})) {
    o.scenario.hardware = resolve_hardware("dgx-spark");
    mixed.push_back(o);
  }
  const Calibration apple = fit_runtime("ollama", mixed, rows, opt, "apple");
  EXPECT_EQ(apple.chips, (std::vector<std::string>{"m2-10c", "m4-max-40c"}));
  EXPECT_EQ(apple.hardware_vendor, "apple");
  EXPECT_EQ(error_of([&] { fit_runtime("ollama", mixed, rows, opt, "amd"); }),
            "calibrate: no usable measurements for runtime 'ollama' on amd hardware");
  Calibration written = one;
  written.fitted_on = "2026-11-26";
  written.datasets = {{"x.csv", "0123456789abcdef"}};
  EXPECT_TRUE(parse_calibration_yaml_text(calibration_to_yaml(written), "one.yaml").coefficients.empty());
}

TEST(CalibrationFile, RoundTripsAndRejectsUnknownCoefficients) {
  Calibration c;
  c.runtime = "mlx";
  c.hardware_vendor = "apple";
  c.chips = {"m4-max-40c"};
  c.fitted_on = "2026-11-22";
  c.observations = 12;
  c.datasets = {{"x.csv", "0123456789abcdef"}};
  c.coefficients["bandwidth_efficiency"] = {0.81, 0.02};
  c.coefficients["quant_compute_factor.mlx"] = {0.9, 0.1};
  c.in_sample_mape["decode_tok_s"] = 4.5;
  c.leave_one_model_out.folds = 3;
  c.leave_one_model_out.mape["decode_tok_s"] = 7.25;
  c.leave_one_model_out.count["decode_tok_s"] = 12;
  const Calibration back = parse_calibration_yaml_text(calibration_to_yaml(c), "c.yaml");
  EXPECT_EQ(back.runtime, "mlx");
  EXPECT_DOUBLE_EQ(back.coefficients.at("bandwidth_efficiency").value, 0.81);
  EXPECT_DOUBLE_EQ(back.coefficients.at("quant_compute_factor.mlx").value, 0.9);
  EXPECT_DOUBLE_EQ(back.leave_one_model_out.mape.at("decode_tok_s"), 7.25);
  RuntimeSpec rt = resolve_runtime("mlx");
  apply_calibration(rt, back);
  EXPECT_DOUBLE_EQ(rt.coef.bandwidth_efficiency, 0.81);
  std::string text = calibration_to_yaml(c);
  text.replace(text.find("bandwidth_efficiency"), 20, "bandwith_efficiency");
  EXPECT_EQ(error_of([&] { parse_calibration_yaml_text(text, "c.yaml"); }),
            "c.yaml: coefficients: unknown coefficient 'bandwith_efficiency' (did you mean 'bandwidth_efficiency'?)");
  // A value outside the range its declaration accepts (as a profile or --set would refuse it).
  std::string beyond = calibration_to_yaml(c);
  beyond.replace(beyond.find("{value: 0.81"), 12, "{value: 50");
  EXPECT_EQ(error_of([&] { parse_calibration_yaml_text(beyond, "c.yaml"); }),
            "c.yaml: coefficients: bandwidth_efficiency: value: 50 is out of range (expected 0.01 to 1.5)");
}

// What a row's text says about its kernels (kernel_variant.cpp): flash attention off runs the
// unfused path as attention_path=unfused would; a hipBLASLt flag or ROCBLAS_USE_HIPBLASLT names the
// BLAS library; an attention_path column wins over the text.
TEST(KernelVariant, ReadFromRowText) {
  const std::string header = "source,chip,gpu_cores,bandwidth_gbs,memory_gb,runtime,model,params_b,quant,context_tokens,"
                             "n_prompt,n_gen,prefill_tok_s,decode_tok_s,notes,attention_path\n";
  const std::string text =
      header + "s,c,,,,llama.cpp hip (ROCm) build 83bc2f28 (6077),m,,Q4_0,0,512,0,900,,\"flags: none; flash_attn False\",\n" +
      "s,c,,,,llama.cpp hip (ROCm) build 83bc2f28 (6077),m,,Q4_0,0,512,0,900,,\"flags: -fa 1 ROCBLAS_USE_HIPBLASLT=1; flash_attn True\",\n" +
      "s,c,,,,llama.cpp HIP rocWMMA,m,,Q4_0,0,512,0,900,,\"flags 'fa=1 hipBLASLt'; peak memory\",\n" +
      "s,c,,,,llama.cpp Vulkan,m,,Q4_0,0,512,0,900,,\"flash attention off (segfaulted)\",fused\n" +
      "s,c,,,,llama.cpp Vulkan,m,,Q4_0,0,512,0,900,,\"sofa 0 seats; fa=1\",\n" +
      "s,c,,,,llama.cpp-metal,m,,Q4_0,0,512,0,900,,\"WITHOUT flash attention; prompt eval\",\n";
  const auto rows = parse_measurements_text(text, "variants.csv");
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[5].attention_path, "unfused");
  EXPECT_EQ(rows[0].attention_path, "unfused");
  EXPECT_EQ(rows[0].blas_library, "");
  EXPECT_EQ(rows[1].attention_path, "fused");  // flash attention on, said so
  EXPECT_EQ(rows[1].blas_library, "hipblaslt");
  EXPECT_EQ(rows[2].blas_library, "hipblaslt");
  EXPECT_EQ(rows[3].attention_path, "fused");  // the column, not the text
  EXPECT_EQ(rows[4].attention_path, "fused");  // 'sofa 0' is no flag; 'fa=1' is
  // The HIP flavour: rocWMMA flash attention compiled in or not (lhl's variants and summary runtimes).
  EXPECT_EQ(rows[0].attention_kernel, "tile");
  EXPECT_EQ(rows[2].attention_kernel, "wmma");
  EXPECT_EQ(rows[3].attention_kernel, "");
  // llama-bench's own flash_attn column.
  const auto bench = parse_measurements_text("n_prompt,n_gen,avg_ts,model_type,flash_attn\n512,0,900,llama 7B Q4_0,0\n", "b.csv");
  ASSERT_EQ(bench.size(), 1u);
  EXPECT_EQ(bench[0].attention_path, "unfused");
}

// mlx_lm.benchmark times its trials right after a warmup call unless --delay N (N >= 1 s) makes it
// wait: back to back, the weights were still resident and no trial re-wired them.
TEST(KernelVariant, MlxLmBenchmarkTrialsRunBackToBackUnlessDelayed) {
  const std::string header = "source,chip,gpu_cores,bandwidth_gbs,memory_gb,runtime,model,params_b,quant,context_tokens,"
                             "n_prompt,n_gen,prefill_tok_s,decode_tok_s,notes\n";
  const auto rows = parse_measurements_text(
      header + "s,c,,,,mlx,m,,MLX 4bit,0,512,128,900,50,\"mlx_lm.benchmark -p 512 -g 128 -n 5\"\n" +
          "s,c,,,,mlx,m,,MLX 4bit,0,512,128,900,50,\"mlx_lm.benchmark -p 512 -g 128 --delay 15; median of 3 trials\"\n" +
          "s,c,,,,mlx,m,,MLX 4bit,0,512,128,900,50,\"mlx_lm.benchmark -p 512 -g 128 --delay 0\"\n" +
          "s,c,,,,mlx,m,,MLX 4bit,0,512,128,900,50,\"mlx_lm.generate --max-tokens 128\"\n",
      "mlx.csv");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_TRUE(rows[0].back_to_back);
  EXPECT_FALSE(rows[1].back_to_back);
  EXPECT_TRUE(rows[2].back_to_back);
  EXPECT_FALSE(rows[3].back_to_back);  // one call in its own process: not known to follow another
  RuntimeSpec rt = *catalog_runtime("mlx");
  apply_kernel_variant(rt, rows[0]);
  EXPECT_TRUE(rt.back_to_back);
  EXPECT_FALSE(rewires_weights(rt));
  apply_kernel_variant(rt, rows[1]);
  EXPECT_TRUE(rewires_weights(rt));
}

namespace {
// A runtime profile as a measured row with this runtime text (its build) and these fields ran it.
RuntimeSpec as_row_ran(const RuntimeSpec& profile, const std::string& runtime, Measurement m) {
  RuntimeSpec rt = profile;
  rt.build = stated_build(runtime);  // as observations.cpp sets it before the variant
  m.runtime = runtime;
  apply_kernel_variant(rt, m);
  return rt;
}
}  // namespace

// The llama.cpp-rocm profile's BLAS rule (blas: min_rows 64, until_build 7000, rocblas) applied per
// row: a build before until_build ran the BLAS path with its stated library, rocBLAS by default; a
// newer build, or an older one of an engine without the rule, runs its own kernels; a stated
// library without a build means the BLAS path was in use.
TEST(KernelVariant, AppliedToTheRuntimeByBuild) {
  const RuntimeSpec& rocm = *catalog_runtime("llama.cpp-rocm");
  ASSERT_EQ(rocm.kernels.blas.min_rows, 64);
  auto library = [&](const RuntimeSpec& profile, const std::string& runtime, const std::string& stated) {
    Measurement m;
    m.blas_library = stated;
    return as_row_ran(profile, runtime, m).blas_library;
  };
  EXPECT_EQ(library(rocm, "llama.cpp hip (ROCm) build 83bc2f28 (6077)", ""), "rocblas");
  EXPECT_EQ(library(rocm, "llama.cpp hip (ROCm) build 83bc2f28 (6077)", "hipblaslt"), "hipblaslt");
  EXPECT_EQ(library(rocm, "llama.cpp rocm-7_2_3 toolbox (ROCm) build 0253fb21f (9187)", ""), "");
  EXPECT_EQ(library(rocm, "llama.cpp HIP rocWMMA", "hipblaslt"), "hipblaslt");
  EXPECT_EQ(library(rocm, "llama.cpp HIP", ""), "");
  EXPECT_EQ(library(*catalog_runtime("llama.cpp-vulkan"), "llama.cpp vulkan (Vulkan) build 83bc2f28 (6077)", "hipblaslt"), "");
  // The flash-attention kernel a HIP row names holds for the BLAS era only: today's MMA kernel after.
  auto attention = [&](const std::string& runtime, const std::string& kernel) {
    Measurement m;
    m.attention_kernel = kernel;
    return as_row_ran(rocm, runtime, m).attention_kernel;
  };
  EXPECT_EQ(attention("llama.cpp hip (ROCm) build 83bc2f28 (6077)", "tile"), "tile");
  EXPECT_EQ(attention("llama.cpp rocwmma (ROCm) build 83bc2f28 (6077)", "wmma"), "wmma");
  EXPECT_EQ(attention("llama.cpp hip (ROCm) build 0253fb21f (9187)", "tile"), "");
  RuntimeSpec rt = rocm;
  Measurement off;
  off.attention_path = "unfused";
  apply_kernel_variant(rt, off);
  EXPECT_TRUE(rt.always_unfused);
}

// llama.cpp ran flash attention only when asked to before its default became auto (the profiles'
// flash_attention: on_by_default_since_build): a stated older build that does not say flash
// attention was on runs the unfused path; one that says so, a newer build, and today's (no build
// stated) run fused attention.
TEST(KernelVariant, OlderBuildsRanUnfusedAttentionUnlessAskedTo) {
  const RuntimeSpec& metal = *catalog_runtime("llama.cpp-metal");
  ASSERT_GT(metal.kernels.fused_attention_default_since_build, 2797);
  ASSERT_LT(metal.kernels.fused_attention_default_since_build, 7948);
  auto unfused = [&](const std::string& runtime, const std::string& path) {
    Measurement m;
    m.attention_path = path;
    return as_row_ran(metal, runtime, m).always_unfused;
  };
  EXPECT_TRUE(unfused("llama.cpp Metal build 858f6b73 (2797)", ""));
  EXPECT_FALSE(unfused("llama.cpp Metal build 858f6b73 (2797)", "fused"));
  EXPECT_FALSE(unfused("llama.cpp Metal (MTL,BLAS) build b828e18c7 (7948)", ""));
  EXPECT_FALSE(unfused("llama.cpp Metal", ""));
  EXPECT_TRUE(unfused("llama.cpp Metal (MTL,BLAS) build b828e18c7 (7948)", "unfused"));
  // Wrappers run their engine's builds: Ollama states no boundary of its own and takes llama.cpp's.
  EXPECT_EQ(catalog_runtime("ollama")->kernels.fused_attention_default_since_build, metal.kernels.fused_attention_default_since_build);
}

// Each fold's held-out MAPE is kept beside the pooled one, which is their row-weighted mean: the
// same Ollama rows on two chips, each chip held out in turn.
TEST(CrossValidation, PooledMapeIsTheRowWeightedMeanOfItsFolds) {
  RuntimeSpec truth = resolve_runtime("ollama");
  apply_calibration(truth, *shipped_calibration("llama.cpp-metal", "apple"));
  truth.coef.wrapper_step_overhead_ms = 2.0;
  std::vector<Observation> obs;
  for (const char* chip : {"m2-10c", "m4-max-40c", "m3-max-40c"})
    for (const char* model : {"llama-3.1-8b", "qwen3-14b"}) {
      Workload w;
      w.prompt = 512;
      w.gen = 64;
      Scenario s = make_scenario(resolve_hardware(chip), resolve_model(model), find_quantization("q4_k_m"), truth, w);
      const double rate = predict(s).decode_tps() * (std::string(chip) == "m2-10c" ? 1.3 : 1.0);  // one chip off by 30%
      s.runtime = resolve_runtime("ollama");
      obs.push_back({0, Measured::decode_tok_s, rate, s});
    }
  const std::vector<Measurement> rows(1);
  const Calibration c = fit_runtime("ollama", obs, rows, FitOptions{});
  const CvStats& cv = c.leave_one_chip_out;
  ASSERT_EQ(cv.by_fold.size(), 3u);
  double weighted = 0;
  int n = 0;
  for (const auto& [chip, fold] : cv.by_fold) {
    weighted += fold.mape.at("decode_tok_s") * fold.count.at("decode_tok_s");
    n += fold.count.at("decode_tok_s");
  }
  EXPECT_EQ(n, cv.count.at("decode_tok_s"));
  EXPECT_NEAR(weighted / n, cv.mape.at("decode_tok_s"), 1e-9);
  // The chip whose rows run 30% faster than the others' is the worst held out.
  EXPECT_GT(cv.by_fold.at("m2-10c").mape.at("decode_tok_s"), cv.by_fold.at("m4-max-40c").mape.at("decode_tok_s"));
}

// `calibrate` names the folds that carry most of the held-out error (MAPE x rows), worst first.
TEST(CalibrationReport, NamesTheFoldsCarryingMostHeldOutError) {
  Calibration c;
  c.runtime = "mlx";
  c.hardware_vendor = "apple";
  auto fold = [](double mape, int rows) {
    CvStats::Fold f;
    f.mape["decode_tok_s"] = mape;
    f.count["decode_tok_s"] = rows;
    return f;
  };
  c.leave_one_chip_out.by_fold = {{"m1-7c", fold(10, 2)}, {"m4-max-40c", fold(5, 10)}, {"m5-max-40c", fold(40, 1)},
                                   {"m3-10c", fold(1, 3)}};
  const std::string table = calibration_table(c);
  // weights 20, 50, 40, 3: m4-max-40c, m5-max-40c, m1-7c; m3-10c is not among the three shown.
  EXPECT_NE(table.find("worst chip held out, decode: m4-max-40c 5.0% (10 rows); m5-max-40c 40.0% (1 rows); m1-7c 10.0% (2 rows)"),
            std::string::npos)
      << table;
  EXPECT_EQ(table.find("m3-10c"), std::string::npos);
  EXPECT_EQ(table.find("worst chip held out, prefill"), std::string::npos);  // no prefill folds, no line
}
