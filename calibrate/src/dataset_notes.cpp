// Facts public measurement files leave out of their rows, read from calibrate/dataset_notes.yaml
// (each with the publisher's evidence) and given to the rows they name.
#include <fmt/format.h>

#include "ridgeline/calibration.hpp"
#include "ridgeline/data_dir.hpp"
#include "ridgeline/document.hpp"
#include "ridgeline/error.hpp"
#include "ridgeline/names.hpp"
#include "ridgeline/quant.hpp"
#include "ridgeline/strict_reader.hpp"

namespace ridgeline {

std::vector<DatasetNote> parse_dataset_notes_text(const std::string& text, const std::string& label) {
  const Node root = load_document_text(text, label);
  if (!root.is_map()) throw InputError("{}: expected a map with 'notes'", label);
  MapReader top(root, label);
  const Node& list = top.node("notes");
  if (!list.is_sequence()) throw InputError("{}: notes: expected a list of notes", label);
  std::vector<DatasetNote> out;
  for (size_t i = 0; i < list.size(); ++i) {
    const Node& item = list[i];
    const std::string where = fmt::format("{}: notes[{}]", label, i);
    if (!item.is_map())
      throw InputError("{}: expected a map (source, gpu_cores, quant, chunk_tokens or sustained_throttling, evidence)", where);
    MapReader r(item, where);
    DatasetNote n;
    n.source = r.str("source");
    if (n.source.size() < 8) throw InputError("{}: source: '{}' is too short to name one file's rows", where, n.source);
    n.gpu_cores = static_cast<int>(r.opt_integer("gpu_cores", 1, 1024).value_or(0));
    if (r.has("quant")) {
      n.quant = r.str("quant");
      try {
        find_quantization(n.quant);  // an unknown id is an error here, not at every row
      } catch (const InputError& e) {
        throw InputError("{}: {}", r.where("quant"), e.what());
      }
    }
    n.chunk = r.opt_integer("chunk_tokens", 1, 1 << 20).value_or(0);
    n.sustained_throttling = r.opt_boolean("sustained_throttling").value_or(false);
    n.notes_contain = r.opt_str("notes_contain").value_or("");
    if (n.gpu_cores == 0 && n.quant.empty() && n.chunk == 0 && !n.sustained_throttling)
      throw InputError("{}: states none of gpu_cores, quant, chunk_tokens and sustained_throttling: true", where);
    n.evidence = r.str("evidence");
    r.finish();
    out.push_back(std::move(n));
  }
  top.finish();
  return out;
}

const std::vector<DatasetNote>& dataset_notes() {
  static const std::vector<DatasetNote> notes = [] {
    const std::string path = data_dir() + "/calibrate/dataset_notes.yaml";
    return parse_dataset_notes_text(read_text_file(path), path);
  }();
  return notes;
}

std::string apply_dataset_notes(Measurement& m, const std::vector<DatasetNote>& notes) {
  for (const auto& n : notes) {
    if (m.source.find(n.source) == std::string::npos) continue;
    if (!n.notes_contain.empty() && m.notes.find(n.notes_contain) == std::string::npos) continue;
    if (m.gpu_cores == 0 && n.gpu_cores > 0) {
      m.gpu_cores = n.gpu_cores;
      return fmt::format("{} GPU cores from calibrate/dataset_notes.yaml ({})", n.gpu_cores, n.evidence);
    }
    // A quantization column left empty, or saying in words that the source does not state it.
    if (!n.quant.empty() && (m.quant.empty() || lower_ascii(m.quant).starts_with("not stated"))) {
      m.quant = n.quant;
      return fmt::format("quantization {} from calibrate/dataset_notes.yaml ({})", n.quant, n.evidence);
    }
    if (m.chunk == 0 && n.chunk > 0) {
      m.chunk = n.chunk;
      return fmt::format("prefill chunk {} from calibrate/dataset_notes.yaml ({})", n.chunk, n.evidence);
    }
    if (n.sustained_throttling && m.sustained_throttling.empty()) {
      m.sustained_throttling = n.evidence;
      return fmt::format("throttled under sustained load, from calibrate/dataset_notes.yaml ({})", n.evidence);
    }
  }
  return "";
}

}  // namespace ridgeline
