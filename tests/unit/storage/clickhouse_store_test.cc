// What is particular to the ClickHouse backend: the client's quoting and
// server lists, the searchable tags of a span, schema creation run twice,
// duplicates of a retried batch read once, and retention by whole days.
// The server cases need $SPOOR_CLICKHOUSE_SERVERS(_FILE) (storage_backends.h).
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "common/time_format.h"
#include "storage/clickhouse/clickhouse_store_impl.h"
#include "storage/clickhouse/client.h"
#include "storage/clickhouse/schema.h"
#include "storage/clickhouse/span_rows.h"
#include "storage_backends.h"
#include "storage_test_util.h"

namespace spoor {
namespace {

using storagetest::Batch;
using storagetest::kMs;
using storagetest::Kv;
using storagetest::MakeResource;
using storagetest::MakeScope;
using storagetest::MakeSpan;
using storagetest::Tid;

constexpr uint64_t kDay = 86400ULL * 1000000000ULL;

TEST(ClickHouseClient, ParseServersAcceptsAListAndNamesABadEntry) {
  auto ok = clickhouse::ParseServers("127.0.0.1:8123, ch2:9000,[::1]:8123");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(*ok, (std::vector<std::string>{"127.0.0.1:8123", "ch2:9000", "[::1]:8123"}));
  for (const char* bad : {"", "host", "host:", ":8123", "a:1,b", "h:70000", "h:0"}) {
    auto r = clickhouse::ParseServers(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
  EXPECT_NE(clickhouse::ParseServers("a:1,nope").status().message().find("'nope'"),
            std::string::npos);
}

TEST(ClickHouseSchema, ParsesServerVersions) {
  int major = 0, minor = 0;
  EXPECT_TRUE(clickhouse::ParseServerVersion("18.16.1\n", &major, &minor));
  EXPECT_EQ(major, 18);
  EXPECT_EQ(minor, 16);
  EXPECT_TRUE(clickhouse::ParseServerVersion("23.8.2.7", &major, &minor));
  EXPECT_EQ(major, 23);
  EXPECT_FALSE(clickhouse::ParseServerVersion("banana", &major, &minor));
  EXPECT_FALSE(clickhouse::ParseServerVersion("18", &major, &minor));
}

TEST(ClickHouseSchema, ClusterTablesAreReplicatedAndDistributedByTraceId) {
  clickhouse::SchemaOptions o;
  o.database = "db";
  o.cluster = "c";
  std::string all;
  for (const std::string& s : clickhouse::SchemaStatements(o)) all += s + "\n";
  EXPECT_NE(all.find("`db`.`spans_local` ON CLUSTER `c`"), std::string::npos) << all;
  EXPECT_NE(all.find("ReplicatedMergeTree('/clickhouse/tables/{shard}/db.spans_local', "
                     "'{replica}')"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("Distributed(`c`, `db`, `spans_local`, cityHash64(trace_id))"),
            std::string::npos)
      << all;
  o.cluster.clear();
  for (const std::string& s : clickhouse::SchemaStatements(o)) {
    EXPECT_EQ(s.find("Replicated"), std::string::npos) << s;
    EXPECT_EQ(s.find("_local"), std::string::npos) << s;
  }
}

TEST(ClickHouseRows, SpanTagsCoverEveryPlaceAndTheDerivedTags) {
  Span s = MakeSpan(Tid(1), 1, 0, "op");
  s.kind = SpanKind::kServer;
  s.status = {SpanStatusCode::kError, "boom"};
  s.attributes = {Kv("b", AnyValue::Int(2)), Kv("a", AnyValue::String("x"))};
  s.events.push_back(Event{0, Intern("e"), {Kv("ev", AnyValue::Bool(true))}, 0});
  s.links.push_back(Link{Tid(2), SpanId{3}, "", {Kv("a", AnyValue::String("x"))}, 0, 0});
  auto resource = MakeResource("svc");
  auto scope = MakeScope("lib", "1.0", {Kv("sc", AnyValue::Double(0.5))});
  std::vector<std::string> tags;
  size_t n = 0;
  clickhouse::SpanTags(s, *resource, *scope, &tags, &n);
  tags.resize(n);
  using namespace std::string_literals;
  std::vector<std::string> want = {
      "a\0x"s,
      "b\0002"s,
      "error\0true"s,
      "ev\0true"s,
      "otel.scope.name\0lib"s,
      "otel.scope.version\0001.0"s,
      "otel.status_code\0ERROR"s,
      "otel.status_description\0boom"s,
      "sc\0000.5"s,
      "service.name\0svc"s,
      "span.kind\0server"s,
  };
  EXPECT_EQ(tags, want);  // sorted, "a=x" once though it is on the span and a link
}

// --- Against the server ------------------------------------------------------------

class ClickHouseServer : public ::testing::Test {
 protected:
  void SetUp() override {
    servers_ = storagetest::ClickHouseServers();
    if (servers_.empty()) GTEST_SKIP() << "SPOOR_CLICKHOUSE_SERVERS is not set";
    auto parsed = clickhouse::ParseServers(servers_);
    ASSERT_TRUE(parsed.ok());
    options_.servers = *parsed;
    options_.database = "spoor_unit_" + std::to_string(getpid()) + "_" +
                        ::testing::UnitTest::GetInstance()->current_test_info()->name();
    clickhouse::ClientOptions c;
    c.servers = options_.servers;
    client_ = std::make_unique<clickhouse::Client>(c);
    (void)client_->Query("DROP DATABASE IF EXISTS `" + options_.database + "`");
  }
  void TearDown() override {
    if (client_ != nullptr)
      (void)client_->Query("DROP DATABASE IF EXISTS `" + options_.database + "`");
  }

  std::string servers_;
  ClickHouseStoreOptions options_;
  std::unique_ptr<clickhouse::Client> client_;
};

TEST_F(ClickHouseServer, QuotedStringsRoundTripEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  std::string sql = "SELECT ";
  clickhouse::AppendQuoted(sql, all);
  sql += " FORMAT RowBinary";
  auto r = client_->Query(sql);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 2 + all.size());  // a two-byte varint length, then the bytes
  EXPECT_EQ(r->substr(2), all);
}

TEST_F(ClickHouseServer, ASyntaxErrorCarriesTheServersMessage) {
  auto r = client_->Query("SELEC 1");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("Syntax error"), std::string::npos) << r.status().message();
}

TEST_F(ClickHouseServer, OpeningTwiceKeepsTheSchemaAndTheData) {
  auto first = OpenClickHouseStore(options_);
  ASSERT_TRUE(first.ok()) << first.status().message();
  ASSERT_TRUE((*first)->Write(Batch("svc", {MakeSpan(Tid(1), 1, 0, "op")})).ok());
  ASSERT_TRUE((*first)->Close().ok());
  auto second = OpenClickHouseStore(options_);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_TRUE((*second)->GetTrace(Tid(1), {}).ok()) << "Close() flushed the buffered spans";
}

TEST_F(ClickHouseServer, CompressedInsertsAreStoredAlike) {
  options_.compress = true;
  auto store = OpenClickHouseStore(options_);
  ASSERT_TRUE(store.ok()) << store.status().message();
  Span s = MakeSpan(Tid(1), 1, 0, "op");
  s.attributes = {Kv("text", AnyValue::String(std::string(5000, 'z')))};
  ASSERT_TRUE((*store)->Write(Batch("svc", {s, MakeSpan(Tid(1), 2, 1, "child")})).ok());
  ASSERT_TRUE((*store)->Flush().ok());
  auto trace = (*store)->GetTrace(Tid(1), {});
  ASSERT_TRUE(trace.ok()) << trace.status().message();
  ASSERT_EQ(trace->spans.size(), 2u);
  TraceQuery q;
  q.service = "svc";
  q.tags = {{"text", std::string(5000, 'z')}};
  auto found = (*store)->FindTraceIds(q);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, std::vector<TraceId>{Tid(1)});
}

// CPU this process used, in seconds.
double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// The flusher used to wait until a deadline already past whenever no batch
// was open (and, without retention, until a stale expiry time): an idle
// store spun on a core.
TEST_F(ClickHouseServer, AnIdleStoreSleeps) {
  for (uint64_t ttl : {uint64_t{0}, 3 * kDay}) {
    options_.span_ttl_ns = ttl;
    auto store = OpenClickHouseStore(options_);
    ASSERT_TRUE(store.ok()) << store.status().message();
    ASSERT_TRUE((*store)->Write(Batch("svc", {MakeSpan(Tid(1), 1, 0, "op")})).ok());
    ASSERT_TRUE((*store)->Flush().ok());
    double before = ProcessCpuSeconds();
    std::this_thread::sleep_for(std::chrono::seconds(1));
    // Spinning costs about a CPU-second per second; sleeping, next to none.
    EXPECT_LT(ProcessCpuSeconds() - before, 0.3) << "span TTL " << ttl;
    // A write after the idle time wakes the flusher, which inserts it after
    // the linger without a Flush().
    ASSERT_TRUE((*store)->Write(Batch("svc", {MakeSpan(Tid(2), 1, 0, "op")})).ok());
    bool found = false;
    for (int i = 0; i < 600 && !found; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      found = (*store)->GetTrace(Tid(2), {}).ok();
    }
    EXPECT_TRUE(found) << "span TTL " << ttl;
    ASSERT_TRUE((*store)->Close().ok());
  }
}

TEST_F(ClickHouseServer, ARetriedBatchIsReadOnce) {
  auto store = OpenClickHouseStore(options_);
  ASSERT_TRUE(store.ok()) << store.status().message();
  SpanBatch batch = Batch("svc", {MakeSpan(Tid(1), 1, 0, "a"), MakeSpan(Tid(1), 2, 1, "b")});
  ASSERT_TRUE((*store)->Write(batch).ok());
  ASSERT_TRUE((*store)->Flush().ok());
  ASSERT_TRUE((*store)->Write(batch).ok());  // delivered again, identical
  ASSERT_TRUE((*store)->Flush().ok());
  auto trace = (*store)->GetTrace(Tid(1), {});
  ASSERT_TRUE(trace.ok());
  EXPECT_EQ(trace->spans.size(), 2u);
}

// A search answered with thousands of traces read them in several
// statements: one statement naming every trace ID went over the server's
// max_query_size (256 KiB) past about 5,800 IDs and failed.
TEST_F(ClickHouseServer, ThousandsOfTracesAreReadInStatementsTheServerTakes) {
  auto store = OpenClickHouseStore(options_);
  ASSERT_TRUE(store.ok()) << store.status().message();
  constexpr uint64_t kTraces = 6500;
  std::vector<Span> spans;
  for (uint64_t t = 1; t <= kTraces; ++t) spans.push_back(MakeSpan(Tid(t), 1, 0, "op"));
  ASSERT_TRUE((*store)->Write(Batch("svc", spans)).ok());
  ASSERT_TRUE((*store)->Flush().ok());
  TraceQuery q;
  q.service = "svc";
  q.limit = kTraces;
  auto found = (*store)->FindTraces(q);
  ASSERT_TRUE(found.ok()) << found.status().message().substr(0, 300);
  EXPECT_EQ(found->size(), kTraces);
  for (const Trace& t : *found) EXPECT_EQ(t.spans.size(), 1u);
}

TEST_F(ClickHouseServer, RetentionDropsWholeDaysOlderThanTheTtl) {
  options_.span_ttl_ns = 3 * kDay;
  clickhouse::SchemaOptions schema;
  schema.database = options_.database;
  clickhouse::ClickHouseStore store(options_, schema);
  ASSERT_TRUE(store.Start().ok());
  const uint64_t now = NowNs();
  Span old_span = MakeSpan(Tid(1), 1, 0, "old");
  old_span.start_time_ns = now - 10 * kDay;
  old_span.end_time_ns = old_span.start_time_ns + kMs;
  Span new_span = MakeSpan(Tid(2), 1, 0, "new");
  new_span.start_time_ns = now - kMs;
  new_span.end_time_ns = now;
  ASSERT_TRUE(store.Write(Batch("old-svc", {old_span})).ok());
  ASSERT_TRUE(store.Write(Batch("new-svc", {new_span})).ok());
  ASSERT_TRUE(store.Flush().ok());
  ASSERT_TRUE(store.GetTrace(Tid(1), {}).ok());

  Status s = store.ExpireOldPartitions(now);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(store.GetTrace(Tid(1), {}).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store.GetTrace(Tid(2), {}).ok());
  auto services = store.GetServices();
  ASSERT_TRUE(services.ok());
  EXPECT_EQ(*services, std::vector<std::string>{"new-svc"});
  ASSERT_TRUE(store.Close().ok());
}

}  // namespace
}  // namespace spoor
