#include "formats/zipkin/zipkin_model.h"

#include <arpa/inet.h>

#include <cstring>
#include <memory>
#include <optional>
#include <tuple>
#include <utility>

#include "model/string_table.h"

namespace spoor::zipkin {
namespace {

// Adds an attribute derived from an endpoint unless a tag already set it.
void AddDerived(Attributes* attrs, std::string_view key, AnyValue value) {
  if (FindAttribute(*attrs, key) == nullptr) attrs->push_back({Intern(key), std::move(value)});
}

// Removes the attribute `key` and returns its string value, if there is one.
std::optional<std::string> TakeTag(Attributes* attrs, std::string_view key) {
  for (auto it = attrs->begin(); it != attrs->end(); ++it) {
    if (it->key == key) {
      std::string value = std::move(it->value.string_value);
      attrs->erase(it);
      return value;
    }
  }
  return std::nullopt;
}

struct ScopeNames {
  std::string_view name;     // interned
  std::string_view version;  // interned
};

// Status, scope and remote-endpoint attributes from the tags and endpoints.
ScopeNames ApplyConventions(ZipkinSpanView* s) {
  Span& span = s->span;
  Attributes& attrs = span.attributes;
  // Status: otel.status_code when it names a code, else the error tag.
  std::optional<std::string> error = TakeTag(&attrs, "error");
  std::optional<std::string> description = TakeTag(&attrs, "otel.status_description");
  const AnyValue* code = FindAttribute(attrs, "otel.status_code");
  const std::string_view code_name = code != nullptr ? code->string_value : std::string_view();
  if (code_name == "ERROR" || code_name == "OK" || code_name == "UNSET") {
    span.status.code = code_name == "ERROR" ? SpanStatusCode::kError
                       : code_name == "OK"  ? SpanStatusCode::kOk
                                            : SpanStatusCode::kUnset;
    (void)TakeTag(&attrs, "otel.status_code");
  } else if (error) {
    span.status.code = SpanStatusCode::kError;
  }
  if (span.status.code == SpanStatusCode::kError) {
    if (description && !description->empty()) {
      span.status.message = std::move(*description);
    } else if (error && !error->empty() && *error != "true") {
      span.status.message = std::move(*error);
    }
  } else if (description) {
    // Not an error: the description has nowhere else to go.
    attrs.push_back({Intern("otel.status_description"), AnyValue::String(*description)});
  }

  // Scope: otel.scope.* (otel.library.* from older exporters).
  ScopeNames scope;
  for (auto [name, legacy, field] :
       {std::tuple{"otel.scope.name", "otel.library.name", &scope.name},
        std::tuple{"otel.scope.version", "otel.library.version", &scope.version}}) {
    std::optional<std::string> v = TakeTag(&attrs, name);
    if (!v) v = TakeTag(&attrs, legacy);
    if (v) *field = Intern(*v);
  }

  // The remote endpoint, unless tags say the same already.
  const ZipkinEndpoint& remote = s->remote;
  if (!remote.service_name.empty()) {
    AddDerived(&attrs, "peer.service", AnyValue::String(remote.service_name));
  }
  if (!remote.ip().empty()) AddDerived(&attrs, "net.peer.ip", AnyValue::String(remote.ip()));
  if (remote.port != 0) AddDerived(&attrs, "net.peer.port", AnyValue::Int(remote.port));
  return scope;
}

// Why a hex ID is unusable, or an empty string if it is fine.
std::string CheckHexId(std::string_view field, std::string_view hex, size_t max_len,
                       bool allow_zero) {
  if (hex.empty()) return std::string(field) + " is missing";
  if (hex.size() > max_len) {
    return std::string(field) + " must be at most " + std::to_string(max_len) +
           " hex characters, got " + std::to_string(hex.size());
  }
  for (char c : hex) {
    bool is_hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!is_hex) return std::string(field) + " is not hex";
  }
  if (!allow_zero && hex.find_first_not_of('0') == std::string_view::npos) {
    return std::string(field) + " is all zeros";
  }
  return {};
}

}  // namespace

std::string ParseSpanIds(std::string_view trace_hex, std::string_view span_hex,
                         std::string_view parent_hex, TraceId* trace_id, SpanId* span_id,
                         SpanId* parent_id) {
  std::optional<TraceId> trace = TraceId::ParseHex(trace_hex);
  std::optional<SpanId> span = SpanId::ParseHex(span_hex);
  std::optional<SpanId> parent = parent_hex.empty() ? SpanId{} : SpanId::ParseHex(parent_hex);
  if (trace && trace->valid() && span && span->valid() && parent) {
    *trace_id = *trace;
    *span_id = *span;
    *parent_id = *parent;
    return {};
  }
  // Only on failure: which ID, and what is wrong with it.
  std::string why = CheckHexId("traceId", trace_hex, 32, false);
  if (why.empty()) why = CheckHexId("id", span_hex, 16, false);
  if (why.empty() && !parent_hex.empty()) why = CheckHexId("parentId", parent_hex, 16, true);
  return why;
}

