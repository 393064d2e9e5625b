// The calibration file: written by `ridgeline calibrate`, read by every command that predicts.
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "ridgeline/calibration.hpp"
#include "ridgeline/catalog.hpp"
#include "ridgeline/coefficients.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/yaml_reader.hpp"

namespace ridgeline {

namespace {

// Names a calibration may carry: every declared coefficient, plus the fixed runtime memory.
bool known_coefficient(const std::string& name) { return name == "runtime_memory_gb" || find_coefficient(name); }

std::string cv_yaml(const CvStats& cv) {
  std::string s = fmt::format("{{folds: {}, mape: {{", cv.folds);
  bool first = true;
  for (const auto& [q, v] : cv.mape) s += fmt::format("{}{}: {:.2f}", first ? "" : ", ", q, v), first = false;
  s += "}, count: {";
  first = true;
  for (const auto& [q, v] : cv.count) s += fmt::format("{}{}: {}", first ? "" : ", ", q, v), first = false;
  return s + "}}";
}

std::map<std::string, double> read_number_map(MapReader& parent, const std::string& key, double max) {
  std::map<std::string, double> out;
  auto m = parent.opt_map(key);
  if (!m) return out;
  const YAML::Node node = parent.node(key);
  for (const auto& kv : node) {
    const std::string q = kv.first.as<std::string>();
    static const std::vector<std::string> quantities = {"prefill_tok_s", "decode_tok_s", "transient_bytes", "oom_context_tokens"};
    if (std::find(quantities.begin(), quantities.end(), q) == quantities.end())
      throw InputError("{}: unknown quantity '{}'{}", m->where(), q, did_you_mean(q, quantities));
    out[q] = m->number(q, 0, max);
  }
  m->finish();
  return out;
}

CvStats read_cv(MapReader& r, const std::string& key) {
  CvStats cv;
  auto m = r.opt_map(key);
  if (!m) return cv;
  cv.folds = static_cast<int>(m->integer("folds", 0, 100000));
  cv.mape = read_number_map(*m, "mape", 1e6);
  for (const auto& [q, v] : read_number_map(*m, "count", 1e9)) cv.count[q] = static_cast<int>(v);
  m->finish();
  return cv;
}

}  // namespace

std::string calibration_to_yaml(const Calibration& c) {
  std::string s = "# ridgeline calibration: fitted runtime coefficients (hardware datasheet values are not changed).\n";
  s += fmt::format("schema_version: {}\nruntime: {}\nhardware_vendor: {}\n", c.schema_version, c.runtime, c.hardware_vendor);
  s += "chips: [";
  for (size_t i = 0; i < c.chips.size(); ++i) s += (i ? ", " : "") + c.chips[i];
  s += fmt::format("]\nfitted_on: \"{}\"\nobservations: {}\ndatasets:\n", c.fitted_on, c.observations);
  for (const auto& [file, hash] : c.datasets) s += fmt::format("  - {{file: \"{}\", fnv1a64: \"{}\"}}\n", file, hash);
  s += "coefficients:\n";
  for (const auto& [name, v] : c.coefficients)
    s += fmt::format("  {}: {{value: {:.6g}, stderr: {:.3g}}}\n", name, v.value, v.stderr_);
  s += "in_sample_mape: {";
  bool first = true;
  for (const auto& [q, v] : c.in_sample_mape) s += fmt::format("{}{}: {:.2f}", first ? "" : ", ", q, v), first = false;
  s += "}\n";
  s += "leave_one_chip_out: " + cv_yaml(c.leave_one_chip_out) + "\n";
  s += "leave_one_model_out: " + cv_yaml(c.leave_one_model_out) + "\n";
  s += "leave_one_source_out: " + cv_yaml(c.leave_one_source_out) + "\n";
  return s;
}

Calibration parse_calibration_yaml_text(const std::string& text, const std::string& label) {
  MapReader r(load_document_text(text, label), label);
  Calibration c;
  c.schema_version = static_cast<int>(r.integer("schema_version", 1, 1));
  c.runtime = r.str("runtime");
  resolve_runtime(c.runtime);  // must name a known runtime
  c.hardware_vendor = r.str("hardware_vendor");
  c.chips = r.str_list("chips");
  c.fitted_on = r.str("fitted_on");
  c.observations = static_cast<int>(r.integer("observations", 0, 1 << 30));
  const YAML::Node sets = r.node("datasets");
  if (!sets.IsSequence()) throw InputError("{}: datasets: expected a list", label);
  for (size_t i = 0; i < sets.size(); ++i) {
    MapReader d(sets[i], fmt::format("{}: datasets[{}]", label, i));
    c.datasets.emplace_back(d.str("file"), d.str("fnv1a64"));
    d.finish();
  }
  const YAML::Node coefs = r.node("coefficients");
  if (!coefs.IsMap()) throw InputError("{}: coefficients: expected a map", label);
  MapReader cm(coefs, label + ": coefficients");
  for (const auto& kv : coefs) {
    const std::string name = kv.first.as<std::string>();
    if (!known_coefficient(name))
      throw InputError("{}: coefficients: unknown coefficient '{}'{}", label, name, did_you_mean(name, coefficient_names()));
    MapReader v = cm.map(name);
    c.coefficients[name] = {v.number("value", 0, 1e6), v.number("stderr", 0, 1e9)};
    v.finish();
  }
  cm.finish();
  c.in_sample_mape = read_number_map(r, "in_sample_mape", 1e6);
  c.leave_one_chip_out = read_cv(r, "leave_one_chip_out");
  c.leave_one_model_out = read_cv(r, "leave_one_model_out");
  c.leave_one_source_out = read_cv(r, "leave_one_source_out");
  r.finish();
  return c;
}

Calibration load_calibration(const std::string& path) { return parse_calibration_yaml_text(read_text_file(path), path); }

const Calibration* shipped_calibration(const std::string& runtime, const std::string& vendor) {
  // Shipped files are named <runtime>-<vendor>.yaml (a unit test holds every one to it), so only
  // the file asked for is parsed.
  static FileCatalog<Calibration> shipped("calibrate/calibrations", load_calibration);
  if (runtime.empty()) return nullptr;
  const Calibration* c = shipped.find(runtime + "-" + vendor);
  // A fit on a single model says more about that model than about the runtime: such files are
  // shipped for reference (pass them with --calibration) but not applied by default.
  if (c && c->runtime == runtime && c->hardware_vendor == vendor && c->leave_one_model_out.folds >= 2) return c;
  return nullptr;
}

}  // namespace ridgeline

namespace ridgeline {

const Calibration* apply_shipped_calibration(RuntimeSpec& rt, const std::string& vendor) {
  const Calibration* engine = shipped_calibration(rt.wraps.empty() ? rt.id : rt.wraps, vendor);
  if (engine) apply_calibration(rt, *engine);
  if (!rt.wraps.empty())
    if (const Calibration* own = shipped_calibration(rt.id, vendor)) apply_calibration(rt, *own);
  return engine;
}

}  // namespace ridgeline
