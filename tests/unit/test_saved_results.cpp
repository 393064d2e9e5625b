// The HTML pages' records: a live result's record (page_records.hpp) equals the one the typed loader
// reads back from that result's JSON (saved_results.hpp), field by field, for each of the five kinds,
// so `buy --html` and `report saved.json` draw the same page; and a malformed saved file is the
// one-line error naming the file, the key's path, the bad value and what was expected.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "helpers.hpp"
#include "ridgeline/advisor_report.hpp"
#include "ridgeline/catalog.hpp"
#include "ridgeline/chunk_report.hpp"
#include "ridgeline/derived.hpp"
#include "ridgeline/html_report.hpp"
#include "ridgeline/report.hpp"
#include "ridgeline/saved_results.hpp"
#include "ridgeline/validation_report.hpp"

#include "benchmark_csv.hpp"

using namespace ridgeline;
using namespace ridgeline::test;

namespace {

template <class Page>
Page loaded(const std::string& json, const std::string& label = "saved.json") {
  const SavedResult r = read_saved_result(load_document_text(json, label), label);
  EXPECT_TRUE(std::holds_alternative<Page>(r)) << "read as kind " << r.index();
  return std::holds_alternative<Page>(r) ? std::get<Page>(r) : Page{};
}

std::string load_error(const std::string& json) {
  return error_of([&] { read_saved_result(load_document_text(json, "saved.json"), "saved.json"); });
}

// `json` with its first `from` replaced by `to` (the case fails loudly if `from` is absent).
std::string edited(std::string json, const std::string& from, const std::string& to) {
  const auto at = json.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? json : json.replace(at, from.size(), to);
}

FitResult small_fit() {
  FitRequest rq;
  rq.hardware = resolve_hardware("m4-max-40c");
  rq.ram = Bytes(64 * kGiB);
  rq.models = {resolve_model("qwen3-8b"), resolve_model("llama-3.3-70b-instruct")};
  return advise_fit(rq);
}

// A sweep's JSON as `sweep --json` writes it: the envelope, computed rows with their status, and
// one point that was not computed.
std::string sweep_json(const std::vector<std::pair<Scenario, Prediction>>& rows) {
  std::string out = "{\"schema_version\": 2, \"predictions\": [";
  for (const auto& [s, p] : rows) {
    std::string row = prediction_json(s, p);
    row.resize(row.size() - 1);
    out += row + ", \"status\": \"" + (p.mem.fits ? "ok" : "does_not_fit") + "\"},\n";
  }
  return out + "{\"hardware\": \"simple\", \"model\": \"tiny\", \"quant\": \"f16\", \"runtime\": \"simple\", \"memory_gb\": 64, "
               "\"workload\": {\"prompt\": 9000000, \"cached\": 0, \"gen\": 0, \"chunk\": 512, \"batch\": 1}, "
               "\"status\": \"not_computed\", \"reason\": \"beyond the maximum\"}\n]}\n";
}

}  // namespace

TEST(SavedResults, FitRecordRoundTripsThroughItsJson) {
  const FitResult r = small_fit();
  const FitPage page = fit_page(r);
  // Both kinds of row are exercised: one that fits (speeds, largest context) and one that does not (its fixes).
  ASSERT_TRUE(std::any_of(page.rows.begin(), page.rows.end(), [](const FitPage::Row& x) { return x.fits && x.max_context; }));
  ASSERT_TRUE(std::any_of(page.rows.begin(), page.rows.end(), [](const FitPage::Row& x) { return !x.fits && !x.fixes.empty(); }));
  const FitPage back = loaded<FitPage>(fit_json(r));
  EXPECT_EQ(back, page);
  EXPECT_EQ(html_report(back), html_report(page));
  // The figures are the JSON's: 4 significant digits for a rate, whole bytes.
  EXPECT_EQ(page.rows[0].decode_tps, json_number_value(r.rows[0].decode_tps, kRateDigits));
  EXPECT_EQ(page.rows[0].peak_bytes, std::llround(r.rows[0].peak.value));
}

