// The ClickHouse backend: spans stored in a ClickHouse server or cluster,
// every query answered in SQL on the server. Tables in schema.h; layout and
// reasons in docs/storage-clickhouse.md.
//
// Write path: Write() encodes the batch into rows (RowBinary) appended to an
// open buffer and returns; a flusher thread inserts a buffer once it holds
// batch_spans spans or is batch_linger old. A failed insert is retried with
// backoff (the same bytes, so that replicated tables deduplicate it) until
// it succeeds; meanwhile at most max_pending_buffers wait, and then Write()
// waits too, so the pipeline's queue fills and receivers refuse with 503 /
// UNAVAILABLE until ClickHouse is back. Close() flushes what is buffered,
// giving up after close_timeout.
//
// Read path: SQL on the server; reads drop exact duplicate spans (a batch
// inserted twice).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "server/tls_client.h"
#include "storage/storage.h"

namespace spoor {

struct ClickHouseStoreOptions {
  std::vector<std::string> servers = {"127.0.0.1:8123"};  // HTTP interface, host:port
  std::string database = "spoor";
  std::string username = "default";
  std::string password;
  std::string cluster;  // a cluster of the servers' remote_servers; "" = one server
  bool create_schema = true;
  uint64_t span_ttl_ns = 0;  // 0 = keep forever; else whole days are dropped
  size_t batch_spans = 10000;
  std::chrono::milliseconds batch_linger{200};
  size_t max_pending_buffers = 4;
  std::chrono::milliseconds timeout{30000};        // one request
  std::chrono::milliseconds close_timeout{10000};  // flushing at Close()
  bool compress = false;                           // gzip the inserted data
  uint64_t retention_interval_ns = 3600ULL * 1000000000;
  TlsClientOptions tls;  // HTTPS to the servers (--clickhouse.tls.*)
};

// Connects, checks the credentials and the database (creating the schema
// when create_schema), and starts the flusher. Fails with one clear line
// when a server cannot be reached, refuses the credentials, or lacks the
// database or tables.
[[nodiscard]] Result<std::unique_ptr<Storage>> OpenClickHouseStore(
    const ClickHouseStoreOptions& options);

}  // namespace spoor
