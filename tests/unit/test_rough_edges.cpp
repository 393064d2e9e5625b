// Issue 14: RAM as sold, compatibility tables, amounts as buyers write them, text within 100 columns.
#include <gtest/gtest.h>

#include "ridgeline/advisor.hpp"
#include "ridgeline/catalog.hpp"
#include "ridgeline/runtime_compat.hpp"
#include "ridgeline/text_layout.hpp"
#include "ridgeline/units.hpp"

namespace ridgeline {

TEST(SoldRam, WholeGibIsTheAppleSizeElseDecimalGb) {
  EXPECT_EQ(sold_ram_gb(gibibytes(36)), 36);              // Apple's "36GB" is a 36 GiB part
  EXPECT_EQ(sold_ram_gb(gigabytes(141)), 141);            // H200's 141 GB is decimal
  EXPECT_EQ(format_sold_ram(Bytes(141e9)), "141 GB");     // not "131.31648302078247 GiB"
}

TEST(RuntimeCompat, VendorAndFormat) {
  RuntimeSpec mlx = resolve_runtime("mlx");
  EXPECT_NE(runtime_vendor_mismatch(mlx, "dgx-spark", "nvidia"), "");
  EXPECT_EQ(runtime_vendor_mismatch(mlx, "m4-max-40c", "apple"), "");
  EXPECT_NE(quant_runtime_mismatch("q4_k_m", mlx), "");
  EXPECT_EQ(quant_runtime_mismatch("mlx-4bit", mlx), "");
  EXPECT_EQ(quant_runtime_mismatch("bf16", mlx), "");  // plain floats load everywhere
  RuntimeSpec own = mlx;
  own.id = "my-runtime";  // a user's own profile is not judged
  EXPECT_EQ(runtime_vendor_mismatch(own, "dgx-spark", "nvidia"), "");
  // Every vendor in the catalog has a runtime, and its default one is among them.
  for (const auto& hw : hardware_catalog()) EXPECT_FALSE(runtimes_for_vendor(hw.vendor).empty()) << hw.id;
}

TEST(BuyerAmounts, TokensAndDollars) {
  EXPECT_EQ(parse_token_count("2k"), 2 * 1024);
  EXPECT_EQ(parse_token_count("4096"), 4096);
  EXPECT_EQ(parse_token_count("2x"), std::nullopt);
  EXPECT_EQ(parse_usd("$3,000"), 3000.0);
  EXPECT_EQ(parse_usd("3k"), 3 * 1000.0);
  EXPECT_EQ(parse_usd("$1,234,567.5"), 1234567.5);
  EXPECT_EQ(parse_usd("3,00"), std::nullopt);
  EXPECT_EQ(parse_usd("lots"), std::nullopt);
}

TEST(TextLayout, NeverMidWord) {
  EXPECT_EQ(shorten_at_word("Framework Desktop (Ryzen AI Max+ 395)", 22), "Framework Desktop");
  EXPECT_EQ(shorten_at_word("Mac mini (2024)", 22), "Mac mini (2024)");
  const auto lines = wrap_words("meets all; dominated by #12", 16);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "meets all;");
  EXPECT_EQ(lines[1], "dominated by #12");
  const std::string a(60, 'a'), b(60, 'b');
  EXPECT_EQ(wrap_long_lines(a + " " + b + "\n", 100, 4), a + "\n    " + b + "\n");
}

}  // namespace ridgeline
