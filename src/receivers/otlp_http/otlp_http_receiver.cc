#include "receivers/otlp_http/otlp_http_receiver.h"

#include "common/json_writer.h"
#include "common/strings.h"
#include "formats/otlp/otlp_decode.h"
#include "google/rpc/status.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "receivers/http_body.h"

namespace spoor {
namespace {

enum class BodyFormat { kProto, kJson };

constexpr const char* kRoute = "/v1/traces";
// gRPC status codes used in google.rpc.Status bodies.
constexpr int kGrpcInvalidArgument = 3;
constexpr int kGrpcResourceExhausted = 8;
constexpr int kGrpcUnimplemented = 12;
constexpr int kGrpcUnavailable = 14;

class OtlpHttpReceiver {
 public:
  OtlpHttpReceiver(const OtlpHttpOptions& options, SpanSink& sink)
      : options_(options),
        sink_(sink),
        proto_metrics_("http", "otlp_proto"),
        json_metrics_("http", "otlp_json") {}

  // Called by the server, before reading the body, for a body over the
  // limit; `req.body` holds the reason.
  HttpResponse TooLarge(const HttpRequest& req) {
    BodyFormat format = FormatOf(req);
    (format == BodyFormat::kJson ? json_metrics_ : proto_metrics_).requests_too_large.Inc();
    return Error(format, 413, kGrpcResourceExhausted, req.body);
  }

  HttpResponse Handle(const HttpRequest& req) {
    if (req.path != kRoute) {
      return HttpResponse::Text(
          404, "unknown path " + req.path + "; OTLP traces go to POST /v1/traces\n");
    }
    std::string content_type = MediaType(req);
    BodyFormat format = FormatOf(req);
    IngestMetrics& metrics = format == BodyFormat::kJson ? json_metrics_ : proto_metrics_;
    if (req.method != "POST") {
      metrics.requests_method_not_allowed.Inc();
      HttpResponse r =
          Error(format, 405, kGrpcUnimplemented, "method " + req.method + " not allowed; use POST");
      r.headers.emplace_back("Allow", "POST");
      return r;
    }
    if (content_type != "application/json" && content_type != "application/x-protobuf") {
      metrics.requests_unsupported_media_type.Inc();
      return Error(BodyFormat::kJson, 415, kGrpcInvalidArgument,
                   "unsupported Content-Type '" + std::string(req.Header("content-type")) +
                       "'; use application/x-protobuf or application/json");
    }

    std::string decompressed;
    std::string_view body;
    if (Status s = ReadHttpBody(req, options_.max_request_bytes, &decompressed, &body); !s.ok()) {
      switch (s.code()) {
        case StatusCode::kTooLarge:
          metrics.requests_too_large.Inc();
          return Error(format, 413, kGrpcResourceExhausted, s.message());
        case StatusCode::kUnsupported:
          metrics.requests_unsupported_media_type.Inc();
          return Error(format, 415, kGrpcInvalidArgument, s.message());
        default:
          metrics.requests_malformed.Inc();
          return Error(format, 400, kGrpcInvalidArgument, s.message());
      }
    }

    SpanBatch batch;
    DecodeStats stats;
    Status decoded = format == BodyFormat::kJson ? DecodeOtlpJson(body, &batch, &stats)
                                                 : DecodeOtlpProto(body, &batch, &stats);
    if (!decoded.ok()) {
      metrics.requests_malformed.Inc();
      return Error(format, 400, kGrpcInvalidArgument, decoded.message());
    }
    Status submitted = SubmitDecoded(sink_, std::move(batch), stats.rejected_spans, metrics);
    if (submitted.code() == StatusCode::kTooLarge) {
      return Error(format, 413, kGrpcInvalidArgument, submitted.message());  // not to be retried
    }
    if (!submitted.ok()) {
      HttpResponse r = Error(format, 503, kGrpcUnavailable, submitted.message());
      r.headers.emplace_back("Retry-After", "1");
      return r;
    }
    return Success(format, stats);
  }

 private:
  // Error bodies follow the request's encoding; JSON when it has none.
  static BodyFormat FormatOf(const HttpRequest& req) {
    return MediaType(req) == "application/x-protobuf" ? BodyFormat::kProto : BodyFormat::kJson;
  }

  static HttpResponse Success(BodyFormat format, const DecodeStats& stats) {
    HttpResponse r;
    r.route = kRoute;
    if (format == BodyFormat::kJson) {
      r.content_type = "application/json";
      if (stats.rejected_spans == 0) {
        r.body = "{}";
      } else {
        JsonWriter w(r.body);
        w.BeginObject().Key("partialSuccess").BeginObject();
        w.Field("rejectedSpans", std::to_string(stats.rejected_spans));
        w.Field("errorMessage", stats.rejection_reason);
        w.EndObject().EndObject();
      }
    } else {
      r.content_type = "application/x-protobuf";
      opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse response;
      if (stats.rejected_spans > 0) {
        response.mutable_partial_success()->set_rejected_spans(
            static_cast<int64_t>(stats.rejected_spans));
        response.mutable_partial_success()->set_error_message(stats.rejection_reason);
      }
      r.body = response.SerializeAsString();
    }
    return r;
  }

  static HttpResponse Error(BodyFormat format, int http_status, int grpc_code,
                            const std::string& message) {
    HttpResponse r;
    r.status = http_status;
    r.route = kRoute;
    if (format == BodyFormat::kJson) {
      r.content_type = "application/json";
      JsonWriter w(r.body);
      w.BeginObject().FieldInt("code", grpc_code).Field("message", message).EndObject();
    } else {
      r.content_type = "application/x-protobuf";
      google::rpc::Status status;
      status.set_code(grpc_code);
      status.set_message(message);
      r.body = status.SerializeAsString();
    }
    return r;
  }

  const OtlpHttpOptions options_;
  SpanSink& sink_;
  IngestMetrics proto_metrics_;
  IngestMetrics json_metrics_;
};

}  // namespace

OtlpHttpHandlers NewOtlpHttpHandlers(const OtlpHttpOptions& options, SpanSink& sink) {
  auto receiver = std::make_shared<OtlpHttpReceiver>(options, sink);
  return {[receiver](const HttpRequest& req) { return receiver->Handle(req); },
          [receiver](const HttpRequest& req) { return receiver->TooLarge(req); }};
}

}  // namespace spoor
