#include "ridgeline/runtime.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>

#include <fmt/ranges.h>

#include "ridgeline/catalog.hpp"
#include "ridgeline/coefficients.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/gpu_architectures.hpp"
#include "ridgeline/quant.hpp"
#include "ridgeline/strict_reader.hpp"

namespace ridgeline {

namespace {

std::vector<int> head_dims(MapReader& r, const std::string& key) {
  std::vector<int> out;
  if (!r.has(key)) {
    r.ignore(key);
    return out;
  }
  for (double d : r.number_list(key, 1, 4096)) out.push_back(static_cast<int>(d));
  return out;
}

// A release's version under `key` ("0.30.0"), as version_number; `example` shows the expected form.
long long required_version(MapReader& r, const std::string& key, const char* example) {
  const std::string text = r.str(key);
  const long long v = version_number(text);
  if (v <= 0) throw InputError("{}: '{}' is not a version (expected two or three numbers, e.g. \"{}\")", r.where(key), text, example);
  return v;
}

RuntimeSpec::EngineKernels::ExpertRowTile expert_tile(MapReader& r) {
  RuntimeSpec::EngineKernels::ExpertRowTile t;
  t.rows = static_cast<int>(r.integer("rows", 1, 4096));
  if (r.has("small_rows")) {
    t.small_rows = static_cast<int>(r.integer("small_rows", 1, 4096));
    t.small_since_version = required_version(r, "small_since_version", "0.32.1");
    t.small_since_date = r.date("small_since_date");
  }
  r.str("source");  // a kernel's tile is read in its source: say where
  r.finish();
  return t;
}

// A GPU architecture a profile names; an InputError naming `where` for any other text.
void require_architecture(const std::string& name, const std::string& where) {
  const auto& names = gpu_architectures();
  if (std::find(names.begin(), names.end(), name) == names.end())
    throw InputError("{}: '{}' is not a GPU architecture (expected one of {}){}", where, name, fmt::join(names, ", "), did_you_mean(name, names));
}

// An optional `architectures: [...]` under `r`, each a GPU architecture; empty when absent.
std::vector<std::string> read_architectures(MapReader& r) {
  if (!r.has("architectures")) {
    r.ignore("architectures");
    return {};
  }
  std::vector<std::string> listed = r.str_list("architectures");
  for (const auto& a : listed) require_architecture(a, r.where("architectures"));
  return listed;
}

// `by_architecture:` under `r`: each key a GPU architecture (gpu_architectures.hpp), its map read by
// `read`. Absent: nothing.
template <class Read>
void read_by_architecture(MapReader& r, Read read) {
  auto by = r.opt_map("by_architecture");
  if (!by) return;
  for (const auto& entry : r.node("by_architecture").entries()) {
    require_architecture(entry.key, by->where());
    MapReader a = by->map(entry.key);
    read(entry.key, a);
  }
  by->finish();
}

// moe: row_tile: the expert-sorted kernel's row tile, and the tiles of other GPU architectures.
void read_expert_tiles(MapReader& r, RuntimeSpec::EngineKernels& k) {
  read_by_architecture(r, [&](const std::string& arch, MapReader& a) { k.expert_tile_by_architecture[arch] = expert_tile(a); });
  k.expert_tile = expert_tile(r);
}

// The release a change came with: since_version (MLX: "0.30.0") or since_build (llama.cpp: 8915),
// not both, and since_date, the day it shipped.
Release read_release(MapReader& a) {
  if (a.has("since_build") == a.has("since_version"))
    throw InputError("{}: give since_version (a release, e.g. \"0.30.0\") or since_build (a build number), one of the two", a.where());
  Release r;
  if (a.has("since_build")) r.build = a.integer("since_build", 1, 1000000);
  else r.version = required_version(a, "since_version", "0.30.0");
  r.date = a.date("since_date");
  return r;
}

// matrix_tile: by_architecture: a dense matrix kernel's row tile on other GPU architectures.
void read_matrix_tiles(MapReader& r, RuntimeSpec::EngineKernels& k) {
  if (!r.has("by_architecture")) r.map("by_architecture");  // required here: its one-line error
  read_by_architecture(r, [&](const std::string& arch, MapReader& a) {
    RuntimeSpec::EngineKernels::MatrixRowTile t;
    t.rows = static_cast<int>(a.integer("rows", 1, 4096));
    t.since = read_release(a);
    t.matrix_units = a.opt_boolean("matrix_units").value_or(false);
    a.str("source");  // a kernel's tile is read in its source: say where
    a.finish();
    k.matrix_tile_by_architecture[arch] = t;
  });
  r.finish();
}

// `name` must be a quantization kernel class (quant.hpp) or one of `extra`.
void require_kernel_class(const std::string& name, const std::string& where, std::vector<std::string> extra = {}) {
  std::vector<std::string> classes = std::move(extra);
  for (const auto& q : quantizations())
    if (std::find(classes.begin(), classes.end(), q.kernel_class) == classes.end()) classes.push_back(q.kernel_class);
  if (std::find(classes.begin(), classes.end(), name) == classes.end())
    throw InputError("{}: '{}' is not a quantization kernel class (expected one of {})", where, name, fmt::join(classes, ", "));
}

// multi_row_gemv: the rows one threadgroup row of the multi-row matrix-vector kernel covers at each
// row count from 2 (rows_per_threadgroup), and the kernel classes that take it only from more rows.
void read_multi_row_gemv(MapReader& r, RuntimeSpec::EngineKernels& k) {
  auto& g = k.multi_row_gemv;
  const std::vector<double> per = r.number_list("rows_per_threadgroup", 1, 64);
  g.rows_per_threadgroup.assign(2, 0);  // 0 and 1 rows: not this kernel
  for (size_t i = 0; i < per.size(); ++i) {
    const double rows = static_cast<double>(i + 2);
    if (per[i] != std::floor(per[i]) || per[i] > rows)
      throw InputError("{}: rows_per_threadgroup[{}] (at {} rows) is {} (expected a whole number of rows from 1 to {})", r.where(), i, rows, per[i], rows);
    g.rows_per_threadgroup.push_back(static_cast<int>(per[i]));
  }
  if (auto min = r.opt_map("min_rows")) {
    for (const auto& entry : r.node("min_rows").entries()) {
      require_kernel_class(entry.key, min->where());
      g.min_rows_by_class[entry.key] = static_cast<int>(min->integer(entry.key, 2, static_cast<long long>(per.size()) + 2));  // past the last: never
    }
    min->finish();
  }
  r.str("source");  // a kernel's grid is read in its source: say where
  r.finish();
}

// matmul_retune: the build that retuned the matrix kernels and, by quantization kernel class, the
// rate of the products before it against today's; "other" covers the classes not listed.
void read_matmul_retune(MapReader& r, RuntimeSpec::EngineKernels& k) {
  RuntimeSpec::EngineKernels::MatmulRetune t;
  t.since = read_release(r);
  MapReader f = r.map("before_factor");
  for (const auto& entry : r.node("before_factor").entries()) {
    require_kernel_class(entry.key, f.where(), {"other"});
    t.before_factor[entry.key] = f.number(entry.key, 0.05, 2);
  }
  f.number("other", 0.05, 2);  // required: a class its source did not measure takes it
  f.finish();
  t.architectures = read_architectures(r);
  r.str("source");  // a build boundary and its factors are read in a source: say where
  r.finish();
  k.matmul_retune = t;
}

// f16_kernel_rewrite: the build that rewrote the f16 x f32 product kernel, and the old kernel's
// matrix-vector bandwidth share against today's (RuntimeSpec::EngineKernels).
void read_f16_kernel_rewrite(MapReader& r, RuntimeSpec::EngineKernels& k) {
  RuntimeSpec::EngineKernels::F16KernelRewrite t;
  t.since = read_release(r);
  MapReader before = r.map("before");
  t.gemv_bandwidth_factor = before.number("gemv_bandwidth_factor", 0.05, 1);
  t.score_rate_fraction = before.opt_number("score_rate_fraction", 1e-4, 1).value_or(0);
  before.finish();
  r.str("source");  // a build boundary and its factors are read in a source: say where
  r.finish();
  k.f16_kernel_rewrite = t;
}

// matrix_units: products / attention: the release from which each kernel family multiplies on the
// GPU's matrix units; a family not named never does.
void read_matrix_units(MapReader& r, RuntimeSpec::EngineKernels& k) {
  auto family = [&](const char* key, std::optional<Release>& into) {
    if (auto f = r.opt_map(key)) {
      into = read_release(*f);
      f->str("source");  // which kernel multiplies where is read in its source: say where
      f->finish();
    }
  };
  family("products", k.products_on_matrix_units);
  family("attention", k.attention_on_matrix_units);
  r.ignore("source");
  r.finish();
}

// measured_gaps: a list of regimes whose measured rates depart from the profile's predictions
// (RuntimeSpec::MeasuredGap). Absent: none.
std::vector<MeasuredGap> read_measured_gaps(MapReader& r) {
  std::vector<MeasuredGap> gaps;
  r.each_map("measured_gaps", [&](MapReader& g) {
    MeasuredGap gap;
    gap.phase = g.one_of("phase", {"prefill", "decode"}, "a phase") == "prefill" ? MeasuredGap::Phase::prefill : MeasuredGap::Phase::decode;
    if (auto layers = g.opt_str("layers")) gap.layers = parse_attention_kind(*layers, g.where("layers"));
    gap.architectures = read_architectures(g);
    gap.min_context = g.opt_integer("min_context", 1, 1LL << 30).value_or(0);
    gap.measured = g.str("measured");  // str() refuses an empty text
    gap.source = g.str("source");      // a gap is measured: say where the rows are
    gaps.push_back(std::move(gap));
  }, MapReader::List::optional);
  return gaps;
}

}  // namespace

RuntimeSpec parse_runtime_yaml_text(const std::string& text, const std::string& label) {
  const Node root = load_document_text(text, label);
  MapReader r(root, label);
  RuntimeSpec rt;
  rt.id = r.str("id");
  rt.name = r.str("name");
  rt.source = r.str("source");
  rt.measured_gaps = read_measured_gaps(r);
  rt.default_chunk = r.integer("default_chunk", 1, 1 << 20);
  rt.default_kv_dtype = r.str("default_kv_dtype");
  MapReader kv = r.map("kv_allocation");
  rt.kv_upfront = kv.one_of("mode", {"upfront", "growing"}, "a KV allocation mode") == "upfront";
  if (!rt.kv_upfront) rt.kv_step_tokens = kv.integer("step_tokens", 1, 1 << 20);
  rt.sliding_kv_full = kv.one_of("sliding", {"window", "full"}, "a sliding-window KV policy") == "full";
  kv.finish();
  rt.runtime_bytes = parse_bytes(r.str("runtime_memory"), r.where("runtime_memory"));
  MapReader act = r.map("activations");
  rt.activation_bytes = act.number("bytes", 1, 8);
  rt.compute_dtype = act.one_of("dtype", {"checkpoint", "f16", "bf16", "f32"}, "a compute dtype");
  rt.logits_whole_chunk = act.one_of("logits", {"last", "chunk"}, "a logits policy") == "chunk";
  const auto prefill_evaluates = act.opt_one_of("prefill_evaluates", {"all", "cache"}, "what a prefill chunk evaluates");
  rt.kernels.prefill_evaluates_cache_only = prefill_evaluates.value_or("all") == "cache";
  const auto compute_buffer = act.opt_one_of("compute_buffer", {"reserved", "per_chunk"}, "when a chunk's buffers are allocated");
  rt.kernels.compute_buffer_reserved = compute_buffer.value_or("per_chunk") == "reserved";
  const auto reuse = act.opt_one_of("reuse", {"in_place", "fresh"}, "how an op's output buffer is found");
  rt.kernels.activations_in_place = reuse.value_or("fresh") == "in_place";
  act.ignore("source");
  act.finish();
  if (auto res = r.opt_map("residency")) {
    rt.rewires_per_call = res->one_of("weights_wired", {"per_call", "held"}, "when the weights are wired") == "per_call";
    if (rt.rewires_per_call) rt.rewires_since_date = res->date("since_date");
    const auto buffers = res->opt_one_of("buffers", {"fresh_per_chunk", "cached"}, "how a prefill chunk's buffers are allocated");
    rt.fresh_buffers_per_chunk = buffers.value_or("cached") == "fresh_per_chunk";
    if (auto until = res->opt_map("small_residency_sets")) {
      if (!rt.fresh_buffers_per_chunk)
        throw InputError("{}: the release of small residency sets ends the commits of fresh buffers: it needs buffers: fresh_per_chunk", res->where("small_residency_sets"));
      rt.small_residency_sets_since = read_release(*until);
      until->str("source");  // a release boundary is a fact about the engine's history: say where from
      until->finish();
    }
    res->str("source");  // when a runtime wires its weights is read in its source: say where
    res->finish();
  }
  // A wrapper computes attention as its engine does: it may leave the section out (the engine's head
  // dims and bytes per score hold), and what it states must be the engine's (checked with `wraps`).
  const bool wrapper = r.has("wrapper");
  static const Node kNoAttention = Node::map();
  MapReader att = wrapper && !r.has("attention") ? MapReader(kNoAttention, r.where("attention")) : r.map("attention");
  const bool states_prefill_dims = att.has("fused_prefill_head_dims"), states_decode_dims = att.has("fused_decode_head_dims");
  const std::optional<bool> stated_unfused = att.opt_boolean("always_unfused");
  rt.always_unfused = stated_unfused.value_or(false);
  const auto decode_kernel = att.opt_one_of("decode_kernel", {"vector", "matrix"}, "a decode attention kernel");
  rt.kernels.vector_decode_attention = decode_kernel.value_or("matrix") == "vector";
  if (auto limits = att.opt_map("vector_decode")) {
    if (!rt.kernels.vector_decode_attention)
      throw InputError("{}: limits the vector decode kernel: it needs decode_kernel: vector", att.where("vector_decode"));
    auto& v = rt.kernels.vector_decode;
    if (limits->has("head_dims"))
      for (const double d : limits->number_list("head_dims", 1, 4096)) {
        if (d != std::floor(d)) throw InputError("{}: {} is not a whole head dim", limits->where("head_dims"), d);
        v.head_dims.push_back(static_cast<int>(d));
      }
    v.max_sequences = limits->opt_integer("max_sequences", 1, 1 << 20).value_or(0);
    v.tensor_columns = static_cast<int>(limits->opt_integer("tensor_columns", 1, 1024).value_or(0));
    if (auto long_cache = limits->opt_map("long_cache")) {
      v.long_cache_gqa_above = static_cast<int>(long_cache->integer("gqa_above", 1, 4096));
      v.long_cache_from_cells = long_cache->integer("from_cells", 1, 1LL << 40);
      long_cache->finish();
    }
    limits->str("source");  // a kernel choice is read in the runtime's source: say where
    limits->finish();
  }
  const auto sliding_reads = att.opt_one_of("sliding_decode_reads", {"window", "cache"}, "what a sliding layer's decode reads");
  rt.kernels.sliding_decode_reads_cache = sliding_reads.value_or("window") == "cache";
  const auto sparse = att.opt_one_of("compressed_sparse", {"gathered", "masked"}, "a way to attend selected pooled rows");
  rt.kernels.compressed_attention_masked = sparse.value_or("gathered") == "masked";
  const auto indexer = att.opt_one_of("indexer_scores", {"per_head", "fused"}, "how an indexer's scores are formed");
  rt.kernels.indexer_scores_per_head = indexer.value_or("fused") == "per_head";
  const auto group_reads = att.opt_one_of("unfused_decode_kv_reads", {"per_query_head", "per_kv_head"}, "a way the unfused decode products read a query group's K/V rows");
  rt.kernels.unfused_decode_reads_per_kv_head = group_reads.value_or("per_query_head") == "per_kv_head";
  // An empty value is not "no wide-head kernels": the key is stated or left out.
  if (const Node* stated = r.has("attention") ? r.node("attention").find("wide_heads") : nullptr; stated && stated->is_null())
    throw InputError("{}: is empty (expected a map: from_dim, source)", att.where("wide_heads"));
  const bool states_wide_heads = att.has("wide_heads");
  if (states_wide_heads) {
    MapReader wide = att.map("wide_heads");
    rt.kernels.wide_head_min_dim = static_cast<int>(wide.integer("from_dim", 1, 4096));
    wide.str("source");  // where the engine's wide-head kernels begin is read in its source: say where
    wide.finish();
  }
  const bool states_mask = att.has("mask_bytes");
  if (auto mask = att.opt_map("mask_bytes")) {
    rt.kernels.mask_bytes_unfused = mask->number("unfused", 0, 16);
    rt.kernels.mask_bytes_fused = mask->number("fused", 0, 16);
    mask->str("source");  // what mask a runtime builds for a chunk is read in its source: say where
    mask->finish();
  }
  rt.fused_prefill_head_dims = head_dims(att, "fused_prefill_head_dims");
  rt.fused_decode_head_dims = head_dims(att, "fused_decode_head_dims");
  att.each_map("fused_head_dims_from", [&](MapReader& f) {
    RuntimeSpec::EngineKernels::FusedHeadDims added;
    added.since = read_release(f);
    added.prefill = head_dims(f, "prefill");
    added.decode = head_dims(f, "decode");
    if (added.prefill.empty() && added.decode.empty())
      throw InputError("{}: names no head dims (expected prefill: [..], decode: [..] or both)", f.where());
    f.str("source");  // which head dims a release's kernels take is read in its source: say where
    rt.kernels.fused_head_dims_from.push_back(std::move(added));
  }, MapReader::List::optional);
  const CoefficientInfo& tbs = *find_coefficient("transient_bytes_per_score");
  // Required of an engine; a wrapper's, where stated, is checked against its engine's below.
  const std::optional<double> stated_transient =
      wrapper ? att.opt_number(tbs.name, tbs.min, tbs.max) : std::optional<double>(att.number(tbs.name, tbs.min, tbs.max));
  rt.coef.transient_bytes_per_score = stated_transient.value_or(0);
  // Optional: a profile that counts its passes over the score matrix states them; else the matrix
  // is written by the first product and read back by the second, at its live bytes each.
  const CoefficientInfo& stb = *find_coefficient("score_traffic_bytes");
  const std::optional<double> stated_traffic = att.opt_number(stb.name, stb.min, stb.max);
  rt.coef.score_traffic_bytes = stated_traffic.value_or(2 * rt.coef.transient_bytes_per_score);
  att.ignore("source");
  att.finish();
  auto moe = r.opt_map("moe");
  if (moe) {
    rt.kernels.moe_gathers_expert_weights =
        moe->one_of("expert_weights", {"in_place", "gathered"}, "a way to read routed experts' weights") == "gathered";
    const auto grouped = moe->opt_one_of("grouped_kernel", {"matrix", "by_rows"}, "a grouped routed-expert kernel");
    rt.kernels.moe_grouped_matrix_kernel = grouped.value_or("by_rows") == "matrix";
    if (auto sorted = moe->opt_map("sorted_kernel")) {
      rt.kernels.sorted_min_rows_per_expert = sorted->number("min_rows_per_expert", 0, 4096);
      if (sorted->has("since_version")) {
        rt.kernels.sorted_since_version = required_version(*sorted, "since_version", "0.25.0");
        rt.kernels.sorted_since_date = sorted->date("since_date");
      }
      sorted->str("source");  // a kernel-selection rule: say where it is read
      sorted->finish();
    }
    if (auto tile = moe->opt_map("row_tile")) read_expert_tiles(*tile, rt.kernels);
    moe->str("source");  // a gathered copy is an implementation's choice: say whose
    moe->finish();
  }
  auto dispatch = r.opt_map("dispatch");
  if (dispatch) {
    rt.kernels.concurrent_dispatch_since_build = dispatch->integer("concurrent_since_build", 1, 1000000);
    rt.kernels.concurrent_dispatch_since_date = dispatch->date("since_date");
    dispatch->str("source");  // a build boundary is a fact about the engine's history: say where from
    dispatch->finish();
  }
  auto flash = r.opt_map("flash_attention");
  if (flash) {
    rt.kernels.fused_attention_default_since_build = flash->integer("on_by_default_since_build", 1, 1000000);
    rt.kernels.fused_attention_default_since_date = flash->date("since_date");
    flash->str("source");  // a build boundary is a fact about the engine's history: say where from
    flash->finish();
  }
  auto matrix_tile = r.opt_map("matrix_tile");
  if (matrix_tile) read_matrix_tiles(*matrix_tile, rt.kernels);
  auto matrix_units = r.opt_map("matrix_units");
  if (matrix_units) read_matrix_units(*matrix_units, rt.kernels);
  auto gemv = r.opt_map("multi_row_gemv");
  if (gemv) read_multi_row_gemv(*gemv, rt.kernels);
  auto retune = r.opt_map("matmul_retune");
  if (retune) read_matmul_retune(*retune, rt.kernels);
  auto rewrite = r.opt_map("f16_kernel_rewrite");
  if (rewrite) read_f16_kernel_rewrite(*rewrite, rt.kernels);
  auto linear = r.opt_map("linear_attention");
  if (linear) {
    rt.kernels.fused_linear_attention_since_build = linear->integer("fused_since_build", 1, 1000000);
    rt.kernels.fused_linear_attention_since_date = linear->date("since_date");
    rt.kernels.decomposed_linear_kernels_per_layer = linear->number("decomposed_kernels_per_layer", 0, 1000);
    linear->str("source");  // a build boundary is a fact about the engine's history: say where from
    linear->finish();
  }
  auto blas = r.opt_map("blas");
  if (blas) {
    rt.kernels.blas.min_rows = blas->integer("min_rows", 1, 1 << 20);
    rt.kernels.blas.until_build = blas->integer("until_build", 1, 1LL << 40);
    rt.kernels.blas.until_date = blas->date("until_date");
    rt.kernels.blas.library = blas->one_of("library", {"rocblas", "hipblaslt"}, "a BLAS library");
    blas->str("source");  // a kernel-selection rule of some builds: say where it is read
    blas->finish();
  }
  if (auto w = r.opt_map("wrapper")) {
    // The wrapped engine's profile gives every coefficient; the wrapper adds its own cost.
    rt.wraps = w->str("wraps");
    if (rt.wraps == rt.id) throw InputError("{}: a runtime cannot wrap itself", w->where("wraps"));
    // Read from its file, not the catalog: this runs while the catalog is being built.
    const auto inner_path = catalog_file("runtime/profiles", rt.wraps);
    if (!inner_path) throw InputError("{}: '{}' is not a runtime profile in the catalog", w->where("wraps"), rt.wraps);
    const RuntimeSpec inner = parse_runtime_yaml(*inner_path);
    if (!inner.wraps.empty()) throw InputError("{}: '{}' is itself a wrapper; wrap the engine", w->where("wraps"), rt.wraps);
    rt.coef = inner.coef;
    if (rt.compute_dtype != inner.compute_dtype)
      throw InputError("{}: activations: dtype: '{}' differs from '{}' of '{}' (a wrapper computes as the engine it wraps)", label,
                       rt.compute_dtype, inner.compute_dtype, rt.wraps);
    // A residency rule's coefficient is fitted on the engine: a wrapper may state the engine's rules
    // (or hold its weights where the engine re-wires them), never one the engine has no rate for.
    if ((rt.rewires_per_call && !inner.rewires_per_call) || (rt.fresh_buffers_per_chunk && !inner.fresh_buffers_per_chunk))
      throw InputError("{}: residency: states a rule its engine '{}' does not (a wrapper's residency costs are fitted on its engine)", label, rt.wraps);
    // ... and its activations' policies: each one it states must be the engine's.
    auto same_activations = [&](const std::optional<std::string>& stated, const char* key, bool mine, bool engine,
                                const char* engine_true, const char* engine_false, const char* verb) {
      if (stated && mine != engine)
        throw InputError("{}: activations: {}: '{}' differs from '{}' of '{}' (a wrapper {} as the engine it wraps)", label, key,
                         *stated, engine ? engine_true : engine_false, rt.wraps, verb);
    };
    same_activations(prefill_evaluates, "prefill_evaluates", rt.kernels.prefill_evaluates_cache_only,
                     inner.kernels.prefill_evaluates_cache_only, "cache", "all", "evaluates");
    same_activations(reuse, "reuse", rt.kernels.activations_in_place, inner.kernels.activations_in_place, "in_place", "fresh", "allocates");
    same_activations(compute_buffer, "compute_buffer", rt.kernels.compute_buffer_reserved, inner.kernels.compute_buffer_reserved,
                     "reserved", "per_chunk", "allocates");
    // ... and its kernels: which decode attention kernel, how experts' weights are read.
    if (decode_kernel || sliding_reads || moe || dispatch || blas || flash || linear || matrix_tile || matrix_units || retune || rewrite || gemv ||
        states_mask || states_wide_heads || !rt.kernels.fused_head_dims_from.empty())
      throw InputError("{}: a wrapper runs its engine's kernels; state decode_kernel, sliding_decode_reads, fused_head_dims_from, mask_bytes, wide_heads, moe, dispatch, "
                       "flash_attention, linear_attention, matrix_tile, matrix_units, matmul_retune, f16_kernel_rewrite, multi_row_gemv and blas in '{}'",
                       w->where("wraps"), rt.wraps);
    rt.kernels = inner.kernels;
    // ... and its attention: the head dims it fuses and the bytes a score moves. One check for each
    // key it states: the value (as the file writes it) must be the engine's.
    auto same = [&](bool stated, const char* key, const auto& mine, const auto& engine) {
      if (stated && mine != engine)
        throw InputError("{}: attention: {}: {} differs from {} of '{}' (a wrapper runs its engine's attention kernels; leave it out)",
                         label, key, mine, engine, rt.wraps);  // head dims print as [64, 80, 128]
    };
    same(states_prefill_dims, "fused_prefill_head_dims", rt.fused_prefill_head_dims, inner.fused_prefill_head_dims);
    same(states_decode_dims, "fused_decode_head_dims", rt.fused_decode_head_dims, inner.fused_decode_head_dims);
    same(stated_transient.has_value(), tbs.name, stated_transient.value_or(0), inner.coef.transient_bytes_per_score);
    same(stated_traffic.has_value(), stb.name, stated_traffic.value_or(0), inner.coef.score_traffic_bytes);
    same(stated_unfused.has_value(), "always_unfused", stated_unfused.value_or(false), inner.always_unfused);
    rt.fused_prefill_head_dims = inner.fused_prefill_head_dims;
    rt.fused_decode_head_dims = inner.fused_decode_head_dims;
    rt.always_unfused = inner.always_unfused;
    rt.measured_gaps.insert(rt.measured_gaps.begin(), inner.measured_gaps.begin(), inner.measured_gaps.end());
    for (const auto& f : coefficient_table())
      if (is_wrapper_coefficient(f)) rt.coef.*f.member = w->number(f.name, f.min, f.max);
    w->each_map("engine_builds", [&](MapReader& e) {
      RuntimeSpec::EngineBuild b;
      b.from_version = required_version(e, "from_version", "0.13.5");
      if (e.has("build") == e.has("no_later_than"))
        throw InputError("{}: states {} (expected one of build, the engine's build number, or no_later_than, the day of "
                         "its commit)", e.where(), e.has("build") ? "both build and no_later_than" : "neither build nor no_later_than");
      if (e.has("build")) b.build = e.integer("build", 1, 1000000);
      else b.no_later_than = e.date("no_later_than");
      e.str("source");  // which commit or pin a version ran is a fact about the wrapper's history: say where from
      if (!rt.engine_builds.empty() && b.from_version <= rt.engine_builds.back().from_version)
        throw InputError("{}: from_version {} does not follow {} (expected versions in increasing order)", e.where(),
                         version_text(b.from_version), version_text(rt.engine_builds.back().from_version));
      if (!rt.engine_builds.empty() && b.build > 0 && b.build < rt.engine_builds.back().build)
        throw InputError("{}: build {} is before {} of version {} (expected builds never decreasing)", e.where(), b.build,
                         rt.engine_builds.back().build, version_text(rt.engine_builds.back().from_version));
      rt.engine_builds.push_back(b);
    }, MapReader::List::optional);
    if (auto v = w->opt_map("vendored_engine")) {
      rt.vendored_engine_until_version = required_version(*v, "until_version", "0.30.0");
      rt.vendored_engine_until_date = v->date("until_date");
      v->str("source");  // a version boundary is a fact about the wrapper's history: say where from
      v->finish();
    }
    w->ignore("source");
    w->finish();
    r.finish();
    return rt;
  }
  MapReader c = r.map("coefficients");
  for (const auto& f : coefficient_table()) {
    if (f.member == &RuntimeCoefficients::transient_bytes_per_score || f.member == &RuntimeCoefficients::score_traffic_bytes)
      continue;  // under attention:
    if (is_wrapper_coefficient(f)) continue;                                     // under wrapper:
    // The re-wiring rate belongs to a runtime that re-wires (residency: per_call) and to no other.
    if (f.member == &RuntimeCoefficients::rewire_gbps && !rt.rewires_per_call) continue;
    if (f.member == &RuntimeCoefficients::buffer_commit_us && !rt.fresh_buffers_per_chunk) continue;
    // So does the wide heads' factor to a runtime whose profile states wide-head kernels.
    if ((f.member == &RuntimeCoefficients::wide_head_attention_factor || f.member == &RuntimeCoefficients::wide_head_vector_attention_factor) &&
        rt.kernels.wide_head_min_dim == 0)
      continue;
    if (f.member) {
      rt.coef.*f.member = c.number(f.name, f.min, f.max);
      continue;
    }
    auto m = c.opt_map(f.name);
    if (!m) continue;
    for (const auto& entry : c.node(f.name).entries()) {
      const std::string& key = entry.key;
      (rt.coef.*f.family)[key] = m->number(key, f.min, f.max);
    }
    m->finish();
  }
  c.ignore("source");
  c.finish();
  r.finish();
  return rt;
}

long long version_number(const std::string& text) {
  size_t i = text.size() > 1 && (text[0] == 'v' || text[0] == 'V') ? 1 : 0;
  long long parts[3] = {0, 0, 0};
  int n = 0;
  while (n < 3) {
    const size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && i - start < 4) ++i;
    if (i == start || i - start > 3) return -1;
    parts[n++] = std::stoll(text.substr(start, i - start));
    if (i == text.size()) break;
    if (text[i] != '.') return -1;
    ++i;
  }
  if (n < 2 || i != text.size()) return -1;
  return parts[0] * 1000000 + parts[1] * 1000 + parts[2];
}

