// A blocking HTTP/1.1 client on one persistent (keep-alive) connection,
// reconnecting when the server closed it. Not thread-safe: one per sender.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <string>
#include <string_view>

#include "common/status.h"

namespace spoor::tracegen {

struct HttpAnswer {
  unsigned status = 0;
  std::string body;
};

class HttpClient {
 public:
  HttpClient(std::string host, int port, std::chrono::nanoseconds timeout);

  // POSTs `body` to `target`; the answer, whatever its status, or an error
  // when none came within the timeout.
  [[nodiscard]] Result<HttpAnswer> Post(std::string_view target, std::string_view content_type,
                                        std::string body);

 private:
  [[nodiscard]] Status Connect();
  [[nodiscard]] Result<HttpAnswer> PostOnce(
      boost::beast::http::request<boost::beast::http::string_body>& request);
  void Close();
  void RunIo();

  std::string host_;
  int port_;
  std::chrono::nanoseconds timeout_;
  boost::asio::io_context io_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  bool connected_ = false;
};

}  // namespace spoor::tracegen
