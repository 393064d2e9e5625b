// The advisor: price table parsing, ranking and dominance, the workload it assumes, the
// requirements against the model's own limits, fix-it hints and the inverse question (fit).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "helpers.hpp"
#include "ridgeline/advisor.hpp"
#include "ridgeline/catalog.hpp"
#include "ridgeline/derived.hpp"

using namespace ridgeline;
using ridgeline::test::error_of;

namespace {

// One row of a price file in the shipped format, with the fields a test varies.
std::string row(const std::string& id, const std::string& hw, int gb, double usd, const std::string& extra = "status: on-sale") {
  return fmt::format("  - {{id: {}, machine: \"Test box\", hardware: {}, memory: {} GiB, storage: 512 GB, price_usd: {}, "
                     "source: \"test\", url: \"https://example.org/p\", read: 2026-11-25, {}}}\n",
                     id, hw, gb, usd, extra);
}

std::vector<PriceRow> parse(const std::string& rows) { return parse_price_text("prices:\n" + rows, "p.yaml", hardware_catalog()); }

BuyWorkload workload(const std::string& model) {
  BuyWorkload w;
  w.model = resolve_model(model);
  w.name = model;
  w.run.quant = "q4_k_m";
  return w;
}

}  // namespace

TEST(Prices, ShippedTableParsesAndCoversTheStore) {
  const auto& rows = price_catalog();
  ASSERT_FALSE(rows.empty());
  for (const auto& r : rows) {
    EXPECT_FALSE(r.source.empty()) << r.id;
    EXPECT_EQ(r.read.size(), 10u) << r.id;
    if (!r.on_sale) {
      EXPECT_EQ(r.left_store.size(), 10u) << r.id;
    }
  }
  // Every Apple chip family on sale has at least one on-sale row, and the discontinued M1 Max is marked.
  for (const char* hw : {"m4-10c", "m4-pro-20c", "m4-max-40c", "m3-ultra-60c", "m5-10c", "m5-max-40c", "dgx-spark"})
    EXPECT_TRUE(std::any_of(rows.begin(), rows.end(), [&](const PriceRow& r) { return r.hardware == hw && r.on_sale; })) << hw;
  auto m1 = std::find_if(rows.begin(), rows.end(), [](const PriceRow& r) { return r.hardware == "m1-max-24c"; });
  ASSERT_NE(m1, rows.end());
  EXPECT_FALSE(m1->on_sale);
}

// Within one machine and chip, the shipped table asks more for more RAM: a row whose price is stale
// (from before a later increase) or mistyped would break the order the store sells in.
TEST(Prices, ShippedTableAsksMoreForMoreRamOnTheSameMachineAndChip) {
  const auto& rows = price_catalog();
  for (const auto& a : rows)
    for (const auto& b : rows)
      if (a.on_sale && b.on_sale && a.machine == b.machine && a.hardware == b.hardware && a.memory < b.memory) {
        EXPECT_LT(a.price_usd, b.price_usd) << a.id << " vs " << b.id;
      }
  // The store's verified prices after the 2026-06-25 increase are the rows that carry no 'unverified' note.
  auto row_of = [&](const std::string& id) {
    auto it = std::find_if(rows.begin(), rows.end(), [&](const PriceRow& r) { return r.id == id; });
    EXPECT_NE(it, rows.end()) << id;
    return *it;
  };
  EXPECT_TRUE(row_of("mac-studio-2025-m3-ultra-60c-96gb").unverified.empty());
  EXPECT_FALSE(row_of("mac-studio-2025-m3-ultra-60c-256gb").on_sale);  // 96 GB only since May 2026
}