TEST(SavedResults, BuyRecordRoundTripsThroughItsJson) {
  BuyRequest rq;
  for (const char* id : {"qwen3-8b", "llama-3.3-70b-instruct"}) {
    BuyWorkload w;
    w.model = resolve_model(id);
    w.name = id;
    rq.workloads.push_back(w);
  }
  rq.req.min_decode = 5.25;  // the 128 GB M4 Max meets it with the 70B model (about 5.4 tok/s at 32K)
  rq.req.min_context = 32768;
  rq.req.budget = 6000;
  rq.prices = price_catalog();
  rq.consider = {"m4-max-40c", "m4-pro-20c", "m1-max-24c"};
  rq.include_discontinued = true;
  const BuyResult r = advise_buy(rq);
  const BuyPage page = buy_page(r);
  ASSERT_GE(page.configurations.size(), 3u);
  bool meets = false, fails = false, runs_fit = false, runs_do_not = false;
  for (const auto& c : page.configurations) {
    (c.meets_requirements ? meets : fails) = true;
    for (const auto& run : c.runs) (run.fits ? runs_fit : runs_do_not) = true;
  }
  ASSERT_TRUE(meets && fails && runs_fit && runs_do_not);
  ASSERT_FALSE(page.configurations[0].runs.at(0).decode_by_context.empty());
  EXPECT_EQ(loaded<BuyPage>(buy_json(r)), page);
}

// A prediction's warnings (here the llama.cpp profile's measured gap for Gated DeltaNet layers
// before the M5) reach the buy page, survive its JSON, and are listed once with their machines.
TEST(SavedResults, BuyWarningsReachThePageAndItsHtml) {
  BuyRequest rq;
  BuyWorkload w;
  w.model = resolve_model("qwen3.5-35b-a3b");
  w.name = "hybrid";
  w.run.runtime = "llama.cpp-metal";
  w.run.quant = "q4_k_m";
  rq.workloads.push_back(w);
  rq.prices = price_catalog();
  rq.consider = {"m4-max-40c", "m5-max-40c"};
  rq.include_discontinued = true;
  const BuyResult r = advise_buy(rq);
  const BuyPage page = buy_page(r);
  bool warned_m4 = false, warned_m5 = false;
  for (const auto& c : page.configurations)
    for (const auto& run : c.runs)
      for (const auto& text : run.warnings)
        if (text.find("Gated DeltaNet") != std::string::npos) (c.hardware == "m4-max-40c" ? warned_m4 : warned_m5) = true;
  EXPECT_TRUE(warned_m4);
  EXPECT_FALSE(warned_m5);
  EXPECT_EQ(loaded<BuyPage>(buy_json(r)), page);
  const std::string html = html_report(page);
  const size_t at = html.find("<p class=\"warn\">Warning (m4-max-40c): decode measured off this prediction");
  EXPECT_NE(at, std::string::npos);
  EXPECT_EQ(html.find("<p class=\"warn\">Warning (m4-max-40c)", at + 1), std::string::npos);  // once, however many RAM sizes
}

TEST(SavedResults, ChunkRecordRoundTripsThroughItsJsonWithAndWithoutRoomForTheWeights) {
  Workload w;
  const Scenario s = scenario(tiny_dense(), w);
  Workload roomy = w, tight = w;
  roomy.limit = weight_bytes(s.model, s.quant) + Bytes(64e6);
  tight.limit = weight_bytes(s.model, s.quant) * 0.5;  // the weights alone pass it
  const ChunkReport fits = chunk_safety(scenario(tiny_dense(), roomy), 8192, {256, 1024, 4096});
  const ChunkReport cannot = chunk_safety(scenario(tiny_dense(), tight), 8192, {256, 1024});
  ASSERT_TRUE(fits.weights_fit);
  ASSERT_FALSE(cannot.weights_fit);
  for (const ChunkReport* r : {&fits, &cannot}) EXPECT_EQ(loaded<ChunkPage>(chunk_json(*r)), chunk_page(*r));
  EXPECT_TRUE(chunk_page(fits).trials[0].prefill_seconds.has_value());
  EXPECT_FALSE(chunk_page(cannot).trials[0].prefill_seconds.has_value());  // no prefill time is real beyond the limit
  EXPECT_FALSE(chunk_page(cannot).largest_safe.has_value());
}

TEST(SavedResults, ValidationRecordRoundTripsThroughItsJsonWithAnUnresolvedRow) {
  const std::string csv = test::write_benchmark_csv(
      "ridgeline_saved_validation.csv",
      "test,Apple M4 Max,40,,,llama.cpp Metal,Llama 3 8B,,Q4_K_M,0,512,128,900,80,llama-bench\n"
      "test,Apple Z9,40,,,llama.cpp Metal,Llama 3 8B,,Q4_K_M,0,512,128,,80,unknown chip\n");
  ValidationReport v = validate_dataset({csv, std::string(RIDGELINE_SOURCE_DIR) + "/examples/seed002_m4_air_vs_max.csv"}, {}, {});
  for (size_t i = 0; i < v.rows.size(); ++i)  // as `validate` does (adding a --map hint): the resolution's reason
    if (!v.resolved[i].ok) v.unusable[i] = v.resolved[i].reason;
  const ValidationPage page = validation_page(v);
  ASSERT_TRUE(page.rows.at(0).resolved.has_value());
  ASSERT_EQ(page.rows.at(0).figures.size(), 2u);  // prefill and decode measured
  ASSERT_FALSE(page.rows.at(1).resolved.has_value());
  ASSERT_FALSE(page.rows.at(1).reason.empty());
  EXPECT_EQ(loaded<ValidationPage>(validation_json(v)), page);
}

