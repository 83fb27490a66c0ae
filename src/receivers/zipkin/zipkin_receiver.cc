#include "receivers/zipkin/zipkin_receiver.h"

#include <memory>

#include "formats/zipkin/zipkin_decode.h"

namespace spoor {
namespace {

constexpr const char* kRouteV2 = "/api/v2/spans";

HttpResponse Text(int status, std::string message) {
  return TextAnswer(status, std::move(message), kRouteV2);
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
    return IngestHttpBody(req, options_.max_request_bytes, DecodeZipkinV2Json, pipeline_, metrics_,
                          kRouteV2);
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