TEST(Prices, EveryBadValueIsOneLineNamingRowAndKey) {
  EXPECT_EQ(error_of([] { parse(row("a", "m4-max-41c", 64, 100)); }),
            "p.yaml: prices[0]: hardware: 'm4-max-41c' is not a hardware profile (did you mean 'm4-max-40c'?)");
  EXPECT_EQ(error_of([] { parse(row("a", "m4-max-40c", 96, 100)); }),
            "p.yaml: prices[0]: memory: 96.00 GiB is not a size m4-max-40c is sold with (expected one of 48.00 GiB, 64.00 GiB, 128.00 GiB)");
  EXPECT_EQ(error_of([] { parse(row("a", "m4-max-40c", 64, 100, "status: discontinued")); }),
            "p.yaml: prices[0]: missing required key 'left_store'");
  EXPECT_EQ(error_of([] { parse(row("a", "m4-max-40c", 64, 100, "status: discontinued, left_store: 2026-02-30")); }),
            "p.yaml: prices[0]: left_store: '2026-02-30' is not a date (expected YYYY-MM-DD)");
  EXPECT_EQ(error_of([] { parse(row("a", "m4-max-40c", 64, 100, "status: sold")); }),
            "p.yaml: prices[0]: status: 'sold' is not a status (expected on-sale or discontinued)");
  EXPECT_EQ(error_of([] { parse(row("a", "m4-max-40c", 64, 100) + row("a", "m4-max-40c", 48, 100)); }),
            "p.yaml: prices[1]: id: 'a' appears twice");
  EXPECT_EQ(error_of([] { parse(row("a", "m4-max-40c", 64, 0)); }).substr(0, 29), "p.yaml: prices[0]: price_usd:");
}

TEST(Prices, OverridesReplaceByIdAndRejectUnknownIds) {
  auto rows = parse(row("box-64", "m4-max-40c", 64, 3000) + row("box-48", "m4-max-40c", 48, 2500));
  override_price(rows, "box-64", 2000, "cli");
  EXPECT_DOUBLE_EQ(rows[0].price_usd, 2000);
  EXPECT_EQ(error_of([&] { override_price(rows, "box-65", 1, "cli"); }),
            "price: 'box-65' is not a configuration id in the price table (did you mean 'box-64'?); "
            "`ridgeline list hardware --prices` shows them");
  const auto merged = merge_prices(rows, parse(row("box-48", "m4-max-40c", 48, 1000) + row("new", "m4-pro-20c", 24, 900)));
  ASSERT_EQ(merged.size(), 3u);
  EXPECT_DOUBLE_EQ(merged[1].price_usd, 1000);
}

TEST(Buy, CheapestThatMeetsFirstAndDominatedMachinesAreMarked) {
  BuyRequest rq;
  rq.workloads = {workload("qwen3-8b")};
  // Same chip at two prices (the dearer one is dominated: equal speed, higher price), and a faster chip.
  rq.prices = parse(row("cheap", "m4-max-40c", 48, 2000) + row("dear", "m4-max-40c", 64, 2600) +
                    row("fast", "m3-ultra-80c", 96, 5000) + row("gone", "m4-pro-20c", 24, 100, "status: discontinued, left_store: 2025-01-01"));
  const BuyResult r = advise_buy(rq);
  ASSERT_EQ(r.configurations.size(), 3u);  // the discontinued row is left out by default
  EXPECT_EQ(r.discontinued_left_out, 1u);
  EXPECT_EQ(r.configurations[0].offer.id, "cheap");
  EXPECT_EQ(r.configurations[1].offer.id, "dear");
  ASSERT_TRUE(r.configurations[1].dominated_by.has_value());
  EXPECT_EQ(*r.configurations[1].dominated_by, 0u);
  EXPECT_FALSE(r.configurations[2].dominated_by.has_value());  // faster: not dominated although dearer
  EXPECT_GT(r.configurations[2].speed, r.configurations[0].speed);
  EXPECT_NE(r.recommendation.find("for $2000"), std::string::npos);
  rq.include_discontinued = true;
  EXPECT_EQ(advise_buy(rq).configurations.size(), 4u);
}

