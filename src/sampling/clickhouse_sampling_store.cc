#include "sampling/clickhouse_sampling_store.h"

#include <algorithm>
#include <mutex>
#include <utility>

#include "common/encoding.h"
#include "common/time_format.h"
#include "formats/protowire/wire_reader.h"
#include "sampling/memory_sampling_store.h"
#include "sampling/sampling_codec.h"
#include "storage/clickhouse/client.h"

namespace spoor {
namespace {

using clickhouse::AppendQuoted;
using encoding::PutFixed64;
using encoding::PutLengthPrefixed;
using encoding::PutVarint;
using protowire::WireReader;

bool ReadString(WireReader& r, std::string* s) {
  std::string_view v;
  if (!r.ReadBytes(&v)) return false;
  s->assign(v);
  return true;
}

Status Corrupt(std::string_view what) {
  return Internal("clickhouse sampling store: malformed " + std::string(what));
}

class ClickHouseSamplingStore final : public SamplingStore {
 public:
  ClickHouseSamplingStore(clickhouse::ClientOptions client, const std::string& database,
                          std::string cluster)
      : client_(std::move(client)),
        database_(database),
        db_("`" + database + "`"),
        cluster_(std::move(cluster)) {}

  Status CreateTables() {
    // With a cluster, every server is a replica of one copy of each table
    // (the data is small, and any server then answers a read in full).
    const std::string on_cluster = cluster_.empty() ? "" : " ON CLUSTER `" + cluster_ + "`";
    auto engine = [&](const std::string& table, const std::string& kind,
                      const std::string& version_column) {
      if (cluster_.empty()) {
        return kind + (version_column.empty() ? "" : "(" + version_column + ")");
      }
      return "Replicated" + kind + "('/clickhouse/tables/all/" + database_ + "." + table +
             "', '{shard}-{replica}'" + (version_column.empty() ? "" : ", " + version_column) + ")";
    };
    for (const std::string& sql : {
             "CREATE DATABASE IF NOT EXISTS " + db_ + on_cluster,
             // One row per insert; the latest version of (bucket, collector) wins.
             "CREATE TABLE IF NOT EXISTS " + db_ + ".sampling_throughput" + on_cluster +
                 " (bucket_ns UInt64, collector String, version UInt64, throughput String) "
                 "ENGINE = " +
                 engine("sampling_throughput", "ReplacingMergeTree", "version") +
                 " ORDER BY (bucket_ns, collector)",
             "CREATE TABLE IF NOT EXISTS " + db_ + ".sampling_probabilities" + on_cluster +
                 " (version UInt64, probabilities String) ENGINE = " +
                 engine("sampling_probabilities", "MergeTree", "") + " ORDER BY version",
             // ExpireBefore calls: rows older than an expiry and in a bucket
             // before its cutoff are gone, whatever the deletion has done.
             "CREATE TABLE IF NOT EXISTS " + db_ + ".sampling_expiry" + on_cluster +
                 " (version UInt64, cutoff_ns UInt64) ENGINE = " +
                 engine("sampling_expiry", "MergeTree", "") + " ORDER BY version",
         }) {
      auto r = client_.Query(sql);
      if (!r.ok()) return r.status();
    }
    return Status::Ok();
  }

  Status InsertThroughput(const std::string& collector, uint64_t bucket_start_ns,
                          const std::vector<Throughput>& throughput) override {
    if (collector.empty()) return InvalidArgument("sampling store: empty collector name");
    std::string row;
    PutFixed64(row, bucket_start_ns);
    PutLengthPrefixed(row, collector);
    PutFixed64(row, NextVersion());
    PutLengthPrefixed(row, sampling_codec::EncodeThroughput(throughput));
    return client_.Insert("INSERT INTO " + db_ + ".sampling_throughput FORMAT RowBinary", row);
  }

  Result<std::vector<ThroughputReport>> GetThroughput(uint64_t start_ns, uint64_t end_ns) override {
    std::vector<ThroughputReport> out;
    if (start_ns >= end_ns) return out;
    auto expiries = Expiries();
    if (!expiries.ok()) return expiries.status();
    auto body = client_.Query(
        "SELECT bucket_ns, collector, max(version), argMax(throughput, version) FROM " + db_ +
        ".sampling_throughput WHERE bucket_ns >= " + std::to_string(start_ns) +
        " AND bucket_ns < " + std::to_string(end_ns) +
        " GROUP BY bucket_ns, collector ORDER BY bucket_ns, collector FORMAT RowBinary");
    if (!body.ok()) return body.status();
    WireReader r(*body);
    while (!r.done()) {
      ThroughputReport report;
      uint64_t version = 0;
      std::string_view encoded;
      if (!r.ReadFixed64(&report.bucket_start_ns) || !ReadString(r, &report.collector) ||
          !r.ReadFixed64(&version) || !r.ReadBytes(&encoded) ||
          !sampling_codec::DecodeThroughput(encoded, &report.throughput)) {
        return Corrupt("throughput");
      }
      bool expired = std::any_of(expiries->begin(), expiries->end(), [&](const auto& e) {
        return version < e.first && report.bucket_start_ns < e.second;
      });
      if (!expired) out.push_back(std::move(report));
    }
    return out;
  }

