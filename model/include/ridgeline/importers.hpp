#pragma once
// Model importers. Each returns a plain ModelSpec; none of them is seen by the simulator.
#include <cstdint>
#include <map>
#include <string>

#include "ridgeline/model.hpp"

namespace ridgeline {

// A HuggingFace config.json. Reads the keys a performance model needs (other keys are part of
// the format and ignored), applies the transformers defaults for keys a family may omit, and
// throws InputError naming the file and key for anything missing or out of range.
ModelSpec import_hf_config(const std::string& path);
ModelSpec import_hf_config_text(const std::string& json, const std::string& label);

// The metadata header of a .gguf file: architecture keys and tensor shapes and types.
// No weight data is read. `weight_bytes` receives the bytes the tensors occupy in the file.
struct GgufInfo {
  ModelSpec model;
  std::string architecture;
  std::string file_type;  // llama.cpp's file type name ("Q4_K_M") when general.file_type is present
  double weight_bytes = 0;
  double tensor_params = 0;
  long long tensor_count = 0;
  std::map<std::string, double> type_bytes;  // ggml type name -> bytes of the tensors stored in it
  std::string majority_type;                 // the ggml type holding the most bytes
  long long split_count = 0;                 // split.count of a multi-file GGUF (this file's tensors only)
};
GgufInfo import_gguf(const std::string& path);
// The header from the first bytes of a file of `file_size` bytes (a remote file read by range
// requests). Throws GgufNeedsMore when the header runs past `bytes`.
// The key/value section and tensor infos take a few MB with a 256K-token vocabulary; this bound
// keeps a lying count from walking a 40 GB file (or a remote one).
constexpr uint64_t kMaxGgufHeaderBytes = uint64_t{256} << 20;
struct GgufNeedsMore {
  uint64_t bytes;  // at least this many leading bytes are needed
};
GgufInfo import_gguf_prefix(const std::string& bytes, uint64_t file_size, const std::string& label);

// The project's own descriptor YAML (model/catalog/*.yaml), and its writer.
ModelSpec parse_model_yaml(const std::string& path);
ModelSpec parse_model_yaml_text(const std::string& text, const std::string& label);
std::string model_to_yaml(const ModelSpec& m);

}  // namespace ridgeline