// Same memory bandwidth, so the same decode speed; the chip with more GPU cores reaches the first token
// sooner. It is dearer but not dominated: a person pays for the faster prompt. The same chip with more
// RAM at a higher price gains nothing on this workload and is dominated.
TEST(Buy, DominanceCountsTheFirstTokenAsWellAsDecode) {
  BuyRequest rq;
  rq.workloads = {workload("qwen3-8b")};
  rq.prices = parse(row("ultra-60", "m3-ultra-60c", 96, 4000) + row("ultra-80", "m3-ultra-80c", 96, 5500) +
                    row("ultra-60-more-ram", "m3-ultra-60c", 256, 6000));
  const BuyResult r = advise_buy(rq);
  ASSERT_EQ(r.configurations.size(), 3u);
  const auto find = [&](const std::string& id) {
    return *std::find_if(r.configurations.begin(), r.configurations.end(), [&](const Configuration& c) { return c.offer.id == id; });
  };
  const Configuration& base = find("ultra-60");
  const Configuration& more_cores = find("ultra-80");
  // 819.2 GB/s both: nearly the same decode (attention at the workload's depth runs on the ALUs,
  // where 80 cores gain a few percent over 60).
  EXPECT_NEAR(more_cores.speed / base.speed, 1.0, 0.05);
  EXPECT_LT(more_cores.ttft, 0.9 * base.ttft);             // 80 GPU cores against 60: a faster prompt
  EXPECT_FALSE(more_cores.dominated_by.has_value());
  ASSERT_TRUE(find("ultra-60-more-ram").dominated_by.has_value());
  EXPECT_EQ(r.configurations[*find("ultra-60-more-ram").dominated_by].offer.id, "ultra-60");
}

// A pick whose price the table does not confirm says so in the recommendation, with the reason.
TEST(Buy, RecommendationSaysWhenThePicksPriceIsNotConfirmed) {
  BuyRequest rq;
  rq.workloads = {workload("qwen3-8b")};
  rq.prices = parse(row("box", "m4-max-40c", 48, 2000, "status: on-sale, unverified: \"launch price before an increase\""));
  EXPECT_NE(advise_buy(rq).recommendation.find("Its price is not confirmed (launch price before an increase)"), std::string::npos);
  rq.prices = parse(row("box", "m4-max-40c", 48, 2000));
  EXPECT_EQ(advise_buy(rq).recommendation.find("not confirmed"), std::string::npos);
}

// A requirement the pick meets only at the prediction's centre is said to be inside its error.
TEST(Buy, RecommendationSaysWhenARequirementIsInsideThePredictionsError) {
  BuyRequest rq;
  rq.workloads = {workload("qwen3-8b")};
  rq.prices = parse(row("box", "m4-max-40c", 48, 2000));
  const BuyResult free = advise_buy(rq);
  const auto& w = free.configurations[0].results[0];
  ASSERT_TRUE(w.p.bands);
  ASSERT_GT(w.p.bands->decode.total, 0);
  const double low = w.checked_decode() * std::exp(-w.p.bands->decode.total);
  rq.req.min_decode = (low + w.checked_decode()) / 2;  // met at the centre, missed at the low end
  BuyResult r = advise_buy(rq);
  ASSERT_TRUE(r.configurations[0].meets());
  EXPECT_NE(r.recommendation.find("could decode below the"), std::string::npos);
  rq.req.min_decode = low / 2;  // met across the whole range
  r = advise_buy(rq);
  EXPECT_EQ(r.recommendation.find("could decode below the"), std::string::npos);
}

TEST(Buy, DiscontinuedMachinesRankAtTheirUsedPrice) {
  BuyRequest rq;
  rq.workloads = {workload("qwen3-8b")};
  rq.include_discontinued = true;
  rq.prices = parse(row("old", "m4-max-40c", 48, 4000, "status: discontinued, left_store: 2026-03-03, used: {usd: 2800, source: s, read: 2026-03-13}"));
  const BuyResult r = advise_buy(rq);
  ASSERT_EQ(r.configurations.size(), 1u);
  EXPECT_DOUBLE_EQ(r.configurations[0].price_usd, 2800);
  EXPECT_EQ(r.configurations[0].price_kind, "used");
}

