// The mapping of Zipkin's v2 span model to ours, shared by the decoders of
// every Zipkin wire format (v2 JSON and protobuf, and v1 JSON and Thrift
// after their conversion to v2): each decoder reads a span into a
// ZipkinSpanView and hands it to a ZipkinBatchBuilder, which applies the tag
// conventions (status, scope, remote endpoint) and files the span under the
// resource of its local endpoint. docs/formats.md, "Zipkin → model",
// describes the mapping. Internal to src/formats/zipkin.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "formats/otlp/otlp_decode.h"  // DecodeStats
#include "model/span.h"

namespace spoor::zipkin {

// Trace flags: every span Zipkin reports was sampled; debug is Jaeger's bit.
inline constexpr uint32_t kSampledFlag = 1;
inline constexpr uint32_t kDebugFlag = 2;

// Largest time in µs whose value in ns fits in 64 bits.
inline constexpr uint64_t kMaxMicros = UINT64_MAX / 1000;

struct ZipkinEndpoint {
  std::string_view service_name;  // borrowed from the decoder's input
  std::string ipv4;               // text form ("192.168.0.1"); empty when absent
  std::string ipv6;               // text form ("2001:db8::1"); empty when absent
  uint32_t port = 0;              // 0: absent

  // ipv4 when present, else ipv6 (the one address the model keeps).
  [[nodiscard]] std::string_view ip() const { return ipv4.empty() ? ipv6 : ipv4; }
  [[nodiscard]] bool empty() const { return service_name.empty() && ip().empty() && port == 0; }
  bool operator==(const ZipkinEndpoint&) const = default;
};

// One span in Zipkin v2's terms, as a decoder read it. `span` holds the IDs,
// name, kind, flags, annotations (as events, times in ns) and tags (string
// attributes, possibly with repeated keys: the last value wins); its start
// and end times are set by ZipkinBatchBuilder::Add from the µs fields here.
struct ZipkinSpanView {
  Span span;
  uint64_t timestamp_us = 0;  // 0: absent
  uint64_t duration_us = 0;   // 0: absent
  ZipkinEndpoint local;
  ZipkinEndpoint remote;
  // Contributing to a span started by another host (the server side of an
  // RPC that kept the client's span ID). Not stored: the query-side
  // adjusters tell the two sides apart by kind.
  bool shared = false;
};

// Collects decoded spans into a SpanBatch: one resource per distinct local
// endpoint (service name, address, port), within it one scope per distinct
// otel.scope.* pair, in order of first appearance. Not thread-safe; one per
// request.
class ZipkinBatchBuilder {
 public:
  // Applies the tag conventions and files the span. Views in `s` need to be
  // valid only during the call.
  void Add(ZipkinSpanView&& s);
  // Counts an unusable span ("span <index>: <why>"; the first reason is kept).
  void Reject(size_t index, std::string_view why);
  // Moves the spans into `batch` and adds the rejections to `stats` (may be
  // null).
  void Finish(SpanBatch* batch, DecodeStats* stats);

 private:
  SpanBatch batch_;
  DecodeStats stats_;
  // Resource key (service, address, port) -> index in batch_.
  std::unordered_map<std::string, size_t> resources_;
};

// A span's hex IDs, parsed: the trace ID at most 32 hex digits, the span
// and parent IDs at most 16 (shorter ones are left-padded with zeros);
// neither the trace nor the span ID all zeros; no parent when `parent_hex`
// is empty (an all-zero one means none too). Returns why they are
// unusable ("traceId is not hex"), or an empty string when they are fine.
[[nodiscard]] std::string ParseSpanIds(std::string_view trace_hex, std::string_view span_hex,
                                       std::string_view parent_hex, TraceId* trace_id,
                                       SpanId* span_id, SpanId* parent_id);

// Keeps one attribute per key: the last value, at the first key's position.
// Keys must be interned.
void DedupeKeys(Attributes* attrs);

// µs to ns, saturating.
[[nodiscard]] inline uint64_t MicrosToNanos(uint64_t us) {
  return us > kMaxMicros ? UINT64_MAX : us * 1000;
}

// Text forms of binary addresses: 4 bytes as dotted IPv4, 16 bytes as IPv6
// (RFC 5952). Other lengths give an empty string.
[[nodiscard]] std::string Ipv4Text(std::string_view bytes);
[[nodiscard]] std::string Ipv6Text(std::string_view bytes);

}  // namespace spoor::zipkin
