#include "receivers/grpc_ingest.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <vector>

namespace spoor {

grpc::Status IngestGrpcRequest(const grpc::ByteBuffer& request, const BatchDecoder& decode,
                               Pipeline& pipeline, IngestMetrics& metrics, DecodeStats* stats) {
  std::vector<grpc::Slice> slices;
  if (!request.Dump(&slices).ok()) return {grpc::StatusCode::INTERNAL, "cannot read the request"};
  std::string bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  SpanBatch batch;
  if (Status decoded = decode(bytes, &batch, stats); !decoded.ok()) {
    metrics.requests_malformed.Inc();
    return {grpc::StatusCode::INVALID_ARGUMENT, decoded.message()};
  }
  metrics.spans_received.Inc(batch.SpanCount() + stats->rejected_spans);
  metrics.spans_refused_invalid.Inc(stats->rejected_spans);
  if (Status submitted = pipeline.Submit(std::move(batch), metrics); !submitted.ok()) {
    return {grpc::StatusCode::UNAVAILABLE, submitted.message()};
  }
  return grpc::Status::OK;
}

void SetGrpcResponse(const std::string& bytes, grpc::ByteBuffer* out) {
  grpc::Slice slice(bytes);
  *out = grpc::ByteBuffer(&slice, 1);
}

GrpcServiceServer::GrpcServiceServer(std::string name, std::vector<grpc::Service*> services)
    : name_(std::move(name)), services_(std::move(services)) {}

GrpcServiceServer::~GrpcServiceServer() {
  Stop();
}

Status GrpcServiceServer::Start(const std::string& host, uint16_t port, size_t max_message_bytes) {
  grpc::ServerBuilder builder;
  int selected_port = 0;
  std::string address = host + ":" + std::to_string(port);
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &selected_port);
  builder.SetMaxReceiveMessageSize(static_cast<int>(max_message_bytes));
  for (grpc::Service* service : services_) builder.RegisterService(service);
  server_ = builder.BuildAndStart();
  if (!server_ || selected_port == 0) {
    server_.reset();
    return Unavailable("cannot listen on " + address + " (" + name_ + ")");
  }
  port_ = static_cast<uint16_t>(selected_port);
  return Status::Ok();
}

void GrpcServiceServer::Stop() {
  if (!server_) return;
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  server_->Wait();
  server_.reset();
}

}  // namespace spoor
