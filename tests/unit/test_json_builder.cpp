// The one JSON writer (report.hpp): the layouts and number forms the reporters rely on.
#include <gtest/gtest.h>

#include "ridgeline/report.hpp"

namespace ridgeline {

TEST(JsonBuilder, OnePerLineArrayPutsEachElementOnItsLine) {
  auto rows = JsonArray::one_per_line();
  rows.push(Json::integer(1)).push(Json::integer(2));
  EXPECT_EQ(JsonObject().add("rows", rows).str(), "{\"rows\": [\n1,\n2\n]}");
  EXPECT_EQ(JsonArray::one_per_line().str(), "[\n]");  // empty: the closing bracket on its own line still
  EXPECT_EQ(JsonArray().push(Json::integer(1)).push(Json::integer(2)).str(), "[1, 2]");
}

TEST(JsonBuilder, NamedMembersAreEscapedAsStrings) {
  EXPECT_EQ(JsonObject().add_named("a\"b", Json::null()).add_named("c", Json::boolean(true)).str(),
            "{\"a\\\"b\": null, \"c\": true}");
}

TEST(JsonBuilder, NumberFormsKeepTheirDigits) {
  EXPECT_EQ(Json::number(2.0 / 3.0, 4).text(), "0.6667");
  EXPECT_EQ(JsonObject().add_number("x", 123456.0, 4).str(), "{\"x\": 1.235e+05}");
  EXPECT_EQ(Json::number(2.0 / 3.0).text(), "0.666667");
  EXPECT_EQ(Json::fixed(12.345678, 2).text(), "12.35");
  EXPECT_EQ(Json::shortest(0.1).text(), "0.1");  // a requirement as given, not 0.100000
  EXPECT_EQ(Json::shortest(30).text(), "30");
}

}  // namespace ridgeline
