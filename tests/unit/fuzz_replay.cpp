// Replays inputs through the fuzz harness without libFuzzer: every kept crasher, and every file
// of the bad-input corpus through every parser. Passing means no crash and no exception other
// than InputError (the harness aborts on anything else).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  int runs = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(argv[1])) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const bool crasher = entry.path().parent_path().filename() == "fuzz_crashers";
    for (int selector : {0, 1, 2, 3, 4, 5, 6, 7, 0xF0, 0xF1, 0xF2, 0xF3}) {
      std::string input = crasher ? bytes : std::string(1, static_cast<char>(selector)) + bytes;
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
      ++runs;
      if (crasher) break;
    }
  }
  std::cout << "replayed " << runs << " inputs without a crash\n";
  return runs > 0 ? 0 : 1;
}
