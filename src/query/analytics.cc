#include "query/analytics.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "common/json_writer.h"

namespace spoor {
namespace {

// A trace's spans as a tree: children by parent index, roots.
struct SpanTree {
  std::vector<std::vector<size_t>> children;
  std::vector<size_t> roots;
  std::vector<long> parent;  // -1 for a root

  explicit SpanTree(const Trace& trace) {
    size_t n = trace.spans.size();
    children.resize(n);
    parent.assign(n, -1);
    std::unordered_map<uint64_t, size_t> by_id;
    by_id.reserve(n);
    for (size_t i = 0; i < n; ++i) by_id.emplace(trace.spans[i].span.span_id.value, i);
    for (size_t i = 0; i < n; ++i) {
      const Span& s = trace.spans[i].span;
      auto it = s.parent_span_id.valid() ? by_id.find(s.parent_span_id.value) : by_id.end();
      if (it == by_id.end() || it->second == i) {
        roots.push_back(i);
      } else {
        parent[i] = static_cast<long>(it->second);
        children[it->second].push_back(i);
      }
    }
  }
};

std::string_view ServiceOf(const SpanRecord& r) {
  return r.resource->service_name;
}

void AddExample(std::vector<std::string>& examples, const std::string& id, size_t max) {
  if (examples.size() < max && std::find(examples.begin(), examples.end(), id) == examples.end()) {
    examples.push_back(id);
  }
}

std::string ClientOf(const Resource& resource) {
  auto text = [&](std::string_view key) -> std::string {
    const AnyValue* v = FindAttribute(resource.attributes, key);
    return v == nullptr ? "" : v->ToString();
  };
  std::string version = text("telemetry.sdk.version");
  if (!version.empty()) {
    std::string name = text("telemetry.sdk.name");
    std::string language = text("telemetry.sdk.language");
    std::string out = name.empty() ? "unknown" : name;
    if (!language.empty()) out += "/" + language;
    return out + " " + version;
  }
  // Jaeger clients: "Go-2.30.0", "Node-3.19.0".
  std::string jaeger = text("jaeger.version");
  if (!jaeger.empty()) return "Jaeger-" + jaeger;
  return "";
}

}  // namespace

std::vector<DependencyPath> DeepDependencyPaths(const std::vector<Trace>& traces,
                                                const std::string& service,
                                                const std::string& operation) {
  std::vector<DependencyPath> paths;
  std::map<std::string, size_t> index;  // path key -> position in paths
  for (const Trace& trace : traces) {
    SpanTree tree(trace);
    std::string trace_id = trace.trace_id.HexJaeger();
    // Depth-first over root-to-leaf chains, keeping the collapsed path.
    std::vector<size_t> chain;
    auto visit_leaf = [&] {
      std::vector<PathStep> steps;
      std::string_view last_service;
      bool focal = false;
      for (size_t i : chain) {
        const SpanRecord& r = trace.spans[i];
        std::string_view svc = ServiceOf(r);
        if (!steps.empty() && svc == last_service && r.span.kind != SpanKind::kServer) continue;
        steps.push_back({std::string(svc), std::string(r.span.name)});
        last_service = svc;
        if (svc == service && (operation.empty() || r.span.name == operation)) focal = true;
      }
      if (!focal) return;
      std::string key;
      for (const PathStep& s : steps) {
        key += s.service;
        key += '\0';
        key += s.operation;
        key += '\0';
      }
      auto [it, inserted] = index.try_emplace(key, paths.size());
      if (inserted) paths.push_back({std::move(steps), {}});
      AddExample(paths[it->second].trace_ids, trace_id, kMaxExemplars);
    };
    // Iterative walk: (span, next child to visit).
    for (size_t root : tree.roots) {
      std::vector<std::pair<size_t, size_t>> stack = {{root, 0}};
      chain = {root};
      while (!stack.empty()) {
        auto& [span, next] = stack.back();
        if (tree.children[span].empty()) {
          visit_leaf();
        }
        if (next < tree.children[span].size()) {
          size_t child = tree.children[span][next++];
          stack.emplace_back(child, 0);
          chain.push_back(child);
          continue;
        }
        stack.pop_back();
        chain.pop_back();
      }
    }
  }
  return paths;
}

void AppendDeepDependenciesJson(const std::vector<DependencyPath>& paths, std::string& out) {
  JsonWriter w(out);
  w.BeginObject().Key("dependencies").BeginArray();
  for (const DependencyPath& p : paths) {
    w.BeginObject().Key("path").BeginArray();
    for (const PathStep& s : p.steps) {
      w.BeginObject().Field("service", s.service).Field("operation", s.operation).EndObject();
    }
    w.EndArray().Key("attributes").BeginArray();
    for (const std::string& id : p.trace_ids) {
      w.BeginObject().Field("key", "exemplar_trace_id").Field("value", id).EndObject();
    }
    w.EndArray().EndObject();
  }
  w.EndArray().EndObject();
}

QualityReport ComputeQualityMetrics(const std::vector<Trace>& traces, const std::string& service) {
  constexpr size_t kExamples = 5;
  QualityCheck named{"Spans name their service", "completeness",
                     "Spans of the traces that carry a service name (resource attribute "
                     "service.name)",
                     "https://opentelemetry.io/docs/specs/semconv/resource/#service"};
  QualityCheck kind{"Spans have a kind", "completeness",
                    "Spans of the service with a span kind (server, client, producer, consumer "
                    "or internal)",
                    "https://opentelemetry.io/docs/specs/otel/trace/api/#spankind"};
  QualityCheck parent{"Server spans find their parent", "propagation",
                      "Server spans of the service that are roots or whose parent span is in "
                      "the trace: the caller propagated its context",
                      "https://opentelemetry.io/docs/concepts/context-propagation/"};
  QualityCheck served{"Client spans reach a traced server", "propagation",
                      "Client spans of the service with a server or consumer span below them: "
                      "the callee is traced and received the context",
                      "https://opentelemetry.io/docs/concepts/context-propagation/"};
  QualityCheck skew{"Clocks agree with the caller", "accuracy",
                    "Spans of the service called from another service that start and end "
                    "within their parent span, as synchronised clocks put them",
                    "https://opentelemetry.io/docs/concepts/signals/traces/#spans"};
  std::map<std::string, ClientVersion> clients;
  auto count = [&](QualityCheck& c, bool ok, const std::string& id) {
    (ok ? c.pass : c.fail) += 1;
    AddExample(ok ? c.pass_examples : c.fail_examples, id, kExamples);
  };
  for (const Trace& trace : traces) {
    SpanTree tree(trace);
    std::string id = trace.trace_id.HexJaeger();
    for (size_t i = 0; i < trace.spans.size(); ++i) {
      const SpanRecord& r = trace.spans[i];
      count(named, ServiceOf(r) != kNoServiceName, id);
      if (ServiceOf(r) != service) continue;
      const Span& s = r.span;
      count(kind, s.kind != SpanKind::kUnspecified, id);
      if (s.kind == SpanKind::kServer) {
        count(parent, !s.parent_span_id.valid() || tree.parent[i] >= 0, id);
      }
      if (s.kind == SpanKind::kClient || s.kind == SpanKind::kProducer) {
        bool reached = false;
        for (size_t c : tree.children[i]) {
          SpanKind k = trace.spans[c].span.kind;
          reached |= k == SpanKind::kServer || k == SpanKind::kConsumer;
        }
        if (s.kind == SpanKind::kClient) count(served, reached, id);
      }
      if (tree.parent[i] >= 0) {
        const SpanRecord& p = trace.spans[static_cast<size_t>(tree.parent[i])];
        if (ServiceOf(p) != ServiceOf(r)) {
          bool within =
              s.start_time_ns >= p.span.start_time_ns && s.end_time_ns <= p.span.end_time_ns;
          count(skew, within, id);
        }
      }
      std::string client = ClientOf(*r.resource);
      if (!client.empty()) {
        ClientVersion& v = clients[client];
        v.version = client;
        ++v.spans;
        AddExample(v.examples, id, kExamples);
      }
    }
  }
  QualityReport report;
  report.checks = {std::move(named), std::move(kind), std::move(parent), std::move(served),
                   std::move(skew)};
  for (auto& [name, v] : clients) report.clients.push_back(std::move(v));
  return report;
}

void AppendQualityMetricsJson(const QualityReport& report, const std::string& banner,
                              std::string& out) {
  JsonWriter w(out);
  w.BeginObject().Field("traceQualityDocumentationLink", "");
  if (!banner.empty()) w.Field("bannerText", banner);
  // One score per category: the share of checks passed, 0..100.
  // A check with nothing to count (a service nobody calls has no caller to
  // agree with) is left out, and so is a category left without checks: a
  // score or a percentage of nothing means nothing.
  std::vector<const QualityCheck*> checks;
  for (const QualityCheck& c : report.checks) {
    if (c.pass + c.fail > 0) checks.push_back(&c);
  }
  std::vector<std::pair<std::string, std::pair<uint64_t, uint64_t>>> categories;
  for (const QualityCheck* check : checks) {
    const QualityCheck& c = *check;
    auto it = std::find_if(categories.begin(), categories.end(),
                           [&](const auto& e) { return e.first == c.category; });
    if (it == categories.end()) {
      categories.push_back({c.category, {0, 0}});
      it = categories.end() - 1;
    }
    it->second.first += c.pass;
    it->second.second += c.pass + c.fail;
  }
  w.Key("scores").BeginArray();
  for (const auto& [key, counts] : categories) {
    std::string label = key;
    if (!label.empty()) label[0] = static_cast<char>(label[0] - 'a' + 'A');
    double value = 100.0 * static_cast<double>(counts.first) / static_cast<double>(counts.second);
    w.BeginObject().Field("key", key).Field("label", label).FieldInt("max", 100);
    w.Key("value").Double(static_cast<double>(static_cast<int64_t>(value * 10 + 0.5)) / 10);
    w.EndObject();
  }
  w.EndArray().Key("metrics").BeginArray();
  auto examples = [&](const char* key, const std::vector<std::string>& ids) {
    w.Key(key).BeginArray();
    for (const std::string& id : ids) w.BeginObject().Field("traceID", id).EndObject();
    w.EndArray();
  };
  for (const QualityCheck* check : checks) {
    const QualityCheck& c = *check;
    w.BeginObject()
        .Field("name", c.name)
        .Field("category", c.category)
        .Field("description", c.description)
        .Field("metricDocumentationLink", c.documentation)
        .FieldInt("metricWeight", 1)
        .FieldUint("passCount", c.pass)
        .FieldUint("failureCount", c.fail);
    examples("passExamples", c.pass_examples);
    examples("failureExamples", c.fail_examples);
    w.EndObject();
  }
  w.EndArray().Key("clients").BeginArray();
  for (const ClientVersion& v : report.clients) {
    w.BeginObject().Field("version", v.version).Field("minVersion", "").FieldUint("count", v.spans);
    examples("examples", v.examples);
    w.EndObject();
  }
  w.EndArray().EndObject();
}

}  // namespace spoor
