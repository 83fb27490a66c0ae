#include "query/adjusters.h"

#include <algorithm>
#include <limits>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/time_format.h"

namespace spoor {
namespace {

// --- Exact duplicates ------------------------------------------------------

bool SameResource(const std::shared_ptr<const Resource>& a,
                  const std::shared_ptr<const Resource>& b) {
  if (a == b) return true;
  if (a == nullptr || b == nullptr) return false;
  return *a == *b;
}

bool SameScope(const std::shared_ptr<const Scope>& a, const std::shared_ptr<const Scope>& b) {
  if (a == b) return true;
  if (a == nullptr || b == nullptr) return false;
  return *a == *b;
}

// A span stored twice (e.g. delivered twice by a retrying client) is shown
// once. Spans that only share an ID are kept: they are different data, and
// the shared-span adjuster below may tell them apart.
void RemoveExactDuplicates(Trace& trace) {
  std::unordered_map<uint64_t, std::vector<size_t>> kept_by_id;
  std::vector<SpanRecord> kept;
  kept.reserve(trace.spans.size());
  for (SpanRecord& record : trace.spans) {
    std::vector<size_t>& same_id = kept_by_id[record.span.span_id.value];
    bool duplicate = std::any_of(same_id.begin(), same_id.end(), [&](size_t i) {
      const SpanRecord& other = kept[i];
      return other.span == record.span && SameResource(other.resource, record.resource) &&
             SameScope(other.scope, record.scope);
    });
    if (duplicate) continue;
    same_id.push_back(kept.size());
    kept.push_back(std::move(record));
  }
  trace.spans = std::move(kept);
}

// --- Zipkin-style shared spans ----------------------------------------------

// Zipkin clients may report the client and the server side of one RPC with
// the same span ID. The UI needs unique IDs, so the server side gets a new
// ID and becomes a child of the (client) span that keeps the old one; spans
// that named the shared ID as their parent are moved under the server side,
// which is where the work they describe happened.
void UniquifySharedServerSpans(Trace& trace) {
  std::unordered_set<uint64_t> client_ids;
  std::unordered_set<uint64_t> used_ids;
  for (const SpanRecord& record : trace.spans) {
    if (record.span.kind == SpanKind::kClient) client_ids.insert(record.span.span_id.value);
    used_ids.insert(record.span.span_id.value);
    used_ids.insert(record.span.parent_span_id.value);
  }
  if (client_ids.empty()) return;

  // New IDs are the smallest unused values, as Jaeger assigns them: the
  // result is deterministic and cannot collide with any ID in the trace.
  uint64_t last_assigned = 0;
  auto next_unused_id = [&]() -> uint64_t {
    while (last_assigned < std::numeric_limits<uint64_t>::max()) {
      ++last_assigned;
      if (used_ids.insert(last_assigned).second) return last_assigned;
    }
    return 0;
  };

  std::unordered_map<uint64_t, uint64_t> old_to_new;
  for (SpanRecord& record : trace.spans) {
    Span& span = record.span;
    if (span.kind != SpanKind::kServer || !client_ids.contains(span.span_id.value)) continue;
    uint64_t new_id = next_unused_id();
    if (new_id == 0) {
      record.warnings.emplace_back("cannot assign unique span ID, too many spans in the trace");
      continue;
    }
    SpanId old_id = span.span_id;
    old_to_new[old_id.value] = new_id;
    span.parent_span_id = old_id;
    span.span_id = SpanId{new_id};
    record.warnings.push_back("span ID " + old_id.Hex() +
                              " was shared with a client span; this server span was given ID " +
                              span.span_id.Hex());
  }
  if (old_to_new.empty()) return;
  for (SpanRecord& record : trace.spans) {
    Span& span = record.span;
    auto it = old_to_new.find(span.parent_span_id.value);
    if (it != old_to_new.end() && span.span_id.value != it->second) {
      span.parent_span_id = SpanId{it->second};
    }
  }
}

// --- Clock skew ---------------------------------------------------------------

// Identifies the machine whose clock stamped a span; "" when unknown.
std::string HostKey(const Resource* resource) {
  if (resource == nullptr) return "";
  for (std::string_view key : {"ip", "host.ip", "host.name", "hostname"}) {
    const AnyValue* v = FindAttribute(resource->attributes, key);
    if (v == nullptr) continue;
    if (v->type == ValueType::kArray) {
      if (!v->array.empty()) return v->array.front().ToString();
      continue;
    }
    return v->ToString();
  }
  return "";
}

int64_t SignedTime(uint64_t ns) {
  return static_cast<int64_t>(std::min<uint64_t>(ns, std::numeric_limits<int64_t>::max()));
}

// The correction that moves `child` inside `parent`, as Jaeger computes it.
int64_t CalculateSkew(const Span& child, const Span& parent) {
  int64_t parent_start = SignedTime(parent.start_time_ns);
  int64_t parent_duration = SignedTime(parent.duration_ns());
  int64_t child_start = SignedTime(child.start_time_ns);
  int64_t child_duration = SignedTime(child.duration_ns());
  if (child_duration > parent_duration) {
    // The child outlived its parent (asynchronous work, or the parent timed
    // out): all that can be said is that it cannot have started earlier.
    return child_start < parent_start ? parent_start - child_start : 0;
  }
  if (child_start >= parent_start &&
      child_start + child_duration <= parent_start + parent_duration) {
    return 0;  // already fits
  }
  // Assume the network latency splits evenly between request and response.
  int64_t latency = (parent_duration - child_duration) / 2;
  return parent_start + latency - child_start;
}

uint64_t ShiftTime(uint64_t t, int64_t delta) {
  if (delta < 0) {
    uint64_t back = static_cast<uint64_t>(-(delta + 1)) + 1;
    return back > t ? 0 : t - back;
  }
  return t + static_cast<uint64_t>(delta);
}

uint64_t Magnitude(int64_t v) {
  return v < 0 ? static_cast<uint64_t>(-(v + 1)) + 1 : static_cast<uint64_t>(v);
}

void ApplySkew(SpanRecord& record, int64_t delta, uint64_t max_delta) {
  if (delta == 0) return;
  if (Magnitude(delta) > max_delta) {
    record.warnings.push_back(
        "max clock skew adjustment delta of " + FormatGoDuration(SignedTime(max_delta)) +
        " exceeded; not applying calculated delta of " + FormatGoDuration(delta));
    return;
  }
  Span& span = record.span;
  span.start_time_ns = ShiftTime(span.start_time_ns, delta);
  span.end_time_ns = ShiftTime(span.end_time_ns, delta);
  for (Event& event : span.events) event.time_ns = ShiftTime(event.time_ns, delta);
  record.warnings.push_back("This span's timestamps were adjusted by " + FormatGoDuration(delta));
}

// Walks every parent/child tree from its root. A child on another host (or
// an unknown one, as Jaeger treats it) gets its own correction relative to
// its already corrected parent; a child on its parent's host inherits the
// parent's correction, since both were stamped by the same clock.
void CorrectClockSkew(Trace& trace, uint64_t max_delta) {
  const size_t n = trace.spans.size();
  std::unordered_map<uint64_t, size_t> index_of;  // first span with each ID
  std::vector<std::string> hosts(n);
  for (size_t i = 0; i < n; ++i) {
    index_of.try_emplace(trace.spans[i].span.span_id.value, i);
    hosts[i] = HostKey(trace.spans[i].resource.get());
  }

  constexpr size_t kNone = std::numeric_limits<size_t>::max();
  std::vector<std::vector<size_t>> children(n);
  std::vector<size_t> roots;
  for (size_t i = 0; i < n; ++i) {
    const SpanId parent_id = trace.spans[i].span.parent_span_id;
    auto it = parent_id.valid() ? index_of.find(parent_id.value) : index_of.end();
    if (it == index_of.end() || it->second == i) {
      roots.push_back(i);  // no parent, a parent outside the trace, or itself
    } else {
      children[it->second].push_back(i);
    }
  }

  struct Frame {
    size_t node;
    size_t parent;
    int64_t delta;  // correction in effect for the parent's host
  };
  // Iterative, and each span is visited at most once, so deep traces and
  // cycles in parent links (spans unreachable from a root) are harmless.
  std::vector<bool> visited(n, false);
  std::vector<Frame> stack;
  for (size_t root : roots) {
    stack.push_back({root, kNone, 0});
    while (!stack.empty()) {
      Frame frame = stack.back();
      stack.pop_back();
      if (visited[frame.node]) continue;
      visited[frame.node] = true;
      int64_t delta = frame.delta;
      if (frame.parent != kNone &&
          (hosts[frame.node].empty() || hosts[frame.node] != hosts[frame.parent])) {
        delta = CalculateSkew(trace.spans[frame.node].span, trace.spans[frame.parent].span);
      }
      ApplySkew(trace.spans[frame.node], delta, max_delta);
      for (size_t child : children[frame.node]) stack.push_back({child, frame.node, delta});
    }
  }
}

// --- Sorting ----------------------------------------------------------------

void SortByKey(Attributes& attrs) {
  std::stable_sort(attrs.begin(), attrs.end(),
                   [](const KeyValue& a, const KeyValue& b) { return a.key < b.key; });
}

// As Jaeger sorts log fields: a string `event` field first (it names the
// log), then the rest by key.
void SortEventAttributes(Attributes& attrs) {
  auto event = std::find_if(attrs.begin(), attrs.end(), [](const KeyValue& kv) {
    return kv.key == "event" && kv.value.type == ValueType::kString;
  });
  auto rest = attrs.begin();
  if (event != attrs.end()) {
    std::rotate(attrs.begin(), event, event + 1);
    ++rest;
  }
  std::stable_sort(rest, attrs.end(),
                   [](const KeyValue& a, const KeyValue& b) { return a.key < b.key; });
}

bool IsSortedByKey(const Attributes& attrs) {
  return std::is_sorted(attrs.begin(), attrs.end(),
                        [](const KeyValue& a, const KeyValue& b) { return a.key < b.key; });
}

void SortTrace(Trace& trace) {
  std::stable_sort(trace.spans.begin(), trace.spans.end(),
                   [](const SpanRecord& a, const SpanRecord& b) {
                     if (a.span.start_time_ns != b.span.start_time_ns) {
                       return a.span.start_time_ns < b.span.start_time_ns;
                     }
                     return a.span.span_id < b.span.span_id;
                   });
  // Resources are shared with storage and between spans: a sorted copy is
  // made once per resource, only when its attributes are out of order.
  std::unordered_map<const Resource*, std::shared_ptr<const Resource>> sorted_resources;
  for (SpanRecord& record : trace.spans) {
    SortByKey(record.span.attributes);
    for (Event& event : record.span.events) SortEventAttributes(event.attributes);
    const Resource* resource = record.resource.get();
    if (resource == nullptr) continue;
    auto [it, inserted] = sorted_resources.try_emplace(resource, nullptr);
    if (inserted && !IsSortedByKey(resource->attributes)) {
      auto copy = std::make_shared<Resource>(*resource);
      SortByKey(copy->attributes);
      it->second = std::move(copy);
    }
    if (it->second != nullptr) record.resource = it->second;
  }
}

}  // namespace

void AdjustTrace(Trace& trace, const AdjusterOptions& options) {
  RemoveExactDuplicates(trace);
  UniquifySharedServerSpans(trace);
  if (options.max_clock_skew_adjustment_ns > 0) {
    CorrectClockSkew(trace, options.max_clock_skew_adjustment_ns);
  }
  SortTrace(trace);
}

}  // namespace spoor
