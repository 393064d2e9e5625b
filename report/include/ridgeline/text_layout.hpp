#pragma once
// Plain-text tables within 100 columns: names shortened and long cells wrapped at word boundaries.
#include <string>
#include <vector>

namespace ridgeline {

constexpr size_t kTableWidth = 100;

// `text` cut at the last space that keeps it within `width` (never mid-word), without a trailing
// unclosed "(..." part; a single word longer than `width` is cut, as there is no other choice.
std::string shorten_at_word(const std::string& text, size_t width);
// `text` as lines of at most `width` characters, broken at spaces.
std::vector<std::string> wrap_words(const std::string& text, size_t width);
// Each line of `text` longer than `width` wrapped at spaces, continuation lines indented by `indent`.
std::string wrap_long_lines(const std::string& text, size_t width = kTableWidth, size_t indent = 4);

}  // namespace ridgeline
