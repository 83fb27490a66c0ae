// Trace outlines (span_match.h) merged from the places that hold parts of
// each trace — sealed blocks' indexes, open blocks' spans — keyed by trace
// ID: an open-addressing table, no allocation per trace, meant to be
// cleared and refilled with one range of trace IDs at a time so that it
// stays in the processor's cache. Internal to the embedded store; one
// thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/ids.h"
#include "storage/span_match.h"

namespace spoor::embedded_internal {

class OutlineTable {
 public:
  struct Entry {
    TraceId id;
    TraceOutline outline;
    uint64_t latest_start_ns = 0;  // the latest start among the parts in the window
  };

  // `parts`: at most how many parts Add() will see (more still work,
  // slower).
  explicit OutlineTable(size_t parts);

  // Merges a part of trace `id` into its entry.
  void Add(const TraceId& id, const TraceOutline& part, uint64_t latest_start_ns);

  [[nodiscard]] const std::vector<Entry>& entries() const { return entries_; }

  // Empties the table, keeping its memory.
  void Clear();

 private:
  void Grow();

  std::vector<uint32_t> slots_;  // 0 = empty, else 1 + index in entries_
  std::vector<Entry> entries_;
  size_t mask_ = 0;
};

}  // namespace spoor::embedded_internal
