#pragma once
// Every reader opens its file through these: only regular files (a folder, device or pipe is
// refused by name), and never more bytes than the format can sensibly hold, so `/dev/zero` or a
// 40 GB file given by mistake is a one-line error, not a hang.
#include <cstdint>
#include <string>

namespace ridgeline {

// Text inputs (YAML, JSON, CSV, benchmark logs): far larger than any real one.
constexpr uint64_t kMaxTextFileBytes = uint64_t{64} << 20;

// The size of a regular file; InputError naming the file and `expected` (e.g. "a GGUF model")
// when it is missing, a folder or not a regular file.
uint64_t regular_file_size(const std::string& path, const char* expected);
// The whole file, refused when larger than `max_bytes`.
std::string read_file_capped(const std::string& path, uint64_t max_bytes, const char* expected);
// The first `count` bytes (fewer if the file is shorter).
std::string read_file_prefix(const std::string& path, uint64_t count, const char* expected);

}  // namespace ridgeline
