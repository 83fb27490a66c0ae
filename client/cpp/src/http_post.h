// A minimal HTTP/1.1 client for the reporters and the remote sampler: one
// request per connection, plain http only, bounded by a timeout.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace spoor::internal {

struct HttpUrl {
  std::string host;
  std::string port;
  std::string path;  // with the query string
};

// Parses http://host[:port]/path; false (with `error`) otherwise.
[[nodiscard]] bool ParseHttpUrl(const std::string& url, HttpUrl* out, std::string* error);

struct HttpResult {
  int status = 0;     // 0: no answer (see error)
  std::string body;   // the response body
  std::string error;  // what failed, when status is 0
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// `method` (GET or POST) with `body` of `content_type` (POST only) and
// `headers` besides.
[[nodiscard]] HttpResult HttpRequest(const HttpUrl& url, const std::string& method,
                                     const std::string& content_type, const std::string& body,
                                     std::chrono::milliseconds timeout,
                                     const HttpHeaders& headers = {});

}  // namespace spoor::internal
