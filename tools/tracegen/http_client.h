// A blocking HTTP/1.1 client on one persistent (keep-alive) connection,
// reconnecting when the server closed it. Not thread-safe: one per sender.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace boost::asio::ssl {
class context;
}

namespace spoor::tracegen {

struct HttpAnswer {
  unsigned status = 0;
  std::string body;
};

class HttpClient {
 public:
  // With `tls`, each connection starts with a TLS handshake verified by it
  // (the server's certificate for `host`).
  // `headers` go with every request.
  HttpClient(std::string host, int port, std::chrono::nanoseconds timeout,
             std::shared_ptr<boost::asio::ssl::context> tls = nullptr,
             std::vector<std::pair<std::string, std::string>> headers = {});
  ~HttpClient();

  // POSTs `body` to `target`; the answer, whatever its status, or an error
  // when none came within the timeout.
  [[nodiscard]] Result<HttpAnswer> Post(std::string_view target, std::string_view content_type,
                                        std::string body);

 private:
  [[nodiscard]] Status Connect();
  [[nodiscard]] Result<HttpAnswer> PostOnce(
      boost::beast::http::request<boost::beast::http::string_body>& request);
  void Close();
  std::vector<std::pair<std::string, std::string>> headers_;
  void RunIo();

  struct Tls;

  std::string host_;
  int port_;
  std::chrono::nanoseconds timeout_;
  boost::asio::io_context io_;
  boost::beast::tcp_stream stream_;
  std::shared_ptr<boost::asio::ssl::context> tls_context_;
  std::unique_ptr<Tls> tls_;  // the TLS stream over stream_, while connected
  boost::beast::flat_buffer buffer_;
  bool connected_ = false;
};

}  // namespace spoor::tracegen
