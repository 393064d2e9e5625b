#pragma once
// Fixed sizes of one forward step: facts of the kernels and the file formats, not fitted (the fitted
// ones are runtime coefficients, runtime/src/coefficients.cpp). Used by ops.cpp and memory.cpp.

namespace ridgeline::step {

// Bytes of one fp32 value.
constexpr double kFp32Bytes = 4;
// Logits come out in fp32 (llama.cpp's llama_get_logits returns float); taken for every runtime.
constexpr double kLogitBytes = kFp32Bytes;
// MoE router weights (ffn_gate_inp) stay unquantized: llama.cpp's quantizer skips them
// (src/llama-quant.cpp); taken as fp32 for every runtime. They are 1 / (3 x expert width) of a
// layer's expert weights, so the choice barely moves a prediction.
constexpr double kRouterBytesPerParam = kFp32Bytes;
// Hidden-width activation vectors a block of projections (attention or MLP) moves per row through
// memory: its input read and its output written, and as much again for what passes between its
// kernels (Q and the attention output; an MLP's gate and up products are counted at hidden width).
// A round allowance, not a derivation: these bytes matter only where no roof above them does.
constexpr double kProjectionActivationVectors = 4;
// Hidden-width vectors each routed expert moves per row it serves: the row's input gathered to the
// expert and the expert's output scattered back for the weighted sum.
constexpr double kExpertActivationVectors = 2;
// Passes over a routed expert's weights when a runtime copies them out by index before the product
// (RuntimeSpec::moe_gathers_expert_weights): the gather reads them, writes the copy, and the product
// reads the copy.
constexpr double kGatheredExpertWeightPasses = 3;
// Bytes per weight a dequantize-then-BLAS product moves beyond the quantized weights: the dequantize
// kernel writes an f16 copy (2) and the GEMM reads it (2) (ggml-cuda's to_fp16 before its BLAS call).
constexpr double kBlasDequantBytesPerParam = 4;
// Per layer and row, hidden-width vectors moved by the norms and residual adds of a pre-norm layer:
// two RMSNorms each read their input and write their output (4), two residual adds each read the
// branch output into the residual stream (2).
constexpr double kNormResidualVectors = 6;
// FLOPs per hidden element per layer for the same: an RMSNorm squares, sums, scales by 1 / rms and
// by its weight (4), twice (8), plus the two residual adds (2).
constexpr double kNormResidualFlops = 10;
// Hidden-width vectors a hyper-connection block (ModelSpec::residual_streams = s) moves per row
// beyond a plain residual's: collapsing reads the s streams and writes one (s + 1), expanding reads
// the block's output and the s streams and writes s (2s + 1). Twice per layer (attention, MLP).
constexpr double kHyperConnectionVectorsPerStream = 3;
constexpr double kHyperConnectionVectorsFixed = 2;
// FLOPs per row of one Sinkhorn iteration over the s x s combination matrix: a row and a column
// normalization, each a sum and a division per element.
constexpr double kSinkhornFlopsPerElement = 4;
// Where the OOM search stops for a model that states no maximum context: 2^22 = 4,194,304 tokens,
// beyond any stated maximum but the 10M of a few models, which state theirs.
constexpr long long kUnstatedMaxContext = 1LL << 22;

}  // namespace ridgeline::step
