#include "receivers/zipkin/zipkin_receiver.h"

#include <memory>

#include "formats/zipkin/zipkin_decode.h"

namespace spoor {
namespace {

const std::string kRouteV1 = "/api/v1/spans";
const std::string kRouteV2 = "/api/v2/spans";

bool IsJson(const std::string& type) {
  return type.empty() || type == "application/json";
}

bool IsProtobuf(const std::string& type) {
  return type == "application/x-protobuf" || type == "application/protobuf";
}

bool IsThrift(const std::string& type) {
  return type == "application/x-thrift" || type == "application/vnd.apache.thrift.binary";
}

class ZipkinReceiver {
 public:
  ZipkinReceiver(const ZipkinOptions& options, SpanSink& sink)
      : options_(options),
        sink_(sink),
        json_metrics_("http", "zipkin_json"),
        proto_metrics_("http", "zipkin_proto"),
        thrift_metrics_("http", "zipkin_thrift") {}

  HttpResponse Handle(const HttpRequest& req) {
    const bool v1 = req.path == kRouteV1;
    if (!v1 && req.path != kRouteV2) {
      return HttpResponse::Text(404, "unknown path " + req.path +
                                         "; Zipkin spans go to POST /api/v2/spans or "
                                         "/api/v1/spans\n");
    }
    const std::string& route = v1 ? kRouteV1 : kRouteV2;
    const std::string type = MediaType(req);
    if (req.method != "POST") {
      MetricsFor(v1, type).requests_method_not_allowed.Inc();
      HttpResponse r = TextAnswer(405, "method " + req.method + " not allowed; use POST", route);
      r.headers.emplace_back("Allow", "POST");
      return r;
    }
    if (IsJson(type)) {
      return Ingest(req, v1 ? DecodeZipkinV1Json : DecodeZipkinV2Json, json_metrics_, route);
    }
    if (!v1 && IsProtobuf(type)) return Ingest(req, DecodeZipkinV2Proto, proto_metrics_, route);
    if (v1 && IsThrift(type)) return Ingest(req, DecodeZipkinV1Thrift, thrift_metrics_, route);
    json_metrics_.requests_unsupported_media_type.Inc();
    return TextAnswer(415,
                      "unsupported Content-Type '" + std::string(req.Header("content-type")) +
                          "' for " + route + "; use application/json or " +
                          (v1 ? "application/x-thrift" : "application/x-protobuf"),
                      route);
  }

  HttpResponse TooLarge(const HttpRequest& req) {
    const bool v1 = req.path == kRouteV1;
    MetricsFor(v1, MediaType(req)).requests_too_large.Inc();
    return TextAnswer(413, req.body, v1 ? kRouteV1 : kRouteV2);
  }

 private:
  HttpResponse Ingest(const HttpRequest& req, const BatchDecoder& decode, IngestMetrics& metrics,
                      const std::string& route) {
    return IngestHttpBody(req, options_.max_request_bytes, decode, sink_, metrics, route);
  }

  // The counters of the format a request announces (JSON when unknown).
  IngestMetrics& MetricsFor(bool v1, const std::string& type) {
    if (!v1 && IsProtobuf(type)) return proto_metrics_;
    if (v1 && IsThrift(type)) return thrift_metrics_;
    return json_metrics_;
  }

  const ZipkinOptions options_;
  SpanSink& sink_;
  IngestMetrics json_metrics_;
  IngestMetrics proto_metrics_;
  IngestMetrics thrift_metrics_;
};

}  // namespace

HttpReceiverHandlers NewZipkinHandlers(const ZipkinOptions& options, SpanSink& sink) {
  auto receiver = std::make_shared<ZipkinReceiver>(options, sink);
  return {[receiver](const HttpRequest& req) { return receiver->Handle(req); },
          [receiver](const HttpRequest& req) { return receiver->TooLarge(req); }};
}

}  // namespace spoor
