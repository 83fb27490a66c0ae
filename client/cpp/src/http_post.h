// A minimal HTTP/1.1 client for the reporters and the remote sampler: one
// request per connection, http or https, bounded by a timeout.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "spoor/reporter.h"

namespace spoor::internal {

struct HttpUrl {
  std::string host;
  std::string port;
  std::string path;  // with the query string
  bool https = false;
};

// Parses http[s]://host[:port]/path; false (with `error`) otherwise.
[[nodiscard]] bool ParseHttpUrl(const std::string& url, HttpUrl* out, std::string* error);

// The OpenSSL context of https requests, made once from TlsOptions: the
// server verified against the CA file (the system's CAs when empty) and by
// name, a client certificate when one is given.
class TlsClientContext {
 public:
  // Null with `error` saying which file could not be used.
  [[nodiscard]] static std::shared_ptr<TlsClientContext> Create(const TlsOptions& options,
                                                                std::string* error);
  ~TlsClientContext();
  TlsClientContext(const TlsClientContext&) = delete;
  TlsClientContext& operator=(const TlsClientContext&) = delete;

  [[nodiscard]] void* native() const { return ctx_; }  // SSL_CTX*
  [[nodiscard]] const TlsOptions& options() const { return options_; }

 private:
  TlsClientContext(TlsOptions options, void* ctx) : options_(std::move(options)), ctx_(ctx) {}
  TlsOptions options_;
  void* ctx_;
};

struct HttpResult {
  int status = 0;     // 0: no answer (see error)
  std::string body;   // the response body
  std::string error;  // what failed, when status is 0
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// `method` (GET or POST) with `body` of `content_type` (POST only) and
// `headers` besides. An https URL needs `tls` (an error otherwise).
[[nodiscard]] HttpResult HttpRequest(const HttpUrl& url, const std::string& method,
                                     const std::string& content_type, const std::string& body,
                                     std::chrono::milliseconds timeout,
                                     const HttpHeaders& headers = {},
                                     const TlsClientContext* tls = nullptr);

}  // namespace spoor::internal
