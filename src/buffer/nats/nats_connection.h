// A connection to NATS with a JetStream context, shared by the publisher
// and the ingester: servers, authentication, reconnecting for ever, and the
// stream (and consumer) they use, created when missing.
//
// Threading: Connect() once; then every method may be called from any
// thread (libnats connections are thread-safe).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "buffer/nats/nats_options.h"
#include "common/status.h"

struct __natsConnection;
struct __jsCtx;

namespace spoor::nats {

class Connection {
 public:
  explicit Connection(NatsOptions options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Starts connecting. With NATS unreachable this still succeeds: the
  // library keeps trying in the background. Fails on settings that cannot
  // work (a credentials file that cannot be read).
  [[nodiscard]] Status Connect(const std::string& client_name);

  // Creates the stream when options.create_stream and it is missing, else
  // checks it exists. Unavailable while NATS is unreachable.
  [[nodiscard]] Status EnsureStream();
  // The same for the ingesters' durable pull consumer of `partition`
  // (partitions.h). The stream: InvalidArgument when it exists without the
  // subject of --nats.partitions.
  [[nodiscard]] Status EnsureConsumer(uint32_t partition = 0);

  [[nodiscard]] bool connected() const;
  // The largest message the server takes, in bytes (1 MiB by default).
  [[nodiscard]] int64_t max_payload() const;

  [[nodiscard]] __natsConnection* connection() const { return nc_; }
  [[nodiscard]] __jsCtx* jetstream() const { return js_; }
  [[nodiscard]] const NatsOptions& options() const { return options_; }

 private:
  const NatsOptions options_;
  std::atomic<bool> closing_{false};
  __natsConnection* nc_ = nullptr;
  __jsCtx* js_ = nullptr;
};

// JetStream's API error code for a stream that does not exist.
inline constexpr int kJsStreamNotFound = 10059;

// A libnats status (and JetStream error code, 0 if none) as a Status
// saying what failed. Unavailable for what passes by itself (no server, a
// timeout, a full stream), Internal otherwise.
[[nodiscard]] Status FromNats(int status, int js_error, const std::string& what);

}  // namespace spoor::nats
