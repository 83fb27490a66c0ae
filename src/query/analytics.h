// Trace analytics the Jaeger UI's hidden pages show, computed from stored
// traces: the deep dependency graph (paths through a focal service) and
// trace quality metrics. Pure functions of the traces given; the routes
// (query_api.cc) choose which traces to read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/span.h"

namespace spoor {

// One service and operation on a path.
struct PathStep {
  std::string service;
  std::string operation;
  bool operator==(const PathStep&) const = default;
};

struct DependencyPath {
  std::vector<PathStep> steps;         // from a root span to a leaf
  std::vector<std::string> trace_ids;  // traces that contain it (Jaeger hex), at most kMaxExemplars
};

inline constexpr size_t kMaxExemplars = 20;

// The distinct paths from each root span to each leaf span of `traces` that
// pass through `service` (and `operation`, when not empty). Along a path a
// span is kept when its service differs from the previous kept span's, or
// it is a server span (so calls inside one service do not lengthen paths).
// A span whose parent is not in its trace counts as a root. Paths are in
// order of first appearance.
[[nodiscard]] std::vector<DependencyPath> DeepDependencyPaths(const std::vector<Trace>& traces,
                                                              const std::string& service,
                                                              const std::string& operation);

// The Jaeger UI's TDdgPayload: {"dependencies": [{"path": [{"service",
// "operation"}], "attributes": [{"key": "exemplar_trace_id", "value"}]}]}.
void AppendDeepDependenciesJson(const std::vector<DependencyPath>& paths, std::string& out);

// Checks on the spans of one service, each counting passes and failures
// with a few example traces.
struct QualityCheck {
  std::string name;
  std::string category;  // the key of a score
  std::string description;
  std::string documentation;  // a page on how to pass it
  uint64_t pass = 0;
  uint64_t fail = 0;
  std::vector<std::string> pass_examples;  // trace IDs, at most kMaxExemplars / 4
  std::vector<std::string> fail_examples;
};

// An instrumentation library seen in the service's resources.
struct ClientVersion {
  std::string version;  // "opentelemetry/nodejs 1.2.3", "Jaeger-Go-2.30.0"
  uint64_t spans = 0;
  std::vector<std::string> examples;
};

struct QualityReport {
  std::vector<QualityCheck> checks;
  std::vector<ClientVersion> clients;
};

// Quality of `service`'s instrumentation as its traces show it:
//  - service name: spans of the traces carrying a service name;
//  - span kind: the service's spans with a kind;
//  - server span parent: the service's server spans whose parent is in
//    the trace (or that are roots), i.e. context was propagated to them;
//  - client span served: the service's client spans with a server (or
//    consumer) child in the trace, i.e. the callee is traced too;
//  - clock skew: the service's spans called from another service that
//    start and end within their parent, as a clock in sync would put them.
[[nodiscard]] QualityReport ComputeQualityMetrics(const std::vector<Trace>& traces,
                                                  const std::string& service);

// The Jaeger UI's TQualityMetrics JSON. Checks with nothing to count are
// left out, and categories without checks.
void AppendQualityMetricsJson(const QualityReport& report, const std::string& banner,
                              std::string& out);

}  // namespace spoor
