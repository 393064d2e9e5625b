#pragma once
// Quantization formats: the storage width (bits per weight, block scales included) of each
// class of tensor. Norms, biases and MoE routers always stay at 16/32 bits (they are tiny);
// embeddings and the LM head often keep a wider type than the matrices.
#include <string>
#include <vector>

namespace ridgeline {

struct Quantization {
  std::string id;
  std::string description;
  std::string source;
  double matrix_bpw = 16;     // attention and dense MLP matrices
  double expert_bpw = 16;     // routed-expert matrices
  double embedding_bpw = 16;  // token embedding table
  double lm_head_bpw = 16;    // output projection
  bool approximate = false;   // the figure is an average over a mix of block types
  // Prefill dequantization class: runtimes name their per-format compute cost by this key.
  std::string kernel_class;
};

struct KvDtype {
  std::string id;
  double bytes_per_element = 2;
};

const Quantization& find_quantization(const std::string& id);  // throws InputError
const std::vector<Quantization>& quantizations();
const KvDtype& find_kv_dtype(const std::string& id);  // throws InputError
const std::vector<KvDtype>& kv_dtypes();

// MLX affine quantization: `bits` per weight plus an fp16 scale and an fp16 bias per group.
double mlx_affine_bpw(int bits, int group_size);
// GGUF block type: bytes per block and weights per block -> bits per weight.
double gguf_block_bpw(int block_bytes, int block_weights);

// A ggml tensor type: the block layout every GGUF tensor of that type is stored in.
struct GgmlType {
  unsigned id;  // ggml_type enum value, as written in a GGUF tensor info
  const char* name;
  int block_weights;
  int block_bytes;
  double bpw() const { return gguf_block_bpw(block_bytes, block_weights); }
};
// The one table of ggml block layouts (ggml/src/ggml.c type_traits).
const std::vector<GgmlType>& ggml_types();
const GgmlType* find_ggml_type(unsigned id);  // nullptr when unknown
const GgmlType& ggml_type(const std::string& name);  // a name from the table; throws InputError

}  // namespace ridgeline
