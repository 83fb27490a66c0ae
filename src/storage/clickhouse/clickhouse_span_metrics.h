// The ClickHouse store's span metrics: rows of the span_metrics_fine and
// span_metrics_coarse tables (schema.h), one per (key, bucket) and add,
// summed when read (sum, and sumMap for the latency histogram). Retention
// drops whole days.
#pragma once

#include "spanmetrics/span_metrics_store.h"
#include "storage/clickhouse/client.h"
#include "storage/clickhouse/schema.h"

namespace spoor::clickhouse {

class ClickHouseSpanMetrics final : public SpanMetricsStore {
 public:
  // `client` must outlive this object.
  ClickHouseSpanMetrics(Client& client, SchemaOptions schema)
      : client_(client), schema_(std::move(schema)) {}

  Status AddSpanMetrics(const std::vector<SpanMetricsRow>& rows) override;
  Result<std::vector<SpanMetricsRow>> ReadSpanMetrics(const SpanMetricsRead& read) override;
  Status ExpireSpanMetrics(uint64_t fine_cutoff_ns, uint64_t coarse_cutoff_ns) override;

 private:
  Client& client_;
  const SchemaOptions schema_;
};

// Drops the partitions of `table` (a local table name) whose day ends
// before cutoff_ns; partitions are named by day (YYYYMMDD).
[[nodiscard]] Status DropDaysBefore(Client& client, const SchemaOptions& schema,
                                    const std::string& table, uint64_t cutoff_ns);

}  // namespace spoor::clickhouse
