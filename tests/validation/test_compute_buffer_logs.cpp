// llama.cpp's compute buffer as its logs state it: the buffer ggml-alloc reserves at load for one
// ubatch of the worst-case graph (n_kv = n_ctx), against ridgeline's transient memory of a chunk of
// that size ending at n_ctx. Published figures, read 2026-11-29; the shapes of the graph, not the
// GPU, size the buffer, so a profile of the log's vendor stands in for its GPU.
#include <gtest/gtest.h>

#include <cmath>

#include "ridgeline/catalog.hpp"
#include "ridgeline/memory.hpp"

using namespace ridgeline;

namespace {
struct Logged {
  const char* model;  // catalog id with the logged model's shapes
  long long n_ctx, n_ubatch;
  bool flash_attention;
  double compute_buffer_mib;  // "CUDA0 compute buffer size = ... MiB"
  const char* runtime = "llama.cpp-cuda";
  const char* hardware = "rtx-4090";
};

double predicted_mib(const Logged& l) {
  RuntimeSpec rt = resolve_runtime(l.runtime);
  rt.always_unfused = !l.flash_attention;
  Workload w;
  w.prompt = l.n_ubatch;
  w.gen = 1;
  w.chunk = l.n_ubatch;
  const Scenario s = make_scenario(resolve_hardware(l.hardware), resolve_model(l.model), find_quantization("q4_k_m"), rt, w);
  return transient_bytes(s, static_cast<double>(l.n_ubatch), static_cast<double>(l.n_ctx)).value / (1 << 20);
}

void expect_within(const Logged& l, double fraction) {
  const double predicted = predicted_mib(l);
  EXPECT_LT(std::abs(predicted / l.compute_buffer_mib - 1), fraction)
      << l.model << " at n_ctx " << l.n_ctx << ": " << predicted << " MiB against " << l.compute_buffer_mib;
}
}  // namespace

// fedora-copr/logdetective PR #106 (2025-01-13, llama-server on CUDA, mistral-7b-instruct-v0.2
// Q4_K_S per the repository's .env, -fa 0): the same binary at n_ctx 2048 and 32768. Mistral 7B
// v0.2 has v0.3's shapes but a 32000-token vocabulary against 32768, which only the logits phase
// reads, below the peak at either context. The peak is the score phase: 32 heads of f32 scores and
// the f32 mask per query-key pair (33 x 4 bytes), and x, its normed copy, q and the attention output
// (2 x 4096 + 2 x 4096 per token, 32 MiB): 164 and 2144 MiB. Summing the phases gave 292 and 2212.
TEST(ComputeBufferLogs, MistralSevenBFlashAttentionOff) {
  for (const Logged& l : {Logged{"mistral-7b-v0.3", 2048, 512, false, 164.00}, Logged{"mistral-7b-v0.3", 32768, 512, false, 2144.00}})
    expect_within(l, 0.005);
}

// ggml-org/ci, llama.cpp commit a00a35ce (b2227, Feb 2024), ggml-4-x86-cuda-v100,
// open_llama_7b_v2-tg-f16.log (ci commit 88c8274d): OpenLLaMA 7B v2, LLaMA 2 7B's shapes (32 heads
// of 128, no grouping, n_ff 11008, 32000-token vocabulary), every layer offloaded, a 512-token batch
// (no ubatch then) and no flash attention (none then). At n_ctx 512 the logits phase is the peak
// (512 x (32000 + 4096) x 4 bytes = 70.5 MiB); at 2048 the score phase (128 + 4 + 32 = 164 MiB).
TEST(ComputeBufferLogs, OpenLlamaSevenBAtTwoContexts) {
  for (const Logged& l : {Logged{"llama-2-7b", 512, 512, false, 70.50}, Logged{"llama-2-7b", 2048, 512, false, 164.01}})
    expect_within(l, 0.005);
}

// Two MoE runs with flash attention on, where the whole ubatch's logits and their input rows set the
// reservation and the layers' phases (k experts' rows, the masks) stay below it:
// - yuy4o/llm, simplify_llamacpp_b7342/README.md @ ff34b4f8 (llama-server b7342, one A100):
//   Qwen3-Coder-30B-A3B Q8_0 at n_ctx 65536 (4 slots sharing one cache), CUDA0 300.75 MiB, which is
//   512 x (151936 + 2048) x 4 bytes; the layers' largest phase, the 8 experts' rows beside the
//   masks, is about 240.
// - ontouchstart/rabbit-holes, docs/hello_c_in_memory/2.log @ 96c2960e (llama-cli on an M5):
//   gpt-oss-20b MXFP4 at n_ctx 131072, MTL0 420.08 MiB. Predicted 442: the full-attention layers'
//   masks, an f32 and an f16 copy of 512 x 131072, count in the GPU's buffer here, where Metal keeps
//   the f32 one in the host buffer (CPU 268.77 MiB logged) and its own peak is the logits' 398.4 MiB
//   plus 22 that this count does not place.
TEST(ComputeBufferLogs, MixtureOfExpertsFlashAttentionOn) {
  expect_within(Logged{"qwen3-coder-30b-a3b", 65536, 512, true, 300.75}, 0.005);
  expect_within(Logged{"gpt-oss-20b", 131072, 512, true, 420.08, "llama.cpp-metal", "m5-10c"}, 0.06);
}
