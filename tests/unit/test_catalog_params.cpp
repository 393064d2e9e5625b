// Published parameter counts of catalog descriptors written by hand from a config.json (no reference copy
// in ../shared/configs), checked against the count the descriptor implies. Each figure names its source.
#include <gtest/gtest.h>

#include "ridgeline/catalog.hpp"
#include "ridgeline/derived.hpp"

using namespace ridgeline;

namespace {
void expect_near_billions(double got, double published_billions, double tolerance, const std::string& what) {
  EXPECT_NEAR(got / 1e9, published_billions, published_billions * tolerance) << what;
}
}  // namespace

TEST(CatalogParams, MistralSmall31) {
  const ModelSpec m = resolve_model("mistral-small-3.1-24b");
  // Model card: "24B" parameters, vision encoder included.
  expect_near_billions(total_params(m) + m.encoder_params, 24, 0.03, m.id);
  // Text-only count from config.json on the meta device, 23,572,403,200 (stated for 3.2, same text shapes).
  EXPECT_NEAR(total_params(m), 23572403200.0, 23572403200.0 * 0.001) << m.id;
}

TEST(CatalogParams, Ministral3_14B) {
  const ModelSpec m = resolve_model("ministral-3-14b");
  // Model card: 14B = a 13.5B language model + a 0.4B vision encoder.
  expect_near_billions(total_params(m) + m.encoder_params, 14, 0.03, m.id);
  EXPECT_NEAR(total_params(m), 13506073600.0, 13506073600.0 * 0.001) << m.id;
}

TEST(CatalogParams, DotsLlm1) {
  const ModelSpec m = resolve_model("dots.llm1");
  // Model card (rednote-hilab/dots.llm1.inst): 142B total, 14B activated; the activated figure counts
  // the embedding, as Qwen's do.
  expect_near_billions(total_params(m), 142, 0.03, m.id);
  expect_near_billions(active_params(m) + embedding_params(m), 14, 0.03, m.id);
}

TEST(CatalogParams, NamesUsersWriteResolveToTheNewDescriptors) {
  EXPECT_EQ(resolve_model("Mistral-Small-3.1-24B-Instruct-2503-UD-Q4_K_XL").id, "mistral-small-3.1-24b");
  EXPECT_EQ(resolve_model("mistralai/Mistral-Small-3.2-24B-Instruct-2506").id, "mistral-small-3.1-24b");
  EXPECT_EQ(resolve_model("Ministral-3-14B-Instruct-2512-BF16").id, "ministral-3-14b");
  EXPECT_EQ(resolve_model("dots.llm1.inst-UD-Q4_K_XL").id, "dots.llm1");
}
