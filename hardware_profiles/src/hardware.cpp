#include "ridgeline/hardware.hpp"
#include "ridgeline/gpu_architectures.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <filesystem>
#include <unordered_map>

#include <fmt/ranges.h>

#include "ridgeline/catalog.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/strict_reader.hpp"

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
  const std::string rule = r.one_of("rule", {"apple_wired_default", "fraction", "fixed"}, "a limit rule");
  if (rule == "apple_wired_default") {
    g.kind = GpuLimitRule::Kind::apple_wired_default;
  } else if (rule == "fraction") {
    g.kind = GpuLimitRule::Kind::fraction;
    g.fraction = r.number("fraction", 0.01, 1.0);
  } else {
    g.kind = GpuLimitRule::Kind::fixed;
    g.fixed = parse_bytes(r.str("value"), r.where("value"));
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

std::string hardware_die(const HardwareSpec& hw) { return hw.family + "-" + hw.tier; }

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
  const Node root = load_document_text(text, label);
  MapReader r(root, label);
  HardwareSpec hw;
  hw.id = r.str("id");
  hw.name = r.str("name");
  if (r.has("aliases")) hw.aliases = r.str_list("aliases");
  hw.vendor = r.str("vendor");
  hw.family = r.str("family");
  hw.tier = r.str("tier");
  if (r.has("architecture")) {
    MapReader a = r.map("architecture");
    hw.architecture = a.one_of("value", gpu_architectures(), "a GPU architecture");
    a.str("source");  // a fact about the chip: say where from
    a.finish();
  }
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
  hw.bf16_native = sourced<bool>(compute, "bf16", [](MapReader& m) {
    return m.one_of("value", {"native", "emulated"}, "how the GPU does bfloat16 arithmetic") == "native";
  });
  if (compute.has("alu_issue"))
    hw.single_issue = sourced<bool>(compute, "alu_issue", [](MapReader& m) {
      return m.one_of("value", {"single", "co-issue"}, "an instruction issue mode") == "single";
    });
  compute.ignore("alu_issue");
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
    for (const auto& h : hardware_headers()) out.push_back(*catalog_hardware(h.id));
    return out;
  }();
  return catalog;
}

const std::vector<HardwareHeader>& hardware_headers() {
  static const std::vector<HardwareHeader> headers = [] {
    std::vector<HardwareHeader> out;
    for (const auto& f : yaml_files("hardware_profiles")) {
      HardwareHeader h;
      h.id = std::filesystem::path(f).stem().string();
      const auto fields = read_catalog_header(read_text_file(f), {"id", "name", "aliases", "vendor", "family", "tier", "gpu_cores", "architecture"});
      auto one = [&](const char* key) -> std::optional<std::string> {
        if (!fields || !fields->contains(key) || fields->at(key).size() != 1) return std::nullopt;
        return fields->at(key)[0];
      };
      const double cores = one("gpu_cores") ? parse_double(*one("gpu_cores")).value_or(-1) : -1;
      if (one("id") && one("name") && one("vendor") && cores == std::floor(cores) && cores >= 0 && cores < 1e6) {
        check_catalog_id(f, *one("id"), h.id);
        h.name = *one("name");
        h.vendor = *one("vendor");
        h.family = one("family").value_or("");
        h.tier = one("tier").value_or("");
        h.architecture = one("architecture").value_or("");
        h.gpu_cores = static_cast<int>(cores);
        if (fields->contains("aliases")) h.aliases = fields->at("aliases");
      } else {  // written in a form the line reader does not take: the full parse decides
        const HardwareSpec& hw = *catalog_hardware(h.id);
        h = {hw.id, hw.name, hw.aliases, hw.vendor, hw.family, hw.tier, hw.architecture, hw.gpu_cores.value};
      }
      out.push_back(std::move(h));
    }
    return out;
  }();
  return headers;
}

const HardwareSpec* catalog_hardware(const std::string& id) {
  static FileCatalog<HardwareSpec> catalog("hardware_profiles", parse_hardware_yaml,
                                           [](const HardwareSpec& hw) { return hw.id; });
  return catalog.find(id);
}

namespace {

bool digits(std::string_view w) { return !w.empty() && std::all_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; }); }

