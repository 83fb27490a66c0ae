// The small index kept for every sealed block of the embedded store: its
// time range, the traces it holds, its (service, operation, kind) entries
// with their duration ranges, a Bloom filter over the tag values it holds,
// and the service dependency links among its spans.
//
// All indexes are held in memory (a few bytes per trace), so a search reads
// only the blocks that may match and a trace read only the blocks that hold
// the trace. The serialized form is stored next to the block; layout in
// docs/storage-embedded.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/embedded/block_codec.h"    // SpanRefs
#include "storage/embedded/block_columns.h"  // ByteReader
#include "storage/span_match.h"
#include "storage/storage.h"

namespace spoor {

struct BlockOperation {
  std::string service;
  std::string operation;
  SpanKind kind = SpanKind::kUnspecified;
  uint64_t min_duration_ns = 0;
  uint64_t max_duration_ns = 0;
};

// What a block holds of one of its traces: the extent of its spans here
// and their root (the earliest span without a parent), for trace-level
// conditions (TraceQuery) without decoding the block.
struct BlockTraceOutline {
  static constexpr uint32_t kNoRoot = UINT32_MAX;
  uint64_t first_start_ns = 0;
  uint64_t max_start_ns = 0;
  uint64_t last_end_ns = 0;
  uint64_t root_start_ns = 0;  // when root_op != kNoRoot
  uint32_t root_op = kNoRoot;  // the root's service and name: an index in operations
};

class BlockIndex {
 public:
  // Summarizes `spans` (the content of one block). `string_values`, when
  // given, is the block's value dictionary from EncodeBlock(): string values
  // are then taken from it instead of span by span.
  [[nodiscard]] static BlockIndex Build(SpanRefs spans,
                                        const std::vector<std::string_view>* string_values);
  [[nodiscard]] static BlockIndex Build(const std::vector<SpanRecord>& spans);

  [[nodiscard]] std::string Serialize() const;
  [[nodiscard]] static Result<BlockIndex> Parse(std::string_view data);

  // False when no span of the block can satisfy `query` (time window,
  // service, operation, kind, duration bounds, tags); true means "maybe".
  [[nodiscard]] bool MayMatch(const TraceQuery& query) const;
  [[nodiscard]] bool HasTrace(const TraceId& id) const;
  // The IDs of `sorted` (sorted, unique) the block holds, in order: one
  // pass over both lists, or a binary search each when `sorted` is short.
  [[nodiscard]] std::vector<TraceId> HeldTraces(const std::vector<TraceId>& sorted) const;

  // Whether the index holds trace outlines (indexes of older versions do
  // not).
  [[nodiscard]] bool has_outlines() const { return has_outlines_ || trace_ids.empty(); }
  // An outline as span_match.h's TraceOutline, its names borrowed from
  // this index; without its root unless `with_root` (reading the root's
  // names costs a cache miss per trace when many blocks are read at once).
  [[nodiscard]] TraceOutline Outline(const BlockTraceOutline& outline, bool with_root = true) const;

  // Reads the outlines of trace_ids in their order. They are kept in memory
  // as they are stored (varints, about 10 bytes per trace) and decoded as
  // read.
  class OutlineReader {
   public:
    explicit OutlineReader(const BlockIndex& index) : index_(&index), in_(index.outline_bytes_) {}
    // The outline of trace_ids[position()]; false past the end.
    [[nodiscard]] bool Next(BlockTraceOutline* out);
    [[nodiscard]] size_t position() const { return position_; }
    [[nodiscard]] size_t bytes_left() const { return in_.remaining(); }

   private:
    const BlockIndex* index_;
    block_internal::ByteReader in_;
    size_t position_ = 0;
  };

  uint64_t min_start_ns = 0;
  uint64_t max_start_ns = 0;
  uint64_t span_count = 0;
  std::vector<TraceId> trace_ids;  // sorted, unique
  std::vector<BlockOperation> operations;
  std::vector<DependencyLink> dependencies;

 private:
  void AddTag(std::string_view key, std::string_view value);
  [[nodiscard]] bool MayHaveTag(std::string_view key, std::string_view value) const;
  [[nodiscard]] bool FilterHas(std::string_view key, std::string_view value) const;

  std::string outline_bytes_;  // the outlines as serialized; checked when parsed
  bool has_outlines_ = false;
  std::vector<uint64_t> tag_hashes_;  // while building only
  // Bloom filter over attribute values (key empty) and derived tags
  // (key=value), or, in indexes written by older versions, over
  // key=value pairs of every tag (pair_filter_).
  std::vector<uint64_t> bloom_;
  bool pair_filter_ = false;
};

// Service-to-service calls among `spans` (a parent span and its child in
// different services), summed per (parent, child).
[[nodiscard]] std::vector<DependencyLink> ComputeDependencies(SpanRefs spans);
[[nodiscard]] std::vector<DependencyLink> ComputeDependencies(const std::vector<SpanRecord>& spans);

}  // namespace spoor
