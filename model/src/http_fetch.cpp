// HTTP GET through libcurl, for hf: (model/src/hf_fetch.cpp): bounded bodies, Range requests,
// and every failure (offline, refused, cut short, oversized, an error status) as one InputError.
// libcurl is opened with dlopen on the first fetch, not linked: linked, it and the 30 libraries it
// needs (TLS, Kerberos, LDAP, ...) were relocated at every start, a third of a `predict` process.
#include "http_fetch.hpp"

#include <cstdlib>

#ifdef RIDGELINE_HAVE_CURL
#include <curl/curl.h>
#include <dlfcn.h>
#endif

#include "ridgeline/error.hpp"
#include "ridgeline/model_source.hpp"

namespace ridgeline::http {

std::string hub_endpoint() {
  for (const char* var : {"RIDGELINE_HF_ENDPOINT", "HF_ENDPOINT"})
    if (const char* v = std::getenv(var); v && *v) {
      std::string e = v;
      while (e.ends_with('/')) e.pop_back();
      return e;
    }
  return "https://huggingface.co";
}

#ifdef RIDGELINE_HAVE_CURL
namespace {
// The libcurl entry points this file uses, from the shared library opened at first use.
struct Curl {
  CURLcode (*global_init)(long) = nullptr;
  CURL* (*easy_init)() = nullptr;
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...) = nullptr;
  CURLcode (*easy_perform)(CURL*) = nullptr;
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...) = nullptr;
  void (*easy_cleanup)(CURL*) = nullptr;
  const char* (*easy_strerror)(CURLcode) = nullptr;
  curl_slist* (*slist_append)(curl_slist*, const char*) = nullptr;
  void (*slist_free_all)(curl_slist*) = nullptr;
  bool ok = false;
};

template <typename F>
void bind(void* lib, F& f, const char* name, bool& ok) {
  void* sym = lib ? dlsym(lib, name) : nullptr;
  f = reinterpret_cast<F>(sym);
  ok = ok && sym != nullptr;
}

const Curl& curl_library() {
  static const Curl c = [] {
    Curl k;
    void* lib = nullptr;
    for (const char* name : {"libcurl.so.4", "libcurl.so", "libcurl.4.dylib", "libcurl.dylib"})
      if ((lib = dlopen(name, RTLD_NOW | RTLD_LOCAL))) break;
    k.ok = lib != nullptr;
    bind(lib, k.global_init, "curl_global_init", k.ok);
    bind(lib, k.easy_init, "curl_easy_init", k.ok);
    bind(lib, k.easy_setopt, "curl_easy_setopt", k.ok);
    bind(lib, k.easy_perform, "curl_easy_perform", k.ok);
    bind(lib, k.easy_getinfo, "curl_easy_getinfo", k.ok);
    bind(lib, k.easy_cleanup, "curl_easy_cleanup", k.ok);
    bind(lib, k.easy_strerror, "curl_easy_strerror", k.ok);
    bind(lib, k.slist_append, "curl_slist_append", k.ok);
    bind(lib, k.slist_free_all, "curl_slist_free_all", k.ok);
    if (k.ok) k.ok = k.global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    return k;
  }();
  return c;
}

struct Transfer {
  std::string body;
  uint64_t limit = 0;
  bool over_limit = false;
  uint64_t content_range_total = 0;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (t->body.size() + n > t->limit) {
    t->over_limit = true;
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  t->body.append(data, n);
  return n;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  const size_t n = size * count;
  std::string line(data, n);
  std::string lower = line;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.starts_with("content-range:")) {
    if (auto slash = line.find('/'); slash != std::string::npos)
      static_cast<Transfer*>(user)->content_range_total = std::strtoull(line.c_str() + slash + 1, nullptr, 10);
  }
  return n;
}

}  // namespace

// One GET; a transport failure (offline, refused, timed out, cut short) is an InputError.
Response get(const std::string& spec, const std::string& url, uint64_t limit, const std::string& range) {
  const Curl& lc = curl_library();
  if (!lc.ok) throw InputError("{}: cannot start an HTTP client (libcurl could not be loaded: install libcurl 4)", spec);
  CURL* curl = lc.easy_init();
  if (!curl) throw InputError("{}: cannot start an HTTP client (libcurl failed to initialise)", spec);
  Transfer t;
  t.limit = limit;
  curl_slist* headers = nullptr;
  std::string auth;
  if (const char* token = std::getenv("HF_TOKEN"); token && *token) {
    auth = std::string("Authorization: Bearer ") + token;
    headers = lc.slist_append(headers, auth.c_str());
  }
  lc.easy_setopt(curl, CURLOPT_URL, url.c_str());
  lc.easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  lc.easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
  lc.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 15L);
  lc.easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1024L);  // give up on a stalled transfer
  lc.easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 30L);
  lc.easy_setopt(curl, CURLOPT_USERAGENT, "ridgeline");
  lc.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  lc.easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  lc.easy_setopt(curl, CURLOPT_WRITEDATA, &t);
  lc.easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  lc.easy_setopt(curl, CURLOPT_HEADERDATA, &t);
  if (headers) lc.easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  if (!range.empty()) lc.easy_setopt(curl, CURLOPT_RANGE, range.c_str());
  const CURLcode rc = lc.easy_perform(curl);
  Response r;
  lc.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  lc.slist_free_all(headers);
  lc.easy_cleanup(curl);
  if (t.over_limit)
    throw InputError("{}: {}: the response is larger than {} bytes{}", spec, url, limit,
                     range.empty() ? "" : " (the server ignored the Range request)");
  if (rc == CURLE_PARTIAL_FILE)
    throw InputError("{}: {}: the response was cut short ({})", spec, url, lc.easy_strerror(rc));
  if (rc != CURLE_OK)
    throw InputError("{}: cannot reach {} ({}); offline? Models fetched before are read from the cache {}",
                     spec, hub_endpoint(), lc.easy_strerror(rc), cache_dir());
  r.body = std::move(t.body);
  r.total_size = t.content_range_total ? t.content_range_total : r.body.size();
  return r;
}
#else
Response get(const std::string& spec, const std::string&, uint64_t, const std::string&) {
  throw InputError("{}: this ridgeline was built without libcurl, so it cannot fetch from the Hub; "
                   "download the model's config.json (or .gguf) and pass its path", spec);
}
#endif

std::optional<Response> fetch(const std::string& spec, const std::string& url, uint64_t limit,
                              const std::string& range, bool optional) {
  Response r = get(spec, url, limit, range);
  if (r.status >= 200 && r.status < 300) return r;
  if (r.status == 404 && optional) return std::nullopt;
  const char* why = r.status == 404                      ? " (no such repository or file)"
                    : r.status == 401 || r.status == 403 ? " (a gated or private repository: set HF_TOKEN)"
                    : r.status == 416                    ? " (range not satisfiable)"
                                                         : "";
  throw InputError("{}: {}: HTTP {}{}", spec, url, r.status, why);
}

}  // namespace ridgeline::http
