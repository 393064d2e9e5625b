// The one "find by id, else did you mean" lookup and the parse-once file catalog (core/).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "ridgeline/catalog_lookup.hpp"
#include "ridgeline/strict_reader.hpp"

namespace ridgeline {
namespace {

struct Thing {
  std::string id;
  int size = 0;
};

TEST(CatalogLookup, FindsByIdElseSuggestsTheClosestAndAddsTheHint) {
  std::vector<Thing> things = {{"m4-max-40c", 1}, {"m3-ultra-80c", 2}};
  EXPECT_EQ(find_or_suggest(things, "m3-ultra-80c", &Thing::id, "'{}' unknown").size, 2);
  find_or_suggest(things, "m4-max-40c", &Thing::id, "'{}' unknown").size = 7;  // a mutable range gives a mutable record
  EXPECT_EQ(things[0].size, 7);
  try {
    find_or_suggest(things, "m4-max-4c", &Thing::id, "hardware '{}' is not known", "; see the list");
    FAIL() << "an unknown id was found";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "hardware 'm4-max-4c' is not known (did you mean 'm4-max-40c'?); see the list");
  }
  try {  // nothing close: no suggestion, the hint still follows
    find_or_suggest(things, "h200", &Thing::id, "'{}' unknown", "; see the list");
    FAIL() << "an unknown id was found";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "'h200' unknown; see the list");
  }
}

// A data root of its own (RIDGELINE_DATA) holding things/a.yaml and things/b.yaml, where b states id 'c'.
class FileCatalogTest : public ::testing::Test {
 protected:
  std::filesystem::path root = std::filesystem::temp_directory_path() / "ridgeline_file_catalog_test";
  void SetUp() override {
    std::filesystem::create_directories(root / "things");
    std::ofstream(root / "things" / "a.yaml") << "id: a\nsize: 3\n";
    std::ofstream(root / "things" / "b.yaml") << "id: c\nsize: 4\n";
    ::setenv("RIDGELINE_DATA", root.c_str(), 1);
  }
  void TearDown() override {
    ::unsetenv("RIDGELINE_DATA");
    std::filesystem::remove_all(root);
  }
};

TEST_F(FileCatalogTest, ParsesEachFileOnceAndHoldsItsIdToItsName) {
  int parses = 0;
  FileCatalog<Thing> catalog(
      "things",
      [&](const std::string& path) {
        ++parses;
        const Node doc = load_document(path);
        MapReader r(doc, path);
        Thing t{r.str("id"), static_cast<int>(r.integer("size", 0, 100))};
        r.finish();
        return t;
      },
      [](const Thing& t) { return t.id; });
  EXPECT_EQ(yaml_file_ids("things"), (std::vector<std::string>{"a", "b"}));
  ASSERT_NE(catalog.find("a"), nullptr);
  EXPECT_EQ(catalog.find("a")->size, 3);
  EXPECT_EQ(parses, 1);
  EXPECT_EQ(catalog.find("missing"), nullptr);
  EXPECT_EQ(catalog.find("../things/a"), nullptr);  // an id never names a path
  EXPECT_EQ(catalog.find(""), nullptr);
  EXPECT_THROW(catalog.find("b"), InputError);  // states id 'c'
}

}  // namespace
}  // namespace ridgeline
