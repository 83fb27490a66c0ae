#include "receivers/jaeger_grpc/jaeger_grpc_receiver.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "formats/jaeger_proto/jaeger_proto_decode.h"
#include "jaeger/api_v2/collector.grpc.pb.h"

namespace spoor {
namespace {

namespace pb = jaeger::api_v2;

// The raw callback API, as for OTLP/gRPC: a malformed message reaches our
// decoder (INVALID_ARGUMENT with a message) instead of failing inside the
// gRPC library.
class CollectorServiceImpl final
    : public pb::CollectorService::WithRawCallbackMethod_PostSpans<pb::CollectorService::Service> {
 public:
  explicit CollectorServiceImpl(Pipeline& pipeline)
      : pipeline_(pipeline), metrics_("grpc", "jaeger_proto") {}

  grpc::ServerUnaryReactor* PostSpans(grpc::CallbackServerContext* context,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(Handle(*request, response));
    return reactor;
  }

 private:
  grpc::Status Handle(const grpc::ByteBuffer& request, grpc::ByteBuffer* response) {
    std::vector<grpc::Slice> slices;
    if (!request.Dump(&slices).ok()) return {grpc::StatusCode::INTERNAL, "cannot read the request"};
    std::string bytes;
    if (slices.size() == 1) {
      bytes.assign(reinterpret_cast<const char*>(slices[0].begin()), slices[0].size());
    } else {
      for (const grpc::Slice& slice : slices)
        bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
    }
    SpanBatch batch;
    DecodeStats stats;
    Status decoded = DecodeJaegerPostSpans(bytes, &batch, &stats);
    if (!decoded.ok()) {
      metrics_.requests_malformed.Inc();
      return {grpc::StatusCode::INVALID_ARGUMENT, decoded.message()};
    }
    metrics_.spans_received.Inc(batch.SpanCount() + stats.rejected_spans);
    metrics_.spans_refused_invalid.Inc(stats.rejected_spans);
    Status submitted = pipeline_.Submit(std::move(batch), metrics_);
    if (!submitted.ok()) return {grpc::StatusCode::UNAVAILABLE, submitted.message()};
    // PostSpansResponse has no fields: its encoding is empty.
    grpc::Slice slice(std::string{});
    *response = grpc::ByteBuffer(&slice, 1);
    return grpc::Status::OK;
  }

  Pipeline& pipeline_;
  IngestMetrics metrics_;
};

class GrpcReceiver final : public JaegerGrpcReceiver {
 public:
  GrpcReceiver(const JaegerGrpcOptions& options, Pipeline& pipeline)
      : options_(options), service_(pipeline) {}
  ~GrpcReceiver() override { Stop(); }

  Status Start() override {
    grpc::ServerBuilder builder;
    int selected_port = 0;
    std::string address = options_.host + ":" + std::to_string(options_.port);
    builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &selected_port);
    builder.SetMaxReceiveMessageSize(static_cast<int>(options_.max_message_bytes));
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    if (!server_ || selected_port == 0) {
      server_.reset();
      return Unavailable("cannot listen on " + address + " (jaeger_grpc)");
    }
    port_ = static_cast<uint16_t>(selected_port);
    return Status::Ok();
  }

  void Stop() override {
    if (!server_) return;
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    server_->Wait();
    server_.reset();
  }

  uint16_t port() const override { return port_; }

 private:
  JaegerGrpcOptions options_;
  CollectorServiceImpl service_;
  std::unique_ptr<grpc::Server> server_;
  uint16_t port_ = 0;
};

}  // namespace

std::unique_ptr<JaegerGrpcReceiver> NewJaegerGrpcReceiver(const JaegerGrpcOptions& options,
                                                          Pipeline& pipeline) {
  return std::make_unique<GrpcReceiver>(options, pipeline);
}

}  // namespace spoor
