// Encoder of Jaeger's api_v2 span model (proto/jaeger/api_v2/model.proto)
// from ours, for the api_v2 QueryService: the Jaeger form of each span is
// jaeger_model/jaeger_export.h's, the one the query API's JSON shows, so the
// two answers carry the same tags, references, logs and processes.
#pragma once

#include <string>

#include "model/span.h"

namespace spoor {

// Writes a SpansResponseChunk (field 1: repeated Span) of the spans in
// [begin, end), each with its process set (Span.process, field 10) as
// Jaeger's query service sends them, into `*out` (replaced).
void EncodeJaegerSpansChunk(const SpanRecord* begin, const SpanRecord* end, std::string* out);

}  // namespace spoor
