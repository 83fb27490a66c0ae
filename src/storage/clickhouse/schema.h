// The ClickHouse tables of the span store and the SQL that creates them;
// the reasons for each choice are in docs/storage-clickhouse.md.
//
//   spans       one row per (trace, written batch): the spans, encoded as a
//               write-ahead entry (storage/embedded/wal_codec.h); ordered by
//               trace ID, so reading a trace is a primary-key lookup.
//   span_index  one row per span: what searches and dependencies need
//               (service, operation, kind, times, IDs, every tag as
//               "key\0value"); ordered by (service, operation, start).
//   operations  (day, service, operation, kind), filled from span_index by a
//               materialized view; answers the services and operations lists.
//   trace_outlines
//               one row per (trace, inserted block of span_index), filled by
//               a materialized view: the extent of those spans and their
//               root (the earliest without a parent), for trace-level
//               conditions (TraceQuery) over far fewer rows than spans.
//   span_metrics_fine, span_metrics_coarse
//               span metrics (spanmetrics/span_metrics_store.h) in 10 s and
//               5 min buckets: one row per (key, bucket) and flush, summed
//               when read; the latency histogram as two arrays (bucket
//               indexes, counts) that sumMap adds up. Partitioned by the
//               bucket's day; sharded by service.
//
// Every table is partitioned by day (the start day of the spans, UTC), so
// retention drops whole partitions. With a cluster, each table is a
// ReplicatedMergeTree "<name>_local" on every server plus a Distributed
// table "<name>" over them, sharded by the trace ID: a trace lives on one
// shard.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace spoor::clickhouse {

struct SchemaOptions {
  std::string database = "spoor";
  std::string cluster;  // "" = one server, plain MergeTree tables
  // The server's version, e.g. {18, 16}: newer servers get LowCardinality
  // columns and per-column compression codecs.
  int major_version = 18;
  int minor_version = 16;
};

// The tables a query reads from and an insert writes into (the Distributed
// ones with a cluster).
inline constexpr std::string_view kSpansTable = "spans";
inline constexpr std::string_view kIndexTable = "span_index";
inline constexpr std::string_view kOperationsTable = "operations";
inline constexpr std::string_view kOutlinesTable = "trace_outlines";
inline constexpr std::string_view kSpanMetricsFineTable = "span_metrics_fine";
inline constexpr std::string_view kSpanMetricsCoarseTable = "span_metrics_coarse";
// The table that holds rows on each server ("<table>_local" on a cluster).
[[nodiscard]] std::string LocalTable(const SchemaOptions& options, std::string_view table);
// The tables that hold data, whose partitions retention drops.
[[nodiscard]] std::vector<std::string> DataTables(const SchemaOptions& options);

// The statements that create the database and every table, in order; each
// is IF NOT EXISTS, so running them again changes nothing.
[[nodiscard]] std::vector<std::string> SchemaStatements(const SchemaOptions& options);

// "db.table", quoted with backquotes.
[[nodiscard]] std::string Qualified(const SchemaOptions& options, std::string_view table);

// Parses "18.16.1" (or "23.8.2.7") into major and minor; false otherwise.
[[nodiscard]] bool ParseServerVersion(std::string_view text, int* major, int* minor);

}  // namespace spoor::clickhouse
