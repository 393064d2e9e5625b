// Models from where users keep them: GGUF files, model folders, safetensors headers, the
// Ollama store, and the quantization each implies. (The hf: network path: tests/network.)
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <tuple>

#include "helpers.hpp"
#include "model_files.hpp"
#include "ridgeline/file_read.hpp"
#include "ridgeline/importers.hpp"
#include "ridgeline/model_source.hpp"
#include "ridgeline/quant.hpp"
#include "ridgeline/strict_reader.hpp"

using namespace ridgeline;
using namespace ridgeline::test;
namespace fs = std::filesystem;

namespace {

ModelSource gguf_in(const fs::path& dir, const std::string& file, std::optional<uint32_t> ft,
                    const std::vector<TensorInfo>& tensors) {
  write_file(dir / file, gguf_header(ft, tensors));
  return load_model_source((dir / file).string());
}
}  // namespace

TEST(GgmlTypes, OneTableServesQuantWidthsAndKvDtypes) {
  EXPECT_DOUBLE_EQ(ggml_type("Q4_K").bpw(), 8.0 * 144 / 256);
  EXPECT_DOUBLE_EQ(find_quantization("q6_k").matrix_bpw, 8.0 * 210 / 256);
  EXPECT_DOUBLE_EQ(find_kv_dtype("q8_0").bytes_per_element, 34.0 / 32);
  EXPECT_EQ(find_ggml_type(39)->name, std::string("MXFP4"));
  EXPECT_EQ(find_ggml_type(4), nullptr);  // Q4_2 was removed from ggml
}

TEST(GgufSource, FileTypeGivesTheQuantizationAndTheBytesAreExact) {
  const fs::path dir = fresh_dir("gguf-ft");
  ModelSource s = gguf_in(dir, "Tiny-Q4_K_M.gguf", 15, {kEmbedF16, kUpQ4K});  // 15 = LLAMA_FTYPE_MOSTLY_Q4_K_M
  EXPECT_EQ(s.quant, "q4_k_m");
  EXPECT_TRUE(s.quant_is_file_type);
  EXPECT_EQ(s.model.name, "Tiny-Q4_K_M");
  ASSERT_TRUE(s.file_weight_bytes);
  EXPECT_DOUBLE_EQ(*s.file_weight_bytes, 64 * 100 * 2 + 256 * 128 / 256 * 144);
}

TEST(GgufSource, WithoutFileTypeTheFileNameThenTheMajorityTensorTypeDecide) {
  const fs::path dir = fresh_dir("gguf-noft");
  EXPECT_EQ(gguf_in(dir, "tiny-Q6_K.gguf", std::nullopt, {kEmbedF16, kUpQ8}).quant, "q6_k");
  // F16 embedding 64*100*2 = 12800 bytes < Q8_0 matrix 64*1024/32*34 = 69632 bytes.
  ModelSource s = gguf_in(dir, "tiny.gguf", std::nullopt, {kEmbedF16, kUpQ8});
  EXPECT_EQ(s.quant, "q8_0");
  EXPECT_NE(s.quant_origin.find("Q8_0"), std::string::npos);
  // A mostly-Q4_K file without a file type is taken as the usual Q4_K_M mix, said in a note.
  ModelSource k = gguf_in(dir, "tiny.gguf", std::nullopt, {kEmbedF16, kUpQ4K});
  EXPECT_EQ(k.quant, "q4_k_m");
  EXPECT_FALSE(k.quant_is_file_type);
  EXPECT_EQ(k.notes.size(), 1u);
}

TEST(GgufSource, UnslothDynamicNamesWinOverTheFileTypeTheyShare) {
  const fs::path dir = fresh_dir("gguf-ud");
  EXPECT_EQ(gguf_in(dir, "Qwen3-8B-UD-Q4_K_XL.gguf", 15, {kEmbedF16, kUpQ4K}).quant, "ud-q4_k_xl");
  ModelSource s = gguf_in(dir, "tiny-Q8_0.gguf", 15, {kEmbedF16, kUpQ4K});  // the name lies: header wins
  EXPECT_EQ(s.quant, "q4_k_m");
  ASSERT_EQ(s.notes.size(), 1u);
  EXPECT_NE(s.notes[0].find("the header is used"), std::string::npos);
}

