#pragma once
// Calendar dates as yyyymmdd numbers (2025-09-13 -> 20250913): they order as the days do, and 0
// stands for no date.
#include <string>
#include <string_view>

namespace ridgeline {

// "YYYY-MM-DD" with a real month and day in the years 2000-2100; 0 when the text is not one.
int date_number(std::string_view text);
// "YYYY-MM" -> its last day (a bound on any day of that month); 0 when the text is not a month.
int month_end_number(std::string_view text);
// yyyymmdd -> "YYYY-MM-DD".
std::string date_text(int date);

}  // namespace ridgeline