// Lower-case words split at spaces, '-', '_', '/', ',' and parentheses ("Apple M2 Ultra (76-core GPU)").
std::vector<std::string> hardware_words(const std::string& text) {
  std::vector<std::string> out;
  std::string w;
  for (char c : text) {
    if (c == ' ' || c == '-' || c == '_' || c == '/' || c == ',' || c == '(' || c == ')') {
      if (!w.empty()) out.push_back(std::move(w)), w.clear();
    } else {
      w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  if (!w.empty()) out.push_back(std::move(w));
  return out;
}

struct HardwareIndex {
  std::unordered_map<std::string, std::string> by_key;  // normalized id / name / alias -> id
  std::vector<std::pair<std::string, std::string>> aliases_longest_first;  // for names inside longer text
};
const HardwareIndex& hardware_index() {
  static const HardwareIndex ix = [] {
    HardwareIndex x;
    for (const auto& hw : hardware_headers()) {
      x.by_key.emplace(normalize_name(hw.id), hw.id);
      x.by_key.emplace(normalize_name(hw.name), hw.id);
      for (const auto& a : hw.aliases) {
        x.by_key.emplace(normalize_name(a), hw.id);
        x.aliases_longest_first.emplace_back(normalize_name(a), hw.id);
      }
    }
    std::sort(x.aliases_longest_first.begin(), x.aliases_longest_first.end(),
              [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
    return x;
  }();
  return ix;
}

const HardwareSpec* find_id(const std::string& id) { return catalog_hardware(id); }

// RAM written in the name: "64GB", "64 GB", "512gb". Apple and the unified-memory boxes sell
// 2^30-byte GiB as "GB"; the profile's own list decides which reading is a size it is sold with.
std::string read_memory(const std::vector<std::string>& words, const HardwareSpec& hw, Bytes& memory) {
  for (size_t i = 0; i < words.size(); ++i) {
    std::string n = words[i], unit;
    for (const char* u : {"gib", "gb", "tb"})
      if (n.size() > std::string(u).size() && n.ends_with(u)) unit = u, n.resize(n.size() - unit.size());
    if (unit.empty() && i + 1 < words.size() && (words[i + 1] == "gb" || words[i + 1] == "gib" || words[i + 1] == "tb"))
      unit = words[i + 1];
    if (unit.empty() || !digits(n)) continue;
    const double v = std::stod(n) * (unit == "tb" ? 1024 : 1);
    std::string sold;
    for (Bytes b : hw.memory_sizes.value) {
      for (double scale : {kGiB, kGB})
        if (std::abs(b.value - v * scale) < 0.005 * b.value) return memory = b, "";
      sold += (sold.empty() ? "" : ", ") + fmt::format("{:g}", b.value / kGiB);
    }
    return fmt::format("{} is not sold with {} {} (sizes: {} GiB)", hw.id, n, unit == "tb" ? "TB" : "GB", sold);
  }
  return "";
}

}  // namespace

HardwareMatch match_hardware_name(const std::string& text, int gpu_cores) {
  HardwareMatch r;
  const auto& ix = hardware_index();
  const std::string key = normalize_name(text);
  if (auto it = ix.by_key.find(key); it != ix.by_key.end()) return r.id = it->second, r;
  const std::vector<std::string> words = hardware_words(text);
  std::string id;
  // Apple silicon: "m<digit>", then pro / max / ultra; GPU cores as "40c", "40-core" (not "... CPU").
  for (size_t i = 0; i < words.size() && id.empty(); ++i) {
    const std::string& w = words[i];
    if (w.size() != 2 || w[0] != 'm' || w[1] < '1' || w[1] > '9') continue;
    const std::string tier = i + 1 < words.size() && (words[i + 1] == "pro" || words[i + 1] == "max" || words[i + 1] == "ultra")
                                 ? words[i + 1] : "base";
    int cores = gpu_cores;
    for (size_t k = i + 1; k < words.size() && !gpu_cores; ++k) {
      std::string c = words[k];
      bool core_word = false;
      if (c.size() > 1 && c.back() == 'c' && digits(c.substr(0, c.size() - 1))) c.pop_back(), core_word = true;
      else if (c.ends_with("core") && digits(c.substr(0, c.size() - 4))) c.resize(c.size() - 4), core_word = true;
      else if (digits(c) && k + 1 < words.size() && (words[k + 1] == "core" || words[k + 1] == "cores")) core_word = true, ++k;
      if (!core_word) continue;
      if (k + 1 < words.size() && words[k + 1] == "cpu") continue;
      cores = std::stoi(c);
    }
    // The full part of a set of bins: the most GPU cores.
    auto full = [](const std::vector<const HardwareHeader*>& bins) {
      const HardwareHeader* f = nullptr;
      for (const auto* h : bins)
        if (!f || h->gpu_cores > f->gpu_cores) f = h;
      return f;
    };
    const HardwareHeader* best = nullptr;
    std::vector<const HardwareHeader*> bins;
    std::vector<std::string> parts;
    for (const auto& hw : hardware_headers()) {
      if (hw.vendor != "apple" || hw.family != w || hw.tier != tier) continue;
      bins.push_back(&hw);
      parts.push_back(hw.id);
      if (cores > 0 && hw.gpu_cores == cores) best = &hw;
    }
    if (cores == 0) best = full(bins);
    const std::string chip = fmt::format("{}{}", w, tier == "base" ? "" : " " + tier);
    if (parts.empty()) {
      r.refusal = fmt::format("hardware '{}' is not in the catalog (no Apple {} profile); `ridgeline list hardware` shows them", text, chip);
      return r;
    }
    // "M2 Pro (10-core)" written where the count is the CPU's: a part whose CPU has that many cores
    // (each Apple bin pairs one CPU count with one GPU count) is the one meant.
    // When every bin has that CPU (the M5 Max's 18 cores), the GPU is not stated: the full part.
    if (!best && cores > 0 && !gpu_cores) {
      std::vector<const HardwareHeader*> by_cpu;
      for (const auto* h : bins)
        if (const HardwareSpec* hw = find_id(h->id); hw && hw->cpu_performance + hw->cpu_efficiency == cores) by_cpu.push_back(h);
      best = full(by_cpu);
      if (by_cpu.size() == 1)
        r.notes.push_back(fmt::format("'{}': no {} has {} GPU cores; {} is its CPU core count on {}", text, chip, cores,
                                      cores, best->id));
      else if (best)
        r.notes.push_back(fmt::format("'{}': {} cores is the CPU of every {} bin; GPU cores not stated, assumed the full "
                                      "{}-core part ({})", text, cores, chip, best->gpu_cores, best->id));
    }
    if (!best) {
      r.refusal = fmt::format("hardware '{}': no {} with {} GPU cores in the catalog (parts: {})", text, chip, cores, fmt::join(parts, ", "));
      return r;
    }
    if (cores == 0 && parts.size() > 1)
      r.notes.push_back(fmt::format("'{}': GPU cores not stated, assumed the full {}-core part ({})", text, best->gpu_cores, best->id));
    id = best->id;
  }
  if (id.empty())
    for (const auto& [alias, alias_id] : ix.aliases_longest_first)
      if (alias.size() >= 4 && key.find(alias) != std::string::npos) {
        id = alias_id;
        break;
      }
  if (id.empty()) {
    r.refusal = text.empty() ? "no hardware stated"
                             : fmt::format("hardware '{}' is not in the catalog{}; `ridgeline list hardware` shows them", text,
                                           did_you_mean(text, ids_of(hardware_headers(), &HardwareHeader::id)));
    return r;
  }
  if (std::string bad = read_memory(words, *find_id(id), r.memory); !bad.empty()) {
    r.refusal = fmt::format("hardware '{}': {}", text, bad);
    return r;
  }
  r.id = id;
  return r;
}

HardwareSpec resolve_hardware(const std::string& name) {
  if (looks_like_path(name)) {
    std::error_code ec;
    if (!std::filesystem::exists(name, ec)) throw FieldError("hardware", "file '{}' does not exist", name);
    return parse_hardware_yaml(name);
  }
  if (const HardwareSpec* hw = find_id(name)) return *hw;
  HardwareMatch m = match_hardware_name(name);
  if (m.id.empty()) throw FieldError("hardware", "{}", m.refusal);
  return *find_id(m.id);
}

void apply_hardware_override(HardwareSpec& hw, const std::string& key, const std::string& value, const std::string& source) {
  const std::string field = "set." + key;
  try {
    if (key == "bandwidth") hw.bandwidth = {parse_bandwidth(value, field), source, ""};
    else if (key == "fp16") hw.fp16 = {parse_flop_rate(value, field), source, ""};
    else if (key == "fp32") hw.fp32 = {parse_flop_rate(value, field), source, ""};
    else if (key == "matrix_fp16") hw.matrix_fp16 = Sourced<FlopRate>{parse_flop_rate(value, field), source, ""};
    else if (key == "stream_efficiency") {
      auto v = parse_double(value);
      if (!v || *v <= 0 || *v > 1) throw FieldError(field, "'{}' is not a fraction in (0, 1]", value);
      hw.stream_efficiency = {*v, source, ""};
    } else {
      throw FieldError("set", "'{}' is not a hardware key{}", key,
                       did_you_mean(key, {"bandwidth", "fp16", "fp32", "matrix_fp16", "stream_efficiency"}));
    }
  } catch (const FieldError&) {
    throw;
  } catch (const InputError& e) {  // the unit parsers name `field` as their "where"
    throw FieldError::from(field, e);
  }
}

}  // namespace ridgeline
