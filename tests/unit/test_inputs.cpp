#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <sstream>
#include <fstream>

#include "helpers.hpp"
#include "ridgeline/catalog.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/hardware.hpp"
#include "ridgeline/importers.hpp"
#include "ridgeline/runtime.hpp"
#include "ridgeline/units.hpp"

using namespace ridgeline;
using ridgeline::test::error_of;

namespace {
const char* kModel = R"(id: m
source: test
hidden: 64
vocab: 100
tied_embeddings: true
max_context: 1024
layers:
  - count: 2
    attention: {kind: full, q_heads: 4, kv_heads: 2, head_dim: 16}
    ffn: {intermediate: 128}
)";
}  // namespace

TEST(Units, DatasheetValuesParseStrictly) {
  EXPECT_DOUBLE_EQ(parse_bandwidth("546 GB/s", "k").value, 546e9);
  EXPECT_DOUBLE_EQ(parse_bytes("36 GiB", "k").value, 36 * kGiB);
  EXPECT_DOUBLE_EQ(parse_bytes("36 GB", "k").value, 36e9);
  EXPECT_DOUBLE_EQ(parse_flop_rate("16.2 TFLOPS", "k").value, 16.2e12);
  EXPECT_EQ(error_of([] { parse_bandwidth("546 GB", "memory.bandwidth"); }),
            "memory.bandwidth: unknown unit 'GB' in '546 GB' (expected e.g. '546 GB/s') (did you mean 'GB/s'?)");
  EXPECT_EQ(error_of([] { parse_bytes("-3 GiB", "x"); }),
            "x: '-3 GiB' is not a positive value with a unit (expected e.g. '36 GiB')");
}

TEST(ModelYaml, ParsesAndRoundTrips) {
  ModelSpec m = parse_model_yaml_text(kModel, "m.yaml");
  EXPECT_EQ(m.layers.size(), 1u);
  EXPECT_EQ(m.layers[0].count, 2);
  ModelSpec again = parse_model_yaml_text(model_to_yaml(m), "again.yaml");
  EXPECT_TRUE(same_layer(again.layers[0], m.layers[0].attention, m.layers[0].ffn));
}

// A compressed layer (DeepSeek-V4) and hyper-connections survive the writer and the reader; what
// cannot be (an indexer with nothing pooled, output groups that do not divide the heads) is refused.
TEST(ModelYaml, CompressedLayersRoundTripAndRefuseWhatCannotBe) {
  const ModelSpec m = resolve_model("deepseek-v4-flash");
  const ModelSpec again = parse_model_yaml_text(model_to_yaml(m), "again.yaml");
  ASSERT_EQ(again.layers.size(), m.layers.size());
  for (size_t i = 0; i < m.layers.size(); ++i) EXPECT_TRUE(same_layer(again.layers[i], m.layers[i].attention, m.layers[i].ffn)) << i;
  EXPECT_EQ(again.residual_streams, 4);
  EXPECT_EQ(again.sinkhorn_iterations, 20);
  const std::string base =
      "id: c\nsource: s\nhidden: 64\nvocab: 100\ntied_embeddings: false\nmax_context: 4096\nlayers:\n  - count: 1\n"
      "    attention: {kind: compressed, q_heads: 4, head_dim: 32, rope_dim: 8, window: 8, compress_ratio: RATIO, "
      "index_heads: 2, index_head_dim: 8, index_topk: 4, o_groups: GROUPS, o_lora_rank: 12}\n";
  auto text = [&](const char* ratio, const char* groups) {
    std::string t = base;
    t.replace(t.find("RATIO"), 5, ratio);
    t.replace(t.find("GROUPS"), 6, groups);
    return t;
  };
  EXPECT_EQ(parse_model_yaml_text(text("4", "2"), "c.yaml").layers[0].attention.index_topk, 4);
  EXPECT_EQ(error_of([&] { parse_model_yaml_text(text("0", "2"), "c.yaml"); }),
            "c.yaml: layers[0]: attention: index_heads: an indexer selects pooled rows, and compress_ratio 0 pools none");
  EXPECT_EQ(error_of([&] { parse_model_yaml_text(text("4", "3"), "c.yaml"); }),
            "c.yaml: layers[0]: attention: o_groups: 3 does not divide q_heads 4");
}

TEST(ModelYaml, BadInputsGetOneLineErrors) {
  auto with = [](const std::string& from, const std::string& to) {
    std::string t = kModel;
    t.replace(t.find(from), from.size(), to);
    return t;
  };
  EXPECT_EQ(error_of([&] { parse_model_yaml_text(with("hidden: 64", "hiden: 64"), "m.yaml"); }),
            "m.yaml: missing required key 'hidden'");
  EXPECT_EQ(error_of([&] { parse_model_yaml_text(with("vocab: 100", "vocab: 100\nvocabb: 3"), "m.yaml"); }),
            "m.yaml: unknown key 'vocabb' (did you mean 'vocab'?)");
  EXPECT_EQ(error_of([&] { parse_model_yaml_text(with("hidden: 64", "hidden: .nan"), "m.yaml"); }),
            "m.yaml: hidden: '.nan' is not a finite number");
  EXPECT_EQ(error_of([&] { parse_model_yaml_text(with("hidden: 64", "hidden: 1e400"), "m.yaml"); }),
            "m.yaml: hidden: '1e400' is not a finite number");
  EXPECT_EQ(error_of([&] { parse_model_yaml_text(with("hidden: 64", "hidden: -4"), "m.yaml"); }),
            "m.yaml: hidden: -4 is out of range (expected 1 to 16777216)");
  EXPECT_EQ(error_of([&] { parse_model_yaml_text(with("vocab: 100", "vocab: 100\nvocab: 200"), "m.yaml"); }),
            "m.yaml: key 'vocab' appears twice (line 5)");
  EXPECT_EQ(error_of([&] { parse_model_yaml_text(with("kv_heads: 2", "kv_heads: 8"), "m.yaml"); }),
            "m.yaml: layers[0]: attention: kv_heads: 8 exceeds q_heads 4");
  EXPECT_EQ(error_of([&] { parse_model_yaml_text(with("kind: full", "kind: ful"), "m.yaml"); }),
            "m.yaml: layers[0]: attention: kind: 'ful' is not an attention kind (expected full, sliding, mla, "
            "compressed, linear or none) (did you mean 'full'?)");
  EXPECT_EQ(error_of([] { parse_model_yaml_text("", "m.yaml"); }), "m.yaml: the file is empty");
  EXPECT_EQ(error_of([] { parse_model_yaml_text(std::string("id: \0x", 7), "m.yaml"); }),
            "m.yaml: binary data, not a YAML or JSON text");
  EXPECT_NE(error_of([] { parse_model_yaml_text("id: [unclosed", "m.yaml"); }).find("m.yaml: line 1: not valid YAML/JSON"),
            std::string::npos);
}

