#pragma once
// Models from where users keep them: a descriptor .yaml, a config.json, a .gguf, a Hugging Face /
// MLX model folder, Ollama's local store (`ollama:NAME[:TAG]` or a tag found there) and
// `hf:ORG/NAME[:FILE.gguf|:QUANT]` fetched from the Hub into a cache. Each gives the model's
// shapes and, when the files say it, the quantization they are stored in.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ridgeline/importers.hpp"
#include "ridgeline/model.hpp"

namespace ridgeline {

struct ModelSource {
  ModelSpec model;
  // A quantization id of the table (find_quantization), or "" when the source does not say.
  std::string quant;
  // Set when the files name a quantization the table lacks: then no default may stand in for it.
  std::string unknown_quant;
  std::string quant_origin;          // where `quant` was read, e.g. "GGUF general.file_type Q4_K_M"
  bool quant_is_file_type = false;   // the weights are stored in this type (GGUF): a different --quant contradicts them
  std::optional<double> file_weight_bytes;  // bytes of the weight tensors as stored (safetensors, GGUF)
  std::vector<std::string> notes;    // what was assumed or left out, for `show`
};

// True for the forms above that are not catalog names (paths, `ollama:`, `hf:`, and an Ollama
// `name:tag` present in the local store).
bool is_model_source(const std::string& spec);
ModelSource load_model_source(const std::string& spec);

// The pieces, for tests and for the dispatch above.
ModelSource load_gguf_source(const std::string& path);
// A parsed GGUF header as a source: named `display_name`, quantization from its file type,
// `file_name` and tensor types.
ModelSource gguf_source(GgufInfo info, const std::string& display_name, const std::string& file_name);
ModelSource load_model_folder(const std::string& dir);
// config.json's quantization / quantization_config block (and dtype when there is none); true
// when a quantization block was there.
bool quantization_from_hf_config(const std::string& config_json, const std::string& label, ModelSource& out);
// NVIDIA ModelOpt checkpoints keep it beside config.json, in hf_quant_config.json.
void quantization_from_hf_quant_config(const std::string& json, const std::string& label, ModelSource& out);

// Ollama: the folder holding manifests/ and blobs/ ($OLLAMA_MODELS, else ~/.ollama/models).
std::string ollama_models_dir();
// The GGUF blob of NAME[:TAG] in the store, or nullopt when the store has no such manifest.
std::optional<std::string> find_ollama_blob(const std::string& name_and_tag);

// Exact bytes of the tensors in .safetensors files, from their headers.
struct SafetensorsInfo {
  double tensor_bytes = 0;
  long long tensor_count = 0;
  std::string majority_dtype;  // the dtype holding the most bytes ("BF16", "U32", ...)
};
constexpr uint64_t kMaxSafetensorsHeaderBytes = 100'000'000;  // the format's own limit
// The header length the first 8 bytes (little-endian) announce.
uint64_t safetensors_header_length(const std::string& first8);
SafetensorsInfo read_safetensors_header(const std::string& path);
SafetensorsInfo parse_safetensors_header(const std::string& header_json, uint64_t data_bytes, const std::string& label);

// hf:ORG/NAME[:FILE.gguf|:QUANT] through $RIDGELINE_HF_ENDPOINT / $HF_ENDPOINT (default
// https://huggingface.co) into $RIDGELINE_CACHE (default ~/.cache/ridgeline).
ModelSource load_hf_source(const std::string& spec);
std::string cache_dir();

}  // namespace ridgeline
