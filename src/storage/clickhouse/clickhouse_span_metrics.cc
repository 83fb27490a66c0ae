#include "storage/clickhouse/clickhouse_span_metrics.h"

#include "common/encoding.h"
#include "common/log.h"
#include "common/time_format.h"
#include "formats/protowire/wire_reader.h"

namespace spoor::clickhouse {
namespace {

constexpr uint64_t kDayNs = 86400ULL * 1000000000;

std::string_view TableOf(MetricsResolution r) {
  return r == MetricsResolution::kFine ? kSpanMetricsFineTable : kSpanMetricsCoarseTable;
}

void AppendRow(const SpanMetricsRow& r, std::string& out) {
  encoding::PutFixed16(out, static_cast<uint16_t>(r.bucket_start_ns / kDayNs));
  encoding::PutLengthPrefixed(out, r.key.service);
  encoding::PutFixed64(out, r.bucket_start_ns);
  out.push_back(static_cast<char>(r.key.kind));
  encoding::PutLengthPrefixed(out, r.key.operation);
  encoding::PutFixed64(out, r.value.calls);
  encoding::PutFixed64(out, r.value.errors);
  std::vector<std::pair<uint32_t, uint64_t>> buckets;
  r.value.latency.ForEachBucket([&](uint32_t b, uint64_t n) { buckets.emplace_back(b, n); });
  encoding::PutVarint(out, buckets.size());
  for (const auto& [b, n] : buckets) encoding::PutFixed16(out, static_cast<uint16_t>(b));
  encoding::PutVarint(out, buckets.size());
  for (const auto& [b, n] : buckets) encoding::PutFixed64(out, n);
}

Status Corrupt() {
  return Internal("clickhouse: malformed span metrics answer");
}

}  // namespace

Status ClickHouseSpanMetrics::AddSpanMetrics(const std::vector<SpanMetricsRow>& rows) {
  if (Status s = ValidateSpanMetricsRows(rows); !s.ok()) return s;
  for (MetricsResolution r : {MetricsResolution::kFine, MetricsResolution::kCoarse}) {
    std::string data;
    for (const SpanMetricsRow& row : rows) {
      if (row.resolution == r) AppendRow(row, data);
    }
    if (data.empty()) continue;
    if (Status s = client_.Insert(
            "INSERT INTO " + Qualified(schema_, TableOf(r)) + " FORMAT RowBinary", data);
        !s.ok()) {
      return s;
    }
  }
  return Status::Ok();
}

Result<std::vector<SpanMetricsRow>> ClickHouseSpanMetrics::ReadSpanMetrics(
    const SpanMetricsRead& read) {
  if (Status s = ValidateSpanMetricsRead(read); !s.ok()) return s;
  std::vector<SpanMetricsRow> out;
  if (read.start_ns >= read.end_ns) return out;
  std::string sql =
      "SELECT service, operation, toUInt64(kind), bucket_ns, sum(calls), sum(errors), "
      "sumMap(arrayMap(x -> toUInt64(x), hist_buckets), hist_counts) FROM " +
      Qualified(schema_, TableOf(read.resolution)) + " WHERE service IN (";
  for (size_t i = 0; i < read.services.size(); ++i) {
    if (i > 0) sql += ", ";
    AppendQuoted(sql, read.services[i]);
  }
  sql += ") AND bucket_ns >= " + std::to_string(read.start_ns) + " AND bucket_ns < " +
         std::to_string(read.end_ns);
  if (!read.kinds.empty()) {
    sql += " AND kind IN (";
    for (size_t i = 0; i < read.kinds.size(); ++i) {
      sql += (i > 0 ? ", " : "") + std::to_string(static_cast<int>(read.kinds[i]));
    }
    sql += ")";
  }
  sql +=
      " GROUP BY service, operation, kind, bucket_ns ORDER BY service, operation, kind, "
      "bucket_ns FORMAT RowBinary";
  auto body = client_.Query(sql);
  if (!body.ok()) return body.status();
  protowire::WireReader r(*body);
  while (!r.done()) {
    SpanMetricsRow row;
    row.resolution = read.resolution;
    std::string_view service;
    std::string_view operation;
    uint64_t kind = 0;
    if (!r.ReadBytes(&service) || !r.ReadBytes(&operation) || !r.ReadFixed64(&kind) ||
        kind > static_cast<uint64_t>(SpanKind::kConsumer) || !r.ReadFixed64(&row.bucket_start_ns) ||
        !r.ReadFixed64(&row.value.calls) || !r.ReadFixed64(&row.value.errors)) {
      return Corrupt();
    }
    row.key = {std::string(service), std::string(operation), static_cast<SpanKind>(kind)};
    uint64_t n_buckets = 0;
    if (!r.ReadVarint(&n_buckets) || n_buckets > LatencyHistogram::kMaxBucket + 1) return Corrupt();
    std::vector<uint64_t> buckets(n_buckets);
    for (uint64_t& b : buckets) {
      if (!r.ReadFixed64(&b) || b > LatencyHistogram::kMaxBucket) return Corrupt();
    }
    uint64_t n_counts = 0;
    if (!r.ReadVarint(&n_counts) || n_counts != n_buckets) return Corrupt();
    for (uint64_t b : buckets) {
      uint64_t n = 0;
      if (!r.ReadFixed64(&n)) return Corrupt();
      row.value.latency.AddToBucket(static_cast<uint32_t>(b), n);
    }
    out.push_back(std::move(row));
  }
  return out;
}

Status ClickHouseSpanMetrics::ExpireSpanMetrics(uint64_t fine_cutoff_ns,
                                                uint64_t coarse_cutoff_ns) {
  if (Status s = DropDaysBefore(client_, schema_, LocalTable(schema_, kSpanMetricsFineTable),
                                fine_cutoff_ns);
      !s.ok()) {
    return s;
  }
  return DropDaysBefore(client_, schema_, LocalTable(schema_, kSpanMetricsCoarseTable),
                        coarse_cutoff_ns);
}

Status DropDaysBefore(Client& client, const SchemaOptions& schema, const std::string& table,
                      uint64_t cutoff_ns) {
  // A day is dropped once its last nanosecond is before the cutoff.
  std::string cutoff_day = FormatRfc3339(cutoff_ns, false).substr(0, 10);
  std::string cutoff_id =
      cutoff_day.substr(0, 4) + cutoff_day.substr(5, 2) + cutoff_day.substr(8, 2);
  std::string sql = "SELECT DISTINCT partition_id FROM system.parts WHERE active AND database = ";
  AppendQuoted(sql, schema.database);
  sql += " AND table = ";
  AppendQuoted(sql, table);
  sql += " AND partition_id < ";
  AppendQuoted(sql, cutoff_id);
  auto ids = client.Query(sql);
  if (!ids.ok()) return ids.status();
  std::string_view rest = *ids;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view id = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (id.empty()) continue;
    std::string drop = "ALTER TABLE " + Qualified(schema, table);
    if (!schema.cluster.empty()) drop += " ON CLUSTER `" + schema.cluster + "`";
    drop += " DROP PARTITION ID ";
    AppendQuoted(drop, id);
    auto r = client.Query(drop);
    if (!r.ok()) return r.status();
    LogInfo("clickhouse retention: dropped ", table, " partition ", id);
  }
  return Status::Ok();
}

}  // namespace spoor::clickhouse
