// Helpers of the tests over datasets kept in the repository (held-out set, calibration sources).
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "ridgeline/calibration.hpp"

namespace ridgeline::test {

inline std::string file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Every row resolves to catalog ids and is usable (none skipped with a reason).
inline void expect_every_row_usable(const Dataset& d) {
  for (std::size_t i = 0; i < d.rows.size(); ++i) {
    EXPECT_TRUE(d.resolved[i].ok) << "row " << d.rows[i].row << " does not resolve: " << d.unusable[i];
    EXPECT_EQ(d.unusable[i], "") << "row " << d.rows[i].row;
  }
}

}  // namespace ridgeline::test
