// The streaming JSON writer: structure, numbers and string escaping.
#include "common/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace spoor {
namespace {

std::string Escaped(std::string_view s) {
  std::string out;
  JsonWriter::AppendEscaped(s, out);
  return out;
}

TEST(JsonWriter, WritesNestedStructuresWithCommas) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject()
      .Field("a", "x")
      .FieldInt("b", -1)
      .Key("c")
      .BeginArray()
      .Int(1)
      .BeginObject()
      .EndObject()
      .BeginArray()
      .EndArray()
      .Null()
      .EndArray()
      .FieldBool("d", false)
      .FieldUint("e", 18446744073709551615ULL)
      .Key("f")
      .Raw(R"({"pre":1})")
      .EndObject();
  EXPECT_EQ(
      out,
      R"({"a":"x","b":-1,"c":[1,{},[],null],"d":false,"e":18446744073709551615,"f":{"pre":1}})");
}

TEST(JsonWriter, AppendsToExistingText) {
  std::string out = "prefix:";
  JsonWriter w(out);
  w.BeginArray().Bool(true).String("s").EndArray();
  EXPECT_EQ(out, R"(prefix:[true,"s"])");
}

TEST(JsonWriter, TopLevelScalar) {
  std::string out;
  JsonWriter(out).Int(std::numeric_limits<int64_t>::min());
  EXPECT_EQ(out, "-9223372036854775808");
}

TEST(JsonWriter, DoublesUseTheShortestRoundTripForm) {
  std::string out;
  JsonWriter w(out);
  w.BeginArray().Double(72.5).Double(0.1).Double(3).Double(-1e-7).Double(1e300).EndArray();
  EXPECT_EQ(out, "[72.5,0.1,3,-1e-07,1e+300]");
}

TEST(JsonWriter, NanAndInfinityAreStrings) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject()
      .Key("nan")
      .Double(std::nan(""))
      .Key("inf")
      .Double(std::numeric_limits<double>::infinity())
      .Key("ninf")
      .Double(-std::numeric_limits<double>::infinity())
      .EndObject();
  EXPECT_EQ(out, R"({"nan":"NaN","inf":"Infinity","ninf":"-Infinity"})");
}

TEST(JsonEscape, QuotesAndBackslashes) {
  EXPECT_EQ(Escaped(R"(say "hi" \ bye)"), R"("say \"hi\" \\ bye")");
}

TEST(JsonEscape, ShortFormsForCommonControlCharacters) {
  EXPECT_EQ(Escaped("\n\r\t\b\f"), R"("\n\r\t\b\f")");
}

TEST(JsonEscape, OtherControlCharactersAsUnicodeEscapes) {
  EXPECT_EQ(Escaped(std::string("\x00\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
  EXPECT_EQ(Escaped("\x7f"), "\"\x7f\"");  // DEL needs no escape in JSON
}

TEST(JsonEscape, HtmlSensitiveCharactersAreEscaped) {
  EXPECT_EQ(Escaped("</script><b>&amp;"), R"("\u003c/script\u003e\u003cb\u003e\u0026amp;")");
}

TEST(JsonEscape, ValidUtf8PassesThrough) {
  // 2-, 3- and 4-byte sequences: é, €, U+1F600.
  std::string text = "\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80";
  EXPECT_EQ(Escaped(text), "\"" + text + "\"");
  EXPECT_EQ(Escaped("\xF4\x8F\xBF\xBF"), "\"\xF4\x8F\xBF\xBF\"");  // U+10FFFF
}

TEST(JsonEscape, InvalidUtf8BytesBecomeReplacementCharacters) {
  const std::string kFffd = "\xEF\xBF\xBD";
  EXPECT_EQ(Escaped("a\xFFz"), "\"a" + kFffd + "z\"");                      // never valid
  EXPECT_EQ(Escaped("\x80"), "\"" + kFffd + "\"");                          // lone continuation
  EXPECT_EQ(Escaped("\xC3"), "\"" + kFffd + "\"");                          // truncated at the end
  EXPECT_EQ(Escaped("\xC3x"), "\"" + kFffd + "x\"");                        // bad continuation
  EXPECT_EQ(Escaped("\xC0\xAF"), "\"" + kFffd + kFffd + "\"");              // overlong '/'
  EXPECT_EQ(Escaped("\xED\xA0\x80"), "\"" + kFffd + kFffd + kFffd + "\"");  // surrogate
  EXPECT_EQ(Escaped("\xF4\x90\x80\x80"),
            "\"" + kFffd + kFffd + kFffd + kFffd + "\"");  // > U+10FFFF
}

TEST(JsonEscape, KeysAreEscapedLikeValues) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Field("k\"<", "v\n").EndObject();
  EXPECT_EQ(out, R"({"k\"\u003c":"v\n"})");
}

}  // namespace
}  // namespace spoor
