// The synthetic workload of tracegen and of the benchmarks, shaped like the
// spans the OpenTelemetry tracegen tool sends: OTLP export requests of 100
// spans (by default) in traces of 10 over 3 services, 11 attributes per span
// drawn from 97 keys and 1000 values (one in three an int), an event on one
// span in ten. The spans of a request start 1 us apart from `start_ns`.
//
// Everything is a pure function of its arguments: the same seed gives the
// same bytes, on every machine.
#pragma once

#include <cstdint>
#include <string>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace spoor::tracegen {

inline constexpr int kSpansPerRequest = 100;
inline constexpr int kSpansPerTrace = 10;
inline constexpr int kAttributesPerSpan = 11;
inline constexpr int kServices = 3;
inline constexpr uint64_t kDefaultRequestStartNs = 1700000000000000000ULL;

using ExportRequest = opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;

// The request for `seed`: one ResourceSpans per service (service.name,
// host.name), one scope "tracegen" each, spans dealt to the services in
// turn. Trace IDs are unique across seeds below 2^54: the low half is
// seed * 1000 + the trace's index + 1 (modulo 2^64), the high half random
// (which is what keeps the large seeds of RequestSeed apart). A
// `spans_per_trace` other than 10 changes the trace shape (1: every span its
// own trace), for measuring what trace grouping is worth.
[[nodiscard]] ExportRequest BuildTracegenRequest(uint64_t seed,
                                                 uint64_t start_ns = kDefaultRequestStartNs,
                                                 int spans_per_trace = kSpansPerTrace,
                                                 int spans_per_request = kSpansPerRequest);

// The same request written into `*request`, reusing the memory it holds
// from an earlier request (what a sender does, to spend its time sending).
// With `sampler_tags`, the first span of each trace carries the tags a
// Jaeger client's probabilistic sampler puts on a root (sampler.type =
// "probabilistic", sampler.param = 0.001): what adaptive sampling counts.
void BuildTracegenRequest(uint64_t seed, uint64_t start_ns, int spans_per_trace,
                          int spans_per_request, ExportRequest* request, bool sampler_tags = false);

// BuildTracegenRequest, serialized.
[[nodiscard]] std::string MakeTracegenRequest(uint64_t seed,
                                              uint64_t start_ns = kDefaultRequestStartNs,
                                              int spans_per_trace = kSpansPerTrace,
                                              int spans_per_request = kSpansPerRequest);

// The seed of request number `request` of a run started with `run_seed`:
// every request of a run has its own seed, and runs with different seeds
// (almost surely) share none.
[[nodiscard]] uint64_t RequestSeed(uint64_t run_seed, uint64_t request);

}  // namespace spoor::tracegen
