// DecodeOtlpProto (the wire-format reader) against DecodeOtlpProtoWithLibrary
// (the protobuf library's parser): on every input both must succeed or both
// fail, and when they succeed give the same batch and the same rejections.

#include <google/protobuf/stubs/logging.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "bench/tracegen.h"
#include "formats/otlp/otlp_decode.h"
#include "model/same_batch.h"
#include "otlp_proto_test_request.h"
#include "otlp_test_util.h"

namespace spoor {
namespace {

using testing::AddSpan;
using testing::Bytes;
using testing::FullRequest;
using testing::Repeat;

// --- Hand-written wire bytes -------------------------------------------

std::string Varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}

std::string Tag(uint32_t field, uint32_t wire_type) {
  return Varint((uint64_t{field} << 3) | wire_type);
}

std::string Len(uint32_t field, const std::string& payload) {
  return Tag(field, 2) + Varint(payload.size()) + payload;
}

std::string Fixed64(uint32_t field, uint64_t v) {
  std::string out = Tag(field, 1);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return out;
}

const std::string kTraceId = Repeat(1, 16);
const std::string kSpanId = Repeat(2, 8);

// A span with usable IDs and `extra` fields appended.
std::string SpanBytes(const std::string& extra) {
  return Len(1, kTraceId) + Len(2, kSpanId) + Len(5, "op") + extra;
}

// A request of one resource, one scope and the given spans, with `resource`
// and `scope` as the payloads of those fields.
std::string RequestBytes(const std::vector<std::string>& spans, const std::string& resource = "",
                         const std::string& scope = "") {
  std::string scope_spans = Len(1, scope);
  for (const std::string& s : spans) scope_spans += Len(2, s);
  return Len(1, Len(1, resource) + Len(2, scope_spans));
}

std::string Attribute(const std::string& key, const std::string& value_payload) {
  return Len(1, key) + Len(2, value_payload);
}

// --- The comparison --------------------------------------------------------

struct Outcome {
  Status status;
  SpanBatch batch;
  DecodeStats stats;
};

// Decodes `bytes` with both and checks they agree; returns the wire
// decoder's outcome.
Outcome ExpectSameOutcome(const std::string& bytes, const std::string& what) {
  Outcome wire;
  Outcome library;
  wire.status = DecodeOtlpProto(bytes, &wire.batch, &wire.stats);
  {
    google::protobuf::LogSilencer quiet;  // the library logs every invalid string
    library.status = DecodeOtlpProtoWithLibrary(bytes, &library.batch, &library.stats);
  }
  EXPECT_EQ(wire.status.ok(), library.status.ok())
      << what << ": wire says '" << wire.status.message() << "', library says '"
      << library.status.message() << "'";
  if (wire.status.ok() && library.status.ok()) {
    EXPECT_TRUE(SameBatch(wire.batch, library.batch)) << what << ": batches differ";
    EXPECT_EQ(wire.stats.rejected_spans, library.stats.rejected_spans) << what;
    EXPECT_EQ(wire.stats.rejection_reason, library.stats.rejection_reason) << what;
  }
  if (!wire.status.ok()) {
    EXPECT_EQ(wire.status.code(), StatusCode::kInvalidArgument) << what;
    EXPECT_EQ(wire.status.message().rfind("malformed OTLP protobuf: ", 0), 0u) << what;
    EXPECT_TRUE(wire.batch.resource_spans.empty()) << what;
    EXPECT_EQ(wire.stats.rejected_spans, 0u) << what;
  }
  return wire;
}

// --- Well-formed requests ----------------------------------------------------

TEST(OtlpProtoWire, FullRequest_SameAsLibrary) {
  Outcome out = ExpectSameOutcome(FullRequest().SerializeAsString(), "full request");
  ASSERT_TRUE(out.status.ok());
  EXPECT_EQ(out.batch.SpanCount(), 2u);
}

TEST(OtlpProtoWire, TracegenRequests_SameAsLibrary) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Outcome out = ExpectSameOutcome(bench::MakeTracegenRequest(seed, bench::kDefaultRequestStartNs),
                                    "tracegen seed " + std::to_string(seed));
    ASSERT_TRUE(out.status.ok());
    EXPECT_EQ(out.batch.SpanCount(), 100u);
  }
}

