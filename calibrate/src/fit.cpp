// Least-squares fit of one runtime's coefficients: residual = log(predicted / measured) per
// observation, parameters bounded through a logistic transform, GSL's trust-region solver with a
// finite-difference Jacobian; the coefficients' covariance (fit_covariance.hpp, Eigen) from the
// Jacobian at the solution, scaled by the residual variance.
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit_nlinear.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "ridgeline/calibration.hpp"
#include "ridgeline/coefficients.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/fit_covariance.hpp"

namespace ridgeline {

namespace {

constexpr double kRobustScale = 0.2;

// Shrinkage of a chip generation's factor toward the runtime's own efficiency: one pseudo-row
// whose residual is log(factor) / kGenerationSpread in units of a good row's log-error, so a
// generation measured on a few rows moves only as far as its rows insist. The spread: Apple's
// GPU generations changed GEMM throughput per core by up to about a third (M3 dynamic caching,
// M5 neural accelerators; shared/reference/hardware.md), hence 0.3.
constexpr double kGenerationSpread = 0.3;
// A generation's kernel latency (generation_launch_factor) is held closer: Apple's GPU clocks from M1
// to M5 span 1.28 to 1.58 GHz (the profiles' FP32 derivations), ln 0.21, so a generation's dispatch
// is expected within about +-10% of the runtime's unless its rows insist.
constexpr double kGenerationLaunchSpread = 0.1;
// A die's bandwidth in a runtime's kernels (die_bandwidth_factor) is held closer still than its
// tier's: the profiles' measured stream efficiencies already place each die (0.78 for every
// Pro, Max and Ultra part measured; the M4 Max's read-only and copy figures, 90% and 72.5%, bracket
// it by about +-10%), so a die is expected within about +-10% of its tier unless its rows insist.
constexpr double kDieBandwidthSpread = 0.1;
constexpr double kTypicalRowError = 0.1;
// An ALU roof of the vector kernels (gemv_compute_efficiency, vector_attention_efficiency) shapes
// only the rows where it binds: above the value where it stops binding, every value predicts the
// same and the solver may leave it anywhere (llama.cpp-metal's vector attention, fitted without the
// M2 Ultra's decode at depth, stopped at 0.61 against 0.08 with them, and the held-out Ultra's deep
// decode came out 30% fast). One weak pseudo-row pulls such a roof toward its profile value: a
// factor of e^3 (20) from it weighs as one typical row's error, which rows where the roof binds
// outweigh (ds4 on NVIDIA sits at 0.013, a tenth of the profile's 0.12, on 64 decode rows; a factor of
// e per typical error had moved it to 0.017 and its held-out decode from 8.8 to 14.3%).
constexpr double kRoofPriorSpread = 3.0;
// Kernels change between builds: a fit describes the newest build in its data, and a row's
// weight halves for every kBuildHalfLife builds it is older (llama.cpp made ~6,900 builds from
// b1026 in Dec 2023 to b7948 in Feb 2026, so 3,000 is about a year). Rows stating no build
// count as one half-life old. A kernel class, generation or tier gets a factor of its own only
// from rows at most one half-life old: a generation measured only on builds of two years ago
// (M1 prompt processing in 2023) says how those builds ran, not how today's do.
constexpr double kRecentWeight = 0.5;
// Unpacking instructions per weight a class's fit starts from (nibble or byte extraction, offset,
// conversion, scale: a few): enough for the roof to bind on an M1 Max, so the solver sees it.
constexpr double kDequantOpsStart = 4;
constexpr double kBuildHalfLife = 3000;
constexpr double kUnstatedBuildWeight = 0.5;

// How many rows a coefficient needs before the fit frees it (else it keeps its profile value).
// The floor is one row more than the coefficient could match exactly, so a residual is left to
// judge it by; beyond that the counts are rules of thumb (not derived), larger where another
// coefficient can stand in for it on few rows.
// A factor on every rate (bandwidth, a wrapper's per-pass cost, a transient term): one row is
// matched exactly by any value of it, two are not.
constexpr size_t kRowsForOneFactor = 2;
constexpr size_t kChipsForWrapperCost = 2;
// The per-step overhead shares every row with the bandwidth factor: the floor for each of the two.
constexpr size_t kRowsForStepOverhead = 2 * kRowsForOneFactor;
// Kernel launch latency also scales every decode step like the bandwidth factor does; only how
// step time grows with the layer count tells them apart, hence rows over two layer counts or more.
constexpr size_t kDecodeRowsForLaunch = 8;
constexpr size_t kLayerCountsForLaunch = 2;
// A coefficient only one kind of row shows (compute efficiency: prefill rows; a kernel class,
// generation or tier factor: its own recent rows (by weight; a generation by count, below); MoE costs: MoE rows, beside as
// many dense ones): three such rows, so that no single odd row sets it.
constexpr size_t kRowsForContrast = 3;
// A cost paid once per call (re-wiring the weights) against the per-token work of the prompt: prompts
// of three lengths at least, so that the per-token rate's own curve cannot pass for it.
constexpr size_t kPromptLengthsForRewire = 3;
// A chip generation's GEMM factor multiplies every prefill on every chip of that generation, so a
// few rows of one or two machines cannot free it: whatever those machines and models do apart from
// the generation (a 1B model on a 64-core Ultra, a binned part taken for the full one) would become
// the generation's. Twice the contrast floor of recent rows, counted as rows (a row of an unstated
// build, at half weight in the fit, is one row here: MLX rows state no build). (Three recent M1 rows, a
// TinyLlama and a Llama 3.2 3B on one M1 Ultra and one gpt-oss row each on an M1 Max and an M1 Pro,
// had set an M1 factor of 0.70 that llama.cpp's own M1 Pro/Max table and today's M1 rows contradict.)
constexpr size_t kRowsForGeneration = 2 * kRowsForContrast;
// The matrix-vector ALU roof shows only in batched decode below the GEMV row limit, where the
// bandwidth factor and step overhead act on the same rows: the floor for each of the two.
constexpr size_t kRowsForGemvRoof = 2 * kRowsForOneFactor;
// A vector attention kernel's ALU roof shows only in decode deep enough that attention's FLOPs
// rival the weights' bytes (an 8B model's 4,096-token KV is a tenth of its Q4 weights' time):
// such rows of a runtime with vector decode kernels, as many as a contrast needs.
constexpr double kDecodeContextForAttention = 4096;
// ... and only where the measured rates show attention's cost: the row decodes this much slower
// than its own setup's shallowest decode row (same source, chip, model, quantization, runtime and
// batch) at half its context or less. Deep enough is not enough where attention layers are few (a
// hybrid model's state-space layers): Qwen3.6's mlx_lm.server rows at 4K and 8K, whose attention is
// a few percent of a step, pinned MLX's roof at 0.03 once apple_mlx_community.csv was held out, and
// that fold's M3 Max Llama 3.3 70B decode at depth came out 27-48% slow (the full fit never frees it).
constexpr double kDepthShare = 0.1;
// Mean context of a decode row's tokens from which the unfused path's cache reads show (llama-bench's
// tg1024 from an empty cache: 512).
constexpr double kUnfusedDecodeContext = 512;
// The shape of prefill (compute_half_tokens: efficiency against rows; the fused attention rate)
// beside compute_efficiency on the same rows: the floor for each of the three.
constexpr size_t kPrefillRowsForShape = 3 * kRowsForOneFactor;
// A tier's kernel latency is told apart from its bandwidth only by models of several sizes on it.
constexpr size_t kModelsPerTierForLaunch = 3;
// A die's bandwidth factor needs rows of this many models on it, from this many sources.
constexpr size_t kModelsPerDie = 2;
constexpr size_t kSourcesPerDie = 2;
// Tier factors have no reference tier: they are fitted only where two tiers or more are measured.
constexpr size_t kKeysForTierFactors = 2;

// The kernel classes whose own factor the fit may free. A class measured only in MoE rows is told
// apart from the MoE kernels' own factor (moe_compute_factor, moe_bandwidth_factor) only through a
// class measured in both dense and MoE rows; without one, its rows say "MoE on this class is slower"
// and no more, so it keeps the runtime-wide value (a fold that holds out the one dense model of a
// class otherwise trades the two factors freely: DGX Spark without Qwen2.5-Coder-7B's Q8_0).
std::map<std::string, double> kernel_class_factors_to_fit(const std::map<std::string, double>& counts,
                                                          const std::set<std::string>& dense,
                                                          const std::set<std::string>& moe) {
  const bool anchored = std::any_of(dense.begin(), dense.end(), [&](const std::string& c) { return moe.contains(c); });
  if (anchored || moe.empty()) return counts;
  std::map<std::string, double> out;
  for (const auto& [cls, n] : counts)
    if (dense.contains(cls)) out[cls] = n;
  return out;
}

// A fitted coefficient: its declared name (possibly keyed) and the fit's physical bounds.
struct Param {
  std::string name;
  double lo, hi;
  bool shrunk = false;  // a generation or tier factor pulled toward 1 by a prior pseudo-row (kGenerationSpread)
  double spread = kGenerationSpread;  // that pseudo-row's width (kGenerationLaunchSpread for kernel latency)
  double prior = 0;     // pulled toward this profile value by a weak pseudo-row (0: none; kRoofPriorSpread)
  const CoefficientInfo* info = nullptr;  // its declaration (coefficients.hpp)
};

double* slot(RuntimeSpec& rt, const Param& p) { return coefficient_slot(rt, p.name); }

double to_bounded(double u, const Param& p) { return p.lo + (p.hi - p.lo) / (1 + std::exp(-u)); }
double to_free(double v, const Param& p) {
  const double t = std::clamp((v - p.lo) / (p.hi - p.lo), 1e-6, 1 - 1e-6);
  return std::log(t / (1 - t));
}

struct Problem {
  std::vector<Observation> obs;  // scenarios are updated in place with the trial coefficients
  std::vector<Param> params;
  // The roofs' prior pseudo-rows steer the solve; the covariance leaves them out, so a roof only
  // they pin is reported as not identified (no band from a guess), as before they existed.
  bool roof_priors = true;
};

size_t roof_prior_rows(const Problem& pb) {
  return static_cast<size_t>(std::count_if(pb.params.begin(), pb.params.end(), [](const Param& p) { return p.prior > 0; }));
}

// The fit's residual vector at coefficient values v (the solver's u mapped through the bounds).
void fill_residuals(Problem& pb, const std::vector<double>& v, gsl_vector* f) {
  for (auto& o : pb.obs)
    for (size_t i = 0; i < pb.params.size(); ++i) *slot(o.scenario.runtime, pb.params[i]) = v[i];
  for (size_t i = 0; i < pb.obs.size(); ++i) {
    const auto pred = predict_observation(pb.obs[i]);
    double r = pred && *pred > 0 ? std::log(*pred / pb.obs[i].measured) : 5.0;
    if (!std::isfinite(r)) r = 5.0;
    // Soft-L1 loss with a 20% scale: squares of these residuals sum to 2c^2(sqrt(1 + (r/c)^2) - 1),
    // so a few rows from a different build or a throttled laptop do not drag the whole fit.
    const double rho = 2 * kRobustScale * kRobustScale * (std::sqrt(1 + (r / kRobustScale) * (r / kRobustScale)) - 1);
    gsl_vector_set(f, i, std::copysign(std::sqrt(rho * pb.obs[i].weight), r));
  }
  size_t k = pb.obs.size();
  for (size_t i = 0; i < pb.params.size(); ++i)
    if (pb.params[i].shrunk) gsl_vector_set(f, k++, std::log(v[i]) / pb.params[i].spread * kTypicalRowError);
  if (pb.roof_priors)
    for (size_t i = 0; i < pb.params.size(); ++i)
      if (pb.params[i].prior > 0) gsl_vector_set(f, k++, std::log(v[i] / pb.params[i].prior) / kRoofPriorSpread * kTypicalRowError);
}

int residuals(const gsl_vector* x, void* data, gsl_vector* f) {
  auto* pb = static_cast<Problem*>(data);
  std::vector<double> v(pb->params.size());
  for (size_t i = 0; i < v.size(); ++i) v[i] = to_bounded(gsl_vector_get(x, i), pb->params[i]);
  fill_residuals(*pb, v, f);
  return GSL_SUCCESS;
}

// Which decode rows measured a slowdown with depth (kDepthShare against their setup's shallowest
// decode row at half their mean context or less): the rows that show attention's cost.
std::vector<bool> decode_slowed_by_depth(const std::vector<Observation>& obs) {
  using Setup = std::tuple<std::string, std::string, std::string, std::string, std::string, long long>;
  auto setup_of = [](const Observation& o) {
    const Scenario& s = o.scenario;
    return Setup{o.source, s.hardware.id, s.model.id, s.quant.id, s.runtime.id, s.workload.batch};
  };
  auto context = [](const Observation& o) {
    return static_cast<double>(o.scenario.workload.prompt) + static_cast<double>(o.scenario.workload.gen) / 2;
  };
  std::map<Setup, std::pair<double, double>> shallowest;  // mean context, measured rate
  for (const auto& o : obs) {
    if (o.quantity != Measured::decode_tok_s || o.measured <= 0) continue;
    auto [it, added] = shallowest.try_emplace(setup_of(o), context(o), o.measured);
    if (!added && context(o) < it->second.first) it->second = {context(o), o.measured};
  }
  std::vector<bool> slowed(obs.size(), false);
  for (size_t i = 0; i < obs.size(); ++i) {
    const auto& o = obs[i];
    if (o.quantity != Measured::decode_tok_s || o.measured <= 0) continue;
    const auto& [shallow_context, shallow_rate] = shallowest.at(setup_of(o));
    slowed[i] = context(o) >= 2 * shallow_context && std::log(shallow_rate / o.measured) >= kDepthShare;
  }
  return slowed;
}

// `generation_reference` receives the chip generation that carries the runtime-wide efficiency when
// other generations get factors of their own ("" when none do).
std::vector<Param> choose_params(const std::vector<Observation>& obs, std::string* generation_reference = nullptr) {
  // The profile values the roofs' priors hold to: an engine row's (a wrapper's rows carry the
  // engine's coefficients too, but a wrapper's own fit applies the engine's calibration to them).
  const auto engine_row = std::find_if(obs.begin(), obs.end(), [](const Observation& o) { return o.scenario.runtime.wraps.empty(); });
  RuntimeSpec profile = engine_row != obs.end() ? engine_row->scenario.runtime : RuntimeSpec{};
  size_t prefill = 0, decode = 0, transient = 0, fused_transient = 0, unfused_prefill = 0;
  // Evidence per kernel class, generation and tier: the summed weight of recent rows.
  std::map<std::string, double> classes, generations, tiers, decode_classes, single_issue_classes;
  // Kernel classes seen in dense and in MoE rows (prefill; decode), for kernel_class_factors_to_fit.
  std::set<std::string> dense_prefill_classes, moe_prefill_classes, dense_decode_classes, moe_decode_classes;
  std::set<std::string> dense_single_issue_classes, moe_single_issue_classes;  // and decode on single-issue GPUs
  std::map<std::string, std::set<std::string>> tier_models, generation_models, generation_chips, die_models, die_sources;
  std::map<std::string, double> die_decode;  // recent decode rows by die (hardware_die), by weight
  std::map<std::string, double> generation_decode;  // recent decode rows by chip generation, counted
  size_t small_batch_decode = 0, single_row_decode = 0, deep_vector_decode = 0, deep_unfused_decode = 0;
  // Rows at depth on the fused path over wide score heads (the runtime's wide-head kernels) and over
  // narrower ones: only both tell the wide heads' rate from the attention roofs they share.
  size_t deep_wide_prefill = 0, deep_narrow_prefill = 0, deep_wide_decode = 0, deep_narrow_decode = 0;
  size_t serial_decode = 0, concurrent_decode = 0;  // rows of builds before / after concurrent dispatch
  size_t serial_prefill = 0, concurrent_prefill = 0;  // and their prefill rows (matrix-matrix drain)
  std::set<int> layer_counts;
  size_t moe_decode = 0, dense_decode = 0, moe_prefill = 0, dense_prefill = 0;
  // Batched MoE decode whose rows the runtime groups by expert, and its batch sizes: how many
  // distinct experts a step reads as the batch grows (moe_routing_skew).
  size_t grouped_moe_decode = 0;
  std::set<long long> grouped_moe_batches;
  size_t moe_prefill_on_matrix_units = 0, dense_prefill_on_matrix_units = 0;  // a release's kernels on matrix units (M5)
  // MoE prefill rows on matrix units whose expert kernel has no named tile there (they read
  // moe_matrix_units_half_rows), and their steps' rows (the prompt or its chunk: rows per expert).
  size_t untiled_moe_prefill_on_matrix_units = 0;
  std::set<long long> moe_step_rows_on_matrix_units;
  // Prefill rows on GPUs without bf16 arithmetic, computing in bf16 or not: only the contrast between
  // the two on the same generations tells the emulation from the generation's own GEMM factor.
  size_t emulated_bf16_prefill = 0, unemulated_prefill_on_emulating_gpus = 0;
  std::map<std::string, double> blas_libraries;  // prefill rows whose chunks ran through a BLAS library
  // Prefill rows whose products ran the runtime's own quantized matrix-matrix kernels, in a build of
  // the BLAS era (below its row limit, or a MoE's experts) and in a later one.
  size_t blas_era_own_kernels = 0, later_own_kernels = 0;
  // Fused-attention prefill rows per older flash-attention kernel a row's build ran ("": today's).
  std::map<std::string, size_t> attention_kernels;
  // Prefill rows of calls that wire the weights anew (residency: per_call) and their prompt lengths.
  size_t rewired_prefill = 0, fresh_buffer_prefill = 0;
  std::set<long long> rewired_prompts, fresh_buffer_prompts;
  const std::vector<bool> shows_depth = decode_slowed_by_depth(obs);
  for (size_t i = 0; i < obs.size(); ++i) {
    const Observation& o = obs[i];
    const long long prompt_tokens = o.scenario.workload.prompt - o.scenario.workload.cached;
    if (o.quantity == Measured::prefill_tok_s && rewires_weights(o.scenario.runtime))
      ++rewired_prefill, rewired_prompts.insert(prompt_tokens);
    if (o.quantity == Measured::prefill_tok_s && commits_fresh_buffers(o.scenario.runtime))
      ++fresh_buffer_prefill, fresh_buffer_prompts.insert(prompt_tokens);
    const auto moe_group = std::find_if(o.scenario.model.layers.begin(), o.scenario.model.layers.end(),
                                        [](const LayerGroup& g) { return g.ffn.is_moe(); });
    const bool moe = moe_group != o.scenario.model.layers.end();
    if (o.quantity == Measured::decode_tok_s) (moe ? moe_decode : dense_decode) += 1;
    if (o.quantity == Measured::decode_tok_s && moe) {
      const double batch = static_cast<double>(o.scenario.workload.batch);
      if (expert_reads(o.scenario, step_invariants(o.scenario), moe_group->ffn, batch).grouped)
        ++grouped_moe_decode, grouped_moe_batches.insert(o.scenario.workload.batch);
    }
    if (o.quantity == Measured::prefill_tok_s) (moe ? moe_prefill : dense_prefill) += 1;
    if (o.quantity == Measured::prefill_tok_s) {
      const StepInvariants inv = step_invariants(o.scenario);
      if (inv.experts_on_matrix_units) (moe ? moe_prefill_on_matrix_units : dense_prefill_on_matrix_units) += 1;
      if (inv.experts_on_matrix_units && moe && inv.expert_tile_rows <= 0) {
        ++untiled_moe_prefill_on_matrix_units;
        moe_step_rows_on_matrix_units.insert(std::min(o.scenario.workload.prompt - o.scenario.workload.cached, o.scenario.chunk));
      }
    }
    const bool recent = o.weight >= kRecentWeight;
    if (o.quantity == Measured::prefill_tok_s) ++prefill;
    // Whether any layer of this row runs the unfused path in prefill or in decode.
    auto unfused = [&](bool in_prefill) {
      return std::any_of(o.scenario.model.layers.begin(), o.scenario.model.layers.end(),
                         [&](const LayerGroup& g) { return unfused_attention(o.scenario, g.attention, in_prefill); });
    };
    if (o.quantity == Measured::prefill_tok_s && unfused(true)) ++unfused_prefill;
    if (o.quantity == Measured::prefill_tok_s && !o.scenario.hardware.bf16_native.value)
      ++(bf16_emulated(o.scenario) ? emulated_bf16_prefill : unemulated_prefill_on_emulating_gpus);
    const auto& rt = o.scenario.runtime;
    const long long chunk_rows = std::min(o.scenario.workload.prompt - o.scenario.workload.cached, o.scenario.chunk);
    if (o.quantity == Measured::prefill_tok_s && !rt.blas_library.empty() && chunk_rows >= rt.kernels.blas.min_rows)
      blas_libraries[rt.blas_library] += 1;
    if (o.quantity == Measured::prefill_tok_s && rt.kernels.blas.min_rows > 0 && static_cast<double>(chunk_rows) > rt.coef.gemv_max_rows &&
        (moe || chunk_rows < rt.kernels.blas.min_rows))
      ++(rt.blas_library.empty() ? later_own_kernels : blas_era_own_kernels);
    if (o.quantity == Measured::prefill_tok_s && !rt.always_unfused) ++attention_kernels[rt.attention_kernel];
    if (o.quantity == Measured::prefill_tok_s && recent)
      classes[o.scenario.quant.kernel_class] += o.weight, generations[o.scenario.hardware.family] += 1,
          (moe ? moe_prefill_classes : dense_prefill_classes).insert(o.scenario.quant.kernel_class);
    if (o.quantity == Measured::decode_tok_s && recent)
      (moe ? moe_decode_classes : dense_decode_classes).insert(o.scenario.quant.kernel_class);
    // Batched decode, or a prompt of a few tokens (llama-bench pp2..pp8), inside the matrix-vector
    // regime: the rows that show its ALU roof and the multi-row kernel's bandwidth.
    const double rows = static_cast<double>(o.scenario.workload.batch);
    const double prompt_rows = static_cast<double>(o.scenario.workload.prompt - o.scenario.workload.cached);
    const double gemv_rows = o.scenario.runtime.coef.gemv_max_rows;
    if (o.quantity == Measured::decode_tok_s && rows > 1 && rows <= gemv_rows) ++small_batch_decode;
    if (o.quantity == Measured::prefill_tok_s && prompt_rows > 1 && prompt_rows <= gemv_rows) ++small_batch_decode;
    if (o.quantity == Measured::decode_tok_s && rows == 1) ++single_row_decode;
    if (o.quantity == Measured::decode_tok_s && o.scenario.runtime.kernels.concurrent_dispatch_since_build > 0)
      ++(serial_dispatch(o.scenario.runtime) ? serial_decode : concurrent_decode);
    if (o.quantity == Measured::prefill_tok_s && o.scenario.runtime.kernels.concurrent_dispatch_since_build > 0)
      ++(serial_dispatch(o.scenario.runtime) ? serial_prefill : concurrent_prefill);
    if (o.quantity == Measured::decode_tok_s) ++decode, layer_counts.insert(layer_count(o.scenario.model));
    if (o.quantity == Measured::decode_tok_s && o.scenario.runtime.kernels.vector_decode_attention &&
        static_cast<double>(o.scenario.workload.prompt) >= kDecodeContextForAttention &&
        shows_depth[i])
      ++deep_vector_decode;
    // Rows at depth whose attention runs fused (its kernels' rates, not the unfused path's GEMMs):
    // a decode step on the vector kernel shows that kernel's wide-head factor; one on a tensor-core
    // kernel (ggml-cuda's latent attention, its long-cache wide groups) shows the flash-attention
    // kernel's, as a prompt does. Judged on the wide layer, else the first full-attention one, whose
    // cache is the context (a sliding layer's is its window).
    const auto& w = o.scenario.workload;
    const bool deep = static_cast<double>(w.prompt) >= kDecodeContextForAttention;
    if (o.scenario.runtime.kernels.wide_head_min_dim > 0 && deep) {
      const AttentionSpec* wide = wide_head_attention(o.scenario);
      const AttentionSpec* judged = wide ? wide : first_full_attention(o.scenario.model);
      if (judged && o.quantity == Measured::decode_tok_s && shows_depth[i] && !unfused(false)) {
        const bool vector = decode_attention_kernel(o.scenario, *judged, 1, static_cast<double>(w.batch), static_cast<double>(w.prompt)) ==
                            DecodeAttentionKernel::vector;
        if (vector) ++(wide ? deep_wide_decode : deep_narrow_decode);
        else ++(wide ? deep_wide_prefill : deep_narrow_prefill);
      }
      if (judged && o.quantity == Measured::prefill_tok_s && !unfused(true)) ++(wide ? deep_wide_prefill : deep_narrow_prefill);
    }
    // One sequence's decode on the unfused path over a deep cache (the mean context of the generated
    // tokens), where its one-row kernels read the cache once per KV head: the rows that show those
    // reads' bandwidth. Where they read it per query head (ggml-metal), the factor is confounded with
    // that multiple, and on Metal's rows (2023 and 2024 builds) with the base tier's bandwidth, which
    // fitting it drove to 99.7% of the datasheet: it is not theirs to fit (nor used there).
    const double mean_context = static_cast<double>(o.scenario.workload.prompt) + static_cast<double>(o.scenario.workload.gen) / 2;
    if (o.quantity == Measured::decode_tok_s && mean_context >= kUnfusedDecodeContext &&
        unfused_reads_once_per_kv_head(o.scenario, 1, static_cast<double>(o.scenario.workload.batch)) && unfused(false))
      ++deep_unfused_decode;
    // Decode on GPUs that cannot co-issue the unpacking: the rows that show a class's dequantization cost.
    if (o.quantity == Measured::decode_tok_s && o.scenario.hardware.single_issue.value && recent)
      single_issue_classes[o.scenario.quant.kernel_class] += 1,
          (moe ? moe_single_issue_classes : dense_single_issue_classes).insert(o.scenario.quant.kernel_class);
    if (o.quantity == Measured::decode_tok_s && recent)
      tiers[o.scenario.hardware.tier] += o.weight, decode_classes[o.scenario.quant.kernel_class] += o.weight,
          tier_models[o.scenario.hardware.tier].insert(o.scenario.model.id),
          generation_decode[o.scenario.hardware.family] += 1, generation_models[o.scenario.hardware.family].insert(o.scenario.model.id),
          generation_chips[o.scenario.hardware.family].insert(o.scenario.hardware.id),
          die_decode[hardware_die(o.scenario.hardware)] += o.weight, die_models[hardware_die(o.scenario.hardware)].insert(o.scenario.model.id),
          die_sources[hardware_die(o.scenario.hardware)].insert(o.source);
    if (o.quantity == Measured::transient_bytes) ++(o.scenario.runtime.always_unfused ? transient : fused_transient);
  }
  std::vector<Param> p;
  auto add = [&](const std::string& name) {
    const CoefficientInfo& c = *find_coefficient(name);
    const bool shrunk = c.family != nullptr && !name.starts_with("quant_") && !name.starts_with("blas_") && !name.starts_with("dequant_");
    const bool roof = name == "gemv_compute_efficiency" || name == "vector_attention_efficiency";
    const double spread = name.starts_with("generation_launch") ? kGenerationLaunchSpread
                          : name.starts_with("die_")            ? kDieBandwidthSpread
                                                                : kGenerationSpread;
    p.push_back({name, c.fit_lo, c.fit_hi, shrunk, spread, 0, &c});
    if (roof) p.back().prior = *coefficient_slot(profile, name);
  };
  // A wrapper runs its engine's kernels: only its own per-pass cost is its to fit, and only from
  // rows on more than one chip. On one chip it cannot be told from the engine's error on that chip
  // (Ollama's four rows of one M2 scatter -17% to +38% around the engine and fitted 2.4 ms +- 11).
  if (!obs.empty() && std::all_of(obs.begin(), obs.end(), [](const Observation& o) { return !o.scenario.runtime.wraps.empty(); })) {
    std::set<std::string> chips;
    for (const auto& o : obs) chips.insert(o.scenario.hardware.id);
    if (chips.size() < kChipsForWrapperCost) return p;
    if (decode + prefill >= kRowsForOneFactor) add("wrapper_step_overhead_ms");
    if (prefill >= kRowsForOneFactor) add("wrapper_request_ms");
    return p;
  }
  // Weights stream at bandwidth_efficiency in every decode step. A runtime measured in prefill only
  // streams them under its products' compute, and where some of its rows are unfused, their
  // memory-bound time is the passes over the score matrix: those fit the passes' traffic
  // (score_traffic_bytes) at the profile's streaming efficiency, which they cannot tell from it.
  const bool shows_weight_stream = decode > 0 || unfused_prefill == 0;
  if (shows_weight_stream && decode + prefill >= kRowsForOneFactor) add("bandwidth_efficiency");
  if (!shows_weight_stream && unfused_prefill >= kRowsForOneFactor) add("score_traffic_bytes");
  if (decode + prefill >= kRowsForStepOverhead) add("step_overhead_ms");
  // A call's re-wiring is paid once, its prompt's work per token: told apart by prompts of several lengths.
  if (rewired_prefill >= kRowsForContrast && rewired_prompts.size() >= kPromptLengthsForRewire) add("rewire_gbps");
  // So is a chunk's fresh buffers, per kernel rather than per byte: the same rows tell them apart.
  if (fresh_buffer_prefill >= kRowsForContrast && fresh_buffer_prompts.size() >= kPromptLengthsForRewire) add("buffer_commit_us");
  const bool fits_launch = decode >= kDecodeRowsForLaunch && layer_counts.size() >= kLayerCountsForLaunch;
  if (fits_launch) add("launch_overhead_us");
  // The kernel latency of builds before concurrent dispatch, told apart by decode rows of both.
  if (fits_launch && serial_decode >= kRowsForContrast && concurrent_decode >= kRowsForContrast)
    add("serial_dispatch_launch_factor");
  // A tier's kernel latency is told apart from its bandwidth only by models of several sizes on it.
  std::map<std::string, double> launch_tiers;
  for (const auto& [tier, models] : tier_models)
    if (models.size() >= kModelsPerTierForLaunch) launch_tiers[tier] = tiers[tier];
  // So is a generation's, across tiers, and only on two chips or more of it: one machine's harness
  // (LM Studio's six M4 Max rows) would otherwise pass for its whole generation's dispatch.
  std::map<std::string, double> launch_generations;
  for (const auto& [generation, models] : generation_models)
    if (models.size() >= kModelsPerTierForLaunch && generation_chips[generation].size() >= kChipsForWrapperCost)
      launch_generations[generation] = generation_decode[generation];
  if (small_batch_decode >= kRowsForGemvRoof) add("gemv_compute_efficiency");
  // The multi-row kernel's bandwidth is told apart from the one-row kernel's by both kinds of rows.
  if (small_batch_decode >= kRowsForGemvRoof && single_row_decode >= kRowsForContrast) add("gemv_batch_bandwidth_factor");
  if (deep_vector_decode >= kRowsForContrast) add("vector_attention_efficiency");
  if (deep_unfused_decode >= kRowsForContrast) add("unfused_kv_bandwidth_factor");
  if (deep_wide_prefill >= kRowsForContrast && deep_narrow_prefill >= kRowsForContrast) add("wide_head_attention_factor");
  if (deep_wide_decode >= kRowsForContrast && deep_narrow_decode >= kRowsForContrast) add("wide_head_vector_attention_factor");
  // Per step (kernels) against per byte (bandwidth): told apart by MoE models of several sizes and batches.
  if (moe_decode >= kRowsForContrast && dense_decode >= kRowsForContrast)
    add("moe_kernels_per_layer"), add("moe_bandwidth_factor");
  if (moe_prefill >= kRowsForContrast && dense_prefill >= kRowsForContrast) add("moe_compute_factor");
  // Uneven routing against the experts' bandwidth: told apart by grouped batched rows at two batch
  // sizes or more beside the row-by-row ones (a batch of one reads its k experts however skewed).
  if (grouped_moe_decode >= kRowsForContrast && grouped_moe_batches.size() >= 2 && moe_decode > grouped_moe_decode)
    add("moe_routing_skew");
  // The expert kernel's share of the matrix units' speed-up, told apart from the generation's
  // factor (which moves dense and MoE alike) by both kinds of prefill rows on matrix units, and from
  // moe_compute_factor by MoE prefill rows off them (else only their product is determined).
  if (moe_prefill_on_matrix_units >= kRowsForContrast && dense_prefill_on_matrix_units >= kRowsForContrast &&
      moe_prefill - moe_prefill_on_matrix_units >= kRowsForContrast)
    add("moe_matrix_units_factor");
  // A kernel whose row tile the profile names (moe: row_tile) has its shape from it, not from a fit.
  const bool tile_named = !obs.empty() && obs.front().scenario.runtime.kernels.expert_tile.rows > 0;
  if (moe_prefill >= kPrefillRowsForShape && dense_prefill >= kRowsForContrast && !tile_named) add("moe_compute_half_rows");
  // The same kernel's half point on matrix units, where no tile is named: its MoE prefill rows there
  // at two step sizes at least (so two counts of rows per expert), with the rows that free the factor.
  if (untiled_moe_prefill_on_matrix_units >= kRowsForContrast && dense_prefill_on_matrix_units >= kRowsForContrast &&
      moe_step_rows_on_matrix_units.size() >= 2 && moe_prefill - moe_prefill_on_matrix_units >= kRowsForContrast)
    add("moe_matrix_units_half_rows");
  if (prefill >= kRowsForContrast) add("compute_efficiency");
  // The tiles a serial build's products leave to drain, told apart by prefill rows of builds on both sides.
  if (serial_prefill >= kRowsForContrast && concurrent_prefill >= kRowsForContrast) add("serial_drain_tiles_per_core");
  // bf16 emulation slows every product, prefill's most: told apart by prefill rows with and without it
  // on the GPUs that emulate it (else it keeps its profile value, measured: runtime profiles).
  if (emulated_bf16_prefill >= kRowsForContrast && unemulated_prefill_on_emulating_gpus >= kRowsForContrast)
    add("bf16_emulation_factor");
  if (prefill >= kPrefillRowsForShape) add("compute_half_tokens");
  if (prefill >= kPrefillRowsForShape) add("attention_efficiency");
  // Unfused rows measure the score matrix, fused rows the activations: each fits its own term
  // (the activations' liveness model stands unfitted until fused rows exist).
  if (transient >= kRowsForOneFactor) add("transient_bytes_per_score");
  if (fused_transient >= kRowsForOneFactor) add("activation_buffer_factor");
  // A BLAS library's GEMM beside the runtime's own kernels (compute_efficiency): its own rows.
  for (const auto& [library, n] : blas_libraries)
    if (n >= static_cast<double>(kRowsForContrast)) add("blas_compute_factor." + library);
  // An older flash-attention kernel against today's, told apart by fused prefill rows of both.
  const size_t today_attention = attention_kernels.contains("") ? attention_kernels.at("") : 0;
  for (const auto& [kernel, n] : attention_kernels)
    if (!kernel.empty() && n >= kRowsForContrast && today_attention >= kRowsForContrast) add("attention_kernel_factor." + kernel);
  // The era's own kernels against today's, told apart by rows of both.
  if (blas_era_own_kernels >= kRowsForContrast && later_own_kernels >= kRowsForContrast)
    add(std::string("blas_era_compute_factor.") + kBlasEraOwnKernels);
  // A class's unpacking cost is absolute (instructions per weight), not relative to a reference
  // class; like a class's factors, one measured only in MoE rows is told apart from the MoE kernels'
  // own factors only through a class measured in both (the M2 Ultra's Q8_0 without Qwen2.5-Coder-7B,
  // its one dense Q8_0 model, otherwise took the MoE rows' cost as Q8_0's: 8.5 instructions a weight).
  for (const auto& [cls, n] : kernel_class_factors_to_fit(single_issue_classes, dense_single_issue_classes, moe_single_issue_classes))
    if (n >= kRowsForContrast) add("dequant_ops_per_weight." + cls);
  // A die's bandwidth apart from its tier's: from its own recent decode rows of two models or more
  // and two sources or more (neither one model's odd layout nor one harness can pass for the die's
  // memory system), where two dies or more are measured (one alone is the runtime-wide factor),
  // shrunk toward 1 (kDieBandwidthSpread).
  std::map<std::string, double> dies;
  for (const auto& [die, n] : die_decode)
    if (die_models[die].size() >= kModelsPerDie && die_sources[die].size() >= kSourcesPerDie) dies[die] = n;
  // Kernel classes and chip generations relative to the most measured one (which carries the
  // runtime-wide value); generations and tiers are shrunk toward 1 (kGenerationSpread).
  const std::map<std::string, double> compute_classes = kernel_class_factors_to_fit(classes, dense_prefill_classes, moe_prefill_classes);
  const std::map<std::string, double> bandwidth_classes =
      kernel_class_factors_to_fit(decode_classes, dense_decode_classes, moe_decode_classes);
  const std::vector<std::pair<const std::map<std::string, double>*, std::string>> family_of = {
      {&compute_classes, "quant_compute_factor."}, {&bandwidth_classes, "quant_bandwidth_factor."},
      {&generations, "generation_compute_factor."}, {&tiers, "tier_bandwidth_factor."},
      {&launch_tiers, "tier_launch_factor."}, {&launch_generations, "generation_launch_factor."},
      {&dies, "die_bandwidth_factor."}};
  for (const auto& [counts, family] : family_of) {
    // Tiers have no reference: the Ultra, the most measured, is the odd one (two dies), and an
    // unmeasured tier should borrow the runtime-wide value, not the Ultra's.
    const bool latency = family.ends_with("_launch_factor.");  // a tier's or a generation's kernel latency
    if (latency && !fits_launch) continue;
    const bool all_keys = family.starts_with("tier_") || family.starts_with("die_") || latency;
    std::string reference;
    for (const auto& [key, n] : *counts)
      if (!all_keys && (reference.empty() || n > counts->at(reference))) reference = key;
    const size_t before = p.size();
    for (const auto& [key, n] : *counts)
      if (key != reference && n >= static_cast<double>(family.starts_with("generation") ? kRowsForGeneration : kRowsForContrast) &&
          (!all_keys || counts->size() >= kKeysForTierFactors))
        add(family + key);
    if (generation_reference && family.starts_with("generation_compute") && p.size() > before) *generation_reference = reference;
  }
  return p;
}

double current_value(RuntimeSpec rt, const Param& p) { return *slot(rt, p); }

struct FitResult {
  std::map<std::string, Coefficient> coefficients;
  CoefficientCovariance covariance;
  int rank = 0;
  double residual_scale = 0;
  bool ok = false;
};

// The fit's residual vector at coefficient values v.
std::vector<double> residual_vector(Problem& pb, const std::vector<double>& v, size_t n) {
  gsl_vector* f = gsl_vector_alloc(n);
  fill_residuals(pb, v, f);
  std::vector<double> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = gsl_vector_get(f, i);
  gsl_vector_free(f);
  return out;
}

// A coefficient within this share of its fit range from a bound is held there: the data push it
// past what the range allows, the logistic map is flat there, and the likelihood is nowhere near
// a Gaussian (an unconstrained variance there runs into the impossible side: a latency of -5 us).
constexpr double kAtBound = 1e-4;

// Covariance of the coefficients at the solution u, as in constrained least squares: the
// coefficients held at a bound are fixed (zero rows and columns); for the others, the Jacobian of
// the residual vector (soft-L1 and build weights included, the shrinkage pseudo-rows too, not the
// roofs' priors: Problem::roof_priors) by
// central differences in u, then s^2 (J^T J)^+ with s^2 = |f|^2 / (n - p_free) (a robust scale:
// the soft-L1 residuals' sum of squares), carried to the coefficients through the logistic map's
// derivative dv/du = (v - lo)(hi - v)/(hi - lo).
void coefficient_covariance(Problem& pb, const std::vector<double>& u, size_t n, FitResult& out) {
  const size_t p = u.size();
  std::vector<double> v(p);
  std::vector<size_t> free;
  for (size_t j = 0; j < p; ++j) {
    const Param& q = pb.params[j];
    v[j] = to_bounded(u[j], q);
    const double t = (v[j] - q.lo) / (q.hi - q.lo);
    out.covariance.names.push_back(q.name);
    if (t < kAtBound || t > 1 - kAtBound) out.covariance.at_bound.push_back(q.name);
    else free.push_back(j);
  }
  const size_t k = free.size();
  if (n <= k) {  // as many rows as parameters: no residual variance to scale by, no covariance
    out.covariance = {};
    return;
  }
  out.covariance.matrix.assign(p * p, 0.0);
  const std::vector<double> f = residual_vector(pb, v, n);
  if (k == 0) {
    double sum = 0;
    for (double r : f) sum += r * r;
    out.residual_scale = std::sqrt(sum / static_cast<double>(n));
    return;
  }
  constexpr double kStep = 1e-4;  // in logit units: the parameters live within about -10..10
  std::vector<double> jacobian(n * k), at = v;
  for (size_t c = 0; c < k; ++c) {
    const size_t j = free[c];
    at[j] = to_bounded(u[j] + kStep, pb.params[j]);
    const std::vector<double> up = residual_vector(pb, at, n);
    at[j] = to_bounded(u[j] - kStep, pb.params[j]);
    const std::vector<double> down = residual_vector(pb, at, n);
    at[j] = v[j];
    for (size_t i = 0; i < n; ++i) jacobian[i * k + c] = (up[i] - down[i]) / (2 * kStep);
  }
  const LeastSquaresCovariance c = least_squares_covariance(jacobian, f, k);
  std::vector<double> dv_du(k);
  for (size_t a = 0; a < k; ++a) {
    const Param& q = pb.params[free[a]];
    dv_du[a] = (v[free[a]] - q.lo) * (q.hi - v[free[a]]) / (q.hi - q.lo);
  }
  const std::vector<double> cv = scaled_covariance(c.matrix, dv_du);
  for (size_t a = 0; a < k; ++a)
    for (size_t b = 0; b < k; ++b) out.covariance.matrix[free[a] * p + free[b]] = cv[a * k + b];
  for (size_t a : c.not_identified) out.covariance.not_identified.push_back(pb.params[free[a]].name);
  out.rank = c.rank;
  out.residual_scale = std::sqrt(c.scale2);
}

// A vector kernel's ALU roof the rows leave unpinned: its standard error exceeds its value, or its
// direction is not identified at all. The prior pseudo-row only nudges such a roof (kRoofPriorSpread),
// so the solver can stop far from its profile value: llama.cpp-metal fitted without the M2 Ultra, the
// one chip with current-build decode at depth, left its vector attention at 0.25 +- 0.82 (0.08 with
// the Ultra) and predicted the Ultra's deep decode up to twice as fast as measured.
bool unpinned_roof(const Param& p, const FitResult& f) {
  if (p.prior <= 0) return false;
  const auto& names = f.covariance.not_identified;
  if (std::find(names.begin(), names.end(), p.name) != names.end()) return true;
  const auto it = f.coefficients.find(p.name);
  return it != f.coefficients.end() && it->second.stderr_ > it->second.value;
}

void apply_coefficients(RuntimeSpec& rt, const std::map<std::string, Coefficient>& c);

bool die_level(const Param& p) { return p.name.starts_with("die_"); }

// What the rows identify (choose_params), chosen once for every level and re-solve of a fit.
struct Chosen {
  std::vector<Param> params;
  std::string reference;  // the chip generation carrying the runtime-wide efficiency ("" if none)
};

// One level of the fit: the coefficients above the die (dies = false) or the dies' own (true).
FitResult solve_level(std::vector<Observation> obs, const Chosen& chosen, int max_iterations, bool errors,
                      const std::set<std::string>& held, bool dies) {
  FitResult out;
  Problem pb;
  const std::string& reference = chosen.reference;
  pb.params = chosen.params;
  std::erase_if(pb.params, [&](const Param& p) { return held.contains(p.name) || die_level(p) != dies; });
  // The solve writes its trial values into the rows' runtimes: a second solve, with unpinned roofs
  // held at their profile values, starts again from the rows as given.
  const bool roofs = std::any_of(pb.params.begin(), pb.params.end(), [](const Param& p) { return p.prior > 0; });
  const std::vector<Observation> rows = roofs ? obs : std::vector<Observation>{};
  pb.obs = std::move(obs);
  // The reference generation's factor is 1 by construction, and stated so: a generation without a
  // factor borrows its architecture's (generation_keys), which the reference must not.
  if (!reference.empty())
    for (auto& o : pb.obs) o.scenario.runtime.coef.generation_compute_factor[reference] = 1.0;
  size_t priors = 0;
  for (const auto& p : pb.params) priors += p.shrunk;
  priors += roof_prior_rows(pb);
  const size_t n = pb.obs.size() + priors, np = pb.params.size();
  // Nothing the rows identify (a wrapper measured on one chip): the runtime stays as it is, and
  // the calibration still reports how well that predicts them.
  if (np == 0) return out.ok = !pb.obs.empty(), out;
  if (n < np) return out;
  gsl_set_error_handler_off();
  gsl_multifit_nlinear_fdf fdf{};
  fdf.f = residuals;
  fdf.df = nullptr;
  fdf.fvv = nullptr;
  fdf.n = n;
  fdf.p = np;
  fdf.params = &pb;
  gsl_multifit_nlinear_parameters fp = gsl_multifit_nlinear_default_parameters();
  gsl_multifit_nlinear_workspace* w = gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &fp, n, np);
  gsl_vector* x0 = gsl_vector_alloc(np);
  // A wrapper's costs and the routing skew start inside their range: a profile states 0, where the
  // logistic map is flat and the solver could not move them. A class's unpacking cost starts where
  // its roof binds on the chips with the least ALU per byte: from 0, where no roof binds, it has no
  // gradient.
  for (size_t i = 0; i < np; ++i) {
    const Param& p = pb.params[i];
    const bool starts_inside = is_wrapper_coefficient(*p.info) || p.name == "moe_routing_skew";
    const double margin = starts_inside ? 0.02 * (p.hi - p.lo) : 0.0;
    double start = std::clamp(current_value(pb.obs[0].scenario.runtime, p), p.lo + margin, p.hi - margin);
    if (p.name.starts_with("dequant_ops_per_weight.") && start == 0) start = kDequantOpsStart;
    gsl_vector_set(x0, i, to_free(start, p));
  }
  int info = 0;
  gsl_multifit_nlinear_init(x0, &fdf, w);
  gsl_multifit_nlinear_driver(static_cast<size_t>(max_iterations), 1e-8, 1e-8, 1e-8, nullptr, nullptr, &info, w);
  const gsl_vector* x = gsl_multifit_nlinear_position(w);
  std::vector<double> u(np);
  for (size_t i = 0; i < np; ++i) u[i] = gsl_vector_get(x, i);
  if (errors || roofs) {
    pb.roof_priors = false;
    coefficient_covariance(pb, u, n - roof_prior_rows(pb), out);
  }
  for (size_t i = 0; i < np; ++i) {
    const double se = out.covariance.matrix.empty() ? 0.0 : std::sqrt(std::max(0.0, out.covariance.matrix[i * np + i]));
    out.coefficients[pb.params[i].name] = {to_bounded(u[i], pb.params[i]), se};
  }
  if (!reference.empty()) out.coefficients["generation_compute_factor." + reference] = {1.0, 0.0};
  gsl_vector_free(x0);
  gsl_multifit_nlinear_free(w);
  // Unpinned roofs keep their profile values, and the rest is fitted again without them.
  std::set<std::string> hold = held;
  for (const Param& p : pb.params)
    if (unpinned_roof(p, out)) hold.insert(p.name);
  if (hold.size() > held.size()) return solve_level(rows, chosen, max_iterations, errors, hold, dies);
  if (!errors) out.covariance = {};
  out.ok = true;
  return out;
}

// The two levels' covariances as one block-diagonal matrix (fitted apart: no cross terms).
CoefficientCovariance joined(const CoefficientCovariance& a, const CoefficientCovariance& b) {
  CoefficientCovariance c = a;
  const size_t na = a.names.size(), nb = b.names.size(), n = na + nb;
  c.names.insert(c.names.end(), b.names.begin(), b.names.end());
  c.matrix.assign(n * n, 0.0);
  for (size_t i = 0; i < na && !a.matrix.empty(); ++i)
    for (size_t j = 0; j < na; ++j) c.matrix[i * n + j] = a.matrix[i * na + j];
  for (size_t i = 0; i < nb && !b.matrix.empty(); ++i)
    for (size_t j = 0; j < nb; ++j) c.matrix[(na + i) * n + na + j] = b.matrix[i * nb + j];
  c.at_bound.insert(c.at_bound.end(), b.at_bound.begin(), b.at_bound.end());
  c.not_identified.insert(c.not_identified.end(), b.not_identified.begin(), b.not_identified.end());
  return c;
}

// The fit, by level (issue #10's runtime -> generation -> chip): every coefficient above the die
// first, without the dies' factors, so a die no row covers (a chip held out, or never measured) is
// predicted from exactly what the measured dies share; then each measured die's bandwidth factor
// alone over the rows with those applied, shrunk toward 1. Fitted together, the dies' factors
// traded against the MoE kernels' bandwidth on the few rows that tell them apart, and the dies
// held out came out further off (llama.cpp-metal decode held out by chip 18.8 -> 21.0%).
FitResult solve(std::vector<Observation> obs, int max_iterations, bool errors) {
  Chosen chosen;
  chosen.params = choose_params(obs, &chosen.reference);
  std::set<std::string> dies;
  for (const Param& p : chosen.params)
    if (die_level(p)) dies.insert(p.name);
  FitResult parent = solve_level(obs, chosen, max_iterations, errors, dies, false);
  if (dies.empty() || !parent.ok) return parent;
  for (auto& o : obs) apply_coefficients(o.scenario.runtime, parent.coefficients);
  const FitResult child = solve_level(std::move(obs), chosen, max_iterations, errors, {}, true);
  if (!child.ok) return parent;
  for (const auto& [name, v] : child.coefficients) parent.coefficients.emplace(name, v);
  if (errors) {
    parent.covariance = joined(parent.covariance, child.covariance);
    parent.rank += child.rank;
  }
  return parent;
}

void apply_coefficients(RuntimeSpec& rt, const std::map<std::string, Coefficient>& c) {
  for (const auto& [name, v] : c) {
    if (name == "runtime_memory_gb") rt.runtime_bytes = Bytes(v.value * kGB);
    else if (double* value = coefficient_slot(rt, name)) *value = v.value;
  }
}

// |ln(predicted / measured)| of each scored row, per quantity (out-of-memory probes have none).
using LogErrors = std::map<std::string, std::vector<double>>;

// Mean absolute percentage error per quantity (oom: within one chunk counts as 0, else 100).
void score(const std::vector<Observation>& obs, const std::map<std::string, Coefficient>* c,
           std::map<std::string, double>& sum, std::map<std::string, int>& count, LogErrors& log_errors) {
  for (auto o : obs) {
    if (c) apply_coefficients(o.scenario.runtime, *c);
    const auto pred = predict_observation(o);
    if (!pred) continue;
    sum[to_string(o.quantity)] +=
        absolute_percentage_error(o.quantity, o.measured, *pred, static_cast<double>(o.scenario.chunk));
    ++count[to_string(o.quantity)];
    if (o.quantity != Measured::oom_context_tokens && *pred > 0 && o.measured > 0)
      log_errors[to_string(o.quantity)].push_back(std::abs(std::log(*pred / o.measured)));
  }
}

// The 68.3rd percentile (1 sigma of a normal) of each quantity's |log errors|, interpolated
// between order statistics.
std::map<std::string, double> p68(LogErrors& log_errors) {
  constexpr double kOneSigma = 0.682689492;  // erf(1 / sqrt(2))
  std::map<std::string, double> out;
  for (auto& [q, v] : log_errors) {
    if (v.empty()) continue;
    std::sort(v.begin(), v.end());
    const double at = kOneSigma * static_cast<double>(v.size() - 1);
    const size_t lo = static_cast<size_t>(at);
    const double hi_value = lo + 1 < v.size() ? v[lo + 1] : v[lo];
    out[q] = v[lo] + (at - static_cast<double>(lo)) * (hi_value - v[lo]);
  }
  return out;
}

std::vector<Observation> thin(const std::vector<Observation>& obs, size_t limit) {
  if (obs.size() <= limit) return obs;
  std::vector<Observation> out;
  const double stride = static_cast<double>(obs.size()) / static_cast<double>(limit);
  for (size_t i = 0; i < limit; ++i) out.push_back(obs[static_cast<size_t>(static_cast<double>(i) * stride)]);
  return out;
}

CvStats cross_validate(const std::vector<Observation>& obs, const FitOptions& opt, auto key) {
  std::set<std::string> groups;
  for (const auto& o : obs) groups.insert(key(o));
  CvStats cv;
  if (groups.size() < 2) return cv;
  std::map<std::string, double> sum;
  LogErrors log_errors;
  for (const auto& g : groups) {
    std::vector<Observation> train, test;
    for (const auto& o : obs) (key(o) == g ? test : train).push_back(o);
    FitResult f = solve(thin(train, opt.max_observations), std::min(opt.max_iterations, 40), false);
    std::map<std::string, double> fold_sum;
    CvStats::Fold& fold = cv.by_fold[g];
    score(test, f.ok ? &f.coefficients : nullptr, fold_sum, fold.count, log_errors);
    for (const auto& [q, s] : fold_sum) {
      fold.mape[q] = s / fold.count[q];
      sum[q] += s;
      cv.count[q] += fold.count[q];
    }
    ++cv.folds;
  }
  for (const auto& [q, s] : sum) cv.mape[q] = s / cv.count[q];
  cv.log_error_p68 = p68(log_errors);
  return cv;
}

// Fixed runtime memory (context, allocator reserve) from out-of-memory probes: the outcome is
// discrete (right within a chunk or not), so scan 0..limit in 50 MB steps and take the middle of
// the first widest run of values that gets the most probes right; the error is half that run.
void fit_runtime_memory(const std::vector<Observation>& all, const std::string& runtime,
                        std::map<std::string, Coefficient>& coefficients) {
  std::vector<Observation> probes;
  for (const auto& o : all)
    if (o.scenario.runtime.id == runtime && o.quantity == Measured::oom_context_tokens) probes.push_back(o);
  if (probes.empty()) return;
  for (auto& o : probes) apply_coefficients(o.scenario.runtime, coefficients);
  const double step = 0.05e9, limit = probes.front().scenario.limit.value;
  int best = -1;
  double best_start = 0, best_end = 0;
  bool in_best_run = false;
  for (double bytes = 0; bytes <= limit; bytes += step) {
    int right = 0;
    for (auto& o : probes) {
      o.scenario.runtime.runtime_bytes = Bytes(bytes);
      const auto pred = predict_observation(o);
      right += pred && absolute_percentage_error(o.quantity, o.measured, *pred, static_cast<double>(o.scenario.chunk)) == 0;
    }
    if (right > best) best = right, best_start = best_end = bytes, in_best_run = true;
    else if (right == best && in_best_run) best_end = bytes;
    else in_best_run = false;
  }
  coefficients["runtime_memory_gb"] = {(best_start + best_end) / 2 / kGB, (best_end - best_start) / 2 / kGB};
}

void weigh_by_build(std::vector<Observation>& obs, const std::vector<Measurement>& rows) {
  std::vector<long long> builds;
  builds.reserve(obs.size());
  for (const auto& o : obs) builds.push_back(rows[o.row].era.build);  // runtime text, else notes
  const long long newest = builds.empty() ? 0 : *std::max_element(builds.begin(), builds.end());
  for (size_t i = 0; i < obs.size(); ++i)
    obs[i].weight = builds[i] > 0 ? std::pow(0.5, static_cast<double>(newest - builds[i]) / kBuildHalfLife)
                                  : kUnstatedBuildWeight;
}

}  // namespace