std::string version_text(long long version) {
  return fmt::format("{}.{}.{}", version / 1000000, version / 1000 % 1000, version % 1000);
}

bool vendored_engine(const RuntimeSpec& rt) {
  if (rt.vendored_engine_until_version <= 0) return true;
  if (rt.version != kCurrentVersion) return rt.version < rt.vendored_engine_until_version;
  // No version stated: a row published before that version shipped cannot have run it.
  return rt.published_by > 0 && rt.vendored_engine_until_date > 0 && rt.published_by < rt.vendored_engine_until_date;
}

const RuntimeSpec::EngineBuild* engine_build_of_version(const RuntimeSpec& rt, long long version) {
  if (version == kCurrentVersion) return nullptr;
  const RuntimeSpec::EngineBuild* found = nullptr;
  for (const auto& e : rt.engine_builds)
    if (e.from_version <= version) found = &e;
  return found;
}

const RuntimeSpec::EngineBuild* apply_engine_build(RuntimeSpec& rt) {
  if (rt.build != kCurrentBuild) return nullptr;
  const RuntimeSpec::EngineBuild* e = engine_build_of_version(rt, rt.version);
  if (!e) return nullptr;
  if (e->build > 0) {
    rt.build = e->build;
    rt.published_by = 0;  // as for any row whose build is known
  } else {
    rt.published_by = rt.published_by > 0 ? std::min(rt.published_by, e->no_later_than) : e->no_later_than;
  }
  return e;
}

