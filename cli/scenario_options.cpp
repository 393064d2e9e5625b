#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <tuple>

#include "commands.hpp"
#include "ridgeline/advisor.hpp"
#include "ridgeline/calibration.hpp"
#include "ridgeline/catalog.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/importers.hpp"
#include "ridgeline/model_source.hpp"
#include "ridgeline/strict_reader.hpp"

namespace ridgeline::cli {

void add_scenario_flags(CLI::App& app, ScenarioOptions& o, bool lists) {
  const std::string many = lists ? " (comma list)" : "";
  app.add_option("--hardware", o.hardware, "hardware id or profile .yaml" + many + (lists ? "; 'all' for the catalog" : ""))->required();
  app.add_option("--model", o.model, "model id, descriptor .yaml, config.json, .gguf, model folder, ollama:NAME[:TAG] or hf:ORG/NAME[:FILE.gguf|:QUANT]" + many)->required();
  app.add_option("--quant", o.quant, "quantization (default: the model files' own, else by runtime: q4_k_m, mlx-4bit or bf16)" + many);
  app.add_option("--runtime", o.runtime, "runtime id or profile .yaml (default: by vendor)" + many);
  app.add_option("--prompt", o.prompt, "prompt tokens, cached prefix included" + many);
  app.add_option("--gen", o.gen, "generated tokens" + many);
  app.add_option("--cached", o.cached, "prompt tokens already in the KV cache");
  app.add_option("--chunk", o.chunk, "prefill chunk (ubatch) tokens; default: the runtime's" + many);
  app.add_option("--batch", o.batch, "concurrent sequences" + many);
  app.add_option("--memory", o.memory, "installed RAM as sold, e.g. 36, '36 GB' or 36GB (Apple's GB-sized parts); default: the largest" + many);
  app.add_flag("--any-memory", o.any_memory, "accept a --memory size the hardware is not sold with");
  app.add_flag("--force", o.force, "predict for a quantization the runtime cannot load (a warning instead of an error)");
  app.add_option("--limit", o.limit, "GPU memory limit, e.g. 27 (GB) or '25 GiB'; default: the hardware rule");
  app.add_option("--kv-dtype", o.kv_dtype, "KV-cache dtype: f16, bf16, q8_0, q4_0, ...");
  app.add_option("--attention", o.attention,
                 "attention path: fused (flash attention, for the head sizes the runtime has kernels for) or unfused "
                 "(llama.cpp -fa 0: two products and the score matrix through memory); default: the runtime's");
  app.add_option("--calibration", o.calibration, "calibration .yaml, or 'none' (default: the shipped one for the runtime and vendor)");
  app.add_option("--set", o.sets, "override a hardware value or runtime coefficient: key=value (repeatable)");
  app.add_flag("--allow-beyond-max", o.allow_beyond_max, "predict contexts beyond the model's maximum");
  app.add_flag("--back-to-back", o.back_to_back,
               "the call follows another within a second (a benchmark's trials without a delay): the weights are "
               "still resident, so a runtime that re-wires them after an idle pause (MLX on macOS 26) does not");
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(start, end - start);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (item.empty()) throw InputError("'{}': empty item in the list", text);
    out.push_back(item);
    start = end + 1;
  }
  return out;
}

long long parse_count(const std::string& text, const std::string& flag, long long min, long long max) {
  std::string t = text;
  double scale = 1;
  if (!t.empty() && (t.back() == 'K' || t.back() == 'k')) {
    scale = 1024;  // 128K = 131072 tokens, as context sizes are usually written
    t.pop_back();
  }
  auto v = parse_double(t);
  if (!v || *v * scale != std::floor(*v * scale) || *v * scale < static_cast<double>(min) ||
      *v * scale > static_cast<double>(max))
    throw InputError("{}: '{}' is not a whole number from {} to {}", flag, text, min, max);
  return static_cast<long long>(*v * scale);
}


