// Spans in Jaeger's Thrift forms (jaeger.thrift, agent.thrift), written by
// hand (no Thrift runtime): the compact protocol of the agent's UDP 6831
// `emitBatch` datagrams, and the binary protocol of the Batch a collector
// takes over HTTP on 14268 (`/api/traces`).
#pragma once

#include <string>
#include <vector>

#include "spoor/span_data.h"

namespace spoor::internal {

enum class ThriftProtocol { kCompact, kBinary };

// The encoded span, as an element of Batch.spans.
[[nodiscard]] std::string EncodeThriftSpan(const SpanData& span,
                                           ThriftProtocol protocol = ThriftProtocol::kCompact);
// The encoded Process.
[[nodiscard]] std::string EncodeThriftProcess(const ProcessData& process,
                                              ThriftProtocol protocol = ThriftProtocol::kCompact);

// The datagram: the compact emitBatch message around Batch{process, spans},
// from already encoded (compact) spans.
[[nodiscard]] std::string EncodeEmitBatch(const std::string& process,
                                          const std::vector<std::string>& spans);

// Bytes the datagram adds around the process and the spans, at most.
inline constexpr size_t kEmitBatchOverhead = 64;

// The HTTP body: Batch{process, spans} in the binary protocol.
[[nodiscard]] std::string EncodeBinaryBatch(const ProcessData& process,
                                            const std::vector<SpanData>& spans);

}  // namespace spoor::internal