TEST(Buy, DefaultPromptStaysWithinTheModelsMaximum) {
  BuyRequest rq;
  rq.workloads = {workload("llama-2-7b")};  // maximum 4096: 4096 + 256 would not be a valid workload
  rq.prices = parse(row("box", "m4-max-40c", 48, 2000));
  const BuyResult r = advise_buy(rq);
  EXPECT_EQ(r.workloads[0].prompt, 4096 - 256);
  EXPECT_TRUE(r.impossible.empty());
  EXPECT_TRUE(r.configurations[0].results[0].ran);
  EXPECT_TRUE(r.configurations[0].meets());
}

TEST(Buy, RequiredContextIsCheckedAtThatContextAndAgainstTheModelsMaximum) {
  BuyRequest rq;
  rq.workloads = {workload("qwen3-8b")};
  rq.prices = parse(row("box", "m4-max-40c", 48, 2000));
  rq.req.min_context = 32768;
  BuyResult r = advise_buy(rq);
  const auto& w = r.configurations[0].results[0];
  ASSERT_TRUE(w.at_context.has_value());
  EXPECT_EQ(w.at_context->prefill_tokens + w.at_context->decode_tokens, 32768);
  EXPECT_LT(w.at_context->decode_tps(), w.p.decode_tps());  // attention over a longer cache is slower
  EXPECT_DOUBLE_EQ(w.checked_decode(), w.at_context->decode_tps());
  rq.req.min_context = 65536;  // qwen3-8b's maximum is 40960
  r = advise_buy(rq);
  ASSERT_EQ(r.impossible.size(), 1u);
  EXPECT_NE(r.impossible[0].find("beyond qwen3-8b's maximum of 40960 tokens"), std::string::npos);
  EXPECT_FALSE(r.any_meets());
}

TEST(Hints, EachHintIsAChangeThatFits) {
  Workload w;
  w.prompt = 8192 - 256;
  w.gen = 256;
  w.ram = Bytes(64 * kGiB);
  const HardwareSpec hw = resolve_hardware("m4-max-40c");
  const ModelSpec m = resolve_model("llama-3.3-70b-instruct");
  const Scenario s = advisor_scenario(hw, m, {"q6_k", "llama.cpp-metal", "", {}}, w);
  ASSERT_FALSE(memory(s).fits);
  const auto hints = fit_hints(s);
  ASSERT_FALSE(hints.empty());
  for (const auto& h : hints) {
    Scenario t = s;
    if (h.kind == "quant") t.quant = find_quantization(h.setting);
    else if (h.kind == "kv_dtype") t.kv = find_kv_dtype(h.setting);
    else if (h.kind == "chunk") t.chunk = static_cast<long long>(h.value);
    else if (h.kind == "wired_limit") t.limit = Bytes(h.value * 1048576.0);
    else if (h.kind == "context") t.workload.prompt = static_cast<long long>(h.value) - t.workload.gen;
    else continue;
    EXPECT_TRUE(memory(t).fits) << h.text;
    if (h.kind == "wired_limit") {
      EXPECT_LE(h.value * 1048576.0, (w.ram - os_reserve(w.ram)).value) << h.text;
    }
  }
  EXPECT_TRUE(std::any_of(hints.begin(), hints.end(), [](const Hint& h) { return h.kind == "quant"; }));
}

