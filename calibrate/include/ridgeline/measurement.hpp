#pragma once
// A measured benchmark row, read once from whatever the user has: the project's measurement CSV
// (../shared/data/README.md schema), llama-bench JSON/CSV/markdown, llama-batched-bench tables,
// mlx_lm.benchmark or mlx_lm.generate --verbose output. Plain data; resolution to catalog ids
// and the simulator are elsewhere.
#include <optional>
#include <string>
#include <vector>

namespace ridgeline {

// Which build a row ran (build_era.cpp row_build): its runtime text's, else its notes' one build,
// else unknown with its source's publication date as the bound; and the wrapper version its runtime
// text states (stated_version; 0, kCurrentVersion, when none).
struct RowBuild {
  enum class From { none, runtime, notes };
  long long build = 0;  // kCurrentBuild when none is known
  From from = From::none;
  std::vector<long long> noted;  // the notes' builds (when the runtime text states none)
  int published_by = 0;          // when no build is known
  long long version = 0;
};

struct Measurement {
  std::string file;
  long long row = 0;  // 1-based line (CSV, markdown, text) or array index + 1 (JSON)
  // As the source writes them; resolved later.
  std::string source, chip, runtime, model, quant, notes;
  int gpu_cores = 0;
  double memory_gb = 0;  // installed RAM when stated
  double bandwidth_gbs = 0;  // bandwidth the source states (checked against the datasheet)
  // What was timed.
  long long context = 0;  // KV tokens before the timed operation (llama-bench depth)
  long long n_prompt = 0;
  long long n_gen = 0;
  long long chunk = 0;  // ubatch / prefill step when stated
  long long batch = 1;  // sequences; rates are then aggregates over the batch
  bool decode_after_prompt = false;  // generation continues the prompt (./main, servers, batched)
  std::optional<double> prefill_tok_s, decode_tok_s;
  // Memory observations (optional columns).
  std::optional<double> transient_bytes, memory_limit_gb, oom_context, kv_capacity, weight_bytes, peak_memory_gb;
  std::string attention_path;  // fused | unfused | "" (the column, else what the text says: kernel_variant.cpp)
  // A BLAS library the row states for dense products ("hipblaslt": ROCBLAS_USE_HIPBLASLT=1 or a
  // hipBLASLt flag; "rocblas": ROCBLAS_USE_HIPBLASLT=0); "" when unstated.
  std::string blas_library;
  // The call followed another within a second, so the weights were still resident: mlx_lm.benchmark
  // times its trials straight after a warmup call unless told to wait (--delay N, N >= 1 seconds).
  bool back_to_back = false;
  // The row's command offloaded no layer to the GPU (llama.cpp's "-ngl 0"): the CPU ran the model.
  bool no_gpu_layers = false;
  // A dataset note says the run's machine throttled under the sustained load (its evidence):
  // a rate of a chassis's power limit, not of the chip's kernels.
  std::string sustained_throttling;
  // The flash-attention kernel flavour a HIP row's text names: "wmma" (a build with rocWMMA flash
  // attention), "tile" (a 2025 HIP build without it, whose prefill attention ran the ALU tile kernel);
  // "" when unstated (today's kernel).
  std::string attention_kernel;
  // The build the row ran, or the date that bounds it, and the wrapper version it states (row_build),
  // read once when a dataset is loaded and used by its setups, its assumptions and the fit's build
  // weighting.
  RowBuild era;
};

// Reads any supported file, choosing the parser from the content. Throws InputError naming the
// file and the row for malformed input; rows that are well formed but not usable are kept.
std::vector<Measurement> load_measurements(const std::string& path);
std::vector<Measurement> parse_measurements_text(const std::string& text, const std::string& label);

// The individual formats (label names the source in messages).
std::vector<Measurement> parse_measurement_csv(const std::string& text, const std::string& label);
std::vector<Measurement> parse_llama_bench_json(const std::string& text, const std::string& label);
std::vector<Measurement> parse_llama_bench_csv(const std::string& text, const std::string& label);
std::vector<Measurement> parse_llama_bench_markdown(const std::string& text, const std::string& label);
std::vector<Measurement> parse_batched_bench(const std::string& text, const std::string& label);
std::vector<Measurement> parse_mlx_output(const std::string& text, const std::string& label);

// The kernel variant a row's text states beyond its runtime id (kernel_variant.cpp, the one place
// that reads it): flash attention off ("flash_attn False", "fa=0", "-fa 0", "flash attention off")
// -> attention_path unfused when the column is empty; on ("fa=1", "-fa 1", a bare "-fa;" of builds
// before -fa took a value, "with flash attention") -> fused; the BLAS library; a call timed back to
// back (mlx_lm.benchmark without --delay). Run on every parsed row.
void read_kernel_variant(Measurement& m);

// RFC 4180 CSV: quoted fields, doubled quotes, newlines inside quotes. Throws on an unclosed quote
// and on a row whose field count differs from the first row's (the header).
std::vector<std::vector<std::string>> parse_csv(const std::string& text, const std::string& label);

}  // namespace ridgeline