TEST(GgufSource, AFileTypeTheTableLacksIsSaidNotGuessed) {
  const fs::path dir = fresh_dir("gguf-tq1");
  ModelSource s = gguf_in(dir, "tiny.gguf", 36, {kEmbedF16, kUpQ4K});  // 36 = TQ1_0 (ternary)
  EXPECT_EQ(s.quant, "");
  EXPECT_EQ(s.unknown_quant, "tiny.gguf: GGUF general.file_type TQ1_0");
  EXPECT_EQ(gguf_in(dir, "tiny-iq3m.gguf", 27, {kEmbedF16, kUpQ4K}).quant, "iq3_m");  // 27 = IQ3_M
}

TEST(GgufSource, OneFileOfASplitGgufGivesShapesButNoWeightBytes) {
  const fs::path dir = fresh_dir("gguf-split");
  write_file(dir / "tiny-Q4_K_M-00001-of-00003.gguf", gguf_header(15, {kEmbedF16, kUpQ4K}, 0, {{"split.count", 3}}));
  ModelSource s = load_model_source((dir / "tiny-Q4_K_M-00001-of-00003.gguf").string());
  EXPECT_EQ(s.quant, "q4_k_m");
  EXPECT_EQ(s.model.layers[0].count, 2);
  EXPECT_FALSE(s.file_weight_bytes);
  ASSERT_EQ(s.notes.size(), 1u);
  EXPECT_NE(s.notes[0].find("3-file split GGUF"), std::string::npos);
}

TEST(GgufSource, EmptyShortAndNonRegularFilesAreRefusedByName) {
  const fs::path dir = fresh_dir("gguf-bad");
  write_file(dir / "empty.gguf", "");
  EXPECT_EQ(error_of([&] { load_model_source((dir / "empty.gguf").string()); }),
            (dir / "empty.gguf").string() + ": the file is empty; expected a GGUF model");
  write_file(dir / "short.gguf", "GG");
  EXPECT_EQ(error_of([&] { load_model_source((dir / "short.gguf").string()); }),
            (dir / "short.gguf").string() + ": not a GGUF file (2 bytes, shorter than the GGUF magic)");
  EXPECT_EQ(error_of([&] { import_gguf("/dev/zero"); }),
            "/dev/zero: not a regular file (a device, pipe or socket); expected a GGUF model");
  EXPECT_EQ(error_of([&] { read_text_file(dir.string()); }),
            dir.string() + ": is a folder; expected a YAML, JSON or text file");
}

TEST(GgufSource, AHeaderPrefixAsksForMoreBytesUntilItParses) {
  const std::string header = gguf_header(15, {kEmbedF16, kUpQ4K}, 4);
  const uint64_t file_size = header.size() + 1000;  // weights follow the header
  EXPECT_THROW(import_gguf_prefix(header.substr(0, 100), file_size, "remote"), GgufNeedsMore);
  EXPECT_EQ(import_gguf_prefix(header, file_size, "remote").file_type, "Q4_K_M");
  // The same prefix as the whole file: it ends inside the header, which is an error, not a request.
  // 6 + file_type + tokens = 8 entries of at least 12 bytes do not fit the 100 - 24 bytes after the counts.
  EXPECT_EQ(error_of([&] { import_gguf_prefix(header.substr(0, 100), 100, "remote"); }),
            "remote: header claims 8 metadata entries, more than the file can hold");
}

TEST(GgufSource, AHeaderClaimingMoreThanAnyModelNeedsIsRefusedWithoutReadingIt) {
  // A 400 MB sparse file whose header claims an array of 40M uint64 (320 MB) under one key.
  const fs::path dir = fresh_dir("gguf-huge");
  std::string h;
  auto raw = [&](const void* p, size_t n) { h.append(static_cast<const char*>(p), n); };
  auto u32 = [&](uint32_t v) { raw(&v, 4); };
  auto u64 = [&](uint64_t v) { raw(&v, 8); };
  h += "GGUF";
  u32(3); u64(0); u64(1);
  u64(3); h += "big"; u32(9); u32(10); u64(40'000'000);
  write_file(dir / "huge.gguf", h);
  fs::resize_file(dir / "huge.gguf", 400'000'000);
  EXPECT_EQ(error_of([&] { import_gguf((dir / "huge.gguf").string()); }),
            (dir / "huge.gguf").string() + ": the header runs past 268435456 bytes at big; no model's header is that large");
  fs::remove_all(dir);
}

