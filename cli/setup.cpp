#include <iostream>

#include "commands.hpp"

namespace ridgeline::cli {

void setup_all(CLI::App& app, std::function<int()>& action) {
  static PredictOptions predict;
  static SweepOptions sweep;
  static ExplainOptions explain;
  static ChunkOptions chunk;
  static ListOptions list;
  static ImportOptions import;
  static ShowOptions show;

  auto* p = app.add_subcommand("predict", "one prediction: prefill, decode, TTFT, memory and out-of-memory point");
  add_scenario_flags(*p, predict.s, false);
  p->add_flag("--json", predict.json, "JSON output (schema_version 1)");
  p->callback([&action] { action = [] { return run_predict(predict, std::cout); }; });

  auto* s = app.add_subcommand("sweep", "predictions over a grid (each flag takes a comma list)");
  add_scenario_flags(*s, sweep.s, true);
  s->add_flag("--csv", sweep.csv, "CSV: a header and one row per prediction");
  s->add_flag("--json", sweep.json, "JSON output");
  s->add_option("--plot", sweep.plot, "write SVG charts against context to this file");
  s->callback([&action] { action = [] { return run_sweep(sweep, std::cout); }; });

  auto* e = app.add_subcommand("explain", "per-operator breakdown of one step and which roof binds");
  add_scenario_flags(*e, explain.s, false);
  e->add_option("--step", explain.step, "prefill (the last chunk of the prompt) or decode (at the prompt's end)");
  e->add_flag("--json", explain.json, "JSON output");
  e->callback([&action] { action = [] { return run_explain(explain, std::cout); }; });

  auto* c = app.add_subcommand("chunk", "largest safe prefill chunk and where each chunk size runs out of memory");
  add_scenario_flags(*c, chunk.s, false);
  c->add_option("--context", chunk.context, "target context tokens (e.g. 131072 or 128K)");
  c->add_option("--chunks", chunk.chunks, "chunk sizes to try (comma list)");
  c->add_flag("--json", chunk.json, "JSON output");
  c->callback([&action] { action = [] { return run_chunk(chunk, std::cout); }; });

  auto* l = app.add_subcommand("list", "list a catalog: hardware, models, quants or runtimes");
  l->add_option("what", list.what, "hardware | models | quants | runtimes")->required();
  l->callback([&action] { action = [] { return run_list(list, std::cout); }; });

  auto* i = app.add_subcommand("import", "write a model descriptor YAML from a config.json or .gguf header");
  i->add_option("file", import.file, "config.json or .gguf")->required();
  i->add_option("--id", import.id, "id for the descriptor (default: from the file name)");
  i->add_option("-o,--output", import.output, "write here instead of standard output");
  i->callback([&action] { action = [] { return run_import(import, std::cout); }; });

  auto* w = app.add_subcommand("show", "a model's derived quantities: parameters, weights, KV cache, layers");
  w->add_option("model", show.model, "model id or file")->required();
  w->add_option("--quant", show.quant, "quantization for the weight size");
  w->add_option("--kv-dtype", show.kv_dtype, "KV-cache dtype");
  w->add_option("--context", show.context, "context for the KV size");
  w->callback([&action] { action = [] { return run_show(show, std::cout); }; });
}

}  // namespace ridgeline::cli
