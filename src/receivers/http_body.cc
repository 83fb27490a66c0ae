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

HttpResponse TextAnswer(int status, std::string message, const std::string& route) {
  HttpResponse r = HttpResponse::Text(status, std::move(message) + "\n");
  r.route = route;
  return r;
}

HttpResponse IngestHttpBody(const HttpRequest& req, size_t max_bytes, const BatchDecoder& decode,
                            SpanSink& sink, IngestMetrics& metrics, const std::string& route) {
  std::string storage;
  std::string_view body;
  if (Status s = ReadHttpBody(req, max_bytes, &storage, &body); !s.ok()) {
    switch (s.code()) {
      case StatusCode::kTooLarge:
        metrics.requests_too_large.Inc();
        return TextAnswer(413, s.message(), route);
      case StatusCode::kUnsupported:
        metrics.requests_unsupported_media_type.Inc();
        return TextAnswer(415, s.message(), route);
      default: metrics.requests_malformed.Inc(); return TextAnswer(400, s.message(), route);
    }
  }
  SpanBatch batch;
  DecodeStats stats;
  if (Status s = decode(body, &batch, &stats); !s.ok()) {
    metrics.requests_malformed.Inc();
    return TextAnswer(400, "unable to process request body: " + s.message(), route);
  }
  if (Status s = SubmitDecoded(sink, std::move(batch), stats.rejected_spans, metrics); !s.ok()) {
    if (s.code() == StatusCode::kTooLarge) return TextAnswer(413, s.message(), route);
    HttpResponse r = TextAnswer(503, s.message(), route);
    r.headers.emplace_back("Retry-After", "1");
    return r;
  }
  HttpResponse r;
  r.status = 202;
  r.route = route;
  r.content_type.clear();
  return r;
}

}  // namespace spoor