bool engine_at_or_after(const RuntimeSpec& rt, long long version, int date) {
  if (rt.wraps.empty() && rt.version != kCurrentVersion) return rt.version >= version;
  if (rt.published_by > 0) return rt.published_by >= date;
  return true;
}

bool built_before(const RuntimeSpec& rt, long long boundary_build, int boundary_date) {
  if (boundary_build <= 0) return false;
  if (rt.build != kCurrentBuild) return rt.build < boundary_build;
  // No build stated: a row published before the boundary shipped cannot have run it.
  return rt.published_by > 0 && boundary_date > 0 && rt.published_by < boundary_date;
}

bool released(const RuntimeSpec& rt, const Release& r) {
  return r.build > 0 ? !built_before(rt, r.build, r.date) : engine_at_or_after(rt, r.version, r.date);
}

bool commits_fresh_buffers(const RuntimeSpec& rt) {
  return rt.fresh_buffers_per_chunk && !(rt.small_residency_sets_since && released(rt, *rt.small_residency_sets_since));
}

bool rewires_weights(const RuntimeSpec& rt) {
  return rt.rewires_per_call && !rt.back_to_back && !(rt.published_by > 0 && rt.published_by < rt.rewires_since_date);
}

bool serial_dispatch(const RuntimeSpec& rt) {
  return built_before(rt, rt.kernels.concurrent_dispatch_since_build, rt.kernels.concurrent_dispatch_since_date);
}

