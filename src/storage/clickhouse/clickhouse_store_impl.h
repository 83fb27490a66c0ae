// The ClickHouse store's class, shared by its write side
// (clickhouse_store.cc) and read side (clickhouse_read.cc).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/metrics.h"
#include "storage/clickhouse/clickhouse_span_metrics.h"
#include "storage/clickhouse/clickhouse_store.h"
#include "storage/clickhouse/client.h"
#include "storage/clickhouse/schema.h"
#include "storage/clickhouse/span_rows.h"

namespace spoor::clickhouse {

class ClickHouseStore : public Storage {
 public:
  ClickHouseStore(const ClickHouseStoreOptions& options, SchemaOptions schema);
  ~ClickHouseStore() override;

  // Checks the connection and the schema, creating it when asked.
  [[nodiscard]] Status Start();

  std::string_view name() const override { return "clickhouse"; }
  Status Write(SpanBatch batch) override;
  Status Flush() override;
  void BeginShutdown() override;
  Status Close() override;

  Result<Trace> GetTrace(const TraceId& id, const TraceTimeHint& hint) override;
  Result<std::vector<Trace>> FindTraces(const TraceQuery& query) override;
  Result<std::vector<TraceId>> FindTraceIds(const TraceQuery& query) override;
  Result<std::vector<std::string>> GetServices() override;
  Result<std::vector<Operation>> GetOperations(const std::string& service, bool match_kind,
                                               SpanKind kind) override;
  Result<std::vector<DependencyLink>> GetDependencies(uint64_t end_ns,
                                                      uint64_t lookback_ns) override;

  SpanMetricsStore* span_metrics() override { return &span_metrics_; }

  // Drops the partitions of days wholly before now_ns - span_ttl.
  [[nodiscard]] Status ExpireOldPartitions(uint64_t now_ns);

 private:
  // A buffer on its way to the server, and which of its inserts are done.
  struct Pending {
    RowBuffers rows;
    bool spans_done = false;
    bool index_done = false;
  };

  void FlusherLoop();
  // Inserts what is not yet inserted of `p`; false when an insert failed.
  [[nodiscard]] Status Send(Pending& p);
  // Moves the open buffer to the pending list. Requires mu_.
  void SealOpenLocked();
  [[nodiscard]] Result<std::vector<Trace>> ReadTraces(const std::vector<TraceId>& ids,
                                                      const std::string& day_condition);
  [[nodiscard]] std::string SearchSql(const TraceQuery& query) const;
  // Subqueries of SearchSql, each giving (trace_id, t = the latest
  // start of a span it selects) per trace: the span conditions, from
  // span_index; the trace-level conditions, from trace_outlines.
  [[nodiscard]] std::string SpanSearchSql(const TraceQuery& query) const;
  [[nodiscard]] std::string TraceSearchSql(const TraceQuery& query) const;
  // One search query over the whole of query's window.
  [[nodiscard]] Result<std::vector<TraceId>> SearchOnce(const TraceQuery& query);

  const ClickHouseStoreOptions options_;
  SchemaOptions schema_;  // the version is filled in by Start()
  Client client_;
  ClickHouseSpanMetrics span_metrics_{client_, schema_};
  std::string insert_spans_sql_;
  std::string insert_index_sql_;

  std::mutex mu_;
  std::condition_variable flusher_cv_;  // work for the flusher
  std::condition_variable writers_cv_;  // room for writers, or a flush done
  RowEncoder encoder_;                  // under mu_
  RowBuffers open_;                     // under mu_
  std::chrono::steady_clock::time_point open_since_;
  std::deque<std::unique_ptr<Pending>> pending_;  // oldest first; front is being sent
  // Sent buffers kept for their capacity: a new open buffer takes one, so
  // that buffers of megabytes are not grown again (and faulted in) for
  // every insert.
  std::vector<RowBuffers> spare_;
  uint64_t sealed_count_ = 0;   // buffers sealed so far
  uint64_t done_count_ = 0;     // buffers inserted or given up
  bool stopping_ = false;       // Close(): the flusher ends once the buffers are out
  bool shutting_down_ = false;  // BeginShutdown() or Close(): waits end by stop_deadline_
  std::chrono::steady_clock::time_point stop_deadline_;
  uint64_t spans_given_up_ = 0;
  std::thread flusher_;

  Counter& inserts_failed_;
  Counter& spans_inserted_;
  Counter& spans_dropped_;
};

}  // namespace spoor::clickhouse
