// The ClickHouse backend in the registry (storage/factory.cc).
#include "storage/backend.h"
#include "storage/backend_flags.h"
#include "storage/clickhouse/client.h"

namespace spoor {
namespace {

StorageFlag Milliseconds(std::string name, std::string default_text, std::string help,
                         const std::function<std::chrono::milliseconds&(StorageOptions&)>& field,
                         int64_t min_ms, int64_t max_ms) {
  return {std::move(name), std::move(default_text), std::move(help), false,
          [field, min_ms, max_ms](StorageOptions& o, const std::string& v) -> std::string {
            auto ns = ParseGoDuration(v);
            if (!ns || *ns / 1000000 < min_ms || *ns / 1000000 > max_ms) {
              return "expected a duration like 200ms or 5s, from " +
                     FormatGoDuration(min_ms * 1000000) + " to " +
                     FormatGoDuration(max_ms * 1000000);
            }
            field(o) = std::chrono::milliseconds(*ns / 1000000);
            return "";
          }};
}

}  // namespace

StorageBackend ClickHouseBackend() {
  using backend_flags::Bool;
  using backend_flags::Duration;
  using backend_flags::Positive;
  using backend_flags::Text;
  StorageBackend b;
  b.name = "clickhouse";
  b.description = "a ClickHouse server or cluster, for more than one machine";
  b.flags.push_back({"clickhouse.servers", "127.0.0.1:8123",
                     "ClickHouse HTTP endpoints, comma-separated host:port (writes spread over "
                     "them, reads fail over)",
                     false, [](StorageOptions& o, const std::string& v) -> std::string {
                       auto servers = clickhouse::ParseServers(v);
                       if (!servers.ok()) return servers.status().message();
                       o.clickhouse.servers = std::move(servers).value();
                       return "";
                     }});
  b.flags.push_back(Text(
      "clickhouse.database", "spoor", "database of spoor's tables",
      [](StorageOptions& o) -> std::string& { return o.clickhouse.database; }, false));
  b.flags.push_back(Text(
      "clickhouse.username", "default", "ClickHouse user",
      [](StorageOptions& o) -> std::string& { return o.clickhouse.username; }, false));
  b.flags.push_back(Text(
      "clickhouse.password", "", "ClickHouse password",
      [](StorageOptions& o) -> std::string& { return o.clickhouse.password; }, true));
  b.flags.push_back(Text(
      "clickhouse.cluster", "",
      "cluster (from the servers' remote_servers) to create replicated, sharded tables on; "
      "empty for one server",
      [](StorageOptions& o) -> std::string& { return o.clickhouse.cluster; }, true));
  b.flags.push_back(Bool("clickhouse.tls.enabled", "false",
                         "HTTPS to the servers (their https_port), verifying their certificates",
                         [](StorageOptions& o) -> bool& { return o.clickhouse.tls.enabled; }));
  b.flags.push_back(Text(
      "clickhouse.tls.ca", "",
      "PEM file of the CA that signed the servers' certificates (empty: "
      "the system's CAs)",
      [](StorageOptions& o) -> std::string& { return o.clickhouse.tls.ca_file; }, true));
  b.flags.push_back(Text(
      "clickhouse.tls.cert", "", "PEM file: a client certificate, for servers that ask for one",
      [](StorageOptions& o) -> std::string& { return o.clickhouse.tls.cert_file; }, true));
  b.flags.push_back(Text(
      "clickhouse.tls.key", "", "PEM file: the client certificate's private key",
      [](StorageOptions& o) -> std::string& { return o.clickhouse.tls.key_file; }, true));
  b.flags.push_back(Text(
      "clickhouse.tls.server-name", "",
      "the name the servers' certificates must carry (empty: the host of each server)",
      [](StorageOptions& o) -> std::string& { return o.clickhouse.tls.server_name; }, true));
  b.flags.push_back(
      Bool("clickhouse.tls.skip-host-verify", "false",
           "do not verify the servers' certificates (never in production)",
           [](StorageOptions& o) -> bool& { return o.clickhouse.tls.skip_host_verify; }));
  b.flags.push_back(Bool("clickhouse.create-schema", "true",
                         "create the database and tables when missing",
                         [](StorageOptions& o) -> bool& { return o.clickhouse.create_schema; }));
  b.flags.push_back(
      Duration("clickhouse.span-ttl", "0s",
               "how long spans are kept, dropped by whole days (0s keeps them forever)",
               [](StorageOptions& o) -> uint64_t& { return o.clickhouse.span_ttl_ns; }));
  b.flags.push_back(
      Positive("clickhouse.batch-size", "10000", "spans per insert, at most",
               [](StorageOptions& o) -> size_t& { return o.clickhouse.batch_spans; }));
  b.flags.push_back(Milliseconds(
      "clickhouse.batch-linger", "200ms",
      "how long spans wait for a batch to fill before they are inserted",
      [](StorageOptions& o) -> std::chrono::milliseconds& { return o.clickhouse.batch_linger; }, 0,
      60000));
  b.flags.push_back(Milliseconds(
      "clickhouse.timeout", "30s", "deadline of one request to ClickHouse",
      [](StorageOptions& o) -> std::chrono::milliseconds& { return o.clickhouse.timeout; }, 1,
      3600000));
  b.flags.push_back(Bool("clickhouse.compression", "false",
                         "send inserted data gzip-compressed (pays over a slow network)",
                         [](StorageOptions& o) -> bool& { return o.clickhouse.compress; }));
  b.capabilities = [](const StorageOptions&) {
    return StorageCapabilities{.ack_after_write = false, .persistent = true};
  };
  b.open = [](const StorageOptions& o) { return OpenClickHouseStore(o.clickhouse); };
  return b;
}

}  // namespace spoor
