#include "ridgeline/hardware.hpp"

#include <algorithm>
#include <functional>
#include <filesystem>

#include "ridgeline/catalog.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/yaml_reader.hpp"

namespace ridgeline {

namespace {

template <typename T>
Sourced<T> sourced(MapReader& parent, const std::string& key,
                   const std::function<T(MapReader&)>& read_value) {
  MapReader r = parent.map(key);
  Sourced<T> s;
  s.value = read_value(r);
  s.source = r.str("source");
  s.derivation = r.opt_str("derivation").value_or("");
  r.ignore("note");
  r.finish();
  return s;
}

Sourced<FlopRate> flop_rate(MapReader& parent, const std::string& key) {
  return sourced<FlopRate>(parent, key, [](MapReader& r) {
    return parse_flop_rate(r.str("value"), r.where("value"));
  });
}

GpuLimitRule parse_limit(MapReader r) {
  GpuLimitRule g;
  std::string rule = r.str("rule");
  if (rule == "apple_wired_default") {
    g.kind = GpuLimitRule::Kind::apple_wired_default;
  } else if (rule == "fraction") {
    g.kind = GpuLimitRule::Kind::fraction;
    g.fraction = r.number("fraction", 0.01, 1.0);
  } else if (rule == "fixed") {
    g.kind = GpuLimitRule::Kind::fixed;
    g.fixed = parse_bytes(r.str("value"), r.where("value"));
  } else {
    throw InputError("{}: '{}' is not a limit rule (expected apple_wired_default, fraction or "
                     "fixed){}", r.where("rule"), rule,
                     did_you_mean(rule, {"apple_wired_default", "fraction", "fixed"}));
  }
  g.source = r.str("source");
  r.finish();
  return g;
}

}  // namespace

Bytes HardwareSpec::largest_memory() const {
  Bytes best;
  for (auto b : memory_sizes.value) best = std::max(best, b);
  return best;
}

Bytes default_gpu_limit(const HardwareSpec& hw, Bytes ram) {
  switch (hw.gpu_limit.kind) {
    case GpuLimitRule::Kind::apple_wired_default:
      return ram.value <= 36 * kGiB ? ram * (2.0 / 3.0) : ram * 0.75;
    case GpuLimitRule::Kind::fraction: return ram * hw.gpu_limit.fraction;
    case GpuLimitRule::Kind::fixed: return std::min(hw.gpu_limit.fixed, ram);
  }
  return ram;
}

HardwareSpec parse_hardware_yaml_text(const std::string& text, const std::string& label) {
  YAML::Node root = load_document_text(text, label);
  MapReader r(root, label);
  HardwareSpec hw;
  hw.id = r.str("id");
  hw.name = r.str("name");
  hw.vendor = r.str("vendor");
  hw.family = r.str("family");
  hw.tier = r.str("tier");
  hw.gpu_cores = sourced<int>(r, "gpu_cores", [](MapReader& m) {
    return static_cast<int>(m.integer("value", 1, 100000));
  });
  {
    MapReader c = r.map("cpu_cores");
    hw.cpu_performance = static_cast<int>(c.integer("performance", 0, 1024));
    hw.cpu_efficiency = static_cast<int>(c.integer("efficiency", 0, 1024));
    c.str("source");
    c.finish();
  }
  MapReader mem = r.map("memory");
  hw.bandwidth = sourced<Bandwidth>(mem, "bandwidth", [](MapReader& m) {
    return parse_bandwidth(m.str("value"), m.where("value"));
  });
  hw.memory_technology = mem.str("technology");
  hw.memory_sizes = sourced<std::vector<Bytes>>(mem, "sizes", [](MapReader& m) {
    std::vector<Bytes> sizes;
    auto texts = m.str_list("value");
    if (texts.empty()) throw InputError("{}: expected at least one memory size", m.where("value"));
    for (size_t i = 0; i < texts.size(); ++i)
      sizes.push_back(parse_bytes(texts[i], fmt::format("{}[{}]", m.where("value"), i)));
    return sizes;
  });
  hw.stream_efficiency = sourced<double>(mem, "stream_efficiency", [](MapReader& m) {
    return m.number("value", 0.05, 1.0);
  });
  hw.gpu_limit = parse_limit(mem.map("gpu_limit"));
  mem.finish();
  MapReader compute = r.map("compute");
  hw.fp32 = flop_rate(compute, "fp32");
  hw.fp16 = flop_rate(compute, "fp16");
  if (compute.has("matrix_fp16")) hw.matrix_fp16 = flop_rate(compute, "matrix_fp16");
  compute.ignore("matrix_fp16");
  compute.finish();
  r.finish();
  return hw;
}

HardwareSpec parse_hardware_yaml(const std::string& path) {
  return parse_hardware_yaml_text(read_text_file(path), path);
}

const std::vector<HardwareSpec>& hardware_catalog() {
  static const std::vector<HardwareSpec> catalog = [] {
    std::vector<HardwareSpec> out;
    for (const auto& f : yaml_files("hardware_profiles")) out.push_back(parse_hardware_yaml(f));
    return out;
  }();
  return catalog;
}

HardwareSpec resolve_hardware(const std::string& name) {
  if (looks_like_path(name)) {
    std::error_code ec;
    if (!std::filesystem::exists(name, ec)) throw InputError("--hardware: file '{}' does not exist", name);
    return parse_hardware_yaml(name);
  }
  std::vector<std::string> ids;
  for (const auto& hw : hardware_catalog()) {
    if (hw.id == name) return hw;
    ids.push_back(hw.id);
  }
  throw InputError("--hardware: '{}' is not in the catalog{}; `ridgeline list hardware` shows them",
                   name, did_you_mean(name, ids));
}

void apply_hardware_override(HardwareSpec& hw, const std::string& key, const std::string& value) {
  const std::string where = fmt::format("--set {}", key);
  const std::string source = "command line --set";
  if (key == "bandwidth") hw.bandwidth = {parse_bandwidth(value, where), source, ""};
  else if (key == "fp16") hw.fp16 = {parse_flop_rate(value, where), source, ""};
  else if (key == "fp32") hw.fp32 = {parse_flop_rate(value, where), source, ""};
  else if (key == "matrix_fp16") hw.matrix_fp16 = Sourced<FlopRate>{parse_flop_rate(value, where), source, ""};
  else if (key == "stream_efficiency") {
    auto v = parse_double(value);
    if (!v || *v <= 0 || *v > 1) throw InputError("{}: '{}' is not a fraction in (0, 1]", where, value);
    hw.stream_efficiency = {*v, source, ""};
  } else {
    throw InputError("--set: '{}' is not a hardware key{}", key,
                     did_you_mean(key, {"bandwidth", "fp16", "fp32", "matrix_fp16", "stream_efficiency"}));
  }
}

}  // namespace ridgeline