namespace {
// An assumption the name resolver made ("M4 Max": the 40-core part), said once per process on
// standard error so that tables and JSON on standard output stay as they are.
void say_once(const std::string& note) {
  static std::set<std::string> said;
  if (said.insert(note).second) std::cerr << "note: " << note << "\n";
}
}  // namespace

namespace {
// --attention fused where the runtime has no fused kernel for some of the model's head sizes: those
// layers run unfused (the simulator's own rule, unfused_attention), as the runtime does (MLX's sdpa
// kernels: head_dim 64/80/128 in prefill).
void say_unfused_head_dims(const Scenario& s) {
  std::set<int> missing;
  for (const auto& g : s.model.layers)
    if (unfused_attention(s, g.attention, true) || unfused_attention(s, g.attention, false)) missing.insert(g.attention.head_dim);
  for (int d : missing)
    say_once(fmt::format("--attention fused: {} has no fused attention kernel for head_dim {} in every phase; those layers run unfused there",
                         s.runtime.id, d));
}
}  // namespace

ModelSource resolve_model_source(const std::string& model, bool ollama) {
  if (is_model_source(model)) return load_model_source(model);
  ModelSource src;
  NameMatch how;
  src.model = resolve_model(model, &how, ollama);
  for (const auto& n : how.notes) say_once(n);
  src.quant = how.quant;  // a quantization written in the model's name
  return src;
}

std::string choose_quant(const std::string& asked, const ModelSource& src, const std::string& fallback) {
  const QuantChoice choice = choose_quantization(asked, src, fallback);
  static std::set<std::string> said;  // once per process, not once per sweep point
  if (!choice.contradiction.empty() && said.insert(choice.contradiction).second)
    std::cerr << "ridgeline: warning: --quant " << choice.contradiction << "\n";
  return choice.id;
}

CalibrationChoice calibration_choice(const std::string& option) {
  if (option.empty()) return {};
  if (option == "none") return {CalibrationChoice::Kind::none, ""};
  return {CalibrationChoice::Kind::file, option};
}

void apply_calibration_option(RuntimeSpec& rt, const HardwareSpec& hw, const std::string& option) {
  apply_calibration_choice(rt, hw, calibration_choice(option));
}

namespace {
// A sweep builds one setup per combination of its lists; the model and the calibration each
// names are resolved once per distinct name in a process (a model file, or a calibration file,
// is not read again for every hardware in the list).
// A name Ollama runs is read as its library reads it ("deepseek-r1" = deepseek-r1:8b).
const ModelSource& model_source_once(const std::string& model, bool ollama) {
  static std::map<std::pair<std::string, bool>, ModelSource> seen;
  if (auto it = seen.find({model, ollama}); it != seen.end()) return it->second;
  return seen.emplace(std::pair{model, ollama}, resolve_model_source(model, ollama)).first->second;
}

void calibrate_once(RuntimeSpec& rt, const std::string& runtime_option, const HardwareSpec& hw, const std::string& option) {
  static std::map<std::tuple<std::string, std::string, std::string, std::string>, RuntimeSpec> seen;
  auto key = std::tuple{runtime_option, rt.id, hw.vendor, option};
  if (auto it = seen.find(key); it != seen.end()) {
    rt = it->second;
    return;
  }
  apply_calibration_option(rt, hw, option);
  seen.emplace(std::move(key), rt);
}
}  // namespace