RuntimeSpec parse_runtime_yaml(const std::string& path) {
  return parse_runtime_yaml_text(read_text_file(path), path);
}

const std::vector<RuntimeSpec>& runtime_catalog() {
  static const std::vector<RuntimeSpec> catalog = [] {
    std::vector<RuntimeSpec> out;
    for (const auto& id : runtime_ids()) out.push_back(*catalog_runtime(id));
    return out;
  }();
  return catalog;
}

const std::vector<std::string>& runtime_ids() {
  static const std::vector<std::string> ids = yaml_file_ids("runtime/profiles");
  return ids;
}

const RuntimeSpec* catalog_runtime(const std::string& id) {
  static FileCatalog<RuntimeSpec> catalog("runtime/profiles", parse_runtime_yaml,
                                          [](const RuntimeSpec& rt) { return rt.id; });
  return catalog.find(id);
}

namespace {
bool has(const std::string& s, const char* needle) { return s.find(needle) != std::string::npos; }
}  // namespace

std::string match_runtime_name(const std::string& text, const std::string& vendor, std::string& why) {
  std::string r = text;
  for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& id : runtime_ids())
    if (id == r) return id;
  if (has(r, "ds4")) return "ds4";  // "ds4 / ds4-bench (DwarfStar 4, ...)", "ds4 server": antirez's engine
  if (has(r, "speculative") || has(r, "mtp")) return why = "speculative decoding is not modelled", "";
  if (has(r, "vllm-mlx") || has(r, "vllm_mlx")) return "vllm-mlx";
  // Servers in front of mlx-lm: a request's HTTP round trip and scheduling on top of its kernels.
  if (has(r, "mlx_lm.server") || has(r, "mlx-lm server") || has(r, "rapid-mlx") || has(r, "mlx inference server"))
    return "mlx-server";
  // Ollama from 0.30 runs llama-server behind its own Go server: "Ollama 0.30.2 (llama-server)" is Ollama.
  if (has(r, "ollama")) return "ollama";
  if (has(r, "llama-server") && (vendor == "apple" || has(r, "metal"))) return "llama-server";
  const bool lm_studio = has(r, "lm studio") || has(r, "lm-studio") || has(r, "lmstudio");
  if (has(r, "mlx")) {
    // oMLX serves mlx-lm models over HTTP; by default it computes in the checkpoint's dtype as mlx-lm does
    // (its fp16-on-M1/M2 switch, jundot/omlx PR #3277, is opt-in and open as of 2026-11-26).
    if (has(r, "omlx"))
      return why = "oMLX read as mlx-server: a cold request (its SSD tier of KV cache, which serves repeated prefixes, is not modelled)",
             "mlx-server";
    if (lm_studio) return why = "LM Studio's MLX engine runs mlx-lm (lmstudio-ai/mlx-engine): the mlx profile", "mlx";
    return "mlx";  // mlx_lm, mlx-lm, "MLX (mlx_lm.generate)"
  }
  // LM Studio's GGUF engine is llama.cpp (lmstudio.ai docs: llama.cpp and MLX engines).
  if (lm_studio || has(r, "llama.cpp") || has(r, "llama-server") || has(r, "llama-bench") || has(r, "llama.cpp") ||
      r == "llamacpp" || r == "llama_cpp" || r == "llama-cpp") {
    if (has(r, " cpu")) return why = "llama.cpp on the CPU is not modelled", "";
    if (has(r, "metal") || has(r, "mtl")) return "llama.cpp-metal";
    if (has(r, "cuda")) return "llama.cpp-cuda";
    if (has(r, "rocm") || has(r, "hip") || has(r, "rocwmma")) return "llama.cpp-rocm";
    if (has(r, "vulkan") || has(r, "radv") || has(r, "amdvlk")) return "llama.cpp-vulkan";
    const std::string what = lm_studio ? "LM Studio's llama.cpp engine" : "llama.cpp";
    if (vendor == "apple") return why = fmt::format("{}: backend not stated, Metal on Apple", what), "llama.cpp-metal";
    if (vendor == "nvidia") return why = fmt::format("{}: backend not stated, CUDA on NVIDIA", what), "llama.cpp-cuda";
    if (vendor == "amd") return why = fmt::format("{}: backend not stated, assumed Vulkan on AMD (ROCm is llama.cpp-rocm)", what), "llama.cpp-vulkan";
    return why = fmt::format("runtime '{}': llama.cpp backend not stated and the hardware not known; one of llama.cpp-metal, "
                             "llama.cpp-cuda, llama.cpp-rocm, llama.cpp-vulkan", text), "";
  }
  if (r == "pytorch" || r == "transformers") return why = fmt::format("runtime '{}': one of pytorch-sdpa, pytorch-cudagraph", text), "";
  return why = text.empty() ? "no runtime stated"
                            : fmt::format("runtime '{}' has no profile{}; `ridgeline list runtimes` shows them", text,
                                          did_you_mean(text, runtime_ids())), "";
}

RuntimeSpec resolve_runtime(const std::string& name, const std::string& vendor) {
  std::error_code ec;
  if (looks_like_path(name) || std::filesystem::is_directory(name, ec)) {  // a folder: the reader says it is one
    if (!std::filesystem::exists(name, ec)) throw FieldError("runtime", "file '{}' does not exist", name);
    return parse_runtime_yaml(name);
  }
  std::string why;
  const std::string id = match_runtime_name(name, vendor, why);
  if (id.empty()) throw FieldError("runtime", "{}", why);
  if (const RuntimeSpec* rt = catalog_runtime(id)) return *rt;
  throw FieldError("runtime", "'{}' resolved to '{}', which has no profile", name, id);
}

bool apply_runtime_override(RuntimeSpec& rt, const std::string& key, const std::string& value) {
  const CoefficientInfo* f = find_coefficient(key);
  if (!f) return false;
  auto v = parse_double(value);
  if (!v || *v < f->min || *v > f->max)
    throw FieldError("set." + key, "'{}' is out of range (expected {} to {})", value, f->min, f->max);
  *coefficient_slot(rt, key) = *v;
  return true;
}

}  // namespace ridgeline
