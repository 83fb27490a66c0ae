#include "receivers/jaeger/jaeger_receivers.h"

#include <memory>

#include "common/log.h"

namespace spoor {
namespace {

constexpr const char* kRoute = "/api/traces";

HttpResponse Text(int status, std::string message) {
  return TextAnswer(status, std::move(message), kRoute);
}

class JaegerHttpReceiver {
 public:
  JaegerHttpReceiver(const JaegerHttpOptions& options, SpanSink& sink)
      : options_(options), sink_(sink), metrics_("http", "jaeger_thrift") {}

  HttpResponse Handle(const HttpRequest& req) {
    if (req.path == "/api/sampling" && options_.sampling) {
      HttpResponse r = options_.sampling(req);
      r.route = "/api/sampling";
      return r;
    }
    if (req.path != kRoute) {
      return HttpResponse::Text(
          404, "unknown path " + req.path + "; Jaeger Thrift spans go to POST /api/traces\n");
    }
    if (req.method != "POST") {
      metrics_.requests_method_not_allowed.Inc();
      HttpResponse r = Text(405, "method " + req.method + " not allowed; use POST");
      r.headers.emplace_back("Allow", "POST");
      return r;
    }
    std::string type = MediaType(req);
    if (type != "application/x-thrift" && type != "application/vnd.apache.thrift.binary") {
      metrics_.requests_unsupported_media_type.Inc();
      // Jaeger answers 400 here; clients only look at the status class.
      return Text(400, "unsupported Content-Type '" + std::string(req.Header("content-type")) +
                           "'; use application/x-thrift or application/vnd.apache.thrift.binary");
    }
    return IngestHttpBody(
        req, options_.max_request_bytes,
        [](std::string_view body, SpanBatch* batch, DecodeStats* stats) {
          return DecodeJaegerThriftBatch(body, ThriftProtocol::kBinary, batch, stats);
        },
        sink_, metrics_, kRoute);
  }

  HttpResponse TooLarge(const HttpRequest& req) {
    metrics_.requests_too_large.Inc();
    return Text(413, req.body);
  }

 private:
  const JaegerHttpOptions options_;
  SpanSink& sink_;
  IngestMetrics metrics_;
};

}  // namespace

UdpHandler NewJaegerAgentHandler(ThriftProtocol protocol, SpanSink& sink) {
  auto metrics = std::make_shared<IngestMetrics>(
      "udp", protocol == ThriftProtocol::kCompact ? "jaeger_compact" : "jaeger_binary");
  return [protocol, &sink, metrics](std::string_view datagram) {
    SpanBatch batch;
    DecodeStats stats;
    if (Status s = DecodeJaegerAgentPacket(datagram, protocol, &batch, &stats); !s.ok()) {
      metrics->requests_malformed.Inc();
      LogDebug("dropped a malformed ", metrics->format, " datagram of ", datagram.size(),
               " bytes: ", s.message());
      return;
    }
    // Refusals are counted in metrics: a datagram has no one to answer.
    (void)SubmitDecoded(sink, std::move(batch), stats.rejected_spans, *metrics);
  };
}

HttpReceiverHandlers NewJaegerHttpHandlers(const JaegerHttpOptions& options, SpanSink& sink) {
  auto receiver = std::make_shared<JaegerHttpReceiver>(options, sink);
  return {[receiver](const HttpRequest& req) { return receiver->Handle(req); },
          [receiver](const HttpRequest& req) { return receiver->TooLarge(req); }};
}

}  // namespace spoor
