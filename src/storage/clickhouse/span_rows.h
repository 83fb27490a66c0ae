// A batch of spans as the rows of the `spans` and `span_index` tables
// (schema.h), in ClickHouse's RowBinary format.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/span.h"

namespace spoor::clickhouse {

// Rows ready to insert, appended to by several batches.
struct RowBuffers {
  std::string spans;  // rows of `spans`
  std::string index;  // rows of `span_index`
  size_t span_count = 0;

  [[nodiscard]] bool empty() const { return span_count == 0; }
  [[nodiscard]] size_t bytes() const { return spans.size() + index.size(); }
  void Clear() {
    spans.clear();
    index.clear();
    span_count = 0;
  }
};

// The searchable tags of a span, as span_index holds them: "key\0value" for
// every attribute of the span, its resource, scope, events and links (the
// value as AnyValue::ToString gives it) and for the tags derived from its
// fields (span.kind, error, otel.status_code, ...; see storage.h), sorted,
// without repeats. `out` is reused: its strings keep their capacity.
void SpanTags(const Span& span, const Resource& resource, const Scope& scope,
              std::vector<std::string>* out, size_t* count);

// The day (since 1970-01-01, UTC) of a time in ns: the partition key.
[[nodiscard]] inline uint16_t DayOf(uint64_t ns) {
  return static_cast<uint16_t>(ns / (86400ULL * 1000000000ULL));
}

// Appends the rows of `batch`, which it takes apart: one span_index row per
// span, one spans row per trace (its spans of this batch, encoded as a
// write-ahead entry).
class RowEncoder {
 public:
  void Append(SpanBatch batch, RowBuffers* out);

 private:
  std::vector<std::string> tags_;
  std::unordered_map<TraceId, size_t, TraceIdHash> group_of_;
  std::vector<SpanBatch> groups_;
  std::string entry_;
};

}  // namespace spoor::clickhouse
