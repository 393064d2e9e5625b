// What a measured row means in simulator terms: the workload that reproduces each figure.
#include <cctype>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <tuple>

#include "ridgeline/calibration.hpp"
#include "ridgeline/names.hpp"
#include "ridgeline/catalog.hpp"
#include "ridgeline/derived.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/strict_reader.hpp"

namespace ridgeline {

const char* to_string(Measured q) {
  switch (q) {
    case Measured::prefill_tok_s: return "prefill_tok_s";
    case Measured::decode_tok_s: return "decode_tok_s";
    case Measured::transient_bytes: return "transient_bytes";
    case Measured::oom_context_tokens: return "oom_context_tokens";
  }
  return "?";
}

namespace {

// Resolved ids are catalog ids (or mapped ones, checked when the map was read): looked up, not matched.
HardwareSpec hardware_of(const std::string& id) {
  const HardwareSpec* hw = catalog_hardware(id);
  return hw ? *hw : resolve_hardware(id);
}
RuntimeSpec runtime_of(const std::string& id) {
  const RuntimeSpec* rt = catalog_runtime(id);
  return rt ? *rt : resolve_runtime(id);
}
ModelSpec model_of(const std::string& id) {
  const ModelSpec* m = catalog_model(id);
  return m ? *m : resolve_model(id);
}

// The hardware, model, quantization and runtime of a resolved row, with the row's kernel variant
// (attention path and kernel, BLAS library of its build) and KV rule, built once per distinct combination: a data set repeats a few dozen setups over
// thousands of rows, and building one (lookups, copies, merged layer groups) costs more than a prediction.
class SetupCache {
 public:
  const Scenario& get(const Measurement& m, const Resolution& r) {
    // Build 0 (kCurrentBuild) when neither runtime text nor notes state one; then its source's date,
    // if any, bounds it (row_build sets published_by only for a row with no build).
    const RowBuild& b = m.era;
    Key key{r.hardware, r.runtime, r.model, r.quant, m.attention_path, m.attention_kernel, m.blas_library, b.build, b.published_by,
            b.version, m.kv_capacity.has_value()};
    auto it = setups_.find(key);
    if (it != setups_.end()) return it->second;
    RuntimeSpec rt = runtime_of(r.runtime);
    rt.build = b.build;  // a measurement is of the build it ran, not of today's
    rt.published_by = b.published_by;
    rt.version = b.version;  // the wrapper version it ran, likewise
    // A wrapper version with a known engine build ran that build (its boundaries decide, not a date).
    apply_engine_build(rt);
    apply_kernel_variant(rt, m);
    if (m.kv_capacity) rt.kv_upfront = true;
    Scenario setup = make_setup(hardware_of(r.hardware), model_of(r.model), find_quantization(r.quant), std::move(rt));
    return setups_.emplace(std::move(key), std::move(setup)).first->second;
  }

 private:
  using Key = std::tuple<std::string, std::string, std::string, std::string, std::string, std::string, std::string, long long,
                         int, long long, bool>;
  std::map<Key, Scenario> setups_;
};

// "memory paging", "swapping", "swapped to disk"; not "no paging" or "without swap".
bool says_paging(const std::string& notes) {
  const std::string text = lower_ascii(notes);
  for (const char* word : {"paging", "swapping", "swapped", "swap"}) {
    for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
      if (at > 0 && std::isalnum(static_cast<unsigned char>(text[at - 1]))) continue;
      const std::string before = text.substr(at >= 8 ? at - 8 : 0, at >= 8 ? 8 : at);
      if (before.ends_with("no ") || before.ends_with("not ") || before.ends_with("without ")) continue;
      return true;
    }
  }
  return false;
}

Scenario scenario_for(const Scenario& setup, const Measurement& m, Workload w) {
  Scenario s = setup;
  w.allow_beyond_max = true;
  w.chunk = m.chunk;
  // Memory "GB" as sold is GiB when it is one of the chip's sizes (Apple, Strix Halo); else GB.
  if (m.memory_gb > 0) {
    const auto& sizes = s.hardware.memory_sizes.value;
    const bool gib = std::any_of(sizes.begin(), sizes.end(), [&](Bytes b) { return b.value == m.memory_gb * kGiB; });
    w.ram = Bytes(m.memory_gb * (gib ? kGiB : kGB));
  }
  if (m.memory_limit_gb) w.limit = Bytes(*m.memory_limit_gb * kGB);
  set_workload(s, w);
  return s;
}

std::vector<Observation> observations_with(const Measurement& m, const Resolution& r, size_t index, std::string& why,
                                           SetupCache& setups);

}  // namespace

