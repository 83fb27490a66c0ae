#include "receivers/otlp_grpc/otlp_grpc_receiver.h"

#include <grpcpp/grpcpp.h>

#include "formats/otlp/otlp_decode.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "receivers/grpc_ingest.h"

namespace spoor {
namespace {

namespace otlp = opentelemetry::proto::collector::trace::v1;

// The raw callback API: the request arrives as bytes, so that a malformed
// message reaches our decoder (and gets INVALID_ARGUMENT with a message and
// a count) instead of failing inside the gRPC library with INTERNAL.
class TraceServiceImpl final
    : public otlp::TraceService::WithRawCallbackMethod_Export<otlp::TraceService::Service> {
 public:
  TraceServiceImpl(SpanSink& sink, AuthPolicy auth, TenantSinks tenants)
      : sink_(sink),
        auth_(std::move(auth)),
        tenants_(std::move(tenants)),
        metrics_("grpc", "otlp_proto") {}

  grpc::ServerUnaryReactor* Export(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override {
    DecodeStats stats;
    grpc::Status status = AuthenticateGrpcCall(*context, auth_, "otlp_grpc");
    SpanSink* sink = &sink_;
    if (status.ok() && tenants_.enabled())
      status = PickGrpcSink(tenants_, *context, "otlp_grpc", &sink);
    if (status.ok()) status = IngestGrpcRequest(*request, DecodeOtlpProto, *sink, metrics_, &stats);
    if (status.ok()) {
      otlp::ExportTraceServiceResponse reply;
      if (stats.rejected_spans > 0) {
        reply.mutable_partial_success()->set_rejected_spans(
            static_cast<int64_t>(stats.rejected_spans));
        reply.mutable_partial_success()->set_error_message(stats.rejection_reason);
      }
      SetGrpcResponse(reply.SerializeAsString(), response);
    }
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(status);
    return reactor;
  }

 private:
  SpanSink& sink_;
  AuthPolicy auth_;
  TenantSinks tenants_;  // enabled: each call's tenant picks the sink
  IngestMetrics metrics_;
};

class Receiver final : public OtlpGrpcReceiver {
 public:
  Receiver(const OtlpGrpcOptions& options, SpanSink& sink)
      : options_(options),
        service_(sink, options.auth, options.tenants),
        server_("otlp_grpc", {&service_}) {}

  Status Start() override {
    return server_.Start(options_.host, options_.port, options_.max_message_bytes, options_.tls);
  }
  void Stop() override { server_.Stop(); }
  uint16_t port() const override { return server_.port(); }

 private:
  OtlpGrpcOptions options_;
  TraceServiceImpl service_;
  GrpcServiceServer server_;
};

}  // namespace

std::unique_ptr<OtlpGrpcReceiver> NewOtlpGrpcReceiver(const OtlpGrpcOptions& options,
                                                      SpanSink& sink) {
  return std::make_unique<Receiver>(options, sink);
}

}  // namespace spoor
