// The storage contract. Every backend (memory, embedded, clickhouse)
// implements SpanWriter + SpanReader + DependencyReader behind one
// `Storage` object created by the factory (factory.h); callers never see the
// concrete class.
//
// Threading: every method may be called concurrently from any thread.
// Ownership: Write() takes the batch by value (a caller done with it moves
// it in) and keeps what it needs; results are returned by value.
// Visibility: what Write() accepted is readable at once (memory, embedded)
// or after Flush() (clickhouse buffers writes for a short linger).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "model/span.h"
#include "spanmetrics/span_metrics_store.h"

namespace spoor {

// A search. A trace matches when ONE of its spans satisfies every set
// condition at once: service (of its resource), operation (span name), kind,
// every tag, the duration bounds and the start time window. A tag matches an
// attribute of the span, of one of its events or links, of its resource or
// of its scope, by exact string comparison of AnyValue::ToString(); the
// tags derived from span fields (span_match.h) match too: span.kind (when
// set), error=true (status ERROR), otel.status_code (OK or ERROR),
// otel.status_description, otel.scope.name, otel.scope.version and
// w3c.tracestate (each when not empty).
// Order: traces by their latest matching span's start, most recent first,
// then by trace ID, descending (the memory store orders by the trace's
// first span instead; the two agree when a trace's matching spans start
// with it).
struct TraceQuery {
  std::string service;    // empty = any
  std::string operation;  // empty = any
  bool match_kind = false;
  SpanKind kind = SpanKind::kUnspecified;
  std::vector<std::pair<std::string, std::string>> tags;
  uint64_t start_time_min_ns = 0;  // inclusive
  uint64_t start_time_max_ns = 0;  // inclusive; 0 = no upper bound
  uint64_t duration_min_ns = 0;    // inclusive; 0 = unset
  uint64_t duration_max_ns = 0;    // inclusive; 0 = unset
  size_t limit = 100;              // most recent traces first
  // Conditions on the trace as a whole (TraceOutline, span_match.h), on top
  // of the span conditions above. They are judged on the trace's spans that
  // start within the time window: its duration from the first start to the
  // last end, and its root (the earliest span without a parent). A trace
  // with spans outside the window is judged on the part inside it.
  uint64_t trace_duration_min_ns = 0;  // inclusive; 0 = unset
  uint64_t trace_duration_max_ns = 0;  // inclusive; 0 = unset
  std::string root_service;            // empty = any
  std::string root_operation;          // empty = any
  // A read option, not a condition: FindTraces may return spans without
  // their attributes, events and links (their resource and scope whole),
  // for a caller that looks at nothing else; a backend may ignore it.
  bool spans_without_attributes = false;
};

// Optional hints narrowing where a trace ID is looked up.
struct TraceTimeHint {
  uint64_t start_ns = 0;  // 0 = unknown
  uint64_t end_ns = 0;    // 0 = unknown
};

struct Operation {
  std::string name;
  SpanKind kind = SpanKind::kUnspecified;
  bool operator==(const Operation&) const = default;
};

struct DependencyLink {
  std::string parent;
  std::string child;
  uint64_t call_count = 0;
};

class SpanWriter {
 public:
  virtual ~SpanWriter() = default;
  // Stores every span of the batch. On error nothing or part of the batch
  // may be stored; the caller counts the batch as dropped. The batch is
  // taken by value so that a caller done with it can move it in, and the
  // store keeps its spans without copying them.
  [[nodiscard]] virtual Status Write(SpanBatch batch) = 0;
};

class SpanReader {
 public:
  virtual ~SpanReader() = default;
  // NotFound when no span of the trace is stored.
  [[nodiscard]] virtual Result<Trace> GetTrace(const TraceId& id, const TraceTimeHint& hint) = 0;
  // Whole traces (every span), most recent first, at most query.limit.
  [[nodiscard]] virtual Result<std::vector<Trace>> FindTraces(const TraceQuery& query) = 0;
  // The IDs FindTraces would return, in the same order.
  [[nodiscard]] virtual Result<std::vector<TraceId>> FindTraceIds(const TraceQuery& query) = 0;
  // Sorted service names.
  [[nodiscard]] virtual Result<std::vector<std::string>> GetServices() = 0;
  // Operations of a service, sorted by name then kind; when match_kind, only
  // that kind.
  [[nodiscard]] virtual Result<std::vector<Operation>> GetOperations(const std::string& service,
                                                                     bool match_kind,
                                                                     SpanKind kind) = 0;
};

class DependencyReader {
 public:
  virtual ~DependencyReader() = default;
  // Calls from a parent span's service to a child span's service, for spans
  // that started in [end - lookback, end].
  [[nodiscard]] virtual Result<std::vector<DependencyLink>> GetDependencies(
      uint64_t end_ns, uint64_t lookback_ns) = 0;
};

// A backend: all three roles over one store.
class Storage : public SpanWriter, public SpanReader, public DependencyReader {
 public:
  // Name for logs and metrics ("memory", "embedded", ...).
  [[nodiscard]] virtual std::string_view name() const = 0;
  // Returns once every span that Write() accepted before the call is
  // readable (or the store failed to write it: an error).
  [[nodiscard]] virtual Status Flush() { return Status::Ok(); }
  // Called once when shutdown begins, before the last writes. A backend
  // whose writes can wait (for a server that is down) stops waiting by a
  // deadline of its own from here on, so that shutdown ends.
  virtual void BeginShutdown() {}
  // The span metrics this backend keeps (spanmetrics/span_metrics_store.h),
  // valid as long as the backend; null when it keeps none.
  [[nodiscard]] virtual SpanMetricsStore* span_metrics() { return nullptr; }
  // Flushes buffered writes; called once at shutdown after the last Write.
  // An error when spans it accepted could not be written.
  [[nodiscard]] virtual Status Close() { return Status::Ok(); }
};

}  // namespace spoor
