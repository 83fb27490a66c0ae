// A query handler over a memory store holding a few recent traces.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/time_format.h"
#include "query/query_api.h"
#include "query_test_util.h"
#include "storage/memory/memory_store.h"

namespace spoor::querytest {

inline constexpr TraceId kCart{0, 0x1};          // frontend "GET /cart" -> backend "SELECT"
inline constexpr TraceId kHome{0, 0x2};          // frontend "GET /home", status ERROR
inline constexpr TraceId kWide{0x1111, 0x2222};  // backend "batch-job", 128-bit ID
inline constexpr const char* kCartHex = "0000000000000001";
inline constexpr const char* kHomeHex = "0000000000000002";
inline constexpr const char* kWideHex = "00000000000011110000000000002222";

// Two services and three traces, all started within the last minute.
class QueryApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    now_ = NowNs();
    t0_ = now_ - 60 * kSecond;
    SpanBatch batch;
    Span cart = MakeSpan(kCart, 1, 0, "GET /cart", t0_, 300 * kMs);
    cart.attributes = {Kv("http.status_code", AnyValue::Int(200))};
    Span query = MakeSpan(kCart, 2, 1, "SELECT", t0_ + 10 * kMs, 50 * kMs, SpanKind::kClient);
    query.attributes = {Kv("db.system", AnyValue::String("postgres"))};
    Span home = MakeSpan(kHome, 1, 0, "GET /home", t0_ + 5 * kSecond, 20 * kMs);
    home.status = {SpanStatusCode::kError, "boom"};
    Add(batch, "frontend", {cart, home});
    Add(batch, "backend", {query});
    Add(batch, "backend", {MakeSpan(kWide, 7, 0, "batch-job", t0_ + 10 * kSecond, kSecond)});
    ASSERT_TRUE(store_->Write(batch).ok());
  }

  void Write(const SpanBatch& batch) { ASSERT_TRUE(store_->Write(batch).ok()); }

  HttpResponse Get(const std::string& target) { return Send(MakeRequest("GET", target)); }
  HttpResponse Send(const HttpRequest& request) {
    HttpHandler handler = NewQueryHandler(options_, *store_, *store_);
    return handler(request);
  }

  std::unique_ptr<Storage> store_ = NewMemoryStore(MemoryStoreOptions{});
  QueryApiOptions options_;
  uint64_t now_ = 0;
  uint64_t t0_ = 0;
};

inline const std::vector<std::string> kEnvelopeKeys = {"data", "total", "limit", "offset",
                                                       "errors"};

inline std::vector<std::string> TraceIds(simdjson::dom::element data) {
  std::vector<std::string> ids;
  for (auto t : Arr(data)) ids.push_back(Str(t["traceID"].value()));
  return ids;
}

// An /api error: the status, the envelope with null data and one error
// whose code is the status and whose message contains `msg_part`.
inline void ExpectErrorEnvelope(const HttpResponse& r, int status, std::string_view msg_part) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  Json json(r.body);
  EXPECT_EQ(Keys(json.root()), kEnvelopeKeys);
  EXPECT_TRUE(json["data"].is_null());
  ASSERT_EQ(Len(json["errors"]), 1u) << r.body;
  EXPECT_EQ(Int(json["errors"].at(0)["code"].value()), status);
  EXPECT_NE(Str(json["errors"].at(0)["msg"].value()).find(msg_part), std::string::npos) << r.body;
}

// An /api/v3 error: {"error": {"httpCode", "message"}}.
inline void ExpectV3Error(const HttpResponse& r, int status, std::string_view msg_part) {
  EXPECT_EQ(r.status, status) << r.body;
  Json json(r.body);
  EXPECT_EQ(Keys(json.root()), std::vector<std::string>{"error"});
  auto error = json["error"];
  EXPECT_EQ(Keys(error), (std::vector<std::string>{"httpCode", "message"}));
  EXPECT_EQ(Int(error["httpCode"].value()), status);
  EXPECT_NE(Str(error["message"].value()).find(msg_part), std::string::npos) << r.body;
}

}  // namespace spoor::querytest
