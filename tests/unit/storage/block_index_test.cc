// The embedded store's block index: which searches it rules out for a block
// (it may only say "maybe" for a block holding a match), and its serialized
// form.
#include "storage/embedded/block_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "model/string_table.h"
#include "storage/embedded/block_codec.h"

namespace spoor {
namespace {

constexpr uint64_t kStart = 1'700'000'000'000'000'000ULL;

std::vector<SpanRecord> Spans() {
  auto resource = std::make_shared<Resource>();
  resource->attributes = {{Intern("service.name"), AnyValue::String("api")},
                          {Intern("host.name"), AnyValue::String("host-7")}};
  resource->ResolveServiceName();
  auto scope = std::make_shared<Scope>();
  scope->name = Intern("lib");
  std::vector<SpanRecord> out;
  for (int i = 0; i < 3; ++i) {
    SpanRecord r;
    r.resource = resource;
    r.scope = scope;
    r.span.trace_id = TraceId{1, static_cast<uint64_t>(i) + 1};
    r.span.span_id = SpanId{static_cast<uint64_t>(i) + 1};
    r.span.name = Intern("GET /users");
    r.span.kind = SpanKind::kServer;
    r.span.start_time_ns = kStart + static_cast<uint64_t>(i) * 1000;
    r.span.end_time_ns = r.span.start_time_ns + 5'000'000;  // 5 ms
    r.span.attributes = {{Intern("http.status_code"), AnyValue::Int(200 + i)},
                         {Intern("user"), AnyValue::String("u" + std::to_string(i))}};
    out.push_back(r);
  }
  out[2].span.status.code = SpanStatusCode::kError;
  Event e;
  e.name = Intern("exception");
  e.attributes = {{Intern("exception.type"), AnyValue::String("Timeout")}};
  out[1].span.events.push_back(e);
  return out;
}

TraceQuery Query(std::vector<std::pair<std::string, std::string>> tags = {}) {
  TraceQuery q;
  q.tags = std::move(tags);
  return q;
}

TEST(BlockIndex, KeepsEveryTagItHoldsAndRulesOutValuesItDoesNot) {
  const BlockIndex index = BlockIndex::Build(Spans());
  for (const auto& [k, v] :
       std::vector<std::pair<std::string, std::string>>{{"http.status_code", "201"},
                                                        {"user", "u2"},
                                                        {"exception.type", "Timeout"},
                                                        {"host.name", "host-7"},
                                                        {"span.kind", "server"},
                                                        {"error", "true"},
                                                        {"otel.status_code", "ERROR"},
                                                        {"otel.scope.name", "lib"}}) {
    EXPECT_TRUE(index.MayMatch(Query({{k, v}}))) << k << "=" << v;
  }
  for (const auto& [k, v] :
       std::vector<std::pair<std::string, std::string>>{{"user", "u9"},
                                                        {"http.status_code", "404"},
                                                        {"span.kind", "client"},
                                                        {"otel.status_code", "OK"},
                                                        {"exception.type", "Crash"}}) {
    EXPECT_FALSE(index.MayMatch(Query({{k, v}}))) << k << "=" << v;
  }
  // All tags must be possible.
  EXPECT_FALSE(index.MayMatch(Query({{"user", "u1"}, {"user", "u9"}})));
}

TEST(BlockIndex, BuiltWithTheEncodersDictionaryAnswersTheSame) {
  const std::vector<SpanRecord> spans = Spans();
  const std::vector<const SpanRecord*> refs = SpanRefsOf(spans);
  std::vector<std::string_view> values;
  (void)EncodeBlock(refs, {}, &values);
  EXPECT_NE(std::find(values.begin(), values.end(), "Timeout"), values.end());
  const BlockIndex plain = BlockIndex::Build(spans);
  const BlockIndex with_dictionary = BlockIndex::Build(refs, &values);
  for (const auto& [k, v] :
       std::vector<std::pair<std::string, std::string>>{{"http.status_code", "201"},
                                                        {"user", "u2"},
                                                        {"exception.type", "Timeout"},
                                                        {"host.name", "host-7"},
                                                        {"span.kind", "server"},
                                                        {"error", "true"},
                                                        {"user", "u9"},
                                                        {"span.kind", "client"},
                                                        {"exception.type", "Crash"}}) {
    EXPECT_EQ(with_dictionary.MayMatch(Query({{k, v}})), plain.MayMatch(Query({{k, v}})))
        << k << "=" << v;
  }
}

TEST(BlockIndex, ChecksTimeServiceOperationKindAndDuration) {
  const BlockIndex index = BlockIndex::Build(Spans());
  EXPECT_EQ(index.span_count, 3u);
  EXPECT_TRUE(index.HasTrace(TraceId{1, 2}));
  EXPECT_FALSE(index.HasTrace(TraceId{1, 9}));
  TraceQuery q;
  q.service = "api";
  q.operation = "GET /users";
  q.match_kind = true;
  q.kind = SpanKind::kServer;
  q.duration_min_ns = 4'000'000;
  q.start_time_min_ns = kStart + 1500;
  EXPECT_TRUE(index.MayMatch(q));
  TraceQuery other = q;
  other.service = "web";
  EXPECT_FALSE(index.MayMatch(other));
  other = q;
  other.operation = "POST /users";
  EXPECT_FALSE(index.MayMatch(other));
  other = q;
  other.kind = SpanKind::kClient;
  EXPECT_FALSE(index.MayMatch(other));
  other = q;
  other.duration_min_ns = 6'000'000;
  EXPECT_FALSE(index.MayMatch(other));
  other = q;
  other.start_time_min_ns = kStart + 2001;
  EXPECT_FALSE(index.MayMatch(other));
  other = q;
  other.start_time_min_ns = 0;
  other.start_time_max_ns = kStart - 1;
  EXPECT_FALSE(index.MayMatch(other));
}

TEST(BlockIndex, SerializedFormAnswersTheSame) {
  const BlockIndex index = BlockIndex::Build(Spans());
  auto parsed = BlockIndex::Parse(index.Serialize());
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->Serialize(), index.Serialize());
  EXPECT_EQ(parsed->trace_ids, index.trace_ids);
  EXPECT_TRUE(parsed->MayMatch(Query({{"user", "u0"}})));
  EXPECT_FALSE(parsed->MayMatch(Query({{"user", "u9"}})));

