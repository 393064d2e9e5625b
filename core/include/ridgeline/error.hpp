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

// An error about one field of a request rather than of a file: the model or hardware asked for, a
// workload's prompt, an override ("set.bandwidth"). what() is "<field>: <detail>"; a front end names
// the field its own way (the command line says the flag: cli/flags.cpp), so library messages never
// name command-line flags.
class FieldError : public InputError {
 public:
  template <typename... Args>
  FieldError(const std::string& field, fmt::format_string<Args...> f, Args&&... args)
      : FieldError(field, fmt::format(f, std::forward<Args>(args)...), Detail{}) {}
  // `e` raised by a reader that was given `field` as its "where": its detail without that prefix.
  static FieldError from(const std::string& field, const InputError& e);

  const std::string& field() const { return field_; }
  const std::string& detail() const { return detail_; }

 private:
  struct Detail {};
  FieldError(const std::string& field, std::string detail, Detail)
      : InputError(field + ": " + detail), field_(field), detail_(std::move(detail)) {}
  std::string field_, detail_;
};

// Closest candidate to `word` by edit distance, or "" when nothing is close enough to suggest.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);
// " (did you mean 'x'?)" or "".
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace ridgeline
