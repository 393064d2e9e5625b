#pragma once
// Typed loaders of what `buy`, `fit`, `chunk`, `validate` and `sweep` print with --json, the input of
// `ridgeline report FILE.json` (saved_results.cpp): each kind into its page record (page_records.hpp),
// read through the document tree and the strict MapReader. schema_version must be the one this build
// writes; every key the page shows must be present with a value of the right type and range; a key
// the format does not have is refused. Errors are one line naming the file, the key's path, the bad
// value and what was expected.
#include <string>
#include <variant>

#include "ridgeline/document.hpp"
#include "ridgeline/page_records.hpp"

namespace ridgeline {

using SavedResult = std::variant<BuyPage, FitPage, ChunkPage, ValidationPage, SweepPage>;

SavedResult load_saved_result(const std::string& path);
// The same over a loaded document; `label` names it in errors.
SavedResult read_saved_result(const Node& root, const std::string& label);

}  // namespace ridgeline
