// The project's measurement CSV (schema of ../shared/data/README.md, optional columns included)
// and the RFC 4180 reader shared with the llama-bench CSV parser.
#include <algorithm>
#include <cstring>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "ridgeline/error.hpp"
#include "ridgeline/measurement.hpp"
#include "ridgeline/names.hpp"
#include "ridgeline/strict_reader.hpp"

namespace ridgeline {

std::vector<std::vector<std::string>> parse_csv(const std::string& text, const std::string& label) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, in_field = false;
  long long line = 1, quote_line = 0;
  // Runs of ordinary characters are appended whole (a character at a time was most of the parse).
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (quoted) {
      // memchr and a counted run vectorize; a character-at-a-time scan was most of the parse.
      const void* q = std::memchr(text.data() + i, '"', text.size() - i);
      const size_t close = q ? static_cast<size_t>(static_cast<const char*>(q) - text.data()) : text.size();
      line += std::count(text.begin() + static_cast<std::ptrdiff_t>(i), text.begin() + static_cast<std::ptrdiff_t>(close), '\n');
      field.append(text, i, close - i);
      i = close;
      if (i + 1 < text.size() && text[i + 1] == '"') field += '"', i += 2;  // "" inside quotes
      else if (i < text.size()) quoted = false, ++i;
      continue;
    }
    if (c == '"' && field.empty()) quoted = true, in_field = true, quote_line = line, ++i;
    else if (c == ',') row.push_back(std::move(field)), field.clear(), in_field = true, ++i;
    else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (in_field || !field.empty()) row.push_back(std::move(field));
      if (!row.empty()) rows.push_back(std::move(row));
      row.clear(), field.clear(), in_field = false, ++line, ++i;
    } else {  // up to the next separator; a quote after the first character is literal
      size_t end = i + 1;
      while (end < text.size() && text[end] != ',' && text[end] != '\n' && text[end] != '\r') ++end;
      field.append(text, i, end - i), in_field = true;
      i = end;
    }
  }
  if (quoted) throw InputError("{}: line {}: a quoted field is never closed", label, quote_line);
  if (in_field || !field.empty()) row.push_back(std::move(field));
  if (!row.empty()) rows.push_back(std::move(row));
  for (size_t r = 1; r < rows.size(); ++r)
    if (rows[r].size() != rows[0].size())
      throw InputError("{}: row {}: {} fields; expected {} as in the header", label, r + 1, rows[r].size(), rows[0].size());
  return rows;
}

namespace {

const std::vector<std::string> kCommon = {"source", "chip", "gpu_cores", "bandwidth_gbs", "memory_gb", "runtime",
                                          "model", "params_b", "quant", "context_tokens", "n_prompt", "n_gen",
                                          "prefill_tok_s", "decode_tok_s", "notes"};
const std::vector<std::string> kOptional = {"chunk_tokens", "batch", "attention_path", "transient_bytes",
                                            "memory_limit_gb", "oom_context_tokens", "kv_capacity_tokens",
                                            "weight_bytes"};

// Header name -> index, looked up by a string_view without a copy; hashed: two dozen lookups a row
// through a tree of string compares were a twentieth of validate.
struct ColumnHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using Columns = std::unordered_map<std::string, size_t, ColumnHash, std::equal_to<>>;

struct RowReader {
  const Columns& col;
  const std::vector<std::string>& cells;
  const std::string& label;
  long long line;

