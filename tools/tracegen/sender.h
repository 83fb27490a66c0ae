// Senders put a workload request on the wire in one protocol. Each owns its
// connection (HTTP keep-alive connection, gRPC channel, UDP socket) and is
// used by one thread; it connects lazily and again after an error, so a
// sender never fails to exist, only to send.
#pragma once

#include <memory>
#include <string>

#include "options.h"
#include "workload.h"

namespace spoor::tracegen {

// What happened to one request. A request is one or more wire messages
// (Jaeger sends a batch per service); `messages_*` count those.
struct SendOutcome {
  int messages_sent = 0;
  int messages_acked = 0;
  int messages_failed = 0;
  int spans_sent = 0;
  int spans_acked = 0;
  int spans_failed = 0;
  std::string error;  // the first failure's message, empty when none
};

class Sender {
 public:
  virtual ~Sender() = default;
  [[nodiscard]] virtual SendOutcome Send(const ExportRequest& request) = 0;
};

// Whether the protocol answers each message (false for UDP, where sent is
// all that is known).
[[nodiscard]] bool Acknowledges(Protocol protocol);

[[nodiscard]] std::unique_ptr<Sender> MakeSender(const Options& options);

}  // namespace spoor::tracegen
