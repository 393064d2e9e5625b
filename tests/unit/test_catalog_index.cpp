// Catalogs are read on demand (issue 14): the name index comes from a line reader of each file's
// identifying keys, and a file is parsed in full only when named. These tests hold the line reader
// to what the YAML parser reads from every shipped file, so the shortcut can never disagree.
#include <gtest/gtest.h>

#include <filesystem>

#include "ridgeline/calibration.hpp"
#include "ridgeline/catalog.hpp"
#include "ridgeline/importers.hpp"
#include "ridgeline/hardware.hpp"
#include "ridgeline/runtime.hpp"
#include "ridgeline/strict_reader.hpp"

namespace ridgeline {
namespace {

TEST(CatalogIndex, ModelHeadersMatchTheFullParse) {
  ASSERT_FALSE(model_headers().empty());
  for (const auto& h : model_headers()) {
    // Every shipped file is in the one-line form: else the index would parse it in full at start.
    const auto fields = read_catalog_header(read_text_file(h.path), {"id", "name", "aliases"});
    ASSERT_TRUE(fields.has_value()) << h.path;
    const ModelSpec full = parse_model_yaml(h.path);
    EXPECT_EQ(h.id, full.id);
    EXPECT_EQ(h.name, full.name) << h.id;
    EXPECT_EQ(h.aliases, full.aliases) << h.id;
  }
}

TEST(CatalogIndex, HardwareHeadersMatchTheFullParse) {
  ASSERT_FALSE(hardware_headers().empty());
  for (const auto& h : hardware_headers()) {
    const HardwareSpec& full = *catalog_hardware(h.id);
    EXPECT_EQ(h.name, full.name) << h.id;
    EXPECT_EQ(h.aliases, full.aliases) << h.id;
    EXPECT_EQ(h.vendor, full.vendor) << h.id;
    EXPECT_EQ(h.family, full.family) << h.id;
    EXPECT_EQ(h.tier, full.tier) << h.id;
    EXPECT_EQ(h.gpu_cores, full.gpu_cores.value) << h.id;
  }
}

TEST(CatalogIndex, RuntimeIdsAreTheProfiles) {
  for (const auto& id : runtime_ids()) EXPECT_EQ(catalog_runtime(id)->id, id);
  EXPECT_EQ(catalog_runtime("no-such-runtime"), nullptr);
}

TEST(CatalogIndex, ShippedCalibrationsAreNamedRuntimeVendor) {
  // shipped_calibration() opens only <runtime>-<vendor>.yaml.
  for (const auto& f : yaml_files("calibrate/calibrations")) {
    const Calibration c = load_calibration(f);
    EXPECT_EQ(std::filesystem::path(f).stem().string(), c.runtime + "-" + c.hardware_vendor);
  }
}

TEST(CatalogIndex, LineReaderTakesOnlyTheSimpleForms) {
  const auto simple = read_catalog_header("id: a-1\nname: \"A 1\"  # comment\naliases: [\"x, y\", z]\n"
                                          "gpu_cores: {value: 40, source: \"s, t\"}\nother:\n  - 1\n",
                                          {"id", "name", "aliases", "gpu_cores"});
  ASSERT_TRUE(simple.has_value());
  EXPECT_EQ(simple->at("id"), std::vector<std::string>{"a-1"});
  EXPECT_EQ(simple->at("name"), std::vector<std::string>{"A 1"});
  EXPECT_EQ(simple->at("aliases"), (std::vector<std::string>{"x, y", "z"}));
  EXPECT_EQ(simple->at("gpu_cores"), std::vector<std::string>{"40"});
  // A block list, an escape, a duplicate key, several documents: the full parser decides.
  EXPECT_FALSE(read_catalog_header("id: a\naliases:\n  - x\n", {"id", "aliases"}).has_value());
  EXPECT_FALSE(read_catalog_header("name: \"a\\\"b\"\n", {"name"}).has_value());
  EXPECT_FALSE(read_catalog_header("id: a\nid: b\n", {"id"}).has_value());
  EXPECT_FALSE(read_catalog_header("id: a\n---\nid: b\n", {"id"}).has_value());
}

}  // namespace
}  // namespace ridgeline
