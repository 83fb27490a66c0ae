// The Jaeger query API's JSON form of a trace (what the Jaeger UI reads).
// Mapping from the OTLP-shaped model as Jaeger's OpenTelemetry translator
// does it; see docs/formats.md.
#pragma once

#include <string>
#include <vector>

#include "common/json_writer.h"
#include "model/span.h"

namespace spoor {

// Writes one trace object: {"traceID", "spans", "processes", "warnings"}.
// Spans are written in the order they appear in `trace.spans`; each
// SpanRecord's `warnings` become the span's "warnings".
void AppendJaegerTrace(const Trace& trace, JsonWriter& w);

// Writes one Jaeger KV: {"key", "type", "value"} (int64 beyond ±(2^53-1) as
// a string, binary as base64, arrays and maps as JSON strings).
void AppendJaegerTag(std::string_view key, const AnyValue& value, JsonWriter& w);

}  // namespace spoor
