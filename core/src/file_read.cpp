#include "ridgeline/file_read.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "ridgeline/error.hpp"

namespace ridgeline {

uint64_t regular_file_size(const std::string& path, const char* expected) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw InputError("{}: cannot read the file ({})", path, std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw InputError("{}: is a folder; expected {}", path, expected);
  if (!S_ISREG(st.st_mode))
    throw InputError("{}: not a regular file (a device, pipe or socket); expected {}", path, expected);
  return static_cast<uint64_t>(st.st_size);
}

std::string read_file_prefix(const std::string& path, uint64_t count, const char* expected) {
  const uint64_t size = regular_file_size(path, expected);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("{}: cannot read the file ({})", path, std::strerror(errno));
  std::string out(static_cast<size_t>(std::min(size, count)), '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  out.resize(static_cast<size_t>(in.gcount()));  // the file may have shrunk since stat
  if (in.bad()) throw InputError("{}: cannot read the file", path);
  return out;
}

std::string read_file_capped(const std::string& path, uint64_t max_bytes, const char* expected) {
  const uint64_t size = regular_file_size(path, expected);
  if (size > max_bytes)
    throw InputError("{}: {} bytes is larger than {} can be (at most {} bytes)", path, size, expected, max_bytes);
  return read_file_prefix(path, max_bytes, expected);
}

}  // namespace ridgeline
