// The embedded store's write-ahead entries: one written batch, encoded row
// by row with values inline, names (keys, span and event names) once per
// entry, and no compression, so that encoding costs little more than
// copying the spans (the block codec's columnar, compressed
// form is for sealed blocks, where size matters). An entry lives only until
// the blocks holding its spans are sealed. Layout in
// docs/storage-embedded.md ("Write-ahead entries").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/span.h"

namespace spoor {

// The first byte of every entry; a block (the format of older entries)
// starts with its version, 1.
inline constexpr uint8_t kWalEntryVersion = 0x83;

// Appends the entry for `batch` to `out`.
void EncodeWalEntry(const SpanBatch& batch, std::string* out);

// Appends the spans of an entry to `out`, with one shared Resource and Scope
// per ResourceSpans and ScopeSpans of the batch; names are interned.
// Malformed input gives InvalidArgument and leaves `out` unchanged.
[[nodiscard]] Status DecodeWalEntry(std::string_view entry, std::vector<SpanRecord>* out);

}  // namespace spoor
