// Loaders of the five commands' saved --json output into their page records. Each reads the keys
// its page shows (type and range checked) and names the others its writer puts there, so that
// MapReader::finish still refuses a key the format does not have (a typo, another program's file).
#include "ridgeline/saved_results.hpp"

#include <limits>

#include "ridgeline/error.hpp"
#include "ridgeline/report.hpp"
#include "ridgeline/strict_reader.hpp"

namespace ridgeline {

namespace {

// Ranges: what no result of ours passes; beyond them a file is not one.
constexpr long long kMaxTokens = 1LL << 40;  // token counts, contexts, chunk sizes, batch
constexpr long long kMaxBytes = 1LL << 60;
constexpr long long kMaxCount = std::numeric_limits<int>::max();  // rows, ranks, configurations
constexpr double kMaxRate = 1e12;   // tokens/s, seconds, measured and predicted figures
constexpr double kMaxRamGb = 1e6;
constexpr double kMaxUsd = 1e9;

void ignore(MapReader& r, std::initializer_list<const char*> keys) {
  for (const char* k : keys) r.ignore(k);
}

void check_schema_version(MapReader& r) {
  const long long v = r.integer("schema_version", 0, kMaxCount);
  if (v != kSchemaVersion)
    throw InputError("{}: {} is not supported (expected {}, the version this build writes; run the command again to rewrite the file)",
                     r.where("schema_version"), v, kSchemaVersion);
}

// A text that may be empty (buy's calibration list when nothing ran).
std::string text(MapReader& r, const std::string& key) {
  const Node& n = r.node(key);
  if (!n.is_scalar()) throw InputError("{}: expected a text, got {}", r.where(key), describe_node(n));
  return n.text();
}

const Node& list_at(MapReader& r, const std::string& key) {
  const Node& list = r.node(key);
  if (!list.is_sequence()) throw InputError("{}: expected a list, got {}", r.where(key), describe_node(list));
  return list;
}

// The maps of the list under `key`, each read by `read(reader)` (MapReader::each_map: errors
// name the element, "file: rows[3]: fits", and unknown keys are refused).
template <class Read>
auto read_list(MapReader& r, const std::string& key, Read read) {
  std::vector<decltype(read(std::declval<MapReader&>()))> out;
  r.each_map(key, [&](MapReader& item) { out.push_back(read(item)); });
  return out;
}

BuyPage::Run read_buy_run(MapReader& r) {
  BuyPage::Run run;
  run.workload = r.str("workload");
  run.fits = r.boolean("fits");
  run.decode_tps = r.number("decode_tokens_per_second", 0, kMaxRate);
  const auto range = r.number_list("decode_tokens_per_second_range", 0, kMaxRate);
  if (range.size() != 2)
    throw InputError("{}: expected [low, high], got {} numbers", r.where("decode_tokens_per_second_range"), range.size());
  run.decode_low = range[0], run.decode_high = range[1];
  run.ttft_seconds = r.number("ttft_seconds", 0, kMaxRate);
  run.weights_bytes = r.integer("weights_bytes", 0, kMaxBytes);
  run.kv_cache_bytes = r.integer("kv_cache_bytes", 0, kMaxBytes);
  run.transient_bytes = r.integer("transient_bytes", 0, kMaxBytes);
  run.runtime_bytes = r.integer("runtime_bytes", 0, kMaxBytes);
  run.limit_bytes = r.integer("limit_bytes", 0, kMaxBytes);
  const Node& points = list_at(r, "decode_by_context");
  for (size_t i = 0; i < points.size(); ++i) {
    const std::string where = fmt::format("{}[{}]", r.where("decode_by_context"), i);
    if (!points[i].is_sequence() || points[i].size() != 2)
      throw InputError("{}: expected [context, tokens/s], got {}", where, describe_node(points[i]));
    const double context = scalar_number(points[i][0], where + "[0]", 1, static_cast<double>(kMaxTokens));
    if (context != static_cast<double>(static_cast<long long>(context)))
      throw InputError("{}[0]: {} is not a whole number", where, points[i][0].text());
    run.decode_by_context.emplace_back(static_cast<long long>(context), scalar_number(points[i][1], where + "[1]", 0, kMaxRate));
  }
  ignore(r, {"quant", "runtime", "kv_dtype", "prompt", "gen", "batch", "prefill_tokens_per_second", "decode_band",
             "aggregate_decode_tokens_per_second", "price_per_decode_token_per_second", "peak_bytes", "headroom_bytes",
             "max_context_tokens", "at_checked_context", "calibration", "hints"});
  // Saved before session 33's buy JSON carried them: none.
  if (r.has("warnings")) run.warnings = r.str_list("warnings");
  else r.ignore("warnings");
  return run;
}

BuyPage::Configuration read_buy_configuration(MapReader& r) {
  BuyPage::Configuration c;
  c.hardware = r.str("hardware");
  c.machine = r.str("machine");
  c.memory_gb = r.number("memory_gb", 0, kMaxRamGb);
  c.price_usd = r.number("price_usd", 0, kMaxUsd);
  c.price_kind = r.one_of("price_kind", {"new", "used", "last new"}, "a price kind");
  c.price_unverified = r.opt_str("price_unverified").has_value();
  c.meets_requirements = r.boolean("meets_requirements");
  c.dominated_by_rank = r.opt_integer("dominated_by_rank", 1, kMaxCount);
  c.failures = r.str_list("failures");
  c.runs = read_list(r, "predictions", read_buy_run);
  ignore(r, {"rank", "configuration", "chip", "new_price_usd", "price_source", "price_url", "price_read", "status", "left_store",
             "decode_speed_for_ranking", "ttft_seconds_for_ranking", "headroom_fraction"});
  return c;
}

BuyPage read_buy(MapReader& r) {
  BuyPage page;
  MapReader req = r.map("requirements");
  page.min_decode = req.opt_number("min_decode", 0, kMaxRate);
  page.max_ttft = req.opt_number("max_ttft", 0, kMaxRate);
  page.min_context = req.opt_integer("min_context", 1, kMaxTokens);
  page.budget = req.opt_number("budget", 0, kMaxUsd);
  req.finish();
  page.workloads = read_list(r, "workloads", [](MapReader& w) {
    BuyPage::Workload out;
    out.name = w.str("name");
    out.model = w.str("model");
    out.prompt = w.integer("prompt", 1, kMaxTokens);
    out.prompt_defaulted = w.boolean("prompt_defaulted");
    out.gen = w.integer("gen", 0, kMaxTokens);
    out.batch = w.integer("batch", 1, kMaxTokens);
    out.context = w.integer("context", 1, kMaxTokens);
    out.checked_context = w.integer("checked_context", 1, kMaxTokens);
    out.ran_as = w.str_list("ran_as");
    ignore(w, {"quant", "runtime", "kv_dtype"});
    return out;
  });
  page.impossible = r.str_list("impossible");
  page.calibration = text(r, "calibration");
  page.discontinued_left_out = r.integer("discontinued_left_out", 0, kMaxCount);
  page.configurations = read_list(r, "configurations", read_buy_configuration);
  page.recommendation = text(r, "recommendation");
  return page;
}

FitPage read_fit(MapReader& r) {
  FitPage page;
  page.hardware = r.str("hardware");
  page.memory_gb = r.number("memory_gb", 0, kMaxRamGb);
  page.limit_bytes = r.integer("limit_bytes", 0, kMaxBytes);
  page.context = r.integer("context", 1, kMaxTokens);
  page.gen = r.integer("gen", 0, kMaxTokens);
  page.rows = read_list(r, "rows", [](MapReader& x) {
    FitPage::Row row;
    row.model = x.str("model");
    row.runtime = x.str("runtime");
    row.quant = x.str("quant");
    row.context = x.integer("context", 1, kMaxTokens);
    row.fits = x.boolean("fits");
    row.decode_tps = x.number("decode_tokens_per_second", 0, kMaxRate);
    row.prefill_tps = x.number("prefill_tokens_per_second", 0, kMaxRate);
    row.weights_bytes = x.integer("weights_bytes", 0, kMaxBytes);
    row.peak_bytes = x.integer("peak_bytes", 0, kMaxBytes);
    row.max_context = x.opt_integer("max_context_tokens", 0, kMaxTokens);
    for (const auto& hint : read_list(x, "hints", [](MapReader& h) {
           ignore(h, {"kind", "value", "setting"});
           return h.str("text");
         }))
      row.fixes.push_back(hint);
    ignore(x, {"model_max_context", "ttft_seconds", "limit_bytes"});
    return row;
  });
  return page;
}

ChunkPage read_chunk(MapReader& r) {
  ChunkPage page;
  page.hardware = r.str("hardware");
  page.model = r.str("model");
  page.memory_gb = r.number("memory_gb", 0, kMaxRamGb);
  page.limit_bytes = r.integer("limit_bytes", 0, kMaxBytes);
  page.largest_safe = r.opt_integer("largest_safe_chunk", 1, kMaxTokens);
  page.trials = read_list(r, "chunks", [](MapReader& c) {
    ChunkPage::Trial t;
    t.chunk = c.integer("chunk", 1, kMaxTokens);
    t.oom = c.opt_integer("oom_at_context_tokens", 0, kMaxTokens);
    t.prefill_seconds = c.opt_number("prefill_seconds", 0, kMaxRate);
    t.peak_bytes = c.integer("peak_bytes", 0, kMaxBytes);
    ignore(c, {"completes"});
    return t;
  });
  ignore(r, {"quant", "runtime", "weights_bytes", "weights_fit", "context", "score_formula_32_tokens"});
  return page;
}

ValidationPage::Row read_validation_row(MapReader& r) {
  ValidationPage::Row row;
  row.row = r.integer("row", 0, kMaxCount);
  row.file = text(r, "file");
  if (auto res = r.opt_map("resolved")) {
    row.resolved = ValidationPage::Resolved{res->str("hardware"), res->str("model"), res->str("quant"), res->str("runtime")};
    res->finish();
  }
  row.reason = r.opt_str("reason").value_or("");
  // A quantity the row measured has both keys (null where a figure is not finite).
  for (Measured q : ValidationPage::kPageQuantities) {
    const std::string measured = std::string("measured_") + to_string(q), predicted = std::string("predicted_") + to_string(q);
    if (!r.has(measured) && !r.has(predicted)) continue;
    const double most = is_count(q) ? static_cast<double>(kMaxBytes) : kMaxRate;  // bytes pass a rate's bound
    row.figures.push_back({q, r.opt_number(measured, 0, most), r.opt_number(predicted, 0, most)});
  }
  row.roofline_fraction = r.opt_number("roofline_fraction", 0, kMaxRate);
  row.anomaly = r.opt_str("anomaly").value_or("");
  ignore(r, {"assumptions", "chunk_tokens", "measured_oom_context_tokens", "predicted_oom_context_tokens", "stated_bandwidth",
             "measured_gaps"});
  return row;
}

ValidationPage read_validation(MapReader& r) {
  ValidationPage page;
  page.rows = read_list(r, "rows", read_validation_row);
  MapReader summary = r.map("summary");
  page.row_count = summary.integer("rows", 0, kMaxCount);
  page.resolved = summary.integer("resolved", 0, kMaxCount);
  page.anomalies = summary.integer("anomalies", 0, kMaxCount);
  ignore(summary, {"usable", "mape", "per_chip", "per_runtime", "skipped_files"});
  summary.finish();
  return page;
}

SweepPage::Row read_sweep_row(MapReader& r) {
  SweepPage::Row row;
  const std::string status = r.one_of("status", {"ok", "does_not_fit", "not_computed"}, "a sweep row's status");
  row.hardware = r.str("hardware");
  row.model = r.str("model");
  MapReader workload = r.map("workload");
  row.prompt = workload.integer("prompt", 1, kMaxTokens);
  ignore(workload, {"cached", "gen", "chunk", "batch"});
  workload.finish();
  ignore(r, {"quant", "runtime", "memory_gb"});
  if (status == "not_computed") {
    row.reason = r.str("reason");
    return row;
  }
  check_schema_version(r);  // each computed row is a whole prediction record
  auto tokens_per_second = [&](const char* phase) {
    MapReader m = r.map(phase);
    const double v = m.number("tokens_per_second", 0, kMaxRate);
    ignore(m, {"tokens", "seconds", "ms_per_token", "bound", "band", "per_call", "tokens_per_second_start", "tokens_per_second_end",
               "aggregate_tokens_per_second"});
    m.finish();
    return v;
  };
  SweepPage::Figures f;
  f.prefill_tps = tokens_per_second("prefill");
  f.decode_tps = tokens_per_second("decode");
  f.ttft_seconds = r.number("ttft_seconds", 0, kMaxRate);
  MapReader memory = r.map("memory");
  f.peak_bytes = memory.integer("peak_bytes", 0, kMaxBytes);
  f.fits = memory.boolean("fits");
  ignore(memory, {"weights_bytes", "kv_cache_bytes", "state_bytes", "transient_bytes", "runtime_bytes", "limit_bytes",
                  "oom_at_context_tokens"});
  memory.finish();
  if (f.fits != (status == "ok"))
    throw InputError("{}: '{}' but memory: fits is {}", r.where("status"), status, f.fits);
  ignore(r, {"calibration", "kv_dtype", "total_seconds", "warnings"});
  row.figures = f;
  return row;
}

}  // namespace

SavedResult read_saved_result(const Node& root, const std::string& label) {
  if (!root.is_map()) throw InputError("{}: expected the JSON object printed by buy, fit, sweep, chunk or validate --json", label);
  // The kind by the key only it has (the JSON carries no kind field).
  auto read = [&](auto read_kind) -> SavedResult {
    MapReader r(root, label);
    check_schema_version(r);
    SavedResult result = read_kind(r);
    r.finish();
    return result;
  };
  if (root.find("configurations")) return read(read_buy);
  if (root.find("chunks")) return read(read_chunk);
  if (root.find("rows") && root.find("context")) return read(read_fit);
  if (root.find("rows") && root.find("summary")) return read(read_validation);
  if (root.find("predictions"))
    return read([](MapReader& r) { return SweepPage{read_list(r, "predictions", read_sweep_row)}; });
  throw InputError("{}: not a ridgeline buy, fit, sweep, chunk or validate JSON result (expected a 'configurations', 'chunks', "
                   "'rows' or 'predictions' key)", label);
}

SavedResult load_saved_result(const std::string& path) { return read_saved_result(load_document(path), path); }

}  // namespace ridgeline
