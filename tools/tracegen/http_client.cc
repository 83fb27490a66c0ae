#include "http_client.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>

namespace spoor::tracegen {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using boost::asio::ip::tcp;

HttpClient::HttpClient(std::string host, int port, std::chrono::nanoseconds timeout)
    : host_(std::move(host)), port_(port), timeout_(timeout), stream_(io_) {}

void HttpClient::RunIo() {
  io_.restart();
  io_.run();
}

void HttpClient::Close() {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.close();
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
  stream_.expires_after(timeout_);
  http::async_write(stream_, req, [&ec](beast::error_code e, size_t) { ec = e; });
  RunIo();
  http::response<http::string_body> res;
  if (!ec) {
    http::async_read(stream_, buffer_, res, [&ec](beast::error_code e, size_t) { ec = e; });
    RunIo();
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
