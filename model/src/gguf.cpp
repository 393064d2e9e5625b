// GGUF metadata header reader (format: github.com/ggml-org/ggml docs/gguf.md). Reads the
// key/value section and tensor infos only. Every length and count is checked against the bytes
// left in the file before it is used, so a lying header is an error, never an overread.
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <variant>

#include "ridgeline/error.hpp"
#include "ridgeline/file_read.hpp"
#include "ridgeline/importers.hpp"
#include "ridgeline/quant.hpp"

namespace ridgeline {

namespace {

// llama_ftype id -> the file type name llama.cpp prints.
const char* file_type_name(uint32_t ft) {
  static const std::map<uint32_t, const char*> t = {
      {0, "F32"}, {1, "F16"}, {2, "Q4_0"}, {3, "Q4_1"}, {7, "Q8_0"}, {8, "Q5_0"}, {9, "Q5_1"},
      {10, "Q2_K"}, {11, "Q3_K_S"}, {12, "Q3_K_M"}, {13, "Q3_K_L"}, {14, "Q4_K_S"},
      {15, "Q4_K_M"}, {16, "Q5_K_S"}, {17, "Q5_K_M"}, {18, "Q6_K"}, {19, "IQ2_XXS"},
      {20, "IQ2_XS"}, {21, "Q2_K_S"}, {22, "IQ3_XS"}, {23, "IQ3_XXS"}, {24, "IQ1_S"},
      {25, "IQ4_NL"}, {26, "IQ3_S"}, {27, "IQ3_M"}, {28, "IQ2_S"}, {29, "IQ2_M"},
      {30, "IQ4_XS"}, {31, "IQ1_M"}, {32, "BF16"}, {36, "TQ1_0"}, {37, "TQ2_0"}, {38, "MXFP4_MOE"}};
  auto it = t.find(ft);
  return it == t.end() ? "unknown" : it->second;
}

using Value = std::variant<long long, double, std::string, std::vector<long long>>;

// Reads the header from a stream holding the first `available` bytes of a file of `file_size`
// bytes: the whole file when local, a prefix fetched by range request when remote. A read past
// the prefix but inside the file raises GgufNeedsMore so the caller can fetch more.
class Reader {
 public:
  Reader(std::istream& in, uint64_t available, uint64_t file_size, std::string label)
      : in_(in), available_(available), size_(file_size), path_(std::move(label)) {}
  uint64_t left() const { return size_ - pos_; }
  void need(uint64_t n, const char* what) {
    if (n > left())
      throw InputError("{}: header claims {} needing {} bytes at offset {}, but only {} bytes remain "
                       "(truncated file or lying header)", path_, what, n, pos_, left());
    if (pos_ + n > kMaxGgufHeaderBytes)
      throw InputError("{}: the header runs past {} bytes at {}; no model's header is that large", path_,
                       kMaxGgufHeaderBytes, what);
    if (n > available_ - pos_) throw GgufNeedsMore{pos_ + n};
  }
  template <typename T>
  T get(const char* what) {
    need(sizeof(T), what);
    T v;
    in_.read(reinterpret_cast<char*>(&v), sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  std::string string(const char* what) {
    uint64_t n = get<uint64_t>(what);
    if (n > kMaxGgufString && n <= left())
      throw InputError("{}: {} of {} bytes at offset {} is longer than any GGUF header string "
                       "(at most {} bytes)", path_, what, n, pos_, kMaxGgufString);
    need(n, what);
    std::string s(static_cast<size_t>(n), '\0');
    in_.read(s.data(), static_cast<std::streamsize>(n));
    pos_ += n;
    return s;
  }
  void skip(uint64_t n, const char* what) {
    need(n, what);
    in_.seekg(static_cast<std::streamoff>(n), std::ios::cur);
    pos_ += n;
  }
  const std::string& path() const { return path_; }

 private:
  // A key or tensor name, or one tokenizer string: far below this in every real file.
  static constexpr uint64_t kMaxGgufString = 1 << 20;
  std::istream& in_;
  uint64_t available_ = 0;
  uint64_t size_ = 0;
  uint64_t pos_ = 0;
  std::string path_;
};

size_t scalar_size(uint32_t type) {
  switch (type) {
    case 0: case 1: case 7: return 1;
    case 2: case 3: return 2;
    case 4: case 5: case 6: return 4;
    case 10: case 11: case 12: return 8;
    default: return 0;
  }
}

Value read_scalar(Reader& r, uint32_t type, const std::string& key) {
  switch (type) {
    case 0: return static_cast<long long>(r.get<uint8_t>(key.c_str()));
    case 1: return static_cast<long long>(r.get<int8_t>(key.c_str()));
    case 2: return static_cast<long long>(r.get<uint16_t>(key.c_str()));
    case 3: return static_cast<long long>(r.get<int16_t>(key.c_str()));
    case 4: return static_cast<long long>(r.get<uint32_t>(key.c_str()));
    case 5: return static_cast<long long>(r.get<int32_t>(key.c_str()));
    case 6: return static_cast<double>(r.get<float>(key.c_str()));
    case 7: return static_cast<long long>(r.get<uint8_t>(key.c_str()));
    case 8: return r.string(key.c_str());
    case 10: return static_cast<long long>(r.get<uint64_t>(key.c_str()));
    case 11: return static_cast<long long>(r.get<int64_t>(key.c_str()));
    case 12: return r.get<double>(key.c_str());
    default:
      throw InputError("{}: key '{}' has unknown value type {} (expected 0-12)", r.path(), key, type);
  }
}

Value read_value(Reader& r, uint32_t type, const std::string& key) {
  if (type != 9) return read_scalar(r, type, key);
  uint32_t elem = r.get<uint32_t>(key.c_str());
  uint64_t count = r.get<uint64_t>(key.c_str());
  if (elem == 9) throw InputError("{}: key '{}' is a nested array (not used by GGUF models)", r.path(), key);
  if (elem == 8) {  // strings: at least 8 bytes each; only the count is kept
    if (count > r.left() / 8) r.need(count * 8, key.c_str());
    for (uint64_t i = 0; i < count; ++i) r.skip(r.get<uint64_t>(key.c_str()), key.c_str());
    return std::vector<long long>{static_cast<long long>(count)};
  }
  size_t size = scalar_size(elem);
  if (size == 0) throw InputError("{}: key '{}' has unknown array element type {}", r.path(), key, elem);
  if (count > r.left() / size) r.need(count * size, key.c_str());
  std::vector<long long> out;
  if (count > 4096) {  // large numeric arrays (token types, scores) are not needed
    r.skip(count * size, key.c_str());
    return std::vector<long long>{static_cast<long long>(count)};
  }
  for (uint64_t i = 0; i < count; ++i) {
    Value v = read_scalar(r, elem, key);
    out.push_back(std::holds_alternative<long long>(v) ? std::get<long long>(v)
                                                       : static_cast<long long>(std::get<double>(v)));
  }
  return out;
}

class Meta {
 public:
  Meta(std::map<std::string, Value> kv, std::string path, std::string arch)
      : kv_(std::move(kv)), path_(std::move(path)), arch_(std::move(arch)) {}
  bool has(const std::string& k) const { return kv_.count(arch_ + "." + k) > 0; }
  // Whether the key holds one value per layer (an array), not one for all.
  bool per_layer(const std::string& k) const {
    auto it = kv_.find(arch_ + "." + k);
    return it != kv_.end() && std::holds_alternative<std::vector<long long>>(it->second);
  }
  // A per-layer value: a scalar, or an array indexed by layer (llama.cpp writes both forms).
  long long at(const std::string& k, size_t layer, long long fallback = -1) const {
    auto it = kv_.find(arch_ + "." + k);
    if (it == kv_.end()) {
      if (fallback >= 0) return fallback;
      throw InputError("{}: missing required key '{}.{}'", path_, arch_, k);
    }
    long long v = -1;
    if (auto p = std::get_if<long long>(&it->second)) v = *p;
    else if (auto a = std::get_if<std::vector<long long>>(&it->second); a && !a->empty())
      v = layer < a->size() ? (*a)[layer] : a->back();
    if (v < 0 || v > (1LL << 32))
      throw InputError("{}: key '{}.{}' has out-of-range value {}", path_, arch_, k, v);
    return v;
  }

 private:
  std::map<std::string, Value> kv_;
  std::string path_, arch_;
};

GgufInfo read_gguf_header(std::istream& in, uint64_t available, uint64_t file_size, const std::string& path) {
  if (file_size == 0) throw InputError("{}: the file is empty; expected a GGUF model", path);
  if (file_size < 4) throw InputError("{}: not a GGUF file ({} bytes, shorter than the GGUF magic)", path, file_size);
  Reader r(in, available, file_size, path);
  char magic[4];
  for (char& c : magic) c = static_cast<char>(r.get<uint8_t>("magic"));
  if (std::memcmp(magic, "GGUF", 4) != 0) throw InputError("{}: not a GGUF file (bad magic)", path);
  uint32_t version = r.get<uint32_t>("version");
  if (version < 2 || version > 3)
    throw InputError("{}: GGUF version {} is not supported (expected 2 or 3)", path, version);
  uint64_t tensors = r.get<uint64_t>("tensor count");
  uint64_t kv_count = r.get<uint64_t>("metadata count");
  if (kv_count > r.left() / 12)
    throw InputError("{}: header claims {} metadata entries, more than the file can hold", path, kv_count);
  if (tensors > r.left() / 24)
    throw InputError("{}: header claims {} tensors, more than the file can hold", path, tensors);
  std::map<std::string, Value> kv;
  for (uint64_t i = 0; i < kv_count; ++i) {
    std::string key = r.string("metadata key");
    uint32_t type = r.get<uint32_t>(key.c_str());
    kv[key] = read_value(r, type, key);
  }
  GgufInfo info;
  auto arch_it = kv.find("general.architecture");
  if (arch_it == kv.end() || !std::holds_alternative<std::string>(arch_it->second))
    throw InputError("{}: missing required key 'general.architecture'", path);
  info.architecture = std::get<std::string>(arch_it->second);
  if (auto ft = kv.find("general.file_type"); ft != kv.end() && std::holds_alternative<long long>(ft->second))
    info.file_type = file_type_name(static_cast<uint32_t>(std::get<long long>(ft->second)));
  info.tensor_count = static_cast<long long>(tensors);
  long long vocab_rows = 0, per_layer_rows = 0;
  // Norms beyond a Llama layer's two, told by the tensors a block carries (llama.cpp's names).
  std::set<std::string> qk_norm_blocks, post_norm_blocks;
  // Blocks with a key product and with a value product: one without the second caches K as V
  // (Gemma 4's attention_k_eq_v full layers have no attn_v tensor).
  std::set<std::string> key_blocks, value_blocks;
  for (uint64_t i = 0; i < tensors; ++i) {
    std::string name = r.string("tensor name");
    uint32_t dims = r.get<uint32_t>("tensor dims");
    if (dims == 0 || dims > 4) throw InputError("{}: tensor '{}' has {} dimensions (expected 1-4)", path, name, dims);
    double elements = 1;
    std::vector<uint64_t> shape;
    for (uint32_t d = 0; d < dims; ++d) {
      uint64_t n = r.get<uint64_t>("tensor shape");
      if (n == 0 || n > (1ULL << 40)) throw InputError("{}: tensor '{}' has dimension {}", path, name, n);
      shape.push_back(n);
      elements *= static_cast<double>(n);
    }
    uint32_t type = r.get<uint32_t>("tensor type");
    r.get<uint64_t>("tensor offset");
    const GgmlType* t = find_ggml_type(type);
    if (!t) throw InputError("{}: tensor '{}' has unknown ggml type {}", path, name, type);
    const double bytes = elements / t->block_weights * t->block_bytes;
    info.tensor_params += elements;
    info.weight_bytes += bytes;
    info.type_bytes[t->name] += bytes;
    if (name == "token_embd.weight" && shape.size() == 2) vocab_rows = static_cast<long long>(shape[1]);
    if (name == "per_layer_token_embd.weight" && shape.size() == 2) per_layer_rows = static_cast<long long>(shape[1]);
    if (name.starts_with("blk.")) {
      const std::string block = name.substr(0, name.find('.', 4));  // "blk.12"
      if (name.ends_with(".attn_q_norm.weight")) qk_norm_blocks.insert(block);
      if (name.ends_with(".attn_k.weight")) key_blocks.insert(block);
      if (name.ends_with(".attn_v.weight")) value_blocks.insert(block);
      if (name.ends_with(".post_attention_norm.weight") || name.ends_with(".post_ffw_norm.weight"))
        post_norm_blocks.insert(block);
    }
  }

  for (const auto& [type, bytes] : info.type_bytes)
    if (info.majority_type.empty() || bytes > info.type_bytes[info.majority_type]) info.majority_type = type;
  if (auto sc = kv.find("split.count"); sc != kv.end() && std::holds_alternative<long long>(sc->second))
    info.split_count = std::get<long long>(sc->second);
  Meta meta(kv, path, info.architecture);
  ModelSpec& m = info.model;
  m.id = info.architecture;
  m.name = path;
  m.source = path + " (GGUF header)";
  m.hidden = meta.at("embedding_length", 0);
  m.max_context = meta.at("context_length", 0, 0);
  m.vocab = vocab_rows > 0 ? vocab_rows : meta.at("vocab_size", 0);
  m.tied_embeddings = false;
  const size_t layers = static_cast<size_t>(meta.at("block_count", 0));
  if (layers == 0 || layers > 100000) throw InputError("{}: block_count {} is out of range", path, layers);
  const long long window = meta.at("attention.sliding_window", 0, 0);
  const std::string& arch = info.architecture;
  // Gemma 4 E2B/E4B (llama.cpp's gemma4 keys): per-layer inputs, and the last shared_kv_layers
  // layers attending over an earlier layer's cache (n_layer_kv_from_start = layers - shared).
  if (meta.has("embedding_length_per_layer_input")) {
    const long long width = meta.at("embedding_length_per_layer_input", 0, 0);
    if (width > (1LL << 24))
      throw InputError("{}: {}.embedding_length_per_layer_input {} is out of range (expected 0 to 16777216)", path, arch, width);
    m.per_layer_input = static_cast<int>(width);
    if (per_layer_rows > (1LL << 24))
      throw InputError("{}: per_layer_token_embd.weight has {} rows (expected at most 16777216)", path, per_layer_rows);
    m.per_layer_vocab = per_layer_rows > 0 ? per_layer_rows : m.vocab;
  }
  const long long shared_kv = meta.at("attention.shared_kv_layers", 0, 0);
  if (shared_kv >= static_cast<long long>(layers))
    throw InputError("{}: {}.attention.shared_kv_layers {} leaves none of {} layers to cache", path, arch, shared_kv, layers);
  for (size_t i = 0; i < layers; ++i) {
    AttentionSpec a;
    a.q_heads = static_cast<int>(meta.at("attention.head_count", i));
    a.kv_heads = static_cast<int>(meta.at("attention.head_count_kv", i, a.q_heads));
    if (a.q_heads == 0) {
      a.kind = AttentionKind::none;
    } else {
      a.head_dim = static_cast<int>(meta.at("attention.key_length", i, m.hidden / a.q_heads));
      a.v_head_dim = static_cast<int>(meta.at("attention.value_length", i, a.head_dim));
      if (meta.has("attention.kv_lora_rank")) {
        a.kind = AttentionKind::mla;
        a.kv_heads = 1;
        a.kv_lora_rank = static_cast<int>(meta.at("attention.kv_lora_rank", i));
        a.q_lora_rank = static_cast<int>(meta.at("attention.q_lora_rank", i, 0));
        a.rope_dim = static_cast<int>(meta.at("rope.dimension_count", i));
        a.head_dim = static_cast<int>(meta.at("attention.key_length_mla", i, a.head_dim));
        a.v_head_dim = static_cast<int>(meta.at("attention.value_length_mla", i, a.v_head_dim));
      } else if (window > 0) {
        // A per-layer pattern where the file has one (gemma4: true for a sliding layer), else the family's.
        bool sliding = meta.per_layer("attention.sliding_window_pattern") ? meta.at("attention.sliding_window_pattern", i) != 0
                       : (arch == "gemma2" || arch == "gpt-oss")          ? i % 2 == 0
                       : arch == "gemma3"                                 ? (i + 1) % 6 != 0
                                                                          : true;
        if (sliding) {
          a.kind = AttentionKind::sliding;
          a.window = static_cast<int>(window);
          // Sliding layers of their own width (gemma4: 256 where full layers have 512).
          a.head_dim = static_cast<int>(meta.at("attention.key_length_swa", i, a.head_dim));
          a.v_head_dim = static_cast<int>(meta.at("attention.value_length_swa", i, a.v_head_dim));
        }
      }
      a.kv_reused = (a.kind == AttentionKind::full || a.kind == AttentionKind::sliding) && shared_kv > 0 &&
                    static_cast<long long>(i) >= static_cast<long long>(layers) - shared_kv;
    }
    FfnSpec f;
    const long long experts = meta.at("expert_count", i, 0);
    const long long leading_dense = meta.at("leading_dense_block_count", 0, 0);
    if (experts > 0 && static_cast<long long>(i) >= leading_dense) {
      f.experts = static_cast<int>(experts);
      f.active_experts = static_cast<int>(meta.at("expert_used_count", i));
      f.expert_intermediate = meta.at("expert_feed_forward_length", i, meta.at("feed_forward_length", i));
      f.shared_experts = static_cast<int>(meta.at("expert_shared_count", i, 0));
      f.shared_intermediate = meta.at("expert_shared_feed_forward_length", i, f.expert_intermediate);
    } else {
      f.intermediate = meta.at("feed_forward_length", i);
    }
    if (a.kind == AttentionKind::full || a.kind == AttentionKind::sliding) {
      const std::string block = "blk." + std::to_string(i);
      a.qk_norm = qk_norm_blocks.count(block) > 0;
      a.post_norms = post_norm_blocks.count(block) > 0;
      a.kv_shared = key_blocks.count(block) > 0 && value_blocks.count(block) == 0;
    }
    append_layers(m, 1, a, f);
  }
  if (const auto g = reuse_without_source(m))
    throw InputError("{}: {}.attention.shared_kv_layers: layer group {} shares the KV of no earlier layer of its type and shape", path,
                     arch, *g);
  return info;
}

}  // namespace

GgufInfo import_gguf(const std::string& path) {
  const uint64_t size = regular_file_size(path, "a GGUF model");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("{}: cannot read the file ({})", path, std::strerror(errno));
  try {
    return read_gguf_header(in, size, size, path);
  } catch (const GgufNeedsMore&) {  // cannot happen when the whole file is available
    throw InputError("{}: the file changed while it was read", path);
  }
}

GgufInfo import_gguf_prefix(const std::string& bytes, uint64_t file_size, const std::string& label) {
  std::istringstream in(bytes);
  return read_gguf_header(in, bytes.size(), file_size, label);
}

}  // namespace ridgeline
