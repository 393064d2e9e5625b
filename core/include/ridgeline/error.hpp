#pragma once
// One exception type for every bad input. Its message is the one line the user sees:
// where (file, key or row), the bad value, and what was expected. main() turns it into exit code 2.
#include <fmt/format.h>
#include <stdexcept>
#include <string>
#include <vector>

namespace ridgeline {

class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& message) : std::runtime_error(message) {}
  template <typename... Args>
  InputError(fmt::format_string<Args...> f, Args&&... args)
      : std::runtime_error(fmt::format(f, std::forward<Args>(args)...)) {}
};

// Closest candidate to `word` by edit distance, or "" when nothing is close enough to suggest.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);
// " (did you mean 'x'?)" or "".
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace ridgeline
