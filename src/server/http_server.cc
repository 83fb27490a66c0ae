#include "server/http_server.h"

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <optional>
#include <thread>
#include <vector>

#include "common/log.h"
#include "common/metrics.h"
#include "common/strings.h"
#include "server/http_util.h"
#include "server/tls.h"

namespace spoor {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// Sockets and timers bound to one io_context's executor, not the
// type-erased any_io_executor: every operation would copy and destroy one.
using Executor = asio::io_context::executor_type;
using Socket = asio::basic_stream_socket<tcp, Executor>;
using Clock = std::chrono::steady_clock;
using Timer = asio::basic_waitable_timer<Clock, asio::wait_traits<Clock>, Executor>;
using TlsStream = asio::ssl::stream<Socket>;
constexpr size_t kHeaderLimit = 64 * 1024;

// A connection: `Stream` is the TCP socket, or a TLS stream over it.
template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  Session(Socket socket, std::shared_ptr<asio::ssl::context> tls, const HttpServerOptions& options,
          const HttpHandler& handler)
      : tls_(std::move(tls)),
        stream_(MakeStream(std::move(socket), tls_.get())),
        timer_(Tcp().get_executor()),
        options_(options),
        handler_(handler) {}

  void Start() {
    if constexpr (kTls) {
      Handshake();
    } else {
      ReadHeader();
    }
  }

 private:
  using std::enable_shared_from_this<Session<Stream>>::shared_from_this;
  using std::enable_shared_from_this<Session<Stream>>::weak_from_this;