// Byte counts in JSON are exact integers: 693,141,504 bytes, not 6.93142e+08.
TEST(SavedResults, ValidationJsonWritesAMeasuredTransientByteCountExactly) {
  const std::string csv = (std::filesystem::temp_directory_path() / "ridgeline_saved_transient.csv").string();
  const long long bytes = 693141504;  // one byte-exact count a rounding to 6 digits would change
  std::ofstream(csv) << "source,chip,gpu_cores,bandwidth_gbs,memory_gb,runtime,model,params_b,quant,context_tokens,n_prompt,n_gen,"
                        "prefill_tok_s,decode_tok_s,notes,chunk_tokens,batch,attention_path,transient_bytes\n"
                        "test,NVIDIA H200,132,4800,141,pytorch-sdpa,llama-3.1-8b,,BF16,3584,512,,,,one chunk,512,1,unfused,"
                     << bytes << "\n";
  const ValidationReport v = validate_dataset({csv}, {}, {});
  const std::string json = validation_json(v);
  EXPECT_NE(json.find("\"measured_transient_bytes\": " + std::to_string(bytes)), std::string::npos) << json;
  EXPECT_EQ(loaded<ValidationPage>(json), validation_page(v));
}

TEST(SavedResults, SweepRowsRoundTripThroughTheSweepJson) {
  std::vector<std::pair<Scenario, Prediction>> rows;
  for (long long prompt : {1024, 8192}) {
    Workload w;
    w.prompt = prompt;
    const Scenario s = scenario(tiny_dense(), w);
    rows.emplace_back(s, predict(s));
  }
  const SweepPage back = loaded<SweepPage>(sweep_json(rows));
  ASSERT_EQ(back.rows.size(), 3u);
  for (size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(back.rows[i], sweep_page_row(rows[i].first, rows[i].second));
  EXPECT_FALSE(back.rows[2].figures.has_value());
  EXPECT_EQ(back.rows[2].reason, "beyond the maximum");
}

TEST(SavedResults, MalformedFilesAreOneLineErrorsNamingTheKey) {
  const std::string fit = fit_json(small_fit());
  EXPECT_EQ(load_error(edited(fit, "\"schema_version\": 2", "\"schema_version\": 1")),
            "saved.json: schema_version: 1 is not supported (expected 2, the version this build writes; run the command "
            "again to rewrite the file)");
  EXPECT_EQ(load_error(edited(fit, "\"memory_gb\": 64, ", "")), "saved.json: missing required key 'memory_gb'");
  EXPECT_EQ(load_error(edited(fit, "\"fits\": true", "\"fits\": \"yes\"")), "saved.json: rows[0]: fits: expected true or false, got 'yes'");
  EXPECT_EQ(load_error(edited(fit, "\"context\": 8192, \"gen\"", "\"context\": -5, \"gen\"")),
            "saved.json: context: -5 is out of range (expected 1 to 1099511627776)");
  EXPECT_EQ(load_error(edited(fit, "\"hardware\": ", "\"hardwar\": ")), "saved.json: missing required key 'hardware'");
  EXPECT_EQ(load_error(edited(fit, "\"gen\": 256, ", "\"gen\": 256, \"colour\": 1, ")),
            "saved.json: unknown key 'colour'");
  EXPECT_EQ(load_error("{\"hardware\": \"m4-max-40c\"}"),
            "saved.json: not a ridgeline buy, fit, sweep, chunk or validate JSON result (expected a 'configurations', "
            "'chunks', 'rows' or 'predictions' key)");
  EXPECT_EQ(load_error("[1, 2]"), "saved.json: expected the JSON object printed by buy, fit, sweep, chunk or validate --json");
  // Deeper: an element of a list of pairs, and a sweep row whose status contradicts its memory.
  EXPECT_EQ(load_error("{\"schema_version\": 2, \"predictions\": [{\"status\": \"fine\"}]}"),
            "saved.json: predictions[0]: status: 'fine' is not a sweep row's status (expected ok, does_not_fit or not_computed)");
}
