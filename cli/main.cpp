// ridgeline: analytic performance model of LLM inference on unified-memory machines.
// Exit codes: 0 success, 1 the answer is "does not fit" / a requirement failed, 2 bad input,
// 3 internal error.
#include <fmt/format.h>

#include <iostream>

#include "commands.hpp"
#include "ridgeline/error.hpp"

int main(int argc, char** argv) {
  using namespace ridgeline::cli;
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
    std::string msg = e.what();
    if (msg.empty()) msg = e.get_name();
    std::cerr << "ridgeline: " << msg << " (see ridgeline --help)\n";
    return kBadInput;
  }
  try {
    return action();
  } catch (const ridgeline::InputError& e) {
    std::cerr << "ridgeline: " << e.what() << "\n";
    return kBadInput;
  } catch (const std::exception& e) {
    std::cerr << "ridgeline: internal error: " << e.what() << "\n";
    return kInternal;
  }
}