TEST(OtlpProtoWire, RejectedSpans_SameCountsAndReason) {
  testing::ExportTraceServiceRequest request;
  auto* ss = request.add_resource_spans()->add_scope_spans();
  AddSpan(ss, Repeat(1, 16), Repeat(1, 8));
  AddSpan(ss, Repeat(1, 15), Repeat(1, 8));
  AddSpan(ss, Repeat(0, 16), Repeat(1, 8));
  AddSpan(ss, Repeat(1, 16), Repeat(0, 8));
  AddSpan(ss, Repeat(1, 16), Repeat(1, 7));
  AddSpan(ss, Repeat(1, 16), Repeat(1, 8))->set_parent_span_id(Repeat(3, 4));
  auto* rs2 = request.add_resource_spans();
  AddSpan(rs2->add_scope_spans(), "", "");
  Outcome out = ExpectSameOutcome(request.SerializeAsString(), "bad IDs");
  ASSERT_TRUE(out.status.ok());
  EXPECT_EQ(out.stats.rejected_spans, 6u);
  EXPECT_EQ(out.stats.rejection_reason, "span 1: trace_id must be 16 bytes, got 15");
  EXPECT_EQ(out.batch.resource_spans.size(), 1u);  // the second resource lost every span
}

TEST(OtlpProtoWire, LinksWithImpossibleIds_DroppedAndCounted) {
  std::string bad_link = Len(1, Repeat(4, 3)) + Len(2, Repeat(5, 8));
  std::string good_link = Len(1, Repeat(4, 16)) + Len(2, Repeat(5, 8)) + Len(3, "k=v");
  std::string empty_link = "";
  // dropped_links_count after the links on the wire: the sum still counts.
  std::string span = SpanBytes(Len(13, bad_link) + Len(13, good_link) + Len(13, empty_link) +
                               Tag(14, 0) + Varint(10));
  Outcome out = ExpectSameOutcome(RequestBytes({span}), "links");
  ASSERT_TRUE(out.status.ok());
  const Span& got = out.batch.resource_spans[0].scope_spans[0].spans[0];
  EXPECT_EQ(got.links.size(), 2u);
  EXPECT_EQ(got.dropped_links_count, 11u);
}

// --- What the protobuf encoding leaves open ---------------------------------

TEST(OtlpProtoWire, RepeatedSingularFields_MergedAsTheLibraryDoes) {
  const std::string a = Len(1, Attribute("a", Len(1, "x")));
  const std::string b = Len(1, Attribute("service.name", Len(1, "svc")));
  // resource twice: attributes appended, the later dropped count wins.
  std::string resource_twice =
      Len(1, Len(1, a + Tag(2, 0) + Varint(3)) + Len(1, b + Tag(2, 0) + Varint(4)) +
                 Len(2, Len(2, SpanBytes(""))));
  Outcome out = ExpectSameOutcome(resource_twice, "resource twice");
  ASSERT_TRUE(out.status.ok());
  EXPECT_EQ(out.batch.resource_spans[0].resource->attributes.size(), 2u);
  EXPECT_EQ(out.batch.resource_spans[0].resource->service_name, "svc");

  // status twice, name twice, IDs twice: last scalar wins, messages merge.
  std::string span = SpanBytes(Len(15, Tag(3, 0) + Varint(2)) + Len(15, Len(2, "msg")) +
                               Len(5, "second name") + Len(1, Repeat(7, 16)));
  ExpectSameOutcome(RequestBytes({span}), "span fields twice");

  // AnyValue: string then int; array twice (merged); map, string, map.
  std::string values =
      Attribute("s-then-i", Len(1, "text") + Tag(3, 0) + Varint(5)) +
      Attribute("array-twice", Len(5, Len(1, Len(1, "one"))) + Len(5, Len(1, Tag(2, 0) + "\x01")));
  std::string map_string_map =
      Attribute("m", Len(6, Len(1, Attribute("k", Len(1, "v")))) + Len(1, "s") +
                         Len(6, Len(1, Attribute("k2", Fixed64(4, 0x3ff0000000000000ull)))));
  ExpectSameOutcome(RequestBytes({SpanBytes(Len(9, values) + Len(9, map_string_map))}),
                    "oneof switches");
  // A value, then a second `value` field in the same KeyValue.
  ExpectSameOutcome(
      RequestBytes({SpanBytes(Len(9, Attribute("k", Len(1, "v")) + Len(2, Tag(2, 0) + "\x01")))}),
      "value twice");
}

