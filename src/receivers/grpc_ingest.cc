#include "receivers/grpc_ingest.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>

#include <algorithm>
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

std::string_view GrpcMetadata(const grpc::CallbackServerContext& context, const std::string& name) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(name);
  return it == metadata.end() ? std::string_view()
                              : std::string_view(it->second.data(), it->second.size());
}

grpc::Status AuthenticateGrpcCall(const grpc::CallbackServerContext& context,
                                  const AuthPolicy& auth, const std::string& server) {
  if (!auth.enabled()) return grpc::Status::OK;
  // The peer: "ipv4:10.0.0.7:53412" or "ipv6:[fd00::7]:53412".
  std::string peer = context.peer();
  size_t colon = peer.find(':');
  size_t last = peer.rfind(':');
  std::string address =
      colon != std::string::npos && last > colon ? peer.substr(colon + 1, last - colon - 1) : "";
  if (address.size() > 2 && address.front() == '[') address = address.substr(1, address.size() - 2);
  BearerTokens::Outcome outcome =
      auth.Admit(GrpcMetadata(context, "authorization"),
                 GrpcMetadata(context, auth.proxy_user_header), address, server);
  if (outcome == BearerTokens::Outcome::kOk) return grpc::Status::OK;
  return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                      outcome == BearerTokens::Outcome::kMissing
                          ? "authentication required: send the metadata authorization: Bearer "
                            "<token>"
                          : "the bearer token is not valid");
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

namespace {

std::shared_ptr<grpc::ServerCredentials> Credentials(const TlsServerOptions& tls) {
  if (!tls.enabled) return grpc::InsecureServerCredentials();
  // The provider watches the files; 0 (never) becomes once a year.
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(tls.reload_interval).count();
  unsigned int refresh = tls.reload_interval.count() == 0
                             ? 365u * 86400u
                             : static_cast<unsigned int>(std::max<int64_t>(1, seconds));
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      tls.key_file, tls.cert_file, tls.client_ca_file, refresh);
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (tls.client_ca_file.empty()) {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  } else {
    options.watch_root_certs();
    options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  return grpc::experimental::TlsServerCredentials(options);
}

}  // namespace

Status GrpcServiceServer::Start(const std::string& host, uint16_t port, size_t max_message_bytes,
                                const TlsServerOptions& tls) {
  grpc::ServerBuilder builder;
  int selected_port = 0;
  std::string address = host + ":" + std::to_string(port);
  builder.AddListeningPort(address, Credentials(tls), &selected_port);
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
