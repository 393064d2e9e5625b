// libFuzzer harness for every parser (`make fuzz`, not part of `make test`). The first byte picks
// the parser, the rest is the input. A parser may reject input only with InputError; any other
// exception, a crash, a hang or a sanitizer report is a bug.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <unistd.h>

#include "ridgeline/calibration.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/hardware.hpp"
#include "ridgeline/importers.hpp"
#include "ridgeline/measurement.hpp"
#include "ridgeline/model_source.hpp"
#include "ridgeline/runtime.hpp"
#include "ridgeline/saved_results.hpp"

using namespace ridgeline;

namespace {
// Parsers that read a path get the input through a per-process temporary file.
std::string temp_file(const std::string& bytes, const char* ext) {
  static const std::string base = "/tmp/ridgeline-fuzz-" + std::to_string(getpid());
  const std::string path = base + ext;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    // Selector bytes 0xF0-0xF2 reach the model-source readers and 0xF3 the saved-result loader
    // (`report FILE.json`); any other byte picks one of the first eight parsers, as the kept
    // crashers were recorded with.
    if (data[0] == 0xF3) {
      read_saved_result(load_document_text(input, "result.json"), "result.json");
      return 0;
    }
    if (data[0] >= 0xF0 && data[0] <= 0xF2) {
      ModelSource src;
      switch (data[0]) {
        case 0xF0: parse_safetensors_header(input, 1 << 20, "x.safetensors"); break;
        case 0xF1: quantization_from_hf_config(input, "config.json", src); break;
        case 0xF2:
          try {
            import_gguf_prefix(input, input.size() * 2, "remote.gguf");
          } catch (const GgufNeedsMore&) {
            // a prefix that needs more bytes: the fetcher's signal, not an error
          }
          break;
      }
      return 0;
    }
    switch (data[0] % 8) {
      case 0: parse_hardware_yaml_text(input, "fuzz.yaml"); break;
      case 1: parse_model_yaml_text(input, "fuzz.yaml"); break;
      case 2: parse_runtime_yaml_text(input, "fuzz.yaml"); break;
      case 3: import_hf_config_text(input, "config.json"); break;
      case 4: import_gguf(temp_file(input, ".gguf")); break;
      case 5: parse_measurements_text(input, "bench.txt"); break;
      case 6: parse_calibration_yaml_text(input, "calibration.yaml"); break;
      case 7: parse_name_maps({input}); break;
    }
  } catch (const InputError&) {
    // the expected way to refuse bad input
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parser %d threw %s instead of InputError\n", data[0] % 8, e.what());
    std::abort();
  }
  return 0;
}
