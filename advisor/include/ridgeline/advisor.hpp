#pragma once
// The buying advisor: typed requests and results for the two questions users bring.
//   buy: which configuration (machine x chip x RAM, priced) to buy for given workloads and requirements;
//   fit: what a given machine can run (every catalog model x the quantizations users download).
// Also the fix-it hints for a scenario that does not fit. No CLI strings here: errors name fields.
#include <optional>
#include <string>
#include <vector>

#include "ridgeline/calibration.hpp"
#include "ridgeline/chunk_safety.hpp"
#include "ridgeline/model_source.hpp"
#include "ridgeline/prices.hpp"
#include "ridgeline/simulate.hpp"

namespace ridgeline {

// What completes a scenario on any hardware; an empty field takes the default for that hardware.
struct RunChoice {
  std::string quant, runtime, kv_dtype;
  CalibrationChoice calibration;
};

// Defaults by vendor: llama.cpp on the vendor's GPU backend, and the quantization users download for it.
std::string default_runtime_for(const HardwareSpec& hw);
std::string default_quant_for(const RuntimeSpec& rt);
void apply_calibration_choice(RuntimeSpec& rt, const HardwareSpec& hw, const CalibrationChoice& c);
// The quantization a run uses: the one asked for, else the one the model's files state, else
// `fallback` (a prediction: default_quant_for the runtime). Files naming a quantization the table
// lacks let no default stand in for it (FieldError on "quant"). `contradiction` is set when the one
// asked for differs from the type the weights are stored in (GGUF): the run follows the ask.
struct QuantChoice {
  std::string id;
  std::string contradiction;
};
QuantChoice choose_quantization(const std::string& asked, const ModelSource& src, const std::string& fallback);
// FieldError on "runtime" when the runtime is not built for the hardware's vendor (runtime_compat).
void check_runtime_runs_on(const RuntimeSpec& rt, const HardwareSpec& hw);
// FieldError on "runtime" when the runtime runs other models only (ds4: DeepSeek-V4-Flash).
void check_runtime_runs_model(const RuntimeSpec& rt, const std::string& model_id);
// Checks the ids in a choice once (unknown quantization, runtime, KV dtype, unreadable calibration).
void validate_run_choice(const RunChoice& c);
// hardware + model + choice + workload -> a scenario (InputError naming the field when it cannot run).
Scenario advisor_scenario(const HardwareSpec& hw, const ModelSpec& m, const RunChoice& c, Workload w);

// ---- Fix-it hints: what would make a scenario that does not fit, fit; computed, with numbers.
struct Hint {
  std::string kind;  // quant, kv_dtype, chunk, context, wired_limit, ram
  std::string text;  // one sentence with the numbers
  double value = 0;  // the number to set (bits per weight, tokens, MB, ...)
  std::string setting;  // the id or command to use: "q3_k_m", "sudo sysctl iogpu.wired_limit_mb=57344"
};
// Empty when the scenario fits. Ordered: what keeps the workload (KV dtype, chunk, wired limit), then
// what changes it (quantization, context).
std::vector<Hint> fit_hints(const Scenario& s);
// What else would make a chunk search's target context fit: with the weights beyond the limit the
// scenario's own hints; when no chunk size tried completes, the hints at the smallest one (other than
// a smaller chunk: those tried are listed). Empty when some chunk size completes.
std::vector<Hint> chunk_hints(const ChunkReport& r);
// The quantizations users download for this runtime, largest first (GGUF k-quants, MLX n-bit).
std::vector<std::string> download_quants(const RuntimeSpec& rt);
// RAM kept for the OS and apps when raising the GPU limit (our rule, not Apple's: 1/8 of RAM, 4 GiB at least).
Bytes os_reserve(Bytes ram);

// ---- buy
struct BuyWorkload {
  std::string name;
  ModelSpec model;
  RunChoice run;
  std::optional<long long> prompt;  // nullopt: 4096, lowered so prompt + gen stays within the model's maximum
  long long gen = 256, batch = 1;
};

struct Requirements {
  std::optional<double> min_decode;      // tokens/s per sequence, at the checked context
  std::optional<double> max_ttft;        // seconds, for the workload's prompt
  std::optional<long long> min_context;  // tokens the model must run: memory and decode checked there
  std::optional<double> budget;          // USD
};

struct BuyRequest {
  std::vector<BuyWorkload> workloads;
  Requirements req;
  std::vector<PriceRow> prices;       // the table with the user's overrides applied
  std::vector<std::string> consider;  // hardware ids; empty: every row of the table
  bool include_discontinued = false;
  std::optional<Bytes> memory;  // only configurations with this RAM
  std::optional<Bytes> limit;   // GPU memory limit for every configuration (at most its RAM)
};

// The workload as predicted: the prompt actually used and the context checked against the requirements.
struct AssumedWorkload {
  std::string name, model;
  long long prompt = 0, gen = 0, batch = 1;
  long long checked_context = 0;  // max(prompt + gen, min_context)
  bool prompt_defaulted = false;
  std::string quant, runtime, kv_dtype;  // as requested; "" = by vendor (see each prediction)
};

struct WorkloadResult {
  std::string workload;
  bool ran = false;
  std::string cannot_run;  // why it was not predicted on this machine
  Scenario scenario;
  Prediction p;
  // The same model at the required context (min_context beyond prompt + gen): memory and decode there.
  std::optional<Prediction> at_context;
  double decode_low = 0, decode_high = 0;  // the 1-sigma band (bands.hpp): coefficients and held-out scatter
  std::optional<long long> max_context;    // largest context that fits; nullopt: the model's maximum
  std::vector<Hint> hints;
  double checked_decode() const { return at_context ? at_context->decode_tps() : p.decode_tps(); }
  bool fits() const { return ran && p.mem.fits && (!at_context || at_context->mem.fits); }
  const Prediction& checked() const { return at_context ? *at_context : p; }
};

struct Configuration {
  PriceRow offer;
  std::string chip_name;
  double price_usd = 0;         // what ranking uses: new, or the used price of a discontinued row when known
  std::string price_kind;       // "new", "used" or "last new" (discontinued, no used figure)
  double bandwidth_gbs = 0, matmul_tflops = 0;
  std::vector<WorkloadResult> results;
  std::vector<std::string> failures;
  double shortfall = 0;  // how far it misses, to order the configurations that fail
  double speed = 0;      // geometric mean of the checked decode speeds (tokens/s)
  double ttft = 0;       // geometric mean of the times to first token (s)
  double headroom = 0;   // smallest (limit - peak) / limit over the workloads
  // Index of a configuration that meets everything, is at most as dear, and is at least as fast at
  // both decode and the first token: nothing is gained by paying more.
  std::optional<size_t> dominated_by;
  bool meets() const { return failures.empty(); }
};

struct BuyResult {
  std::vector<AssumedWorkload> workloads;
  Requirements req;
  std::vector<std::string> impossible;  // requirements no machine can meet (the model's own limits)
  std::vector<Configuration> configurations;  // meets first, cheapest first; then by shortfall
  size_t discontinued_left_out = 0;
  std::string recommendation;
  bool any_meets() const;
};

BuyResult advise_buy(const BuyRequest& r);

// A buy file: workloads, requirements, budget and the hardware to consider, read strictly.
struct BuyFile {
  std::vector<BuyWorkload> workloads;
  Requirements req;
  std::vector<std::string> consider;
};
BuyFile read_buy_file(const std::string& path);
// "2048" or "2k" (x1024, as context sizes are written) -> tokens; nullopt when not a whole number.
std::optional<long long> parse_token_count(const std::string& text);
// "3000", "3k", "$3,000", "$3.5k" -> USD; nullopt when not a positive amount.
std::optional<double> parse_usd(const std::string& text);
// A model id, alias or descriptor file; InputError naming `where` with a suggestion otherwise.
ModelSpec resolve_model_at(const std::string& name, const std::string& where);
// A hardware id (or a name the hardware resolver knows); InputError naming `where` otherwise.
std::string resolve_hardware_id(const std::string& name, const std::string& where);

// ---- fit
struct FitRequest {
  HardwareSpec hardware;
  Bytes ram;                    // installed RAM
  std::optional<Bytes> limit;   // GPU limit; default: the hardware rule
  long long context = 8192;     // context at which speed is stated (prompt context - gen, then gen)
  long long gen = 256;
  std::vector<std::string> runtimes;  // empty: by vendor (Apple: llama.cpp-metal and mlx)
  std::vector<ModelSpec> models;      // empty: the catalog
  std::string kv_dtype;
  CalibrationChoice calibration;
};

struct FitRow {
  std::string model, runtime, quant;
  long long context = 0;    // the context the speeds are stated at (the model's maximum when smaller)
  long long model_max = 0;  // the model's maximum context (0: unknown)
  bool fits = false;
  double decode_tps = 0, prefill_tps = 0, ttft_seconds = 0;
  Bytes weights, peak, limit;
  std::optional<long long> max_context;  // largest context that fits; nullopt: the model's maximum
  std::vector<Hint> hints;               // when it does not fit
};

struct FitResult {
  HardwareSpec hardware;
  Bytes ram, limit;
  long long context = 0, gen = 0;
  std::vector<std::string> runtimes;
  std::vector<FitRow> rows;
};

FitResult advise_fit(const FitRequest& r);

}  // namespace ridgeline