  static Stream MakeStream(Socket socket, asio::ssl::context* tls) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *tls);
    } else {
      (void)tls;
      return socket;
    }
  }

  // The TCP socket under the stream.
  Socket& Tcp() {
    if constexpr (kTls) {
      return stream_.next_layer();
    } else {
      return stream_;
    }
  }

  // The TLS handshake, within the idle timeout; a failure (no client
  // certificate when one is required, one not signed by the CA, an expired
  // one, a client speaking plain HTTP) closes the connection, counted.
  void Handshake() {
    SetDeadline(options_.idle_timeout);
    stream_.async_handshake(asio::ssl::stream_base::server,
                            [self = shared_from_this()](beast::error_code ec) {
                              if (ec) {
                                self->HandshakeFailed(ec);
                                return self->Close();
                              }
                              self->ReadHeader();
                            });
  }

  void HandshakeFailed(beast::error_code ec) {
    if (ec == asio::error::operation_aborted || ec == asio::error::eof) return;
    MetricsRegistry::Global()
        .GetCounter("spoor_tls_handshake_failures_total",
                    "TLS handshakes that failed (no or a bad client certificate, plain HTTP "
                    "to a TLS port, no common version or cipher), by server",
                    {{"server", options_.name}})
        .Inc();
    LogDebug(options_.name, ": TLS handshake failed: ", ec.message());
  }

  // Each phase (reading a request, writing an answer, draining before a
  // close) has a deadline; past it the connection is closed. The timer is
  // moved only when the deadline comes before its expiry: a connection busy
  // with one request after another moves it about once per timeout, not
  // once per request (each move would be a system call).
  void SetDeadline(Clock::duration timeout) {
    deadline_ = Clock::now() + timeout;
    if (timer_armed_ && timer_.expiry() <= deadline_) return;  // fires first, then re-arms
    ArmTimer();
  }

  void ArmTimer() {
    timer_armed_ = true;
    timer_.expires_at(deadline_);
    timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
      auto self = weak.lock();
      if (!self || ec == asio::error::operation_aborted) return;
      self->timer_armed_ = false;
      if (!self->Tcp().is_open()) return;
      if (Clock::now() < self->deadline_) return self->ArmTimer();  // moved on meanwhile
      self->Close();  // pending reads and writes end with operation_aborted
    });
  }

  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(options_.max_body_bytes);
    SetDeadline(options_.idle_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    auto& req = parser_->get();
    if (auto length = parser_->content_length(); length && *length > options_.max_body_bytes) {
      return SendTooLarge("request body of " + std::to_string(*length) +
                          " bytes exceeds the limit of " + std::to_string(options_.max_body_bytes) +
                          " bytes");
    }
    auto expect = req[http::field::expect];
    if (beast::iequals(expect, "100-continue")) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
      http::async_write(stream_, *cont,
                        [self = shared_from_this(), cont](beast::error_code ec2, size_t) {
                          if (ec2) return self->Close();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->OnReadError(ec);
                       self->Handle();
                     });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      return SendTooLarge("request body exceeds the limit of " +
                          std::to_string(options_.max_body_bytes) + " bytes");
    }
    if (ec == http::error::header_limit) return SendError(431, "request headers too large");
    if (ec == http::error::end_of_stream || ec == asio::error::connection_reset ||
        ec == asio::error::operation_aborted || ec == asio::error::eof) {
      return Close();
    }
    if (ec == http::error::partial_message) return Close();
    if (ec.category() == beast::error_code(http::error::bad_method).category()) {
      return SendError(400, "malformed HTTP request: " + ec.message());
    }
    Close();
  }

  // The request line and headers (and the body when read).
  HttpRequest BuildRequest() {
    auto& req = parser_->get();
    HttpRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    std::string_view target = request.target;
    size_t q = target.find('?');
    request.path = PercentDecode(target.substr(0, q), false);
    if (q != std::string_view::npos) request.query = std::string(target.substr(q + 1));
    for (const auto& field : req) {
      request.headers.emplace_back(
          ToLower(std::string_view(field.name_string().data(), field.name_string().size())),
          std::string(field.value()));
    }
    if (!remote_address_) {  // once per connection, not per request
      beast::error_code ec;
      auto endpoint = Tcp().remote_endpoint(ec);
      remote_address_ = ec ? std::string() : endpoint.address().to_string();
    }
    request.remote_address = *remote_address_;
    return request;
  }

  void Handle() {
    auto& req = parser_->get();
    HttpRequest request = BuildRequest();
    request.body = std::move(req.body());
    HttpResponse response;
    try {
      response = handler_(request);
    } catch (const std::exception& e) {
      LogError(options_.name, ": handler failed for ", request.method, " ", request.path, ": ",
               e.what());
      response = HttpResponse::Text(500, std::string("internal error: ") + e.what() + "\n");
    }
    Send(std::move(response), req.keep_alive(), req.version(), req.method() == http::verb::head);
  }

  void SendError(int status, std::string message) {
    HttpResponse response = HttpResponse::Text(status, std::move(message) + "\n");
    Send(std::move(response), false, 11);
  }

  void SendTooLarge(std::string message) {
    if (!options_.on_body_too_large) return SendError(413, std::move(message));
    HttpRequest request = BuildRequest();
    request.body = std::move(message);  // the reason, for the handler's answer
    HttpResponse response = options_.on_body_too_large(request);
    Send(std::move(response), false, parser_->get().version());
  }

  // `head`: answering a HEAD request, so the headers (with the length the
  // body would have) are sent without the body.
  void Send(HttpResponse response, bool keep_alive, unsigned version, bool head = false) {
    RequestCounter(response.route, response.status).Inc();
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(version);
    res->result(static_cast<unsigned>(response.status));
    res->set(http::field::server, "spoor");
    if (!response.content_type.empty()) res->set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) res->set(name, value);
    res->body() = std::move(response.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    if (head) res->body().clear();
    SetDeadline(options_.idle_timeout);
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, size_t) {
                        if (ec) return self->Close();
                        if (!res->keep_alive()) return self->LingeringClose();
                        self->ReadHeader();
                      });
  }

  // The counter of answers for this route and status; the last one is kept,
  // since a connection mostly repeats the same request.
  Counter& RequestCounter(const std::string& route, int status) {
    if (counter_ == nullptr || route != counter_route_ || status != counter_status_) {
      counter_ = &MetricsRegistry::Global().GetCounter(
          "spoor_http_requests_total", "HTTP requests served, by server, route and status",
          {{"server", options_.name},
           {"route", route.empty() ? "other" : route},
           {"status", std::to_string(status)}});
      counter_route_ = route;
      counter_status_ = status;
    }
    return *counter_;
  }

  void Close() {
    beast::error_code ec;
    Tcp().shutdown(tcp::socket::shutdown_send, ec);
    Tcp().close(ec);
    timer_.cancel();
  }

  // Closes after an answer sent before the request was read in full (e.g. a
  // 413): shut the sending side, then read and discard what the client is
  // still sending, for a bounded time and size, so that closing does not
  // reset the connection before the client has read the answer (RFC 9112,
  // section 9.6).
  void LingeringClose() {
    beast::error_code ec;
    Tcp().shutdown(tcp::socket::shutdown_send, ec);
    SetDeadline(std::chrono::seconds(2));
    Drain();
  }

  void Drain() {
    stream_.async_read_some(asio::buffer(drain_buf_),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > kMaxDrainBytes) return self->Close();
                              self->Drain();
                            });
  }

  static constexpr size_t kMaxDrainBytes = 64u << 20;

  const std::shared_ptr<asio::ssl::context> tls_;  // kept for as long as the stream
  Stream stream_;
  Timer timer_;
  Clock::time_point deadline_;
  bool timer_armed_ = false;
  beast::flat_buffer buffer_;
  std::array<char, 16384> drain_buf_;
  size_t drained_ = 0;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<std::string> remote_address_;
  Counter* counter_ = nullptr;
  std::string counter_route_;
  int counter_status_ = 0;
  const HttpServerOptions& options_;
  const HttpHandler& handler_;
};

}  // namespace

