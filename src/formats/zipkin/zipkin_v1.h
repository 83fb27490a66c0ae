// Zipkin's v1 span model (annotations with endpoints, binary annotations),
// as the v1 JSON and Thrift decoders read it, and its conversion to v2 spans
// by the rules of Zipkin's V1SpanConverter:
//
// - Core annotations (cs, cr, sr, ss, ms, mr; with an endpoint) set the kind
//   (CLIENT, SERVER, PRODUCER, CONSUMER) and the local endpoint; the others
//   become annotations of the span of their endpoint.
// - timestamp and duration are the span's own when both are set, else from
//   the core annotations: cs..cr, sr..ss, ms..ws, wr..mr.
// - A span with both cs and sr is two spans with the same IDs: the client
//   (timestamp and duration of the span, or cs..cr) and the server, marked
//   shared (sr..ss). A server-only span without a timestamp is also shared.
// - Address annotations (boolean binary annotations "sa", "ca", "ma" with an
//   endpoint) are the remote endpoint: sa of the client, ca of the server,
//   ma of the producer and consumer.
// - Other binary annotations are tags of the span of their endpoint, as
//   strings (an empty "lc" marker is dropped).
// - Annotations and binary annotations whose endpoint names another service
//   than any span so far start another span with the same IDs.
//
// Internal to src/formats/zipkin.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "formats/zipkin/zipkin_model.h"
#include "model/ids.h"

namespace spoor::zipkin {

struct ZipkinV1Annotation {
  uint64_t timestamp_us = 0;
  std::string_view value;
  std::optional<ZipkinEndpoint> endpoint;
};

struct ZipkinV1BinaryAnnotation {
  std::string_view key;
  std::string value;        // a tag's value as text; unused for an address
  bool is_address = false;  // "sa", "ca" or "ma" with value true; has an endpoint
  std::optional<ZipkinEndpoint> endpoint;
};

// Views borrow from the decoder's input.
struct ZipkinV1Span {
  TraceId trace_id;
  SpanId id;
  SpanId parent_id;  // invalid when absent or zero
  std::string_view name;
  uint64_t timestamp_us = 0;  // 0: absent
  uint64_t duration_us = 0;   // 0: absent
  bool debug = false;
  std::vector<ZipkinV1Annotation> annotations;
  std::vector<ZipkinV1BinaryAnnotation> binary_annotations;
};

// Appends the v2 spans of `v1` to `out` (at least one).
void ConvertV1Span(const ZipkinV1Span& v1, std::vector<ZipkinSpanView>* out);

}  // namespace spoor::zipkin
