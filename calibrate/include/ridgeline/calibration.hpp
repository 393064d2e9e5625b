#pragma once
// Fitting the runtime coefficients to measured rows (GSL nonlinear least squares on log-ratio
// residuals, bounded parameters, their covariance with Eigen, leave-one-chip-out, -model-out and
// -source-out cross-validation), the calibration YAML, and its application to a runtime profile.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ridgeline/measurement.hpp"
#include "ridgeline/resolve.hpp"
#include "ridgeline/simulate.hpp"

namespace ridgeline {

enum class Measured { prefill_tok_s, decode_tok_s, transient_bytes, oom_context_tokens };
const char* to_string(Measured q);
// Bytes and tokens are whole counts (written as exact integers); the rates are not.
inline bool is_count(Measured q) { return q == Measured::transient_bytes || q == Measured::oom_context_tokens; }

// One measured figure of one row, with the scenario that reproduces it.
struct Observation {
  size_t row = 0;  // index into the caller's measurement list
  Measured quantity = Measured::decode_tok_s;
  double measured = 0;
  Scenario scenario;
  double weight = 1;  // the row's say in a fit (older builds of the runtime count less)
  std::string source = {};  // the file the row came from (a source: its build, person and method)
};
// The build number a runtime description states: "build 858f6b73 (2797)" (a number in parentheses
// only right after a commit hash of 7+ hex digits: "Metal (2023)" states none), "b7948",
// "version 9430", "build 1026 (c63bb1d)"; 0 when none is stated (build_era.cpp).
long long stated_build(const std::string& runtime_text);
// The distinct builds a row's notes state in a form that is nothing else: "b4326" right after
// "llama.cpp" or "build", "build 1234", "build: <commit> (1234)". Never "#15434" or "PR 15929".
std::vector<long long> noted_builds(const std::string& notes);
// The latest date in a row's source column ("2024-12-16"; "2024-12" as its last day; "20241216"
// between non-digits, as in a file name) as yyyymmdd
// (dates.hpp), 0 when none: the row was published by then, so it ran no newer build.
int published_by(const std::string& source);
// A row's build: its runtime text's, else the one build its notes state (two different ones: none),
// else none, with the source's publication date as the bound on it. load_dataset reads it once per
// row into Measurement::era.
RowBuild row_build(const Measurement& m);
// What the row's build era rests on, for its assumptions, against the runtime profile's
// boundaries: "build 4326 from the notes: before ...", "published 2024-11-25: before concurrent
// dispatch (b6451, 2025-09-13)", two builds in the notes; "" when the runtime text states the build
// or nothing places the row before a boundary.
std::string build_era_note(const RowBuild& b, RuntimeSpec profile);
// calibrate/dataset_notes.yaml: a fact a public file's rows leave out (their GPU core count), with
// the publisher's evidence, for rows whose source contains `source`.
struct DatasetNote {
  std::string source, evidence;
  std::string notes_contain;  // "": every row of `source`; else only rows whose notes contain it (one run of a file)
  int gpu_cores = 0;   // 0: the note does not state it
  std::string quant;   // a quantization id; "": the note does not state it
  long long chunk = 0; // the prefill chunk (ubatch) its command states; 0: the note does not state it
  bool sustained_throttling = false;  // the run's machine throttled under the sustained load
};
std::vector<DatasetNote> parse_dataset_notes_text(const std::string& text, const std::string& label);
const std::vector<DatasetNote>& dataset_notes();  // the shipped file, parsed once
// Fills the fields a note states and the row leaves empty; returns what it filled, for the row's
// assumptions ("" when nothing).
std::string apply_dataset_notes(Measurement& m, const std::vector<DatasetNote>& notes);
// The version a runtime description states ("Ollama 0.12.6", "ollama v0.30.0-rc3"): the first
// word of two or three dot-separated numbers, as version_number encodes it; 0 when none is stated.
long long stated_version(const std::string& runtime_text);
// The row's kernel variant (read_kernel_variant) applied to its runtime profile, whose build
// (RuntimeSpec::build) is already the row's: flash attention off -> the unfused path; a build before
// the profile's blas.until_build, or a stated BLAS library without a build, -> dense products from
// blas.min_rows rows through that library (blas_library).
void apply_kernel_variant(RuntimeSpec& rt, const Measurement& m);
// The observations a resolved row yields (none when its semantics are not modelled; `why` says).
std::vector<Observation> observations_of(const Measurement& m, const Resolution& r, size_t index, std::string& why);
// The simulator's figure for an observation (tok/s, bytes, or tokens of context).
std::optional<double> predict_observation(const Observation& o);
// Absolute percentage error of a prediction. An out-of-memory context (-1: none) counts 0 when
// the prediction agrees within one chunk and 100 when it does not.
double absolute_percentage_error(Measured q, double measured, double predicted, double chunk);

// Every row of some benchmark files, resolved, with the observations they yield.
struct Dataset {
  std::vector<Measurement> rows;
  std::vector<Resolution> resolved;     // per row
  std::vector<std::string> unusable;    // per row: why it yields no observation ("" when it does)
  std::vector<Observation> observations;
  std::vector<std::string> read;        // the files read, in order
  std::vector<std::pair<std::string, std::string>> hashes;  // file name, fnv1a-64 (with hash_files)
  std::vector<std::string> skipped;     // files that are no benchmark format, with the reason
};
// Each file is read and parsed once. With skip_unreadable and several files, one in no benchmark
// format is listed in `skipped` and the rest go on; a lone such file, or all of them, is the error.
// With a sink, each observation is handed to it as it is made and not kept in `observations`
// (validate predicts and drops them: a scenario per figure held at once was most of its memory).
// hash_files: each file's FNV-1a hash, which a calibration file records (a byte at a time: 3% of a
// validate run, which has no use for it).
using ObservationSink = std::function<void(Observation&, const Measurement&)>;
Dataset load_dataset(const std::vector<std::string>& files, const NameMaps& maps, bool skip_unreadable = false,
                     const ObservationSink& sink = {}, bool hash_files = true);

struct Coefficient {
  double value = 0, stderr_ = 0;
};

struct CvStats {
  int folds = 0;
  std::map<std::string, double> mape;  // quantity -> mean absolute percentage error, held out
  std::map<std::string, int> count;
  // quantity -> the held-out |ln(predicted / measured)| 68.3% of rows stay within (1 sigma of a
  // normal; robust to the few rows no kernel model explains). Schema 2 on.
  std::map<std::string, double> log_error_p68;
  // Each fold's own held-out MAPE per quantity, with its row count: which chip, model or source
  // the fit generalises to worst. Reported by `calibrate`; not written to the calibration file.
  struct Fold {
    std::map<std::string, double> mape;
    std::map<std::string, int> count;
  };
  std::map<std::string, Fold> by_fold;
};

// 2: the coefficients' covariance and the held-out log-error quantiles (prediction bands).
constexpr int kCalibrationSchemaVersion = 2;

struct Calibration {
  int schema_version = kCalibrationSchemaVersion;
  std::string runtime;          // runtime id the coefficients belong to
  std::string hardware_vendor;  // apple, nvidia, amd: the family they were fitted on
  std::vector<std::string> chips;
  std::string fitted_on;        // date
  std::vector<std::pair<std::string, std::string>> datasets;  // file name, fnv1a-64 of its bytes
  std::map<std::string, Coefficient> coefficients;  // runtime coefficient name -> fitted value
  std::map<std::string, double> in_sample_mape;
  std::map<std::string, double> in_sample_log_error_p68;
  CvStats leave_one_chip_out, leave_one_model_out, leave_one_source_out;
  int observations = 0;
  // The least-squares coefficients' covariance in their own units (empty in schema-1 files):
  // s^2 (J^T J)^-1 of the fit's residual vector in the unbounded parameters, s^2 = |f|^2 / (n - p),
  // carried through the logistic bounds' derivative. runtime_memory_gb (a scan) is not in it.
  CoefficientCovariance covariance;
  int covariance_rank = 0;      // directions the data identify (covariance.names.size() when all are)
  double residual_scale = 0;    // s
};

// The held-out |ln(predicted/measured)| within which 68.3% of rows fall, per quantity (the worst
// of the chip, model and source folds, else in sample); for a schema-1 file, estimated from the
// worst held-out MAPE as MAPE x sqrt(pi / 2) (the mean |x| of a normal is sigma x sqrt(2 / pi)).
// Sets `from_mape` when it had to. 0 when the calibration says nothing of that quantity.
double calibration_log_scatter(const Calibration& c, const std::string& quantity, bool& from_mape);
// The runtime's uncertainty from the calibrations applied to it (the engine's, then a wrapper's own).
CalibrationUncertainty uncertainty_of(const Calibration& errors, const std::vector<const Calibration*>& applied);

// Which calibration predictions use: the shipped one for the runtime and vendor, none, or a file.
struct CalibrationChoice {
  enum class Kind { shipped, none, file } kind = Kind::shipped;
  std::string file;
};
// Sets the runtime's coefficients from a calibration (datasheet hardware values are untouched).
void apply_calibration(RuntimeSpec& rt, const Calibration& c);
std::string calibration_to_yaml(const Calibration& c);
Calibration parse_calibration_yaml_text(const std::string& text, const std::string& label);
Calibration load_calibration(const std::string& path);
// The shipped calibration for this runtime and hardware vendor, if any (calibrate/calibrations),
// among those fitted on at least two models.
// Loaded once; nullptr when there is none.
const Calibration* shipped_calibration(const std::string& runtime, const std::string& vendor);
// Applies the shipped calibration of the engine whose kernels this runtime runs (a wrapper's
// engine, else the runtime's own) and returns it, or nullptr where there is none.
const Calibration* apply_engine_calibration(RuntimeSpec& rt, const std::string& vendor);
// Applies the shipped calibrations that hold for this runtime on this vendor's hardware: a
// wrapper's engine's first (its kernels are the engine's), then the wrapper's own (its cost).
// Returns the engine's calibration (the one whose errors describe the predictions), or nullptr;
// `applied`, when given, receives every calibration applied, in order.
const Calibration* apply_shipped_calibration(RuntimeSpec& rt, const std::string& vendor,
                                             std::vector<const Calibration*>* applied = nullptr);

struct FitOptions {
  int max_iterations = 60;
  size_t max_observations = 900;  // deterministic thinning of very large groups
  bool cross_validate = true;
};
// Fits one runtime's coefficients to its observations on one vendor's hardware ("": every vendor's;
// a runtime with homes on two vendors, as ds4 on Apple and NVIDIA, gets a calibration per vendor).
// Throws InputError when there is nothing to fit.
Calibration fit_runtime(const std::string& runtime, const std::vector<Observation>& obs,
                        const std::vector<Measurement>& rows, const FitOptions& opt, const std::string& vendor = "");

std::string fnv1a64_hex(const std::string& bytes);

}  // namespace ridgeline
