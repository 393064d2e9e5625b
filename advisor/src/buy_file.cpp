// The buy file: workloads, requirements, budget and hardware to consider, in YAML.
#include "ridgeline/advisor.hpp"

#include <cmath>
#include <regex>
#include "ridgeline/catalog.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/strict_reader.hpp"

namespace ridgeline {

ModelSpec resolve_model_at(const std::string& name, const std::string& where) {
  try {
    return resolve_model(name);
  } catch (const InputError&) {
    if (looks_like_path(name)) throw;  // the file's own error names the file and the key
    throw InputError("{}: '{}' is not a model in the catalog{}; `ridgeline list models` shows them", where, name,
                     did_you_mean(name, ids_of(model_headers(), &ModelHeader::id)));
  }
}

std::string resolve_hardware_id(const std::string& name, const std::string& where) {
  try {
    return resolve_hardware(name).id;
  } catch (const InputError&) {
    throw InputError("{}: '{}' is not in the catalog{}; `ridgeline list hardware` shows them", where, name,
                     did_you_mean(name, ids_of(hardware_headers(), &HardwareHeader::id)));
  }
}

std::optional<long long> parse_token_count(const std::string& text) {
  std::string t = text;
  double scale = 1;
  if (!t.empty() && (t.back() == 'k' || t.back() == 'K')) {
    scale = 1024;  // 2k = 2048 tokens, as on the command line
    t.pop_back();
  }
  const auto v = parse_double(t);
  if (!v || *v * scale != std::floor(*v * scale)) return std::nullopt;
  return static_cast<long long>(*v * scale);
}

std::optional<double> parse_usd(const std::string& text) {
  // A leading $, commas only between groups of three digits, a k for thousands.
  static const std::regex kAmount(R"(\$?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?([kK]?))");
  std::smatch m;
  if (!std::regex_match(text, m, kAmount)) return std::nullopt;
  std::string digits = m[1].str();
  std::erase(digits, ',');
  const auto v = parse_double(digits + m[2].str());
  if (!v || *v <= 0) return std::nullopt;
  return *v * (m[3].length() ? 1000 : 1);
}

namespace {
std::optional<long long> opt_tokens(MapReader& m, const std::string& key, long long min, long long max) {
  const auto text = m.opt_str(key);
  if (!text) return std::nullopt;
  const auto n = parse_token_count(*text);
  if (!n) throw InputError("{}: '{}' is not a whole number of tokens (expected e.g. 4096 or 2k)", m.where(key), *text);
  if (*n < min || *n > max) throw InputError("{}: {} is out of range (expected {} to {})", m.where(key), *text, min, max);
  return n;
}
}  // namespace

BuyFile read_buy_file(const std::string& path) {
  const Node doc = load_document(path);
  MapReader root(doc, path);
  BuyFile f;
  root.each_map("workloads", [&](MapReader& w) {
    BuyWorkload b;
    const std::string model = w.str("model");
    b.model = resolve_model_at(model, w.where("model"));
    b.name = w.opt_str("name").value_or(model);
    b.run.quant = w.opt_str("quant").value_or("");
    b.run.runtime = w.opt_str("runtime").value_or("");
    b.run.kv_dtype = w.opt_str("kv_dtype").value_or("");
    b.prompt = opt_tokens(w, "prompt", 1, 1LL << 30);
    b.gen = opt_tokens(w, "gen", 0, 1LL << 30).value_or(256);
    b.batch = w.opt_integer("batch", 1, 4096).value_or(1);
    w.finish();
    try {
      validate_run_choice(b.run);
    } catch (const InputError& e) {
      throw InputError("{}: {}", w.where(), e.what());
    }
    f.workloads.push_back(std::move(b));
  }, MapReader::List::non_empty);
  if (auto req = root.opt_map("requirements")) {
    f.req.min_decode = req->opt_number("min_decode", 1e-6, 1e6);
    f.req.max_ttft = req->opt_number("max_ttft", 1e-6, 1e9);
    f.req.min_context = opt_tokens(*req, "min_context", 1, 1LL << 30);
    req->finish();
  }
  if (auto budget = root.opt_str("budget")) {
    f.req.budget = parse_usd(*budget);
    if (!f.req.budget || *f.req.budget < 1 || *f.req.budget > 1e9)
      throw InputError("{}: '{}' is not a budget in USD from 1 to 1e9 (e.g. 3000, 3k or $3,000)", root.where("budget"), *budget);
  }
  if (auto c = root.opt_str("consider")) {
    size_t start = 0;
    while (start <= c->size()) {
      size_t end = c->find(',', start);
      if (end == std::string::npos) end = c->size();
      std::string id = c->substr(start, end - start);
      id.erase(0, id.find_first_not_of(' '));
      id.erase(id.find_last_not_of(' ') + 1);
      f.consider.push_back(resolve_hardware_id(id, root.where("consider")));
      start = end + 1;
    }
  }
  root.finish();
  return f;
}

}  // namespace ridgeline
