// Runs one golden case: `ridgeline <command>` in the case folder, then compares every field that
// expected.json names with the output. Tolerance: a number written as an integer (a byte or token
// count) must match exactly; any other number within a relative 1e-5 (outputs carry 6 significant
// digits); strings and booleans exactly. Arrays of objects with a "name" are matched by name prefix.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>

#include "ridgeline/document.hpp"
#include "ridgeline/error.hpp"

namespace {

using ridgeline::Node;

int failures = 0;

void fail(const std::string& where, const std::string& what) {
  std::cout << "MISMATCH " << where << ": " << what << "\n";
  ++failures;
}

bool is_integer(const std::string& s) { return std::regex_match(s, std::regex("-?[0-9]+")); }
bool is_number(const std::string& s) {
  return std::regex_match(s, std::regex("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?"));
}

// `actual` is nullptr where the output lacks the key.
void compare(const Node& expected, const Node* actual, const std::string& where) {
  if (!actual) return fail(where, "missing in the output");
  if (expected.is_map()) {
    if (!actual->is_map()) return fail(where, "expected an object");
    for (const auto& [key, value] : expected.entries()) compare(value, actual->find(key), where + "." + key);
    return;
  }
  if (expected.is_sequence()) {
    if (!actual->is_sequence()) return fail(where, "expected an array");
    const auto& items = actual->items();
    for (std::size_t i = 0; i < expected.size(); ++i) {
      const Node& e = expected[i];
      if (e.is_map() && e.find("name")) {
        const std::string name = e["name"].text();
        std::size_t found = items.size();
        for (std::size_t k = 0; k < items.size() && found == items.size(); ++k)
          if (items[k].is_map() && items[k].find("name") && items[k]["name"].text().rfind(name, 0) == 0) found = k;
        if (found == items.size()) fail(where + "[" + name + "]", "no element with this name");
        else compare(e, &items[found], where + "[" + name + "]");
      } else if (i >= items.size()) {
        fail(where + "[" + std::to_string(i) + "]", "missing in the output");
      } else {
        compare(e, &items[i], where + "[" + std::to_string(i) + "]");
      }
    }
    return;
  }
  const std::string e = expected.text(), a = actual->text();
  if (is_integer(e)) {
    if (a != e) fail(where, "expected exactly " + e + ", got " + a);
  } else if (is_number(e)) {
    if (!is_number(a)) return fail(where, "expected a number, got " + a);
    const double ev = std::stod(e), av = std::stod(a);
    if (std::fabs(av - ev) > 1e-5 * std::fabs(ev)) fail(where, "expected " + e + " (relative 1e-5), got " + a);
  } else if (a != e) {
    fail(where, "expected '" + e + "', got '" + a + "'");
  }
}

}  // namespace

// golden_runner <ridgeline> <case folder>; the case folder is the working directory of the command.
int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: golden_runner <ridgeline binary> <case folder>\n";
    return 2;
  }
  const std::string folder = argv[2];
  std::ifstream command_file(folder + "/command");
  std::string command;
  if (!std::getline(command_file, command) || command.empty()) {
    std::cerr << folder << "/command: missing or empty\n";
    return 2;
  }
  const std::string line = "cd \"" + folder + "\" && \"" + argv[1] + "\" " + command;
  FILE* pipe = popen(line.c_str(), "r");
  if (!pipe) {
    std::cerr << "cannot run: " << line << "\n";
    return 2;
  }
  std::string output;
  char buffer[4096];
  for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
  const int status = pclose(pipe);
  if (status != 0) {
    std::cout << "command failed (status " << status << "): " << command << "\n" << output;
    return 1;
  }
  try {
    const Node expected = ridgeline::load_document(folder + "/expected.json");
    const Node actual = ridgeline::load_document_text(output, "the output");
    compare(expected, &actual, "");
  } catch (const ridgeline::InputError& e) {
    std::cout << "cannot parse: " << e.what() << "\n" << output;
    return 1;
  }
  if (failures) return 1;
  std::cout << "golden case matches\n";
  return 0;
}
