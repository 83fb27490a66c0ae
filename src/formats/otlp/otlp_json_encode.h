// OTLP/JSON encoding of stored traces (api_v3 responses): hex IDs, enums as
// integers, 64-bit integers as decimal strings, lowerCamelCase names.
#pragma once

#include <string>
#include <vector>

#include "common/json_writer.h"
#include "model/span.h"

namespace spoor {

// Writes {"resourceSpans": [...]} for the traces; spans that share a
// resource and scope (same pointers, or equal values) are grouped together.
void AppendOtlpJsonTraces(const std::vector<Trace>& traces, JsonWriter& w);

}  // namespace spoor
