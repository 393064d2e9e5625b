// Setups no machine runs: RAM a chip is never sold with, a runtime on hardware it does not run on,
// a quantization its runtime cannot load. Refused with the allowed values (issue 14).
#include <algorithm>
#include <optional>
#include <cmath>
#include <fmt/ranges.h>
#include <iostream>

#include "commands.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/runtime_compat.hpp"
#include "ridgeline/strict_reader.hpp"

namespace ridgeline::cli {

namespace {
// "36 GB", "36GB", "25gib": the leading number and the unit after it, lower-cased, spaces dropped.
struct NumberUnit {
  std::optional<double> number;
  std::string unit;
};
NumberUnit split_number_unit(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  NumberUnit r{parse_double(text.substr(0, i)), {}};
  std::string unit = text.substr(i);
  unit.erase(0, unit.find_first_not_of(' '));
  for (char c : unit) r.unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}
}  // namespace

double parse_ram_gb(const std::string& text, const std::string& flag) {
  const auto [number, lower] = split_number_unit(text);
  // Apple sells "36GB" of 2^30-byte chips: GB, G and GiB all name that part; TB is 1024 of them.
  double scale = 0;
  if (lower.empty() || lower == "g" || lower == "gb" || lower == "gib") scale = 1;
  else if (lower == "t" || lower == "tb" || lower == "tib") scale = 1024;
  if (!number || *number <= 0 || scale == 0)
    throw InputError("{}: '{}' is not a RAM size (expected GB as sold, e.g. 36, '36 GB' or 36GB)", flag, text);
  return *number * scale;
}

Bytes parse_size_option(const std::string& text, const std::string& flag) {
  const auto [number, lower] = split_number_unit(text);
  // A bare number and G are GB (10^9 bytes), as a memory limit is stated; GiB is 2^30 strictly.
  double scale = 0;
  if (lower.empty() || lower == "g" || lower == "gb") scale = kGB;
  else if (lower == "gib") scale = kGiB;
  else if (lower == "m" || lower == "mb") scale = 1e6;
  else if (lower == "mib") scale = kMiB;
  else if (lower == "t" || lower == "tb") scale = 1e12;
  else if (lower == "tib") scale = kGiB * 1024;
  if (!number || scale == 0)
    throw InputError("{}: '{}' is not a memory size (expected GB, e.g. 27, 27G, '27 GB', 27GB or '25 GiB')", flag, text);
  const double bytes = *number * scale;
  if (bytes <= 0 || bytes > 1e15)
    throw InputError("{}: '{}' is out of range (expected more than 0 and at most 1000000 GB)", flag, text);
  return Bytes(bytes);
}

std::string sold_sizes_text(const HardwareSpec& hw) {
  std::vector<std::string> sizes;
  for (Bytes b : hw.memory_sizes.value) sizes.push_back(fmt::format("{:g}", sold_ram_gb(b)));
  return fmt::format("{} GB", fmt::join(sizes, ", "));
}

Bytes sold_ram(const HardwareSpec& hw, const std::string& text, const std::string& flag, bool any_size) {
  const double gb = parse_ram_gb(text, flag);
  for (Bytes b : hw.memory_sizes.value)
    if (std::abs(sold_ram_gb(b) - gb) < 0.05) return b;
  if (!any_size)
    throw InputError("{}: {} is not sold with {:g} GB{} (sizes: {}); pass --any-memory to predict for it anyway", flag,
                     hw.id, gb, parse_double(text) ? "" : fmt::format(" ('{}')", text), sold_sizes_text(hw));
  if (gb > 1e6) throw InputError("{}: '{}' is out of range (expected at most 1000000 GB)", flag, text);
  return gibibytes(gb);
}

void check_quant_loads(const std::string& quant, const RuntimeSpec& rt, bool force) {
  const std::string why = quant_runtime_mismatch(quant, rt);
  if (why.empty()) return;
  if (!force) throw InputError("--quant: {}; pass --force to predict anyway", why);
  std::cerr << "ridgeline: warning: " << why << "; predicting anyway (--force)\n";
}

}  // namespace ridgeline::cli
