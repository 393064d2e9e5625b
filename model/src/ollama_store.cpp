// Ollama's local model store (the layout `ollama pull` writes): a manifest per name and tag at
// manifests/<registry>/<namespace>/<name>/<tag>, JSON whose layer of media type
// application/vnd.ollama.image.model names the GGUF blob by digest, stored as blobs/sha256-<hex>.
#include <cstdlib>
#include <filesystem>

#include "ridgeline/error.hpp"
#include "ridgeline/file_read.hpp"
#include "ridgeline/model_source.hpp"
#include "ridgeline/strict_reader.hpp"

namespace ridgeline {

namespace fs = std::filesystem;

namespace {
constexpr uint64_t kMaxManifestBytes = 1 << 20;  // a manifest lists a handful of layers

bool safe_segment(const std::string& s) {
  if (s.empty() || s == "." || s == "..") return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') return false;
  return true;
}

// "qwen3:8b" -> registry.ollama.ai/library/qwen3/8b; "user/model" -> registry.ollama.ai/user/model/latest;
// "hf.co/org/repo:Q4_K_M" -> hf.co/org/repo/Q4_K_M. Empty when the name cannot be a store path.
std::optional<fs::path> manifest_path(const std::string& name_and_tag) {
  std::string name = name_and_tag, tag = "latest";
  if (auto colon = name.rfind(':'); colon != std::string::npos && name.find('/', colon) == std::string::npos) {
    tag = name.substr(colon + 1);
    name = name.substr(0, colon);
  }
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    size_t slash = name.find('/', start);
    parts.push_back(name.substr(start, slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  if (parts.size() == 1) parts.insert(parts.begin(), "library");
  if (parts.size() == 2 || parts[0].find('.') == std::string::npos) parts.insert(parts.begin(), "registry.ollama.ai");
  parts.push_back(tag);
  fs::path p = fs::path(ollama_models_dir()) / "manifests";
  for (const auto& s : parts) {
    if (!safe_segment(s)) return std::nullopt;
    p /= s;
  }
  return p;
}
}  // namespace

std::string ollama_models_dir() {
  if (const char* env = std::getenv("OLLAMA_MODELS"); env && *env) return env;
  if (const char* home = std::getenv("HOME"); home && *home) return (fs::path(home) / ".ollama" / "models").string();
  return ".ollama/models";
}

std::optional<std::string> find_ollama_blob(const std::string& name_and_tag) {
  auto manifest = manifest_path(name_and_tag);
  std::error_code ec;
  if (!manifest || !fs::is_regular_file(*manifest, ec)) return std::nullopt;
  const std::string where = manifest->string();
  const Node root = load_document_text(read_file_capped(where, kMaxManifestBytes, "an Ollama manifest"), where);
  if (!root.is_map() || !root["layers"].is_sequence())
    throw InputError("{}: expected a JSON object with a 'layers' list (an Ollama manifest)", where);
  for (size_t i = 0; i < root["layers"].size(); ++i) {
    const Node& layer = root["layers"][i];
    const std::string at = fmt::format("{}: layers[{}]", where, i);
    if (!layer.is_map() || !layer.find("mediaType")) throw InputError("{}: expected an object with 'mediaType'", at);
    if (scalar_string(layer["mediaType"], at + ": mediaType") != "application/vnd.ollama.image.model") continue;
    if (!layer.find("digest")) throw InputError("{}: missing required key 'digest'", at);
    const std::string digest = scalar_string(layer["digest"], at + ": digest");
    const std::string hex = digest.starts_with("sha256:") ? digest.substr(7) : "";
    if (hex.size() != 64 || hex.find_first_not_of("0123456789abcdef") != std::string::npos)
      throw InputError("{}: digest '{}' is not 'sha256:' and 64 lower-case hex digits", at, digest);
    const fs::path blob = fs::path(ollama_models_dir()) / "blobs" / ("sha256-" + hex);
    if (!fs::exists(blob, ec))
      throw InputError("{}: names blob {}, which is not in the store (an interrupted pull?)", at, blob.string());
    return blob.string();
  }
  throw InputError("{}: no layer of mediaType 'application/vnd.ollama.image.model' (not a model manifest)", where);
}

}  // namespace ridgeline
