// Jaeger's ingest endpoints: the agent's UDP ports (Thrift compact on 6831,
// binary on 6832, one Agent.emitBatch call per datagram) and the
// collector's HTTP port (POST /api/traces with a Thrift binary Batch, 202).
//
// UDP senders get no answer: malformed datagrams and spans refused by a
// full queue are counted and dropped.
#pragma once

#include <cstddef>
#include <functional>

#include "formats/jaeger_thrift/jaeger_thrift_decode.h"
#include "pipeline/span_sink.h"
#include "receivers/http_body.h"
#include "server/udp_server.h"

namespace spoor {

// `sink` must outlive the handler.
[[nodiscard]] UdpHandler NewJaegerAgentHandler(ThriftProtocol protocol, SpanSink& sink);

struct JaegerHttpOptions {
  size_t max_request_bytes = 64u << 20;  // after decompression
  // Answers GET /api/sampling when set.
  std::function<HttpResponse(const HttpRequest&)> sampling;
};

[[nodiscard]] HttpReceiverHandlers NewJaegerHttpHandlers(const JaegerHttpOptions& options,
                                                         SpanSink& sink);

}  // namespace spoor
