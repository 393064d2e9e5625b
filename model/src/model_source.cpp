// Dispatch from what the user typed to the reader for it, and the quantization a GGUF implies.
#include "ridgeline/model_source.hpp"

#include <algorithm>
#include <filesystem>
#include <map>

#include "ridgeline/catalog.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/importers.hpp"
#include "ridgeline/quant.hpp"
#include "ridgeline/strict_reader.hpp"

namespace ridgeline {

namespace fs = std::filesystem;

namespace {
std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool known_quant(const std::string& id) {
  return std::any_of(quantizations().begin(), quantizations().end(), [&](const auto& q) { return q.id == id; });
}

// The longest quantization id written in a file name as a word of its own ("…-UD-Q4_K_XL.gguf").
std::string quant_in_file_name(const std::string& file_name) {
  const std::string s = lower(file_name);
  std::string best;
  for (const auto& q : quantizations()) {
    for (size_t at = s.find(q.id); at != std::string::npos; at = s.find(q.id, at + 1)) {
      const size_t end = at + q.id.size();
      const bool word = (at == 0 || !std::isalnum(static_cast<unsigned char>(s[at - 1]))) &&
                        (end == s.size() || !std::isalnum(static_cast<unsigned char>(s[end])));
      if (word && q.id.size() > best.size()) best = q.id;
    }
  }
  return best;
}

// A ggml tensor type -> the table's quantization for a file mostly stored in it. K-quant files
// without a file type are taken as the common "_M" mix (marked in the notes).
std::string quant_of_majority_type(const std::string& type, bool& mixed) {
  static const std::map<std::string, std::string> mix = {
      {"Q4_K", "q4_k_m"}, {"Q5_K", "q5_k_m"}, {"Q3_K", "q3_k_m"}, {"Q2_K", "q2_k"}};
  if (auto it = mix.find(type); it != mix.end()) {
    mixed = true;
    return it->second;
  }
  const std::string id = lower(type);
  return known_quant(id) ? id : "";
}
}  // namespace

ModelSource gguf_source(GgufInfo info, const std::string& display_name, const std::string& file_name) {
  ModelSource out;
  out.model = std::move(info.model);
  out.model.name = display_name;
  out.model.id = lower(display_name);
  const std::string from_name = quant_in_file_name(file_name);
  std::string from_header = info.file_type == "MXFP4_MOE" ? "mxfp4" : lower(info.file_type);
  if (!info.file_type.empty()) {
    if (from_name.starts_with("ud-")) {  // unsloth dynamic mixes are not a llama.cpp file type
      out.quant = from_name;
      out.quant_origin = fmt::format("file name {} (header file type {})", file_name, info.file_type);
    } else if (known_quant(from_header)) {
      out.quant = from_header;
      out.quant_origin = fmt::format("GGUF general.file_type {}", info.file_type);
      out.quant_is_file_type = true;
      if (!from_name.empty() && from_name != from_header)
        out.notes.push_back(fmt::format("the file name says {} but the header says {}; the header is used",
                                        from_name, info.file_type));
    } else {
      out.unknown_quant = fmt::format("{}: GGUF general.file_type {}", file_name, info.file_type);
    }
  } else if (!from_name.empty()) {
    out.quant = from_name;
    out.quant_origin = fmt::format("file name {} (the header has no general.file_type)", file_name);
  } else {
    bool mixed = false;
    out.quant = quant_of_majority_type(info.majority_type, mixed);
    if (out.quant.empty()) {
      out.unknown_quant = fmt::format("{}: most tensor bytes are ggml type {}", file_name, info.majority_type);
    } else {
      out.quant_origin = fmt::format("ggml type {} holds the most tensor bytes", info.majority_type);
      out.quant_is_file_type = !mixed;
      if (mixed) out.notes.push_back(fmt::format("no general.file_type: a mostly-{} file is taken as {}",
                                                 info.majority_type, out.quant));
    }
  }
  if (info.split_count > 1) {
    out.notes.push_back(fmt::format("one file of a {}-file split GGUF: the shapes come from its header, "
                                    "its tensors are only part of the weights", info.split_count));
  } else {
    out.file_weight_bytes = info.weight_bytes;
  }
  return out;
}

ModelSource load_gguf_source(const std::string& path) {
  const std::string file = fs::path(path).filename().string();
  return gguf_source(import_gguf(path), fs::path(path).stem().string(), file);
}

bool is_model_source(const std::string& spec) {
  if (spec.starts_with("hf:") || spec.starts_with("ollama:") || looks_like_path(spec)) return true;
  return spec.find(':') != std::string::npos && find_ollama_blob(spec).has_value();
}

ModelSource load_model_source(const std::string& spec) {
  if (spec.starts_with("hf:")) return load_hf_source(spec);
  std::error_code ec;  // the error_code form: a too-long or unreadable name is "not there", not an exception
  const bool tagged = spec.starts_with("ollama:");
  const std::string name = tagged ? spec.substr(7) : spec;
  std::optional<std::string> blob;
  if (tagged || (spec.find(':') != std::string::npos && !fs::exists(spec, ec))) blob = find_ollama_blob(name);
  if (tagged && !blob)
    throw InputError("{}: not in the Ollama store {} (no manifest for it; `ollama list` shows what is there)",
                     spec, ollama_models_dir());
  if (blob) {
    ModelSource out = gguf_source(import_gguf(*blob), name, name);
    out.model.source = fmt::format("Ollama {} ({})", name, *blob);
    return out;
  }
  if (spec.ends_with(".gguf")) return load_gguf_source(spec);  // says itself when it is missing
  if (!fs::exists(spec, ec)) throw FieldError("model", "file '{}' does not exist", spec);
  if (fs::is_directory(spec, ec)) return load_model_folder(spec);
  ModelSource out;
  if (spec.ends_with(".json")) {
    const std::string text = read_text_file(spec);
    out.model = import_hf_config_text(text, spec);
    out.model.id = fs::path(spec).stem().string();
    out.model.name = out.model.id;
    quantization_from_hf_config(text, spec, out);
    return out;
  }
  out.model = parse_model_yaml(spec);
  return out;
}

}  // namespace ridgeline
