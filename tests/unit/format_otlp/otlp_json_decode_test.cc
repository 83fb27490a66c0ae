#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <regex>
#include <string>

#include "formats/otlp/otlp_decode.h"
#include "otlp_test_util.h"

namespace spoor {
namespace {

using testing::FullBatch;

// testing::FullBatch() in OTLP/JSON: 64-bit integers as strings, enums as
// integers, as the OpenTelemetry SDKs send it.
constexpr std::string_view kFullJson = R"({
  "resourceSpans": [{
    "resource": {
      "attributes": [
        {"key": "service.name", "value": {"stringValue": "checkout"}},
        {"key": "host.id", "value": {"intValue": "42"}}
      ],
      "droppedAttributesCount": 3
    },
    "schemaUrl": "https://opentelemetry.io/schemas/1.21.0",
    "scopeSpans": [{
      "scope": {
        "name": "io.spoor.test", "version": "1.2.3",
        "attributes": [{"key": "scope.attr", "value": {"boolValue": true}}],
        "droppedAttributesCount": 1
      },
      "schemaUrl": "https://example.com/scope-schema",
      "spans": [{
        "traceId": "0102030405060708090A0B0C0D0E0F10",
        "spanId": "1112131415161718",
        "parentSpanId": "2122232425262728",
        "traceState": "vendor=abc,other=x",
        "flags": 769,
        "name": "GET /cart",
        "kind": 2,
        "startTimeUnixNano": "1700000000123456789",
        "endTimeUnixNano": "1700000000223456789",
        "attributes": [
          {"key": "http.method", "value": {"stringValue": "GET"}},
          {"key": "cache.hit", "value": {"boolValue": true}},
          {"key": "http.status_code", "value": {"intValue": "200"}},
          {"key": "big.negative", "value": {"intValue": "-9223372036854775808"}},
          {"key": "ratio", "value": {"doubleValue": 0.25}},
          {"key": "payload", "value": {"bytesValue": "AAH+/w=="}},
          {"key": "tags", "value": {"arrayValue": {"values": [
            {"stringValue": "a"},
            {"intValue": "1"},
            {"arrayValue": {"values": [
              {"boolValue": false},
              {"kvlistValue": {"values": [{"key": "x", "value": {"doubleValue": 1.5}}]}}
            ]}}
          ]}}},
          {"key": "map", "value": {"kvlistValue": {"values": [
            {"key": "inner", "value": {"kvlistValue": {"values": [
              {"key": "deep", "value": {"stringValue": "v"}}
            ]}}},
            {"key": "nothing", "value": {}}
          ]}}},
          {"key": "empty.array", "value": {"arrayValue": {}}},
          {"key": "nothing"}
        ],
        "droppedAttributesCount": 4,
        "events": [
          {
            "timeUnixNano": "1700000000150000000",
            "name": "exception",
            "attributes": [{"key": "exception.message", "value": {"stringValue": "boom"}}],
            "droppedAttributesCount": 2
          },
          {}
        ],
        "droppedEventsCount": 5,
        "links": [{
          "traceId": "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
          "spanId": "b0b1b2b3b4b5b6b7",
          "traceState": "k=v",
          "attributes": [{"key": "link.kind", "value": {"stringValue": "follows"}}],
          "droppedAttributesCount": 6,
          "flags": 1
        }],
        "droppedLinksCount": 7,
        "status": {"code": 2, "message": "it broke"}
      }, {
        "traceId": "0102030405060708090a0b0c0d0e0f10",
        "spanId": "3132333435363738",
        "name": "minimal",
        "startTimeUnixNano": "1",
        "endTimeUnixNano": "2"
      }]
    }]
  }]
})";

// Rewrites every object key from lowerCamelCase to the proto field name.
std::string ToSnakeCase(std::string_view json) {
  std::string out;
  std::regex key(R"re("([A-Za-z]+)"\s*:)re");
  std::string s(json);
  auto begin = std::sregex_iterator(s.begin(), s.end(), key);
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    out.append(s, last, static_cast<size_t>(it->position(1)) - last);
    for (char c : it->str(1)) {
      if (c >= 'A' && c <= 'Z') {
        out.push_back('_');
        out.push_back(static_cast<char>(c - 'A' + 'a'));
      } else {
        out.push_back(c);
      }
    }
    last = static_cast<size_t>(it->position(1) + it->length(1));
  }
  out.append(s, last);
  return out;
}

