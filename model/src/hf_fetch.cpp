// hf:ORG/NAME[:FILE.gguf|:QUANT] from the Hugging Face Hub. Only what a performance model needs
// is fetched: config.json and model.safetensors.index.json, or for a GGUF repository the header
// of one file through HTTP Range requests, grown until the key/value section and tensor infos
// parse (as gguf-parser does). Everything fetched is kept in the cache and read from there next
// time, so a model seen once works offline.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "http_fetch.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/file_read.hpp"
#include "ridgeline/importers.hpp"
#include "ridgeline/model_source.hpp"
#include "ridgeline/strict_reader.hpp"

namespace ridgeline {

namespace fs = std::filesystem;

namespace {
constexpr uint64_t kMaxJsonBytes = uint64_t{16} << 20;       // config.json, index, file listing
constexpr uint64_t kFirstHeaderBytes = uint64_t{2} << 20;    // most GGUF headers fit in this
using http::fetch;
using http::Response;
std::string endpoint() { return http::hub_endpoint(); }

void write_cache(const fs::path& file, const std::string& bytes) {
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  const fs::path tmp = file.string() + ".part";
  {
    std::ofstream out(tmp, std::ios::binary);
    out << bytes;
    if (!out) return;  // a cache that cannot be written only costs a download next time
  }
  fs::rename(tmp, file, ec);
}

std::optional<std::string> read_cache(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return std::nullopt;
  return read_file_capped(file.string(), kMaxGgufHeaderBytes, "a cached download");
}

struct Repo {
  std::string spec, org, name, selector;
  fs::path cache;
  std::string url(const std::string& file) const { return fmt::format("{}/{}/{}/resolve/main/{}", endpoint(), org, name, file); }
};

bool safe_part(const std::string& s) {
  if (s.empty() || s == "." || s == ".." || s.size() > 256) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
  });
}

Repo parse_spec(const std::string& spec) {
  Repo r;
  r.spec = spec;
  std::string rest = spec.substr(3);
  if (auto colon = rest.find(':'); colon != std::string::npos) {
    r.selector = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
  }
  auto slash = rest.find('/');
  if (slash != std::string::npos) {
    r.org = rest.substr(0, slash);
    r.name = rest.substr(slash + 1);
  }
  if (!safe_part(r.org) || !safe_part(r.name) || (!r.selector.empty() && !r.selector.ends_with(".gguf") && !safe_part(r.selector)))
    throw InputError("{}: expected hf:ORG/NAME, hf:ORG/NAME:FILE.gguf or hf:ORG/NAME:QUANT (letters, digits, '.', '-', '_')", spec);
  r.cache = fs::path(cache_dir()) / "hf" / r.org / r.name;
  return r;
}

std::optional<std::string> cached_json(const Repo& repo, const std::string& file, bool optional) {
  const fs::path cached = repo.cache / file;
  if (auto text = read_cache(cached)) return text;
  if (optional && read_cache(cached.string() + ".absent")) return std::nullopt;
  auto r = fetch(repo.spec, repo.url(file), kMaxJsonBytes, "", optional);
  if (!r) {
    write_cache(cached.string() + ".absent", "404\n");
    return std::nullopt;
  }
  write_cache(cached, r->body);
  return r->body;
}

