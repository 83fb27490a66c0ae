#include "receivers/http_body.h"

#include "common/gzip.h"
#include "common/strings.h"

namespace spoor {

std::string MediaType(const HttpRequest& req) {
  std::string_view value = req.Header("content-type");
  return ToLower(Trim(value.substr(0, value.find(';'))));
}

Status ReadHttpBody(const HttpRequest& req, size_t max_bytes, std::string* storage,
                    std::string_view* body) {
  std::string encoding = ToLower(Trim(req.Header("content-encoding")));
  if (encoding == "gzip" || encoding == "deflate") {
    if (Status s = GunzipLimited(req.body, max_bytes, storage); !s.ok()) return s;
    *body = *storage;
  } else if (encoding.empty() || encoding == "identity") {
    *body = req.body;
  } else {
    return {StatusCode::kUnsupported,
            "unsupported Content-Encoding '" + encoding + "'; use gzip or none"};
  }
  if (body->size() > max_bytes) {
    return {StatusCode::kTooLarge, "request body of " + std::to_string(body->size()) +
                                       " bytes exceeds the limit of " + std::to_string(max_bytes) +
                                       " bytes"};
  }
  return Status::Ok();
}

}  // namespace spoor
