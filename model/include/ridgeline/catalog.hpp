#pragma once
// Built-in catalogs live under data_dir() (model/catalog, hardware_profiles, runtime/profiles).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ridgeline/catalog_lookup.hpp"
#include "ridgeline/data_dir.hpp"
#include "ridgeline/model.hpp"
#include "ridgeline/names.hpp"

namespace ridgeline {

// Lower-cases and drops everything but letters, digits and '.', for alias matching.
std::string normalize_name(const std::string& s);
bool looks_like_path(const std::string& s);
// "Meta-Llama-3.1-8B-Instruct" -> "meta-llama-3.1-8b-instruct": lower case, separators kept as '-'.
std::string model_id_from_name(const std::string& name);
// An imported model's name: the one the file states, else its folder's for a config.json, else the file stem.
std::string model_name_for_file(const std::string& path, const std::string& name_in_file);

// Every catalog model, parsed (list, fit). Commands that name one model use catalog_model().
const std::vector<ModelSpec>& model_catalog();

// A catalog file's top-level one-line values read without the YAML parser, so that a command
// parses in full only the files it names: `key: plain`, `key: "quoted"`, `key: [a, "b"]` and
// `key: {value: 40, ...}` (its value). Each wanted key present maps to its items (one for a scalar).
// nullopt when a wanted key is written in any other form; the caller then parses the file in full.
std::optional<std::map<std::string, std::vector<std::string>>> read_catalog_header(
    const std::string& text, const std::vector<std::string>& keys);

// What name matching needs of a catalog model, one entry per file (id = file stem).
struct ModelHeader {
  std::string id, name, path;
  std::vector<std::string> aliases;
};
const std::vector<ModelHeader>& model_headers();
// The catalog model with this id, parsed once on first use; nullptr when the catalog has none.
const ModelSpec* catalog_model(const std::string& id);
// A model name as users write it (see names.hpp), or a path to a descriptor .yaml, a config.json
// or a .gguf. `how`, when given, receives the quantization the name implies and the notes.
// With `ollama`, a name is read as Ollama's library reads it (match_ollama_model_name).
ModelSpec resolve_model(const std::string& name_or_path, NameMatch* how = nullptr, bool ollama = false);

}  // namespace ridgeline