// The GGUF file a quant selector names, from the repository's file listing.
std::string pick_gguf(const Repo& repo) {
  const fs::path cached = repo.cache / "api-model.json";
  std::string text;
  if (auto c = read_cache(cached)) {
    text = *c;
  } else {
    const std::string url = fmt::format("{}/api/models/{}/{}", endpoint(), repo.org, repo.name);
    text = fetch(repo.spec, url, kMaxJsonBytes)->body;
    write_cache(cached, text);
  }
  const std::string where = repo.spec + ": file listing";
  const Node root = load_document_text(text, where);
  if (!root.is_map() || !root["siblings"].is_sequence())
    throw InputError("{}: expected a JSON object with a 'siblings' list", where);
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  const std::string want = lower(repo.selector);
  std::vector<std::string> all, matches;
  for (size_t i = 0; i < root["siblings"].size(); ++i) {
    const Node& s = root["siblings"][i];
    if (!s.is_map() || !s.find("rfilename")) continue;
    const std::string file = scalar_string(s["rfilename"], fmt::format("{}: siblings[{}]", where, i));
    if (!file.ends_with(".gguf")) continue;
    const bool later_part = file.find("-of-") != std::string::npos && file.find("-00001-of-") == std::string::npos;
    if (later_part || file.find("mmproj") != std::string::npos) continue;  // one entry per model file
    all.push_back(file);
    if (lower(file).find(want) != std::string::npos) matches.push_back(file);
  }
  auto listing = [](const std::vector<std::string>& v) {
    std::string s;
    for (size_t i = 0; i < v.size() && i < 12; ++i) s += (i ? ", " : "") + v[i];
    return v.size() > 12 ? s + ", ..." : s;
  };
  if (matches.size() == 1) return matches[0];
  // "Q8_0" also appears in "UD-Q8_K_XL" and "UD-Q8_0": prefer the one file where it stands as a
  // word of its own, not after an "UD-" prefix the selector did not ask for.
  std::vector<std::string> words;
  for (const auto& file : matches) {
    const std::string f = lower(file);
    for (size_t at = f.find(want); at != std::string::npos; at = f.find(want, at + 1)) {
      const size_t end = at + want.size();
      const bool bounded = (at == 0 || !std::isalnum(static_cast<unsigned char>(f[at - 1]))) &&
                           (end == f.size() || !std::isalnum(static_cast<unsigned char>(f[end])) || f.compare(end, 5, ".gguf") == 0);
      const bool unasked_ud = at >= 3 && f.compare(at - 3, 3, "ud-") == 0 && !want.starts_with("ud");
      if (bounded && !unasked_ud) {
        words.push_back(file);
        break;
      }
    }
  }
  if (words.size() == 1) return words[0];
  if (matches.empty())
    throw InputError("{}: no .gguf file in the repository matches '{}' ({})", repo.spec, repo.selector,
                     all.empty() ? "it has no .gguf files" : "it has: " + listing(all));
  throw InputError("{}: '{}' matches {} files ({}); name one with hf:{}/{}:FILE.gguf", repo.spec, repo.selector,
                   matches.size(), listing(matches), repo.org, repo.name);
}