TEST(OtlpProtoWire, UnknownFieldsAndWrongWireTypes_Skipped) {
  std::string unknown = Tag(99, 0) + Varint(1234567) + Fixed64(98, 7) + Len(97, "whatever") +
                        Tag(96, 5) + "abcd" + Tag(95, 3) + Tag(1, 0) + Varint(1) + Tag(2, 3) +
                        Len(3, "x") + Tag(2, 4) + Tag(95, 4);
  std::string attr = Len(9, Attribute("k", Len(1, "v") + unknown) + unknown);
  std::string span = SpanBytes(unknown + attr + Len(11, Len(2, "event") + unknown) +
                               Len(15, unknown + Len(2, "m")));
  std::string request = Len(1, Len(1, unknown) + Len(2, Len(1, unknown) + Len(2, span) + unknown) +
                                   unknown + Tag(1000, 2) + Varint(0)) +
                        unknown;
  Outcome out = ExpectSameOutcome(request, "unknown fields everywhere");
  ASSERT_TRUE(out.status.ok());
  EXPECT_EQ(out.batch.SpanCount(), 1u);

  // Known field numbers with another wire type are unknown fields too.
  std::string wrong_types = Tag(5, 0) + Varint(1) + Tag(6, 2) + Varint(0) + Tag(7, 0) + Varint(9) +
                            Tag(16, 0) + Varint(1) + Tag(15, 0) + Varint(2);
  ExpectSameOutcome(RequestBytes({SpanBytes(wrong_types)}), "wrong wire types in a span");
  // A trace_id as a varint is skipped: the span has no trace ID and is rejected.
  out = ExpectSameOutcome(RequestBytes({Tag(1, 0) + Varint(5) + Len(2, kSpanId)}),
                          "trace_id as a varint");
  ASSERT_TRUE(out.status.ok());
  EXPECT_EQ(out.stats.rejected_spans, 1u);
}

TEST(OtlpProtoWire, MalformedTagsAndVarints_RefusedLikeTheLibrary) {
  const std::string span_prefix = SpanBytes("");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"field number 0", Tag(0, 0) + Varint(1)},
      {"field number 0, length-delimited", Tag(0, 2) + Varint(0)},
      {"end group without start", Tag(20, 4)},
      {"end group of another field", Tag(20, 3) + Tag(21, 4)},
      {"group never closed", Tag(20, 3) + Tag(1, 0) + Varint(1)},
      {"wire type 6", Tag(20, 6)},
      {"wire type 7", Tag(20, 7) + Varint(0)},
      {"10-byte varint", Tag(20, 0) + std::string(9, '\xff') + "\x01"},
      {"10-byte varint, high bits in the last byte", Tag(20, 0) + std::string(9, '\xff') + "\x7f"},
      {"11-byte varint", Tag(20, 0) + std::string(10, '\xff') + "\x01"},
      {"5-byte tag", std::string("\xff\xff\xff\xff\x0f", 5) + Varint(0)},
      {"5-byte tag, bits past 32", std::string("\x80\x81\x80\x80\x7f", 5) + Varint(0)},
      {"6-byte tag", std::string("\x80\x80\x80\x80\x80\x01", 6) + Varint(0)},
      {"5-byte length", Tag(20, 2) + std::string("\x80\x80\x80\x80\x00", 5)},
      {"length of 2 GiB", Tag(20, 2) + std::string("\x80\x80\x80\x80\x08", 5)},
      {"6-byte length", Tag(20, 2) + std::string("\x80\x80\x80\x80\x80\x00", 6)},
      {"truncated fixed64", Tag(7, 1) + "\x01\x02\x03"},
      {"truncated fixed32", Tag(16, 5) + "\x01\x02"},
      {"kind of 2^32 + 3", Tag(6, 0) + Varint((uint64_t{1} << 32) + 3)},
      {"kind -1", Tag(6, 0) + Varint(~uint64_t{0})},
      {"dropped count past 32 bits", Tag(10, 0) + Varint((uint64_t{1} << 40) + 9)},
  };
  for (const auto& [what, extra] : cases) {
    ExpectSameOutcome(RequestBytes({span_prefix + extra}), what + " (in a span)");
    ExpectSameOutcome(extra, what + " (at the top)");
  }
}