TEST(HfConfig, NemotronInfinityIsIgnoredButTypesAreChecked) {
  const std::string ok = R"({"model_type": "llama", "hidden_size": 64, "vocab_size": 100, "num_hidden_layers": 2,
    "num_attention_heads": 4, "intermediate_size": 128, "time_step_limit": [0.0, Infinity]})";
  EXPECT_EQ(import_hf_config_text(ok, "c.json").layers[0].count, 2);
  const std::string bad = R"({"model_type": "llama", "hidden_size": "wide", "vocab_size": 100})";
  EXPECT_EQ(error_of([&] { import_hf_config_text(bad, "c.json"); }), "c.json: hidden_size: 'wide' is not a finite number");
  EXPECT_EQ(error_of([] { import_hf_config_text(R"({"model_type": "bert"})", "c.json"); }).substr(0, 44),
            "c.json: model_type 'bert' is not supported (");
}

TEST(Hardware, MissingSourceIsAnError) {
  const std::string path = std::string(RIDGELINE_SOURCE_DIR) + "/hardware_profiles/m4-max-40c.yaml";
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  EXPECT_EQ(parse_hardware_yaml_text(text, "hw.yaml").id, "m4-max-40c");
  std::string no_source = text;
  const std::string from = "\"546 GB/s\", source:";
  no_source.replace(no_source.find(from), from.size(), "\"546 GB/s\", sorce:");
  EXPECT_EQ(error_of([&] { parse_hardware_yaml_text(no_source, "hw.yaml"); }), "hw.yaml: memory: bandwidth: missing required key 'source'");
}

namespace {
// Writes a minimal GGUF v3 header: architecture keys and two tensors.
void write_gguf(const std::string& path, uint64_t claimed_tensors, uint64_t name_length_override = 0) {
  std::ofstream f(path, std::ios::binary);
  auto u32 = [&](uint32_t v) { f.write(reinterpret_cast<const char*>(&v), 4); };
  auto u64 = [&](uint64_t v) { f.write(reinterpret_cast<const char*>(&v), 8); };
  auto str = [&](const std::string& s) { u64(name_length_override ? name_length_override : s.size()); f << s; };
  f << "GGUF";
  u32(3);
  u64(claimed_tensors);
  u64(6);
  auto kv_str = [&](const std::string& k, const std::string& v) { str(k); u32(8); str(v); };
  auto kv_u32 = [&](const std::string& k, uint32_t v) { str(k); u32(4); u32(v); };
  kv_str("general.architecture", "llama");
  kv_u32("llama.block_count", 2);
  kv_u32("llama.embedding_length", 64);
  kv_u32("llama.feed_forward_length", 128);
  kv_u32("llama.attention.head_count", 4);
  kv_u32("llama.attention.head_count_kv", 2);
  auto tensor = [&](const std::string& name, uint64_t d0, uint64_t d1, uint32_t type) {
    str(name); u32(2); u64(d0); u64(d1); u32(type); u64(0);
  };
  tensor("token_embd.weight", 64, 100, 1);       // F16
  tensor("blk.0.ffn_up.weight", 64, 128, 2);     // Q4_0
}
}  // namespace

TEST(Gguf, ReadsTheHeaderAndTensorSizes) {
  const std::string path = std::filesystem::temp_directory_path() / "ridgeline_test.gguf";
  write_gguf(path, 2);
  GgufInfo info = import_gguf(path);
  EXPECT_EQ(info.architecture, "llama");
  EXPECT_EQ(info.model.vocab, 100);
  EXPECT_EQ(info.model.layers[0].count, 2);
  EXPECT_EQ(info.model.layers[0].attention.kv_heads, 2);
  EXPECT_DOUBLE_EQ(info.weight_bytes, 64 * 100 * 2 + 64 * 128 / 32 * 18);
}

TEST(Gguf, LyingHeadersAreRejected) {
  const std::string path = std::filesystem::temp_directory_path() / "ridgeline_lying.gguf";
  write_gguf(path, 1000000);
  EXPECT_EQ(error_of([&] { import_gguf(path); }),
            path + ": header claims 1000000 tensors, more than the file can hold");
  write_gguf(path, 2, 1ULL << 40);
  EXPECT_NE(error_of([&] { import_gguf(path); }).find("truncated file or lying header"), std::string::npos);
}
