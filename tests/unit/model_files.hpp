#pragma once
// Writers of small model files for the model-source tests: GGUF headers with chosen tensor
// types, safetensors headers, and a minimal Llama config.json. Shapes are made up and tiny.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

namespace ridgeline::test {

struct TensorInfo {
  std::string name;
  uint64_t d0, d1;
  uint32_t ggml_type;  // 1 F16, 8 Q8_0, 12 Q4_K, 14 Q6_K
};
// The tensors the GGUF tests mix: an F16 embedding, and an MLP matrix at Q4_K or Q8_0.
inline const TensorInfo kEmbedF16{"token_embd.weight", 64, 100, 1};
inline const TensorInfo kUpQ4K{"blk.0.ffn_up.weight", 256, 128, 12};
inline const TensorInfo kUpQ8{"blk.0.ffn_up.weight", 64, 1024, 8};

// A GGUF v3 header for a 2-layer llama of hidden 64 (4 heads, 2 KV heads, MLP 128, vocab 100),
// with `general.file_type` when given and `filler_strings` 1 KiB strings (a tokenizer stand-in)
// to make the header as large as a test needs.
inline std::string gguf_header(std::optional<uint32_t> file_type, const std::vector<TensorInfo>& tensors,
                               size_t filler_strings = 0,
                               const std::vector<std::pair<std::string, uint32_t>>& extra_u32 = {}) {
  std::string b;
  auto raw = [&](const void* p, size_t n) { b.append(static_cast<const char*>(p), n); };
  auto u32 = [&](uint32_t v) { raw(&v, 4); };
  auto u64 = [&](uint64_t v) { raw(&v, 8); };
  auto str = [&](const std::string& s) { u64(s.size()); b += s; };
  b += "GGUF";
  u32(3);
  u64(tensors.size());
  u64(6 + (file_type ? 1 : 0) + (filler_strings ? 1 : 0) + extra_u32.size());
  auto kv_u32 = [&](const std::string& k, uint32_t v) { str(k); u32(4); u32(v); };
  str("general.architecture"); u32(8); str("llama");
  kv_u32("llama.block_count", 2);
  kv_u32("llama.embedding_length", 64);
  kv_u32("llama.feed_forward_length", 128);
  kv_u32("llama.attention.head_count", 4);
  kv_u32("llama.attention.head_count_kv", 2);
  if (file_type) kv_u32("general.file_type", *file_type);
  for (const auto& [key, value] : extra_u32) kv_u32(key, value);
  if (filler_strings) {
    str("tokenizer.ggml.tokens"); u32(9); u32(8); u64(filler_strings);
    for (size_t i = 0; i < filler_strings; ++i) str(std::string(1024, 'a'));
  }
  for (const auto& t : tensors) {
    str(t.name); u32(2); u64(t.d0); u64(t.d1); u32(t.ggml_type); u64(0);
  }
  return b;
}

inline void write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

// hidden 64, 2 layers, 4 heads of 16, 2 KV heads, MLP 128, vocab 100; `extra` is spliced in
// as more top-level keys (e.g. a quantization block).
inline std::string llama_config(const std::string& extra = "") {
  return R"({"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
 "num_key_value_heads": 2, "intermediate_size": 128, "vocab_size": 100, "max_position_embeddings": 4096)" +
         (extra.empty() ? "" : ", " + extra) + "}";
}

// A .safetensors file: header JSON for `json`, then `data_bytes` zero bytes.
inline std::string safetensors(const std::string& json, uint64_t data_bytes) {
  std::string b(8, '\0');
  uint64_t n = json.size();
  for (int i = 0; i < 8; ++i) b[static_cast<size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
  return b + json + std::string(static_cast<size_t>(data_bytes), '\0');
}

// A fresh empty temporary folder for one test, removed when the test process ends.
inline std::filesystem::path fresh_dir(const std::string& name) {
  struct Cleanup {
    std::vector<std::filesystem::path> dirs;
    ~Cleanup() {
      std::error_code ec;
      for (const auto& d : dirs) std::filesystem::remove_all(d, ec);
    }
  };
  static Cleanup cleanup;
  auto dir = std::filesystem::temp_directory_path() / ("ridgeline-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  cleanup.dirs.push_back(dir);
  return dir;
}

}  // namespace ridgeline::test
