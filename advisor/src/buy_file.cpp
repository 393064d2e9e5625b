// The buy file: workloads, requirements, budget and hardware to consider, in YAML.
#include "ridgeline/advisor.hpp"
#include "ridgeline/catalog.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/yaml_reader.hpp"

namespace ridgeline {

ModelSpec resolve_model_at(const std::string& name, const std::string& where) {
  try {
    return resolve_model(name);
  } catch (const InputError&) {
    if (looks_like_path(name)) throw;  // the file's own error names the file and the key
    std::vector<std::string> ids;
    for (const auto& m : model_catalog()) ids.push_back(m.id);
    throw InputError("{}: '{}' is not a model in the catalog{}; `ridgeline list models` shows them", where, name,
                     did_you_mean(name, ids));
  }
}

std::string resolve_hardware_id(const std::string& name, const std::string& where) {
  try {
    return resolve_hardware(name).id;
  } catch (const InputError&) {
    std::vector<std::string> ids;
    for (const auto& h : hardware_catalog()) ids.push_back(h.id);
    throw InputError("{}: '{}' is not in the catalog{}; `ridgeline list hardware` shows them", where, name,
                     did_you_mean(name, ids));
  }
}

BuyFile read_buy_file(const std::string& path) {
  MapReader root(load_document(path), path);
  BuyFile f;
  const YAML::Node list = root.node("workloads");
  if (!list.IsSequence() || list.size() == 0) throw InputError("{}: expected a non-empty list", root.where("workloads"));
  for (size_t i = 0; i < list.size(); ++i) {
    MapReader w(list[i], fmt::format("{}[{}]", root.where("workloads"), i));
    BuyWorkload b;
    const std::string model = w.str("model");
    b.model = resolve_model_at(model, w.where("model"));
    b.name = w.opt_str("name").value_or(model);
    b.run.quant = w.opt_str("quant").value_or("");
    b.run.runtime = w.opt_str("runtime").value_or("");
    b.run.kv_dtype = w.opt_str("kv_dtype").value_or("");
    b.prompt = w.opt_integer("prompt", 1, 1LL << 30);
    b.gen = w.opt_integer("gen", 0, 1LL << 30).value_or(256);
    b.batch = w.opt_integer("batch", 1, 4096).value_or(1);
    w.finish();
    try {
      validate_run_choice(b.run);
    } catch (const InputError& e) {
      throw InputError("{}: {}", w.where(), e.what());
    }
    f.workloads.push_back(std::move(b));
  }
  if (auto req = root.opt_map("requirements")) {
    f.req.min_decode = req->opt_number("min_decode", 1e-6, 1e6);
    f.req.max_ttft = req->opt_number("max_ttft", 1e-6, 1e9);
    f.req.min_context = req->opt_integer("min_context", 1, 1LL << 30);
    req->finish();
  }
  f.req.budget = root.opt_number("budget", 1, 1e9);
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