TEST(TextFiles, ReadsAreCapped) {
  const fs::path dir = fresh_dir("cap");
  write_file(dir / "big.yaml", std::string(1000, 'a'));
  EXPECT_EQ(error_of([&] { read_file_capped((dir / "big.yaml").string(), 999, "a test file"); }),
            (dir / "big.yaml").string() + ": 1000 bytes is larger than a test file can be (at most 999 bytes)");
  EXPECT_EQ(read_file_capped((dir / "big.yaml").string(), 1000, "a test file").size(), 1000u);
}

namespace {
ModelSource quant_of(const std::string& extra) {
  ModelSource s;
  quantization_from_hf_config(llama_config(extra), "config.json", s);
  return s;
}
}  // namespace

TEST(HfQuantization, MlxAndTransformersBlocksMapToTheTable) {
  EXPECT_EQ(quant_of(R"("quantization": {"group_size": 64, "bits": 4, "mode": "affine"})").quant, "mlx-4bit");
  EXPECT_EQ(quant_of(R"("quantization": {"group_size": 32, "bits": 4})").quant, "mlx-4bit-g32");
  EXPECT_EQ(quant_of(R"("quantization": {"group_size": 64, "bits": 8})").quant, "mlx-8bit");
  EXPECT_EQ(quant_of(R"("quantization_config": {"quant_method": "fp8", "weight_block_size": [128, 128]})").quant, "fp8");
  EXPECT_EQ(quant_of(R"("quantization_config": {"quant_method": "mxfp4"})").quant, "mxfp4");
  EXPECT_EQ(quant_of(R"("quantization_config": {"quant_method": "modelopt", "quant_algo": "NVFP4"})").quant, "nvfp4");
  EXPECT_EQ(quant_of(R"("quantization_config": {"quant_method": "compressed-tensors", "config_groups":
      {"group_0": {"weights": {"num_bits": 8, "type": "float"}}}})").quant, "fp8");
  EXPECT_EQ(quant_of(R"("torch_dtype": "bfloat16")").quant, "bf16");
  EXPECT_EQ(quant_of("").quant, "");
}

TEST(HfQuantization, PerLayerOverridesAreNotedAndUnknownFormatsSaid) {
  ModelSource mixed = quant_of(R"("quantization": {"group_size": 64, "bits": 4,
      "model.layers.0.mlp.gate": {"group_size": 64, "bits": 8}, "lm_head": false})");
  EXPECT_EQ(mixed.quant, "mlx-4bit");
  ASSERT_EQ(mixed.notes.size(), 1u);
  EXPECT_NE(mixed.notes[0].find("2 modules"), std::string::npos);
  EXPECT_EQ(quant_of(R"("quantization_config": {"quant_method": "gptq", "bits": 4})").unknown_quant,
            "config.json: quantization_config: gptq 4-bit");
  EXPECT_EQ(quant_of(R"("quantization": {"group_size": 32, "bits": 3})").quant, "mlx-3bit-g32");
  EXPECT_EQ(quant_of(R"("quantization": {"group_size": 32, "bits": 7})").unknown_quant,
            "config.json: quantization: MLX affine 7-bit group 32");
  EXPECT_EQ(quant_of(R"("quantization": {"group_size": 128, "bits": 4})").unknown_quant,
            "config.json: quantization: MLX affine 4-bit group 128");
  EXPECT_EQ(quant_of(R"("quantization_config": {"quant_method": "compressed-tensors", "config_groups":
      {"group_0": {"weights": {"num_bits": 4, "type": "int", "group_size": 128}}}})").unknown_quant,
            "config.json: quantization_config: compressed-tensors 4-bit int");
  EXPECT_EQ(error_of([] { quant_of(R"("quantization": {"bits": 4.5})"); }),
            "config.json: quantization: bits: 4.5 is not a whole number");
  EXPECT_EQ(error_of([] { quant_of(R"("quantization": {"bits": "four"})"); }),
            "config.json: quantization: bits: 'four' is not a finite number");
}

