// ridgeline buy: flags -> an advisor request; the advisor (advisor/) ranks and explains.
#include <ostream>

#include "commands.hpp"
#include "ridgeline/advisor.hpp"
#include "ridgeline/advisor_report.hpp"
#include "ridgeline/catalog.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/html_report.hpp"
#include "ridgeline/strict_reader.hpp"

namespace ridgeline::cli {

namespace {

std::optional<double> positive(const std::string& text, const char* flag) {
  if (text.empty()) return std::nullopt;
  auto v = parse_double(text);
  if (!v || *v <= 0) throw InputError("{}: '{}' is not a number > 0", flag, text);
  return v;
}

std::vector<PriceRow> price_table_for(const BuyOptions& o) {
  std::vector<PriceRow> rows = price_catalog();
  if (!o.prices_file.empty()) rows = merge_prices(std::move(rows), parse_price_file(o.prices_file));
  for (const auto& kv : o.prices) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) throw InputError("--price: '{}' is not ID=USD", kv);
    const auto usd = parse_double(kv.substr(eq + 1));
    if (!usd || *usd < 1 || *usd > 1e7) throw InputError("--price: '{}' is not a price in USD from 1 to 1e7", kv.substr(eq + 1));
    override_price(rows, kv.substr(0, eq), *usd, "--price on the command line");
  }
  return rows;
}

BuyRequest request_from(const BuyOptions& o) {
  BuyRequest rq;
  if (!o.workloads.empty()) {
    BuyFile f = read_buy_file(o.workloads);
    rq.workloads = std::move(f.workloads);
    rq.req = f.req;
    rq.consider = std::move(f.consider);
  }
  const CalibrationChoice calibration = calibration_choice(o.calibration);
  if (!o.model.empty()) {
    BuyWorkload w;
    w.model = resolve_model_at(o.model, "--model");
    w.name = o.model;
    w.run = {o.quant, o.runtime, o.kv_dtype, calibration};
    if (!o.prompt.empty()) w.prompt = parse_count(o.prompt, "--prompt", 1, 1LL << 30);
    w.gen = parse_count(o.gen, "--gen", 0, 1LL << 30);
    w.batch = parse_count(o.batch, "--batch", 1, 4096);
    rq.workloads.push_back(std::move(w));
  }
  if (rq.workloads.empty()) throw InputError("buy: give --model or --workloads FILE.yaml");
  for (auto& w : rq.workloads) {
    w.run.calibration = calibration;
    if (w.run.kv_dtype.empty()) w.run.kv_dtype = o.kv_dtype;
  }
  validate_run_choice(rq.workloads.front().run);
  if (auto v = positive(o.min_decode, "--min-decode")) rq.req.min_decode = v;
  if (auto v = positive(o.max_ttft, "--max-ttft")) rq.req.max_ttft = v;
  if (!o.min_context.empty()) rq.req.min_context = parse_count(o.min_context, "--min-context", 1, 1LL << 30);
  if (!o.budget.empty()) {
    rq.req.budget = parse_usd(o.budget);
    if (!rq.req.budget) throw InputError("--budget: '{}' is not an amount in USD > 0 (e.g. 3000, 3k or $3,000)", o.budget);
  }
  if (!o.consider.empty()) {
    rq.consider.clear();
    for (const auto& id : split_list(o.consider)) rq.consider.push_back(resolve_hardware_id(id, "--consider"));
  }
  if (!o.memory.empty()) rq.memory = gibibytes(parse_ram_gb(o.memory, "--memory"));  // matched as sold (sold_ram_gb)
  if (!o.limit.empty()) rq.limit = parse_size_option(o.limit, "--limit");
  rq.include_discontinued = o.include_discontinued;
  rq.prices = price_table_for(o);
  for (const auto& id : rq.consider) {
    const bool priced = std::any_of(rq.prices.begin(), rq.prices.end(), [&](const PriceRow& p) { return p.hardware == id; });
    if (!priced) throw InputError("--consider: '{}' has no row in the price table; give one with --prices FILE", id);
  }
  return rq;
}

}  // namespace

int run_buy(const BuyOptions& o, std::ostream& out) {
  const BuyResult r = advise_buy(request_from(o));
  out << (o.json ? buy_json(r) : buy_table(r));
  if (!o.html.empty()) write_output("--html", o.html, html_report(buy_page(r)));
  return r.any_meets() ? kOk : kRequirementFailed;
}

}  // namespace ridgeline::cli
