#pragma once
// Quantities derived from a descriptor. Parameter counts are in weights (not bytes); byte
// counts take a quantization or a KV dtype. Each is a small pure function with a unit test.
#include "ridgeline/model.hpp"
#include "ridgeline/quant.hpp"
#include "ridgeline/units.hpp"

namespace ridgeline {

double attention_params(const AttentionSpec& a, long long hidden);
double ffn_params_total(const FfnSpec& f, long long hidden);   // all experts
double ffn_params_active(const FfnSpec& f, long long hidden);  // per token
double expert_params(const FfnSpec& f, long long hidden);      // one routed expert
double router_params(const FfnSpec& f, long long hidden);
double embedding_params(const ModelSpec& m);  // the input table
double lm_head_params(const ModelSpec& m);    // vocab x hidden (the tied table when tied)
// Bits per weight of the input table. A tied table is also the output projection and is stored as
// one: llama.cpp's quantizer gives a shared token_embd the output tensor's type (Q6_K under the
// K-quant and legacy file types), not the matrices'; formats with one width for all are unchanged.
double embedding_table_bpw(const ModelSpec& m, const Quantization& q);

// Hyper-connection mixing weights (ModelSpec::residual_streams > 1): one layer's, and all layers' and the head's.
double hyper_connection_params_per_layer(const ModelSpec& m);
double hyper_connection_params(const ModelSpec& m);
// Per-layer input embeddings (ModelSpec::per_layer_input): the gathered table, and the products
// that project into and out of it (read by every token, as matrices).
double per_layer_table_params(const ModelSpec& m);
double per_layer_projection_params(const ModelSpec& m);
double total_params(const ModelSpec& m);  // every weight of the language model (encoders apart)
// Weights one token uses: layers with active experts only, plus the LM head; the embedding
// lookup is excluded (one row is read, not a matmul), as in published "active" counts.
double active_params(const ModelSpec& m);

// Bytes of all weights under a quantization (embeddings, LM head and experts at their own widths).
Bytes weight_bytes(const ModelSpec& m, const Quantization& q);

// KV bytes one token adds to one layer of this attention kind (0 for linear / none; a compressed
// layer's pooled rows, head_dim plus the indexer's index_head_dim per compress_ratio tokens).
Bytes kv_bytes_per_token(const AttentionSpec& a, const KvDtype& kv);
// What its attention reads per token of context: the same, also where the layer reuses an earlier
// layer's cache (AttentionSpec::kv_reused) and so caches nothing itself.
Bytes kv_read_bytes_per_token(const AttentionSpec& a, const KvDtype& kv);
// A compressed layer's raw cache: head_dim per token for its last `window` tokens (0 otherwise).
Bytes raw_window_bytes_per_token(const AttentionSpec& a, const KvDtype& kv);
// KV held for one sequence at `context` tokens (sliding layers and raw windows keep at most `window`).
Bytes kv_bytes_at(const ModelSpec& m, const KvDtype& kv, double context);
// Fixed per-sequence state of linear-attention layers.
Bytes state_bytes(const ModelSpec& m);

}  // namespace ridgeline
