// The quantization each reference config in ../shared/configs declares, read as a model folder
// (built in a temporary directory from the shared file; skipped when ../shared is absent).
#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

#include "ridgeline/model_source.hpp"

using namespace ridgeline;
namespace fs = std::filesystem;

namespace {
const fs::path kConfigs = fs::path(RIDGELINE_SHARED_DIR) / "configs";

ModelSource as_folder(const std::string& config, const std::string& folder, const std::string& companion = "") {
  const fs::path dir = fs::temp_directory_path() / ("ridgeline-shared-" + std::to_string(::getpid())) / folder;
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy_file(kConfigs / config, dir / "config.json");
  if (!companion.empty()) fs::copy_file(kConfigs / companion, dir / "hf_quant_config.json");
  return load_model_source(dir.string());
}
}  // namespace

TEST(SharedConfigs, EachFolderNamesItsQuantization) {
  if (!fs::exists(kConfigs)) GTEST_SKIP() << "../shared/configs is absent (fresh clone): skipping";
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"Qwen3-8B-4bit-mlx.json", "mlx-4bit"},         {"Llama-3.2-3B-Instruct-4bit-mlx.json", "mlx-4bit"},
      {"Qwen3-30B-A3B-FP8.json", "fp8"},              {"DeepSeek-V3.json", "fp8"},
      {"gpt-oss-20b.json", "mxfp4"},                  {"Gemma-4-31B-IT-NVFP4.json", "nvfp4"},
      {"Qwen3-8B.json", "bf16"},                      {"Qwen2.5-0.5B-Instruct.json", "f32"}};
  for (const auto& [config, quant] : expected) {
    ModelSource s = as_folder(config, fs::path(config).stem().string());
    EXPECT_EQ(s.quant, quant) << config;
    EXPECT_EQ(s.model.name, fs::path(config).stem().string()) << config;
  }
  // ModelOpt FP8: config.json says bfloat16, hf_quant_config.json beside it says FP8.
  EXPECT_EQ(as_folder("Llama-3.1-70B-Instruct-FP8.json", "Llama-3.1-70B-Instruct-FP8",
                      "Llama-3.1-70B-Instruct-FP8.hf_quant_config.json").quant, "fp8");
  fs::remove_all(fs::temp_directory_path() / ("ridgeline-shared-" + std::to_string(::getpid())));
}
