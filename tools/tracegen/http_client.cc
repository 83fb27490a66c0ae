#include "http_client.h"

#include <openssl/ssl.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/http.hpp>

namespace spoor::tracegen {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using boost::asio::ip::tcp;

// The TLS stream over the client's TCP stream (by reference: the TCP
// stream keeps the deadline).
struct HttpClient::Tls {
  Tls(beast::tcp_stream& tcp, boost::asio::ssl::context& ctx) : stream(tcp, ctx) {}
  boost::asio::ssl::stream<beast::tcp_stream&> stream;
};

HttpClient::HttpClient(std::string host, int port, std::chrono::nanoseconds timeout,
                       std::shared_ptr<boost::asio::ssl::context> tls,
                       std::vector<std::pair<std::string, std::string>> headers)
    : headers_(std::move(headers)),
      host_(std::move(host)),
      port_(port),
      timeout_(timeout),
      stream_(io_),
      tls_context_(std::move(tls)) {}

HttpClient::~HttpClient() = default;

void HttpClient::RunIo() {
  io_.restart();
  io_.run();
}

void HttpClient::Close() {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.close();
  tls_.reset();
  buffer_.clear();
  connected_ = false;
}

Status HttpClient::Connect() {
  const std::string where = host_ + ":" + std::to_string(port_);
  tcp::resolver resolver(io_);
  beast::error_code ec;
  const auto endpoints = resolver.resolve(host_, std::to_string(port_), ec);
  if (ec) return Unavailable("resolving " + where + ": " + ec.message());
  stream_.expires_after(timeout_);
  stream_.async_connect(endpoints, [&ec](beast::error_code e, const tcp::endpoint&) { ec = e; });
  RunIo();
  if (ec) {
    Close();
    return Unavailable("connecting to " + where + ": " + ec.message());
  }
  stream_.socket().set_option(tcp::no_delay(true), ec);
  if (tls_context_) {
    tls_ = std::make_unique<Tls>(stream_, *tls_context_);
    SSL_set_tlsext_host_name(tls_->stream.native_handle(), host_.c_str());
    tls_->stream.set_verify_callback(boost::asio::ssl::host_name_verification(host_));
    stream_.expires_after(timeout_);
    tls_->stream.async_handshake(boost::asio::ssl::stream_base::client,
                                 [&ec](beast::error_code e) { ec = e; });
    RunIo();
    if (ec) {
      Close();
      return Unavailable("TLS with " + where + ": " + ec.message());
    }
  }
  connected_ = true;
  return Status::Ok();
}

Result<HttpAnswer> HttpClient::Post(std::string_view target, std::string_view content_type,
                                    std::string body) {
  // Beast 1.74 takes boost::string_view.
  http::request<http::string_body> req{http::verb::post,
                                       beast::string_view(target.data(), target.size()), 11};
  req.set(http::field::host, host_);
  req.set(http::field::content_type, beast::string_view(content_type.data(), content_type.size()));
  req.set(http::field::user_agent, "spoor-tracegen");
  for (const auto& [name, value] : headers_) req.set(name, value);
  req.keep_alive(true);
  req.body() = std::move(body);
  req.prepare_payload();

  const bool reused = connected_;
  if (!connected_) {
    if (Status s = Connect(); !s.ok()) return s;
  }
  Result<HttpAnswer> answer = PostOnce(req);
  if (answer.ok() || !reused) return answer;
  // The server may have closed the idle connection just before we wrote:
  // once more on a new one.
  if (Status s = Connect(); !s.ok()) return s;
  return PostOnce(req);
}

Result<HttpAnswer> HttpClient::PostOnce(http::request<http::string_body>& req) {
  beast::error_code ec;
  http::response<http::string_body> res;
  auto exchange = [&](auto& stream) {
    stream_.expires_after(timeout_);
    http::async_write(stream, req, [&ec](beast::error_code e, size_t) { ec = e; });
    RunIo();
    if (!ec) {
      http::async_read(stream, buffer_, res, [&ec](beast::error_code e, size_t) { ec = e; });
      RunIo();
    }
  };
  if (tls_) {
    exchange(tls_->stream);
  } else {
    exchange(stream_);
  }
  if (ec) {
    Close();
    return Unavailable("POST " + std::string(req.target()) + " to " + host_ + ":" +
                       std::to_string(port_) + ": " + ec.message());
  }
  if (!res.keep_alive()) Close();
  return HttpAnswer{res.result_int(), std::move(res.body())};
}

}  // namespace spoor::tracegen
