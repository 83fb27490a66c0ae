// DecodeBlockWithTags: the traces it returns must include every trace with
// a span that SpanHasTag() says carries all the tags (no search may miss a
// match), each returned trace must be complete, and for tags on string, int
// and bool attributes nothing else comes back.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "model/string_table.h"
#include "storage/embedded/block_codec.h"
#include "storage/span_match.h"
#include "tests/unit/embedded_codec/codec_test_util.h"

namespace spoor {
namespace {

using Tags = std::vector<std::pair<std::string, std::string>>;

std::set<TraceId> MatchingTraces(const std::vector<SpanRecord>& spans, const Tags& tags) {
  std::set<TraceId> out;
  for (const SpanRecord& r : spans) {
    bool all = true;
    for (const auto& [k, v] : tags) all = all && SpanHasTag(r, k, v);
    if (all) out.insert(r.span.trace_id);
  }
  return out;
}

std::map<TraceId, size_t> SpansPerTrace(const std::vector<SpanRecord>& spans) {
  std::map<TraceId, size_t> out;
  for (const SpanRecord& r : spans) ++out[r.span.trace_id];
  return out;
}

// Spans whose attributes come from small alphabets, so that tags repeat and
// combine: every value type, on spans, events, links, resources and scopes.
std::vector<SpanRecord> MixedSpans(uint64_t seed, int traces) {
  std::mt19937_64 rng(seed);
  auto pick = [&](uint64_t n) { return rng() % n; };
  auto value = [&](int type) {
    switch (type) {
      case 0: return AnyValue::String("v" + std::to_string(pick(6)));
      case 1: return AnyValue::Int(static_cast<int64_t>(pick(6)) - 2);
      case 2: return AnyValue::Bool(pick(2) == 0);
      case 3: return AnyValue::Double(0.5 * static_cast<double>(pick(4)));
      default: return AnyValue::Bytes(std::string(1, static_cast<char>('a' + pick(3))));
    }
  };
  auto attrs = [&](size_t n) {
    Attributes out;
    for (size_t i = 0; i < n; ++i) {
      const int type = static_cast<int>(pick(5));
      out.push_back({Intern("k" + std::to_string(pick(5))), value(type)});
    }
    return out;
  };
  std::vector<std::shared_ptr<const Resource>> resources;
  for (int i = 0; i < 3; ++i) {
    auto r = std::make_shared<Resource>();
    r->attributes.push_back({Intern("service.name"), AnyValue::String("svc" + std::to_string(i))});
    r->attributes.push_back({Intern("k4"), AnyValue::String("r" + std::to_string(i))});
    r->ResolveServiceName();
    resources.push_back(r);
  }
  std::vector<std::shared_ptr<const Scope>> scopes;
  for (int i = 0; i < 2; ++i) {
    auto s = std::make_shared<Scope>();
    s->name = Intern("scope" + std::to_string(i));
    s->attributes.push_back({Intern("k3"), AnyValue::String("s" + std::to_string(i))});
    scopes.push_back(s);
  }
  std::vector<SpanRecord> out;
  for (int t = 0; t < traces; ++t) {
    const TraceId trace{seed, static_cast<uint64_t>(t) + 1};
    const size_t n = 1 + pick(4);
    for (size_t i = 0; i < n; ++i) {
      SpanRecord r;
      r.resource = resources[pick(resources.size())];
      r.scope = scopes[pick(scopes.size())];
      Span& s = r.span;
      s.trace_id = trace;
      s.span_id = SpanId{rng() | 1};
      s.name = Intern("op" + std::to_string(pick(3)));
      s.kind = static_cast<SpanKind>(pick(6));
      s.start_time_ns = 1'700'000'000'000'000'000ULL + static_cast<uint64_t>(t) * 1000 + i;
      s.end_time_ns = s.start_time_ns + 10;
      if (pick(4) == 0) s.status.code = SpanStatusCode::kError;
      s.attributes = attrs(pick(4));
      if (pick(3) == 0) {
        Event e;
        e.name = Intern("event");
        e.time_ns = s.start_time_ns;
        e.attributes = attrs(1 + pick(2));
        s.events.push_back(std::move(e));
      }
      if (pick(5) == 0) {
        Link l;
        l.trace_id = trace;
        l.span_id = SpanId{rng() | 1};
        l.attributes = attrs(1);
        s.links.push_back(std::move(l));
      }
      out.push_back(std::move(r));
    }
  }
  return out;
}

// Checks DecodeBlockWithTags(tags) against SpanHasTag on the original spans.
// `exact`: the tags are on string, int or bool values only, so no trace
// beyond the matching ones may come back.
void Check(const std::vector<SpanRecord>& spans, const std::string& block, const Tags& tags,
           bool exact) {
  std::string what;
  for (const auto& [k, v] : tags) what += k + "=" + v + " ";
  SCOPED_TRACE(what);
  std::vector<SpanRecord> got;
  ASSERT_TRUE(DecodeBlockWithTags(block, tags, &got).ok());
  const std::set<TraceId> want = MatchingTraces(spans, tags);
  const std::map<TraceId, size_t> got_traces = SpansPerTrace(got);
  const std::map<TraceId, size_t> all_traces = SpansPerTrace(spans);
  for (const TraceId& id : want) EXPECT_TRUE(got_traces.count(id)) << "missed " << id.Hex32();
  for (const auto& [id, n] : got_traces) EXPECT_EQ(n, all_traces.at(id)) << "incomplete trace";
  if (exact) {
    EXPECT_EQ(got_traces.size(), want.size());
  }
}

TEST(DecodeBlockWithTags, NeverMissesAMatchAndReturnsWholeTraces) {
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    const std::vector<SpanRecord> spans = MixedSpans(seed, 400);
    const std::string block = EncodeBlock(spans, {.zstd_level = 1, .group_spans = 128});
    for (int k = 0; k < 6; ++k) {
      const std::string key = "k" + std::to_string(k);
      for (const char* v : {"v0", "v3", "-2", "0", "3", "true", "false", "1", "0.5", "1.5",
                            "YQ==", "a", "r1", "s0", "nope", ""}) {
        Check(spans, block, {{key, v}}, false);
      }
    }
    Check(spans, block, {{"k0", "v1"}, {"k1", "2"}}, false);
    Check(spans, block, {{"k2", "true"}, {"k4", "r0"}}, false);
  }
}

TEST(DecodeBlockWithTags, ExactForStringIntAndBoolValues) {
  // One value type per key: k0 strings, k1 ints, k2 bools.
  std::vector<SpanRecord> spans = testing::TracegenSpans(5);
  std::mt19937_64 rng(9);
  for (SpanRecord& r : spans) {
    r.span.attributes = {
        {Intern("k0"), AnyValue::String("v" + std::to_string(rng() % 50))},
        {Intern("k1"), AnyValue::Int(static_cast<int64_t>(rng() % 50))},
        {Intern("k2"), AnyValue::Bool(rng() % 7 == 0)},
    };
  }
  const std::string block = EncodeBlock(spans, {.zstd_level = 1, .group_spans = 64});
  for (const Tags& tags : std::vector<Tags>{{{"k0", "v7"}},
                                            {{"k1", "7"}},
                                            {{"k2", "true"}},
                                            {{"k0", "v7"}, {"k2", "true"}},
                                            {{"k1", "07"}},
                                            {{"k1", "+7"}},
                                            {{"k0", "v999"}},
                                            {{"k2", "TRUE"}}}) {
    Check(spans, block, tags, true);
  }
}

TEST(DecodeBlockWithTags, AnUnknownKeyGivesNothing) {
  const std::vector<SpanRecord> spans = testing::TracegenSpans(2);
  std::vector<SpanRecord> got;
  ASSERT_TRUE(DecodeBlockWithTags(EncodeBlock(spans), {{"no-such-key", "x"}}, &got).ok());
  EXPECT_TRUE(got.empty());
}

TEST(DecodeBlockWithTags, DerivedTagsAreLeftToTheCaller) {
  // span.kind, error, ... are not attributes: the filter keeps every trace
  // for them (the search matches the decoded spans).
  const std::vector<SpanRecord> spans = MixedSpans(4, 50);
  const std::string block = EncodeBlock(spans);
  for (const char* key : {"span.kind", "error", "otel.status_code", "otel.status_description",
                          "otel.scope.name", "otel.scope.version", "w3c.tracestate"}) {
    EXPECT_TRUE(IsDerivedTagKey(key)) << key;
    std::vector<SpanRecord> got;
    ASSERT_TRUE(DecodeBlockWithTags(block, {{key, "x"}}, &got).ok());
    EXPECT_EQ(got.size(), spans.size()) << key;
  }
  EXPECT_FALSE(IsDerivedTagKey("k0"));
  Check(spans, block, {{"error", "true"}, {"k0", "v1"}}, false);
}

TEST(DecodeBlockWithTags, NoTagsIsAFullDecode) {
  const std::vector<SpanRecord> spans = MixedSpans(5, 30);
  std::vector<SpanRecord> got;
  ASSERT_TRUE(DecodeBlockWithTags(EncodeBlock(spans), {}, &got).ok());
  testing::ExpectSameSpans(spans, got);
}

}  // namespace
}  // namespace spoor
