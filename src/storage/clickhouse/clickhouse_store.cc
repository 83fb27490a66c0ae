#include "storage/clickhouse/clickhouse_store.h"

#include <algorithm>
#include <utility>

#include "common/log.h"
#include "common/time_format.h"
#include "storage/clickhouse/clickhouse_store_impl.h"

namespace spoor {
namespace clickhouse {
namespace {

ClientOptions ClientOptionsFrom(const ClickHouseStoreOptions& o) {
  ClientOptions c;
  c.servers = o.servers;
  c.username = o.username;
  c.password = o.password;
  c.timeout = o.timeout;
  c.tls = o.tls;
  if (!o.cluster.empty()) {
    // An insert into a Distributed table returns once every shard holds its
    // rows (not when they are queued on the server that took it), and the
    // subqueries of a query run on each shard's own tables: a trace lives
    // on one shard.
    c.settings = {{"insert_distributed_sync", "1"}, {"distributed_product_mode", "local"}};
  }
  return c;
}

constexpr auto kFirstBackoff = std::chrono::milliseconds(100);
constexpr auto kMaxBackoff = std::chrono::milliseconds(5000);

}  // namespace

ClickHouseStore::ClickHouseStore(const ClickHouseStoreOptions& options, SchemaOptions schema)
    : options_(options),
      schema_(std::move(schema)),
      client_(ClientOptionsFrom(options)),
      inserts_failed_(MetricsRegistry::Global().GetCounter(
          "spoor_clickhouse_insert_failures_total",
          "Inserts into ClickHouse that failed (each is retried)")),
      spans_inserted_(MetricsRegistry::Global().GetCounter("spoor_clickhouse_spans_inserted_total",
                                                           "Spans inserted into ClickHouse")),
      spans_dropped_(MetricsRegistry::Global().GetCounter(
          "spoor_spans_dropped_total", "Accepted spans lost because the storage write failed",
          {{"storage", "clickhouse"}})) {
  insert_spans_sql_ = "INSERT INTO " + Qualified(schema_, kSpansTable) + " FORMAT RowBinary";
  insert_index_sql_ = "INSERT INTO " + Qualified(schema_, kIndexTable) + " FORMAT RowBinary";
}

ClickHouseStore::~ClickHouseStore() {
  if (flusher_.joinable()) (void)Close();
}

Status ClickHouseStore::Start() {
  std::string where = "ClickHouse at " + options_.servers.front();
  auto version = client_.Query("SELECT version()");
  if (!version.ok()) return Unavailable("cannot use " + where + ": " + version.status().message());
  if (!ParseServerVersion(*version, &schema_.major_version, &schema_.minor_version)) {
    return Internal(where + " answered an unknown version '" + *version + "'");
  }
  if (options_.create_schema) {
    for (const std::string& sql : SchemaStatements(schema_)) {
      auto r = client_.Query(sql);
      if (!r.ok()) return Internal("cannot create the schema: " + r.status().message());
    }
  } else {
    std::string sql = "SELECT name FROM system.tables WHERE database = ";
    AppendQuoted(sql, schema_.database);
    auto r = client_.Query(sql);
    if (!r.ok()) return r.status();
    for (std::string_view table : {kSpansTable, kIndexTable, kOperationsTable}) {
      std::string line = std::string(table) + "\n";
      if (r->find(line) != 0 && r->find("\n" + line) == std::string::npos) {
        return NotFound("database '" + schema_.database + "' on " + options_.servers.front() +
                        " has no table '" + std::string(table) +
                        "' (create the schema, or start with --clickhouse.create-schema=true)");
      }
    }
  }
  open_since_ = std::chrono::steady_clock::now();
  flusher_ = std::thread([this] { FlusherLoop(); });
  return Status::Ok();
}

Status ClickHouseStore::Write(SpanBatch batch) {
  std::unique_lock lock(mu_);
  auto room = [&] { return pending_.size() < options_.max_pending_buffers || stopping_; };
  // While ClickHouse is down the buffers fill and writers wait here, so
  // that the pipeline's queue fills and senders are refused; once shutdown
  // has begun, the wait ends by its deadline.
  while (!room()) {
    if (shutting_down_) {
      if (!writers_cv_.wait_until(lock, stop_deadline_, room)) {
        spans_given_up_ += batch.SpanCount();  // the pipeline counts them as dropped
        return Unavailable("clickhouse cannot be reached and spoor is shutting down");
      }
    } else {
      writers_cv_.wait(lock);
    }
  }
  if (stopping_) return Unavailable("clickhouse store is closing");
  bool first = open_.empty();
  if (first) open_since_ = std::chrono::steady_clock::now();
  encoder_.Append(std::move(batch), &open_);
  if (open_.span_count >= options_.batch_spans) {
    SealOpenLocked();
    flusher_cv_.notify_one();
  } else if (first) {
    flusher_cv_.notify_one();  // the linger starts now
  }
  return Status::Ok();
}

void ClickHouseStore::SealOpenLocked() {
  if (open_.empty()) return;
  auto p = std::make_unique<Pending>();
  std::swap(p->rows, open_);
  if (!spare_.empty()) {
    open_ = std::move(spare_.back());
    spare_.pop_back();
  }
  pending_.push_back(std::move(p));
  ++sealed_count_;
}

Status ClickHouseStore::Flush() {
  std::unique_lock lock(mu_);
  SealOpenLocked();
  uint64_t target = sealed_count_;
  flusher_cv_.notify_one();
  writers_cv_.wait(lock, [&] { return done_count_ >= target || stopping_; });
  if (done_count_ < target) return Unavailable("clickhouse store closed before the flush ended");
  // Spans are only given up at shutdown, past its deadline; from then on no
  // flush can vouch for what was written before it (an ingester must not
  // acknowledge them).
  if (spans_given_up_ > 0) return Unavailable("clickhouse store gave up spans at shutdown");
  return Status::Ok();
}

Status ClickHouseStore::Send(Pending& p) {
  if (!p.spans_done) {
    Status s = client_.Insert(insert_spans_sql_, p.rows.spans, options_.compress);
    if (!s.ok()) return s;
    p.spans_done = true;
  }
  if (!p.index_done) {
    Status s = client_.Insert(insert_index_sql_, p.rows.index, options_.compress);
    if (!s.ok()) return s;
    p.index_done = true;
  }
  return Status::Ok();
}

void ClickHouseStore::FlusherLoop() {
  auto backoff = kFirstBackoff;
  auto next_expiry = std::chrono::steady_clock::now();
  std::unique_lock lock(mu_);
  for (;;) {
    if (options_.span_ttl_ns != 0 && std::chrono::steady_clock::now() >= next_expiry &&
        !stopping_) {
      lock.unlock();
      if (Status s = ExpireOldPartitions(NowNs()); !s.ok()) {
        LogWarn("clickhouse retention: ", s.message());
      }
      next_expiry = std::chrono::steady_clock::now() +
                    std::chrono::nanoseconds(options_.retention_interval_ns);
      lock.lock();
    }
    // Sleeps until there is something to send, the open buffer's linger
    // ends, or retention is due; with none of them, until a writer wakes
    // it (an idle store must not spin).
    auto linger_end = open_since_ + options_.batch_linger;
    auto ready = [&] {
      return !pending_.empty() || stopping_ ||
             (!open_.empty() && std::chrono::steady_clock::now() >= linger_end);
    };
    auto deadline = std::chrono::steady_clock::time_point::max();
    if (!open_.empty()) deadline = linger_end;
    if (options_.span_ttl_ns != 0) deadline = std::min(deadline, next_expiry);
    if (deadline == std::chrono::steady_clock::time_point::max()) {
      flusher_cv_.wait(lock, [&] { return ready() || !open_.empty(); });
    } else {
      flusher_cv_.wait_until(lock, deadline, ready);
    }
    if (pending_.empty() && !open_.empty() &&
        (stopping_ || std::chrono::steady_clock::now() >= open_since_ + options_.batch_linger)) {
      SealOpenLocked();
    }
    if (pending_.empty()) {
      if (stopping_) return;
      continue;
    }
    Pending& p = *pending_.front();
    lock.unlock();
    Status s = Send(p);
    lock.lock();
    if (!s.ok()) {
      inserts_failed_.Inc();
      if (shutting_down_ && std::chrono::steady_clock::now() >= stop_deadline_) {
        // Past the deadline: this buffer and every one behind it are given
        // up without another try (each could take a whole request timeout).
        uint64_t spans = 0;
        for (const auto& q : pending_) spans += q->rows.span_count;
        LogError("clickhouse: giving up ", spans, " spans at shutdown: ", s.message());
        spans_dropped_.Inc(spans);
        spans_given_up_ += spans;
        done_count_ += pending_.size();
        pending_.clear();
        writers_cv_.notify_all();
        continue;
      } else {
        LogWarn("clickhouse insert failed (retrying in ", backoff.count(), " ms): ", s.message());
        flusher_cv_.wait_for(lock, backoff);
        backoff = std::min(backoff * 2, kMaxBackoff);
        continue;
      }
    } else {
      spans_inserted_.Inc(p.rows.span_count);
      backoff = kFirstBackoff;
    }
    if (spare_.size() < 2) {
      p.rows.Clear();
      spare_.push_back(std::move(p.rows));
    }
    pending_.pop_front();
    ++done_count_;
    writers_cv_.notify_all();
  }
}

void ClickHouseStore::BeginShutdown() {
  {
    std::lock_guard lock(mu_);
    if (shutting_down_) return;
    shutting_down_ = true;
    stop_deadline_ = std::chrono::steady_clock::now() + options_.close_timeout;
  }
  flusher_cv_.notify_all();
  writers_cv_.notify_all();
}

Status ClickHouseStore::Close() {
  BeginShutdown();
  {
    std::lock_guard lock(mu_);
    if (!flusher_.joinable()) return Status::Ok();
    stopping_ = true;
  }
  flusher_cv_.notify_all();
  writers_cv_.notify_all();
  flusher_.join();
  if (spans_given_up_ != 0) {
    return Unavailable("clickhouse: " + std::to_string(spans_given_up_) +
                       " accepted spans could not be inserted before shutdown");
  }
  return Status::Ok();
}

Status ClickHouseStore::ExpireOldPartitions(uint64_t now_ns) {
  if (options_.span_ttl_ns == 0 || now_ns < options_.span_ttl_ns) return Status::Ok();
  // A day is dropped once its last nanosecond is older than the TTL.
  uint64_t cutoff_ns = now_ns - options_.span_ttl_ns;
  for (const std::string& table : DataTables(schema_)) {
    if (Status s = DropDaysBefore(client_, schema_, table, cutoff_ns); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace clickhouse

Result<std::unique_ptr<Storage>> OpenClickHouseStore(const ClickHouseStoreOptions& options) {
  if (options.servers.empty()) return InvalidArgument("clickhouse: no server given");
  if (options.database.empty()) return InvalidArgument("clickhouse: empty database name");
  if (options.tls.enabled) {
    if (auto tls = MakeTlsClientContext(options.tls, "--clickhouse.tls"); !tls.ok()) {
      return tls.status();
    }
  }
  clickhouse::SchemaOptions schema;
  schema.database = options.database;
  schema.cluster = options.cluster;
  auto store = std::make_unique<clickhouse::ClickHouseStore>(options, std::move(schema));
  if (Status s = store->Start(); !s.ok()) return s;
  return std::unique_ptr<Storage>(std::move(store));
}

}  // namespace spoor
