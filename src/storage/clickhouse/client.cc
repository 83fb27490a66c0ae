#include "storage/clickhouse/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/ssl.hpp>
#include <mutex>
#include <stdexcept>
#include <utility>
#include <variant>

#include "common/base64.h"
#include "common/gzip.h"
#include "common/strings.h"

namespace spoor::clickhouse {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace {

bool SplitHostPort(std::string_view hp, std::string* host, std::string* port) {
  size_t colon = hp.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == hp.size()) return false;
  auto n = ParseUint64(hp.substr(colon + 1));
  if (!n || *n == 0 || *n > 65535) return false;
  *host = std::string(hp.substr(0, colon));
  if (host->size() > 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  *port = std::string(hp.substr(colon + 1));
  return true;
}

void AppendPercentEncoded(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '-' ||
        u == '_' || u == '.' || u == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
}

// The first line of ClickHouse's error text, which names the problem.
std::string ServerMessage(std::string_view body) {
  body = Trim(body);
  size_t nl = body.find('\n');
  if (nl != std::string_view::npos) body = body.substr(0, nl);
  constexpr size_t kMax = 500;
  if (body.size() > kMax) body = body.substr(0, kMax);
  return std::string(body);
}

}  // namespace

Result<std::vector<std::string>> ParseServers(std::string_view list) {
  std::vector<std::string> out;
  for (std::string_view item : SplitList(list)) {
    std::string host, port;
    if (!SplitHostPort(item, &host, &port)) {
      return InvalidArgument("'" + std::string(item) + "' is not HOST:PORT");
    }
    out.emplace_back(item);
  }
  if (out.empty()) return InvalidArgument("no server given");
  return out;
}

void AppendQuoted(std::string& sql, std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  sql.push_back('\'');
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\'' || c == '\\') {
      sql.push_back('\\');
      sql.push_back(c);
    } else if (u >= 0x20 && u < 0x7f) {
      sql.push_back(c);
    } else {
      sql.append("\\x");
      sql.push_back(kHex[u >> 4]);
      sql.push_back(kHex[u & 15]);
    }
  }
  sql.push_back('\'');
}

// One keep-alive connection with its own io_context: each operation is run
// to completion (or its deadline) on the calling thread. Over TLS when the
// client has a context: the server's certificate is verified for its name
// (options.tls.server_name, else the host dialled), which is also sent as
// SNI.
class Client::Connection {
 public:
  Connection(ssl::context* tls, const std::string& server_name) {
    if (tls == nullptr) {
      stream_.emplace<beast::tcp_stream>(ioc_);
    } else {
      auto& s = stream_.emplace<TlsStream>(ioc_, *tls);
      SSL_set_tlsext_host_name(s.native_handle(), server_name.c_str());
      s.set_verify_callback(ssl::host_name_verification(server_name));
    }
  }

  // Sends `req` and reads the answer; on any failure the connection is
  // unusable and the caller drops it.
  beast::error_code Exchange(const std::string& host, const std::string& port,
                             http::request<http::span_body<const char>>& req,
                             http::response_parser<http::string_body>& parser,
                             std::chrono::milliseconds timeout) {
    return std::visit(
        [&](auto& stream) -> beast::error_code {
          if constexpr (std::is_same_v<std::decay_t<decltype(stream)>, std::monostate>) {
            return net::error::not_connected;  // never: a constructor sets one
          } else {
            return ExchangeOn(stream, host, port, req, parser, timeout);
          }
        },
        stream_);
  }

 private:
  using TlsStream = beast::ssl_stream<beast::tcp_stream>;

  template <typename Stream>
  beast::error_code ExchangeOn(Stream& stream, const std::string& host, const std::string& port,
                               http::request<http::span_body<const char>>& req,
                               http::response_parser<http::string_body>& parser,
                               std::chrono::milliseconds timeout) {
    beast::error_code ec;
    beast::tcp_stream& tcp = beast::get_lowest_layer(stream);
    if (!connected_) {
      tcp::resolver resolver(ioc_);
      auto endpoints = resolver.resolve(host, port, ec);
      if (ec) return ec;
      tcp.expires_after(timeout);
      tcp.async_connect(endpoints, [&ec](beast::error_code e, const tcp::endpoint&) { ec = e; });
      Run();
      if (ec) return ec;
      tcp.socket().set_option(tcp::no_delay(true), ec);
      if constexpr (std::is_same_v<Stream, TlsStream>) {
        tcp.expires_after(timeout);
        stream.async_handshake(ssl::stream_base::client, [&ec](beast::error_code e) { ec = e; });
        Run();
        if (ec) return ec;
      }
      connected_ = true;
    }
    tcp.expires_after(timeout);
    http::async_write(stream, req, [&ec](beast::error_code e, size_t) { ec = e; });
    Run();
    if (ec) return ec;
    http::async_read(stream, buffer_, parser, [&ec](beast::error_code e, size_t) { ec = e; });
    Run();
    return ec;
  }

  void Run() {
    ioc_.restart();
    ioc_.run();
  }

  net::io_context ioc_;
  std::variant<std::monostate, beast::tcp_stream, TlsStream> stream_;
  beast::flat_buffer buffer_;
  bool connected_ = false;
};

struct Client::Endpoint {
  std::string host_port;
  std::string host;
  std::string port;
  ssl::context* tls = nullptr;  // the client's, when HTTPS
  std::string server_name;      // checked in the server's certificate
  std::mutex mu;
  std::vector<std::unique_ptr<Connection>> idle;  // at most kMaxIdle

  static constexpr size_t kMaxIdle = 8;

