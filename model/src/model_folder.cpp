// A local Hugging Face / MLX model folder: config.json for the shapes and the quantization, the
// .safetensors headers (or model.safetensors.index.json's metadata.total_size when shards are
// missing) for the bytes the weights occupy. A folder holding one GGUF and no config.json is
// read as that GGUF. A snapshot folder of the Hugging Face cache is named after its repository.
#include <algorithm>
#include <filesystem>

#include "ridgeline/error.hpp"
#include "ridgeline/importers.hpp"
#include "ridgeline/model_source.hpp"
#include "ridgeline/strict_reader.hpp"

namespace ridgeline {

namespace fs = std::filesystem;

namespace {
std::vector<fs::path> files_with_extension(const fs::path& dir, const std::string& ext) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ext && e.is_regular_file(ec)) out.push_back(e.path());
  if (ec) throw InputError("{}: cannot list the folder ({})", dir.string(), ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

// The shard files the index names, and its total_size.
double index_total_size(const fs::path& index, std::vector<std::string>& shards) {
  const Node root = load_document(index.string());
  MapReader r(root, index.string());
  MapReader meta = r.map("metadata");
  const double total = meta.number("total_size", 1, 1e15);
  if (const Node* map = r.opt_node("weight_map"); map && map->is_map())
    for (const auto& entry : map->entries()) {
      std::string file = scalar_string(entry.value, fmt::format("{}: weight_map: {}", index.string(), entry.key));
      if (std::find(shards.begin(), shards.end(), file) == shards.end()) shards.push_back(file);
    }
  return total;
}

void weight_bytes_of(const fs::path& dir, ModelSource& out) {
  const fs::path index = dir / "model.safetensors.index.json";
  std::vector<fs::path> files = files_with_extension(dir, ".safetensors");
  std::error_code ec;
  if (fs::exists(index, ec)) {
    std::vector<std::string> shards;
    const double total = index_total_size(index, shards);
    const bool all_present = std::all_of(shards.begin(), shards.end(), [&](const auto& f) {
      return f.find('/') == std::string::npos && fs::is_regular_file(dir / f, ec);
    });
    if (!all_present || shards.empty()) {
      out.file_weight_bytes = total;
      out.notes.push_back("weight bytes from model.safetensors.index.json metadata.total_size (shards not all present)");
      return;
    }
    files.clear();
    for (const auto& f : shards) files.push_back(dir / f);
  }
  if (files.empty()) return;
  double bytes = 0;
  for (const auto& f : files) bytes += read_safetensors_header(f.string()).tensor_bytes;
  out.file_weight_bytes = bytes;
}
}  // namespace

ModelSource load_model_folder(const std::string& dir_text) {
  fs::path dir(dir_text);
  if (!dir.has_filename()) dir = dir.parent_path();  // "Qwen3-8B-4bit/" names the folder too
  std::string name = fs::absolute(dir).filename().string();
  // The Hugging Face cache (hub/models--ORG--NAME/snapshots/<commit>/): named after the repository.
  const fs::path parent = fs::absolute(dir).parent_path();
  if (const std::string repo = parent.parent_path().filename().string();
      parent.filename() == "snapshots" && repo.starts_with("models--"))
    name = repo.substr(repo.rfind("--") + 2);
  const fs::path config = dir / "config.json";
  std::error_code ec;
  if (!fs::exists(config, ec)) {
    std::vector<fs::path> ggufs = files_with_extension(dir, ".gguf");
    if (ggufs.size() == 1) return load_gguf_source(ggufs[0].string());
    throw InputError("{}: no config.json in the folder{}; expected a Hugging Face or MLX model folder",
                     dir_text, ggufs.empty() ? "" : fmt::format(" and {} .gguf files (name one)", ggufs.size()));
  }
  const std::string text = read_text_file(config.string());
  ModelSource out;
  out.model = import_hf_config_text(text, config.string());
  out.model.name = name;
  out.model.id = name;
  std::transform(out.model.id.begin(), out.model.id.end(), out.model.id.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const fs::path modelopt = dir / "hf_quant_config.json";
  if (!quantization_from_hf_config(text, config.string(), out) && fs::exists(modelopt, ec))
    quantization_from_hf_quant_config(read_text_file(modelopt.string()), modelopt.string(), out);
  weight_bytes_of(dir, out);
  return out;
}

}  // namespace ridgeline
