#include "ridgeline/runtime.hpp"

#include <filesystem>

#include "ridgeline/catalog.hpp"
#include "ridgeline/coefficients.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/yaml_reader.hpp"

namespace ridgeline {

namespace {

std::vector<int> head_dims(MapReader& r, const std::string& key) {
  std::vector<int> out;
  if (!r.has(key)) {
    r.ignore(key);
    return out;
  }
  for (double d : r.number_list(key, 1, 4096)) out.push_back(static_cast<int>(d));
  return out;
}

}  // namespace

RuntimeSpec parse_runtime_yaml_text(const std::string& text, const std::string& label) {
  YAML::Node root = load_document_text(text, label);
  MapReader r(root, label);
  RuntimeSpec rt;
  rt.id = r.str("id");
  rt.name = r.str("name");
  rt.source = r.str("source");
  rt.default_chunk = r.integer("default_chunk", 1, 1 << 20);
  rt.default_kv_dtype = r.str("default_kv_dtype");
  MapReader kv = r.map("kv_allocation");
  std::string mode = kv.str("mode");
  if (mode == "upfront") rt.kv_upfront = true;
  else if (mode == "growing") {
    rt.kv_upfront = false;
    rt.kv_step_tokens = kv.integer("step_tokens", 1, 1 << 20);
  } else {
    throw InputError("{}: '{}' is not a KV allocation mode (expected upfront or growing){}",
                     kv.where("mode"), mode, did_you_mean(mode, {"upfront", "growing"}));
  }
  kv.finish();
  rt.runtime_bytes = parse_bytes(r.str("runtime_memory"), r.where("runtime_memory"));
  MapReader att = r.map("attention");
  rt.always_unfused = att.opt_boolean("always_unfused").value_or(false);
  rt.fused_prefill_head_dims = head_dims(att, "fused_prefill_head_dims");
  rt.fused_decode_head_dims = head_dims(att, "fused_decode_head_dims");
  const CoefficientInfo& tbs = *find_coefficient("transient_bytes_per_score");
  rt.coef.transient_bytes_per_score = att.number(tbs.name, tbs.min, tbs.max);
  att.ignore("source");
  att.finish();
  MapReader c = r.map("coefficients");
  for (const auto& f : coefficient_table()) {
    if (f.member == &RuntimeCoefficients::transient_bytes_per_score) continue;  // under attention:
    if (f.member) {
      rt.coef.*f.member = c.number(f.name, f.min, f.max);
      continue;
    }
    auto m = c.opt_map(f.name);
    if (!m) continue;
    for (const auto& kvp : c.node(f.name)) {
      const std::string key = kvp.first.Scalar();
      (rt.coef.*f.family)[key] = m->number(key, f.min, f.max);
    }
    m->finish();
  }
  c.ignore("source");
  c.finish();
  r.finish();
  return rt;
}

RuntimeSpec parse_runtime_yaml(const std::string& path) {
  return parse_runtime_yaml_text(read_text_file(path), path);
}

const std::vector<RuntimeSpec>& runtime_catalog() {
  static const std::vector<RuntimeSpec> catalog = [] {
    std::vector<RuntimeSpec> out;
    for (const auto& f : yaml_files("simulator/runtimes")) out.push_back(parse_runtime_yaml(f));
    return out;
  }();
  return catalog;
}

RuntimeSpec resolve_runtime(const std::string& name) {
  if (looks_like_path(name)) {
    std::error_code ec;
    if (!std::filesystem::exists(name, ec)) throw InputError("--runtime: file '{}' does not exist", name);
    return parse_runtime_yaml(name);
  }
  std::vector<std::string> ids;
  for (const auto& rt : runtime_catalog()) {
    if (rt.id == name) return rt;
    ids.push_back(rt.id);
  }
  throw InputError("--runtime: '{}' is not a known runtime{}; `ridgeline list runtimes` shows them",
                   name, did_you_mean(name, ids));
}

bool apply_runtime_override(RuntimeSpec& rt, const std::string& key, const std::string& value) {
  const CoefficientInfo* f = find_coefficient(key);
  if (!f) return false;
  auto v = parse_double(value);
  if (!v || *v < f->min || *v > f->max)
    throw InputError("--set {}: '{}' is out of range (expected {} to {} {})", key, value, f->min, f->max, f->unit);
  *coefficient_slot(rt, key) = *v;
  return true;
}

}  // namespace ridgeline
