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
  static CalibrateOptions calibrate;
  static ValidateOptions validate;
  static BuyOptions buy;
  static FitCommandOptions fit;
  static ReportOptions report;

  auto* p = app.add_subcommand("predict", "one prediction: prefill, decode, TTFT, memory and out-of-memory point");
  add_scenario_flags(*p, predict.s, false);
  p->add_flag("--json", predict.json, "JSON output (schema_version 1)");
  p->callback([&action] { action = [] { return run_predict(predict, std::cout); }; });

  auto* s = app.add_subcommand("sweep", "predictions over a grid (each flag takes a comma list)");
  add_scenario_flags(*s, sweep.s, true);
  s->add_flag("--csv", sweep.csv, "CSV: a header and one row per prediction");
  s->add_flag("--json", sweep.json, "JSON output");
  s->add_option("--plot", sweep.plot, "write SVG charts against context to this file");
  s->add_flag("--bands", sweep.bands, "uncertainty bands per point (delta method: a few dozen predictions more per point)");
  s->callback([&action] { action = [] { return run_sweep(sweep, std::cout); }; });

  auto* e = app.add_subcommand("explain", "per-operator breakdown of one step and which roof binds");
  add_scenario_flags(*e, explain.s, false);
  e->add_option("--step", explain.step, "prefill (a chunk ending at the prompt's end, as a middle chunk: no logits) or decode (at the prompt's end)");
  e->add_flag("--json", explain.json, "JSON output");
  e->callback([&action] { action = [] { return run_explain(explain, std::cout); }; });

  auto* c = app.add_subcommand("chunk", "largest safe prefill chunk and where each chunk size runs out of memory");
  add_scenario_flags(*c, chunk.s, false);
  c->add_option("--context", chunk.context, "target context tokens (e.g. 131072 or 128K)");
  auto* chunks = c->add_option("--chunks", chunk.chunks, "chunk sizes to try (comma list; --chunk N checks one)");
  c->add_flag("--json", chunk.json, "JSON output");
  c->add_option("--plot", chunk.plot, "write SVG charts against chunk size to this file");
  c->callback([&action, chunks] {
    chunk.chunks_given = chunks->count() > 0;
    action = [] { return run_chunk(chunk, std::cout); };
  });

  auto* l = app.add_subcommand("list", "list a catalog: hardware, models, quants or runtimes");
  l->add_option("what", list.what, "hardware | models | quants | runtimes")->required();
  l->add_flag("--json", list.json, "JSON output");
  l->add_flag("--prices", list.prices, "with hardware: the price table (configurations, US prices, sources, dates)");
  l->callback([&action] { action = [] { return run_list(list, std::cout); }; });

  auto* i = app.add_subcommand("import", "write a model descriptor YAML from a config.json or .gguf header");
  i->add_option("file", import.file, "config.json or .gguf")->required();
  i->add_option("--id", import.id, "id for the descriptor (default: from the file name)");
  i->add_option("-o,--output", import.output, "write here instead of standard output");
  i->callback([&action] { action = [] { return run_import(import, std::cout); }; });

  auto* w = app.add_subcommand("show", "a model's derived quantities: parameters, weights, KV cache, layers");
  w->add_option("model", show.model, "model id or file")->required();
  w->add_option("--quant", show.quant, "quantization for the weight size (default: the model files' own, else f16)");
  w->add_option("--kv-dtype", show.kv_dtype, "KV-cache dtype");
  w->add_option("--context", show.context, "context for the KV size");
  w->add_flag("--json", show.json, "JSON output");
  w->callback([&action] { action = [] { return run_show(show, std::cout); }; });

  auto* cal = app.add_subcommand("calibrate", "fit runtime coefficients to measured benchmarks, with cross-validated errors");
  cal->add_option("data", calibrate.data, "measurement CSV, llama-bench json/csv/md, batched-bench or mlx_lm output")->required();
  cal->add_option("-o,--output", calibrate.output, "calibration .yaml to write (one runtime)");
  cal->add_option("--out-dir", calibrate.out_dir, "write one <runtime>-<vendor>.yaml per runtime into this folder");
  cal->add_option("--runtime", calibrate.runtime, "fit only this runtime");
  cal->add_option("--map", calibrate.maps, "name mapping KIND:TEXT=ID or KIND=ID (chip, model, quant, runtime)");
  cal->add_option("--date", calibrate.date, "date written into the file (default: today)");
  cal->add_flag("--no-cv", calibrate.no_cv, "skip cross-validation");
  cal->callback([&action] { action = [] { return run_calibrate(calibrate, std::cout); }; });

  auto* val = app.add_subcommand("validate", "predicted against measured for every row; anomalies; MAPE per quantity, chip, runtime");
  val->add_option("data", validate.data, "measurement files (as for calibrate)")->required();
  val->add_option("--map", validate.maps, "name mapping KIND:TEXT=ID or KIND=ID");
  val->add_option("--calibration", validate.calibration, "calibration .yaml, or 'none' (default: the shipped ones)");
  val->add_option("--plot", validate.plot, "write predicted-against-measured SVG charts to this file");
  val->add_flag("--json", validate.json, "JSON: {rows: [...], summary: {...}}");
  auto* b = app.add_subcommand("buy", "rank the machines to buy for your workloads, requirements and budget");
  b->add_option("--model", buy.model, "model id or file (or use --workloads)");
  b->add_option("--quant", buy.quant, "quantization (default: by runtime)");
  b->add_option("--runtime", buy.runtime, "runtime (default: by vendor)");
  b->add_option("--kv-dtype", buy.kv_dtype, "KV-cache dtype: f16, q8_0, q4_0, ... (default: the runtime's)");
  b->add_option("--calibration", buy.calibration, "calibration .yaml, or 'none' (default: the shipped one per runtime and vendor)");
  b->add_option("--prompt", buy.prompt, "prompt tokens (default 4096, lowered to fit the model's maximum)");
  b->add_option("--gen", buy.gen, "generated tokens");
  b->add_option("--batch", buy.batch, "concurrent sequences");
  b->add_option("--workloads", buy.workloads, "workloads, requirements and budget in a YAML file");
  b->add_option("--min-decode", buy.min_decode, "required decode tokens/s per sequence (at the required context)");
  b->add_option("--max-ttft", buy.max_ttft, "largest acceptable time to first token, seconds");
  b->add_option("--min-context", buy.min_context, "context (tokens) the model must run: memory and decode are checked there");
  b->add_option("--budget", buy.budget, "budget in USD");
  b->add_option("--consider", buy.consider, "hardware ids to consider (comma list; default: every priced configuration)");
  b->add_option("--memory", buy.memory, "only configurations with this RAM, e.g. 64 (GB as sold)");
  b->add_option("--limit", buy.limit, "GPU memory limit for every configuration, e.g. 60 (GB) or '56 GiB'");
  b->add_option("--price", buy.prices, "override a price: CONFIGURATION_ID=USD (repeatable; ids: list hardware --prices)");
  b->add_option("--prices", buy.prices_file, "a price file in the format of hardware_profiles/prices/us.yaml (replaces or adds rows)");
  b->add_flag("--include-discontinued", buy.include_discontinued, "also rank machines no longer sold new (at their used price when known)");
  b->add_option("--html", buy.html, "also write a self-contained HTML report");
  b->add_flag("--json", buy.json, "JSON output");
  b->callback([&action] { action = [] { return run_buy(buy, std::cout); }; });

  auto* f = app.add_subcommand("fit", "what one machine can run: every catalog model x the quantizations users download");
  f->add_option("--hardware", fit.hardware, "hardware id or profile .yaml")->required();
  f->add_option("--memory", fit.memory, "installed RAM as sold, e.g. 64, '64 GB' or 64GB; default: the largest");
  f->add_flag("--any-memory", fit.any_memory, "accept a --memory size the hardware is not sold with");
  f->add_option("--limit", fit.limit, "GPU memory limit, e.g. 48 (GB) or '45 GiB'; default: the hardware rule");
  f->add_option("--context", fit.context, "context at which speeds are stated (tokens, e.g. 8192 or 32K)");
  f->add_option("--gen", fit.gen, "generated tokens within that context");
  f->add_option("--runtime", fit.runtimes, "runtimes (comma list; default: by vendor, Apple: llama.cpp-metal,mlx)");
  f->add_option("--model", fit.models, "models (comma list; default: the catalog)");
  f->add_option("--kv-dtype", fit.kv_dtype, "KV-cache dtype (default: the runtime's)");
  f->add_option("--calibration", fit.calibration, "calibration .yaml, or 'none' (default: the shipped ones)");
  f->add_flag("--json", fit.json, "JSON output");
  f->add_flag("--csv", fit.csv, "CSV: a header and one row per model x runtime x quantization");
  f->add_option("--html", fit.html, "also write a self-contained HTML report");
  f->callback([&action] { action = [] { return run_fit(fit, std::cout); }; });

  auto* rep = app.add_subcommand("report", "a self-contained HTML report from a buy, sweep, chunk or validate --json result");
  rep->add_option("result", report.input, "the JSON file a command printed with --json")->required();
  rep->add_option("--html", report.html, "HTML file to write")->required();
  rep->callback([&action] { action = [] { return run_report(report, std::cout); }; });

  val->callback([&action] { action = [] { return run_validate(validate, std::cout); }; });
}

}  // namespace ridgeline::cli
