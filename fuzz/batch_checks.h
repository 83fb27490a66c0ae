// Checks of a decoded SpanBatch against the encoders, shared by the OTLP
// fuzz targets.
#pragma once

#include <string_view>

#include "common/status.h"
#include "formats/otlp/otlp_decode.h"  // DecodeStats
#include "model/span.h"

namespace spoor::fuzz {

// What the OTLP decoders promise of a batch they return: every resource and
// scope set and holding at least one span, every span with a valid trace ID
// and span ID.
void CheckBatchShape(const SpanBatch& batch);

// Encodes the spans with the api_v3 OTLP/JSON encoder, decodes that with
// DecodeOtlpJson and checks that the same spans (with equal resources and
// scopes) come back: the encoder and the decoder must agree.
void CheckOtlpJsonRoundTrip(const SpanBatch& batch);

// Encodes the batch with EncodeOtlpProto (the form batches take on the
// NATS stream) and checks that DecodeOtlpProto gives the same batch back:
// whatever a receiver accepted, an ingester can read.
void CheckOtlpProtoRoundTrip(const SpanBatch& batch);

// Renders the spans, grouped by trace, with the Jaeger JSON encoder and
// checks that each trace is well-formed JSON with every span in it and every
// span's process listed.
void CheckJaegerJson(const SpanBatch& batch);

// All of the above, for a batch a decoder returned.
void CheckDecodedBatch(const SpanBatch& batch);

// The contract every decoder keeps for the outcome of one decode: a failure
// is InvalidArgument (with a message starting with `message_prefix`) and
// leaves `batch` and `stats` untouched; a success gives a rejection reason
// exactly when spans were rejected. Returns whether the decode succeeded.
bool CheckDecodeContract(const Status& status, const SpanBatch& batch, const DecodeStats& stats,
                         std::string_view message_prefix = {});

}  // namespace spoor::fuzz
