// Which llama.cpp build a measured row ran: stated in its runtime text, else in its notes in a
// form that cannot be anything else, else bounded by the date its source was published.
#include <algorithm>
#include <cctype>
#include <string_view>

#include "fmt/format.h"
#include "ridgeline/calibration.hpp"
#include "ridgeline/dates.hpp"
#include "ridgeline/names.hpp"

namespace ridgeline {

namespace {

bool alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// A build number of 3 to 6 digits at `at` that ends a word ("2797." ending a sentence does; "2797.5"
// and "2797b" do not); 0 otherwise. `end` receives where the digits stop.
long long build_number_at(std::string_view text, size_t at, size_t& end) {
  end = at;
  while (end < text.size() && digit(text[end])) ++end;
  if (end - at < 3 || end - at > 6) return 0;
  const bool word_end = end == text.size() || (!alnum(text[end]) && !(text[end] == '.' && end + 1 < text.size() && digit(text[end + 1])));
  return word_end ? std::stoll(std::string(text.substr(at, end - at))) : 0;
}

// Whether the word before `at` (one space between) is a commit hash: 7 or more hex digits.
bool hex_commit_before(std::string_view text, size_t at) {
  if (at < 1 || text[at - 1] != ' ') return false;
  size_t start = at - 1;
  while (start > 0 && hex(text[start - 1])) --start;
  return at - 1 - start >= 7 && (start == 0 || !alnum(text[start - 1]));
}

// "(7948)" right after a commit hash, as llama.cpp prints its build: "b828e18c7 (7948)"; 0 else.
long long build_after_commit(std::string_view text, size_t open) {
  size_t end = 0;
  const long long b = build_number_at(text, open + 1, end);
  return b && end < text.size() && text[end] == ')' && hex_commit_before(text, open) ? b : 0;
}

// Where the word `key` occurs as a whole word (not "builds", "rebuild").
std::vector<size_t> word_positions(std::string_view text, std::string_view key) {
  std::vector<size_t> out;
  for (size_t at = text.find(key); at != std::string_view::npos; at = text.find(key, at + 1)) {
    const size_t end = at + key.size();
    if ((at == 0 || !alnum(text[at - 1])) && (end == text.size() || !alnum(text[end]))) out.push_back(at);
  }
  return out;
}

}  // namespace

long long stated_build(const std::string& text) {
  size_t end = 0;
  for (size_t i = text.find('('); i != std::string::npos; i = text.find('(', i + 1))
    if (long long b = build_after_commit(text, i)) return b;
  // "b7948", "build 1026", "version 9430".
  for (const char* key : {"build ", "version ", "b"}) {
    const std::string_view k(key);
    for (size_t i = text.find(k); i != std::string::npos; i = text.find(k, i + 1)) {
      const bool word_start = i == 0 || !alnum(text[i - 1]);
      if (long long b = build_number_at(text, i + k.size(), end); b && word_start) return b;
    }
  }
  return 0;
}

std::vector<long long> noted_builds(const std::string& notes) {
  const std::string text = lower_ascii(notes);
  std::vector<long long> out;
  auto add = [&out](long long b) {
    if (b && std::find(out.begin(), out.end(), b) == out.end()) out.push_back(b);
  };
  for (std::string_view key : {"llama.cpp", "build"}) {
    for (size_t at : word_positions(text, key)) {
      size_t i = at + key.size(), end = 0;
      if (key == "build" && i < text.size() && text[i] == ':') ++i;
      if (i >= text.size() || text[i] != ' ') continue;
      while (i < text.size() && text[i] == ' ') ++i;
      // "llama.cpp b4326", "build b4326".
      if (i < text.size() && text[i] == 'b') add(build_number_at(text, i + 1, end));
      if (key != "build") continue;
      // "build 1234", "build: 1234".
      add(build_number_at(text, i, end));
      // "build b828e18c7 (7948)", "build: 8e672efe (1628)".
      size_t word_end = i;
      while (word_end < text.size() && alnum(text[word_end])) ++word_end;
      if (word_end + 1 < text.size() && text[word_end] == ' ' && text[word_end + 1] == '(')
        add(build_after_commit(text, word_end + 1));
    }
  }
  return out;
}

int published_by(const std::string& source) {
  int latest = 0;
  for (size_t i = 0; i + 7 <= source.size(); ++i) {
    if (i > 0 && alnum(source[i - 1])) continue;
    // "2024-12-16" (or a time after it: "2024-12-16T08:00"), else "2024-12" not followed by a day.
    const bool day_ends = i + 10 <= source.size() && (i + 10 == source.size() || !alnum(source[i + 10]) || source[i + 10] == 'T');
    int d = day_ends ? date_number(std::string_view(source).substr(i, 10)) : 0;
    if (!d && (i + 7 == source.size() || (!alnum(source[i + 7]) && source[i + 7] != '-'))) d = month_end_number(std::string_view(source).substr(i, 7));
    // "20260717" as a file name writes a day ("submissions/20260717-apple-m5-...json"): eight digits
    // between non-digits that form a real date.
    if (!d && i + 8 <= source.size() && (i + 8 == source.size() || !std::isdigit(static_cast<unsigned char>(source[i + 8])))) {
      const std::string_view run = std::string_view(source).substr(i, 8);
      if (std::all_of(run.begin(), run.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
        d = date_number(fmt::format("{}-{}-{}", run.substr(0, 4), run.substr(4, 2), run.substr(6, 2)));
    }
    latest = std::max(latest, d);
  }
  return latest;
}

namespace {

long long noted_version(const std::string& runtime, const std::string& notes) {
  // The runtime column's name, as one word ("ollama"): its version where the notes write it right
  // after that name ("..., macOS 15.3.1, ollama 0.5.9; ..."), not another tool's ("llm_benchmark 0.4.2").
  const std::string text = lower_ascii(notes);
  std::string name = lower_ascii(runtime);
  name = name.substr(0, name.find_first_of(" (,;"));
  if (name.empty() || stated_version(name) > 0) return 0;
  long long found = 0;
  for (size_t at : word_positions(text, name)) {
    size_t i = at + name.size();
    if (i >= text.size() || text[i] != ' ') continue;
    size_t end = i + 1;
    while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end])) && text[end] != ';' && text[end] != ',' &&
           text[end] != ')')
      ++end;
    std::string word = text.substr(i + 1, end - i - 1);
    while (!word.empty() && word.back() == '.') word.pop_back();
    const long long v = word.find('.') != std::string::npos ? version_number(word) : 0;
    if (v <= 0) continue;
    if (found && found != v) return 0;  // two versions: neither is taken
    found = v;
  }
  return found;
}

}  // namespace

