// Model and quantization names as people write them. Every rule is a fact about how a hub, a
// file name or Ollama spells a name; the catalog side is indexed once (normalized key -> id), so a
// lookup is a few string scans and hash probes.
#include "ridgeline/names.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <unordered_map>

#include <fmt/ranges.h>

#include "ridgeline/catalog.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/quant.hpp"

namespace ridgeline {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool all_digits(std::string_view w) { return !w.empty() && std::all_of(w.begin(), w.end(), is_digit); }
bool is_delim(char c) { return c == '-' || c == '_' || c == ' ' || c == '.'; }

// "8b", "1.5b", "270m", "8x7b", "e4b" (Gemma 3n / 4 effective size).
bool is_size_word(std::string_view w) {
  if (w.size() < 2 || (w.back() != 'b' && w.back() != 'm')) return false;
  std::string_view body = w.substr(0, w.size() - 1);
  if (body.front() == 'e' && w.back() == 'b') return all_digits(body.substr(1));
  if (auto x = body.find('x'); x != std::string_view::npos) return all_digits(body.substr(0, x)) && all_digits(body.substr(x + 1));
  auto dot = body.find('.');
  if (dot == std::string_view::npos) return all_digits(body);
  return all_digits(body.substr(0, dot)) && all_digits(body.substr(dot + 1));
}
// "a3b", "a22b": active parameters of a mixture of experts.
bool is_active_word(std::string_view w) {
  return w.size() >= 3 && w.front() == 'a' && w.back() == 'b' && is_size_word(w.substr(1)) && w[1] != 'e';
}

std::string strip_parentheses(std::string_view s) {
  std::string out;
  int depth = 0;
  for (char c : s) {
    if (c == '(') ++depth;
    else if (c == ')') depth = std::max(0, depth - 1);
    else if (depth == 0) out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  while (!out.empty() && out.front() == ' ') out.erase(0, 1);
  return out;
}

// ---- quantizations ------------------------------------------------------------------------

std::string compact(std::string_view s) {
  std::string out;
  for (char c : s)
    if (!is_delim(c) && c != '/') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const std::unordered_map<std::string, std::string>& quant_keys() {
  static const auto keys = [] {
    std::unordered_map<std::string, std::string> k;
    for (const auto& q : quantizations()) k.emplace(compact(q.id), q.id);
    // Other spellings of the same storage formats.
    for (auto [alias, id] : {std::pair{"fp16", "f16"}, {"16bit", "f16"}, {"half", "f16"}, {"fp32", "f32"},
                             {"32bit", "f32"}, {"q8", "q8_0"}, {"mxfp4moe", "mxfp4"}, {"fp8e4m3", "fp8"},
                             {"float16", "f16"}, {"bfloat16", "bf16"}})
      k.emplace(alias, id);
    return k;
  }();
  return keys;
}

// Digits of an MLX width written "4", "q4", "4bit", "4-bit" (the words already joined).
int mlx_bits(std::string_view w) {
  if (!w.empty() && w.front() == 'q') w.remove_prefix(1);
  if (w.ends_with("bit")) w.remove_suffix(3);
  if (w.size() != 1 || !is_digit(w[0])) return 0;
  return w[0] - '0';
}

// strict: a suffix of a model name; bare digits ("4") are then never a quantization.
NameMatch read_quant(std::string_view text, bool strict) {
  NameMatch r;
  std::vector<std::string> words = name_words(text);
  bool mlx = false, ud = false, dwq = false, large = false;
  int group = 0;
  std::string core;
  for (const auto& w : words) {
    if (w == "mlx") mlx = true;
    else if (w == "dwq") mlx = dwq = true;  // mlx-lm's distilled quantization: the affine format, scales tuned
    else if (w == "ud") ud = true;
    else if (w == "i1" || w == "imatrix") continue;  // importance-matrix builds: same storage format
    else if (!strict && (w == "mostly" || w == "gguf" || w == "ggml" || w == "experts")) continue;
    else if (w.size() > 1 && w[0] == 'g' && all_digits(std::string_view(w).substr(1))) group = std::stoi(w.substr(1));
    else if (w == "medium" || w == "small" || w == "large") core += w[0], large = large || w == "large";  // "Q4_K - Medium"
    else core += w;
  }
  if (core.empty()) return r;
  if (core.starts_with("mxfp8")) {  // only MLX writes MXFP8 weights (its mxfp8 quantization mode)
    r.id = "mlx-mxfp8";
    return r;
  }
  if (core.starts_with("mxfp4")) {  // gpt-oss: MXFP4 experts, the rest 8-bit ("MXFP4 experts / Q8")
    r.id = "mxfp4";
    return r;
  }
  const int bits = mlx_bits(core);
  const bool says_bit = core.ends_with("bit");
  if (bits && (mlx || (says_bit && bits != 1 && core != "16bit"))) {
    // MLX affine; mlx-community's "-4bit" suffix is the same format.
    if (group != 0 && group != 64 && group != 32) return r;
    r.id = fmt::format("mlx-{}bit{}", bits, group == 32 ? "-g32" : "");
    if (dwq && group == 0) r.notes.push_back("DWQ group size not stated: mlx-lm's default 64 (DWQ releases also use 32)");
    if (!quant_keys().contains(compact(r.id))) {
      r.refusal = fmt::format("MLX {}-bit with group {} has no entry in the quantization table", bits, group ? group : 64);
      r.id.clear();
    }
    return r;
  }
  if (strict && (all_digits(core) || bits)) return r;
  const auto& keys = quant_keys();
  if (ud) {
    if (auto it = keys.find("ud" + core); it != keys.end()) return r.id = it->second, r;
  }
  // "Q4_K_XL" without "UD": the K_XL names are unsloth's dynamic quants.
  if (core.ends_with("kxl") && keys.contains("ud" + core)) {
    r.id = keys.at("ud" + core);
    r.notes.push_back(fmt::format("{} is unsloth's dynamic-quant name: read as {}", lower_ascii(text), r.id));
    return r;
  }
  if (auto it = keys.find(core); it != keys.end()) {
    // llama.cpp's "- Large" names Q3_K_L only; bartowski's Q4_K_L and kin are written "_L", never "Large".
    if (large && core != "q3kl") return r;
    r.id = it->second;
    if (ud) r.notes.push_back(fmt::format("unsloth dynamic UD-{}: its mix is approximated by {}", lower_ascii(core), r.id));
    return r;
  }
  return r;
}

// ---- models -------------------------------------------------------------------------------

// Trailing words that name packaging or a fine-tune variant with the same shapes.
bool is_variant_word(std::string_view w) {
  static const char* const words[] = {"gguf", "mlx", "qat", "instruct", "it", "chat", "base", "hf", "inst", "dwq", "community"};
  for (const char* v : words)
    if (w == v) return true;
  return all_digits(w) && (w.size() == 4 || w.size() == 6 || w.size() == 8);  // 2507, 240715, 20250528
}

// One step of peeling a name: a quantization suffix (recorded in `quant`), or one packaging /
// variant / date word. False when nothing more can be peeled.
bool peel(std::string& s, std::string& quant, bool& qat) {
  for (size_t p = 0; p < s.size(); ++p) {
    if (!is_delim(s[p]) || p == 0) continue;
    NameMatch q = read_quant(std::string_view(s).substr(p + 1), true);
    if (!q.id.empty()) {
      if (quant.empty()) quant = q.id;
      s.resize(p);
      return true;
    }
  }
  size_t p = s.size();
  while (p > 0 && !is_delim(s[p - 1])) --p;
  if (p == 0) return false;
  const std::string last = lower_ascii(std::string_view(s).substr(p));
  if (!is_variant_word(last)) return false;
  if (last == "qat") qat = true;
  s.resize(p - 1);
  while (!s.empty() && is_delim(s.back())) s.pop_back();
  return !s.empty();
}

// The name after a publisher word it starts with ("OpenAI gpt-oss 120B", "NVIDIA-Nemotron-3-Nano"),
// none when it starts with none or is nothing else.
std::optional<std::string> without_publisher(std::string_view name) {
  static const char* const publishers[] = {"openai", "meta", "google", "mistralai", "microsoft", "alibaba", "ibm", "nvidia"};
  const auto words = name_words(name);
  if (words.size() < 2) return std::nullopt;
  for (const char* p : publishers) {
    const size_t n = std::string_view(p).size();
    if (words.front() == p && lower_ascii(name).starts_with(p) && name.size() > n + 1) return std::string(name.substr(n + 1));
  }
  return std::nullopt;
}

struct SizeParts {
  std::string family;  // normalized words before the size
  std::string size, active;
};
SizeParts size_parts(std::string_view name) {
  SizeParts sp;
  bool seen = false;
  const auto words = name_words(name);
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    // "qwen 3 30 - A3B": a bare number right before the active size is the total, in billions.
    if (!seen && all_digits(w) && i + 1 < words.size() && is_active_word(words[i + 1])) seen = true, sp.size = w + "b";
    else if (!seen && is_size_word(w)) seen = true, sp.size = w;
    else if (seen && sp.active.empty() && is_active_word(w)) sp.active = w;
    else if (!seen) sp.family += normalize_name(w);
  }
  return sp;
}

// A release stamp: a four-digit YYMM word after the size ("Ministral-8B-Instruct-2410",
// "Qwen3-30B-A3B-Instruct-2507"), with a month 01-12; "" when the name has none.
std::string release_stamp(std::string_view name) {
  for (const auto& w : name_words(name))
    if (w.size() == 4 && all_digits(w) && w[0] >= '2' && std::stoi(w.substr(2)) >= 1 && std::stoi(w.substr(2)) <= 12) return w;
  return "";
}

struct ModelIndex {
  std::unordered_map<std::string, std::vector<std::string>> ids_by_key;  // first entries are exact keys
  struct Entry {
    std::string id;
    SizeParts parts;
    std::string stamp;  // the catalog name's release stamp, if it has one
  };
  std::vector<Entry> entries;
};

const ModelIndex& model_index() {
  static const ModelIndex index = [] {
    ModelIndex ix;
    auto add = [&](const std::string& key, const std::string& id) {
      if (key.empty()) return;
      auto& ids = ix.ids_by_key[key];
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    };
    const auto& cat = model_headers();
    for (const auto& m : cat) {  // exact spellings first: they win over peeled ones
      add(normalize_name(m.id), m.id);
      for (const auto& a : m.aliases) add(normalize_name(a), m.id);
      ix.entries.push_back({m.id, size_parts(m.id), release_stamp(m.name)});
      // A catalog id that starts with its publisher ("nvidia-nemotron-3-nano-30b-a3b") is also
      // found by the name without it, as people write it ("Nemotron-3-Nano-30B-A3B").
      if (const auto rest = without_publisher(m.id)) ix.entries.push_back({m.id, size_parts(*rest), release_stamp(m.name)});
    }
    std::unordered_map<std::string, std::vector<std::string>> peeled;
    for (const auto& m : cat) {
      // An id names no quantization: without its publisher it is a key as it stands.
      if (const auto rest = without_publisher(m.id)) peeled[normalize_name(*rest)].push_back(m.id);
      for (const std::string& spelled : {m.id, m.name}) {
        std::vector<std::string> forms = {spelled};
        if (auto rest = without_publisher(spelled)) forms.push_back(std::move(*rest));
        for (std::string s : forms) {
          std::string q;
          bool qat = false;
          while (peel(s, q, qat)) peeled[normalize_name(s)].push_back(m.id);
        }
      }
    }
    for (auto& [key, ids] : peeled)
      if (!ix.ids_by_key.contains(key))
        for (const auto& id : ids) add(key, id);
    return ix;
  }();
  return index;
}

// The catalog ids a key names (empty: none; more than one: ambiguous).
const std::vector<std::string>* lookup(const std::string& key) {
  const auto& ix = model_index().ids_by_key;
  auto it = ix.find(key);
  return it == ix.end() ? nullptr : &it->second;
}

// Ollama library names: the size its bare name (the ':latest' tag) pulls, from each model's page
// on ollama.com/library; Ollama's default quantization is Q4_K_M except where noted.
struct OllamaFamily {
  const char* family;
  const char* latest;
  const char* quant;
};
constexpr OllamaFamily kOllama[] = {
    {"llama3.1", "8b", "q4_k_m"},   {"llama3.2", "3b", "q4_k_m"},      {"llama3.3", "70b", "q4_k_m"},
    {"llama3", "8b", "q4_k_m"},     {"llama2", "7b", "q4_k_m"},        {"gemma3", "4b", "q4_k_m"},
    {"gemma2", "9b", "q4_k_m"},     {"gemma3n", "e4b", "q4_k_m"},      {"qwen3", "8b", "q4_k_m"},
    {"qwen2.5", "7b", "q4_k_m"},    {"qwen2.5-coder", "7b", "q4_k_m"}, {"qwen3-coder", "30b", "q4_k_m"},
    {"mixtral", "8x7b", "q4_0"},    {"mistral", "7b", "q4_k_m"},       {"mistral-nemo", "12b", "q4_k_m"},
    {"mistral-small", "24b", "q4_k_m"}, {"devstral", "24b", "q4_k_m"}, {"phi4", "14b", "q4_k_m"},
    {"phi3.5", "3.8b", "q4_k_m"},   {"phi4-mini", "3.8b", "q4_k_m"},   {"deepseek-r1", "8b", "q4_k_m"},
    {"gpt-oss", "20b", "mxfp4"},    {"qwq", "32b", "q4_k_m"},
    // The library's tag lists as Alpaca copies them (Jeffser/Alpaca src/ollama_models.py, 2026-06-08:
    // latest is the one tag of its download size); the quantization from `ollama show` output in
    // ollama/ollama#16685 (qwen3.5:9b, file_type 15 = Q4_K_M) and #15834 (qwen3.6:35b, Q4_K_M), and
    // for nemotron-3-nano from kgptalkie.com's local-LLMs 2026 reference table (30b, 24 GB, Q4_K_M).
    {"qwen3.5", "9b", "q4_k_m"},    {"qwen3.6", "35b", "q4_k_m"},      {"nemotron-3-nano", "30b", "q4_k_m"},
};
const OllamaFamily* ollama_family(std::string_view f) {
  for (const auto& o : kOllama)
    if (f == o.family) return &o;
  return nullptr;
}

NameMatch found(const std::string& id, std::string quant, std::vector<std::string> notes) {
  NameMatch r;
  r.id = id;
  r.quant = std::move(quant);
  r.notes = std::move(notes);
  return r;
}

// Peel `s` until a catalog key matches; then, with a size in the name, the one catalog model of
// that family and size. Ambiguity and no match are refusals.
NameMatch match_plain(std::string s, std::string quant, std::vector<std::string> notes, const std::string& original) {
  bool qat = false;
  if (const std::string l = lower_ascii(s); l.starts_with("meta-llama") || l.starts_with("meta llama")) s.erase(0, 5);
  auto finish = [&](const std::string& id) {
    if (quant.empty() && qat) quant = "q4_0";  // QAT releases: same shapes, trained for Q4_0
    return found(id, quant, notes);
  };
  std::vector<std::string> ambiguous;
  for (bool more = true; more; more = peel(s, quant, qat)) {
    if (const auto* ids = lookup(normalize_name(s))) {
      if (ids->size() == 1) return finish(ids->front());
      if (ambiguous.empty()) ambiguous = *ids;
    }
  }
  NameMatch r;
  if (!ambiguous.empty()) {
    r.refusal = fmt::format("model '{}' is ambiguous: {}", original, fmt::join(ambiguous, ", "));
    return r;
  }
  // A publisher written before the name ("OpenAI gpt-oss 120B", "Google Gemma 3 27B").
  if (const auto rest = without_publisher(s)) {
    NameMatch again = match_plain(*rest, quant, notes, original);
    if (!again.id.empty()) return again;
  }
  // Family + size: "llama 1B", "Gemma 4 26B" (one model of that family and size).
  const SizeParts want = size_parts(s);
  // Two release stamps that differ name two releases: Mistral's Ministral-8B-Instruct-2410 (a 36-layer
  // model) is not the Ministral-3-8B-Instruct-2512 of the catalog, though family and size agree.
  const std::string want_stamp = release_stamp(original);
  std::vector<std::string> same_size, exact_family, other_release;
  std::vector<std::string> family_sizes;
  for (const auto& e : model_index().entries) {
    const bool family_ok = !want.family.empty() && e.parts.family.starts_with(want.family);
    if (family_ok && std::find(family_sizes.begin(), family_sizes.end(), e.id) == family_sizes.end()) family_sizes.push_back(e.id);
    if (want.size.empty() || e.parts.size != want.size) continue;
    if (!want.active.empty() && e.parts.active != want.active) continue;
    if (!family_ok) continue;
    if (!want_stamp.empty() && !e.stamp.empty() && want_stamp != e.stamp) {
      other_release.push_back(fmt::format("{} (release {})", e.id, e.stamp));
      continue;
    }
    same_size.push_back(e.id);
    if (e.parts.family == want.family) exact_family.push_back(e.id);
  }
  if (same_size.size() == 1 || exact_family.size() == 1) {
    const std::string id = same_size.size() == 1 ? same_size.front() : exact_family.front();
    notes.push_back(fmt::format("'{}' read as {} (the one catalog model of that family and size)", original, id));
    return finish(id);
  }
  if (same_size.size() > 1) {
    r.refusal = fmt::format("model '{}' is ambiguous: {}", original, fmt::join(same_size, ", "));
  } else if (same_size.empty() && !other_release.empty()) {
    r.refusal = fmt::format("model '{}' is not in the catalog: release {} is another model than {} "
                            "(`ridgeline list models` shows the catalog)", original, want_stamp, fmt::join(other_release, ", "));
  } else if (!want.size.empty() && !family_sizes.empty()) {
    // Other sizes of the family are not offered: a model of another size is never the answer.
    r.refusal = fmt::format("model '{}' is not in the catalog: no {} model of size {} (`ridgeline list models` shows "
                            "the catalog)", original, want.family, want.size);
  } else {
    r.refusal = fmt::format("model '{}' is not in the catalog; `ridgeline list models` shows them, or pass a "
                            "descriptor .yaml, a config.json or a .gguf", original);
  }
  return r;
}

NameMatch match_ollama(const std::string& family, std::string tag, const std::string& original) {
  std::vector<std::string> notes;
  std::string quant;
  const OllamaFamily* known = ollama_family(lower_ascii(family));
  if (tag.empty() || lower_ascii(tag) == "latest") {
    // A family of one size ("glm-4.7-flash:latest", "devstral-small-2"): the one catalog model it names,
    // at Ollama's default Q4_K_M.
    if (NameMatch one = known ? NameMatch{} : match_plain(family, "", {}, original); !one.id.empty()) {
      if (one.quant.empty()) {
        one.quant = "q4_k_m";
        one.notes.push_back("quantization not in the tag: Ollama's default Q4_K_M");
      }
      one.notes.push_back(fmt::format("'{}': no size in the tag; '{}' names one catalog model", original, family));
      return one;
    }
    if (!known) {
      NameMatch r;
      r.refusal = fmt::format("model '{}': no size in the tag and '{}' is not an Ollama family ridgeline knows the "
                              "default tag of; write FAMILY:SIZE", original, family);
      return r;
    }
    tag = known->latest;
    notes.push_back(fmt::format("'{}' is Ollama's default tag {}:{}", original, family, tag));
  }
  // A tag that is only a quantization (hf.co/ORG/NAME-GGUF:Q4_K_M) leaves the name as written.
  if (NameMatch q = read_quant(tag, true); !q.id.empty()) return match_plain(family, q.id, notes, original);
  std::string size, rest;
  for (size_t start = 0; start <= tag.size();) {
    size_t end = tag.find('-', start);
    if (end == std::string::npos) end = tag.size();
    const std::string w = lower_ascii(std::string_view(tag).substr(start, end - start));
    if (size.empty() && rest.empty() && is_size_word(w)) size = w;
    else if (!size.empty() && rest.empty() && is_active_word(w)) size += "-" + w;
    else rest += (rest.empty() ? "" : "-") + w;
    start = end + 1;
  }
  bool mlx = false, qat = false;
  for (const auto& w : name_words(rest)) mlx = mlx || w == "mlx", qat = qat || w == "qat";
  while (!rest.empty()) {  // peel quantization and variant words off the tag
    if (NameMatch q = read_quant(rest, true); !q.id.empty()) {
      if (quant.empty()) quant = q.id;
      rest.clear();
    } else if (is_variant_word(rest)) {
      rest.clear();
    } else if (!peel(rest, quant, qat)) {
      break;
    }
  }
  if (quant.empty() && qat) quant = "q4_0";
  if (quant.empty() && !mlx && known) {
    quant = known->quant;
    notes.push_back(fmt::format("quantization not in the tag: Ollama's default for {} ({})", family, quant));
  } else if (quant.empty() && !mlx) {
    quant = "q4_k_m";
    notes.push_back("quantization not in the tag: Ollama's default Q4_K_M");
  }
  std::string name = family + "-" + size + (rest.empty() ? "" : "-" + rest);
  if (const auto* ids = lookup(normalize_name(family + ":" + size)); ids && ids->size() == 1)
    return found(ids->front(), quant, notes);  // aliases such as "deepseek-r1:70b" (a distill)
  // The default size is what the bare name pulls, so "phi4:14b" is the model "phi4" names, even when the
  // catalog id carries no size word ("phi-4").
  if (known && rest.empty() && size == known->latest)
    if (const auto* ids = lookup(normalize_name(family)); ids && ids->size() == 1) return found(ids->front(), quant, notes);
  return match_plain(name, quant, notes, original);
}

}  // namespace

// ASCII only, by arithmetic: std::tolower's locale lookup per character was a tenth of `validate`
// (it lowers every row's notes to read kernel variants, build eras and paging).
std::string lower_ascii(std::string_view s) {
  std::string out(s);
  // Branch-free, so the compiler vectorizes it: row notes run to thousands of characters.
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    c = static_cast<char>(u | (static_cast<unsigned char>(u - 'A') < 26 ? 0x20 : 0));
  }
  return out;
}