void DedupeKeys(Attributes* attrs) {
  if (attrs->size() < 2) return;
  if (attrs->size() <= 16) {
    // Few tags, the common case: pairwise, without allocating.
    size_t kept = 0;
    for (size_t i = 0; i < attrs->size(); ++i) {
      KeyValue& kv = (*attrs)[i];
      size_t j = 0;
      while (j < kept && (*attrs)[j].key.data() != kv.key.data()) ++j;
      if (j < kept) {
        (*attrs)[j].value = std::move(kv.value);
      } else {
        if (kept != i) (*attrs)[kept] = std::move(kv);
        ++kept;
      }
    }
    attrs->resize(kept);
    return;
  }
  std::unordered_map<const char*, size_t> first;  // key -> index in the result
  size_t kept = 0;
  for (size_t i = 0; i < attrs->size(); ++i) {
    KeyValue& kv = (*attrs)[i];
    auto [it, inserted] = first.try_emplace(kv.key.data(), kept);
    if (inserted) {
      if (kept != i) (*attrs)[kept] = std::move(kv);
      ++kept;
    } else {
      (*attrs)[it->second].value = std::move(kv.value);
    }
  }
  attrs->resize(kept);
}

std::string Ipv4Text(std::string_view bytes) {
  if (bytes.size() != 4) return {};
  char text[INET_ADDRSTRLEN];
  return inet_ntop(AF_INET, bytes.data(), text, sizeof(text)) != nullptr ? text : "";
}

std::string Ipv6Text(std::string_view bytes) {
  if (bytes.size() != 16) return {};
  char text[INET6_ADDRSTRLEN];
  return inet_ntop(AF_INET6, bytes.data(), text, sizeof(text)) != nullptr ? text : "";
}

void ZipkinBatchBuilder::Add(ZipkinSpanView&& s) {
  DedupeKeys(&s.span.attributes);
  const ScopeNames scope_names = ApplyConventions(&s);
  const uint64_t end_us =
      s.timestamp_us > kMaxMicros - s.duration_us ? kMaxMicros : s.timestamp_us + s.duration_us;
  s.span.start_time_ns = MicrosToNanos(s.timestamp_us);
  s.span.end_time_ns = MicrosToNanos(end_us);

  const ZipkinEndpoint& local = s.local;
  std::string key;
  key.append(local.service_name).push_back('\0');
  key.append(local.ip()).push_back('\0');
  key.append(std::to_string(local.port));
  auto [it, inserted] = resources_.try_emplace(std::move(key), batch_.resource_spans.size());
  if (inserted) {
    auto resource = std::make_shared<Resource>();
    if (!local.service_name.empty()) {
      resource->attributes.push_back(
          {Intern("service.name"), AnyValue::String(local.service_name)});
    }
    if (!local.ip().empty()) {
      resource->attributes.push_back({Intern("net.host.ip"), AnyValue::String(local.ip())});
    }
    if (local.port != 0) {
      resource->attributes.push_back({Intern("net.host.port"), AnyValue::Int(local.port)});
    }
    resource->ResolveServiceName();
    batch_.resource_spans.push_back({std::move(resource), {}});
  }
  ResourceSpans& rs = batch_.resource_spans[it->second];
  // Few scopes per resource: a linear search over interned names.
  for (ScopeSpans& ss : rs.scope_spans) {
    if (ss.scope->name.data() == scope_names.name.data() &&
        ss.scope->name.size() == scope_names.name.size() &&
        ss.scope->version.data() == scope_names.version.data() &&
        ss.scope->version.size() == scope_names.version.size()) {
      ss.spans.push_back(std::move(s.span));
      return;
    }
  }
  auto scope = std::make_shared<Scope>();
  scope->name = scope_names.name;
  scope->version = scope_names.version;
  rs.scope_spans.push_back({std::move(scope), {}});
  rs.scope_spans.back().spans.push_back(std::move(s.span));
}

void ZipkinBatchBuilder::Reject(size_t index, std::string_view why) {
  ++stats_.rejected_spans;
  if (stats_.rejection_reason.empty()) {
    stats_.rejection_reason = "span " + std::to_string(index) + ": " + std::string(why);
  }
}

void ZipkinBatchBuilder::Finish(SpanBatch* batch, DecodeStats* stats) {
  for (ResourceSpans& rs : batch_.resource_spans) batch->resource_spans.push_back(std::move(rs));
  batch_.resource_spans.clear();
  resources_.clear();
  if (stats != nullptr) {
    stats->rejected_spans += stats_.rejected_spans;
    if (stats->rejection_reason.empty())
      stats->rejection_reason = std::move(stats_.rejection_reason);
  }
  stats_ = DecodeStats();
}

}  // namespace spoor::zipkin