std::vector<Observation> observations_of(const Measurement& m, const Resolution& r, size_t index, std::string& why) {
  SetupCache setups;
  return observations_with(m, r, index, why, setups);
}

namespace {

std::vector<Observation> observations_with(const Measurement& m, const Resolution& r, size_t index, std::string& why,
                                           SetupCache& setups) {
  std::vector<Observation> out;
  if (!r.ok) return why = r.reason, out;
  try {
    auto setup = [&]() -> const Scenario& { return setups.get(m, r); };  // built when a figure needs it
    if (m.prefill_tok_s) {
      if (m.n_prompt < 1) why = "prefill rate without a prompt length";
      else {
        Workload w;
        w.cached = m.context;
        w.prompt = m.context + m.n_prompt;
        w.gen = 0;
        w.batch = m.batch;  // an aggregate over the batch's prompts, packed into steps of a chunk
        out.push_back({index, Measured::prefill_tok_s, *m.prefill_tok_s, scenario_for(setup(), m, w)});
      }
    }
    if (m.decode_tok_s) {
      Workload w;
      w.prompt = std::max<long long>(1, m.context + (m.decode_after_prompt ? m.n_prompt : 0));
      w.gen = std::max<long long>(1, m.n_gen);
      w.batch = m.batch;
      out.push_back({index, Measured::decode_tok_s, *m.decode_tok_s, scenario_for(setup(), m, w)});
    }
    if (m.transient_bytes && m.chunk > 0) {
      Workload w;
      w.cached = m.context;
      w.prompt = m.context + m.chunk;
      w.gen = 0;
      out.push_back({index, Measured::transient_bytes, *m.transient_bytes, scenario_for(setup(), m, w)});
    }
    if (m.kv_capacity && m.memory_limit_gb && m.chunk > 0 && !m.prefill_tok_s) {
      Workload w;
      w.prompt = std::max<long long>(m.context, 1);
      w.gen = 0;
      // measured: the context completed before the failing chunk, or -1 for "no OOM up to context".
      Observation o{index, Measured::oom_context_tokens, m.oom_context ? *m.oom_context : -1.0, scenario_for(setup(), m, w)};
      out.push_back(std::move(o));
      // kv capacity is carried in the workload's gen so that predict_observation can size the cache.
      out.back().scenario.workload.gen = static_cast<long long>(*m.kv_capacity) - w.prompt;
    }
  } catch (const InputError& e) {
    why = e.what();
    out.clear();
  }
  if (!out.empty() && m.no_gpu_layers) {
    why = "the row says no layer was offloaded to the GPU (-ngl 0): the CPU ran it, which is not modelled";
    out.clear();
  }
  // A rate measured where the model does not fit the GPU's memory limit is paging or CPU
  // fallback, which the roofline does not model: report the row, do not fit it.
  // Only on Apple, where the limit is the macOS default unless a row says otherwise; Linux
  // machines in the data raised their GTT or carve-out beyond the profile's default.
  if (m.memory_gb > 0 && !out.empty() && !m.memory_limit_gb && out.front().scenario.hardware.vendor == "apple") {
    const MemoryBreakdown mem = memory(out.front().scenario);
    if (!mem.fits) {
      why = fmt::format("does not fit: peak {} > GPU limit {} with {} installed; the measured rates reflect paging "
                        "or CPU fallback, which is not modelled", format_gb(mem.peak), format_gb(mem.limit),
                        format_gib(out.front().scenario.ram));
      out.clear();
    }
  }
  // A row whose own text says its memory was paging or swapping (MLX before it wired its weights:
  // "NOT wired (memory paging)") measured the disk, not the kernels: report it, do not fit it.
  if (!out.empty() && says_paging(m.notes)) {
    why = "the row says its memory was paging or swapping, which is not modelled";
    out.clear();
  }
  // A run its dataset note says throttled measured the chassis's sustained power limit, not the
  // chip's kernels (the same chip in other sources runs at its modelled rate). A power limit lowers
  // the GPU's clock, which compute-bound prompts feel in full and bandwidth-bound decode far less:
  // its prompt rates are reported, not fitted.
  if (!out.empty() && !m.sustained_throttling.empty()) {
    std::erase_if(out, [](const Observation& o) { return o.quantity == Measured::prefill_tok_s; });
    if (out.empty()) why = "a dataset note says the run throttled under sustained load: its prompt rate is not modelled";
  }
  if (out.empty() && why.empty()) why = "no rate or memory figure this tool models";
  return out;
}

}  // namespace

