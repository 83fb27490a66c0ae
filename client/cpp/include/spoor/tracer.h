// Spoor's tracer for C++: an opentracing::Tracer (OpenTracing C++ 1.6) that
// reports spans to Spoor or any Jaeger-compatible backend.
//
//   spoor::TracerOptions options;
//   options.service_name = "checkout";
//   auto tracer = spoor::MakeTracer(std::move(options));
//   auto span = tracer->StartSpan("GET /cart");
//
// C++17; the public headers need only OpenTracing's.
#pragma once

#include <opentracing/tracer.h>

#include <memory>
#include <string>
#include <vector>

#include "spoor/reporter.h"
#include "spoor/sampler.h"
#include "spoor/span_data.h"

namespace spoor {

// Context propagation formats, for inject (all configured) and extract (the
// first found, in this order).
enum class PropagationFormat {
  kJaeger,  // uber-trace-id, uberctx-<key> baggage
  kW3C,     // traceparent, tracestate, baggage
  kB3,      // X-B3-TraceId, X-B3-SpanId, X-B3-ParentSpanId, X-B3-Sampled, X-B3-Flags; b3
};

struct TracerOptions {
  std::string service_name;
  // Process tags added to hostname, ip and jaeger.version.
  std::vector<Tag> tags;
  // Null: every trace is sampled.
  std::shared_ptr<Sampler> sampler;
  // Null: spans are dropped once finished.
  std::shared_ptr<Reporter> reporter;
  std::vector<PropagationFormat> propagation = {PropagationFormat::kJaeger,
                                                PropagationFormat::kW3C};
  // Inject B3 as a single `b3` header instead of the X-B3-* headers.
  bool b3_single_header = false;
  // Jaeger's header and baggage prefix, renamed as Jaeger clients allow.
  std::string jaeger_header = "uber-trace-id";
  std::string jaeger_baggage_prefix = "uberctx-";
  // Jaeger's two request headers for people rather than tracers (read, never
  // written): a debug ID that forces a new, sampled and debug trace tagged
  // with it, and baggage as `k1=v1, k2=v2`. Matched in any case.
  std::string jaeger_debug_header = "jaeger-debug-id";
  std::string jaeger_baggage_header = "jaeger-baggage";
  bool trace_id_128bit = true;
};

// The version reported as the jaeger.version process tag.
inline constexpr const char* kClientVersion = "Spoor-C++-0.1.0";

[[nodiscard]] std::shared_ptr<opentracing::Tracer> MakeTracer(TracerOptions options);

}  // namespace spoor
