// FindFilteredTraces over every backend (tests/unit/storage/storage_backends.h):
// the traces a filter matches come back whole, whether the filter let the
// store read spans without their attributes or not.
#include "query/filtered_search.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/unit/storage/storage_backends.h"
#include "tests/unit/storage/storage_test_util.h"

namespace spoor {
namespace {

using storagetest::Add;
using storagetest::kMs;
using storagetest::Kv;
using storagetest::MakeResource;
using storagetest::MakeSpan;
using storagetest::Tid;

class FilteredSearch : public storagetest::BackendTest {
 protected:
  // Trace 1: a frontend server span over an api client span that has an
  // attribute and an event; trace 2: a lone frontend server span.
  void WriteTraces() {
    Span root = MakeSpan(Tid(1), 1, 0, "GET /", 0, 50 * kMs);
    root.kind = SpanKind::kServer;
    root.attributes.push_back(Kv("user", AnyValue::String("u1")));
    Span query = MakeSpan(Tid(1), 2, 1, "SELECT", 10 * kMs, 20 * kMs);
    query.kind = SpanKind::kClient;
    query.attributes.push_back(Kv("db", AnyValue::String("pg")));
    Event retry;
    retry.name = Intern("retry");
    retry.time_ns = query.start_time_ns + kMs;
    retry.attributes.push_back(Kv("attempt", AnyValue::Int(2)));
    query.events.push_back(retry);
    Span lone = MakeSpan(Tid(2), 1, 0, "GET /health", 100 * kMs, kMs);
    lone.kind = SpanKind::kServer;
    SpanBatch batch;
    Add(batch, MakeResource("frontend"), {root, lone});
    Add(batch, MakeResource("api"), {query});
    Write(batch);
  }

  std::vector<Trace> Find(const std::string& text) {
    auto filter = QueryFilter::Parse(text);
    EXPECT_TRUE(filter.ok()) << filter.status().message();
    if (!filter.ok()) return {};
    TraceQuery query;
    query.limit = 20;
    auto found = FindFilteredTraces(*store_, query, *filter.value());
    EXPECT_TRUE(found.ok()) << found.status().message();
    return found.ok() ? std::move(found).value() : std::vector<Trace>{};
  }

  // Checks that `traces` is trace 1 alone, every span with what it was
  // written with.
  static void ExpectTraceOneWhole(const std::vector<Trace>& traces) {
    ASSERT_EQ(traces.size(), 1u);
    ASSERT_EQ(traces[0].spans.size(), 2u);
    std::vector<SpanRecord> spans = traces[0].spans;
    std::sort(spans.begin(), spans.end(), [](const SpanRecord& a, const SpanRecord& b) {
      return a.span.span_id.value < b.span.span_id.value;
    });
    ASSERT_EQ(spans[0].span.attributes.size(), 1u);
    EXPECT_EQ(spans[0].span.attributes[0].value.string_value, "u1");
    ASSERT_EQ(spans[1].span.attributes.size(), 1u);
    EXPECT_EQ(spans[1].span.attributes[0].value.string_value, "pg");
    ASSERT_EQ(spans[1].span.events.size(), 1u);
    ASSERT_EQ(spans[1].span.events[0].attributes.size(), 1u);
    EXPECT_EQ(spans[1].span.events[0].attributes[0].value.int_value, 2);
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, FilteredSearch, ::testing::ValuesIn(storagetest::AllBackends()),
                         storagetest::BackendName);

TEST_P(FilteredSearch, MatchesComeWholeWhetherOrNotTheFilterReadsAttributes) {
  WriteTraces();
  auto check = [&] {
    // Reads no attribute: candidates may come without them.
    ExpectTraceOneWhole(Find(R"({ kind = server } > { kind = client })"));
    ExpectTraceOneWhole(Find(R"({ resource.service.name = "frontend" } >> { name = "SELECT" })"));
    // Reads one.
    ExpectTraceOneWhole(Find(R"({ span.db = "pg" })"));
    EXPECT_EQ(Find(R"({ kind = server } | count() = 1)").size(), 2u);
  };
  check();
  // The embedded store seals its blocks when closed: read from them.
  if (!opened_->Reopen()) return;
  store_ = opened_->store();
  SCOPED_TRACE("after a restart");
  check();
}

}  // namespace
}  // namespace spoor
