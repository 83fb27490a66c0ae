#include "storage/embedded/outline_table.h"

#include <algorithm>
#include <bit>

namespace spoor::embedded_internal {

OutlineTable::OutlineTable(size_t parts) {
  const size_t size = std::bit_ceil(std::max<size_t>(16, parts * 2));
  slots_.assign(size, 0);
  mask_ = size - 1;
  entries_.reserve(parts);
}

void OutlineTable::Add(const TraceId& id, const TraceOutline& part, uint64_t latest_start_ns) {
  if (entries_.size() * 2 >= slots_.size()) Grow();
  for (size_t i = TraceIdHash()(id) & mask_;; i = (i + 1) & mask_) {
    const uint32_t slot = slots_[i];
    if (slot == 0) {
      entries_.push_back(Entry{id, part, latest_start_ns});
      slots_[i] = static_cast<uint32_t>(entries_.size());
      return;
    }
    Entry& e = entries_[slot - 1];
    if (e.id == id) {
      e.outline.Merge(part);
      e.latest_start_ns = std::max(e.latest_start_ns, latest_start_ns);
      return;
    }
  }
}

void OutlineTable::Clear() {
  if (entries_.empty()) return;
  std::fill(slots_.begin(), slots_.end(), 0);
  entries_.clear();
}

void OutlineTable::Grow() {
  slots_.assign(slots_.size() * 2, 0);
  mask_ = slots_.size() - 1;
  for (size_t n = 0; n < entries_.size(); ++n) {
    size_t i = TraceIdHash()(entries_[n].id) & mask_;
    while (slots_[i] != 0) i = (i + 1) & mask_;
    slots_[i] = static_cast<uint32_t>(n + 1);
  }
}

}  // namespace spoor::embedded_internal
