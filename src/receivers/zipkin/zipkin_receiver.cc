#include "receivers/zipkin/zipkin_receiver.h"

#include <memory>

#include "formats/zipkin/zipkin_decode.h"

namespace spoor {
namespace {

constexpr const char* kRouteV2 = "/api/v2/spans";

HttpResponse Text(int status, std::string message) {
  HttpResponse r = HttpResponse::Text(status, std::move(message) + "\n");
  r.route = kRouteV2;
  return r;
}

class ZipkinReceiver {
 public:
  ZipkinReceiver(const ZipkinOptions& options, Pipeline& pipeline)
      : options_(options), pipeline_(pipeline), metrics_("http", "zipkin_json") {}

  HttpResponse Handle(const HttpRequest& req) {
    if (req.path == "/api/v1/spans") {
      metrics_.requests_unsupported_media_type.Inc();
      return Text(415, "Zipkin v1 spans are not supported yet; send v2 JSON to POST /api/v2/spans");
    }
    if (req.path != kRouteV2) {
      return HttpResponse::Text(
          404, "unknown path " + req.path + "; Zipkin spans go to POST /api/v2/spans\n");
    }
    if (req.method != "POST") {
      metrics_.requests_method_not_allowed.Inc();
      HttpResponse r = Text(405, "method " + req.method + " not allowed; use POST");
      r.headers.emplace_back("Allow", "POST");
      return r;
    }
    std::string type = MediaType(req);
    if (!type.empty() && type != "application/json") {
      metrics_.requests_unsupported_media_type.Inc();
      return Text(415, "unsupported Content-Type '" + std::string(req.Header("content-type")) +
                           "'; use application/json");
    }
    std::string storage;
    std::string_view body;
    if (Status s = ReadHttpBody(req, options_.max_request_bytes, &storage, &body); !s.ok()) {
      if (s.code() == StatusCode::kTooLarge) {
        metrics_.requests_too_large.Inc();
        return Text(413, s.message());
      }
      if (s.code() == StatusCode::kUnsupported) {
        metrics_.requests_unsupported_media_type.Inc();
        return Text(415, s.message());
      }
      metrics_.requests_malformed.Inc();
      return Text(400, s.message());
    }
    SpanBatch batch;
    DecodeStats stats;
    if (Status s = DecodeZipkinV2Json(body, &batch, &stats); !s.ok()) {
      metrics_.requests_malformed.Inc();
      return Text(400, s.message());
    }
    metrics_.spans_received.Inc(batch.SpanCount() + stats.rejected_spans);
    metrics_.spans_refused_invalid.Inc(stats.rejected_spans);
    if (Status s = pipeline_.Submit(std::move(batch), metrics_); !s.ok()) {
      HttpResponse r = Text(503, s.message());
      r.headers.emplace_back("Retry-After", "1");
      return r;
    }
    HttpResponse r;
    r.status = 202;
    r.route = kRouteV2;
    r.content_type.clear();
    return r;
  }

  HttpResponse TooLarge(const HttpRequest& req) {
    metrics_.requests_too_large.Inc();
    return Text(413, req.body);
  }

 private:
  const ZipkinOptions options_;
  Pipeline& pipeline_;
  IngestMetrics metrics_;
};

}  // namespace

HttpReceiverHandlers NewZipkinHandlers(const ZipkinOptions& options, Pipeline& pipeline) {
  auto receiver = std::make_shared<ZipkinReceiver>(options, pipeline);
  return {[receiver](const HttpRequest& req) { return receiver->Handle(req); },
          [receiver](const HttpRequest& req) { return receiver->TooLarge(req); }};
}

}  // namespace spoor