Setup build_setup(const ScenarioOptions& o, bool impossible_as_row) {
  std::string impossible;
  auto check = [&](const auto& refuse) {
    try {
      refuse();
    } catch (const InputError& e) {
      if (!impossible_as_row) throw;
      if (impossible.empty()) impossible = flag_message(e);
    }
  };
  HardwareSpec hw;
  Bytes name_memory;
  if (looks_like_path(o.hardware)) {
    hw = resolve_hardware(o.hardware);
  } else {
    HardwareMatch hm = match_hardware_name(o.hardware);
    if (hm.id.empty()) throw InputError("--hardware: {}", hm.refusal);
    for (const auto& n : hm.notes) say_once(n);
    hw = resolve_hardware(hm.id);
    name_memory = hm.memory;
  }
  std::string why;
  RuntimeSpec rt = resolve_runtime(o.runtime.empty() ? default_runtime_for(hw) : o.runtime, hw.vendor);
  const ModelSource& src = model_source_once(o.model, rt.id == "ollama");
  if (!o.runtime.empty() && !looks_like_path(o.runtime) && !match_runtime_name(o.runtime, hw.vendor, why).empty() && !why.empty())
    say_once(why);
  std::string asked;
  if (!o.quant.empty()) {
    NameMatch qm = match_quant_name(o.quant);
    if (qm.id.empty()) throw InputError("--quant: {}", qm.refusal);
    for (const auto& n : qm.notes) say_once(n);
    asked = qm.id;
  }
  check([&] { check_runtime_runs_on(rt, hw); });
  check_runtime_runs_model(rt, src.model.id);
  const std::string quant = choose_quant(asked, src, default_quant_for(rt));
  check([&] { check_quant_loads(quant, rt, o.force); });
  calibrate_once(rt, o.runtime, hw, o.calibration);
  // A user's -fa choice: the unfused path everywhere, or the fused one wherever the runtime has a
  // kernel for the head size (a head size it has none for falls back, as the runtime does).
  rt.back_to_back = o.back_to_back;
  if (o.attention == "unfused") rt.always_unfused = true;
  else if (o.attention == "fused") rt.always_unfused = false;
  else if (!o.attention.empty())
    throw InputError("--attention: '{}' is not an attention path (expected fused or unfused)", o.attention);
  for (const auto& kv : o.sets) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == kv.size())
      throw InputError("--set: '{}' is not key=value", kv);
    std::string key = kv.substr(0, eq), value = kv.substr(eq + 1);
    if (!apply_runtime_override(rt, key, value)) apply_hardware_override(hw, key, value, "command line --set");
  }
  Workload w;
  w.cached = parse_count(o.cached, "--cached", 0, 1LL << 30);
  w.kv_dtype = o.kv_dtype;
  w.allow_beyond_max = o.allow_beyond_max;
  if (!o.memory.empty()) {
    w.ram = gibibytes(parse_ram_gb(o.memory, "--memory"));  // a malformed size is bad input either way
    check([&] { w.ram = sold_ram(hw, o.memory, "--memory", o.any_memory); });
  }
  else if (name_memory.value > 0) w.ram = name_memory;  // "M4 Max 40-core 64GB"
  if (!o.limit.empty()) w.limit = parse_size_option(o.limit, "--limit");
  Setup setup{make_setup(std::move(hw), src.model, find_quantization(quant), std::move(rt)), w, impossible};
  if (o.attention == "fused") say_unfused_head_dims(setup.scenario);
  return setup;
}

Workload parse_workload(const ScenarioOptions& o, Workload w) {
  w.prompt = parse_count(o.prompt, "--prompt", 1, 1LL << 30);
  w.gen = parse_count(o.gen, "--gen", 0, 1LL << 30);
  if (!o.chunk.empty()) w.chunk = parse_count(o.chunk, "--chunk", 1, 1 << 20);
  w.batch = parse_count(o.batch, "--batch", 1, 4096);
  return w;
}

Scenario build_scenario(const ScenarioOptions& o) {
  Setup setup = build_setup(o);
  set_workload(setup.scenario, parse_workload(o, setup.base));
  return std::move(setup.scenario);
}

void write_output(const std::string& flag, const std::string& path, const std::string& text) {
  std::ofstream f(path);
  if (!f) throw InputError("{}: {}: cannot write the file", flag, path);
  f << text;
}

}  // namespace ridgeline::cli
