// "%.6g" at a fraction of std::to_chars's cost: a sweep writes a dozen numbers per row and
// to_chars(general, 6) spent ~650 instructions on each. The six digits come from one scaling by
// an exact power of ten; where that could round differently from the exact binary value (a
// scaled value within 1e-9 of a rounding tie, or magnitudes beyond the exact powers) the
// standard library writes it.
#include "ridgeline/number_format.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace ridgeline {

namespace {

// Powers of ten that are exact doubles (10^22 is the largest).
constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                             1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
constexpr int kMaxExactPow = 22;
// One correctly rounded multiply or divide errs by at most half an ulp: under 1.2e-10 for a
// scaled value below 10^6. A fractional part this close to .5 is left to the exact path.
constexpr double kTieMargin = 1e-9;

char* exact(double v, char* out) { return std::to_chars(out, out + 32, v, std::chars_format::general, 6).ptr; }

char* write_digits(uint32_t value, int count, char* out) {  // zero-padded to `count` digits
  for (int i = count - 1; i >= 0; --i, value /= 10) out[i] = static_cast<char>('0' + value % 10);
  return out + count;
}

}  // namespace

char* write_g6(double v, char* out) {
  if (v == 0 || !std::isfinite(v)) return exact(v, out);
  const double a = std::fabs(v);
  int e = static_cast<int>(std::floor(std::log10(a)));  // decimal exponent, maybe off by one
  const int shift = 5 - e;                              // scaled = a x 10^shift in [1e5, 1e6)
  if (shift > kMaxExactPow || -shift > kMaxExactPow) return exact(v, out);
  double scaled = shift >= 0 ? a * kPow10[shift] : a / kPow10[-shift];
  if (scaled < 1e5 || scaled >= 1e6) return exact(v, out);  // log10 landed off by one
  const double fraction = scaled - std::floor(scaled);
  if (std::fabs(fraction - 0.5) < kTieMargin) return exact(v, out);
  auto digits = static_cast<uint32_t>(std::floor(scaled) + (fraction > 0.5 ? 1 : 0));
  if (digits == 1000000) digits = 100000, ++e;  // 999999.5 and up carry into the next power

  if (v < 0) *out++ = '-';
  // Trailing zeros are dropped, as %g does.
  int significant = 6;
  while (significant > 1 && digits % 10 == 0) digits /= 10, --significant;
  char d[6];
  write_digits(digits, significant, d);
  if (e < -4 || e >= 6) {  // d.ddddde+XX
    *out++ = d[0];
    if (significant > 1) {
      *out++ = '.';
      std::memcpy(out, d + 1, static_cast<size_t>(significant - 1));
      out += significant - 1;
    }
    *out++ = 'e';
    *out++ = e < 0 ? '-' : '+';
    const int x = e < 0 ? -e : e;
    return write_digits(static_cast<uint32_t>(x), x >= 100 ? 3 : 2, out);
  }
  if (e < 0) {  // 0.000ddd
    *out++ = '0';
    *out++ = '.';
    for (int i = 0; i < -e - 1; ++i) *out++ = '0';
    std::memcpy(out, d, static_cast<size_t>(significant));
    return out + significant;
  }
  const int whole = e + 1;  // digits before the point
  for (int i = 0; i < whole; ++i) *out++ = i < significant ? d[i] : '0';
  if (significant > whole) {
    *out++ = '.';
    std::memcpy(out, d + whole, static_cast<size_t>(significant - whole));
    out += significant - whole;
  }
  return out;
}

}  // namespace ridgeline