TEST(Safetensors, HeaderBytesAreCheckedAgainstShapesAndFile) {
  const std::string ok = R"({"__metadata__": {"format": "mlx"}, "a": {"dtype": "BF16", "shape": [4, 8], "data_offsets": [0, 64]},
      "b": {"dtype": "U32", "shape": [4, 2], "data_offsets": [64, 96]}})";
  SafetensorsInfo info = parse_safetensors_header(ok, 96, "x.safetensors");
  EXPECT_DOUBLE_EQ(info.tensor_bytes, 4 * 8 * 2 + 4 * 2 * 4);
  EXPECT_EQ(info.majority_dtype, "BF16");
  EXPECT_EQ(error_of([&] { parse_safetensors_header(ok, 90, "x.safetensors"); }),
            "x.safetensors: tensor 'b': data_offsets[1]: 96 is out of range (expected 0 to 90)");
  const std::string lying = R"({"a": {"dtype": "F32", "shape": [4, 8], "data_offsets": [0, 64]}})";
  EXPECT_EQ(error_of([&] { parse_safetensors_header(lying, 64, "x.safetensors"); }),
            "x.safetensors: tensor 'a': 32 x 4 bytes of F32 disagree with its data_offsets span of 64 bytes");
  const fs::path dir = fresh_dir("st");
  std::string file = safetensors(ok, 96);
  file[5] = '\x7f';  // a header length of ~2^47
  write_file(dir / "bad.safetensors", file);
  EXPECT_NE(error_of([&] { read_safetensors_header((dir / "bad.safetensors").string()); })
                .find("is beyond the file's"), std::string::npos);
}

TEST(ModelFolder, ConfigQuantizationAndSafetensorsBytes) {
  const fs::path dir = fresh_dir("folder") / "Tiny-4bit";
  write_file(dir / "config.json", llama_config(R"("quantization": {"group_size": 64, "bits": 4})"));
  const std::string a = R"({"w": {"dtype": "U32", "shape": [16, 8], "data_offsets": [0, 512]}})";
  const std::string b = R"({"s": {"dtype": "F16", "shape": [16], "data_offsets": [0, 32]}})";
  write_file(dir / "model-00001-of-00002.safetensors", safetensors(a, 512));
  write_file(dir / "model-00002-of-00002.safetensors", safetensors(b, 32));
  ModelSource s = load_model_source(dir.string() + "/");
  EXPECT_EQ(s.model.name, "Tiny-4bit");
  EXPECT_EQ(s.quant, "mlx-4bit");
  ASSERT_TRUE(s.file_weight_bytes);
  EXPECT_DOUBLE_EQ(*s.file_weight_bytes, 16 * 8 * 4 + 16 * 2);
  // An index naming a shard that is not there: its total_size stands in.
  write_file(dir / "model.safetensors.index.json", R"({"metadata": {"total_size": 12345},
      "weight_map": {"w": "model-00001-of-00002.safetensors", "x": "model-00003-of-00003.safetensors"}})");
  EXPECT_DOUBLE_EQ(*load_model_source(dir.string()).file_weight_bytes, 12345);
}

TEST(ModelFolder, AHuggingFaceCacheSnapshotIsNamedAfterItsRepository) {
  const fs::path dir = fresh_dir("hf-hub") / "models--org--Tiny-8bit" / "snapshots" / "0123abcd";
  write_file(dir / "config.json", llama_config(R"("quantization": {"group_size": 64, "bits": 8})"));
  ModelSource s = load_model_source(dir.string());
  EXPECT_EQ(s.model.name, "Tiny-8bit");
  EXPECT_EQ(s.quant, "mlx-8bit");
}

TEST(ModelFolder, WithoutConfigOneGgufIsReadAndOtherwiseItSaysWhy) {
  const fs::path dir = fresh_dir("folder-gguf");
  EXPECT_EQ(error_of([&] { load_model_source(dir.string()); }),
            dir.string() + ": no config.json in the folder; expected a Hugging Face or MLX model folder");
  write_file(dir / "tiny-Q4_K_M.gguf", gguf_header(15, {kEmbedF16, kUpQ4K}));
  EXPECT_EQ(load_model_source(dir.string()).quant, "q4_k_m");
}

