#include "storage/clickhouse/schema.h"

#include "common/strings.h"

namespace spoor::clickhouse {
namespace {

std::string Quote(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('`');
  return out;
}

bool NewServer(const SchemaOptions& o) {
  // LowCardinality and CODEC are generally available from 20.1 on.
  return o.major_version >= 20;
}

std::string OnCluster(const SchemaOptions& o) {
  return o.cluster.empty() ? "" : " ON CLUSTER " + Quote(o.cluster);
}

// The name of the table that holds the rows on each server.
std::string LocalName(const SchemaOptions& o, std::string_view table) {
  std::string name(table);
  if (!o.cluster.empty()) name += "_local";
  return name;
}

std::string Engine(const SchemaOptions& o, std::string_view table, std::string_view kind) {
  if (o.cluster.empty()) return std::string(kind);
  // {shard} and {replica} come from each server's <macros>.
  return "Replicated" + std::string(kind) + "('/clickhouse/tables/{shard}/" + o.database + "." +
         LocalName(o, table) + "', '{replica}')";
}

std::string Create(const SchemaOptions& o, std::string_view table, std::string_view columns,
                   std::string_view engine, std::string_view tail) {
  return "CREATE TABLE IF NOT EXISTS " + Qualified(o, LocalName(o, table)) + OnCluster(o) + " (" +
         std::string(columns) + ") ENGINE = " + Engine(o, table, engine) + " " + std::string(tail);
}

std::string Distributed(const SchemaOptions& o, std::string_view table,
                        std::string_view sharding_key) {
  return "CREATE TABLE IF NOT EXISTS " + Qualified(o, table) + OnCluster(o) + " AS " +
         Qualified(o, LocalName(o, table)) + " ENGINE = Distributed(" + Quote(o.cluster) + ", " +
         Quote(o.database) + ", " + Quote(LocalName(o, table)) + ", " + std::string(sharding_key) +
         ")";
}

}  // namespace

std::string LocalTable(const SchemaOptions& o, std::string_view table) {
  return LocalName(o, table);
}

std::string Qualified(const SchemaOptions& o, std::string_view table) {
  return Quote(o.database) + "." + Quote(table);
}

std::vector<std::string> DataTables(const SchemaOptions& o) {
  return {LocalName(o, kSpansTable), LocalName(o, kIndexTable), LocalName(o, kOperationsTable),
          LocalName(o, kOutlinesTable)};
}

std::vector<std::string> SchemaStatements(const SchemaOptions& o) {
  const bool fresh = NewServer(o);
  const std::string lc_string = fresh ? "LowCardinality(String)" : "String";
  const std::string zstd = fresh ? " CODEC(ZSTD(1))" : "";
  const std::string delta = fresh ? " CODEC(Delta, ZSTD(1))" : "";
  std::vector<std::string> out;
  out.push_back("CREATE DATABASE IF NOT EXISTS " + Quote(o.database) + OnCluster(o));
  out.push_back(Create(
      o, kSpansTable,
      "day Date, trace_id FixedString(16), start_ns UInt64" + delta + ", spans String" + zstd,
      // A row holds a trace's spans of one batch (about a kilobyte): small
      // granules keep a read by trace ID to a few rows per day.
      "MergeTree", "PARTITION BY day ORDER BY trace_id SETTINGS index_granularity = 64"));
  out.push_back(Create(o, kIndexTable,
                       "day Date, service " + lc_string + ", operation " + lc_string +
                           ", kind UInt8, start_ns UInt64" + delta + ", duration_ns UInt64" + zstd +
                           ", trace_id FixedString(16), span_id UInt64, parent_span_id UInt64"
                           ", tags Array(String)" +
                           zstd,
                       "MergeTree", "PARTITION BY day ORDER BY (service, operation, start_ns)"));
  out.push_back(
      Create(o, kOperationsTable,
             "day Date, service " + lc_string + ", operation " + lc_string + ", kind UInt8",
             "ReplacingMergeTree", "PARTITION BY day ORDER BY (service, operation, kind)"));
  // Each inserted block of span_index adds its distinct operations.
  std::string mv =
      "CREATE MATERIALIZED VIEW IF NOT EXISTS " + Qualified(o, LocalName(o, "operations_mv")) +
      OnCluster(o) + " TO " + Qualified(o, LocalName(o, kOperationsTable)) +
      " AS SELECT day, service, operation, kind FROM " + Qualified(o, LocalName(o, kIndexTable)) +
      " GROUP BY day, service, operation, kind";
  out.push_back(std::move(mv));
  out.push_back(Create(o, kOutlinesTable,
                       "day Date, trace_id FixedString(16), first_start_ns UInt64, max_start_ns "
                       "UInt64, last_end_ns UInt64, roots UInt64, root_start_ns UInt64, "
                       "root_service " +
                           lc_string + ", root_name " + lc_string,
                       "MergeTree", "PARTITION BY day ORDER BY (max_start_ns, trace_id)"));
  // Each inserted block of span_index adds a row per trace in it.
  out.push_back(
      "CREATE MATERIALIZED VIEW IF NOT EXISTS " + Qualified(o, LocalName(o, "trace_outlines_mv")) +
      OnCluster(o) + " TO " + Qualified(o, LocalName(o, kOutlinesTable)) +
      " AS SELECT day, trace_id, min(start_ns) AS first_start_ns, max(start_ns) AS max_start_ns, "
      "max(start_ns + duration_ns) AS last_end_ns, countIf(parent_span_id = 0) AS roots, "
      "minIf(start_ns, parent_span_id = 0) AS root_start_ns, "
      "argMinIf(service, start_ns, parent_span_id = 0) AS root_service, "
      "argMinIf(operation, start_ns, parent_span_id = 0) AS root_name FROM " +
      Qualified(o, LocalName(o, kIndexTable)) + " GROUP BY day, trace_id");
  for (std::string_view table : {kSpanMetricsFineTable, kSpanMetricsCoarseTable}) {
    out.push_back(Create(o, table,
                         "day Date, service " + lc_string + ", bucket_ns UInt64" + delta +
                             ", kind UInt8, operation " + lc_string +
                             ", calls UInt64, errors UInt64, hist_buckets Array(UInt16), "
                             "hist_counts Array(UInt64)",
                         "MergeTree",
                         "PARTITION BY day ORDER BY (service, bucket_ns, kind, operation)"));
  }
  if (!o.cluster.empty()) {
    out.push_back(Distributed(o, kSpanMetricsFineTable, "cityHash64(service)"));
    out.push_back(Distributed(o, kSpanMetricsCoarseTable, "cityHash64(service)"));
    out.push_back(Distributed(o, kSpansTable, "cityHash64(trace_id)"));
    out.push_back(Distributed(o, kIndexTable, "cityHash64(trace_id)"));
    // Filled on each shard by the view, beside the trace's spans.
    out.push_back(Distributed(o, kOutlinesTable, "cityHash64(trace_id)"));
    // Filled on each shard by the view, never inserted into through this.
    out.push_back(Distributed(o, kOperationsTable, "rand()"));
  }
  return out;
}

bool ParseServerVersion(std::string_view text, int* major, int* minor) {
  text = Trim(text);
  size_t dot = text.find('.');
  if (dot == std::string_view::npos) return false;
  size_t dot2 = text.find('.', dot + 1);
  auto ma = ParseInt64(text.substr(0, dot));
  auto mi =
      ParseInt64(text.substr(dot + 1, dot2 == std::string_view::npos ? text.npos : dot2 - dot - 1));
  if (!ma || !mi || *ma < 0 || *mi < 0 || *ma > 1000 || *mi > 1000) return false;
  *major = static_cast<int>(*ma);
  *minor = static_cast<int>(*mi);
  return true;
}

}  // namespace spoor::clickhouse
