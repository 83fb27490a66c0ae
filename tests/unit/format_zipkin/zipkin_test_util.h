// Helpers shared by the Zipkin decoder tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "model/span.h"

namespace spoor::zipkin_test {

// Two batches hold the same resources, scopes and spans, in the same order.
inline void ExpectSameBatch(const SpanBatch& got, const SpanBatch& want) {
  ASSERT_EQ(got.resource_spans.size(), want.resource_spans.size());
  for (size_t i = 0; i < got.resource_spans.size(); ++i) {
    const ResourceSpans& g = got.resource_spans[i];
    const ResourceSpans& w = want.resource_spans[i];
    EXPECT_EQ(*g.resource, *w.resource) << "resource " << i;
    EXPECT_EQ(g.resource->service_name, w.resource->service_name) << "resource " << i;
    ASSERT_EQ(g.scope_spans.size(), w.scope_spans.size()) << "resource " << i;
    for (size_t j = 0; j < g.scope_spans.size(); ++j) {
      EXPECT_EQ(*g.scope_spans[j].scope, *w.scope_spans[j].scope) << i << "/" << j;
      EXPECT_EQ(g.scope_spans[j].spans, w.scope_spans[j].spans) << i << "/" << j;
    }
  }
}

// Every span of the batch, in order, with its service name.
struct FlatSpan {
  std::string service;
  Span span;
};
inline std::vector<FlatSpan> Flatten(const SpanBatch& batch) {
  std::vector<FlatSpan> out;
  for (const ResourceSpans& rs : batch.resource_spans) {
    for (const ScopeSpans& ss : rs.scope_spans) {
      for (const Span& s : ss.spans) out.push_back({std::string(rs.resource->service_name), s});
    }
  }
  return out;
}

inline std::string StringAttr(const Attributes& attrs, std::string_view key) {
  const AnyValue* v = FindAttribute(attrs, key);
  if (v == nullptr) return "<absent>";
  EXPECT_EQ(v->type, ValueType::kString) << key;
  return v->string_value;
}

}  // namespace spoor::zipkin_test
