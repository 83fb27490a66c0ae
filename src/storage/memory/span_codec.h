// The memory store's form of a stored span: a few bytes per field, appended
// to the bytes of its trace, and decoded on read. Names (attribute keys, span
// and event names) are referred to by a number from the store's NameTable;
// the resource and scope by their index in the trace's own table of shared
// pointers; times relative to a base the trace chooses. Layout in
// docs/storage-memory.md.
//
// A span is a head (what searches and dependencies need: resource/scope
// index, name, kind, status code, IDs, times) followed by a body of known
// length (attributes, events, links, the rarely set fields), so that a search
// decodes a body only for spans whose head matched.
//
// Threading: none of this is thread-safe; the store calls it under its lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/span.h"

namespace spoor {

// Interned names numbered from 0 in order of first sight. Names live for the
// process (model/string_table.h), so the table only grows, as the string
// table does.
class NameTable {
 public:
  NameTable() : slots_(256) {}

  // The number of `name`, which is interned and added on first sight.
  [[nodiscard]] uint32_t Id(std::string_view name);
  // The number of `name` if it was added; false otherwise. Does not add.
  [[nodiscard]] bool Find(std::string_view name, uint32_t* id) const;
  // The interned name numbered `id`, or false when there is none.
  [[nodiscard]] bool Name(uint64_t id, std::string_view* name) const {
    if (id >= names_.size()) return false;
    *name = names_[static_cast<size_t>(id)];
    return true;
  }
  [[nodiscard]] size_t size() const { return names_.size(); }

 private:
  // Open addressing keyed by the address and size of the view: a view of an
  // interned string is found with a hash of its pointer and no string
  // comparison; any other view misses, is interned, and is looked up again.
  struct Slot {
    const char* data = nullptr;
    size_t size = 0;
    uint32_t id = UINT32_MAX;  // UINT32_MAX = empty
  };
  [[nodiscard]] bool FindExact(std::string_view name, uint32_t* id) const;
  void Grow();

  std::vector<Slot> slots_;
  std::vector<std::string_view> names_;
};

// Appends the encoded `span` to `out`. `source` is the index of the span's
// resource and scope in its trace's table; `base_ns` the trace's base time
// (any value, the same when decoding). The trace ID is not written: it is
// the trace's. Returns the number of the span's name.
uint32_t EncodeSpan(const Span& span, uint32_t source, uint64_t base_ns, NameTable& names,
                    std::string* out);

// What the head of an encoded span holds.
struct SpanHead {
  uint32_t source = 0;
  uint32_t name_id = 0;
  SpanKind kind = SpanKind::kUnspecified;
  SpanStatusCode status_code = SpanStatusCode::kUnset;
  SpanId span_id;
  SpanId parent_span_id;
  uint64_t start_time_ns = 0;
  uint64_t end_time_ns = 0;
  std::string_view body;  // into the bytes being read
  bool has_events = false;
  bool has_rare = false;  // links, trace state, flags, dropped counts, status message

  [[nodiscard]] uint64_t duration_ns() const {
    return end_time_ns > start_time_ns ? end_time_ns - start_time_ns : 0;
  }
};

// Reads the spans of one trace's bytes in the order they were written. Every
// read is bounds-checked: bytes that are not what EncodeSpan wrote give
// false, never a read outside them.
class EncodedSpanReader {
 public:
  EncodedSpanReader(std::string_view bytes, uint64_t base_ns) : bytes_(bytes), base_ns_(base_ns) {}

  [[nodiscard]] bool done() const { return pos_ == bytes_.size(); }
  // Reads the next span's head and steps over its body.
  [[nodiscard]] bool Next(SpanHead* head);

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
  uint64_t base_ns_;
};

// Fills every field of `span` but trace_id from `head` and its body. `span`
// may hold an earlier span: every field is overwritten, and the memory of its
// vectors and strings reused.
[[nodiscard]] bool DecodeSpan(const SpanHead& head, const NameTable& names, Span* span);

// True when the span's own attributes (not its events' or links') hold the
// name numbered `key_id` with a value whose string form is `value`
// (ValueMatchesTag, span_match.h), read from the body without decoding it.
// `scratch` holds values that are not compared in place. False for bytes
// that do not read.
[[nodiscard]] bool SpanAttributesHaveTag(const SpanHead& head, const NameTable& names,
                                         uint32_t key_id, std::string_view value,
                                         AnyValue* scratch);

}  // namespace spoor
