#include "ridgeline/text_layout.hpp"

#include <algorithm>

namespace ridgeline {

std::string shorten_at_word(const std::string& text, size_t width) {
  if (text.size() <= width) return text;
  const size_t space = text.rfind(' ', width);
  if (space == std::string::npos || space == 0) return text.substr(0, width);
  std::string out = text.substr(0, space);
  // "Framework Desktop (Ryzen AI" -> "Framework Desktop": no half of a parenthesis.
  const size_t open = out.rfind('(');
  if (open != std::string::npos && out.find(')', open) == std::string::npos && open > 0) out = out.substr(0, open);
  while (!out.empty() && (out.back() == ' ' || out.back() == ',')) out.pop_back();
  return out;
}

std::vector<std::string> wrap_words(const std::string& text, size_t width) {
  std::vector<std::string> lines;
  std::string line;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      lines.push_back(line);
      line.clear();
    }
    if (!word.empty()) line += (line.empty() ? "" : " ") + word;
    start = end + 1;
  }
  if (!line.empty() || lines.empty()) lines.push_back(line);
  return lines;
}

std::string wrap_long_lines(const std::string& text, size_t width, size_t indent) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    const bool newline = end != std::string::npos;
    if (!newline) end = text.size();
    std::string line = text.substr(start, end - start);
    while (line.size() > width) {
      size_t cut = line.rfind(' ', width);
      if (cut == std::string::npos || cut <= indent) break;  // one word wider than the table: left whole
      out += line.substr(0, cut);
      out += '\n';
      const size_t next = line.find_first_not_of(' ', cut);
      line = std::string(indent, ' ') + (next == std::string::npos ? "" : line.substr(next));
    }
    out += line;
    if (newline) out += '\n';
    start = end + 1;
  }
  return out;
}

}  // namespace ridgeline