// Wraps one span object into a whole request.
std::string WithSpans(std::string_view spans) {
  return R"({"resourceSpans":[{"resource":{},"scopeSpans":[{"scope":{},"spans":[)" +
         std::string(spans) + "]}]}]}";
}

constexpr std::string_view kIds =
    R"("traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"1112131415161718")";

// A span with valid IDs and the given extra fields.
std::string SpanWith(std::string_view fields) {
  std::string span = "{" + std::string(kIds);
  if (!fields.empty()) span.append(",").append(fields);
  return span + "}";
}

// Decodes a request that must succeed and hold exactly one span.
Span DecodeOne(const std::string& json) {
  SpanBatch batch;
  DecodeStats stats;
  Status st = DecodeOtlpJson(json, &batch, &stats);
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(batch.SpanCount(), 1u) << json;
  EXPECT_EQ(stats.rejected_spans, 0u) << stats.rejection_reason;
  if (batch.SpanCount() != 1) return {};
  return batch.resource_spans[0].scope_spans[0].spans[0];
}

AnyValue DecodeValue(std::string_view value_json) {
  Span span = DecodeOne(
      WithSpans(SpanWith(R"("attributes":[{"key":"k","value":)" + std::string(value_json) + "}]")));
  if (span.attributes.size() != 1) return {};
  return span.attributes[0].value;
}

// The error message of a request that must fail.
std::string DecodeError(const std::string& json) {
  SpanBatch batch;
  DecodeStats stats;
  Status st = DecodeOtlpJson(json, &batch, &stats);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << json;
  EXPECT_TRUE(batch.resource_spans.empty());
  EXPECT_EQ(stats.rejected_spans, 0u);
  return st.message();
}

TEST(OtlpJsonDecode, FullSpan_EveryFieldMapped) {
  SpanBatch batch;
  DecodeStats stats;
  Status st = DecodeOtlpJson(kFullJson, &batch, &stats);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(stats.rejected_spans, 0u);
  testing::ExpectBatchEq(batch, FullBatch());
  EXPECT_EQ(batch.resource_spans[0].resource->service_name, "checkout");
}

TEST(OtlpJsonDecode, SnakeCaseFieldNames_SameResult) {
  const std::string snake = ToSnakeCase(kFullJson);
  ASSERT_NE(snake.find("\"resource_spans\""), std::string::npos);
  ASSERT_NE(snake.find("\"parent_span_id\""), std::string::npos);
  ASSERT_NE(snake.find("\"kvlist_value\""), std::string::npos);
  ASSERT_EQ(snake.find("\"spanId\""), std::string::npos);
  SpanBatch batch;
  Status st = DecodeOtlpJson(snake, &batch, nullptr);
  ASSERT_TRUE(st.ok()) << st.message();
  testing::ExpectBatchEq(batch, FullBatch());
}

TEST(OtlpJsonDecode, TracesDataHasTheSameShape) {
  // TracesData and ExportTraceServiceRequest share field 1, resource_spans.
  SpanBatch batch;
  ASSERT_TRUE(DecodeOtlpJson(WithSpans(SpanWith("")), &batch, nullptr).ok());
  EXPECT_EQ(batch.SpanCount(), 1u);
}

