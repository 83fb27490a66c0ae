#include "workload.h"

#include <random>
#include <vector>

namespace spoor::tracegen {
namespace {

namespace pb = opentelemetry::proto;

void PutBigEndian(uint64_t v, char* out) {
  for (int b = 0; b < 8; ++b) out[b] = static_cast<char>(v >> (56 - 8 * b));
}

// The names the generator picks from, made once: "operation-0".."operation-19",
// "attribute-key-0".."attribute-key-96", "value-0".."value-999".
struct Names {
  std::vector<std::string> operations, keys, values;
  Names() {
    for (int i = 0; i < 20; ++i) operations.push_back("operation-" + std::to_string(i));
    for (int i = 0; i < 97; ++i) keys.push_back("attribute-key-" + std::to_string(i));
    for (int i = 0; i < 1000; ++i) values.push_back("value-" + std::to_string(i));
  }
};

const Names& GetNames() {
  static const Names names;
  return names;
}

}  // namespace

void BuildTracegenRequest(uint64_t seed, uint64_t start_ns, int spans_per_trace,
                          int spans_per_request, ExportRequest* request, bool sampler_tags) {
  const Names& names = GetNames();
  std::mt19937_64 rng(seed);
  request->Clear();  // keeps the cleared messages and strings for reuse
  const char* services[kServices] = {"frontend", "orders", "payments"};
  pb::trace::v1::ScopeSpans* scopes[kServices];
  for (int s = 0; s < kServices; ++s) {
    auto* rs = request->add_resource_spans();
    auto* attr = rs->mutable_resource()->add_attributes();
    attr->set_key("service.name");
    attr->mutable_value()->set_string_value(services[s]);
    auto* host = rs->mutable_resource()->add_attributes();
    host->set_key("host.name");
    host->mutable_value()->set_string_value(std::string(services[s]) + "-1");
    auto* ss = rs->add_scope_spans();
    ss->mutable_scope()->set_name("tracegen");
    scopes[s] = ss;
  }
  char id[16];
  uint64_t trace_hi = 0;
  for (int i = 0; i < spans_per_request; ++i) {
    auto* span = scopes[i % kServices]->add_spans();
    if (i % spans_per_trace == 0) trace_hi = rng();  // a new trace
    const uint64_t trace_lo = static_cast<uint64_t>(i / kSpansPerTrace) + seed * 1000 + 1;
    PutBigEndian(trace_hi, id);
    PutBigEndian(trace_lo, id + 8);
    span->set_trace_id(id, 16);
    PutBigEndian(rng() | 1, id);
    span->set_span_id(id, 8);
    span->set_name(names.operations[rng() % 20]);
    span->set_kind(static_cast<pb::trace::v1::Span_SpanKind>(1 + rng() % 5));
    const uint64_t start = start_ns + static_cast<uint64_t>(i) * 1000;
    span->set_start_time_unix_nano(start);
    span->set_end_time_unix_nano(start + 500000);
    for (int a = 0; a < kAttributesPerSpan; ++a) {
      auto* kv = span->add_attributes();
      kv->set_key(names.keys[rng() % 97]);
      if (a % 3 == 0) {
        kv->mutable_value()->set_int_value(static_cast<int64_t>(rng() % 1000));
      } else {
        kv->mutable_value()->set_string_value(names.values[rng() % 1000]);
      }
    }
    if (sampler_tags && i % spans_per_trace == 0) {
      auto* type = span->add_attributes();
      type->set_key("sampler.type");
      type->mutable_value()->set_string_value("probabilistic");
      auto* param = span->add_attributes();
      param->set_key("sampler.param");
      param->mutable_value()->set_double_value(0.001);
    }
    if (i % 10 == 0) {
      auto* ev = span->add_events();
      ev->set_name("exception");
      ev->set_time_unix_nano(start + 100);
    }
  }
}

ExportRequest BuildTracegenRequest(uint64_t seed, uint64_t start_ns, int spans_per_trace,
                                   int spans_per_request) {
  ExportRequest request;
  BuildTracegenRequest(seed, start_ns, spans_per_trace, spans_per_request, &request);
  return request;
}

std::string MakeTracegenRequest(uint64_t seed, uint64_t start_ns, int spans_per_trace,
                                int spans_per_request) {
  return BuildTracegenRequest(seed, start_ns, spans_per_trace, spans_per_request)
      .SerializeAsString();
}

uint64_t RequestSeed(uint64_t run_seed, uint64_t request) {
  // SplitMix64's finalizer spreads nearby run seeds (1, 2, ...) far apart,
  // so consecutive requests of one run never meet those of another.
  uint64_t z = run_seed + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return (z ^ (z >> 31)) + request;
}

}  // namespace spoor::tracegen
