#include "receivers/grpc_ingest.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <vector>

namespace spoor {

grpc::Status IngestGrpcRequest(const grpc::ByteBuffer& request, const BatchDecoder& decode,
                               SpanSink& sink, IngestMetrics& metrics, DecodeStats* stats) {
  std::vector<grpc::Slice> slices;
  if (!request.Dump(&slices).ok()) return {grpc::StatusCode::INTERNAL, "cannot read the request"};
  // A request in one slice is decoded where it is; one in several is joined
  // in a buffer the thread keeps (the decoded batch holds no view into it).
  std::string_view bytes;
  thread_local std::string joined;
  if (slices.size() == 1) {
    bytes = {reinterpret_cast<const char*>(slices[0].begin()), slices[0].size()};
  } else if (!slices.empty()) {
    joined.clear();
    for (const grpc::Slice& slice : slices) {
      joined.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
    }
    bytes = joined;
  }
  SpanBatch batch;
  Status decoded = decode(bytes, &batch, stats);
  if (joined.capacity() > (8u << 20)) std::string().swap(joined);  // after an unusually large one
  if (!decoded.ok()) {
    metrics.requests_malformed.Inc();
    return {grpc::StatusCode::INVALID_ARGUMENT, decoded.message()};
  }
  if (Status submitted = SubmitDecoded(sink, std::move(batch), stats->rejected_spans, metrics);
      !submitted.ok()) {
    // A span the sink can never take is not worth a retry; anything else is.
    if (submitted.code() == StatusCode::kTooLarge)
      return {grpc::StatusCode::INVALID_ARGUMENT, submitted.message()};
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
