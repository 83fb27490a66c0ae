// The ClickHouse store's queries: every condition of a search is evaluated
// by the server; results come back in RowBinary.
#include <algorithm>
#include <map>
#include <unordered_map>

#include "common/time_format.h"
#include "formats/protowire/wire_reader.h"
#include "storage/clickhouse/clickhouse_store_impl.h"
#include "storage/embedded/wal_codec.h"
#include "storage/span_match.h"

namespace spoor::clickhouse {
namespace {

using protowire::WireReader;

constexpr uint64_t kDayNs = 86400ULL * 1000000000ULL;
// Trace IDs read per statement (ReadTraces).
constexpr size_t kReadBatch = 1000;

Status Corrupt(std::string_view what) {
  return Internal("clickhouse: malformed answer (" + std::string(what) + ")");
}

// 'YYYY-MM-DD' of the day holding ns, as a quoted SQL literal.
std::string DayLiteral(uint64_t ns) {
  return "'" + FormatRfc3339(ns, false).substr(0, 10) + "'";
}

void AppendUint(std::string& sql, uint64_t v) {
  sql += std::to_string(v);
}

// The conditions of a query's time window on a table's rows: their day,
// `last_start` (a column) not before the window and `first_start` not
// after it.
std::string WindowSql(const TraceQuery& q, std::string_view last_start,
                      std::string_view first_start) {
  std::string sql = "1";
  if (q.start_time_min_ns != 0) {
    sql += " AND day >= " + DayLiteral(q.start_time_min_ns) + " AND ";
    sql.append(last_start).append(" >= ");
    AppendUint(sql, q.start_time_min_ns);
  }
  if (q.start_time_max_ns != 0) {
    sql += " AND day <= " + DayLiteral(q.start_time_max_ns) + " AND ";
    sql.append(first_start).append(" <= ");
    AppendUint(sql, q.start_time_max_ns);
  }
  return sql;
}

bool ReadTraceIdHex(WireReader& r, TraceId* id) {
  std::string_view hex;
  if (!r.ReadBytes(&hex)) return false;
  auto parsed = TraceId::ParseHex(hex);
  if (!parsed) return false;
  *id = *parsed;
  return true;
}

}  // namespace

std::string ClickHouseStore::SearchSql(const TraceQuery& q) const {
  std::string sql;
  if (!HasTraceConditions(q)) {
    sql = "SELECT hex(trace_id), t FROM (" + SpanSearchSql(q) + ")";
  } else if (!HasSpanConditions(q)) {
    sql = "SELECT hex(trace_id), t FROM (" + TraceSearchSql(q) + ")";
  } else {
    // The traces with a matching span, ranked by it, that also meet the
    // trace-level conditions.
    sql = "SELECT hex(trace_id), t FROM (" + SpanSearchSql(q) +
          ") ANY INNER JOIN (SELECT trace_id FROM (" + TraceSearchSql(q) + ")) USING trace_id";
  }
  sql += " ORDER BY t DESC, trace_id DESC";
  if (q.limit != 0) {
    sql += " LIMIT ";
    AppendUint(sql, q.limit);
  }
  sql += " FORMAT RowBinary";
  return sql;
}

std::string ClickHouseStore::SpanSearchSql(const TraceQuery& q) const {
  // The conditions on small columns go in PREWHERE, so that the tags
  // column is read only for rows that pass them (ClickHouse would
  // otherwise pick the tag condition for PREWHERE itself, and evaluate it
  // on every row of the service: six times slower, measured).
  std::string cheap = WindowSql(q, "start_ns", "start_ns");
  if (!q.service.empty()) {
    cheap += " AND service = ";
    AppendQuoted(cheap, q.service);
  }
  if (!q.operation.empty()) {
    cheap += " AND operation = ";
    AppendQuoted(cheap, q.operation);
  }
  if (q.match_kind) {
    cheap += " AND kind = ";
    AppendUint(cheap, static_cast<uint64_t>(q.kind));
  }
  if (q.duration_min_ns != 0) {
    cheap += " AND duration_ns >= ";
    AppendUint(cheap, q.duration_min_ns);
  }
  if (q.duration_max_ns != 0) {
    cheap += " AND duration_ns <= ";
    AppendUint(cheap, q.duration_max_ns);
  }
  std::string sql = "SELECT trace_id, max(start_ns) AS t FROM " + Qualified(schema_, kIndexTable) +
                    " PREWHERE " + cheap + " WHERE 1";
  std::string tag;
  for (const auto& [key, value] : q.tags) {
    tag.assign(key).push_back('\0');
    tag.append(value);
    sql += " AND has(tags, ";
    AppendQuoted(sql, tag);
    sql += ")";
  }
  return sql + " GROUP BY trace_id";
}

std::string ClickHouseStore::TraceSearchSql(const TraceQuery& q) const {
  // From the outlines of the trace's parts that reach into the window
  // (each part judged whole), merged per trace; the root is the earliest
  // of the parts' roots.
  const std::string window = WindowSql(q, "max_start_ns", "first_start_ns");
  std::string having = "1";
  if (q.trace_duration_min_ns != 0) {
    having += " AND max(last_end_ns) - min(first_start_ns) >= ";
    AppendUint(having, q.trace_duration_min_ns);
  }
  if (q.trace_duration_max_ns != 0) {
    having += " AND max(last_end_ns) - min(first_start_ns) <= ";
    AppendUint(having, q.trace_duration_max_ns);
  }
  if (!q.root_service.empty() || !q.root_operation.empty()) having += " AND sum(roots) > 0";
  if (!q.root_service.empty()) {
    having += " AND argMinIf(root_service, root_start_ns, roots > 0) = ";
    AppendQuoted(having, q.root_service);
  }
  if (!q.root_operation.empty()) {
    having += " AND argMinIf(root_name, root_start_ns, roots > 0) = ";
    AppendQuoted(having, q.root_operation);
  }
  std::string latest = "max(max_start_ns)";
  if (q.start_time_max_ns != 0) {
    latest = "least(" + latest + ", ";
    AppendUint(latest, q.start_time_max_ns);
    latest += ")";
  }
  return "SELECT trace_id, " + latest + " AS t FROM " + Qualified(schema_, kOutlinesTable) +
         " PREWHERE " + window + " GROUP BY trace_id HAVING " + having;
}

Result<std::vector<TraceId>> ClickHouseStore::FindTraceIds(const TraceQuery& query) {
  // Most recent first, at most `limit`: when the window is long, the most
  // recent minute is searched first, then a window eight times longer,
  // and so on, until `limit` traces were found or the whole window was
  // searched. This is exact: a trace with a matching span in the later
  // part of the window ranks above every trace without one, and its rank
  // (its latest matching span) is inside that part.
  constexpr uint64_t kFirstWindowNs = 60ULL * 1000000000ULL;
  const uint64_t lo = query.start_time_min_ns;
  const uint64_t hi = query.start_time_max_ns;
  // Trace-level conditions are judged on the spans in the window: on the
  // whole window at once.
  if (query.limit == 0 || hi == 0 || hi - lo <= kFirstWindowNs || hi < lo ||
      HasTraceConditions(query)) {
    return SearchOnce(query);
  }
  TraceQuery part = query;
  for (uint64_t window = kFirstWindowNs;; window *= 8) {
    part.start_time_min_ns = hi - lo > window ? hi - window : lo;
    auto found = SearchOnce(part);
    if (!found.ok() || found->size() >= query.limit || part.start_time_min_ns == lo) return found;
  }
}

Result<std::vector<TraceId>> ClickHouseStore::SearchOnce(const TraceQuery& query) {
  auto body = client_.Query(SearchSql(query));
  if (!body.ok()) return body.status();
  std::vector<TraceId> out;
  WireReader r(*body);
  while (!r.done()) {
    TraceId id;
    uint64_t t = 0;
    if (!ReadTraceIdHex(r, &id) || !r.ReadFixed64(&t)) return Corrupt("search");
    out.push_back(id);
  }
  return out;
}

Result<std::vector<Trace>> ClickHouseStore::ReadTraces(const std::vector<TraceId>& ids,
                                                       const std::string& day_condition) {
  std::vector<Trace> out;
  if (ids.empty()) return out;
  std::unordered_map<TraceId, size_t, TraceIdHash> slot;
  out.resize(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    out[i].trace_id = ids[i];
    slot.emplace(ids[i], i);
  }
  // In statements of kReadBatch IDs: a statement must stay under the
  // server's max_query_size (256 KiB by default; 1,000 IDs are 45 KB).
  for (size_t first = 0; first < ids.size(); first += kReadBatch) {
    // Identical rows (a batch inserted twice) are read once.
    std::string sql = "SELECT DISTINCT hex(trace_id), spans FROM " +
                      Qualified(schema_, kSpansTable) + " WHERE trace_id IN (";
    for (size_t i = first; i < ids.size() && i < first + kReadBatch; ++i) {
      if (i != first) sql += ", ";
      sql += "toFixedString(unhex('" + ids[i].Hex32() + "'), 16)";
    }
    sql += ")" + day_condition + " FORMAT RowBinary";
    auto body = client_.Query(sql);
    if (!body.ok()) return body.status();
    WireReader r(*body);
    while (!r.done()) {
      TraceId id;
      std::string_view entry;
      if (!ReadTraceIdHex(r, &id) || !r.ReadBytes(&entry)) return Corrupt("traces");
      auto it = slot.find(id);
      if (it == slot.end()) return Corrupt("a trace that was not asked for");
      if (Status s = DecodeWalEntry(entry, &out[it->second].spans); !s.ok()) {
        return Internal("clickhouse: corrupt spans of trace " + id.Hex32() + ": " + s.message());
      }
    }
  }
  // A trace that vanished between the search and the read (retention) is
  // left out.
  out.erase(std::remove_if(out.begin(), out.end(), [](const Trace& t) { return t.spans.empty(); }),
            out.end());
  return out;
}

Result<Trace> ClickHouseStore::GetTrace(const TraceId& id, const TraceTimeHint& hint) {
  std::string days;
  // A row's day is the earliest start among its spans: a day either side
  // of the hint keeps spans whose clocks disagree.
  if (hint.start_ns > kDayNs) days += " AND day >= " + DayLiteral(hint.start_ns - kDayNs);
  if (hint.end_ns != 0) days += " AND day <= " + DayLiteral(hint.end_ns + kDayNs);
  auto traces = ReadTraces({id}, days);
  if (!traces.ok()) return traces.status();
  if (traces->empty()) return NotFound("trace not found");
  return std::move(traces->front());
}

Result<std::vector<Trace>> ClickHouseStore::FindTraces(const TraceQuery& query) {
  auto ids = FindTraceIds(query);
  if (!ids.ok()) return ids.status();
  return ReadTraces(*ids, "");
}

Result<std::vector<std::string>> ClickHouseStore::GetServices() {
  auto body = client_.Query("SELECT DISTINCT service FROM " + Qualified(schema_, kOperationsTable) +
                            " ORDER BY service FORMAT RowBinary");
  if (!body.ok()) return body.status();
  std::vector<std::string> out;
  WireReader r(*body);
  while (!r.done()) {
    std::string_view service;
    if (!r.ReadBytes(&service)) return Corrupt("services");
    out.emplace_back(service);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<Operation>> ClickHouseStore::GetOperations(const std::string& service,
                                                              bool match_kind, SpanKind kind) {
  std::string sql = "SELECT DISTINCT operation, toUInt64(kind) FROM " +
                    Qualified(schema_, kOperationsTable) + " WHERE service = ";
  AppendQuoted(sql, service);
  if (match_kind) {
    sql += " AND kind = ";
    AppendUint(sql, static_cast<uint64_t>(kind));
  }
  sql += " FORMAT RowBinary";
  auto body = client_.Query(sql);
  if (!body.ok()) return body.status();
  std::vector<Operation> out;
  WireReader r(*body);
  while (!r.done()) {
    std::string_view name;
    uint64_t k = 0;
    if (!r.ReadBytes(&name) || !r.ReadFixed64(&k) || k > 5) return Corrupt("operations");
    out.push_back(Operation{std::string(name), static_cast<SpanKind>(k)});
  }
  std::sort(out.begin(), out.end(), [](const Operation& a, const Operation& b) {
    return std::tie(a.name, a.kind) < std::tie(b.name, b.kind);
  });
  return out;
}

Result<std::vector<DependencyLink>> ClickHouseStore::GetDependencies(uint64_t end_ns,
                                                                     uint64_t lookback_ns) {
  uint64_t begin_ns = end_ns > lookback_ns ? end_ns - lookback_ns : 0;
  const std::string index = Qualified(schema_, kIndexTable);
  // Every parent -> child pair of the traces with a span in the window,
  // whichever batches the two spans came in. (Aliases are global in a
  // ClickHouse query: no alias may reuse a column's name.)
  std::string traces = "SELECT trace_id FROM " + index + " WHERE day >= " + DayLiteral(begin_ns) +
                       " AND day <= " + DayLiteral(end_ns) +
                       " AND start_ns >= " + std::to_string(begin_ns) +
                       " AND start_ns <= " + std::to_string(end_ns);
  std::string days = " AND day >= " + DayLiteral(begin_ns > kDayNs ? begin_ns - kDayNs : 0) +
                     " AND day <= " + DayLiteral(end_ns + kDayNs);
  std::string sql =
      "SELECT service, child, count() FROM (SELECT DISTINCT trace_id, span_id AS parent_id, "
      "service FROM " +
      index + " WHERE trace_id IN (" + traces + ")" + days +
      ") ALL INNER JOIN (SELECT DISTINCT trace_id, span_id AS child_id, parent_span_id AS "
      "parent_id, service AS child FROM " +
      index + " WHERE parent_span_id != 0 AND trace_id IN (" + traces + ")" + days +
      ") USING (trace_id, parent_id) WHERE service != child GROUP BY service, child"
      " ORDER BY service, child FORMAT RowBinary";
  auto body = client_.Query(sql);
  if (!body.ok()) return body.status();
  std::vector<DependencyLink> out;
  WireReader r(*body);
  while (!r.done()) {
    std::string_view parent, child;
    uint64_t n = 0;
    if (!r.ReadBytes(&parent) || !r.ReadBytes(&child) || !r.ReadFixed64(&n)) {
      return Corrupt("dependencies");
    }
    out.push_back(DependencyLink{std::string(parent), std::string(child), n});
  }
  return out;
}

}  // namespace spoor::clickhouse
