// ridgeline: analytic performance model of LLM inference on unified-memory machines.
// Exit codes: 0 success, 1 the answer is "does not fit" / a requirement failed, 2 bad input,
// 3 internal error.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <fmt/ranges.h>

#include "commands.hpp"
#include "ridgeline/error.hpp"

namespace {
// CLI11 says "A subcommand is required" for `ridgeline predic` and "arguments were not expected"
// for `--promt 10`; this names the word it did not know and the nearest one it does.
std::string unknown_word_message(const CLI::App& app, int argc, char** argv) {
  if (argc < 2) return "";
  const std::string first = argv[1];
  std::vector<std::string> names;
  const CLI::App* sub = nullptr;
  for (const CLI::App* s : app.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(s->get_name());
    if (s->get_name() == first) sub = s;
  }
  if (!first.starts_with("-") && !sub)
    return fmt::format("'{}' is not a command{}; commands: {}", first, ridgeline::did_you_mean(first, names),
                       fmt::join(names, ", "));
  if (!sub) return "";
  std::vector<std::string> flags;
  for (const CLI::Option* opt : sub->get_options())
    for (const auto& n : opt->get_lnames()) flags.push_back("--" + n);
  for (int i = 2; i < argc; ++i) {
    std::string word = argv[i];
    if (!word.starts_with("--")) continue;
    word = word.substr(0, word.find('='));
    if (std::find(flags.begin(), flags.end(), word) == flags.end())
      return fmt::format("{}: '{}' is not a flag of {}{} (see ridgeline {} --help)", first, word, first,
                         ridgeline::did_you_mean(word, flags), first);
  }
  return "";
}
}  // namespace

int main(int argc, char** argv) {
  using namespace ridgeline::cli;
  // Nothing writes through C stdio: standard output keeps its own buffer instead of a call into
  // stdio per `<<` (validate writes several per row).
  std::ios::sync_with_stdio(false);
  CLI::App app{"ridgeline: predicts LLM prefill, decode and memory on unified-memory machines", "ridgeline"};
  app.set_version_flag("--version", std::string("ridgeline ") + RIDGELINE_VERSION);
  app.require_subcommand(1);
  std::function<int()> action;
  setup_all(app, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (const std::string known = unknown_word_message(app, argc, argv); !known.empty()) {
      std::cerr << "ridgeline: " << known << "\n";
      return kBadInput;
    }
    std::string msg = e.what();
    if (msg.empty()) msg = e.get_name();
    std::cerr << "ridgeline: " << msg << " (see ridgeline --help)\n";
    return kBadInput;
  }
  try {
    return action();
  } catch (const ridgeline::InputError& e) {
    std::cerr << "ridgeline: " << flag_message(e) << "\n";
    return kBadInput;
  } catch (const std::exception& e) {
    std::cerr << "ridgeline: internal error: " << e.what() << "\n";
    return kInternal;
  }
}