  const std::string& text(std::string_view key) const {
    static const std::string none;
    auto it = col.find(key);
    return it == col.end() || it->second >= cells.size() ? none : cells[it->second];
  }
  std::optional<double> number(std::string_view key, double min, double max, const char* expected) const {
    const std::string& t = text(key);
    if (t.empty()) return std::nullopt;
    auto v = parse_double(t);
    if (!v || *v < min || *v > max)
      throw InputError("{}: row {}, column '{}': '{}' is not {}", label, line, key, t, expected);
    return v;
  }
  long long count(std::string_view key, long long min, const char* expected) const {
    auto v = number(key, static_cast<double>(min), 1e12, expected);
    if (v && *v != static_cast<double>(static_cast<long long>(*v)))
      throw InputError("{}: row {}, column '{}': '{}' is not {}", label, line, key, text(key), expected);
    return v ? static_cast<long long>(*v) : 0;
  }
};

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Digits at `p` (at most 12: a count, never an overflow); advances `p`.
std::optional<long long> read_digits(std::string_view s, size_t& p) {
  const size_t start = p;
  while (p < s.size() && s[p] >= '0' && s[p] <= '9') ++p;
  if (p == start || p - start > 12) return std::nullopt;
  long long v = 0;
  for (size_t i = start; i < p; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

// "B=4 parallel" (a word on its own): the batch the notes state. Scanned by hand: a std::regex
// per row was most of validate's time.
std::optional<long long> batch_from_notes(std::string_view notes) {
  for (size_t at = notes.find("B="); at != std::string_view::npos; at = notes.find("B=", at + 1)) {
    if (at > 0 && is_word_char(notes[at - 1])) continue;
    size_t p = at + 2;
    auto v = read_digits(notes, p);
    if (v && notes.substr(p).starts_with(" parallel")) return v;
  }
  return std::nullopt;
}

// "n_ubatch=512", "n_ubatch: 512", "n_ubatch 512": the prefill chunk the notes state.
std::optional<long long> ubatch_from_notes(std::string_view notes) {
  for (size_t at = notes.find("n_ubatch"); at != std::string_view::npos; at = notes.find("n_ubatch", at + 1)) {
    size_t p = at + 8;
    while (p < notes.size() && is_space(notes[p])) ++p;
    if (p < notes.size() && (notes[p] == '=' || notes[p] == ':')) ++p;
    while (p < notes.size() && is_space(notes[p])) ++p;
    if (auto v = read_digits(notes, p)) return v;
  }
  return std::nullopt;
}

}  // namespace

std::vector<Measurement> parse_measurement_csv(const std::string& text, const std::string& label) {
  const auto rows = parse_csv(text, label);
  if (rows.empty()) throw InputError("{}: the file is empty; expected a CSV header", label);
  Columns col;
  std::vector<std::string> known = kCommon;
  known.insert(known.end(), kOptional.begin(), kOptional.end());
  for (size_t i = 0; i < rows[0].size(); ++i) {
    const std::string& name = rows[0][i];
    if (std::find(known.begin(), known.end(), name) == known.end())
      throw InputError("{}: header: unknown column '{}'{}", label, name, did_you_mean(name, known));
    if (!col.emplace(name, i).second) throw InputError("{}: header: column '{}' appears twice", label, name);
  }
  for (const auto& name : kCommon)
    if (!col.count(name)) throw InputError("{}: header: missing column '{}'", label, name);

  std::vector<Measurement> out;
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& cells = rows[r];
    const long long line = static_cast<long long>(r) + 1;
    RowReader rd{col, cells, label, line};
    Measurement m;
    m.file = label;
    m.row = line;
    m.source = rd.text("source");
    m.chip = rd.text("chip");
    m.runtime = rd.text("runtime");
    m.model = rd.text("model");
    m.quant = rd.text("quant");
    m.notes = rd.text("notes");
    m.gpu_cores = static_cast<int>(rd.count("gpu_cores", 1, "a whole number of GPU cores >= 1"));
    m.memory_gb = rd.number("memory_gb", 0.001, 1e6, "a memory size in GB > 0").value_or(0);
    m.bandwidth_gbs = rd.number("bandwidth_gbs", 0.001, 1e6, "a bandwidth in GB/s > 0").value_or(0);
    rd.number("params_b", 0, 1e5, "a parameter count in billions");
    m.context = rd.count("context_tokens", 0, "a whole number of tokens >= 0");
    m.n_prompt = rd.count("n_prompt", 0, "a whole number of tokens >= 0");
    m.n_gen = rd.count("n_gen", 0, "a whole number of tokens >= 0");
    m.prefill_tok_s = rd.number("prefill_tok_s", 1e-9, 1e9, "a rate in tokens/s > 0");
    m.decode_tok_s = rd.number("decode_tok_s", 1e-9, 1e9, "a rate in tokens/s > 0");
    m.chunk = rd.count("chunk_tokens", 1, "a whole number of tokens >= 1");
    if (m.chunk == 0) m.chunk = ubatch_from_notes(m.notes).value_or(0);
    m.batch = rd.count("batch", 1, "a whole number of sequences >= 1");
    if (m.batch == 0) m.batch = batch_from_notes(m.notes).value_or(1);
    m.attention_path = rd.text("attention_path");
    if (!m.attention_path.empty() && m.attention_path != "fused" && m.attention_path != "unfused")
      throw InputError("{}: row {}, column 'attention_path': '{}' is not fused or unfused", label, line, m.attention_path);
    m.transient_bytes = rd.number("transient_bytes", 0, 1e18, "a byte count >= 0");
    m.memory_limit_gb = rd.number("memory_limit_gb", 0.001, 1e6, "a memory size in GB > 0");
    m.oom_context = rd.number("oom_context_tokens", 0, 1e12, "a whole number of tokens >= 0");
    m.kv_capacity = rd.number("kv_capacity_tokens", 1, 1e12, "a whole number of tokens >= 1");
    m.weight_bytes = rd.number("weight_bytes", 1, 1e18, "a byte count > 0");
    // llama-bench times pp and tg as separate tests at the same depth; other tools (./main,
    // servers, batched-bench) generate after the prompt.
    m.decode_after_prompt = m.notes.find("llama-bench") == std::string::npos;
    // batched-bench rows state the per-sequence prompt length as context_tokens: the prompt itself.
    if (m.notes.find("llama-batched-bench") != std::string::npos) m.context = 0;
    // ds4-bench rows state the frontier the prefill chunk ends at ("a prefill ... that ENDS at
    // ctx_tokens"): the cache held ctx - n_prompt tokens before it, and generation starts at ctx.
    if (lower_ascii(m.notes).find("ends at ctx_tokens") != std::string::npos) {
      if (m.n_prompt > m.context)
        throw InputError("{}: row {}: n_prompt {} exceeds context_tokens {}, which its notes say the prompt ends at", label, line,
                         m.n_prompt, m.context);
      m.context -= m.n_prompt;
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace ridgeline
