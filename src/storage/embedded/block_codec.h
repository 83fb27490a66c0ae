// The embedded store's block codec: a compact, columnar, zstd-compressed
// encoding of a set of spans (a "block"), and its decoder. The byte layout is
// documented in docs/storage-embedded.md ("Block format").
//
// Inside a block, spans are grouped by trace (traces in trace ID order, the
// spans of a trace in start time order) and the traces are cut into groups
// that compress and decode independently, so that reading a few traces
// decodes only the groups holding them. Every field of the model round-trips
// exactly, with two normalizations: Resource::service_name is recomputed
// with ResolveServiceName(), and interned fields come back interned
// (spoor::Intern). Resources and scopes that were equal (including
// schema_url) come back as one shared object per block.
//
// Threading: all functions are reentrant and may run concurrently.
// Ownership: the decoders copy what they return; the input may be freed
// afterwards.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "model/ids.h"
#include "model/span.h"

namespace spoor {

struct BlockEncodeOptions {
  // zstd level of the column streams; 0 stores them uncompressed.
  int zstd_level = 3;
  // A group is closed, at a trace boundary, once it holds this many spans.
  uint32_t group_spans = 2048;
};

// Spans by address: what the store's open blocks hold, in many chunks,
// encoded without copying them into one vector.
using SpanRefs = std::span<const SpanRecord* const>;

[[nodiscard]] inline std::vector<const SpanRecord*> SpanRefsOf(std::span<const SpanRecord> spans) {
  std::vector<const SpanRecord*> out;
  out.reserve(spans.size());
  for (const SpanRecord& r : spans) out.push_back(&r);
  return out;
}

// Encodes `spans` (any order, duplicates kept) into one self-describing block.
// Values nested deeper than kMaxBlockValueDepth levels are not supported (the
// OTLP decoders stop well before).
// `values`, when given, receives the block's value dictionary: every distinct
// string and bytes value of the spans' attributes (nested ones included),
// trace states, status messages and schema URLs, as views into `spans`.
[[nodiscard]] std::string EncodeBlock(SpanRefs spans, const BlockEncodeOptions& options = {},
                                      std::vector<std::string_view>* values = nullptr);
[[nodiscard]] std::string EncodeBlock(std::span<const SpanRecord> spans,
                                      const BlockEncodeOptions& options = {});

inline constexpr int kMaxBlockValueDepth = 256;

// What a decoder fills in of each span: everything, or everything but the
// attributes, events and links of the span (its resource and scope are
// whole either way), for readers that look at nothing else and would
// rather not pay for them.
enum class SpanDetail { kWhole, kWithoutAttributes };

// Decodes every span of `block` and appends them to `out`, grouped by trace.
// Corrupt or truncated input gives InvalidArgument (checked with per-section
// CRC32s and by validating every count against the bytes present); `out` is
// then left unchanged.
[[nodiscard]] Status DecodeBlock(std::string_view block, std::vector<SpanRecord>* out,
                                 SpanDetail detail = SpanDetail::kWhole);

// Like DecodeBlock, but appends only the spans of the traces that have a
// span which may carry every tag of `tags` ("key=value" as SpanHasTag
// matches it): a superset of the traces a search with those tags can match,
// found from the attribute columns without decoding the other spans. The
// caller still matches the spans it gets.
[[nodiscard]] Status DecodeBlockWithTags(
    std::string_view block, const std::vector<std::pair<std::string, std::string>>& tags,
    std::vector<SpanRecord>* out);

// Like DecodeBlock, but appends only the spans of the traces in `ids` (any
// order, repeats and absent IDs allowed). Only the groups holding those
// traces are checked and decompressed.
[[nodiscard]] Status DecodeBlockTraces(std::string_view block, const std::vector<TraceId>& ids,
                                       std::vector<SpanRecord>* out,
                                       SpanDetail detail = SpanDetail::kWhole);

}  // namespace spoor
