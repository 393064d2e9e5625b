#pragma once
// Built-in catalogs live in the source tree (model/catalog, hardware_profiles,
// simulator/runtimes). RIDGELINE_DATA overrides the root, e.g. for an installed copy.
#include <string>
#include <vector>

#include "ridgeline/model.hpp"
#include "ridgeline/names.hpp"

namespace ridgeline {

std::string data_dir();
// The .yaml files of a folder under the data root, sorted by name.
std::vector<std::string> yaml_files(const std::string& subdir);
// Lower-cases and drops everything but letters, digits and '.', for alias matching.
std::string normalize_name(const std::string& s);
bool looks_like_path(const std::string& s);
// "Meta-Llama-3.1-8B-Instruct" -> "meta-llama-3.1-8b-instruct": lower case, separators kept as '-'.
std::string model_id_from_name(const std::string& name);
// An imported model's name: the one the file states, else its folder's for a config.json, else the file stem.
std::string model_name_for_file(const std::string& path, const std::string& name_in_file);

const std::vector<ModelSpec>& model_catalog();
// A model name as users write it (see names.hpp), or a path to a descriptor .yaml, a config.json
// or a .gguf. `how`, when given, receives the quantization the name implies and the notes.
ModelSpec resolve_model(const std::string& name_or_path, NameMatch* how = nullptr);

}  // namespace ridgeline
