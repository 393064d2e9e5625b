#pragma once
// HTTP GET for hf: (private to model/src). `spec` is what the user typed, for the error messages.
#include <cstdint>
#include <optional>
#include <string>

namespace ridgeline::http {

struct Response {
  long status = 0;
  std::string body;
  uint64_t total_size = 0;  // the whole file's size (Content-Range), or the body's size
};

// $RIDGELINE_HF_ENDPOINT, else $HF_ENDPOINT, else https://huggingface.co (no trailing slash).
std::string hub_endpoint();
// One GET of at most `limit` bytes (`range` "FIRST-LAST" or empty); transport failures are InputError.
Response get(const std::string& spec, const std::string& url, uint64_t limit, const std::string& range);
// A 2xx response, or an InputError saying what the status means; a 404 gives nullopt when `optional`.
std::optional<Response> fetch(const std::string& spec, const std::string& url, uint64_t limit,
                              const std::string& range = "", bool optional = false);

}  // namespace ridgeline::http