long long stated_version(const std::string& text) {
  for (size_t i = 0; i < text.size();) {
    const size_t start = i;
    while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (i == start) {
      ++i;
      continue;
    }
    std::string word = text.substr(start, i - start);
    while (!word.empty() && word.back() == '.') word.pop_back();  // "0.12.6." ending a sentence
    if (word.find('.') == std::string::npos) continue;
    if (const long long v = version_number(word); v > 0) return v;
  }
  return 0;
}

void apply_calibration(RuntimeSpec& rt, const Calibration& c) { apply_coefficients(rt, c.coefficients); }

Calibration fit_runtime(const std::string& runtime, const std::vector<Observation>& all,
                        const std::vector<Measurement>& rows, const FitOptions& opt, const std::string& vendor) {
  auto on_vendor = [&](const Observation& o) { return vendor.empty() || o.scenario.hardware.vendor == vendor; };
  std::vector<Observation> obs;
  for (const auto& o : all)
    if (o.quantity != Measured::oom_context_tokens && (o.scenario.runtime.id == runtime || o.scenario.runtime.wraps == runtime) &&
        on_vendor(o))
      obs.push_back(o);  // an engine is fitted on its wrappers' rows too: they run its kernels
  if (obs.empty())
    throw InputError("calibrate: no usable measurements for runtime '{}'{}", runtime, vendor.empty() ? "" : " on " + vendor + " hardware");
  weigh_by_build(obs, rows);
  for (auto& o : obs) o.source = rows[o.row].file;
  // A wrapper's rows are fitted, and scored, over its engine's shipped calibration.
  auto over_engine = [&runtime](Observation& o) {
    if (o.scenario.runtime.id == runtime && !o.scenario.runtime.wraps.empty())
      apply_engine_calibration(o.scenario.runtime, o.scenario.hardware.vendor);
  };
  for (auto& o : obs) over_engine(o);
  Calibration c;
  c.runtime = runtime;
  c.hardware_vendor = obs.front().scenario.hardware.vendor;
  std::set<std::string> chips, files;
  for (const auto& o : obs) {
    chips.insert(o.scenario.hardware.id);
    files.insert(rows[o.row].file);
  }
  c.chips.assign(chips.begin(), chips.end());
  FitResult f = solve(thin(obs, opt.max_observations), opt.max_iterations, true);
  if (!f.ok) throw InputError("calibrate: {} observations for runtime '{}' are too few to fit", obs.size(), runtime);
  c.coefficients = f.coefficients;
  c.covariance = f.covariance;
  c.covariance_rank = f.rank;
  c.residual_scale = f.residual_scale;
  c.observations = static_cast<int>(obs.size());
  // The OOM probes and the in-sample error: every observation of this runtime on this vendor's hardware.
  std::vector<Observation> with_oom;
  for (const auto& o : all)
    if (o.scenario.runtime.id == runtime && on_vendor(o)) {
      with_oom.push_back(o);
      over_engine(with_oom.back());
    }
  fit_runtime_memory(with_oom, runtime, c.coefficients);
  std::map<std::string, double> sum;
  std::map<std::string, int> count;
  LogErrors log_errors;
  score(with_oom, &c.coefficients, sum, count, log_errors);
  for (const auto& [q, s] : sum) c.in_sample_mape[q] = s / count[q];
  c.in_sample_log_error_p68 = p68(log_errors);
  if (opt.cross_validate) {
    c.leave_one_chip_out = cross_validate(obs, opt, [](const Observation& o) { return o.scenario.hardware.id; });
    c.leave_one_model_out = cross_validate(obs, opt, [](const Observation& o) { return o.scenario.model.id; });
    // A source is a new build, person and method: the hardest test of what carries over.
    c.leave_one_source_out = cross_validate(obs, opt, [](const Observation& o) { return o.source; });
  }
  return c;
}

std::string fnv1a64_hex(const std::string& bytes) {
  unsigned long long h = 1469598103934665603ULL;
  for (unsigned char ch : bytes) h = (h ^ ch) * 1099511628211ULL;
  return fmt::format("{:016x}", h);
}

}  // namespace ridgeline
