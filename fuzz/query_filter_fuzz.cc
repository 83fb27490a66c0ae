// The query language's parser (querylang/query_filter.h) on arbitrary text:
// it accepts or refuses with InvalidArgument naming a position; an
// accepted filter evaluates over a small trace, and the search it narrows
// to still finds a span of that trace whenever the filter matches it (the
// narrowing is a superset).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "fuzz/fuzz_check.h"
#include "model/string_table.h"
#include "querylang/query_filter.h"
#include "storage/span_match.h"

namespace {

// frontend GET /checkout (server, error) -> api POST /orders (client, an
// int, a double, a bool and a string attribute).
const spoor::Trace& SampleTrace() {
  static const spoor::Trace* trace = [] {
    auto* t = new spoor::Trace();
    t->trace_id = spoor::TraceId{1, 2};
    auto scope = std::make_shared<spoor::Scope>();
    const char* services[] = {"frontend", "api"};
    for (int i = 0; i < 2; ++i) {
      auto resource = std::make_shared<spoor::Resource>();
      resource->attributes.push_back(
          {spoor::Intern("service.name"), spoor::AnyValue::String(services[i])});
      resource->ResolveServiceName();
      spoor::SpanRecord r;
      r.resource = resource;
      r.scope = scope;
      r.span.trace_id = t->trace_id;
      r.span.span_id = spoor::SpanId{static_cast<uint64_t>(i + 1)};
      r.span.parent_span_id = spoor::SpanId{static_cast<uint64_t>(i)};
      r.span.name = spoor::Intern(i == 0 ? "GET /checkout" : "POST /orders");
      r.span.kind = i == 0 ? spoor::SpanKind::kServer : spoor::SpanKind::kClient;
      r.span.start_time_ns = 1'000'000'000 + static_cast<uint64_t>(i) * 1'000'000;
      r.span.end_time_ns = r.span.start_time_ns + 250'000'000;
      if (i == 0) r.span.status.code = spoor::SpanStatusCode::kError;
      if (i == 1) {
        r.span.attributes.push_back({spoor::Intern("code"), spoor::AnyValue::Int(503)});
        r.span.attributes.push_back({spoor::Intern("ratio"), spoor::AnyValue::Double(0.5)});
        r.span.attributes.push_back({spoor::Intern("ok"), spoor::AnyValue::Bool(true)});
        r.span.attributes.push_back({spoor::Intern("user"), spoor::AnyValue::String("u-1")});
      }
      t->spans.push_back(std::move(r));
    }
    return t;
  }();
  return *trace;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = spoor::fuzz::AsText(data, size);
  auto filter = spoor::QueryFilter::Parse(text);
  if (!filter.ok()) {
    SPOOR_FUZZ_CHECK(filter.status().code() == spoor::StatusCode::kInvalidArgument,
                     filter.status().message());
    SPOOR_FUZZ_CHECK(!filter.status().message().empty(), "an empty message");
    return 0;
  }
  const spoor::Trace& trace = SampleTrace();
  const bool matches = filter.value()->Matches(trace);
  SPOOR_FUZZ_CHECK(matches == filter.value()->Matches(trace), "Matches is not deterministic");
  spoor::TraceQuery query;
  query.limit = 0;
  filter.value()->NarrowSearch(&query);
  if (matches) {
    bool found = false;
    for (const spoor::SpanRecord& r : trace.spans) found = found || spoor::SpanMatches(r, query);
    SPOOR_FUZZ_CHECK(found && spoor::TraceMatches(trace, query),
                     "the narrowed search loses a matching trace");
  }
  return 0;
}
