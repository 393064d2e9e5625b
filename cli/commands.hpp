#pragma once
// Each subcommand is a setup (CLI11 flags -> options struct) and a run (options -> output,
// exit code), so tests call run_* directly without argv.
#include <CLI/CLI.hpp>

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "ridgeline/calibration.hpp"
#include "ridgeline/model_source.hpp"
#include "ridgeline/simulate.hpp"

namespace ridgeline::cli {

enum Exit { kOk = 0, kRequirementFailed = 1, kBadInput = 2, kInternal = 3 };

// Flags shared by predict, sweep, explain and chunk. In sweep every value may be a comma list.
struct ScenarioOptions {
  std::string hardware, model, quant, runtime;
  std::string prompt = "4096", gen = "256", cached = "0", chunk, batch = "1";
  std::string memory, limit, kv_dtype;
  std::string attention;  // "": the runtime's; fused or unfused (llama.cpp's -fa 1 / -fa 0)
  std::vector<std::string> sets;
  std::string calibration;  // "": the shipped one for the runtime and vendor; "none"; or a file
  bool allow_beyond_max = false;
  bool back_to_back = false;  // the call follows another within a second: the weights still resident
  bool any_memory = false;  // a RAM size the chip is not sold with
  bool force = false;       // a quantization the runtime cannot load: a warning instead of a refusal
};
void add_scenario_flags(CLI::App& app, ScenarioOptions& o, bool lists);
// Builds one scenario from single values (throws InputError).
Scenario build_scenario(const ScenarioOptions& o);
// The halves of build_scenario: hardware, model, quantization, runtime, calibration, --set, memory
// (resolved once per sweep series); then the workload flags (prompt, gen, chunk, batch) over `base`.
struct Setup {
  Scenario scenario;       // no workload set yet
  Workload base;           // cached, kv dtype, RAM, limit
  std::string impossible;  // with impossible_as_row: why no machine runs this setup (sweep makes it a row)
};
// An impossible setup (RAM not sold, runtime on the wrong vendor, a format the runtime cannot load)
// throws InputError, or with impossible_as_row is kept in Setup::impossible.
Setup build_setup(const ScenarioOptions& o, bool impossible_as_row = false);
Workload parse_workload(const ScenarioOptions& o, Workload base);
// --calibration as typed: "" the shipped one for the runtime and vendor, "none", or a file.
CalibrationChoice calibration_choice(const std::string& option);
// Applies --calibration (shipped by default) to the runtime profile.
void apply_calibration_option(RuntimeSpec& rt, const HardwareSpec& hw, const std::string& option);
// A catalog name, or a model from a file, folder, the Ollama store or the Hub with the quantization it implies.
ModelSource resolve_model_source(const std::string& model, bool ollama = false);
// --quant when given (a warning when it contradicts the type a GGUF is stored in), else the source's
// own quantization, else `fallback`; a source quantized in a way the table lacks needs --quant.
std::string choose_quant(const std::string& asked, const ModelSource& src, const std::string& fallback);
long long parse_count(const std::string& text, const std::string& flag, long long min, long long max);
std::vector<std::string> split_list(const std::string& text);
// A library error as the command line says it: a field error under the flag that sets the field
// (cli/flags.cpp), any other error as it is.
std::string flag_message(const InputError& e);
// Why a row's names do not resolve, as the command line says it: a name the row does not state
// with the --map that supplies it ("no chip stated (use --map chip=ID)").
std::string resolution_reason(const Resolution& r);
// Writes a command's output file; InputError "FLAG: PATH: cannot write the file" when it cannot.
void write_output(const std::string& flag, const std::string& path, const std::string& text);

struct PredictOptions { ScenarioOptions s; bool json = false; };
int run_predict(const PredictOptions& o, std::ostream& out);

struct SweepOptions { ScenarioOptions s; bool csv = false, json = false, bands = false; std::string plot; };
int run_sweep(const SweepOptions& o, std::ostream& out);

struct ExplainOptions { ScenarioOptions s; std::string step = "decode"; bool json = false; };
int run_explain(const ExplainOptions& o, std::ostream& out);

struct ChunkOptions {
  ScenarioOptions s;
  std::string context = "131072", chunks = "256,512,1024,2048,4096", plot;
  bool chunks_given = false, json = false;
};
int run_chunk(const ChunkOptions& o, std::ostream& out);

struct ListOptions { std::string what; bool json = false, prices = false; };
int run_list(const ListOptions& o, std::ostream& out);

struct ImportOptions { std::string file, id, output; };
int run_import(const ImportOptions& o, std::ostream& out);

struct ShowOptions { std::string model, quant, kv_dtype = "f16"; std::string context = "32768"; bool json = false; };
int run_show(const ShowOptions& o, std::ostream& out);

struct CalibrateOptions {
  std::vector<std::string> data, maps;
  std::string output, out_dir, runtime, date;
  bool no_cv = false;
};
int run_calibrate(const CalibrateOptions& o, std::ostream& out);

struct ValidateOptions {
  std::vector<std::string> data, maps;
  std::string calibration, plot;
  bool json = false;
};
int run_validate(const ValidateOptions& o, std::ostream& out);

// buy: flags as typed; cmd_buy.cpp turns them into an advisor BuyRequest.
struct BuyOptions {
  std::string model, quant, runtime, kv_dtype, calibration, prompt, gen = "256", batch = "1";
  std::string min_decode, max_ttft, min_context, budget, consider, workloads, html, memory, limit, prices_file;
  std::vector<std::string> prices;  // ID=USD
  bool json = false, include_discontinued = false;
};
int run_buy(const BuyOptions& o, std::ostream& out);

struct FitCommandOptions {
  std::string hardware, memory, limit, context = "8192", gen = "256", runtimes, models, kv_dtype, calibration, html;
  bool json = false, csv = false, any_memory = false;
};
int run_fit(const FitCommandOptions& o, std::ostream& out);

// --memory / --limit style sizes: a bare number is GB, and "27G", "27GB", "27 GB", "27 gb", "25GiB",
// "25 GiB", M/MB/MiB and T/TB/TiB are taken alike (setup_checks.cpp); GB = 10^9 bytes, GiB = 2^30.
Bytes parse_size_option(const std::string& text, const std::string& flag);

struct ReportOptions { std::string input, html; };
int run_report(const ReportOptions& o, std::ostream& out);

// Installed RAM as sold (setup_checks.cpp): "36", "36 GB", "36GB", "36G" and "36 GiB" all name Apple's
// 36 GB part; "1 TB" is 1024 GB. sold_ram: the size `hw` is sold with, refused otherwise unless any_size.
double parse_ram_gb(const std::string& text, const std::string& flag);
Bytes sold_ram(const HardwareSpec& hw, const std::string& text, const std::string& flag, bool any_size);
std::string sold_sizes_text(const HardwareSpec& hw);  // "48, 64, 128 GB"
// Refuse (or with force, warn about) a quantization whose format the runtime does not load.
void check_quant_loads(const std::string& quant, const RuntimeSpec& rt, bool force);

// Registers every subcommand on `app`; the chosen one's run is stored in `action`.
void setup_all(CLI::App& app, std::function<int()>& action);

}  // namespace ridgeline::cli
