#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "model/span.h"

namespace spoor {
namespace {

TEST(BatchOfRecords, GroupsConsecutiveSpansOfOneResourceAndScope) {
  auto shop = std::make_shared<Resource>();
  auto db = std::make_shared<Resource>();
  auto scope = std::make_shared<Scope>();
  auto other_scope = std::make_shared<Scope>();
  auto record = [](std::shared_ptr<const Resource> r, std::shared_ptr<const Scope> s, uint64_t id) {
    SpanRecord rec;
    rec.resource = std::move(r);
    rec.scope = std::move(s);
    rec.span.span_id = SpanId{id};
    return rec;
  };
  std::vector<SpanRecord> records = {record(shop, scope, 1), record(shop, scope, 2),
                                     record(shop, other_scope, 3), record(db, scope, 4),
                                     record(shop, scope, 5)};
  SpanBatch batch = BatchOfRecords(records.data(), records.data() + records.size());
  ASSERT_EQ(batch.resource_spans.size(), 3u);  // shop, db, shop again
  EXPECT_EQ(batch.resource_spans[0].resource, shop);
  ASSERT_EQ(batch.resource_spans[0].scope_spans.size(), 2u);
  EXPECT_EQ(batch.resource_spans[0].scope_spans[0].spans.size(), 2u);
  EXPECT_EQ(batch.resource_spans[0].scope_spans[1].scope, other_scope);
  EXPECT_EQ(batch.resource_spans[1].resource, db);
  EXPECT_EQ(batch.resource_spans[2].scope_spans[0].spans[0].span_id, SpanId{5});
  EXPECT_EQ(batch.SpanCount(), 5u);
  EXPECT_EQ(BatchOfRecords(records.data(), records.data()).SpanCount(), 0u);
}

}  // namespace
}  // namespace spoor
