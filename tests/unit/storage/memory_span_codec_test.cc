// The memory store's span codec: every field round-trips, a span decoded
// into a used one overwrites it whole, names are numbered and come back
// interned, and bytes that are cut or damaged give false, never a read
// outside them.
#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <string>
#include <vector>

#include "model/string_table.h"
#include "storage/memory/span_codec.h"

namespace spoor {
namespace {

constexpr uint64_t kBase = 1'700'000'000'123'456'789ULL;
constexpr TraceId kTrace{0x0123456789abcdefULL, 42};

AnyValue NestedValue() {
  AnyValue list;
  list.type = ValueType::kArray;
  list.array = {AnyValue::String("a"),
                AnyValue::Int(std::numeric_limits<int64_t>::min()),
                AnyValue::Double(-0.0),
                AnyValue::Bytes(std::string("\0\xff", 2)),
                AnyValue{},
                AnyValue::Bool(true)};
  AnyValue inner_map;
  inner_map.type = ValueType::kKvList;
  inner_map.kvlist = {{Intern("deep"), AnyValue::Int(7)}};
  list.array.push_back(inner_map);
  AnyValue map;
  map.type = ValueType::kKvList;
  map.kvlist = {{Intern("inner"), list}, {Intern("flag"), AnyValue::Bool(false)}};
  return map;
}

// A span with every field set to something other than its default.
Span RichSpan() {
  Span s;
  s.trace_id = kTrace;
  s.span_id = SpanId{std::numeric_limits<uint64_t>::max()};
  s.parent_span_id = SpanId{0x1122334455667788ULL};
  s.trace_state = "congo=t61rcWkgMzE";
  s.flags = 0x301;
  s.name = Intern("GET /orders/{id}");
  s.kind = SpanKind::kConsumer;
  s.start_time_ns = kBase - 3'000;  // before the trace's base
  s.end_time_ns = s.start_time_ns + 1'500'000'000;
  s.attributes = {{Intern("http.method"), AnyValue::String("GET")},
                  {Intern("http.status_code"), AnyValue::Int(-200)},
                  {Intern("ratio"), AnyValue::Double(0.25)},
                  {Intern("nan"), AnyValue::Double(std::numeric_limits<double>::quiet_NaN())},
                  {Intern("ok"), AnyValue::Bool(true)},
                  {Intern("raw"), AnyValue::Bytes(std::string(300, '\x80'))},
                  {Intern("nested"), NestedValue()},
                  {Intern("empty"), AnyValue{}}};
  s.dropped_attributes_count = 3;
  s.events.push_back(Event{s.start_time_ns + 10,
                           Intern("exception"),
                           {{Intern("exception.message"), AnyValue::String("boom")}},
                           1});
  s.events.push_back(Event{s.start_time_ns - 10, Intern("early"), {}, 0});
  s.dropped_events_count = 7;
  s.links.push_back(Link{TraceId{1, 2}, SpanId{3}, "k=v", {{Intern("l"), NestedValue()}}, 2, 1});
  s.links.push_back(Link{TraceId{UINT64_MAX, 0}, SpanId{0}, "", {}, 0, 0});
  s.dropped_links_count = 9;
  s.status.code = SpanStatusCode::kError;
  s.status.message = "failed";
  return s;
}

// A span with only what every span has.
Span PlainSpan() {
  Span s;
  s.trace_id = kTrace;
  s.span_id = SpanId{5};
  s.name = Intern("plain");
  s.start_time_ns = kBase;
  s.end_time_ns = kBase - 1;  // end before start is kept
  return s;
}

// Each span's head and body, in order; fails the test on bytes that do not read.
std::vector<Span> DecodeAll(std::string_view bytes, const NameTable& names,
                            std::vector<SpanHead>* heads = nullptr) {
  std::vector<Span> out;
  EncodedSpanReader reader(bytes, kBase);
  while (!reader.done()) {
    SpanHead head;
    EXPECT_TRUE(reader.Next(&head));
    if (testing::Test::HasFailure()) return out;
    Span& s = out.emplace_back();
    s.trace_id = kTrace;
    EXPECT_TRUE(DecodeSpan(head, names, &s));
    if (heads != nullptr) heads->push_back(head);
  }
  return out;
}

TEST(MemorySpanCodec, EveryFieldRoundTrips) {
  std::vector<Span> spans = {RichSpan(), PlainSpan(), RichSpan()};
  spans[2].kind = static_cast<SpanKind>(200);             // outside OTLP's numbering
  spans[2].status.code = static_cast<SpanStatusCode>(9);  // likewise
  spans[2].start_time_ns = std::numeric_limits<uint64_t>::max();
  spans[2].end_time_ns = 0;
  NameTable names;
  std::string bytes;
  for (size_t i = 0; i < spans.size(); ++i) {
    EncodeSpan(spans[i], static_cast<uint32_t>(i * 100), kBase, names, &bytes);
  }
  std::vector<SpanHead> heads;
  std::vector<Span> decoded = DecodeAll(bytes, names, &heads);
  ASSERT_EQ(decoded.size(), spans.size());
  for (size_t i = 0; i < spans.size(); ++i) {
    EXPECT_EQ(decoded[i], spans[i]) << i;
    EXPECT_EQ(heads[i].source, i * 100);
    EXPECT_EQ(heads[i].span_id, spans[i].span_id);
    EXPECT_EQ(heads[i].parent_span_id, spans[i].parent_span_id);
    EXPECT_EQ(heads[i].kind, spans[i].kind);
    EXPECT_EQ(heads[i].status_code, spans[i].status.code);
    EXPECT_EQ(heads[i].start_time_ns, spans[i].start_time_ns);
    EXPECT_EQ(heads[i].end_time_ns, spans[i].end_time_ns);
  }
  // The NaN compares equal through AnyValue's ==; check its bits came back.
  EXPECT_TRUE(std::isnan(decoded[0].attributes[3].value.double_value));
}

TEST(MemorySpanCodec, NamesComeBackInternedAndNumberedOnce) {
  NameTable names;
  std::string bytes;
  const std::string name = "not-interned-" + std::to_string(std::random_device{}());
  Span s = PlainSpan();
  s.name = name;  // a view of a std::string, not of the string table
  EncodeSpan(s, 0, kBase, names, &bytes);
  EncodeSpan(s, 0, kBase, names, &bytes);
  EXPECT_EQ(names.size(), 1u);
  std::vector<Span> decoded = DecodeAll(bytes, names);
  ASSERT_EQ(decoded.size(), 2u);
  EXPECT_EQ(decoded[0].name, name);
  EXPECT_EQ(decoded[0].name.data(), Intern(name).data());
  uint32_t id = 99;
  EXPECT_TRUE(names.Find(name, &id));
  EXPECT_EQ(id, 0u);
}

TEST(MemorySpanCodec, FindDoesNotInternWhatItLooksFor) {
  NameTable names;
  const size_t before = StringTable::Global().size();
  uint32_t id = 0;
  EXPECT_FALSE(names.Find("never-stored-" + std::to_string(std::random_device{}()), &id));
  EXPECT_EQ(StringTable::Global().size(), before);
}

TEST(MemorySpanCodec, DecodingIntoAUsedSpanOverwritesEveryField) {
  NameTable names;
  std::string bytes;
  EncodeSpan(RichSpan(), 0, kBase, names, &bytes);
  EncodeSpan(PlainSpan(), 0, kBase, names, &bytes);
  EncodedSpanReader reader(bytes, kBase);
  SpanHead head;
  Span reused;
  reused.trace_id = kTrace;
  ASSERT_TRUE(reader.Next(&head));
  ASSERT_TRUE(DecodeSpan(head, names, &reused));
  EXPECT_EQ(reused, RichSpan());
  ASSERT_TRUE(reader.Next(&head));
  ASSERT_TRUE(DecodeSpan(head, names, &reused));
  EXPECT_EQ(reused, PlainSpan());
  EXPECT_TRUE(reader.done());
}

TEST(MemorySpanCodec, ManyNamesAndSmallBodies) {
  // Enough names to grow the table and need two-byte numbers.
  NameTable names;
  std::string bytes;
  std::vector<Span> spans;
  for (int i = 0; i < 1000; ++i) {
    Span s = PlainSpan();
    s.name = Intern("op-" + std::to_string(i));
    s.attributes = {{Intern("k-" + std::to_string(i)), AnyValue::Int(i)}};
    EncodeSpan(s, 0, kBase, names, &bytes);
    spans.push_back(s);
  }
  EXPECT_EQ(names.size(), 2000u);
  EXPECT_EQ(DecodeAll(bytes, names), spans);
}

TEST(MemorySpanCodec, EveryTruncationIsAnError) {
  NameTable names;
  std::string bytes;
  EncodeSpan(RichSpan(), 0, kBase, names, &bytes);
  for (size_t n = 0; n < bytes.size(); ++n) {
    EncodedSpanReader reader(std::string_view(bytes).substr(0, n), kBase);
    SpanHead head;
    EXPECT_TRUE(n == 0 ? reader.done() : !reader.Next(&head)) << n;
  }
  // A body cut short inside the head's length is an error too.
  EncodedSpanReader reader(bytes, kBase);
  SpanHead head;
  ASSERT_TRUE(reader.Next(&head));
  Span s;
  for (size_t n = 0; n < head.body.size(); ++n) {
    SpanHead cut = head;
    cut.body = head.body.substr(0, n);
    EXPECT_FALSE(DecodeSpan(cut, names, &s)) << n;
  }
}

TEST(MemorySpanCodec, DamagedBytesNeverCrash) {
  NameTable names;
  std::string bytes;
  EncodeSpan(RichSpan(), 1, kBase, names, &bytes);
  EncodeSpan(PlainSpan(), 2, kBase, names, &bytes);
  std::mt19937_64 rng(11);
  for (int round = 0; round < 3000; ++round) {
    std::string damaged = bytes;
    for (int k = 0; k < 1 + static_cast<int>(rng() % 4); ++k) {
      damaged[rng() % damaged.size()] = static_cast<char>(rng());
    }
    EncodedSpanReader reader(damaged, kBase);
    SpanHead head;
    Span s;
    while (!reader.done() && reader.Next(&head)) (void)DecodeSpan(head, names, &s);
  }
}

}  // namespace
}  // namespace spoor
