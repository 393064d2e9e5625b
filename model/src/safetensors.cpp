// .safetensors headers (format: github.com/huggingface/safetensors, "Format" section): an 8-byte
// little-endian header length, then a JSON object mapping each tensor name to its dtype, shape
// and [begin, end) byte offsets into the data that follows. Only the header is read.
#include <algorithm>
#include <map>

#include "ridgeline/file_read.hpp"
#include "ridgeline/model_source.hpp"
#include "ridgeline/strict_reader.hpp"

namespace ridgeline {

namespace {
// Bytes per element of the dtypes whose size is fixed; others are counted by their offsets only.
int dtype_bytes(const std::string& dtype) {
  static const std::map<std::string, int> sizes = {
      {"F64", 8}, {"I64", 8}, {"U64", 8}, {"F32", 4}, {"I32", 4}, {"U32", 4}, {"F16", 2}, {"BF16", 2},
      {"I16", 2}, {"U16", 2}, {"I8", 1}, {"U8", 1}, {"BOOL", 1}, {"F8_E4M3", 1}, {"F8_E5M2", 1}, {"F8_E8M0", 1}};
  auto it = sizes.find(dtype);
  return it == sizes.end() ? 0 : it->second;
}

}  // namespace

uint64_t safetensors_header_length(const std::string& first8) {
  uint64_t v = 0;
  for (size_t i = std::min<size_t>(first8.size(), 8); i-- > 0;) v = (v << 8) | static_cast<unsigned char>(first8[i]);
  return v;
}

SafetensorsInfo parse_safetensors_header(const std::string& header_json, uint64_t data_bytes, const std::string& label) {
  const Node root = load_document_text(header_json, label);
  if (!root.is_map()) throw InputError("{}: header is not a JSON object", label);
  SafetensorsInfo info;
  std::map<std::string, double> by_dtype;
  for (const auto& entry : root.entries()) {
    const std::string& name = entry.key;
    if (name == "__metadata__") continue;
    const std::string where = fmt::format("{}: tensor '{}'", label, name);
    MapReader t(entry.value, where);
    const std::string dtype = t.str("dtype");
    const std::vector<double> shape = t.number_list("shape", 0, 1e15);
    const std::vector<double> offsets = t.number_list("data_offsets", 0, static_cast<double>(data_bytes));
    t.finish();
    if (offsets.size() != 2 || offsets[1] < offsets[0])
      throw InputError("{}: data_offsets must be [begin, end] with begin <= end", where);
    const double bytes = offsets[1] - offsets[0];
    double elements = 1;
    for (double d : shape) elements *= d;
    if (int size = dtype_bytes(dtype); size > 0 && elements * size != bytes)
      throw InputError("{}: {} x {} bytes of {} disagree with its data_offsets span of {} bytes", where,
                       elements, size, dtype, bytes);
    info.tensor_bytes += bytes;
    info.tensor_count += 1;
    by_dtype[dtype] += bytes;
  }
  for (const auto& [dtype, bytes] : by_dtype)
    if (info.majority_dtype.empty() || bytes > by_dtype[info.majority_dtype]) info.majority_dtype = dtype;
  return info;
}

SafetensorsInfo read_safetensors_header(const std::string& path) {
  const uint64_t size = regular_file_size(path, "a .safetensors file");
  if (size < 8) throw InputError("{}: {} bytes, shorter than a safetensors header length", path, size);
  const uint64_t n = safetensors_header_length(read_file_prefix(path, 8, "a .safetensors file"));
  if (n > kMaxSafetensorsHeaderBytes || n > size - 8)
    throw InputError("{}: header length {} is beyond the file's {} bytes or the format's limit of {} "
                     "(truncated download or not a safetensors file)", path, n, size, kMaxSafetensorsHeaderBytes);
  const std::string header = read_file_prefix(path, 8 + n, "a .safetensors file").substr(8);
  return parse_safetensors_header(header, size - 8 - n, path);
}

}  // namespace ridgeline