  Status InsertProbabilitiesAndQps(const CalculatedProbabilities& latest) override {
    std::string row;
    PutFixed64(row, NextVersion());
    PutLengthPrefixed(row, sampling_codec::EncodeProbabilities(latest));
    return client_.Insert("INSERT INTO " + db_ + ".sampling_probabilities FORMAT RowBinary", row);
  }

  Result<CalculatedProbabilities> GetLatestProbabilities() override {
    auto body = client_.Query("SELECT probabilities FROM " + db_ +
                              ".sampling_probabilities ORDER BY version DESC LIMIT 1 "
                              "FORMAT RowBinary");
    if (!body.ok()) return body.status();
    CalculatedProbabilities out;
    if (body->empty()) return out;
    WireReader r(*body);
    std::string_view encoded;
    if (!r.ReadBytes(&encoded) || !r.done() ||
        !sampling_codec::DecodeProbabilities(encoded, &out)) {
      return Corrupt("probabilities");
    }
    return out;
  }

  Result<bool> AcquireLease(const std::string& name, const std::string& holder, uint64_t ttl_ns,
                            uint64_t now_ns) override {
    return leases_->AcquireLease(name, holder, ttl_ns, now_ns);
  }
  Result<bool> ReleaseLease(const std::string& name, const std::string& holder) override {
    return leases_->ReleaseLease(name, holder);
  }
  Result<std::string> LeaseHolder(const std::string& name, uint64_t now_ns) override {
    return leases_->LeaseHolder(name, now_ns);
  }

  Status ExpireBefore(uint64_t cutoff_ns) override {
    uint64_t version = NextVersion();
    std::string row;
    PutFixed64(row, version);
    PutFixed64(row, cutoff_ns);
    if (Status s = client_.Insert("INSERT INTO " + db_ + ".sampling_expiry FORMAT RowBinary", row);
        !s.ok()) {
      return s;
    }
    // The rows themselves go in the background (a mutation); reads already
    // leave them out.
    auto r = client_.Query("ALTER TABLE " + db_ + ".sampling_throughput DELETE WHERE bucket_ns < " +
                           std::to_string(cutoff_ns) + " AND version < " + std::to_string(version));
    return r.ok() ? Status::Ok() : r.status();
  }

 private:
  // Increasing in this process, and across processes as far as their
  // clocks agree: the order of inserts that later ones replace.
  uint64_t NextVersion() {
    std::lock_guard lock(mu_);
    last_version_ = std::max(last_version_ + 1, NowNs());
    return last_version_;
  }

  // (version, cutoff) of every ExpireBefore so far.
  Result<std::vector<std::pair<uint64_t, uint64_t>>> Expiries() {
    auto body = client_.Query("SELECT version, cutoff_ns FROM " + db_ +
                              ".sampling_expiry FORMAT RowBinary");
    if (!body.ok()) return body.status();
    std::vector<std::pair<uint64_t, uint64_t>> out;
    WireReader r(*body);
    while (!r.done()) {
      uint64_t v = 0, c = 0;
      if (!r.ReadFixed64(&v) || !r.ReadFixed64(&c)) return Corrupt("expiry");
      out.emplace_back(v, c);
    }
    return out;
  }

  clickhouse::Client client_;
  const std::string database_;
  const std::string db_;       // quoted
  const std::string cluster_;  // "" = one server
  std::mutex mu_;
  uint64_t last_version_ = 0;
  std::unique_ptr<SamplingStore> leases_ = NewMemorySamplingStore();
};

}  // namespace

Result<std::unique_ptr<SamplingStore>> OpenClickHouseSamplingStore(
    const ClickHouseStoreOptions& options) {
  clickhouse::ClientOptions client;
  client.servers = options.servers;
  client.username = options.username;
  client.password = options.password;
  client.timeout = options.timeout;
  client.tls = options.tls;
  // Every request to one server (failing over to the next): a read sees
  // what this process wrote before it, though replicas catch up later.
  client.spread_inserts = false;
  auto store = std::make_unique<ClickHouseSamplingStore>(client, options.database, options.cluster);
  if (options.create_schema) {
    if (Status s = store->CreateTables(); !s.ok()) {
      return Status(s.code(), "cannot create the sampling tables: " + s.message());
    }
  }
  return std::unique_ptr<SamplingStore>(std::move(store));
}

}  // namespace spoor
