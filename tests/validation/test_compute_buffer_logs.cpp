// llama.cpp's compute buffer as its logs state it: the buffer ggml-alloc reserves at load for one
// ubatch of the worst-case graph (n_kv = n_ctx), against ridgeline's transient memory of a chunk of
// that size ending at n_ctx. Published figures, read 2026-11-29; the shapes of the graph, not the
// GPU, size the buffer, so a profile of the log's vendor stands in for its unnamed GPU.
#include <gtest/gtest.h>

#include <cmath>

#include "ridgeline/catalog.hpp"
#include "ridgeline/memory.hpp"

using namespace ridgeline;

namespace {
struct Logged {
  const char* model;  // catalog id
  long long n_ctx, n_ubatch;
  bool flash_attention;
  double compute_buffer_mib;  // "CUDA0 compute buffer size = ... MiB"
};

double predicted_mib(const Logged& l) {
  RuntimeSpec rt = resolve_runtime("llama.cpp-cuda");
  rt.always_unfused = !l.flash_attention;
  Workload w;
  w.prompt = l.n_ubatch;
  w.gen = 1;
  w.chunk = l.n_ubatch;
  const Scenario s = make_scenario(resolve_hardware("rtx-4090"), resolve_model(l.model), find_quantization("q4_k_m"), rt, w);
  return transient_bytes(s, static_cast<double>(l.n_ubatch), static_cast<double>(l.n_ctx)).value / (1 << 20);
}
}  // namespace

// fedora-copr/logdetective PR #106 (2025-01-13, llama-server on CUDA, mistral-7b-instruct-v0.2
// Q4_K_S per the repository's .env, -fa 0): the same binary at n_ctx 2048 and 32768. Mistral 7B
// v0.2 has v0.3's shapes but a 32000-token vocabulary against 32768, which only the logits phase
// reads, well below the peak at either context. The peak is the score phase: 32 heads of f32 scores
// and the f32 mask per query-key pair, and the layer's other buffers.
TEST(ComputeBufferLogs, MistralSevenBFlashAttentionOff) {
  for (const Logged& l : {Logged{"mistral-7b-v0.3", 2048, 512, false, 164.00}, Logged{"mistral-7b-v0.3", 32768, 512, false, 2144.00}}) {
    const double predicted = predicted_mib(l);
    // 2148 MiB against 2144 (+0.2%) and 168 against 164 (+2.4%): 36 MiB of other buffers where the
    // log's two sizes leave 32 (2144 - 33 x 4 x 512 x 32768 bytes).
    EXPECT_LT(std::abs(predicted / l.compute_buffer_mib - 1), 0.03) << l.n_ctx << ": " << predicted << " MiB";
  }
}