TEST(OtlpProtoWire, Utf8_CheckedInStringFieldsOnly) {
  const std::vector<std::pair<std::string, std::string>> texts = {
      {"ascii", "plain"},
      {"2-byte", "\xc3\xa9"},
      {"3-byte", "\xe2\x82\xac"},
      {"4-byte", "\xf0\x9f\x98\x80"},
      {"max code point", "\xf4\x8f\xbf\xbf"},
      {"past U+10FFFF", "\xf4\x90\x80\x80"},
      {"overlong 2-byte", "\xc0\x80"},
      {"overlong 3-byte", "\xe0\x80\xaf"},
      {"overlong 4-byte", "\xf0\x80\x80\xaf"},
      {"surrogate", "\xed\xa0\x80"},
      {"lone continuation", "\x80"},
      {"truncated sequence", "abc\xe2\x82"},
      {"0xff", "\xff"},
      {"long ascii then bad", std::string(40, 'a') + "\xc3"},
  };
  for (const auto& [what, text] : texts) {
    const std::vector<std::pair<std::string, std::string>> places = {
        {"span name", RequestBytes({Len(1, kTraceId) + Len(2, kSpanId) + Len(5, text)})},
        {"attribute key", RequestBytes({SpanBytes(Len(9, Attribute(text, "")))})},
        {"string value", RequestBytes({SpanBytes(Len(9, Attribute("k", Len(1, text))))})},
        {"bytes value", RequestBytes({SpanBytes(Len(9, Attribute("k", Len(7, text))))})},
        {"trace_state", RequestBytes({SpanBytes(Len(3, text))})},
        {"status message", RequestBytes({SpanBytes(Len(15, Len(2, text)))})},
        {"event name", RequestBytes({SpanBytes(Len(11, Len(2, text)))})},
        {"link trace_state", RequestBytes({SpanBytes(Len(13, Len(3, text)))})},
        {"scope name", RequestBytes({SpanBytes("")}, "", Len(1, text))},
        {"scope version", RequestBytes({SpanBytes("")}, "", Len(2, text))},
        {"resource attribute", RequestBytes({SpanBytes("")}, Len(1, Attribute("k", Len(1, text))))},
        {"schema_url", Len(1, Len(3, text))},
        {"unknown field", RequestBytes({SpanBytes(Len(50, text))})},
    };
    for (const auto& [where, bytes] : places) ExpectSameOutcome(bytes, what + " in " + where);
  }
}

// Nested arrays, then nested unknown groups, around the library's limit of
// 100 levels.
TEST(OtlpProtoWire, Nesting_BoundedAtTheSameDepth) {
  for (int levels = 90; levels <= 105; ++levels) {
    std::string value = Len(1, "bottom");
    for (int i = 0; i < levels; ++i) value = Len(5, Len(1, value));
    ExpectSameOutcome(RequestBytes({SpanBytes(Len(9, Attribute("deep", value)))}),
                      std::to_string(levels) + " nested arrays");

    std::string group = Tag(1, 0) + Varint(1);
    for (int i = 0; i < levels; ++i) group = Tag(7, 3) + group + Tag(7, 4);
    ExpectSameOutcome(RequestBytes({SpanBytes(group)}),
                      std::to_string(levels) + " nested groups in a span");
    ExpectSameOutcome(group, std::to_string(levels) + " nested groups at the top");
  }
}

// Every truncation and many single-byte changes of two real requests.
TEST(OtlpProtoWire, TruncatedAndMutatedRequests_SameOutcome) {
  const std::string full = FullRequest().SerializeAsString();
  const std::string tracegen = bench::MakeTracegenRequest(7, bench::kDefaultRequestStartNs);
  for (size_t n = 0; n < full.size(); ++n) {
    ExpectSameOutcome(full.substr(0, n), "full request cut at " + std::to_string(n));
  }
  for (size_t n = 0; n < tracegen.size(); n += 97) {
    ExpectSameOutcome(tracegen.substr(0, n), "tracegen request cut at " + std::to_string(n));
  }
  for (size_t i = 0; i < full.size(); ++i) {
    const auto original = static_cast<uint8_t>(full[i]);
    for (uint8_t replacement :
         {uint8_t{0x00}, uint8_t{0xff}, static_cast<uint8_t>(original ^ 0x80),
          static_cast<uint8_t>(original + 1), static_cast<uint8_t>(original ^ 0x07)}) {
      std::string mutated = full;
      mutated[i] = static_cast<char>(replacement);
      ExpectSameOutcome(mutated, "full request, byte " + std::to_string(i) + " set to " +
                                     std::to_string(replacement));
    }
  }
}

TEST(OtlpProtoWire, ErrorMessage_SaysWhatAndWhere) {
  Status st;
  SpanBatch batch;
  st = DecodeOtlpProto(RequestBytes({SpanBytes(Tag(7, 1) + "\x01")}), &batch, nullptr);
  EXPECT_EQ(st.message().rfind("malformed OTLP protobuf: truncated fixed64 in Span at byte ", 0),
            0u)
      << st.message();
  st = DecodeOtlpProto(RequestBytes({SpanBytes(Len(5, "\xff"))}), &batch, nullptr);
  EXPECT_NE(st.message().find("not UTF-8 in Span"), std::string::npos) << st.message();
  std::string value = Len(1, "x");
  for (int i = 0; i < 120; ++i) value = Len(5, Len(1, value));
  st =
      DecodeOtlpProto(RequestBytes({SpanBytes(Len(9, Attribute("deep", value)))}), &batch, nullptr);
  EXPECT_NE(st.message().find("nesting deeper than 100 levels"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace spoor
