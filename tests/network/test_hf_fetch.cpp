// hf: against a Hub stand-in served by cpp-httplib on 127.0.0.1 (nothing leaves the machine):
// config.json and the index, a GGUF header read by growing Range requests, the quant selector,
// the cache, and every bad response as a one-line error.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <thread>

#include "../unit/helpers.hpp"
#include "../unit/model_files.hpp"
#include "ridgeline/model_source.hpp"

using namespace ridgeline;
using namespace ridgeline::test;
namespace fs = std::filesystem;

namespace {

class Hub : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Get(R"(/(.*))", [this](const httplib::Request& req, httplib::Response& res) {
      ++requests_;
      if (!req.ranges.empty()) ++range_requests_;
      if (req.path == "/org/cut/resolve/main/config.json") {  // promises 1000 bytes, sends 10
        res.set_content_provider(1000, "application/json", [](size_t, size_t, httplib::DataSink& sink) {
          sink.write("{\"model_ty", 10);
          return false;
        });
        return;
      }
      auto it = files_.find(req.path);
      if (it == files_.end()) {
        res.status = 404;
        res.set_content("Entry not found", "text/plain");
        return;
      }
      const bool weights = req.path.ends_with(".gguf") || req.path.ends_with(".safetensors");
      if (weights && req.ranges.empty()) ++whole_weight_files_;
      res.set_content(it->second, "application/octet-stream");  // the server applies any Range
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    cache_ = fresh_dir("hf-cache");
    ::setenv("RIDGELINE_HF_ENDPOINT", ("http://127.0.0.1:" + std::to_string(port_)).c_str(), 1);
    ::setenv("RIDGELINE_CACHE", cache_.c_str(), 1);
  }
  void TearDown() override {
    stop();
    ::unsetenv("RIDGELINE_HF_ENDPOINT");
    ::unsetenv("RIDGELINE_CACHE");
  }
  void stop() {
    if (thread_.joinable()) {
      server_.stop();
      thread_.join();
    }
  }
  void serve(const std::string& path, std::string body) { files_["/" + path] = std::move(body); }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  fs::path cache_;
  std::map<std::string, std::string> files_;
  std::atomic<int> requests_{0}, range_requests_{0};
  std::atomic<int> whole_weight_files_{0};  // weight files sent whole, not by range
};
}  // namespace

TEST_F(Hub, ConfigAndIndexGiveShapesQuantizationAndBytesThenTheCacheServesThem) {
  serve("org/Tiny-4bit/resolve/main/config.json", llama_config(R"("quantization": {"group_size": 64, "bits": 4})"));
  serve("org/Tiny-4bit/resolve/main/model.safetensors.index.json", R"({"metadata": {"total_size": 54321}, "weight_map": {}})");
  ModelSource s = load_model_source("hf:org/Tiny-4bit");
  EXPECT_EQ(s.model.name, "Tiny-4bit");
  EXPECT_EQ(s.model.hidden, 64);
  EXPECT_EQ(s.quant, "mlx-4bit");
  ASSERT_TRUE(s.file_weight_bytes);
  EXPECT_DOUBLE_EQ(*s.file_weight_bytes, 54321);
  stop();  // offline now: the cache answers
  EXPECT_EQ(load_model_source("hf:org/Tiny-4bit").quant, "mlx-4bit");
  EXPECT_EQ(requests_, 2);
}

TEST_F(Hub, ASingleSafetensorsFileGivesItsBytesFromTwoRangeRequests) {
  serve("org/Tiny/resolve/main/config.json", llama_config(R"("torch_dtype": "bfloat16")"));
  const std::string header = R"({"w": {"dtype": "BF16", "shape": [64, 128], "data_offsets": [0, 16384]}})";
  serve("org/Tiny/resolve/main/model.safetensors", safetensors(header, 64 * 128 * 2));
  ModelSource s = load_model_source("hf:org/Tiny");
  EXPECT_EQ(s.quant, "bf16");
  ASSERT_TRUE(s.file_weight_bytes);
  EXPECT_DOUBLE_EQ(*s.file_weight_bytes, 64 * 128 * 2);
  EXPECT_EQ(range_requests_, 2);
  EXPECT_EQ(whole_weight_files_, 0);
  stop();
  EXPECT_DOUBLE_EQ(*load_model_source("hf:org/Tiny").file_weight_bytes, 64 * 128 * 2);  // from the cache
}

TEST_F(Hub, AGgufHeaderIsReadByGrowingRangeRequestsOnly) {
  // 3,000 filler strings of 1 KiB put the header past the first 2 MiB request.
  const std::string header = gguf_header(15, {kEmbedF16, kUpQ4K}, 3000);
  const std::string file = header + std::string(size_t{8} << 20, '\0');  // 8 MiB of "weights"
  serve("org/Tiny-GGUF/resolve/main/Tiny-Q4_K_M.gguf", file);
  ModelSource s = load_model_source("hf:org/Tiny-GGUF:Tiny-Q4_K_M.gguf");
  EXPECT_EQ(s.quant, "q4_k_m");
  EXPECT_EQ(s.model.layers[0].count, 2);
  EXPECT_DOUBLE_EQ(*s.file_weight_bytes, 64 * 100 * 2 + 256 * 128 / 256 * 144);
  EXPECT_EQ(range_requests_, 2);  // 2 MiB, then the rest of the header
  EXPECT_EQ(whole_weight_files_, 0);  // never the whole file
  EXPECT_LT(fs::file_size(cache_ / "hf/org/Tiny-GGUF/Tiny-Q4_K_M.gguf.header"), file.size());
}

