#include "receivers/jaeger_grpc/jaeger_grpc_receiver.h"

#include <grpcpp/grpcpp.h>

#include "formats/jaeger_proto/jaeger_proto_decode.h"
#include "jaeger/api_v2/collector.grpc.pb.h"
#include "receivers/grpc_ingest.h"
#include "receivers/jaeger_grpc/sampling_manager.h"

namespace spoor {
namespace {

namespace pb = jaeger::api_v2;

// The raw callback API, as for OTLP/gRPC: a malformed message reaches our
// decoder (INVALID_ARGUMENT with a message) instead of failing inside the
// gRPC library.
class CollectorServiceImpl final
    : public pb::CollectorService::WithRawCallbackMethod_PostSpans<pb::CollectorService::Service> {
 public:
  CollectorServiceImpl(SpanSink& sink, AuthPolicy auth, TenantSinks tenants)
      : sink_(sink),
        auth_(std::move(auth)),
        tenants_(std::move(tenants)),
        metrics_("grpc", "jaeger_proto") {}

  grpc::ServerUnaryReactor* PostSpans(grpc::CallbackServerContext* context,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override {
    DecodeStats stats;
    grpc::Status status = AuthenticateGrpcCall(*context, auth_, "jaeger_grpc");
    SpanSink* sink = &sink_;
    if (status.ok() && tenants_.enabled())
      status = PickGrpcSink(tenants_, *context, "jaeger_grpc", &sink);
    if (status.ok()) {
      status = IngestGrpcRequest(*request, DecodeJaegerPostSpans, *sink, metrics_, &stats);
    }
    // PostSpansResponse has no fields: its encoding is empty.
    if (status.ok()) SetGrpcResponse({}, response);
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

class Receiver final : public JaegerGrpcReceiver {
 public:
  Receiver(const JaegerGrpcOptions& options, SpanSink& sink, const StrategiesHolder* strategies)
      : options_(options),
        service_(sink, options.auth, options.tenants),
        sampling_(strategies ? NewSamplingManagerService(*strategies) : nullptr),
        server_("jaeger_grpc", Services()) {}

  Status Start() override {
    return server_.Start(options_.host, options_.port, options_.max_message_bytes, options_.tls);
  }
  void Stop() override { server_.Stop(); }
  uint16_t port() const override { return server_.port(); }

 private:
  std::vector<grpc::Service*> Services() {
    std::vector<grpc::Service*> services{&service_};
    if (sampling_) services.push_back(sampling_.get());
    return services;
  }

  JaegerGrpcOptions options_;
  CollectorServiceImpl service_;
  std::unique_ptr<grpc::Service> sampling_;
  GrpcServiceServer server_;
};

}  // namespace

std::unique_ptr<JaegerGrpcReceiver> NewJaegerGrpcReceiver(const JaegerGrpcOptions& options,
                                                          SpanSink& sink,
                                                          const StrategiesHolder* strategies) {
  return std::make_unique<Receiver>(options, sink, strategies);
}

}  // namespace spoor
