#include "storage/embedded/block_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <set>

#include "codec_test_util.h"
#include "model/string_table.h"

namespace spoor {
namespace {

using testing::ExpectSameSpans;
using testing::SameRecord;
using testing::TracegenSpans;

KeyValue Kv(std::string_view key, AnyValue value) {
  return KeyValue{Intern(key), std::move(value)};
}

AnyValue Array(std::vector<AnyValue> values) {
  AnyValue v;
  v.type = ValueType::kArray;
  v.array = std::move(values);
  return v;
}

AnyValue KvList(std::vector<KeyValue> values) {
  AnyValue v;
  v.type = ValueType::kKvList;
  v.kvlist = std::move(values);
  return v;
}

// One attribute of every value type, nested arrays and kvlists included.
Attributes AllValueTypes(int salt) {
  return {
      Kv("http.method", AnyValue::String("GET")),
      Kv("long.string", AnyValue::String(std::string(300, static_cast<char>('a' + salt % 26)))),
      Kv("empty.string", AnyValue::String("")),
      Kv("cache.hit", AnyValue::Bool(salt % 2 == 0)),
      Kv("http.status_code", AnyValue::Int(200 + salt)),
      Kv("big.negative", AnyValue::Int(std::numeric_limits<int64_t>::min())),
      Kv("big.positive", AnyValue::Int(std::numeric_limits<int64_t>::max())),
      Kv("ratio", AnyValue::Double(0.25 * salt)),
      Kv("negative.zero", AnyValue::Double(-0.0)),
      Kv("not.a.number", AnyValue::Double(std::nan(""))),
      Kv("infinity", AnyValue::Double(-std::numeric_limits<double>::infinity())),
      Kv("payload", AnyValue::Bytes(std::string("\x00\x01\xfe\xff", 4))),
      Kv("empty.bytes", AnyValue::Bytes("")),
      Kv("tags", Array({AnyValue::String("a"), AnyValue::Int(-1),
                        Array({AnyValue::Bool(false), KvList({Kv("x", AnyValue::Double(1.5))}),
                               AnyValue::Bytes(std::string(1, '\0'))}),
                        AnyValue{}})),
      Kv("map", KvList({Kv("inner", KvList({Kv("deep", AnyValue::String("v"))})),
                        Kv("nothing", AnyValue{}), Kv("list", Array({KvList({})}))})),
      Kv("empty.array", Array({})),
      Kv("empty.map", KvList({})),
      Kv("nothing", AnyValue{}),
      Kv("http.method", AnyValue::String("duplicate key kept")),
  };
}

std::vector<SpanRecord> FullFeatureSpans() {
  auto resource = std::make_shared<Resource>();
  resource->attributes = {Kv("service.name", AnyValue::String("checkout")),
                          Kv("deployment", KvList({Kv("zone", AnyValue::String("b"))}))};
  resource->dropped_attributes_count = 3;
  resource->schema_url = "https://opentelemetry.io/schemas/1.21.0";
  resource->ResolveServiceName();
  auto nameless = std::make_shared<Resource>();  // no service.name
  nameless->attributes = {Kv("host.name", AnyValue::String("h1"))};
  nameless->ResolveServiceName();
  auto scope = std::make_shared<Scope>();
  scope->name = Intern("io.opentelemetry.http");
  scope->version = Intern("1.2.3");
  scope->attributes = AllValueTypes(1);
  scope->dropped_attributes_count = 2;
  scope->schema_url = "https://example.com/scope-schema";
  auto bare_scope = std::make_shared<Scope>();

  std::vector<SpanRecord> out;
  const TraceId trace{0x0102030405060708ULL, 0x090a0b0c0d0e0f10ULL};
  const TraceId other{0xffffffffffffffffULL, 1};
  for (int i = 0; i < 6; ++i) {
    SpanRecord r;
    r.resource = i % 2 == 0 ? resource : nameless;
    r.scope = i % 3 == 0 ? scope : bare_scope;
    Span& s = r.span;
    s.trace_id = i < 4 ? trace : other;
    s.span_id.value = 0x1000 + static_cast<uint64_t>(i);
    if (i == 1 || i == 2) s.parent_span_id.value = 0x1000;  // in the block
    if (i == 3) s.parent_span_id.value = 0xdeadbeefULL;     // not in the block
    if (i == 5) s.parent_span_id.value = 0x1000 + 5;        // itself
    s.trace_state = i == 0 ? "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE" : "";
    s.flags = i == 2 ? 0xffffffffu : 0x301;
    s.name = Intern("GET /api/" + std::to_string(i));
    s.kind = static_cast<SpanKind>(i);
    s.start_time_ns = 1700000000123456789ULL + static_cast<uint64_t>(i) * 977;
    s.end_time_ns = i == 4 ? s.start_time_ns - 5 : s.start_time_ns + 12345678;  // 4 ends early
    if (i == 5) s.end_time_ns = 0;
    s.attributes = AllValueTypes(i);
    s.dropped_attributes_count = static_cast<uint32_t>(i);
    s.dropped_events_count = i == 1 ? std::numeric_limits<uint32_t>::max() : 0;
    s.dropped_links_count = static_cast<uint32_t>(7 * i);
    s.status.code = static_cast<SpanStatusCode>(i % 3);
    s.status.message = i % 3 == 2 ? "deadline exceeded" : "";
    if (i != 3) {
      s.events.push_back(Event{s.start_time_ns + 10, Intern("exception"), AllValueTypes(i + 7), 4});
      s.events.push_back(Event{s.start_time_ns - 10, Intern("before start"), {}, 0});
      s.events.push_back(Event{0, Intern(""), {Kv("k", AnyValue::Int(1))}, 0});
    }
    if (i % 2 == 1) {
      s.links.push_back(Link{s.trace_id, SpanId{0x1000}, "", {}, 0, 1});
      s.links.push_back(Link{other, SpanId{0xabc}, "vendor=x", AllValueTypes(i + 3), 9, 0x300});
      s.links.push_back(Link{TraceId{0, 42}, SpanId{}, "", {}, 0, 0});
    }
    out.push_back(std::move(r));
  }
  // A span with no resource or scope at all, and zero times.
  SpanRecord bare;
  bare.span.trace_id = TraceId{0, 7};
  bare.span.span_id.value = 1;
  out.push_back(std::move(bare));
  return out;
}

TEST(BlockCodec, RoundTripsEveryField) {
  const std::vector<SpanRecord> spans = FullFeatureSpans();
  for (int level : {0, 1, 3, 9}) {
    BlockEncodeOptions options;
    options.zstd_level = level;
    const std::string block = EncodeBlock(spans, options);
    std::vector<SpanRecord> decoded;
    ASSERT_TRUE(DecodeBlock(block, &decoded).ok()) << "level " << level;
    ExpectSameSpans(spans, decoded);
  }
}

TEST(BlockCodec, WithoutAttributesKeepsEveryOtherField) {
  const std::string block = EncodeBlock(FullFeatureSpans());
  std::vector<SpanRecord> whole;
  std::vector<SpanRecord> light;
  ASSERT_TRUE(DecodeBlock(block, &whole).ok());
  ASSERT_TRUE(DecodeBlock(block, &light, SpanDetail::kWithoutAttributes).ok());
  ASSERT_EQ(light.size(), whole.size());
  bool had_nested = false;
  for (size_t i = 0; i < whole.size(); ++i) {
    had_nested = had_nested || !whole[i].span.attributes.empty() || !whole[i].span.events.empty() ||
                 !whole[i].span.links.empty();
    EXPECT_TRUE(light[i].span.attributes.empty());
    EXPECT_TRUE(light[i].span.events.empty());
    EXPECT_TRUE(light[i].span.links.empty());
    // The rest as decoded whole.
    SpanRecord stripped = whole[i];
    stripped.span.attributes.clear();
    stripped.span.events.clear();
    stripped.span.links.clear();
    ExpectSameSpans({stripped}, {light[i]});
  }
  EXPECT_TRUE(had_nested);
  // The same for the traces asked for.
  std::vector<SpanRecord> traces;
  ASSERT_TRUE(DecodeBlockTraces(block, {whole.front().span.trace_id}, &traces,
                                SpanDetail::kWithoutAttributes)
                  .ok());
  ASSERT_FALSE(traces.empty());
  for (const SpanRecord& r : traces) {
    EXPECT_EQ(r.span.trace_id, whole.front().span.trace_id);
    EXPECT_TRUE(r.span.attributes.empty());
  }
}

TEST(BlockCodec, DecodedFieldsAreInternedAndServiceNameResolved) {
  std::vector<SpanRecord> decoded;
  ASSERT_TRUE(DecodeBlock(EncodeBlock(FullFeatureSpans()), &decoded).ok());
  for (const SpanRecord& r : decoded) {
    EXPECT_EQ(r.span.name.data(), Intern(r.span.name).data());
    for (const KeyValue& kv : r.span.attributes) EXPECT_EQ(kv.key.data(), Intern(kv.key).data());
    for (const Event& e : r.span.events) EXPECT_EQ(e.name.data(), Intern(e.name).data());
    if (r.resource != nullptr && r.resource->service_name != kNoServiceName) {
      EXPECT_EQ(r.resource->service_name.data(), Intern(r.resource->service_name).data());
    }
    if (r.scope != nullptr) {
      EXPECT_EQ(r.scope->name.data(), Intern(r.scope->name).data());
      EXPECT_EQ(r.scope->version.data(), Intern(r.scope->version).data());
    }
  }
  ASSERT_NE(decoded[1].resource, nullptr);  // decoded[0] is the span without a resource
  EXPECT_EQ(decoded[1].resource->service_name, "checkout");
}

TEST(BlockCodec, SpansComeBackGroupedByTraceInStartOrder) {
  std::vector<SpanRecord> spans = TracegenSpans(3);
  std::reverse(spans.begin(), spans.end());
  std::vector<SpanRecord> decoded;
  ASSERT_TRUE(DecodeBlock(EncodeBlock(spans), &decoded).ok());
  ASSERT_EQ(decoded.size(), spans.size());
  for (size_t i = 1; i < decoded.size(); ++i) {
    const Span& a = decoded[i - 1].span;
    const Span& b = decoded[i].span;
    ASSERT_TRUE(a.trace_id < b.trace_id ||
                (a.trace_id == b.trace_id && a.start_time_ns <= b.start_time_ns));
  }
  ExpectSameSpans(spans, decoded);
}

TEST(BlockCodec, EqualResourcesAndScopesAreSharedInABlock) {
  // Every request decoded separately has its own resource objects.
  const std::vector<SpanRecord> spans = TracegenSpans(5);
  std::vector<SpanRecord> decoded;
  ASSERT_TRUE(DecodeBlock(EncodeBlock(spans), &decoded).ok());
  std::set<const Resource*> resources;
  std::set<const Scope*> scopes;
  for (const SpanRecord& r : decoded) {
    resources.insert(r.resource.get());
    scopes.insert(r.scope.get());
  }
  EXPECT_EQ(resources.size(), 3u);
  EXPECT_EQ(scopes.size(), 1u);
}

TEST(BlockCodec, ResourcesDifferingOnlyInSchemaUrlStayApart) {
  std::vector<SpanRecord> spans = TracegenSpans(1);
  auto a = std::make_shared<Resource>(*spans[0].resource);
  auto b = std::make_shared<Resource>(*spans[0].resource);
  b->schema_url = "https://example.com/other";
  for (size_t i = 0; i < spans.size(); ++i) spans[i].resource = i % 2 == 0 ? a : b;
  std::vector<SpanRecord> decoded;
  ASSERT_TRUE(DecodeBlock(EncodeBlock(spans), &decoded).ok());
  ExpectSameSpans(spans, decoded);
}

TEST(BlockCodec, KeepsDuplicateSpansAndSpanIds) {
  std::vector<SpanRecord> spans = TracegenSpans(2);
  const size_t n = spans.size();
  for (size_t i = 0; i < n; i += 3) spans.push_back(spans[i]);  // exact duplicates
  for (size_t i = 1; i < n; i += 5) {
    SpanRecord r = spans[i];  // same span ID, different content (Zipkin shared spans)
    r.span.kind = SpanKind::kServer;
    r.span.parent_span_id = spans[i].span.span_id;
    r.span.start_time_ns += 7;
    spans.push_back(std::move(r));
  }
  for (size_t i = 0; i < n; i += 2) {
    SpanRecord r = spans[i];  // same span ID in another trace
    r.span.trace_id.low ^= 0x5555;
    spans.push_back(std::move(r));
  }
  std::vector<SpanRecord> decoded;
  ASSERT_TRUE(DecodeBlock(EncodeBlock(spans), &decoded).ok());
  ExpectSameSpans(spans, decoded);
}

TEST(BlockCodec, ManyTracesAcrossGroups) {
  const std::vector<SpanRecord> spans = TracegenSpans(60);  // 6000 spans, 600 traces
  for (uint32_t group_spans : {1u, 7u, 2048u, 100000u}) {
    BlockEncodeOptions options;
    options.group_spans = group_spans;
    std::vector<SpanRecord> decoded;
    ASSERT_TRUE(DecodeBlock(EncodeBlock(spans, options), &decoded).ok());
    ExpectSameSpans(spans, decoded);
  }
}

TEST(BlockCodec, DecodeAppendsToOutput) {
  const std::vector<SpanRecord> spans = TracegenSpans(1);
  const std::string block = EncodeBlock(spans);
  std::vector<SpanRecord> decoded;
  ASSERT_TRUE(DecodeBlock(block, &decoded).ok());
  ASSERT_TRUE(DecodeBlock(block, &decoded).ok());
  EXPECT_EQ(decoded.size(), 2 * spans.size());
}

TEST(BlockCodec, EmptyBlock) {
  const std::string block = EncodeBlock(std::vector<SpanRecord>{});
  EXPECT_LT(block.size(), 100u);
  std::vector<SpanRecord> decoded;
  ASSERT_TRUE(DecodeBlock(block, &decoded).ok());
  EXPECT_TRUE(decoded.empty());
  ASSERT_TRUE(DecodeBlockTraces(block, {TraceId{1, 2}}, &decoded).ok());
  EXPECT_TRUE(decoded.empty());
}

TEST(BlockCodec, DeeplyNestedValues) {
  AnyValue v = AnyValue::Int(1);
  for (int i = 0; i < 100; ++i) v = i % 2 == 0 ? Array({v}) : KvList({Kv("n", v)});
  std::vector<SpanRecord> spans = TracegenSpans(1);
  spans[0].span.attributes.push_back(Kv("deep", v));
  auto resource = std::make_shared<Resource>(*spans[0].resource);
  resource->attributes.push_back(Kv("deep", v));
  spans[0].resource = resource;
  std::vector<SpanRecord> decoded;
  ASSERT_TRUE(DecodeBlock(EncodeBlock(spans), &decoded).ok());
  ExpectSameSpans(spans, decoded);
}

}  // namespace
}  // namespace spoor
