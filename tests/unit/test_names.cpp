// The name resolver: one test per rule, and the table of real names (tests/names/real_names.txt).
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "ridgeline/catalog.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/hardware.hpp"
#include "ridgeline/names.hpp"
#include "ridgeline/resolve.hpp"
#include "ridgeline/runtime.hpp"

namespace ridgeline {
namespace {

std::string trim(std::string s) {
  s.erase(0, s.find_first_not_of(' '));
  s.erase(s.find_last_not_of(' ') + 1);
  return s;
}

TEST(Names, OrganisationPrefixIsDropped) {
  EXPECT_EQ(match_model_name("Qwen/Qwen3-8B").id, "qwen3-8b");
  EXPECT_EQ(match_model_name("lmstudio-community/Qwen3-8B").id, "qwen3-8b");
}

// A publisher word before the name, in the query or in the catalog id ("nvidia-nemotron-3-nano-..."):
// the name is found with or without it, and a quantization after it is still read.
TEST(Names, PublisherWordIsOptionalOnEitherSide) {
  EXPECT_EQ(match_model_name("OpenAI gpt-oss 120B").id, "gpt-oss-120b");
  EXPECT_EQ(match_model_name("Nemotron-3-Nano-30B-A3B").id, "nvidia-nemotron-3-nano-30b-a3b");
  EXPECT_EQ(match_model_name("Nemotron 3 Super 120B A12B").id, "nvidia-nemotron-3-super-120b-a12b");
  const NameMatch bf16 = match_model_name("nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16");
  EXPECT_EQ(bf16.id, "nvidia-nemotron-3-nano-30b-a3b");
  EXPECT_EQ(bf16.quant, "bf16");
  EXPECT_EQ(match_model_name("Nemotron-3-Nano-30B-A3B-BF16").quant, "bf16");
}

TEST(Names, VariantWordsAndRevisionsAreDropped) {
  EXPECT_EQ(match_model_name("Qwen3-30B-A3B-Instruct-2507").id, "qwen3-30b-a3b");
  EXPECT_EQ(match_model_name("gemma-3-27b-it").id, "gemma-3-27b-it");
  EXPECT_EQ(match_model_name("llama-2-13b-chat").id, "llama-2-13b");
}

TEST(Names, QuantizationInsideAFileNameIsReturnedToo) {
  const NameMatch m = match_model_name("gemma-4-26B-A4B-it-UD-Q4_K_XL");
  EXPECT_EQ(m.id, "gemma-4-26b-a4b");
  EXPECT_EQ(m.quant, "ud-q4_k_xl");
  EXPECT_EQ(match_model_name("llama-2-7b.Q4_0").quant, "q4_0");
  EXPECT_EQ(match_model_name("Qwen3-8B-4bit").quant, "mlx-4bit");  // mlx-community's suffix
}

TEST(Names, QatReleaseMeansQ4_0UnlessTheNameSaysOtherwise) {
  EXPECT_EQ(match_model_name("gemma-3-4b-it-qat").quant, "q4_0");
  EXPECT_EQ(match_model_name("gemma-3-4b-it-qat-4bit").quant, "mlx-4bit");
}

TEST(Names, OllamaBareNameIsItsDefaultTag) {
  const NameMatch m = match_model_name("llama3.1");
  EXPECT_EQ(m.id, "llama-3.1-8b");
  EXPECT_EQ(m.quant, "q4_k_m");
  ASSERT_FALSE(m.notes.empty());  // the assumption is said
  EXPECT_NE(m.notes.front().find("default tag"), std::string::npos);
}

TEST(Names, OllamaDistillsAreTheirBaseShapes) {
  EXPECT_EQ(match_model_name("deepseek-r1:70b").id, "llama-3.3-70b-instruct");
  EXPECT_EQ(match_model_name("deepseek-r1:32b").id, "qwen2.5-32b");
  EXPECT_EQ(match_model_name("deepseek-r1:671b").id, "deepseek-r1");
}

// A bare name that is both a catalog id and an Ollama library family: the model itself in general,
// the library's latest tag where Ollama reads it (a row of Ollama).
TEST(Names, BareOllamaFamilyIsItsLatestTagWhereOllamaReadsIt) {
  EXPECT_EQ(match_model_name("deepseek-r1").id, "deepseek-r1");
  const NameMatch ollama = match_ollama_model_name("deepseek-r1");
  EXPECT_EQ(ollama.id, "llama-3.1-8b");  // deepseek-r1:8b, the Llama 3.1 8B distill
  EXPECT_EQ(ollama.quant, "q4_k_m");
  EXPECT_EQ(match_ollama_model_name("deepseek-r1:671b").id, "deepseek-r1");
  EXPECT_EQ(match_ollama_model_name("Qwen/Qwen3-8B").id, "qwen3-8b");  // not a library name: as anywhere
}

TEST(Names, OllamaDefaultSizeTagIsTheBareNameEvenWhenTheIdHasNoSizeWord) {
  EXPECT_EQ(match_model_name("phi4:14b").id, "phi-4");  // phi4 pulls 14b; the catalog id is "phi-4"
  EXPECT_EQ(match_model_name("phi4:latest").id, "phi-4");
  EXPECT_EQ(match_model_name("phi4:14b-q8_0").quant, "q8_0");
  EXPECT_TRUE(match_model_name("phi4:3.8b").id.empty());  // another size is never the bare name's model
}

TEST(Names, ASizeMismatchIsNeverAMatch) {
  const NameMatch m = match_model_name("Qwen3-Coder-31B-A3B-Instruct");
  EXPECT_TRUE(m.id.empty());
  EXPECT_EQ(m.refusal.find("480b"), std::string::npos) << m.refusal;
  EXPECT_EQ(m.refusal.find('\n'), std::string::npos);  // one line
  const NameMatch g = match_model_name("gemma-4-9b-4bit");  // Gemma 4 has 12B, 26B-A4B and 31B: no 9B
  EXPECT_TRUE(g.id.empty());
  EXPECT_NE(g.refusal.find("no gemma4 model of size 9b"), std::string::npos) << g.refusal;
}

TEST(Names, AmbiguousFamilyAndSizeIsRefusedWithTheCandidates) {
  const NameMatch m = match_model_name("qwen3 30b");  // Qwen3 and Qwen3-Coder both have a 30B-A3B
  EXPECT_EQ(m.id, "qwen3-30b-a3b");                  // the exact family wins
  const NameMatch q = match_model_name("mistral small 22b");  // no Mistral of 22B: refused, nothing offered
  EXPECT_TRUE(q.id.empty());
}

TEST(Names, LlamaCppFileTypeNames) {
  EXPECT_EQ(match_quant_name("Q4_K - Medium").id, "q4_k_m");
  EXPECT_EQ(match_quant_name("Q5_K - Medium").id, "q5_k_m");
  EXPECT_EQ(match_quant_name("mostly Q4_0").id, "q4_0");
}

TEST(Names, UnslothDynamicWithoutItsOwnWidthIsThePlainMixAndSaysSo) {
  const NameMatch m = match_quant_name("UD-Q4_K_M");
  EXPECT_EQ(m.id, "q4_k_m");
  EXPECT_FALSE(m.notes.empty());
  EXPECT_EQ(match_quant_name("UD-Q8_K_XL").id, "ud-q8_k_xl");
}

TEST(Names, MlxWidthsAndGroups) {
  EXPECT_EQ(match_quant_name("MLX 4-bit").id, "mlx-4bit");
  EXPECT_EQ(match_quant_name("MLX q4 g32").id, "mlx-4bit-g32");
  EXPECT_EQ(match_quant_name("MLX 8bit g64").id, "mlx-8bit");
  EXPECT_TRUE(match_quant_name("MLX q4 g128").id.empty());
}

TEST(Names, BareChipTierIsTheFullPartAndSaysSo) {
  const HardwareMatch m = match_hardware_name("M4 Max");
  EXPECT_EQ(m.id, "m4-max-40c");
  ASSERT_EQ(m.notes.size(), 1u);
  EXPECT_NE(m.notes[0].find("40-core"), std::string::npos);
  EXPECT_TRUE(match_hardware_name("M4 Max 32-core").notes.empty());
}

TEST(Names, RamInTheHardwareNameIsTheInstalledMemory) {
  EXPECT_EQ(match_hardware_name("M4 Max 40-core 64GB").memory.value, 64 * kGiB);  // Apple's "GB" is GiB
  const HardwareMatch bad = match_hardware_name("M4 Max 40-core 24GB");
  EXPECT_TRUE(bad.id.empty());
  EXPECT_NE(bad.refusal.find("48, 64, 128"), std::string::npos) << bad.refusal;
}

TEST(Names, CpuCoreCountsAreNotGpuCores) {
  EXPECT_EQ(match_hardware_name("Apple M4 Max (16-core CPU, 32-core GPU)").id, "m4-max-32c");
}

TEST(Names, LlamaCppBackendFollowsTheHardware) {
  std::string why;
  EXPECT_EQ(match_runtime_name("llama.cpp", "apple", why), "llama.cpp-metal");
  EXPECT_EQ(match_runtime_name("llama.cpp", "nvidia", why), "llama.cpp-cuda");
  EXPECT_EQ(match_runtime_name("llama.cpp", "", why), "");
  EXPECT_NE(why.find("llama.cpp-vulkan"), std::string::npos) << why;  // the candidates
}

TEST(Names, ResolveModelThrowsOneLineWithoutGuessing) {
  try {
    resolve_model("Qwen3-Coder-31B-A3B-Instruct");
    FAIL() << "resolved a model of another size";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
  }
}

TEST(Names, MeasurementRowTakesTheQuantizationFromTheModelName) {
  Measurement m;
  m.chip = "Apple M2 Ultra";
  m.gpu_cores = 76;
  m.runtime = "mlx_lm";
  m.model = "Qwen3-8B-4bit";
  m.decode_tok_s = 50;
  const Resolution r = resolve_measurement(m, {});
  EXPECT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.quant, "mlx-4bit");
}

// Every name in the table: the expected id, quantization or memory, or a refusal.
TEST(Names, RealNamesTable) {
  std::ifstream f(RIDGELINE_NAMES_TABLE);
  ASSERT_TRUE(f) << RIDGELINE_NAMES_TABLE;
  std::string line;
  int checked = 0;
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, '|');) cols.push_back(trim(c));
    ASSERT_GE(cols.size(), 3u) << line;
    const std::string kind = cols[0], name = cols[1], want = cols[2], extra = cols.size() > 3 ? cols[3] : "";
    std::string got, got_extra, why;
    if (kind == "model") {
      NameMatch m = match_model_name(name);
      got = m.id, got_extra = m.quant, why = m.refusal;
    } else if (kind == "quant") {
      NameMatch m = match_quant_name(name);
      got = m.id, why = m.refusal;
    } else if (kind == "hardware") {
      HardwareMatch m = match_hardware_name(name);
      got = m.id, why = m.refusal;
      got_extra = m.memory.value > 0 ? fmt::format("{:g}", m.memory.value / kGiB) : "";
    } else if (kind == "runtime") {
      got = match_runtime_name(name, extra, why);
    } else {
      FAIL() << "unknown kind in " << line;
    }
    if (want == "REFUSE") {
      EXPECT_TRUE(got.empty()) << name << " resolved to " << got;
      EXPECT_FALSE(why.empty()) << name << ": a refusal says why";
    } else {
      EXPECT_EQ(got, want) << name << ": " << why;
      if (kind != "runtime" && !extra.empty() && kind != "quant") {
        EXPECT_EQ(got_extra, extra) << name;
      }
    }
    ++checked;
  }
  EXPECT_GE(checked, 80);
}

// Microseconds per name: the resolver is a few scans and hash probes (measured, not a speed test:
// the bound is loose so a busy machine passes; the figure is printed for the README).
TEST(Names, CostPerNameIsMicroseconds) {
  const std::vector<std::string> names = {"mlx-community/Qwen3-8B-4bit", "gemma-4-26B-A4B-it-UD-Q4_K_XL", "llama3.1",
                                          "deepseek-r1:70b", "Qwen3-235B-A22B-Instruct-2507-UD-Q3_K_XL", "llama 1B"};
  for (const auto& n : names) match_model_name(n);  // build the index once
  const int rounds = 2000;
  const auto t0 = std::chrono::steady_clock::now();
  size_t sink = 0;
  for (int i = 0; i < rounds; ++i)
    for (const auto& n : names) sink += match_model_name(n).id.size() + match_quant_name("Q4_K - Medium").id.size();
  const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() /
                    (rounds * static_cast<double>(names.size()));
  std::printf("model + quant name: %.2f us per name\n", us);
  EXPECT_GT(sink, 0u);
  EXPECT_LT(us, 200.0);
}

}  // namespace
}  // namespace ridgeline