TEST_F(Hub, AQuantSelectorPicksTheFileFromTheListing) {
  serve("api/models/org/Tiny-GGUF", R"({"siblings": [{"rfilename": "README.md"}, {"rfilename": "Tiny-Q4_K_M.gguf"},
      {"rfilename": "Tiny-Q8_0.gguf"}, {"rfilename": "mmproj-Tiny-F16.gguf"}]})");
  serve("org/Tiny-GGUF/resolve/main/Tiny-Q8_0.gguf", gguf_header(7, {kEmbedF16, kUpQ8}));  // 7 = MOSTLY_Q8_0
  EXPECT_EQ(load_model_source("hf:org/Tiny-GGUF:q8_0").quant, "q8_0");
  // Q4_K_M stands as a word in one file only; the UD- file is not what was asked for.
  serve("api/models/org/Unsloth-GGUF", R"({"siblings": [{"rfilename": "Tiny-UD-Q4_K_M.gguf"},
      {"rfilename": "Q4_K_M/Tiny-Q4_K_M-00001-of-00002.gguf"}, {"rfilename": "Q4_K_M/Tiny-Q4_K_M-00002-of-00002.gguf"}]})");
  serve("org/Unsloth-GGUF/resolve/main/Q4_K_M/Tiny-Q4_K_M-00001-of-00002.gguf", gguf_header(15, {kEmbedF16, kUpQ4K}));
  EXPECT_EQ(load_model_source("hf:org/Unsloth-GGUF:Q4_K_M").model.name, "Tiny-Q4_K_M-00001-of-00002");
  EXPECT_EQ(error_of([] { load_model_source("hf:org/Tiny-GGUF:Tiny"); }),
            "hf:org/Tiny-GGUF:Tiny: 'Tiny' matches 2 files (Tiny-Q4_K_M.gguf, Tiny-Q8_0.gguf); name one with "
            "hf:org/Tiny-GGUF:FILE.gguf");
  EXPECT_EQ(error_of([] { load_model_source("hf:org/Tiny-GGUF:Q2_K"); }),
            "hf:org/Tiny-GGUF:Q2_K: no .gguf file in the repository matches 'Q2_K' (it has: Tiny-Q4_K_M.gguf, "
            "Tiny-Q8_0.gguf)");
}

TEST_F(Hub, BadResponsesAreOneLineErrors) {
  const std::string base = "http://127.0.0.1:" + std::to_string(port_);
  EXPECT_EQ(error_of([] { load_model_source("hf:org/absent"); }),
            "hf:org/absent: the repository has no config.json (a GGUF repository? name a file or a "
            "quantization: hf:org/absent:Q4_K_M)");
  EXPECT_EQ(error_of([] { load_model_source("hf:org/absent:x.gguf"); }),
            "hf:org/absent:x.gguf: " + base + "/org/absent/resolve/main/x.gguf: HTTP 404 (no such repository or file)");
  serve("org/html/resolve/main/config.json", "<html>rate limited</html>");
  EXPECT_EQ(error_of([] { load_model_source("hf:org/html"); }), "hf:org/html config.json: expected a JSON object");
  serve("org/huge/resolve/main/config.json", std::string((size_t{16} << 20) + 1, ' '));
  EXPECT_EQ(error_of([] { load_model_source("hf:org/huge"); }),
            "hf:org/huge: " + base + "/org/huge/resolve/main/config.json: the response is larger than 16777216 bytes");
  EXPECT_NE(error_of([] { load_model_source("hf:org/cut"); }).find("the response was cut short"), std::string::npos);
  serve("org/notgguf/resolve/main/x.gguf", "GG");
  EXPECT_EQ(error_of([] { load_model_source("hf:org/notgguf:x.gguf"); }),
            "hf:org/notgguf:x.gguf: not a GGUF file (2 bytes, shorter than the GGUF magic)");
  EXPECT_EQ(error_of([] { load_model_source("hf:org/../etc"); }),
            "hf:org/../etc: expected hf:ORG/NAME, hf:ORG/NAME:FILE.gguf or hf:ORG/NAME:QUANT (letters, digits, '.', '-', '_')");
}

TEST_F(Hub, OfflineIsAOneLineError) {
  stop();
  const std::string base = "http://127.0.0.1:" + std::to_string(port_);
  EXPECT_EQ(error_of([] { load_model_source("hf:org/Tiny-4bit"); }),
            "hf:org/Tiny-4bit: cannot reach " + base + " (Couldn't connect to server); offline? Models fetched "
            "before are read from the cache " + cache_.string());
}
