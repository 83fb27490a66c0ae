// The write-ahead entry codec: every field round-trips, resources and
// scopes stay shared per batch, names are interned, and damaged entries give
// an error, never a crash.
#include "storage/embedded/wal_codec.h"

#include <gtest/gtest.h>

#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "model/string_table.h"
#include "tests/unit/embedded_codec/codec_test_util.h"

namespace spoor {
namespace {

// A batch with every kind of field set somewhere: nested values of each
// type, events, links, status, dropped counts, schema URLs, extreme times.
SpanBatch RichBatch() {
  SpanBatch batch;
  for (int r = 0; r < 2; ++r) {
    ResourceSpans& rs = batch.resource_spans.emplace_back();
    auto resource = std::make_shared<Resource>();
    resource->attributes = {{Intern("service.name"), AnyValue::String("svc-" + std::to_string(r))},
                            {Intern("pid"), AnyValue::Int(-4242)}};
    resource->dropped_attributes_count = 3;
    resource->schema_url = "https://opentelemetry.io/schemas/1.21.0";
    resource->ResolveServiceName();
    rs.resource = resource;
    for (int sc = 0; sc < 2; ++sc) {
      ScopeSpans& ss = rs.scope_spans.emplace_back();
      auto scope = std::make_shared<Scope>();
      scope->name = Intern("lib-" + std::to_string(sc));
      scope->version = Intern(sc == 0 ? "1.2.3" : "");
      scope->attributes = {{Intern("scope.attr"), AnyValue::Bool(sc == 1)}};
      scope->dropped_attributes_count = static_cast<uint32_t>(sc);
      scope->schema_url = sc == 0 ? "" : "s";
      ss.scope = scope;
      for (int i = 0; i < 5; ++i) {
        Span& s = ss.spans.emplace_back();
        s.trace_id =
            TraceId{0x0123456789abcdefULL, static_cast<uint64_t>(r * 100 + sc * 10 + i + 1)};
        s.span_id = SpanId{std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(i)};
        if (i > 0) s.parent_span_id = SpanId{std::numeric_limits<uint64_t>::max()};
        s.trace_state = i == 2 ? "congo=t61rcWkgMzE" : "";
        s.flags = 0x301;
        s.name = Intern("op-" + std::to_string(i % 2));
        s.kind = static_cast<SpanKind>(i % 6);
        s.start_time_ns = 1'700'000'000'123'456'789ULL + static_cast<uint64_t>(i);
        s.end_time_ns =
            i == 3 ? s.start_time_ns - 5 : s.start_time_ns + 1'000'000;  // end < start kept
        AnyValue list;
        list.type = ValueType::kArray;
        list.array = {AnyValue::String("a"), AnyValue::Int(std::numeric_limits<int64_t>::min()),
                      AnyValue::Double(-0.0), AnyValue::Bytes(std::string("\0\xff", 2)),
                      AnyValue{}};
        AnyValue map;
        map.type = ValueType::kKvList;
        map.kvlist = {{Intern("inner"), list}, {Intern("flag"), AnyValue::Bool(true)}};
        s.attributes = {{Intern("http.method"), AnyValue::String("GET")},
                        {Intern("http.status_code"), AnyValue::Int(200 + i)},
                        {Intern("ratio"), AnyValue::Double(0.25 * i)},
                        {Intern("nested"), map},
                        {Intern("empty"), AnyValue{}}};
        s.dropped_attributes_count = static_cast<uint32_t>(i);
        if (i % 2 == 0) {
          s.events.push_back(Event{s.start_time_ns + 10,
                                   Intern("exception"),
                                   {{Intern("exception.message"), AnyValue::String("boom")}},
                                   1});
          s.events.push_back(Event{s.start_time_ns - 10, Intern("early"), {}, 0});
        }
        s.dropped_events_count = 7;
        if (i == 4) {
          s.links.push_back(Link{TraceId{1, 2}, SpanId{3}, "k=v", {{Intern("l"), list}}, 2, 1});
        }
        s.dropped_links_count = 9;
        s.status.code = static_cast<SpanStatusCode>(i % 3);
        s.status.message = i % 3 == 2 ? "failed" : "";
      }
    }
  }
  return batch;
}

std::vector<SpanRecord> RecordsOf(const SpanBatch& batch) {
  std::vector<SpanRecord> out;
  for (const ResourceSpans& rs : batch.resource_spans) {
    for (const ScopeSpans& ss : rs.scope_spans) {
      for (const Span& s : ss.spans) out.push_back(SpanRecord{rs.resource, ss.scope, s, {}});
    }
  }
  return out;
}

TEST(WalCodec, EveryFieldRoundTrips) {
  const SpanBatch batch = RichBatch();
  std::string entry;
  EncodeWalEntry(batch, &entry);
  ASSERT_EQ(static_cast<uint8_t>(entry[0]), kWalEntryVersion);
  std::vector<SpanRecord> decoded;
  ASSERT_TRUE(DecodeWalEntry(entry, &decoded).ok());
  testing::ExpectSameSpans(RecordsOf(batch), decoded);
  // One shared resource and scope per ResourceSpans / ScopeSpans.
  EXPECT_EQ(decoded[0].resource.get(), decoded[9].resource.get());
  EXPECT_NE(decoded[0].resource.get(), decoded[10].resource.get());
  EXPECT_EQ(decoded[0].scope.get(), decoded[4].scope.get());
  EXPECT_NE(decoded[0].scope.get(), decoded[5].scope.get());
  EXPECT_EQ(decoded[0].resource->service_name, "svc-0");
  // Names come back interned.
  EXPECT_EQ(decoded[0].span.name.data(), Intern("op-0").data());
  EXPECT_EQ(decoded[0].span.attributes[0].key.data(), Intern("http.method").data());
}

TEST(WalCodec, TracegenBatchesRoundTripAndAppend) {
  SpanBatch batch;
  DecodeStats stats;
  ASSERT_TRUE(DecodeOtlpProto(testing::MakeTracegenRequest(3), &batch, &stats).ok());
  std::string entry;
  EncodeWalEntry(batch, &entry);
  // Names are written once: well under the size of the attribute keys inline.
  EXPECT_LT(entry.size(), 200u * batch.SpanCount());
  std::vector<SpanRecord> out = testing::TracegenSpans(1, 7);  // appended to
  const size_t before = out.size();
  ASSERT_TRUE(DecodeWalEntry(entry, &out).ok());
  ASSERT_EQ(out.size(), before + batch.SpanCount());
  testing::ExpectSameSpans(
      RecordsOf(batch),
      std::vector<SpanRecord>(out.begin() + static_cast<ptrdiff_t>(before), out.end()));
}

TEST(WalCodec, EveryTruncationIsAnErrorAndLeavesTheOutputAlone) {
  std::string entry;
  EncodeWalEntry(RichBatch(), &entry);
  for (size_t n = 0; n < entry.size(); ++n) {
    std::vector<SpanRecord> out;
    EXPECT_FALSE(DecodeWalEntry(std::string_view(entry).substr(0, n), &out).ok()) << n;
    EXPECT_TRUE(out.empty());
  }
  std::vector<SpanRecord> out;
  EXPECT_FALSE(DecodeWalEntry(entry + "x", &out).ok());
  EXPECT_FALSE(DecodeWalEntry(std::string(1, '\x01') + entry.substr(1), &out).ok());
}

TEST(WalCodec, DamagedBytesNeverCrash) {
  std::string entry;
  EncodeWalEntry(RichBatch(), &entry);
  std::mt19937_64 rng(11);
  for (int round = 0; round < 3000; ++round) {
    std::string damaged = entry;
    for (int k = 0; k < 1 + static_cast<int>(rng() % 4); ++k) {
      damaged[1 + rng() % (damaged.size() - 1)] = static_cast<char>(rng());
    }
    std::vector<SpanRecord> out;
    (void)DecodeWalEntry(damaged, &out);  // an error or some spans; no crash, no huge allocation
  }
}

TEST(WalCodec, EmptyBatch) {
  std::string entry;
  EncodeWalEntry(SpanBatch{}, &entry);
  std::vector<SpanRecord> out;
  ASSERT_TRUE(DecodeWalEntry(entry, &out).ok());
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace spoor
