#pragma once
// Strong types for the quantities the simulator mixes: a byte count cannot be added to a
// second, and bytes divided by a bandwidth is a time. Values are SI base units (bytes, seconds,
// FLOPs); GB = 1e9 bytes and GiB = 2^30 bytes, never mixed.
#include <compare>
#include <string>

namespace ridgeline {

template <typename Tag>
struct Quantity {
  double value = 0.0;
  constexpr Quantity() = default;
  constexpr explicit Quantity(double v) : value(v) {}
  constexpr Quantity operator+(Quantity o) const { return Quantity(value + o.value); }
  constexpr Quantity operator-(Quantity o) const { return Quantity(value - o.value); }
  constexpr Quantity& operator+=(Quantity o) { value += o.value; return *this; }
  constexpr Quantity operator*(double k) const { return Quantity(value * k); }
  constexpr Quantity operator/(double k) const { return Quantity(value / k); }
  constexpr double operator/(Quantity o) const { return value / o.value; }
  constexpr auto operator<=>(const Quantity&) const = default;
};

struct BytesTag {};
struct SecondsTag {};
struct FlopsTag {};
struct BandwidthTag {};
struct FlopRateTag {};
using Bytes = Quantity<BytesTag>;
using Seconds = Quantity<SecondsTag>;
using Flops = Quantity<FlopsTag>;
using Bandwidth = Quantity<BandwidthTag>;  // bytes per second
using FlopRate = Quantity<FlopRateTag>;    // FLOP per second

constexpr Seconds operator/(Bytes b, Bandwidth bw) { return Seconds(b.value / bw.value); }
constexpr Seconds operator/(Flops f, FlopRate r) { return Seconds(f.value / r.value); }

constexpr double kGB = 1e9;
constexpr double kGiB = 1073741824.0;  // 2^30
constexpr double kMiB = 1048576.0;     // 2^20

constexpr Bytes gigabytes(double gb) { return Bytes(gb * kGB); }
constexpr Bytes gibibytes(double gib) { return Bytes(gib * kGiB); }

// Parses a datasheet value with its unit: "546 GB/s", "36 GiB", "16.2 TFLOPS", "512 MiB".
// `what` names the key for the error message. Throws InputError.
Bandwidth parse_bandwidth(const std::string& text, const std::string& what);
Bytes parse_bytes(const std::string& text, const std::string& what);
FlopRate parse_flop_rate(const std::string& text, const std::string& what);

// "12.3 GB" / "4.58 GiB" style formatting for reports.
std::string format_gb(Bytes b);
std::string format_gib(Bytes b);
// Installed RAM as the machine is sold: Apple's "36 GB" is a 36 GiB part (-> 36); a size that is
// not whole GiB is a decimal datasheet figure (H200's 141 GB -> 141). One decimal at most.
double sold_ram_gb(Bytes b);
std::string format_sold_ram(Bytes b);  // "36 GB"

}  // namespace ridgeline