  std::string bad = index.Serialize();
  bad[0] = 9;  // unknown version
  EXPECT_FALSE(BlockIndex::Parse(bad).ok());
  EXPECT_FALSE(BlockIndex::Parse(index.Serialize().substr(0, 20)).ok());
}

TEST(BlockIndex, OutlinesEachTraceItHolds) {
  std::vector<SpanRecord> spans = Spans();
  // Trace 1 gets a child (no root of its own) that ends last; trace 2's
  // only span has a parent elsewhere.
  SpanRecord child = spans[0];
  child.span.span_id = SpanId{9};
  child.span.parent_span_id = SpanId{1};
  child.span.name = Intern("SELECT");
  child.span.kind = SpanKind::kClient;
  child.span.start_time_ns = kStart + 2'000'000;
  child.span.end_time_ns = kStart + 40'000'000;
  spans.push_back(child);
  spans[1].span.parent_span_id = SpanId{77};
  const BlockIndex built = BlockIndex::Build(spans);
  auto parsed = BlockIndex::Parse(built.Serialize());
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  for (const BlockIndex* index : {&built, static_cast<const BlockIndex*>(&*parsed)}) {
    ASSERT_TRUE(index->has_outlines());
    std::vector<BlockTraceOutline> outlines(4);
    BlockIndex::OutlineReader reader(*index);
    for (BlockTraceOutline& o : outlines) {
      if (!reader.Next(&o)) break;
    }
    ASSERT_EQ(reader.position(), 3u);                        // one per trace
    const TraceOutline first = index->Outline(outlines[0]);  // TraceId{1, 1}
    EXPECT_EQ(first.first_start_ns, kStart);
    EXPECT_EQ(first.duration_ns(), 40'000'000u);
    EXPECT_EQ(first.root_service, "api");
    EXPECT_EQ(first.root_name, "GET /users");
    EXPECT_EQ(outlines[0].max_start_ns, kStart + 2'000'000);
    const TraceOutline second = index->Outline(outlines[1]);
    EXPECT_EQ(second.root_start_ns, UINT64_MAX);  // no root here
    EXPECT_EQ(second.duration_ns(), 5'000'000u);
  }
  // Outlines that do not fit the trace IDs are refused when parsed.
  std::string bad = built.Serialize();
  bad.push_back('\x01');
  EXPECT_FALSE(BlockIndex::Parse(bad).ok());
  bad = built.Serialize();
  bad.resize(bad.size() - 1);
  EXPECT_FALSE(BlockIndex::Parse(bad).ok());
}

}  // namespace
}  // namespace spoor
