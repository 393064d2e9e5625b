#pragma once
// A scenario: the hardware, model, quantization and runtime resolved once, and the workload run on
// them (checked against the model and runtime).
#include <optional>
#include <string>

#include "ridgeline/error.hpp"
#include "ridgeline/hardware.hpp"
#include "ridgeline/model.hpp"
#include "ridgeline/quant.hpp"
#include "ridgeline/runtime.hpp"

namespace ridgeline {

struct Workload {
  long long prompt = 512;     // prompt tokens, cached prefix included
  long long cached = 0;       // prefix already in the KV cache (not recomputed)
  long long gen = 128;        // generated tokens
  long long chunk = 0;        // prefill chunk (ubatch); 0 = the runtime's default
  long long batch = 1;        // concurrent sequences
  std::string kv_dtype;       // "" = the runtime's default
  Bytes ram;                  // installed memory; 0 = the largest size the chip is sold with
  Bytes limit;                // GPU memory limit; 0 = the hardware rule for `ram`
  bool allow_beyond_max = false;
};

// Everything the simulator needs, resolved once. `model.layers` has equal groups merged.
struct Scenario {
  HardwareSpec hardware;
  ModelSpec model;
  Quantization quant;
  RuntimeSpec runtime;
  Workload workload;
  KvDtype kv;
  long long chunk = 0;
  Bytes ram;
  Bytes limit;
};
Scenario make_scenario(HardwareSpec hw, ModelSpec m, Quantization q, RuntimeSpec rt, Workload w);
// The two halves of make_scenario, for callers that vary only the workload (sweep): the setup
// once, then set_workload per point (checks the workload as make_scenario does; throws InputError).
Scenario make_setup(HardwareSpec hw, ModelSpec m, Quantization q, RuntimeSpec rt);
void set_workload(Scenario& s, const Workload& w);
// Why set_workload would refuse `w` on this setup (a sweep reports it as a row, no throw): an error
// on the workload field at fault (prompt, gen, cached, batch, chunk, or context beyond the model's
// maximum), or nullopt.
std::optional<FieldError> workload_problem(const Scenario& s, const Workload& w);
// How many sequences' prompts share one prefill step. A batch of prompts shorter than a chunk is
// packed into steps of up to a chunk of tokens (llama.cpp splits a batch into ubatches of n_ubatch
// tokens across sequences, as llama-batched-bench and llama-server's continuous batching feed it):
// min(batch, chunk / new prompt tokens), at least 1; longer prompts are chunked one by one.
double prompts_per_prefill_step(const Scenario& s);

}  // namespace ridgeline
