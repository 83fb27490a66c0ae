// Decoders of Jaeger's Thrift span reports (jaeger.thrift Batch) into
// SpanBatch, for the collector's HTTP endpoint and the agent's UDP ports.
//
// The contract is that of the OTLP decoders (formats/otlp/otlp_decode.h):
// input that cannot be parsed fails with InvalidArgument and a message
// saying where, e.g. "jaeger thrift: Batch.spans[3].tags[1]: truncated
// string"; spans whose trace ID or span ID is zero are left out and counted
// in DecodeStats. The decoded spans are appended to `batch` (one resource
// for the Batch's process, one scope without a name); `stats` (may be null)
// is added to. On failure both are left unchanged. The mapping to the model
// is described in docs/formats.md.
#pragma once

#include <string_view>

#include "common/status.h"
#include "formats/otlp/otlp_decode.h"
#include "formats/thrift/thrift_protocol.h"
#include "model/span.h"

namespace spoor {

// A jaeger.thrift Batch in the Thrift binary protocol (the body of POST
// /api/traces on 14268).
[[nodiscard]] Status DecodeJaegerThriftBatch(std::string_view bytes, ThriftProtocol protocol,
                                             SpanBatch* batch, DecodeStats* stats);

// One UDP packet: a oneway Agent.emitBatch(Batch batch) call message (method
// name "emitBatch", message type CALL=1 or ONEWAY=4, args struct with field
// 1 = Batch), in the compact (port 6831) or binary (port 6832) protocol.
[[nodiscard]] Status DecodeJaegerAgentPacket(std::string_view packet, ThriftProtocol protocol,
                                             SpanBatch* batch, DecodeStats* stats);

}  // namespace spoor
