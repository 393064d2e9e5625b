// Benchmark output as tools print it: llama-bench (-o json, -o csv, -o md), llama-batched-bench
// tables, mlx_lm.benchmark and mlx_lm.generate --verbose. Fields these tools do not print (the
// chip, sometimes the model) are left empty for `--map` to supply.
#include <algorithm>
#include <optional>
#include <regex>
#include <sstream>

#include "ridgeline/error.hpp"
#include "ridgeline/measurement.hpp"
#include "ridgeline/strict_reader.hpp"

namespace ridgeline {

namespace {

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

double need_number(const std::string& text, const std::string& label, long long row, const std::string& what,
                   double min) {
  auto v = parse_double(trim(text));
  if (!v || *v < min) throw InputError("{}: row {}, {}: '{}' is not a number >= {}", label, row, what, trim(text), min);
  return *v;
}

long long need_count(const std::string& text, const std::string& label, long long row, const std::string& what) {
  const double v = need_number(text, label, row, what, 0);
  if (v != static_cast<double>(static_cast<long long>(v)) || v > 1e12)
    throw InputError("{}: row {}, {}: '{}' is not a whole number of tokens", label, row, what, trim(text));
  return static_cast<long long>(v);
}

// "llama 8B Q4_K - Medium" -> quant "Q4_K - Medium" (llama-bench's model_type: arch, size, type).
std::string quant_of_model_type(const std::string& type) {
  static const std::regex re(R"(^\S+\s+[0-9.]+[BMK](?:\.A[0-9.]+B)?\s+(.*?)(?:\s+MoE)?$)");
  std::smatch m;
  return std::regex_match(type, m, re) ? m[1].str() : "";
}

std::string basename_without_gguf(std::string path) {
  const auto slash = path.find_last_of('/');
  if (slash != std::string::npos) path = path.substr(slash + 1);
  if (path.size() > 5 && path.ends_with(".gguf")) path.resize(path.size() - 5);
  return path;
}

// One llama-bench test: pp (prefill) or tg (decode) at a depth.
Measurement bench_row(const std::string& label, long long row, long long n_prompt, long long n_gen, long long depth,
                      double rate) {
  Measurement m;
  m.file = label;
  m.row = row;
  m.context = depth;
  m.n_prompt = n_prompt;
  m.n_gen = n_gen;
  if (n_prompt > 0 && n_gen > 0) m.decode_after_prompt = true;  // -pg: the combined rate is not split
  if (n_gen == 0) m.prefill_tok_s = rate;
  else if (n_prompt == 0) m.decode_tok_s = rate;
  m.notes = "llama-bench";
  return m;
}

}  // namespace

std::vector<Measurement> parse_llama_bench_json(const std::string& text, const std::string& label) {
  const Node doc = load_document_text(text, label);
  if (!doc.is_sequence()) throw InputError("{}: expected a JSON array of llama-bench results", label);
  std::vector<Measurement> out;
  long long row = 0;
  for (const Node& item : doc.items()) {
    ++row;
    if (!item.is_map()) throw InputError("{}: entry {}: expected an object", label, row);
    auto field = [&](const char* key, bool required) -> std::string {
      const Node* v = item.find(key);
      if (!v) {
        if (required) throw InputError("{}: entry {}: missing key '{}'", label, row, key);
        return "";
      }
      if (!v->is_scalar()) throw InputError("{}: entry {}, key '{}': expected a single value", label, row, key);
      return v->text();
    };
    const long long np = need_count(field("n_prompt", true), label, row, "n_prompt");
    const long long ng = need_count(field("n_gen", true), label, row, "n_gen");
    const std::string depth = field("n_depth", false);
    Measurement m = bench_row(label, row, np, ng, depth.empty() ? 0 : need_count(depth, label, row, "n_depth"),
                              need_number(field("avg_ts", true), label, row, "avg_ts", 1e-9));
    const std::string type = field("model_type", true);
    const std::string file = field("model_filename", false);
    m.model = file.empty() ? type : basename_without_gguf(file);
    m.quant = quant_of_model_type(type);
    m.chip = field("gpu_info", false);
    m.runtime = "llama.cpp " + field("backends", false);
    const std::string ub = field("n_ubatch", false);
    if (!ub.empty()) m.chunk = need_count(ub, label, row, "n_ubatch");
    if (const std::string fa = field("flash_attn", false); !fa.empty()) m.notes += "; flash_attn " + fa;
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<Measurement> parse_llama_bench_csv(const std::string& text, const std::string& label) {
  const auto rows = parse_csv(text, label);
  if (rows.empty()) throw InputError("{}: the file is empty; expected a llama-bench CSV header", label);
  auto col = [&](const char* name, bool required) -> long {
    auto it = std::find(rows[0].begin(), rows[0].end(), name);
    if (it == rows[0].end()) {
      if (required) throw InputError("{}: header: missing column '{}'", label, name);
      return -1;
    }
    return it - rows[0].begin();
  };
  const long np = col("n_prompt", true), ng = col("n_gen", true), ts = col("avg_ts", true), type = col("model_type", true);
  const long depth = col("n_depth", false), file = col("model_filename", false), gpu = col("gpu_info", false),
             backends = col("backends", false), ub = col("n_ubatch", false), fa = col("flash_attn", false);
  std::vector<Measurement> out;
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& c = rows[r];
    const long long line = static_cast<long long>(r) + 1;
    auto at = [&](long i) { return i < 0 ? std::string() : c[static_cast<size_t>(i)]; };
    Measurement m = bench_row(label, line, need_count(at(np), label, line, "n_prompt"),
                              need_count(at(ng), label, line, "n_gen"),
                              depth < 0 ? 0 : need_count(at(depth), label, line, "n_depth"),
                              need_number(at(ts), label, line, "avg_ts", 1e-9));
    m.model = at(file).empty() ? at(type) : basename_without_gguf(at(file));
    m.quant = quant_of_model_type(at(type));
    m.chip = at(gpu);
    m.runtime = "llama.cpp " + at(backends);
    if (ub >= 0) m.chunk = need_count(at(ub), label, line, "n_ubatch");
    if (fa >= 0 && !at(fa).empty()) m.notes += "; flash_attn " + at(fa);
    out.push_back(std::move(m));
  }
  return out;
}

namespace {
std::vector<std::string> table_cells(const std::string& line) {
  std::vector<std::string> cells;
  std::string t = trim(line);
  if (t.size() < 2 || t.front() != '|' || t.back() != '|') return cells;
  std::stringstream in(t.substr(1, t.size() - 2));
  std::string cell;
  while (std::getline(in, cell, '|')) cells.push_back(trim(cell));
  return cells;
}
bool is_rule(const std::vector<std::string>& cells) {
  return !cells.empty() && std::all_of(cells.begin(), cells.end(), [](const std::string& c) {
    return !c.empty() && c.find_first_not_of("-: ") == std::string::npos;
  });
}

// One data row of a markdown table: its cells by header name, and its line in the file.
struct TableRow {
  const std::vector<std::string>& header;
  const std::vector<std::string>& cells;
  long long line;
  std::optional<std::string> cell(const char* name) const {
    auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) return std::nullopt;
    return cells[static_cast<size_t>(it - header.begin())];
  }
};

// Calls `row` for each data row of the markdown tables whose header has a `marker` column
// (separator rules and text outside tables are skipped). Returns whether such a header was found.
template <typename RowFn>
bool for_each_table_row(const std::string& text, const std::string& label, const char* marker, RowFn&& row) {
  std::vector<std::string> header;
  const auto lines = lines_of(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    const long long line = static_cast<long long>(i) + 1;
    auto cells = table_cells(lines[i]);
    if (cells.empty() || is_rule(cells)) continue;
    if (std::find(cells.begin(), cells.end(), marker) != cells.end()) {
      header = cells;
      continue;
    }
    if (header.empty()) continue;
    if (cells.size() != header.size())
      throw InputError("{}: line {}: {} cells; expected {} as in the table header", label, line, cells.size(), header.size());
    row(TableRow{header, cells, line});
  }
  return !header.empty();
}
}  // namespace

std::vector<Measurement> parse_llama_bench_markdown(const std::string& text, const std::string& label) {
  static const std::regex test_re(R"(^(pp|tg)(\d+)(?:\s*@\s*d(\d+))?$)");
  static const std::regex pg_re(R"(^pp(\d+)\+tg(\d+)(?:\s*@\s*d(\d+))?$)");
  std::vector<Measurement> out;
  const bool found = for_each_table_row(text, label, "test", [&](const TableRow& t) {
    const long long line = t.line;
    auto get = [&](const char* name) { return t.cell(name).value_or(""); };
    const std::string test = get("test"), rate_text = get("t/s");
    const std::string rate_value = trim(rate_text.substr(0, rate_text.find("±")));
    const double rate = need_number(rate_value, label, line, "t/s", 1e-9);
    std::smatch m;
    Measurement row;
    if (std::regex_match(test, m, test_re)) {
      const long long n = std::stoll(m[2].str()), d = m[3].matched ? std::stoll(m[3].str()) : 0;
      row = m[1] == "pp" ? bench_row(label, line, n, 0, d, rate) : bench_row(label, line, 0, n, d, rate);
    } else if (std::regex_match(test, m, pg_re)) {
      return;  // pp+tg: one combined rate that is neither prefill nor decode
    } else {
      throw InputError("{}: line {}, test '{}': expected ppN, tgN or ppN @ dD", label, line, test);
    }
    const std::string type = get("model");
    row.model = type;
    row.quant = quant_of_model_type(type);
    row.runtime = "llama.cpp " + get("backend");
    const std::string ub = get("n_ubatch");
    if (!ub.empty()) row.chunk = need_count(ub, label, line, "n_ubatch");
    out.push_back(std::move(row));
  });
  if (!found) throw InputError("{}: no llama-bench table found (expected a '| model | ... | test | t/s |' header)", label);
  return out;
}

std::vector<Measurement> parse_batched_bench(const std::string& text, const std::string& label) {
  static const std::regex ubatch_re(R"(n_ubatch\s*=\s*(\d+))");
  long long ubatch = 0;
  std::smatch um;
  if (std::regex_search(text, um, ubatch_re)) ubatch = std::stoll(um[1].str());
  std::vector<Measurement> out;
  const bool found = for_each_table_row(text, label, "S_TG t/s", [&](const TableRow& t) {
    const long long line = t.line;
    auto get = [&](const char* name) -> std::string {
      if (auto v = t.cell(name)) return *v;
      throw InputError("{}: table header: missing column '{}'", label, name);
    };
    Measurement m;
    m.file = label;
    m.row = line;
    m.n_prompt = need_count(get("PP"), label, line, "PP");
    m.n_gen = need_count(get("TG"), label, line, "TG");
    m.batch = need_count(get("B"), label, line, "B");
    if (m.batch < 1) throw InputError("{}: line {}, B: '0' is not a number of sequences >= 1", label, line);
    m.prefill_tok_s = need_number(get("S_PP t/s"), label, line, "S_PP t/s", 1e-9);
    m.decode_tok_s = need_number(get("S_TG t/s"), label, line, "S_TG t/s", 1e-9);
    m.decode_after_prompt = true;
    m.chunk = ubatch;
    m.notes = "llama-batched-bench";
    out.push_back(std::move(m));
  });
  if (!found) throw InputError("{}: no llama-batched-bench table found (expected a '| PP | TG | B | ... | S_TG t/s |' header)", label);
  return out;
}

std::vector<Measurement> parse_mlx_output(const std::string& text, const std::string& label) {
  static const std::regex timing_re(R"(prompt_tokens=(\d+), generation_tokens=(\d+)(?:, batch_size=(\d+))?)");
  static const std::regex averages_re(R"(Averages: prompt_tps=([0-9.eE+-]+), generation_tps=([0-9.eE+-]+), peak_memory=([0-9.eE+-]+))");
  static const std::regex prompt_re(R"(^Prompt: (\d+) tokens, ([0-9.eE+-]+) tokens-per-sec)");
  static const std::regex gen_re(R"(^Generation: (\d+) tokens, ([0-9.eE+-]+) tokens-per-sec)");
  static const std::regex peak_re(R"(^Peak memory: ([0-9.eE+-]+) GB)");
  std::vector<Measurement> out;
  Measurement cur;
  cur.file = label;
  cur.notes = "mlx_lm";
  cur.decode_after_prompt = true;
  const auto lines = lines_of(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    const long long line = static_cast<long long>(i) + 1;
    std::smatch m;
    const std::string l = trim(lines[i]);
    if (std::regex_search(l, m, timing_re)) {
      cur.n_prompt = need_count(m[1].str(), label, line, "prompt_tokens");
      cur.n_gen = need_count(m[2].str(), label, line, "generation_tokens");
      if (m[3].matched) cur.batch = std::max(1LL, need_count(m[3].str(), label, line, "batch_size"));
    } else if (std::regex_search(l, m, averages_re)) {
      if (cur.n_prompt == 0) throw InputError("{}: line {}: averages without a preceding 'Timing with prompt_tokens=...' line", label, line);
      cur.row = line;
      cur.prefill_tok_s = need_number(m[1].str(), label, line, "prompt_tps", 1e-9);
      cur.decode_tok_s = need_number(m[2].str(), label, line, "generation_tps", 1e-9);
      cur.peak_memory_gb = need_number(m[3].str(), label, line, "peak_memory", 0);
      out.push_back(cur);
    } else if (std::regex_search(l, m, prompt_re)) {
      cur.row = line;
      cur.n_prompt = need_count(m[1].str(), label, line, "Prompt tokens");
      cur.prefill_tok_s = need_number(m[2].str(), label, line, "Prompt tokens-per-sec", 1e-9);
    } else if (std::regex_search(l, m, gen_re)) {
      if (cur.n_prompt == 0) throw InputError("{}: line {}: a Generation line without a preceding Prompt line", label, line);
      cur.n_gen = need_count(m[1].str(), label, line, "Generation tokens");
      cur.decode_tok_s = need_number(m[2].str(), label, line, "Generation tokens-per-sec", 1e-9);
      out.push_back(cur);
    } else if (std::regex_search(l, m, peak_re) && !out.empty()) {
      out.back().peak_memory_gb = need_number(m[1].str(), label, line, "Peak memory", 0);
    }
  }
  if (out.empty()) throw InputError("{}: no mlx_lm results found (expected 'Averages: prompt_tps=...' or 'Prompt: N tokens, X tokens-per-sec')", label);
  for (auto& m : out) m.runtime = "mlx";
  return out;
}

namespace {
std::vector<Measurement> parse_by_format(const std::string& text, const std::string& label) {
  const std::string t = trim(text);
  if (t.empty()) throw InputError("{}: the file is empty; expected benchmark results", label);
  if (t.find('\0') != std::string::npos || text.find('\0') != std::string::npos)
    throw InputError("{}: binary data; expected a text benchmark file", label);
  const std::string first = t.substr(0, t.find('\n'));
  if (t.front() == '[' || t.front() == '{') return parse_llama_bench_json(text, label);
  if (first.starts_with("source,")) return parse_measurement_csv(text, label);
  if (first.find("n_prompt") != std::string::npos && first.find("n_gen") != std::string::npos)
    return parse_llama_bench_csv(text, label);
  if (t.find("S_TG t/s") != std::string::npos) return parse_batched_bench(text, label);
  if (std::regex_search(t, std::regex(R"(\|\s*test\s*\|)")))
    return parse_llama_bench_markdown(text, label);
  if (t.find("prompt_tps=") != std::string::npos || t.find("tokens-per-sec") != std::string::npos)
    return parse_mlx_output(text, label);
  throw InputError("{}: not a recognised benchmark format (expected the measurement CSV, llama-bench "
                   "json/csv/markdown, a llama-batched-bench table or mlx_lm output)", label);
}
}  // namespace

std::vector<Measurement> parse_measurements_text(const std::string& text, const std::string& label) {
  auto rows = parse_by_format(text, label);
  for (auto& m : rows) read_kernel_variant(m);
  return rows;
}

std::vector<Measurement> load_measurements(const std::string& path) {
  return parse_measurements_text(read_text_file(path), path);
}

}  // namespace ridgeline