ModelSource gguf_from_hub(const Repo& repo, const std::string& file) {
  for (size_t start = 0;;) {  // a path inside the repository: every part a plain name
    const size_t slash = file.find('/', start);
    if (!safe_part(file.substr(start, slash - start)))
      throw InputError("{}: '{}' is not a file name in the repository", repo.spec, file);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  const std::string label = fmt::format("hf:{}/{}:{}", repo.org, repo.name, file);
  const fs::path cached = repo.cache / (file + ".header");
  std::string bytes;
  uint64_t total = 0;
  if (auto c = read_cache(cached)) {
    bytes = *c;
    total = bytes.size();
  } else {
    const std::string url = repo.url(file);
    uint64_t want = kFirstHeaderBytes;
    for (;;) {
      const std::string range = fmt::format("{}-{}", bytes.size(), want - 1);
      Response r = *fetch(repo.spec, url, want - bytes.size(), range);
      if (r.status == 200 && !bytes.empty())
        throw InputError("{}: {}: the server ignored the Range request", repo.spec, url);
      bytes += r.body;
      total = r.status == 200 ? bytes.size() : r.total_size;
      if (bytes.size() >= total || r.body.empty()) break;
      try {
        import_gguf_prefix(bytes, total, label);
        break;
      } catch (const GgufNeedsMore& more) {
        want = std::max(more.bytes, 2 * want);
        if (want > kMaxGgufHeaderBytes)
          throw InputError("{}: the GGUF header is larger than {} bytes; not read", label, kMaxGgufHeaderBytes);
        want = std::min(want, total);
      }
    }
  }
  GgufInfo info = [&] {
    try {
      return import_gguf_prefix(bytes, total, label);
    } catch (const GgufNeedsMore&) {
      throw InputError("{}: the file ends inside its GGUF header (truncated upload)", label);
    }
  }();
  const uint64_t header_end = bytes.size();
  write_cache(cached, bytes.substr(0, static_cast<size_t>(header_end)));
  ModelSource out = gguf_source(std::move(info), fs::path(file).stem().string(), file);
  out.model.source = label + " (GGUF header)";
  return out;
}
// A single-file checkpoint's model.safetensors: its 8-byte header length, then the header, by two
// Range requests (cached as the header JSON and the file's data size). nullopt when there is none.
std::optional<SafetensorsInfo> safetensors_header_from_hub(const Repo& repo) {
  const std::string label = fmt::format("hf:{}/{}:model.safetensors", repo.org, repo.name);
  const fs::path cached = repo.cache / "model.safetensors.header";
  std::string header;
  uint64_t data_bytes = 0;
  if (auto c = read_cache(cached)) {
    const auto newline = c->find('\n');
    if (newline == std::string::npos) throw InputError("{}: damaged cache file (delete it)", cached.string());
    data_bytes = std::strtoull(c->c_str(), nullptr, 10);
    header = c->substr(newline + 1);
  } else {
    if (read_cache(cached.string() + ".absent")) return std::nullopt;
    const std::string url = repo.url("model.safetensors");
    auto first = fetch(repo.spec, url, 8, "0-7", true);
    if (!first) {
      write_cache(cached.string() + ".absent", "404\n");
      return std::nullopt;
    }
    if (first->body.size() != 8 || first->status != 206)
      throw InputError("{}: expected the 8-byte header length by a Range request, got {} bytes (HTTP {})", label,
                       first->body.size(), first->status);
    const uint64_t n = safetensors_header_length(first->body);
    if (n == 0 || n > kMaxSafetensorsHeaderBytes || 8 + n > first->total_size)
      throw InputError("{}: header length {} is beyond the file's {} bytes or the format's limit of {}", label, n,
                       first->total_size, kMaxSafetensorsHeaderBytes);
    header = fetch(repo.spec, url, n, fmt::format("8-{}", 8 + n - 1))->body;
    if (header.size() != n) throw InputError("{}: got {} of the header's {} bytes", label, header.size(), n);
    data_bytes = first->total_size - 8 - n;
    write_cache(cached, fmt::format("{}\n", data_bytes) + header);
  }
  return parse_safetensors_header(header, data_bytes, label);
}
}  // namespace

std::string cache_dir() {
  if (const char* env = std::getenv("RIDGELINE_CACHE"); env && *env) return env;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return (fs::path(xdg) / "ridgeline").string();
  if (const char* home = std::getenv("HOME"); home && *home) return (fs::path(home) / ".cache" / "ridgeline").string();
  return ".ridgeline-cache";
}

ModelSource load_hf_source(const std::string& spec) {
  const Repo repo = parse_spec(spec);
  if (!repo.selector.empty())
    return gguf_from_hub(repo, repo.selector.ends_with(".gguf") ? repo.selector : pick_gguf(repo));
  auto config = cached_json(repo, "config.json", true);
  if (!config)
    throw InputError("{}: the repository has no config.json (a GGUF repository? name a file or a quantization: "
                     "hf:{}/{}:Q4_K_M)", spec, repo.org, repo.name);
  const std::string label = spec + " config.json";
  ModelSource out;
  out.model = import_hf_config_text(*config, label);
  out.model.name = repo.name;
  out.model.id = repo.name;
  for (char& c : out.model.id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  out.model.source = label;
  if (!quantization_from_hf_config(*config, label, out))
    if (auto modelopt = cached_json(repo, "hf_quant_config.json", true))
      quantization_from_hf_quant_config(*modelopt, spec + " hf_quant_config.json", out);
  if (auto index = cached_json(repo, "model.safetensors.index.json", true)) {
    const std::string where = spec + " model.safetensors.index.json";
    const Node doc = load_document_text(*index, where);
    MapReader r(doc, where);
    r.ignore("weight_map");
    out.file_weight_bytes = r.map("metadata").number("total_size", 1, 1e15);
    out.notes.push_back("weight bytes from model.safetensors.index.json metadata.total_size");
  } else if (auto header = safetensors_header_from_hub(repo)) {
    out.file_weight_bytes = header->tensor_bytes;
  }
  return out;
}

}  // namespace ridgeline