namespace {
// A store with one model, qwen-tiny:q4, and its manifest as `manifest` (the layer digest filled in).
fs::path fake_ollama_store(const std::string& manifest_template) {
  const fs::path store = fresh_dir("ollama");
  const std::string hex(64, 'a');
  write_file(store / "blobs" / ("sha256-" + hex), gguf_header(15, {kEmbedF16, kUpQ4K}));
  std::string manifest = manifest_template;
  if (auto at = manifest.find("HEX"); at != std::string::npos) manifest.replace(at, 3, hex);
  write_file(store / "manifests/registry.ollama.ai/library/qwen-tiny/q4", manifest);
  ::setenv("OLLAMA_MODELS", store.c_str(), 1);
  return store;
}
const char* kManifest = R"({"schemaVersion": 2, "layers": [
  {"mediaType": "application/vnd.ollama.image.template", "digest": "sha256:0000"},
  {"mediaType": "application/vnd.ollama.image.model", "digest": "sha256:HEX", "size": 1}]})";
}  // namespace

TEST(OllamaStore, ManifestLeadsToTheGgufBlob) {
  const fs::path store = fake_ollama_store(kManifest);
  ModelSource s = load_model_source("ollama:qwen-tiny:q4");
  EXPECT_EQ(s.model.name, "qwen-tiny:q4");
  EXPECT_EQ(s.quant, "q4_k_m");
  EXPECT_TRUE(is_model_source("qwen-tiny:q4"));     // a bare tag present in the store
  EXPECT_FALSE(is_model_source("qwen-tiny:q8"));    // absent: left to the catalog
  EXPECT_FALSE(is_model_source("qwen-tiny"));       // no tag: the catalog's name
  EXPECT_EQ(load_model_source("qwen-tiny:q4").model.layers[0].count, 2);
  EXPECT_EQ(error_of([] { load_model_source("ollama:qwen-tiny"); }),
            "ollama:qwen-tiny: not in the Ollama store " + store.string() +
                " (no manifest for it; `ollama list` shows what is there)");
  EXPECT_FALSE(find_ollama_blob("../../etc:passwd"));  // never a path outside the store
  ::unsetenv("OLLAMA_MODELS");
}

TEST(OllamaStore, NamespacedAndHubNamesMapToTheirManifestFolders) {
  const fs::path store = fake_ollama_store(kManifest);
  const std::string hex(64, 'a');
  std::string manifest = kManifest;
  manifest.replace(manifest.find("HEX"), 3, hex);
  write_file(store / "manifests/registry.ollama.ai/someone/tiny/latest", manifest);
  write_file(store / "manifests/hf.co/org/Tiny-GGUF/Q4_K_M", manifest);
  const std::string blob = (store / "blobs" / ("sha256-" + hex)).string();
  EXPECT_EQ(find_ollama_blob("someone/tiny"), blob);  // no tag: latest
  EXPECT_EQ(find_ollama_blob("hf.co/org/Tiny-GGUF:Q4_K_M"), blob);
  EXPECT_EQ(load_model_source("ollama:hf.co/org/Tiny-GGUF:Q4_K_M").quant, "q4_k_m");
  ::unsetenv("OLLAMA_MODELS");
}

TEST(OllamaStore, BadManifestsAreOneLineErrors) {
  const fs::path store = fake_ollama_store(R"({"layers": [{"mediaType": "application/vnd.ollama.image.model", "digest": "sha256:xyz"}]})");
  const std::string manifest = (store / "manifests/registry.ollama.ai/library/qwen-tiny/q4").string();
  EXPECT_EQ(error_of([] { load_model_source("ollama:qwen-tiny:q4"); }),
            manifest + ": layers[0]: digest 'sha256:xyz' is not 'sha256:' and 64 lower-case hex digits");
  fake_ollama_store(R"({"layers": []})");
  EXPECT_EQ(error_of([] { load_model_source("ollama:qwen-tiny:q4"); }),
            manifest + ": no layer of mediaType 'application/vnd.ollama.image.model' (not a model manifest)");
  std::string missing_blob = kManifest;
  missing_blob.replace(missing_blob.find("HEX"), 3, std::string(64, 'b'));
  fake_ollama_store(missing_blob);
  EXPECT_NE(error_of([] { load_model_source("ollama:qwen-tiny:q4"); }).find("which is not in the store"),
            std::string::npos);
  ::unsetenv("OLLAMA_MODELS");
}