TEST(Fit, RowsThatFitAreWithinTheLimitAndHintedQuantsFit) {
  FitRequest rq;
  rq.hardware = resolve_hardware("m4-max-40c");
  rq.ram = Bytes(64 * kGiB);
  rq.models = {resolve_model("qwen3-8b"), resolve_model("llama-3.3-70b-instruct")};
  const FitResult r = advise_fit(rq);
  EXPECT_EQ(r.limit, default_gpu_limit(rq.hardware, rq.ram));
  ASSERT_EQ(r.rows.size(), 2u * (6 + 4));  // two models x (six GGUF + four MLX downloads)
  for (const auto& x : r.rows) {
    if (x.fits) {
      EXPECT_LE(x.peak, x.limit) << x.model << " " << x.quant;
      EXPECT_GT(x.decode_tps, 0);
      continue;
    }
    for (const auto& h : x.hints) {
      if (h.kind != "quant") continue;
      auto hinted = std::find_if(r.rows.begin(), r.rows.end(), [&](const FitRow& y) {
        return y.model == x.model && y.runtime == x.runtime && y.quant == h.setting;
      });
      ASSERT_NE(hinted, r.rows.end());
      EXPECT_TRUE(hinted->fits) << x.model << " " << x.quant << " -> " << h.setting;
    }
  }
  // The 8B model fits at every download on 64 GB; the 70B does not fit at 8 bits.
  for (const auto& x : r.rows)
    if (x.model == "qwen3-8b") {
      EXPECT_TRUE(x.fits) << x.quant;
    }
  auto q8 = std::find_if(r.rows.begin(), r.rows.end(), [](const FitRow& y) { return y.model == "llama-3.3-70b-instruct" && y.quant == "q8_0"; });
  ASSERT_NE(q8, r.rows.end());
  EXPECT_FALSE(q8->fits);
}

// The price parser refuses every file of the bad-input corpus (hardware, model, runtime, bench files,
// binary garbage, truncated YAML) with InputError only, never another exception.
TEST(Prices, BadInputCorpusIsRefusedWithInputErrorOnly) {
  const std::filesystem::path dir = std::filesystem::path(RIDGELINE_SOURCE_DIR) / "tests" / "bad_inputs";
  int refused = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (!e.is_regular_file() || e.path().filename() == "prices_valid.yaml") continue;
    std::ifstream f(e.path(), std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    try {
      parse_price_text(text, e.path().filename().string(), hardware_catalog());
      ADD_FAILURE() << e.path() << " was accepted";
    } catch (const InputError&) {
      ++refused;
    }
  }
  EXPECT_GT(refused, 40);
}

namespace ridgeline {

TEST(QuantizationChoice, AskedThenTheFilesOwnThenTheFallback) {
  ModelSource src;
  EXPECT_EQ(choose_quantization("", src, "q4_k_m").id, "q4_k_m");
  src.quant = "q8_0";
  EXPECT_EQ(choose_quantization("", src, "q4_k_m").id, "q8_0");
  EXPECT_EQ(choose_quantization("q4_0", src, "q4_k_m").id, "q4_0");
  EXPECT_TRUE(choose_quantization("q4_0", src, "q4_k_m").contradiction.empty());  // a folder's config, not stored weights
  src.quant_is_file_type = true;  // GGUF: the weights are stored as q8_0
  const QuantChoice c = choose_quantization("q4_0", src, "q4_k_m");
  EXPECT_EQ(c.id, "q4_0");
  EXPECT_NE(c.contradiction.find("q8_0"), std::string::npos);
}

TEST(QuantizationChoice, AnUnknownQuantizationInTheFilesHasNoDefault) {
  ModelSource src;
  src.unknown_quant = "gptq 4-bit";
  try {
    choose_quantization("", src, "q4_k_m");
    FAIL() << "a default stood in for the files' own quantization";
  } catch (const FieldError& e) {
    EXPECT_EQ(e.field(), "quant");
  }
  EXPECT_EQ(choose_quantization("q4_0", src, "q4_k_m").id, "q4_0");  // asked: the user chose the nearest
}

}  // namespace ridgeline