  std::unique_ptr<Connection> Take() {
    std::lock_guard lock(mu);
    if (idle.empty()) return std::make_unique<Connection>(tls, server_name);
    auto c = std::move(idle.back());
    idle.pop_back();
    return c;
  }
  void Give(std::unique_ptr<Connection> c) {
    std::lock_guard lock(mu);
    if (idle.size() < kMaxIdle) idle.push_back(std::move(c));
  }
};

Client::Client(ClientOptions options) : options_(std::move(options)) {
  // Errors are reported with the HTTP status (the answer is buffered until
  // the query ends), not in the body of a 200.
  params_ = "/?wait_end_of_query=1&buffer_size=1048576";
  for (const auto& [name, value] : options_.settings) {
    params_ += "&";
    AppendPercentEncoded(params_, name);
    params_ += "=";
    AppendPercentEncoded(params_, value);
  }
  if (options_.tls.enabled) {
    auto tls = MakeTlsClientContext(options_.tls, "--clickhouse.tls");
    if (!tls.ok()) throw std::invalid_argument(tls.status().message());
    tls_ = std::move(tls).value();
  }
  std::string credentials = options_.username + ":" + options_.password;
  authorization_ = "Basic " + Base64Encode(credentials);
  for (const std::string& s : options_.servers) {
    auto e = std::make_unique<Endpoint>();
    e->host_port = s;
    if (!SplitHostPort(s, &e->host, &e->port)) {
      e->host = s;
      e->port = "8123";
    }
    e->tls = tls_.get();
    e->server_name = options_.tls.server_name.empty() ? e->host : options_.tls.server_name;
    endpoints_.push_back(std::move(e));
  }
}

Client::~Client() = default;

Result<std::string> Client::RoundTrip(size_t index, const std::string& target,
                                      std::string_view body, bool gzip) {
  Endpoint& e = *endpoints_[index];
  // The body is sent from the caller's bytes, not copied into the request.
  http::request<http::span_body<const char>> req{http::verb::post, target, 11};
  req.set(http::field::host, e.host_port);
  req.set(http::field::authorization, authorization_);
  req.set(http::field::connection, "keep-alive");
  if (gzip) req.set(http::field::content_encoding, "gzip");  // body compressed by the caller
  req.body() = beast::span<const char>(body.data(), body.size());
  req.prepare_payload();
  auto limited = [this](http::response_parser<http::string_body>& parser) {
    parser.body_limit(options_.max_response_bytes);
    parser.header_limit(64 * 1024);
  };
  http::response_parser<http::string_body> parser;
  limited(parser);
  auto finish = [&](std::unique_ptr<Connection> conn,
                    http::response<http::string_body> res) -> Result<std::string> {
    if (res.keep_alive()) e.Give(std::move(conn));
    if (res.result() == http::status::ok) return std::move(res.body());
    std::string message = "clickhouse " + e.host_port + ": " + ServerMessage(res.body());
    // 401/403/404 (bad credentials, unknown database or table) and the
    // query errors ClickHouse answers with 400 or 500 are the server's
    // refusal, not a failure to reach it.
    if (res.result() == http::status::service_unavailable) return Unavailable(message);
    return Internal(message);
  };
  auto conn = e.Take();
  beast::error_code ec = conn->Exchange(e.host, e.port, req, parser, options_.timeout);
  if (ec) {
    // A kept-alive connection the server closed meanwhile: one more try on
    // a new one before calling the server unreachable.
    if (ec == http::error::end_of_stream || ec == net::error::connection_reset ||
        ec == net::error::broken_pipe || ec == net::error::eof) {
      conn = std::make_unique<Connection>(e.tls, e.server_name);
      http::response_parser<http::string_body> retry;
      limited(retry);
      ec = conn->Exchange(e.host, e.port, req, retry, options_.timeout);
      if (!ec) return finish(std::move(conn), retry.release());
    }
    return Unavailable("clickhouse " + e.host_port + ": " + ec.message());
  }
  return finish(std::move(conn), parser.release());
}

Result<std::string> Client::WithFailover(size_t first, const std::string& target,
                                         std::string_view body, bool gzip) {
  Result<std::string> last = Unavailable("clickhouse: no server configured");
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    last = RoundTrip((first + i) % endpoints_.size(), target, body, gzip);
    if (last.ok() || last.status().code() != StatusCode::kUnavailable) return last;
  }
  return last;
}

Result<std::string> Client::Query(std::string_view sql) {
  size_t first = endpoints_.empty() ? 0 : next_.load(std::memory_order_relaxed) % endpoints_.size();
  return WithFailover(first, params_, sql, false);
}

Result<std::string> Client::QueryOn(size_t server, std::string_view sql) {
  if (server >= endpoints_.size()) return InvalidArgument("no such server");
  return RoundTrip(server, params_, sql, false);
}

Status Client::Insert(std::string_view sql, std::string_view data, bool gzip) {
  std::string target = params_;
  target.append("&query=");
  AppendPercentEncoded(target, sql);
  size_t first = 0;
  if (!endpoints_.empty()) {
    first = (options_.spread_inserts ? next_.fetch_add(1, std::memory_order_relaxed)
                                     : next_.load(std::memory_order_relaxed)) %
            endpoints_.size();
  }
  // Compressed once, whichever servers it is tried on.
  std::string compressed;
  if (gzip) compressed = GzipCompress(data);
  auto r = WithFailover(first, target, gzip ? std::string_view(compressed) : data, gzip);
  return r.ok() ? Status::Ok() : r.status();
}

}  // namespace spoor::clickhouse