// A Gemma 4 E-model GGUF header (llama.cpp's gemma4 keys): a per-layer sliding pattern, sliding
// layers of their own width, the last shared_kv_layers layers reusing a cache, per-layer inputs.
TEST(GgufSource, Gemma4HeaderLaysOutSharedKvAndPerLayerInputs) {
  std::string b;
  auto raw = [&](const void* p, size_t n) { b.append(static_cast<const char*>(p), n); };
  auto u32 = [&](uint32_t v) { raw(&v, 4); };
  auto u64 = [&](uint64_t v) { raw(&v, 8); };
  auto str = [&](const std::string& s) { u64(s.size()); b += s; };
  auto kv_u32 = [&](const std::string& k, uint32_t v) { str(k); u32(4); u32(v); };
  auto kv_array = [&](const std::string& k, uint32_t type, const std::vector<uint32_t>& values) {
    str(k); u32(9); u32(type); u64(values.size());
    for (uint32_t v : values) type == 7 ? raw(&v, 1) : u32(v);  // 7: bool (one byte), 4: uint32
  };
  b += "GGUF";
  u32(3);
  u64(6);   // tensors
  u64(14);  // metadata entries
  str("general.architecture"); u32(8); str("gemma4");
  kv_u32("gemma4.block_count", 5);
  kv_u32("gemma4.embedding_length", 64);
  kv_array("gemma4.feed_forward_length", 4, {96, 96, 96, 192, 192});
  kv_u32("gemma4.attention.head_count", 4);
  kv_u32("gemma4.attention.head_count_kv", 2);
  kv_u32("gemma4.attention.key_length", 32);
  kv_u32("gemma4.attention.value_length", 32);
  kv_u32("gemma4.attention.key_length_swa", 16);
  kv_u32("gemma4.attention.value_length_swa", 16);
  kv_u32("gemma4.attention.sliding_window", 8);
  kv_array("gemma4.attention.sliding_window_pattern", 7, {1, 1, 0, 1, 0});
  kv_u32("gemma4.attention.shared_kv_layers", 2);
  kv_u32("gemma4.embedding_length_per_layer_input", 8);
  // Block 0 (sliding) has K and V products; blocks 2 and 4 (full) a K product alone: they cache K
  // as V (block 4 reads block 2's cache, whose layout it shares).
  for (const auto& [name, d0, d1] : {std::tuple<std::string, uint64_t, uint64_t>{"token_embd.weight", 64, 100},
                                     {"per_layer_token_embd.weight", 5 * 8, 50},
                                     {"blk.0.attn_k.weight", 64, 32}, {"blk.0.attn_v.weight", 64, 32},
                                     {"blk.2.attn_k.weight", 64, 64}, {"blk.4.attn_k.weight", 64, 64}}) {
    str(name); u32(2); u64(d0); u64(d1); u32(1); u64(0);
  }
  const ModelSpec m = import_gguf_prefix(b, b.size(), "g.gguf").model;
  ASSERT_EQ(m.layers.size(), 4u);  // sliding x2, full, then the two shared layers
  EXPECT_EQ(m.layers[0].count, 2);
  EXPECT_EQ(m.layers[0].attention.kind, AttentionKind::sliding);
  EXPECT_EQ(m.layers[0].attention.head_dim, 16);
  EXPECT_EQ(m.layers[1].attention.kind, AttentionKind::full);
  EXPECT_EQ(m.layers[1].attention.head_dim, 32);
  EXPECT_FALSE(m.layers[1].attention.kv_reused);
  EXPECT_TRUE(m.layers[1].attention.kv_shared);    // no attn_v in block 2
  EXPECT_FALSE(m.layers[0].attention.kv_shared);   // blocks 0 and 1: block 0 has both (block 1 states none)
  EXPECT_TRUE(m.layers[2].attention.kv_reused);
  EXPECT_EQ(m.layers[2].attention.kind, AttentionKind::sliding);
  EXPECT_EQ(m.layers[2].ffn.intermediate, 192);
  EXPECT_TRUE(m.layers[3].attention.kv_reused);
  EXPECT_EQ(m.per_layer_input, 8);
  EXPECT_EQ(m.per_layer_vocab, 50);
}
