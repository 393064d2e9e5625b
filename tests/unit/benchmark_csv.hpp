#pragma once
// Benchmark rows in the project's CSV format (../shared/data/README.md), for tests that run a few
// hand-written rows end to end.
#include <filesystem>
#include <fstream>
#include <string>

namespace ridgeline::test {

inline const std::string kBenchmarkHeader =
    "source,chip,gpu_cores,bandwidth_gbs,memory_gb,runtime,model,params_b,quant,context_tokens,n_prompt,n_gen,"
    "prefill_tok_s,decode_tok_s,notes\n";

// `rows` under the header, written to a file of this name in the temporary folder; returns its path.
inline std::string write_benchmark_csv(const std::string& name, const std::string& rows) {
  const std::string path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream(path) << kBenchmarkHeader << rows;
  return path;
}

}  // namespace ridgeline::test
