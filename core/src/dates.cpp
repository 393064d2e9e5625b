#include "ridgeline/dates.hpp"

#include <cctype>

#include "fmt/format.h"

namespace ridgeline {

namespace {

int days_in(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// The number the digits at [at, at + n) spell; -1 when any is not a digit.
int digits(std::string_view text, size_t at, size_t n) {
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return -1;
    v = v * 10 + (text[i] - '0');
  }
  return v;
}

// Year and month of "YYYY-MM..." (2000-2100, 1-12); false when they are not.
bool year_month(std::string_view text, int& year, int& month) {
  if (text.size() < 7 || text[4] != '-') return false;
  year = digits(text, 0, 4), month = digits(text, 5, 2);
  return year >= 2000 && year <= 2100 && month >= 1 && month <= 12;
}

}  // namespace

int date_number(std::string_view text) {
  int year = 0, month = 0;
  if (text.size() != 10 || text[7] != '-' || !year_month(text, year, month)) return 0;
  const int day = digits(text, 8, 2);
  return day >= 1 && day <= days_in(year, month) ? year * 10000 + month * 100 + day : 0;
}

int month_end_number(std::string_view text) {
  int year = 0, month = 0;
  if (text.size() != 7 || !year_month(text, year, month)) return 0;
  return year * 10000 + month * 100 + days_in(year, month);
}

std::string date_text(int date) { return fmt::format("{:04}-{:02}-{:02}", date / 10000, date / 100 % 100, date % 100); }

}  // namespace ridgeline
