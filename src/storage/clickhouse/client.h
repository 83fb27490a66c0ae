// A small ClickHouse client over its HTTP interface (default port 8123), on
// Boost.Beast: keep-alive connections, a deadline on every request, queries
// in the body or the URL, binary data (RowBinary) both ways.
//
// Servers: writes (Insert) spread over every server in turn; reads (Query)
// start at one server and fail over to the next when it cannot be reached.
// A server's answer other than 200 is an error carrying ClickHouse's own
// message ("Code: 60, ... Table spoor.spans doesn't exist").
//
// Threading: every method may be called concurrently; each call uses a
// connection of its own from a small pool.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "server/tls_client.h"

namespace boost::asio::ssl {
class context;
}

namespace spoor::clickhouse {

struct ClientOptions {
  std::vector<std::string> servers = {"127.0.0.1:8123"};  // host:port
  std::string username = "default";
  std::string password;
  std::chrono::milliseconds timeout{30000};  // per request, connect included
  // Largest answer accepted, in bytes.
  size_t max_response_bytes = size_t{1} << 30;
  // Inserts go to the servers in turn (false: to the same server as
  // queries, so that a query sees what this client inserted before it on a
  // replicated table).
  bool spread_inserts = true;
  // Settings sent with every request (URL parameters), e.g.
  // {"insert_distributed_sync", "1"}.
  std::vector<std::pair<std::string, std::string>> settings;
  // HTTPS to the servers (their https_port), verifying them.
  TlsClientOptions tls;
};

// Splits "a:1,b:2" into host:port strings and checks each; InvalidArgument
// saying which entry is wrong.
[[nodiscard]] Result<std::vector<std::string>> ParseServers(std::string_view list);

class Client {
 public:
  // Throws std::invalid_argument when options.tls names files that cannot
  // be used (checked before, at startup: MakeTlsClientContext).
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Runs `sql` and returns the answer's body (in the format the SQL asks
  // for). Unavailable when no server could be reached; InvalidArgument or
  // Internal with the server's message when it refused the query.
  [[nodiscard]] Result<std::string> Query(std::string_view sql);

  // Runs `sql` (an INSERT ... FORMAT ...) with `data` as its input, on the
  // next server in turn; the others are tried when it cannot be reached.
  // `gzip` sends the data compressed (Content-Encoding: gzip).
  [[nodiscard]] Status Insert(std::string_view sql, std::string_view data, bool gzip = false);

  // Runs `sql` on one given server (an index into options().servers).
  [[nodiscard]] Result<std::string> QueryOn(size_t server, std::string_view sql);

  [[nodiscard]] const ClientOptions& options() const { return options_; }

 private:
  class Connection;
  struct Endpoint;

  // One request on server `index`; Unavailable when it could not be sent
  // or answered (the connection is dropped), the server's error otherwise.
  [[nodiscard]] Result<std::string> RoundTrip(size_t index, const std::string& target,
                                              std::string_view body, bool gzip);
  [[nodiscard]] Result<std::string> WithFailover(size_t first, const std::string& target,
                                                 std::string_view body, bool gzip);

  ClientOptions options_;
  std::shared_ptr<boost::asio::ssl::context> tls_;  // null: plain HTTP
  std::string authorization_;
  std::string params_;  // "/?..." of every request
  std::vector<std::unique_ptr<Endpoint>> endpoints_;
  std::atomic<size_t> next_{0};
};

// Appends `s` to `sql` as a quoted ClickHouse string literal; every byte
// that is not printable ASCII is written as \xHH, so any bytes round-trip.
void AppendQuoted(std::string& sql, std::string_view s);

}  // namespace spoor::clickhouse
