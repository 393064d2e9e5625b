#pragma once
// Resolution of the names benchmark sources write ("Apple M2 Ultra", "llama.cpp Metal (MTL,BLAS)
// build ...", "Llama 3 8B (dir '8B-v3')", "Q4_K - Medium") to catalog ids, with a reason for
// every row that cannot be resolved and explicit mappings for the rest.
#include <map>
#include <string>
#include <vector>

#include "ridgeline/measurement.hpp"

namespace ridgeline {

// A mapping KIND:TEXT=ID maps one source spelling; KIND=ID (or KIND:*=ID) maps every row.
// KIND is chip, model, quant or runtime.
struct NameMaps {
  std::map<std::string, std::map<std::string, std::string>> by_kind;  // kind -> text ("*": any) -> id
};
NameMaps parse_name_maps(const std::vector<std::string>& specs);

// One reason a row's names do not resolve. `unstated` is the mapping kind (chip, model, quant,
// runtime) when the row states no name of that kind at all, so a mapping of that kind supplies it.
struct ResolveProblem {
  std::string why;  // "no chip stated", or the refusal naming the text that matched nothing
  std::string unstated;
};

struct Resolution {
  bool ok = false;
  std::string reason;  // why not, when !ok: the problems' `why` joined by "; "
  std::vector<ResolveProblem> problems;
  std::string hardware, model, quant, runtime;
  std::vector<std::string> assumptions;  // e.g. "GPU cores not stated: assumed the 76-core part"
};
Resolution resolve_measurement(const Measurement& m, const NameMaps& maps);
// resolve_measurement for every row, each distinct spelling of chip, GPU cores, runtime, model and
// quantization matched once.
std::vector<Resolution> resolve_measurements(const std::vector<Measurement>& rows, const NameMaps& maps);

// The individual steps ("" when unresolved; `why` receives the reason or the assumption made).
std::string resolve_chip_name(const std::string& chip, int gpu_cores, std::string& why);
std::string resolve_runtime_name(const std::string& runtime, const std::string& hardware_vendor, std::string& why);
// `implied_quant` receives a quantization written in the name ("gemma-3-4b-it-Q4_K_M").
std::string resolve_model_name(const std::string& model, std::string& why, std::string* implied_quant = nullptr,
                               bool ollama = false);
std::string resolve_quant_name(const std::string& quant, std::string& why);

}  // namespace ridgeline