std::optional<double> predict_observation(const Observation& o) {
  const Scenario& s = o.scenario;
  switch (o.quantity) {
    case Measured::prefill_tok_s: {
      const Prediction p = predict_times(s);
      return p.prefill_tps();
    }
    case Measured::decode_tok_s: {
      const Prediction p = predict_times(s);
      return p.aggregate_decode_tps();
    }
    case Measured::transient_bytes:
      return transient_bytes(s, static_cast<double>(s.chunk), static_cast<double>(s.workload.prompt)).value;
    case Measured::oom_context_tokens: {
      // KV allocated for the probe's stated capacity; the whole chunks up to two past both the
      // prompt and the measured failure (a prediction beyond that is a miss either way).
      const double capacity = static_cast<double>(s.workload.prompt + s.workload.gen);
      const long long chunk = s.chunk;
      const long long horizon = std::max<long long>(s.workload.prompt, static_cast<long long>(o.measured)) + 2 * chunk;
      const auto oom = oom_context(s, chunk, horizon / chunk * chunk, capacity);
      return oom ? static_cast<double>(*oom) : -1.0;
    }
  }
  return std::nullopt;
}

double absolute_percentage_error(Measured q, double measured, double predicted, double chunk) {
  if (q != Measured::oom_context_tokens) return 100 * std::abs(predicted - measured) / measured;
  return (measured < 0) == (predicted < 0) && std::abs(predicted - measured) <= chunk ? 0 : 100;
}

Dataset load_dataset(const std::vector<std::string>& files, const NameMaps& maps, bool skip_unreadable,
                     const ObservationSink& sink, bool hash_files) {
  Dataset d;
  std::string first_error;
  for (const auto& f : files) {
    std::string text;
    std::vector<Measurement> rows;
    try {
      text = read_text_file(f);
      rows = parse_measurements_text(text, f);
    } catch (const InputError& e) {
      if (!skip_unreadable || files.size() < 2) throw;
      d.skipped.push_back(e.what());
      if (first_error.empty()) first_error = e.what();
      continue;
    }
    d.read.push_back(f);
    if (hash_files) d.hashes.emplace_back(std::filesystem::path(f).filename().string(), fnv1a64_hex(text));
    for (auto& m : rows) d.rows.push_back(std::move(m));
  }
  if (!files.empty() && d.read.empty() && !first_error.empty()) throw InputError("{}", first_error);
  std::vector<std::string> noted(d.rows.size());
  for (size_t i = 0; i < d.rows.size(); ++i) {
    noted[i] = apply_dataset_notes(d.rows[i], dataset_notes());
    d.rows[i].era = row_build(d.rows[i]);
  }
  d.resolved = resolve_measurements(d.rows, maps);
  for (size_t i = 0; i < d.rows.size(); ++i) {
    if (!noted[i].empty()) d.resolved[i].assumptions.push_back(noted[i]);
    // Where the build of a row whose runtime text states none came from, or what its date bounds.
    const RowBuild& b = d.rows[i].era;
    if (!d.resolved[i].ok || b.from == RowBuild::From::runtime) continue;
    if (std::string era = build_era_note(b, runtime_of(d.resolved[i].runtime)); !era.empty())
      d.resolved[i].assumptions.push_back(std::move(era));
  }
  SetupCache setups;
  for (size_t i = 0; i < d.rows.size(); ++i) {
    std::string why;
    auto obs = observations_with(d.rows[i], d.resolved[i], i, why, setups);
    d.unusable.push_back(obs.empty() ? why : "");
    for (auto& o : obs) {
      if (sink) sink(o, d.rows[i]);
      else d.observations.push_back(std::move(o));
    }
  }
  return d;
}

}  // namespace ridgeline