class HttpServer::Impl {
 public:
  Impl(HttpServerOptions options, HttpHandler handler)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        iocs_(MakeContexts(std::max(1, options_.threads))),
        acceptor_(std::make_unique<tcp::acceptor>(*iocs_[0])) {
    for (auto& ioc : iocs_) guards_.emplace_back(asio::make_work_guard(*ioc));
  }

  Status Start() {
    if (stopped_) return Unavailable(options_.name + ": the server was stopped");
    beast::error_code ec;
    auto address = asio::ip::make_address(options_.host.empty() ? "0.0.0.0" : options_.host, ec);
    if (ec) return InvalidArgument("invalid listen address '" + options_.host + "'");
    tcp::endpoint endpoint(address, options_.port);
    acceptor_->open(endpoint.protocol(), ec);
    if (!ec) acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_->bind(endpoint, ec);
    if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return Unavailable("cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                         " (" + options_.name + "): " + ec.message());
    }
    port_ = acceptor_->local_endpoint().port();
    Accept();
    for (auto& ioc : iocs_) threads_.emplace_back([&ioc] { ioc->run(); });
    return Status::Ok();
  }

  void Stop() {
    if (stopped_.exchange(true)) return;
    for (auto& ioc : iocs_) ioc->stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
    // With no I/O thread left, close the listening socket, then destroy the
    // io_contexts: that destroys every pending operation's handler, and with
    // them the sessions, which closes their connections.
    acceptor_.reset();
    guards_.clear();
    iocs_.clear();
  }

  uint16_t port() const { return port_; }

 private:
  static std::vector<std::unique_ptr<asio::io_context>> MakeContexts(int n) {
    std::vector<std::unique_ptr<asio::io_context>> out;
    out.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) out.push_back(std::make_unique<asio::io_context>(1));
    return out;
  }

  void Accept() {
    // Each connection goes to the next I/O thread's io_context and stays
    // there: its handlers never run on two threads, so it needs no strand,
    // and a request is read, handled and answered without a thread switch.
    asio::io_context& ioc = *iocs_[next_ioc_++ % iocs_.size()];
    auto socket = std::make_shared<Socket>(ioc.get_executor());
    acceptor_->async_accept(*socket, [this, &ioc, socket](beast::error_code ec) {
      if (ec) {
        if (ec == asio::error::operation_aborted) return;
        LogWarn(options_.name, ": accept failed: ", ec.message());
      } else {
        socket->set_option(tcp::no_delay(true), ec);
        // Started on its own I/O thread, where all its operations then run.
        if (options_.tls) {
          auto session = std::make_shared<Session<TlsStream>>(
              std::move(*socket), options_.tls->Current(), options_, handler_);
          asio::post(ioc, [session] { session->Start(); });
        } else {
          auto session =
              std::make_shared<Session<Socket>>(std::move(*socket), nullptr, options_, handler_);
          asio::post(ioc, [session] { session->Start(); });
        }
      }
      Accept();
    });
  }

  HttpServerOptions options_;
  HttpHandler handler_;
  // One io_context per I/O thread (cleared by Stop()); the first accepts.
  std::vector<std::unique_ptr<asio::io_context>> iocs_;
  std::unique_ptr<tcp::acceptor> acceptor_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  size_t next_ioc_ = 0;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopped_{false};
  uint16_t port_ = 0;
};

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() {
  Stop();
}

Status HttpServer::Start() {
  return impl_->Start();
}
void HttpServer::Stop() {
  impl_->Stop();
}
uint16_t HttpServer::port() const {
  return impl_->port();
}

bool ParseHostPort(const std::string& host_port, std::string* host, uint16_t* port) {
  size_t colon = host_port.rfind(':');
  if (colon == std::string::npos) return false;
  std::string h = host_port.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  auto p = ParseUint64(host_port.substr(colon + 1));
  if (!p || *p > 65535) return false;
  *host = h.empty() ? "0.0.0.0" : h;
  *port = static_cast<uint16_t>(*p);
  return true;
}

}  // namespace spoor
