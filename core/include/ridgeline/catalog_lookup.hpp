#pragma once
// "Find by id, else did you mean", written once for every catalog (models, hardware, runtimes,
// calibrations, prices, quantizations), and the parse-once cache of the catalogs kept as one
// YAML file per id under data_dir().
#include <fmt/format.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ridgeline/error.hpp"

namespace ridgeline {

// The .yaml files of a folder under data_dir(), sorted by name (InputError when it cannot be listed).
std::vector<std::string> yaml_files(const std::string& subdir);
// The ids of such a folder: its files' stems, sorted.
std::vector<std::string> yaml_file_ids(const std::string& subdir);
// <data_dir>/<subdir>/<id>.yaml when that file exists; nullopt when it does not, or when `id`
// could not name a file there (empty, or holding a path separator).
std::optional<std::string> catalog_file(const std::string& subdir, const std::string& id);
// A catalog file states its own id, which must be its file name: InputError naming the file otherwise.
void check_catalog_id(const std::string& path, const std::string& stated, const std::string& id);

// The ids of `records` (id_of: a member pointer or a function of a record), for a did-you-mean.
template <typename Range, typename IdOf>
std::vector<std::string> ids_of(const Range& records, IdOf id_of) {
  std::vector<std::string> ids;
  for (const auto& r : records) ids.push_back(std::string(std::invoke(id_of, r)));
  return ids;
}

// The record of `records` whose id is `id`, or nullptr (const when the range is).
template <typename Range, typename IdOf>
auto find_by_id(Range& records, std::string_view id, IdOf id_of) -> decltype(&*std::begin(records)) {
  for (auto& r : records)
    if (std::invoke(id_of, r) == id) return &r;
  return nullptr;
}

// The record whose id is `id`, else InputError: `not_found` with the id in place of its "{}", then
// " (did you mean 'x'?)" when an id is close, then `hint`. The message is built only on failure.
template <typename Range, typename IdOf>
auto& find_or_suggest(Range& records, const std::string& id, IdOf id_of, std::string_view not_found,
                      std::string_view hint = "") {
  if (auto* r = find_by_id(records, id, id_of)) return *r;
  throw InputError("{}{}{}", fmt::format(fmt::runtime(not_found), id), did_you_mean(id, ids_of(records, id_of)), hint);
}

// A catalog of one YAML file per id under data_dir(): each file is parsed once, on first use, and
// only the files asked for are parsed. `parse` reads one file; `stated_id`, when given, is the id
// the file states, held to its file name.
template <typename T>
class FileCatalog {
 public:
  FileCatalog(std::string subdir, std::function<T(const std::string& path)> parse,
              std::function<std::string(const T&)> stated_id = {})
      : subdir_(std::move(subdir)), parse_(std::move(parse)), stated_id_(std::move(stated_id)) {}

  // The record with this id, or nullptr when the folder holds no file for it.
  const T* find(const std::string& id) {
    if (auto it = parsed_.find(id); it != parsed_.end()) return &it->second;
    const auto path = catalog_file(subdir_, id);
    if (!path) return nullptr;
    T record = parse_(*path);
    if (stated_id_) check_catalog_id(*path, stated_id_(record), id);
    return &parsed_.emplace(id, std::move(record)).first->second;
  }

 private:
  std::string subdir_;
  std::function<T(const std::string&)> parse_;
  std::function<std::string(const T&)> stated_id_;
  std::map<std::string, T> parsed_;
};

}  // namespace ridgeline
