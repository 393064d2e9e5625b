// Storage widths of quantization formats. GGUF block layouts are from ggml's type table
// (ggml/src/ggml-common.h: bytes per block of 32 or 256 weights, scales included); the
// "_M"/"_S" file types mix block types per tensor (llama.cpp src/llama-quant.cpp), so their
// matrix width is an average, marked approximate and checked against a measured file size.
#include "ridgeline/quant.hpp"

#include "ridgeline/catalog_lookup.hpp"
#include "ridgeline/error.hpp"

namespace ridgeline {

double mlx_affine_bpw(int bits, int group_size) {
  return bits + 2.0 * 16.0 / group_size;  // fp16 scale + fp16 bias per group
}
double gguf_block_bpw(int block_bytes, int block_weights) {
  return 8.0 * block_bytes / block_weights;
}

const std::vector<GgmlType>& ggml_types() {
  static const std::vector<GgmlType> t = {
      {0, "F32", 1, 4},       {1, "F16", 1, 2},         {2, "Q4_0", 32, 18},
      {3, "Q4_1", 32, 20},    {6, "Q5_0", 32, 22},      {7, "Q5_1", 32, 24},
      {8, "Q8_0", 32, 34},    {9, "Q8_1", 32, 36},      {10, "Q2_K", 256, 84},
      {11, "Q3_K", 256, 110}, {12, "Q4_K", 256, 144},   {13, "Q5_K", 256, 176},
      {14, "Q6_K", 256, 210}, {15, "Q8_K", 256, 292},   {16, "IQ2_XXS", 256, 66},
      {17, "IQ2_XS", 256, 74}, {18, "IQ3_XXS", 256, 98}, {19, "IQ1_S", 256, 50},
      {20, "IQ4_NL", 32, 18}, {21, "IQ3_S", 256, 110},  {22, "IQ2_S", 256, 82},
      {23, "IQ4_XS", 256, 136}, {24, "I8", 1, 1},       {25, "I16", 1, 2},
      {26, "I32", 1, 4},      {27, "I64", 1, 8},        {28, "F64", 1, 8},
      {29, "IQ1_M", 256, 56}, {30, "BF16", 1, 2},       {34, "TQ1_0", 256, 54},
      {35, "TQ2_0", 256, 66}, {39, "MXFP4", 32, 17}};
  return t;
}

const GgmlType* find_ggml_type(unsigned id) {
  for (const auto& t : ggml_types())
    if (t.id == id) return &t;
  return nullptr;
}

const GgmlType& ggml_type(const std::string& name) {
  for (const auto& t : ggml_types())
    if (name == t.name) return t;
  throw InputError("ggml type '{}' is not known", name);
}

namespace {
constexpr const char* kGgml = "ggml block layouts (ggml/src/ggml-common.h)";
constexpr const char* kMix =
    "llama.cpp quantize type mix (src/llama-quant.cpp); average checked against Llama-3-8B "
    "Q4_K_M = 4.58 GiB for 8.03B weights (XiongjieDai/GPU-Benchmarks-on-LLM-Inference)";
constexpr const char* kMlx = "mlx.core.quantize: affine, fp16 scale and bias per group";
constexpr const char* kQuantizeSizes =
    "llama.cpp tools/quantize QUANT_OPTIONS (bits a weight, or file sizes for Llama-3-8B)";

std::vector<Quantization> make_table() {
  auto bpw = [](const char* name) { return ggml_type(name).bpw(); };
  const double q4_0 = bpw("Q4_0"), q4_1 = bpw("Q4_1"), q5_0 = bpw("Q5_0"), q5_1 = bpw("Q5_1"),
               q8_0 = bpw("Q8_0"), q2_k = bpw("Q2_K"), q3_k = bpw("Q3_K"), q4_k = bpw("Q4_K"),
               q5_k = bpw("Q5_K"), q6_k = bpw("Q6_K"), iq2_xxs = bpw("IQ2_XXS"), iq2_xs = bpw("IQ2_XS"),
               iq3_xxs = bpw("IQ3_XXS"), iq4_xs = bpw("IQ4_XS"), iq1_s = bpw("IQ1_S"), mxfp4 = bpw("MXFP4"),
               iq4_nl = bpw("IQ4_NL"), iq3_s = bpw("IQ3_S"), iq2_s = bpw("IQ2_S");
  auto uniform = [](std::string id, std::string d, std::string src, double m, double emb,
                    double head, bool approx, std::string cls) {
    return Quantization{id, d, src, m, m, emb, head, approx, cls};
  };
  std::vector<Quantization> t;
  t.push_back(uniform("f32", "32-bit float", kGgml, 32, 32, 32, false, "f32"));
  t.push_back(uniform("f16", "16-bit float", kGgml, 16, 16, 16, false, "f16"));
  t.push_back(uniform("bf16", "bfloat16", kGgml, 16, 16, 16, false, "f16"));
  t.push_back(uniform("q8_0", "GGUF Q8_0 (34 bytes / 32 weights)", kGgml, q8_0, q8_0, q8_0, false, "q8"));
  t.push_back(uniform("q6_k", "GGUF Q6_K (210 bytes / 256 weights)", kGgml, q6_k, q6_k, q6_k, false, "k"));
  t.push_back(uniform("q5_k_m", "GGUF Q5_K_M: Q5_K, half of attn_v/ffn_down at Q6_K", kMix,
                      5.7, q5_k, q6_k, true, "k"));
  t.push_back(uniform("q5_0", "GGUF Q5_0 (22 bytes / 32 weights)", kGgml, q5_0, q5_0, q6_k, false, "legacy"));
  t.push_back(uniform("q5_1", "GGUF Q5_1 (24 bytes / 32 weights)", kGgml, q5_1, q5_1, q6_k, false, "legacy"));
  // Q4_K_M: matrices average 4.8 bpw so that Llama-3-8B totals 4.58 GiB (embedding Q4_K, output Q6_K).
  t.push_back(uniform("q4_k_m", "GGUF Q4_K_M: Q4_K, half of attn_v/ffn_down at Q6_K", kMix, 4.8,
                      q4_k, q6_k, true, "k"));
  t.push_back(uniform("q4_k_s", "GGUF Q4_K_S: Q4_K with a few Q5_K tensors", kMix, 4.6, q4_k, q6_k, true, "k"));
  t.push_back(uniform("q4_0", "GGUF Q4_0 (18 bytes / 32 weights)", kGgml, q4_0, q4_0, q6_k, false, "legacy"));
  t.push_back(uniform("q4_1", "GGUF Q4_1 (20 bytes / 32 weights)", kGgml, q4_1, q4_1, q6_k, false, "legacy"));
  t.push_back(uniform("iq4_xs", "GGUF IQ4_XS (136 bytes / 256 weights)", kGgml, iq4_xs, iq4_xs, q6_k, false, "iq"));
  t.push_back(uniform("q3_k_m", "GGUF Q3_K_M: Q3_K, attn_v/ffn_down partly Q4_K/Q5_K", kMix, 3.9, q3_k, q6_k, true, "k"));
  t.push_back(uniform("q3_k_s", "GGUF Q3_K_S: Q3_K throughout", kMix, q3_k, q3_k, q6_k, false, "k"));
  // Q3_K_L and Q5_K_S from the sizes llama.cpp's quantize tool lists for Llama-3-8B (Q3_K_L 4.03G,
  // Q5_K_S 5.21G, beside Q4_K_M's 4.58G), with Q4_K_M's split of 6.98B matrix, 0.525B embedding and
  // 0.525B output weights: 4.2 and 5.5 bits a matrix weight (Q5_K_S is Q5_K throughout).
  t.push_back(uniform("q3_k_l", "GGUF Q3_K_L: Q3_K, attn_v/ffn_down/attn_output at Q5_K", kQuantizeSizes, 4.2, q3_k, q6_k,
                      true, "k"));
  t.push_back(uniform("q5_k_s", "GGUF Q5_K_S: Q5_K throughout", kQuantizeSizes, q5_k, q5_k, q6_k, false, "k"));
  t.push_back(uniform("q2_k", "GGUF Q2_K: Q2_K with Q3_K/Q4_K for attn_v and ffn_down", kMix, 2.9, q2_k, q6_k, true, "k"));
  // Q2_K_S widens fewer tensors than Q2_K: llama.cpp's quantize help gives 2.16 GB against Q2_K's
  // 2.63 GB for LLaMA-v1-7B (6.74B weights: 2.56 bits a weight overall, output and embedding in).
  t.push_back(uniform("q2_k_s", "GGUF Q2_K_S: Q2_K, fewer tensors widened than Q2_K",
                      "llama.cpp tools/quantize usage text (Q2_K_S 2.16G vs Q2_K 2.63G @ LLaMA-v1-7B)", 2.5, q2_k, q6_k,
                      true, "k"));
  t.push_back(uniform("iq3_xxs", "GGUF IQ3_XXS (98 bytes / 256 weights)", kGgml, iq3_xxs, iq3_xxs, q6_k, false, "iq"));
  t.push_back(uniform("iq4_nl", "GGUF IQ4_NL (18 bytes / 32 weights)", kGgml, iq4_nl, iq4_nl, q6_k, false, "iq"));
  t.push_back(uniform("iq3_s", "GGUF IQ3_S (110 bytes / 256 weights)", kGgml, iq3_s, iq3_s, q6_k, false, "iq"));
  // The i-quant mixes at the widths llama.cpp's quantize tool lists for them.
  t.push_back(uniform("iq3_m", "GGUF IQ3_M: an IQ3_S mix, 3.66 bits a weight", kQuantizeSizes, 3.66, iq3_s, q6_k, true, "iq"));
  t.push_back(uniform("iq3_xs", "GGUF IQ3_XS: an IQ3_XXS/IQ3_S mix, 3.3 bits a weight", kQuantizeSizes, 3.3, iq3_xxs, q6_k,
                      true, "iq"));
  t.push_back(uniform("iq2_s", "GGUF IQ2_S (82 bytes / 256 weights)", kGgml, iq2_s, iq2_s, q6_k, false, "iq"));
  t.push_back(uniform("iq2_m", "GGUF IQ2_M: an IQ2_S mix, 2.7 bits a weight", kQuantizeSizes, 2.7, q2_k, q6_k, true, "iq"));
  t.push_back(uniform("iq1_m", "GGUF IQ1_M: 1.75 bits a weight", kQuantizeSizes, 1.75, q2_k, q6_k, true, "iq"));
  t.push_back(uniform("iq2_xs", "GGUF IQ2_XS (74 bytes / 256 weights)", kGgml, iq2_xs, iq2_xs, q6_k, false, "iq"));
  t.push_back(uniform("iq2_xxs", "GGUF IQ2_XXS (66 bytes / 256 weights), some tensors wider", kGgml,
                      iq2_xxs + 0.15, q2_k, q6_k, true, "iq"));
  t.push_back(uniform("iq1_s", "GGUF IQ1_S (50 bytes / 256 weights)", kGgml, iq1_s + 0.2, q2_k, q6_k, true, "iq"));
  // MXFP4 GGUFs (gpt-oss): experts in MXFP4, everything else Q8_0.
  t.push_back(Quantization{"mxfp4", "MXFP4 experts (17 bytes / 32 weights), other matrices Q8_0",
                           kGgml, q8_0, mxfp4, q8_0, q8_0, false, "mxfp4"});
  // antirez/ds4's own DeepSeek-V4-Flash GGUFs: only the routed experts are quantized (gate and up
  // IQ2_XXS, down Q2_K); attention projections, shared experts and the output Q8_0 (its file names:
  // IQ2XXS-w2Q2K-AProjQ8-SExpQ8-OutQ8). Its indexer, compressor and hyper-connection weights (F16)
  // are taken at Q8_0 with the other matrices: under 2% of the non-expert weights.
  t.push_back(Quantization{"ds4-q2", "ds4 q2: routed experts IQ2_XXS (gate, up) and Q2_K (down), the rest Q8_0",
                           "antirez/ds4 README and GGUF names (IQ2XXS-w2Q2K-AProjQ8-SExpQ8-OutQ8)", q8_0,
                           (2 * iq2_xxs + q2_k) / 3, q8_0, q8_0, false, "iq"});
  // bartowski's "_L" files: the named mix with the embedding and output tensors at Q8_0 (his model
  // cards: "Uses Q8_0 for embed and output weights").
  constexpr const char* kBartowskiL = "bartowski's GGUF model cards: _L quants use Q8_0 for embed and output weights";
  t.push_back(uniform("q6_k_l", "GGUF Q6_K with Q8_0 embedding and output (bartowski _L)", kBartowskiL, q6_k, q8_0, q8_0,
                      false, "k"));
  t.push_back(uniform("q5_k_l", "GGUF Q5_K_M with Q8_0 embedding and output (bartowski _L)", kBartowskiL, 5.7, q8_0, q8_0,
                      true, "k"));
  t.push_back(uniform("q4_k_l", "GGUF Q4_K_M with Q8_0 embedding and output (bartowski _L)", kBartowskiL, 4.8, q8_0, q8_0,
                      true, "k"));
  t.push_back(uniform("q2_k_l", "GGUF Q2_K with Q8_0 embedding and output (bartowski _L)", kBartowskiL, 2.9, q8_0, q8_0,
                      true, "k"));
  // unsloth dynamic ("UD") variants raise sensitive tensors by one or two types; the widths
  // below are approximations of those mixes, not exact.
  t.push_back(uniform("ud-q4_k_xl", "unsloth dynamic Q4_K_XL (approximation: Q4_K_M + wider attention)",
                      "unsloth dynamic 2.0 quant notes; approximation", 5.0, q4_k, q6_k, true, "k"));
  t.push_back(uniform("ud-q3_k_xl", "unsloth dynamic Q3_K_XL (approximation)",
                      "unsloth dynamic 2.0 quant notes; approximation", 4.0, q3_k, q6_k, true, "k"));
  t.push_back(uniform("ud-q2_k_xl", "unsloth dynamic Q2_K_XL (approximation)",
                      "unsloth dynamic 2.0 quant notes; approximation", 3.0, q2_k, q6_k, true, "k"));
  t.push_back(uniform("ud-q5_k_xl", "unsloth dynamic Q5_K_XL (approximation)",
                      "unsloth dynamic 2.0 quant notes; approximation", 5.9, q5_k, q6_k, true, "k"));
  t.push_back(uniform("ud-q6_k_xl", "unsloth dynamic Q6_K_XL (approximation: Q6_K, some tensors Q8_0)",
                      "unsloth dynamic 2.0 quant notes; approximation", 6.9, q6_k, q8_0, true, "k"));
  t.push_back(uniform("ud-q8_k_xl", "unsloth dynamic Q8_K_XL (approximation: Q8_0, some tensors BF16)",
                      "unsloth dynamic 2.0 quant notes; approximation", 9.5, q8_0, 16, true, "q8"));
  t.push_back(uniform("ud-iq3_xxs", "unsloth dynamic IQ3_XXS (approximation)",
                      "unsloth dynamic 2.0 quant notes; approximation", iq3_xxs + 0.3, q3_k, q6_k, true, "iq"));
  t.push_back(uniform("ud-iq2_xxs", "unsloth dynamic IQ2_XXS (approximation)",
                      "unsloth dynamic 2.0 quant notes; approximation", 2.5, q2_k, q6_k, true, "iq"));
  for (int group : {64, 32})  // mlx_lm.convert --q-group-size: 64 by default, 32 on request
    for (int bits : {2, 3, 4, 5, 6, 8}) {
      const double w = mlx_affine_bpw(bits, group);
      t.push_back(uniform(fmt::format("mlx-{}bit{}", bits, group == 64 ? "" : "-g32"),
                          fmt::format("MLX affine {}-bit, group {}", bits, group), kMlx, w, w, w, false, "mlx"));
    }
  // MLX's mxfp4 mode (mlx.core.quantize mode="mxfp4": e2m1 values with one e8m0 scale per 32, no
  // bias) on every linear and embedding layer, where the GGUF/gpt-oss layout keeps all but the experts
  // at 8 bits.
  t.push_back(uniform("mlx-mxfp4", "MLX mxfp4 on every layer (4 bits + an 8-bit scale per 32 weights)",
                      "mlx.core.quantize mode mxfp4: group 32, e8m0 scale, no bias", 4.25, 4.25, 4.25, false, "mlx"));
  t.push_back(uniform("mlx-mxfp8", "MLX mxfp8 on every layer (8 bits + an 8-bit scale per 32 weights)",
                      "mlx.core.quantize mode mxfp8: group 32, e8m0 scale, no bias", 8.25, 8.25, 8.25, false, "mlx"));
  t.push_back(uniform("mlx-nvfp4", "MLX nvfp4 on every layer (4 bits + an 8-bit scale per 16 weights)",
                      "mlx.core.quantize mode nvfp4: group 16, e4m3 scale, no bias", 4.5, 4.5, 4.5, false, "mlx"));
  // FP8 / NVFP4 checkpoints keep embeddings and the LM head in bf16.
  t.push_back(Quantization{"fp8", "FP8 e4m3 weights, fp32 scale per 128x128 block",
                           "DeepSeek-V3 / Qwen3-FP8 quantization_config (weight_block_size 128x128)",
                           8 + 32.0 / (128 * 128), 8 + 32.0 / (128 * 128), 16, 16, false, "fp8"});
  t.push_back(Quantization{"nvfp4", "NVFP4: e2m1 weights, fp8 scale per 16 weights",
                           "NVIDIA ModelOpt NVFP4 format (group 16, e4m3 scale)", 4.5, 4.5, 16, 16,
                           false, "fp4"});
  return t;
}
}  // namespace

const std::vector<Quantization>& quantizations() {
  static const std::vector<Quantization> table = make_table();
  return table;
}

const Quantization& find_quantization(const std::string& id) {
  return find_or_suggest(quantizations(), id, &Quantization::id, "quantization '{}' is not known",
                         "; `ridgeline list quants` shows them");
}

const std::vector<KvDtype>& kv_dtypes() {
  auto bytes = [](const char* name) { return ggml_type(name).bpw() / 8; };
  static const std::vector<KvDtype> table = {
      {"f16", 2}, {"bf16", 2}, {"f32", 4}, {"fp8", 1},
      {"q8_0", bytes("Q8_0")}, {"q5_0", bytes("Q5_0")}, {"q4_0", bytes("Q4_0")}, {"q4_1", bytes("Q4_1")}};
  return table;
}

const KvDtype& find_kv_dtype(const std::string& id) {
  return find_or_suggest(kv_dtypes(), id, &KvDtype::id,
                         "KV-cache dtype '{}' is not known (expected one of f16, bf16, f32, fp8, q8_0, q5_0, q4_0, q4_1)");
}

}  // namespace ridgeline
