#include "sender.h"

#include <grpcpp/grpcpp.h>
#include <openssl/ssl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ssl.hpp>
#include <chrono>
#include <fstream>
#include <sstream>

#include "encodings.h"
#include "http_client.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"

namespace spoor::tracegen {
namespace {

namespace otlp_collector = opentelemetry::proto::collector::trace::v1;
using std::chrono::nanoseconds;

int SpanCount(const ExportRequest& request) {
  int n = 0;
  for (const auto& rs : request.resource_spans()) {
    for (const auto& ss : rs.scope_spans()) n += ss.spans_size();
  }
  return n;
}

void Record(SendOutcome& out, int spans, bool acked, std::string error) {
  ++out.messages_sent;
  out.spans_sent += spans;
  if (acked) {
    ++out.messages_acked;
    out.spans_acked += spans;
    return;
  }
  ++out.messages_failed;
  out.spans_failed += spans;
  if (out.error.empty()) out.error = std::move(error);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// TLS for --tls-ca: gRPC's credentials, and the HTTP client's context
// (the server verified with the CA; TLS 1.2 at least). The file was
// checked when the flags were read.
std::shared_ptr<grpc::ChannelCredentials> Credentials(const std::string& ca_file) {
  if (ca_file.empty()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ReadFile(ca_file);
  return grpc::SslCredentials(ssl);
}

std::shared_ptr<boost::asio::ssl::context> TlsContext(const std::string& ca_file) {
  if (ca_file.empty()) return nullptr;
  auto ctx = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  ctx->set_verify_mode(boost::asio::ssl::verify_peer, ec);
  ctx->load_verify_file(ca_file, ec);
  return ctx;
}

class OtlpGrpcSender final : public Sender {
 public:
  explicit OtlpGrpcSender(const Options& o) : timeout_(o.timeout_ns), headers_(o.headers) {
    grpc::ChannelArguments args;
    // A subchannel (TCP connection) of this channel's own, not one shared
    // with the other senders' channels.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetMaxSendMessageSize(-1);
    const std::string target =
        (o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host) + ":" +
        std::to_string(o.port);
    stub_ = otlp_collector::TraceService::NewStub(
        grpc::CreateCustomChannel(target, Credentials(o.tls_ca), args));
  }

  SendOutcome Send(const ExportRequest& request) override {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + timeout_);
    for (const auto& [name, value] : headers_) context.AddMetadata(name, value);
    otlp_collector::ExportTraceServiceResponse response;
    const grpc::Status status = stub_->Export(&context, request, &response);
    SendOutcome out;
    const int spans = SpanCount(request);
    if (!status.ok()) {
      Record(out, spans, false,
             "gRPC status " + std::to_string(status.error_code()) + ": " + status.error_message());
      return out;
    }
    const auto rejected = static_cast<int>(response.partial_success().rejected_spans());
    if (rejected > 0) {
      // Partly accepted: the rejected spans count as failed.
      Record(out, spans - rejected, true, "");
      out.spans_failed += rejected;
      out.spans_sent += rejected;
      out.error = "partial success: " + std::to_string(rejected) +
                  " spans rejected: " + response.partial_success().error_message();
      return out;
    }
    Record(out, spans, true, "");
    return out;
  }

 private:
  nanoseconds timeout_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::unique_ptr<otlp_collector::TraceService::Stub> stub_;
};

class HttpSender final : public Sender {
 public:
  explicit HttpSender(const Options& o)
      : protocol_(o.protocol),
        client_(o.host, o.port, nanoseconds(o.timeout_ns), TlsContext(o.tls_ca), o.headers) {}

  SendOutcome Send(const ExportRequest& request) override {
    SendOutcome out;
    switch (protocol_) {
      case Protocol::kOtlpHttp:
        Post(out, "/v1/traces", "application/x-protobuf",
             {request.SerializeAsString(), SpanCount(request)});
        break;
      case Protocol::kOtlpHttpJson:
        Post(out, "/v1/traces", "application/json", {OtlpJson(request), SpanCount(request)});
        break;
      case Protocol::kZipkin:
        Post(out, "/api/v2/spans", "application/json", {ZipkinV2Json(request), SpanCount(request)});
        break;
      default:
        for (WireMessage& batch : JaegerThriftBatches(request)) {
          Post(out, "/api/traces", "application/x-thrift", std::move(batch));
        }
    }
    return out;
  }

 private:
  void Post(SendOutcome& out, std::string_view target, std::string_view content_type,
            WireMessage message) {
    Result<HttpAnswer> answer = client_.Post(target, content_type, std::move(message.bytes));
    if (!answer.ok()) {
      Record(out, message.spans, false, answer.status().message());
    } else if (answer->status < 200 || answer->status >= 300) {
      Record(out, message.spans, false,
             "HTTP " + std::to_string(answer->status) + ": " + answer->body.substr(0, 200));
    } else {
      Record(out, message.spans, true, "");
    }
  }

  Protocol protocol_;
  HttpClient client_;
};

class JaegerUdpSender final : public Sender {
 public:
  explicit JaegerUdpSender(const Options& o) : host_(o.host), port_(o.port), socket_(io_) {}

  SendOutcome Send(const ExportRequest& request) override {
    SendOutcome out;
    std::vector<WireMessage> datagrams = JaegerEmitBatchDatagrams(request);
    std::string error;
    if (!socket_.is_open()) error = Open();
    for (const WireMessage& d : datagrams) {
      boost::system::error_code ec;
      if (error.empty()) socket_.send(boost::asio::buffer(d.bytes), 0, ec);
      if (ec) error = "sending to " + host_ + ":" + std::to_string(port_) + ": " + ec.message();
      // UDP has no answer: a datagram that left without an error is counted
      // as acknowledged here, and reported as sent only (see Acknowledges).
      Record(out, d.spans, error.empty(), error);
    }
    return out;
  }

 private:
  std::string Open() {
    boost::system::error_code ec;
    boost::asio::ip::udp::resolver resolver(io_);
    const auto endpoints = resolver.resolve(host_, std::to_string(port_), ec);
    if (ec || endpoints.empty()) return "resolving " + host_ + ": " + ec.message();
    const auto endpoint = endpoints.begin()->endpoint();
    socket_.open(endpoint.protocol(), ec);
    if (!ec) socket_.connect(endpoint, ec);
    if (ec) {
      boost::system::error_code ignored;
      socket_.close(ignored);
      return "opening a UDP socket to " + host_ + ":" + std::to_string(port_) + ": " + ec.message();
    }
    return "";
  }

  std::string host_;
  int port_;
  boost::asio::io_context io_;
  boost::asio::ip::udp::socket socket_;
};

}  // namespace

bool Acknowledges(Protocol protocol) {
  return protocol != Protocol::kJaegerUdp;
}

std::unique_ptr<Sender> MakeSender(const Options& options) {
  switch (options.protocol) {
    case Protocol::kOtlpGrpc: return std::make_unique<OtlpGrpcSender>(options);
    case Protocol::kJaegerUdp: return std::make_unique<JaegerUdpSender>(options);
    default: return std::make_unique<HttpSender>(options);
  }
}

}  // namespace spoor::tracegen
