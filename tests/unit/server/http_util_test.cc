// Percent-decoding and query-string parsing.
#include "server/http_util.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/http.h"

namespace spoor {
namespace {

TEST(PercentDecode, DecodesEscapesInEitherCase) {
  EXPECT_EQ(PercentDecode("a%20b%2Fc%2fd", false), "a b/c/d");
  EXPECT_EQ(PercentDecode("%C2%B5s", false), "\xC2\xB5s");
  EXPECT_EQ(PercentDecode("%00x", false), std::string("\0x", 2));
}

TEST(PercentDecode, PlusIsASpaceOnlyWhenAsked) {
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("a%2Bb", true), "a+b");
}

TEST(PercentDecode, InvalidEscapesAreKeptVerbatim) {
  EXPECT_EQ(PercentDecode("100%", false), "100%");
  EXPECT_EQ(PercentDecode("%4", false), "%4");
  EXPECT_EQ(PercentDecode("%zz", false), "%zz");
  EXPECT_EQ(PercentDecode("%%41", false), "%A");
  EXPECT_EQ(PercentDecode("%g1", false), "%g1");
}

TEST(PercentDecode, EscapeAtTheVeryEndIsDecoded) {
  EXPECT_EQ(PercentDecode("ab%41", false), "abA");
  EXPECT_EQ(PercentDecode("%41", false), "A");
}

TEST(PercentDecode, EmptyStaysEmpty) {
  EXPECT_EQ(PercentDecode("", true), "");
}

TEST(QueryParams, GetReturnsTheFirstValue) {
  QueryParams p("a=1&b=2&a=3");
  EXPECT_EQ(p.Get("a"), "1");
  EXPECT_EQ(p.Get("b"), "2");
  EXPECT_EQ(p.Get("c"), std::nullopt);
}

TEST(QueryParams, RepeatedKeysKeepTheirOrder) {
  QueryParams p("tag=x:1&other=z&tag=y:2&tag=x:1");
  EXPECT_EQ(p.GetAll("tag"), (std::vector<std::string>{"x:1", "y:2", "x:1"}));
  EXPECT_EQ(p.Count("tag"), 3u);
  EXPECT_EQ(p.Count("other"), 1u);
  EXPECT_EQ(p.Count("none"), 0u);
  EXPECT_TRUE(p.GetAll("none").empty());
}

TEST(QueryParams, KeysAndValuesArePercentDecodedWithPlusAsSpace) {
  QueryParams p("my+key=hello+world&q%2Ex=%7B%22a%22%3A1%7D");
  EXPECT_EQ(p.Get("my key"), "hello world");
  EXPECT_EQ(p.Get("q.x"), R"({"a":1})");
}

TEST(QueryParams, ValueMayContainEqualsSigns) {
  QueryParams p("expr=a=b=c");
  EXPECT_EQ(p.Get("expr"), "a=b=c");
}

TEST(QueryParams, KeyWithoutValueIsPresentAndEmpty) {
  QueryParams p("flag&empty=&x=1");
  EXPECT_TRUE(p.Has("flag"));
  EXPECT_EQ(p.Get("flag"), "");
  EXPECT_TRUE(p.Has("empty"));
  EXPECT_EQ(p.Get("empty"), "");
  EXPECT_FALSE(p.Has("missing"));
}

TEST(QueryParams, EmptyPartsAreSkipped) {
  QueryParams p("&&a=1&&b=2&");
  EXPECT_EQ(p.Get("a"), "1");
  EXPECT_EQ(p.Get("b"), "2");
  EXPECT_EQ(p.Count(""), 0u);
}

TEST(QueryParams, KeysAreCaseSensitive) {
  QueryParams p("traceID=1");
  EXPECT_TRUE(p.Has("traceID"));
  EXPECT_FALSE(p.Has("traceid"));
}

TEST(QueryParams, EmptyQueryHasNothing) {
  QueryParams p("");
  EXPECT_FALSE(p.Has("a"));
  QueryParams d;
  EXPECT_FALSE(d.Has("a"));
}

TEST(HttpRequestHeader, FirstValueOfALowercaseName) {
  HttpRequest r;
  r.headers = {{"content-type", "application/json"}, {"x-a", "1"}, {"x-a", "2"}};
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_EQ(r.Header("x-a"), "1");
  EXPECT_EQ(r.Header("missing"), "");
}

TEST(HttpResponseFactories, SetStatusContentTypeAndBody) {
  HttpResponse json = HttpResponse::Json(202, "{}");
  EXPECT_EQ(json.status, 202);
  EXPECT_EQ(json.content_type, "application/json");
  EXPECT_EQ(json.body, "{}");
  HttpResponse text = HttpResponse::Text(404, "nope\n");
  EXPECT_EQ(text.status, 404);
  EXPECT_EQ(text.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(text.body, "nope\n");
}

}  // namespace
}  // namespace spoor
