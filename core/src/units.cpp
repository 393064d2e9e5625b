#include "ridgeline/units.hpp"

#include <cmath>
#include <map>

#include "ridgeline/error.hpp"
#include "ridgeline/strict_reader.hpp"

namespace ridgeline {

namespace {
// Splits "546 GB/s" into 546 and "GB/s"; the number must be finite and positive.
std::pair<double, std::string> split_value(const std::string& text, const std::string& what,
                                           const char* example) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.' ||
                             text[i] == 'e' || text[i] == 'E' || text[i] == '+' || text[i] == '-'))
    ++i;
  auto number = parse_double(text.substr(0, i));
  std::string unit = text.substr(i);
  unit.erase(0, unit.find_first_not_of(' '));
  if (!number || *number <= 0)
    throw InputError("{}: '{}' is not a positive value with a unit (expected e.g. '{}')", what,
                     text, example);
  return {*number, unit};
}

double unit_factor(const std::map<std::string, double>& units, const std::string& unit,
                   const std::string& text, const std::string& what, const char* example) {
  auto it = units.find(unit);
  if (it == units.end()) {
    std::vector<std::string> names;
    for (const auto& [name, factor] : units) names.push_back(name);
    throw InputError("{}: unknown unit '{}' in '{}' (expected e.g. '{}'){}", what, unit, text,
                     example, did_you_mean(unit, names));
  }
  return it->second;
}
}  // namespace

Bandwidth parse_bandwidth(const std::string& text, const std::string& what) {
  static const std::map<std::string, double> units = {
      {"GB/s", 1e9}, {"TB/s", 1e12}, {"MB/s", 1e6}, {"GiB/s", kGiB}};
  auto [v, unit] = split_value(text, what, "546 GB/s");
  return Bandwidth(v * unit_factor(units, unit, text, what, "546 GB/s"));
}

Bytes parse_bytes(const std::string& text, const std::string& what) {
  static const std::map<std::string, double> units = {
      {"B", 1}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
      {"KiB", 1024.0}, {"MiB", kMiB}, {"GiB", kGiB}, {"TiB", kGiB * 1024.0}};
  auto [v, unit] = split_value(text, what, "36 GiB");
  return Bytes(v * unit_factor(units, unit, text, what, "36 GiB"));
}

FlopRate parse_flop_rate(const std::string& text, const std::string& what) {
  static const std::map<std::string, double> units = {
      {"TFLOPS", 1e12}, {"GFLOPS", 1e9}, {"PFLOPS", 1e15}};
  auto [v, unit] = split_value(text, what, "16.2 TFLOPS");
  return FlopRate(v * unit_factor(units, unit, text, what, "16.2 TFLOPS"));
}

std::string format_gb(Bytes b) { return fmt::format("{:.2f} GB", b.value / kGB); }
std::string format_gib(Bytes b) { return fmt::format("{:.2f} GiB", b.value / kGiB); }

double sold_ram_gb(Bytes b) {
  const double gib = b.value / kGiB;
  const double n = std::abs(gib - std::round(gib)) < 1e-9 ? gib : b.value / kGB;
  return std::round(n * 10) / 10;
}
std::string format_sold_ram(Bytes b) { return fmt::format("{:g} GB", sold_ram_gb(b)); }

}  // namespace ridgeline
