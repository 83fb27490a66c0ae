// Spans as Jaeger's agent receives them on UDP 6831: an `emitBatch` oneway
// call in Thrift's compact protocol (jaeger.thrift, agent.thrift), written by
// hand (no Thrift runtime).
#pragma once

#include <string>
#include <vector>

#include "spoor/span_data.h"

namespace spoor::internal {

// The encoded span, as an element of Batch.spans.
[[nodiscard]] std::string EncodeThriftSpan(const SpanData& span);
// The encoded Process.
[[nodiscard]] std::string EncodeThriftProcess(const ProcessData& process);

// The datagram: the emitBatch message around Batch{process, spans}, from
// already encoded spans.
[[nodiscard]] std::string EncodeEmitBatch(const std::string& process,
                                          const std::vector<std::string>& spans);

// Bytes the datagram adds around the process and the spans, at most.
inline constexpr size_t kEmitBatchOverhead = 64;

}  // namespace spoor::internal
