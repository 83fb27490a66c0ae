// The Jaeger KV form of every attribute value type.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "common/json_writer.h"
#include "formats/jaeger_json/jaeger_json.h"

namespace spoor {
namespace {

std::string Tag(std::string_view key, const AnyValue& value) {
  std::string out;
  JsonWriter w(out);
  AppendJaegerTag(key, value, w);
  return out;
}

constexpr int64_t kMaxSafe = (int64_t{1} << 53) - 1;

TEST(JaegerTag, StringIsWrittenAsString) {
  EXPECT_EQ(Tag("http.method", AnyValue::String("GET")),
            R"({"key":"http.method","type":"string","value":"GET"})");
}

TEST(JaegerTag, StringValueIsEscaped) {
  EXPECT_EQ(Tag("msg", AnyValue::String("a \"quoted\"\nline")),
            R"({"key":"msg","type":"string","value":"a \"quoted\"\nline"})");
}

TEST(JaegerTag, BoolIsJsonBool) {
  EXPECT_EQ(Tag("ok", AnyValue::Bool(true)), R"({"key":"ok","type":"bool","value":true})");
  EXPECT_EQ(Tag("ok", AnyValue::Bool(false)), R"({"key":"ok","type":"bool","value":false})");
}

TEST(JaegerTag, Int64WithinSafeRangeIsJsonNumber) {
  EXPECT_EQ(Tag("n", AnyValue::Int(42)), R"({"key":"n","type":"int64","value":42})");
  EXPECT_EQ(Tag("n", AnyValue::Int(-7)), R"({"key":"n","type":"int64","value":-7})");
  EXPECT_EQ(Tag("n", AnyValue::Int(kMaxSafe)),
            R"({"key":"n","type":"int64","value":9007199254740991})");
  EXPECT_EQ(Tag("n", AnyValue::Int(-kMaxSafe)),
            R"({"key":"n","type":"int64","value":-9007199254740991})");
}

TEST(JaegerTag, Int64BeyondSafeRangeIsJsonString) {
  EXPECT_EQ(Tag("n", AnyValue::Int(kMaxSafe + 1)),
            R"({"key":"n","type":"int64","value":"9007199254740992"})");
  EXPECT_EQ(Tag("n", AnyValue::Int(-kMaxSafe - 1)),
            R"({"key":"n","type":"int64","value":"-9007199254740992"})");
  EXPECT_EQ(Tag("n", AnyValue::Int(std::numeric_limits<int64_t>::max())),
            R"({"key":"n","type":"int64","value":"9223372036854775807"})");
  EXPECT_EQ(Tag("n", AnyValue::Int(std::numeric_limits<int64_t>::min())),
            R"({"key":"n","type":"int64","value":"-9223372036854775808"})");
}

TEST(JaegerTag, Float64IsJsonNumber) {
  EXPECT_EQ(Tag("load", AnyValue::Double(72.5)), R"({"key":"load","type":"float64","value":72.5})");
  EXPECT_EQ(Tag("load", AnyValue::Double(3)), R"({"key":"load","type":"float64","value":3})");
  EXPECT_EQ(Tag("load", AnyValue::Double(-0.125)),
            R"({"key":"load","type":"float64","value":-0.125})");
}

TEST(JaegerTag, Float64NanIsWrittenAsStringToStayValidJson) {
  EXPECT_EQ(Tag("x", AnyValue::Double(std::nan(""))),
            R"({"key":"x","type":"float64","value":"NaN"})");
}

TEST(JaegerTag, BinaryIsBase64) {
  EXPECT_EQ(Tag("raw", AnyValue::Bytes(std::string("\x01\x02\x03", 3))),
            R"({"key":"raw","type":"binary","value":"AQID"})");
  EXPECT_EQ(Tag("raw", AnyValue::Bytes("hi")), R"({"key":"raw","type":"binary","value":"aGk="})");
  EXPECT_EQ(Tag("raw", AnyValue::Bytes("")), R"({"key":"raw","type":"binary","value":""})");
}

TEST(JaegerTag, ArrayIsStringHoldingItsJson) {
  AnyValue array;
  array.type = ValueType::kArray;
  array.array = {AnyValue::Int(1), AnyValue::String("a"), AnyValue::Bool(true)};
  EXPECT_EQ(array.ToString(), R"([1,"a",true])");
  EXPECT_EQ(Tag("list", array), R"({"key":"list","type":"string","value":"[1,\"a\",true]"})");
}

TEST(JaegerTag, MapIsStringHoldingItsJson) {
  AnyValue map;
  map.type = ValueType::kKvList;
  map.kvlist = {{"k", AnyValue::String("v")}, {"n", AnyValue::Int(2)}};
  EXPECT_EQ(Tag("map", map), R"({"key":"map","type":"string","value":"{\"k\":\"v\",\"n\":2}"})");
}

TEST(JaegerTag, EmptyValueIsEmptyString) {
  EXPECT_EQ(Tag("nothing", AnyValue{}), R"({"key":"nothing","type":"string","value":""})");
}

}  // namespace
}  // namespace spoor
