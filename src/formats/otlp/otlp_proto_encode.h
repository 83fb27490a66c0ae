// OTLP protobuf encoding of a SpanBatch: an ExportTraceServiceRequest (the
// same bytes as TracesData), the form batches travel in on the NATS stream
// between collectors and ingesters, readable by any OTLP consumer.
//
// DecodeOtlpProto(EncodeOtlpProto(batch)) gives `batch` back. Fields at
// their proto3 default are left out; attribute values are always written
// (a oneof). Sizes are computed in one pass and the bytes written in a
// second into one buffer of exactly that size: no per-message allocation.
#pragma once

#include <string>

#include "model/span.h"

namespace spoor {

// Replaces `*out` with the encoding of `batch`.
void EncodeOtlpProto(const SpanBatch& batch, std::string* out);

}  // namespace spoor
