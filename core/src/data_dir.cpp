#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "ridgeline/data_dir.hpp"

#ifdef __APPLE__
#include <mach-o/dyld.h>
#endif

namespace ridgeline {

namespace fs = std::filesystem;

namespace {
// The running binary's path, or empty when the platform does not say.
fs::path executable_path() {
  std::error_code ec;
#ifdef __APPLE__
  char buffer[4096];
  uint32_t size = sizeof buffer;
  if (_NSGetExecutablePath(buffer, &size) != 0) return {};
  fs::path p = fs::canonical(buffer, ec);
#else
  fs::path p = fs::canonical("/proc/self/exe", ec);
#endif
  return ec ? fs::path{} : p;
}
}  // namespace

// RIDGELINE_DATA first (a user's own copy), then the installed layout <prefix>/bin/ridgeline with
// <prefix>/share/ridgeline, then the source tree the binary was built from (a build directory).
std::string data_dir() {
  if (const char* env = std::getenv("RIDGELINE_DATA"); env && *env) return env;
  if (const fs::path exe = executable_path(); !exe.empty()) {
    const fs::path installed = exe.parent_path().parent_path() / RIDGELINE_INSTALL_DATA_SUBDIR;
    std::error_code ec;
    if (fs::is_directory(installed / "hardware_profiles", ec)) return installed.string();
  }
  return RIDGELINE_SOURCE_DIR;
}

}  // namespace ridgeline