TEST(OtlpJsonDecode, IntegersAsStringsOrNumbers) {
  Span as_numbers = DecodeOne(WithSpans(
      SpanWith(R"("startTimeUnixNano":18446744073709551615,"endTimeUnixNano":1700000000223456789,)"
               R"("flags":"257","droppedAttributesCount":"4","droppedEventsCount":5,)"
               R"("droppedLinksCount":"6","events":[{"timeUnixNano":1.5e9}])")));
  EXPECT_EQ(as_numbers.start_time_ns, std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(as_numbers.end_time_ns, 1700000000223456789ULL);
  EXPECT_EQ(as_numbers.flags, 257u);
  EXPECT_EQ(as_numbers.dropped_attributes_count, 4u);
  EXPECT_EQ(as_numbers.dropped_events_count, 5u);
  EXPECT_EQ(as_numbers.dropped_links_count, 6u);
  ASSERT_EQ(as_numbers.events.size(), 1u);
  EXPECT_EQ(as_numbers.events[0].time_ns, 1500000000u);

  EXPECT_EQ(DecodeValue(R"({"intValue":-5})"), AnyValue::Int(-5));
  EXPECT_EQ(DecodeValue(R"({"intValue":"-5"})"), AnyValue::Int(-5));
  EXPECT_EQ(DecodeValue(R"({"intValue":9223372036854775807})"),
            AnyValue::Int(std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(DecodeValue(R"({"intValue":"-9223372036854775808"})"),
            AnyValue::Int(std::numeric_limits<int64_t>::min()));
}

TEST(OtlpJsonDecode, EnumsAsNamesOrNumbers) {
  const char* kinds[] = {"SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER",
                         "SPAN_KIND_CLIENT",      "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"};
  for (int k = 0; k <= 5; ++k) {
    std::string by_name = std::string(R"("kind":")") + kinds[k] + "\"";
    EXPECT_EQ(static_cast<int>(DecodeOne(WithSpans(SpanWith(by_name))).kind), k);
    std::string by_number = R"("kind":)" + std::to_string(k);
    EXPECT_EQ(static_cast<int>(DecodeOne(WithSpans(SpanWith(by_number))).kind), k);
  }
  EXPECT_EQ(DecodeOne(WithSpans(SpanWith(R"("kind":"3")"))).kind, SpanKind::kClient);
  EXPECT_EQ(DecodeOne(WithSpans(SpanWith(R"("status":{"code":"STATUS_CODE_ERROR"})"))).status.code,
            SpanStatusCode::kError);
  EXPECT_EQ(DecodeOne(WithSpans(SpanWith(R"("status":{"code":"STATUS_CODE_OK"})"))).status.code,
            SpanStatusCode::kOk);
  EXPECT_EQ(DecodeOne(WithSpans(SpanWith(R"("status":{"code":1})"))).status.code,
            SpanStatusCode::kOk);
  // Numbers this version does not know are kept as "unspecified", as
  // protobuf's open enums allow.
  EXPECT_EQ(DecodeOne(WithSpans(SpanWith(R"("kind":42)"))).kind, SpanKind::kUnspecified);
  EXPECT_EQ(DecodeOne(WithSpans(SpanWith(R"("status":{"code":9})"))).status.code,
            SpanStatusCode::kUnset);
}

TEST(OtlpJsonDecode, DoubleValues) {
  EXPECT_EQ(DecodeValue(R"({"doubleValue":3})"), AnyValue::Double(3));
  EXPECT_EQ(DecodeValue(R"({"doubleValue":-2.5e-3})"), AnyValue::Double(-2.5e-3));
  EXPECT_EQ(DecodeValue(R"({"doubleValue":"1.25"})"), AnyValue::Double(1.25));
  EXPECT_EQ(DecodeValue(R"({"doubleValue":"Infinity"})"),
            AnyValue::Double(std::numeric_limits<double>::infinity()));
  EXPECT_EQ(DecodeValue(R"({"doubleValue":"-Infinity"})"),
            AnyValue::Double(-std::numeric_limits<double>::infinity()));
  AnyValue nan = DecodeValue(R"({"doubleValue":"NaN"})");
  EXPECT_EQ(nan.type, ValueType::kDouble);
  EXPECT_TRUE(std::isnan(nan.double_value));
}

TEST(OtlpJsonDecode, BytesValueIsBase64) {
  EXPECT_EQ(DecodeValue(R"({"bytesValue":"aGVsbG8="})"), AnyValue::Bytes("hello"));
  EXPECT_EQ(DecodeValue(R"({"bytesValue":"aGVsbG8"})"), AnyValue::Bytes("hello"));
  EXPECT_EQ(DecodeValue(R"({"bytesValue":""})"), AnyValue::Bytes(""));
  EXPECT_EQ(DecodeValue(R"({"bytes_value":"-_8="})"), AnyValue::Bytes("\xfb\xff"));
}

TEST(OtlpJsonDecode, IdsCaseInsensitiveHex) {
  Span span = DecodeOne(WithSpans(R"({"traceId":"ABCDEF0123456789abcdef0123456789",)"
                                  R"("spanId":"AbCdEf0123456789","parentSpanId":""})"));
  EXPECT_EQ(span.trace_id.Hex32(), "abcdef0123456789abcdef0123456789");
  EXPECT_EQ(span.span_id.Hex(), "abcdef0123456789");
  EXPECT_FALSE(span.parent_span_id.valid());
}

TEST(OtlpJsonDecode, InvalidIds_RejectedAndCounted_ValidSpansKept) {
  const std::string t = R"("traceId":"0102030405060708090a0b0c0d0e0f10")";
  const std::string s = R"("spanId":"1112131415161718")";
  const std::string spans[] = {
      "{" + s + "}",                                                  // 0: no trace ID
      "{" + t + "," + s + "}",                                        // 1: valid
      R"({"traceId":"0102030405060708090a0b0c0d0e0f",)" + s + "}",    // 2: short
      R"({"traceId":"0102030405060708090a0b0c0d0e0fxx",)" + s + "}",  // 3: not hex
      R"({"traceId":"00000000000000000000000000000000",)" + s + "}",  // 4: zero
      "{" + t + R"(,"spanId":"11121314151617"})",                     // 5: short
      "{" + t + R"(,"spanId":"111213141516171g"})",                   // 6: not hex
      "{" + t + R"(,"spanId":"0000000000000000"})",                   // 7: zero
      "{" + t + "," + s + R"(,"parentSpanId":"1234"})",               // 8: short parent
      "{" + t + "," + s + R"(,"parentSpanId":"zz12131415161718"})",   // 9: bad parent
      "{" + t + "," + s + R"(,"parentSpanId":"0000000000000001"})",   // 10: valid
  };
  std::string all;
  for (const std::string& span : spans) all += (all.empty() ? "" : ",") + span;
  SpanBatch batch;
  DecodeStats stats;
  Status st = DecodeOtlpJson(WithSpans(all), &batch, &stats);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(stats.rejected_spans, 9u);
  EXPECT_EQ(stats.rejection_reason, "span 0: trace_id must be 32 hex characters, got 0");
  ASSERT_EQ(batch.SpanCount(), 2u);
  EXPECT_FALSE(batch.resource_spans[0].scope_spans[0].spans[0].parent_span_id.valid());
  EXPECT_EQ(batch.resource_spans[0].scope_spans[0].spans[1].parent_span_id.value, 1u);
}

TEST(OtlpJsonDecode, RejectionReasons) {
  auto reason = [](const std::string& span) {
    SpanBatch batch;
    DecodeStats stats;
    EXPECT_TRUE(DecodeOtlpJson(WithSpans(span), &batch, &stats).ok());
    EXPECT_EQ(stats.rejected_spans, 1u);
    return stats.rejection_reason;
  };
  EXPECT_EQ(reason(R"({"traceId":"0102030405060708090a0b0c0d0e0fxx"})"),
            "span 0: trace_id is not hex");
  EXPECT_EQ(reason(R"({"traceId":"00000000000000000000000000000000"})"),
            "span 0: trace_id is all zeros");
  EXPECT_EQ(reason(R"({"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"12"})"),
            "span 0: span_id must be 16 hex characters, got 2");
  EXPECT_EQ(reason(SpanWith(R"("parent_span_id":"123")")),
            "span 0: parent_span_id must be 16 hex characters or empty, got 3");
}

TEST(OtlpJsonDecode, LinksWithImpossibleIdsDroppedAndCounted) {
  Span span = DecodeOne(WithSpans(
      SpanWith(R"("droppedLinksCount":2,"links":[{"traceState":"no context"},)"
               R"({"traceId":"0102","spanId":"1112131415161718"},)"
               R"({"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"nothex!!nothex!!"}])")));
  ASSERT_EQ(span.links.size(), 1u);
  EXPECT_EQ(span.links[0].trace_state, "no context");
  EXPECT_EQ(span.dropped_links_count, 4u);
}

TEST(OtlpJsonDecode, NullFieldsAreDefaults_UnknownFieldsIgnored) {
  Span span = DecodeOne(WithSpans(
      SpanWith(R"("parentSpanId":null,"name":null,"attributes":null,"status":null,)"
               R"("futureField":{"nested":[1,2,{"x":null}]},"kind":2,"alsoUnknown":"x")")));
  EXPECT_FALSE(span.parent_span_id.valid());
  EXPECT_EQ(span.name, "");
  EXPECT_EQ(span.kind, SpanKind::kServer);
  EXPECT_TRUE(span.attributes.empty());
}

TEST(OtlpJsonDecode, EmptyRequests_EmptyBatch) {
  for (const char* json :
       {"{}", R"({"resourceSpans":[]})", R"({"resourceSpans":null})", R"({"resourceSpans":[{}]})",
        R"({"resourceSpans":[{"scopeSpans":[{}]}]})", " \n{\"somethingElse\": 1} "}) {
    SpanBatch batch;
    DecodeStats stats;
    Status st = DecodeOtlpJson(json, &batch, &stats);
    EXPECT_TRUE(st.ok()) << json << ": " << st.message();
    EXPECT_TRUE(batch.resource_spans.empty()) << json;
    EXPECT_EQ(stats.rejected_spans, 0u);
  }
}

TEST(OtlpJsonDecode, MalformedJson_InvalidArgument) {
  for (const char* json : {"", "{", "[", "not json", R"({"resourceSpans":[}]})",
                           R"({"resourceSpans":[]} trailing)", "{\"a\":\"\xff\"}"}) {
    std::string message = DecodeError(json);
    EXPECT_EQ(message.rfind("malformed OTLP JSON: ", 0), 0u) << message;
  }
}

TEST(OtlpJsonDecode, WrongTypes_MessageSaysWhere) {
  const std::string spans =
      SpanWith("") + "," + SpanWith("") + "," + SpanWith(R"("startTimeUnixNano":true)");
  EXPECT_EQ(DecodeError(WithSpans(spans)),
            "malformed OTLP JSON: resourceSpans[0].scopeSpans[0].spans[2].startTimeUnixNano: "
            "expected integer");
  EXPECT_EQ(DecodeError("[]"), "malformed OTLP JSON: expected object");
  EXPECT_EQ(DecodeError(R"({"resourceSpans":{}})"),
            "malformed OTLP JSON: resourceSpans: expected array");
  EXPECT_EQ(DecodeError(R"({"resource_spans":[{"resource":{"attributes":[{"key":1}]}}]})"),
            "malformed OTLP JSON: resource_spans[0].resource.attributes[0].key: expected string");
  EXPECT_EQ(DecodeError(WithSpans(SpanWith(R"("name":5)"))),
            "malformed OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].name: expected string");
  EXPECT_EQ(DecodeError(WithSpans(SpanWith(R"("traceId":16)"))),
            "malformed OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].traceId: "
            "expected string");
  EXPECT_EQ(DecodeError(WithSpans(SpanWith(R"("kind":"SPAN_KIND_WEIRD")"))),
            "malformed OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].kind: "
            "unknown enum value \"SPAN_KIND_WEIRD\"");
  EXPECT_EQ(DecodeError(WithSpans(SpanWith(R"("flags":4294967296)"))),
            "malformed OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].flags: "
            "integer out of range");
  EXPECT_EQ(DecodeError(WithSpans(SpanWith(R"("events":[{"timeUnixNano":-1}])"))),
            "malformed OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].events[0]."
            "timeUnixNano: integer out of range");
  EXPECT_EQ(DecodeError(WithSpans(SpanWith(R"("endTimeUnixNano":"12ab")"))),
            "malformed OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].endTimeUnixNano: "
            "expected integer");
  EXPECT_EQ(DecodeError(WithSpans(SpanWith(R"("startTimeUnixNano":1.5)"))),
            "malformed OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano: "
            "expected integer");
  EXPECT_EQ(
      DecodeError(WithSpans(SpanWith(R"("links":[{"attributes":[{"key":"k","value":)"
                                     R"({"arrayValue":{"values":[{"boolValue":"true"}]}}}]}])"))),
      "malformed OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].links[0].attributes[0]."
      "value.arrayValue.values[0].boolValue: expected boolean");
  EXPECT_EQ(DecodeError(WithSpans(SpanWith(R"("attributes":[{"key":"k","value":)"
                                           R"({"bytesValue":"not base64!"}}])"))),
            "malformed OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].attributes[0]."
            "value.bytesValue: invalid base64");
  EXPECT_EQ(DecodeError(WithSpans(SpanWith(R"("attributes":[{"key":"k","value":)"
                                           R"({"doubleValue":"lots"}}])"))),
            "malformed OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].attributes[0]."
            "value.doubleValue: expected number");
  EXPECT_EQ(DecodeError(WithSpans(SpanWith(R"("status":{"message":false})"))),
            "malformed OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].status.message: "
            "expected string");
  EXPECT_EQ(DecodeError(R"({"resourceSpans":[{"scopeSpans":[{"scope":[]}]}]})"),
            "malformed OTLP JSON: resourceSpans[0].scopeSpans[0].scope: expected object");
}

TEST(OtlpJsonDecode, MalformedSpanAfterRejectedOne_FailsWholeRequest) {
  // A rejected span is not an excuse to keep what came before a type error.
  SpanBatch batch;
  DecodeStats stats;
  Status st =
      DecodeOtlpJson(WithSpans(R"({"traceId":""},)" + SpanWith(R"("name":[])")), &batch, &stats);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(batch.resource_spans.empty());
  EXPECT_EQ(stats.rejected_spans, 0u);
}

// A value nested `levels` arrayValues deep around a string.
std::string NestedArray(int levels) {
  std::string json;
  for (int i = 0; i < levels; ++i) json += R"({"arrayValue":{"values":[)";
  json += R"({"stringValue":"bottom"})";
  for (int i = 0; i < levels; ++i) json += "]}}";
  return json;
}

TEST(OtlpJsonDecode, DeepNesting_LimitedNotCrashing) {
  AnyValue v = DecodeValue(NestedArray(64));
  int depth = 0;
  const AnyValue* cur = &v;
  while (cur->type == ValueType::kArray && cur->array.size() == 1) {
    cur = &cur->array[0];
    ++depth;
  }
  EXPECT_EQ(depth, 64);
  EXPECT_EQ(*cur, AnyValue::String("bottom"));

  std::string message = DecodeError(
      WithSpans(SpanWith(R"("attributes":[{"key":"k","value":)" + NestedArray(65) + "}]")));
  EXPECT_NE(message.find("values nested deeper than 64 levels"), std::string::npos) << message;

  std::string kvlist;
  for (int i = 0; i < 100; ++i) kvlist += R"({"kvlistValue":{"values":[{"key":"k","value":)";
  kvlist += "{}";
  for (int i = 0; i < 100; ++i) kvlist += "}]}}";
  message =
      DecodeError(WithSpans(SpanWith(R"("attributes":[{"key":"k","value":)" + kvlist + "}]")));
  EXPECT_NE(message.find("values nested deeper than 64 levels"), std::string::npos) << message;

  // Raw JSON nesting far beyond any limit is refused by the parser itself.
  std::string hostile =
      R"({"resourceSpans":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_EQ(DecodeError(hostile).rfind("malformed OTLP JSON: ", 0), 0u);
}

TEST(OtlpJsonDecode, InputWithoutPadding) {
  // The view ends exactly where the JSON ends, mid-buffer: nothing past it
  // may be read as part of the document.
  std::string buffer = WithSpans(SpanWith(R"("name":"op")")) + "GARBAGE";
  std::string_view json(buffer.data(), buffer.size() - 7);
  SpanBatch batch;
  ASSERT_TRUE(DecodeOtlpJson(json, &batch, nullptr).ok());
  EXPECT_EQ(batch.SpanCount(), 1u);
}

TEST(OtlpJsonDecode, AppendsToBatchAndStats) {
  SpanBatch batch = FullBatch();
  DecodeStats stats;
  stats.rejected_spans = 1;
  stats.rejection_reason = "earlier";
  ASSERT_TRUE(DecodeOtlpJson(WithSpans(SpanWith("") + R"(,{"traceId":""})"), &batch, &stats).ok());
  EXPECT_EQ(batch.resource_spans.size(), 2u);
  EXPECT_EQ(batch.SpanCount(), 3u);
  EXPECT_EQ(stats.rejected_spans, 2u);
  EXPECT_EQ(stats.rejection_reason, "earlier");
}

}  // namespace
}  // namespace spoor