RowBuild row_build(const Measurement& m) {
  RowBuild b;
  b.version = stated_version(m.runtime);
  if (!b.version) b.version = noted_version(m.runtime, m.notes);
  b.build = stated_build(m.runtime);
  if (b.build) {
    b.from = RowBuild::From::runtime;
    return b;
  }
  b.noted = noted_builds(m.notes);
  if (b.noted.size() == 1) b.build = b.noted.front(), b.from = RowBuild::From::notes;
  else b.published_by = published_by(m.source);  // two builds in the notes: neither is taken
  return b;
}

std::string build_era_note(const RowBuild& b, RuntimeSpec rt) {
  if (b.from == RowBuild::From::runtime) return "";
  rt.build = b.build;
  rt.published_by = b.published_by;  // 0 whenever a build is known (row_build)
  rt.version = b.version;
  const RuntimeSpec::EngineBuild* engine = apply_engine_build(rt);
  // The boundaries this row falls before, as "concurrent dispatch (b6451, 2025-09-13)".
  std::vector<std::string> before;
  auto check = [&](const char* what, long long build, int date) {
    if (!built_before(rt, build, date)) return;
    before.push_back(rt.build ? fmt::format("{} (b{})", what, build) : fmt::format("{} (b{}, {})", what, build, date_text(date)));
  };
  check("flash attention's default", rt.kernels.fused_attention_default_since_build, rt.kernels.fused_attention_default_since_date);
  check("concurrent dispatch", rt.kernels.concurrent_dispatch_since_build, rt.kernels.concurrent_dispatch_since_date);
  if (!rt.kernels.blas.library.empty()) check("the end of the BLAS path", rt.kernels.blas.until_build, rt.kernels.blas.until_date);
  if (rt.kernels.matmul_retune) check("the matrix kernels' retune", rt.kernels.matmul_retune->since.build, rt.kernels.matmul_retune->since.date);
  if (rt.kernels.f16_kernel_rewrite)
    check("the f16 kernel's rewrite", rt.kernels.f16_kernel_rewrite->since.build, rt.kernels.f16_kernel_rewrite->since.date);
  // A wrapper's own engine, before the version that replaced it (a row stating a version says so itself).
  if (rt.version == kCurrentVersion && rt.vendored_engine_until_version > 0 && vendored_engine(rt)) {
    before.push_back(fmt::format("{} replaced its own engine ({}, {})", rt.id, version_text(rt.vendored_engine_until_version),
                                 date_text(rt.vendored_engine_until_date)));
  }
  std::string eras;
  for (size_t i = 0; i < before.size(); ++i) eras += (i == 0 ? "" : i + 1 == before.size() ? " and " : ", ") + before[i];
  std::string note;
  if (b.noted.size() > 1) {
    note = "the notes state builds";
    for (size_t i = 0; i < b.noted.size(); ++i) note += fmt::format("{}{}", i == 0 ? " " : ", ", b.noted[i]);
    note += ": none taken";
  }
  if (b.from == RowBuild::From::notes) return fmt::format("build {} from the notes{}", b.build, eras.empty() ? "" : ": before " + eras);
  if (engine) {
    const std::string what = engine->build > 0 ? fmt::format("build {}", engine->build)
                                               : fmt::format("a commit of {} or earlier", date_text(engine->no_later_than));
    return fmt::format("{} {} runs {} {}{}", rt.id, version_text(rt.version), rt.wraps.empty() ? "engine" : rt.wraps, what,
                       eras.empty() ? "" : ": before " + eras);
  }
  if (!eras.empty()) note += (note.empty() ? "" : "; ") + fmt::format("published {}: before {}", date_text(rt.published_by), eras);
  return note;
}

}  // namespace ridgeline
