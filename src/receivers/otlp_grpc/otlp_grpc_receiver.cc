#include "receivers/otlp_grpc/otlp_grpc_receiver.h"

#include <grpcpp/grpcpp.h>

#include <chrono>

#include "formats/otlp/otlp_decode.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"

namespace spoor {
namespace {

namespace otlp = opentelemetry::proto::collector::trace::v1;

// The raw callback API: the request arrives as bytes, so that a malformed
// message reaches our decoder (and gets INVALID_ARGUMENT with a message and
// a count) instead of failing inside the gRPC library with INTERNAL.
class TraceServiceImpl final
    : public otlp::TraceService::WithRawCallbackMethod_Export<otlp::TraceService::Service> {
 public:
  explicit TraceServiceImpl(Pipeline& pipeline)
      : pipeline_(pipeline), metrics_("grpc", "otlp_proto") {}

  grpc::ServerUnaryReactor* Export(grpc::CallbackServerContext* context,
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
    Status decoded = DecodeOtlpProto(bytes, &batch, &stats);
    if (!decoded.ok()) {
      metrics_.requests_malformed.Inc();
      return {grpc::StatusCode::INVALID_ARGUMENT, decoded.message()};
    }
    metrics_.spans_received.Inc(batch.SpanCount() + stats.rejected_spans);
    metrics_.spans_refused_invalid.Inc(stats.rejected_spans);
    Status submitted = pipeline_.Submit(std::move(batch), metrics_);
    if (!submitted.ok()) return {grpc::StatusCode::UNAVAILABLE, submitted.message()};
    otlp::ExportTraceServiceResponse reply;
    if (stats.rejected_spans > 0) {
      reply.mutable_partial_success()->set_rejected_spans(
          static_cast<int64_t>(stats.rejected_spans));
      reply.mutable_partial_success()->set_error_message(stats.rejection_reason);
    }
    std::string out = reply.SerializeAsString();
    grpc::Slice slice(out);
    *response = grpc::ByteBuffer(&slice, 1);
    return grpc::Status::OK;
  }

  Pipeline& pipeline_;
  IngestMetrics metrics_;
};

class GrpcReceiver final : public OtlpGrpcReceiver {
 public:
  GrpcReceiver(const OtlpGrpcOptions& options, Pipeline& pipeline)
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
      return Unavailable("cannot listen on " + address + " (otlp_grpc)");
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
  OtlpGrpcOptions options_;
  TraceServiceImpl service_;
  std::unique_ptr<grpc::Server> server_;
  uint16_t port_ = 0;
};

}  // namespace

std::unique_ptr<OtlpGrpcReceiver> NewOtlpGrpcReceiver(const OtlpGrpcOptions& options,
                                                      Pipeline& pipeline) {
  return std::make_unique<GrpcReceiver>(options, pipeline);
}

}  // namespace spoor