std::vector<std::string> name_words(std::string_view s) {
  std::vector<std::string> out;
  std::string w;
  int depth = 0;
  for (char c : s) {
    if (c == '(') ++depth;
    else if (c == ')') depth = std::max(0, depth - 1);
    else if (depth > 0) continue;
    else if (c == ' ' || c == '-' || c == '_' || c == '/' || c == ',') {
      if (!w.empty()) out.push_back(std::move(w)), w.clear();
    } else {
      w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  if (!w.empty()) out.push_back(std::move(w));
  return out;
}

NameMatch match_quant_name(std::string_view text) {
  // antirez/ds4's GGUFs name their routed experts' two types, IQ2_XXS (gate, up) with Q2_K (down):
  // "IQ2XXS-w2Q2K-AProjQ8-SExpQ8-OutQ8", "IQ2_XXS/Q2_K routed experts".
  if (const std::string c = compact(text); c.find("iq2xxsw2q2k") != std::string::npos || c.find("iq2xxsq2k") != std::string::npos) {
    NameMatch ds4;
    ds4.id = "ds4-q2";
    return ds4;
  }
  NameMatch r = read_quant(text, false);
  if (r.id.empty() && r.refusal.empty()) {
    const auto ids = ids_of(quantizations(), &Quantization::id);
    r.refusal = text.empty() ? "no quantization stated"
                             : fmt::format("quantization '{}' is not known{}; `ridgeline list quants` shows them", text,
                                           did_you_mean(lower_ascii(text), ids));
  }
  return r;
}

NameMatch match_model_words(std::string_view text);  // below: the name without the QAT rule

NameMatch match_model_name(std::string_view text) {
  NameMatch m = match_model_words(text);
  if (!m.id.empty() && m.quant.empty()) {  // QAT releases: same shapes, trained for Q4_0
    const auto words = name_words(text);
    if (std::find(words.begin(), words.end(), "qat") != words.end()) m.quant = "q4_0";
  }
  return m;
}

NameMatch match_ollama_model_name(std::string_view text) {
  const std::string s = strip_parentheses(text);
  if (s.find(':') == std::string::npos && s.find('/') == std::string::npos && ollama_family(lower_ascii(s)))
    return match_ollama(s, "", std::string(text));
  return match_model_name(text);
}

NameMatch match_model_words(std::string_view text) {
  std::string s = strip_parentheses(text);
  if (s.empty()) {
    NameMatch r;
    r.refusal = "no model stated";
    return r;
  }
  if (auto slash = s.rfind('/'); slash != std::string::npos) s.erase(0, slash + 1);  // organisation / hf: prefix
  if (s.starts_with("hf:")) s.erase(0, 3);
  if (auto colon = s.find(':'); colon != std::string::npos)
    return match_ollama(s.substr(0, colon), s.substr(colon + 1), std::string(text));
  if (const auto* ids = lookup(normalize_name(s)); ids && ids->size() == 1) return found(ids->front(), "", {});
  if (ollama_family(lower_ascii(s))) return match_ollama(s, "", std::string(text));
  return match_plain(s, "", {}, std::string(text));
}

}  // namespace ridgeline
