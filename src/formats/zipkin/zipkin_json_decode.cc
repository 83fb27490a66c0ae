// Zipkin v2 JSON -> model, on simdjson's DOM.
//
// Each span is read into a Span plus its endpoints, then filed under the
// resource of its localEndpoint and the scope named by its otel.scope.* tags.
// The path to the current value is kept as a chain of stack frames and
// rendered only for an error message.

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "formats/json_path.h"
#include "formats/zipkin/zipkin_decode.h"
#include "model/string_table.h"

namespace spoor {
namespace {

namespace dom = simdjson::dom;

// A parser keeps the capacity of the largest document it has seen; past this
// it is replaced after use so that one huge request does not pin memory.
constexpr size_t kMaxRetainedParserCapacity = 16 * 1024 * 1024;

// Largest timestamp in µs whose value in ns fits in 64 bits.
constexpr uint64_t kMaxMicros = std::numeric_limits<uint64_t>::max() / 1000;

// Trace flags: every span Zipkin reports was sampled; debug is Jaeger's bit.
constexpr uint32_t kSampledFlag = 1;
constexpr uint32_t kDebugFlag = 2;

using Path = JsonPath;

struct Endpoint {
  std::string_view service_name;
  std::string_view ipv4;
  std::string_view ipv6;
  uint32_t port = 0;  // 0: absent

  // ipv4 when present, else ipv6 (the one address the model keeps).
  [[nodiscard]] std::string_view ip() const { return ipv4.empty() ? ipv6 : ipv4; }
};

// A span as read, before it is filed under a resource and scope.
struct DecodedSpan {
  Span span;
  Endpoint local;
  Endpoint remote;
  std::string_view scope_name;
  std::string_view scope_version;
};

// Why an ID is unusable, or an empty string if it is fine. `max_len` hex
// digits at most; shorter ones are left-padded with zeros.
std::string CheckId(std::string_view field, std::string_view hex, size_t max_len, bool allow_zero) {
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

// Keeps one attribute per key: the last value, at the first key's position.
// Keys are interned, so equal keys have equal data pointers.
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

// Adds an attribute derived from an endpoint unless a tag already set it.
void AddDerived(Attributes* attrs, std::string_view key, AnyValue value) {
  if (FindAttribute(*attrs, key) == nullptr) attrs->push_back({Intern(key), std::move(value)});
}

// Removes the string attribute `key` and returns its value, if there is one.
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

class ZipkinJsonDecoder {
 public:
  bool DecodeList(dom::element root, SpanBatch* batch, DecodeStats* stats);
  [[nodiscard]] const std::string& error() const { return error_; }

 private:
  bool Fail(const Path& path, std::string_view what) {
    error_ = "zipkin json: ";
    std::string where = path.ToString();
    if (!where.empty()) error_.append(where).append(": ");
    error_.append(what);
    return false;
  }

  bool GetString(dom::element e, const Path& p, std::string_view* out) {
    return e.get(*out) == simdjson::SUCCESS || Fail(p, "expected string");
  }
  bool GetBool(dom::element e, const Path& p, bool* out) {
    return e.get(*out) == simdjson::SUCCESS || Fail(p, "expected boolean");
  }
  // A non-negative integer up to `max`; integral doubles (1.5e15) accepted.
  bool GetUint(dom::element e, const Path& p, uint64_t max, uint64_t* out);

  // Calls f(key, value, path) for each field of the object `e` whose value
  // is not null (null stands for an absent field).
  template <typename F>
  bool ForEachField(dom::element e, const Path& p, F&& f) {
    dom::object obj;
    if (e.get(obj) != simdjson::SUCCESS) return Fail(p, "expected object");
    for (dom::key_value_pair field : obj) {
      if (!field.value.is_null() && !f(field.key, field.value, p.Field(field.key))) return false;
    }
    return true;
  }

  // Returns false only for a malformed span; *why is set for an unusable one.
  bool DecodeSpan(dom::element e, const Path& p, DecodedSpan* out, std::string* why);
  bool DecodeEndpoint(dom::element e, const Path& p, Endpoint* out);
  bool DecodeAnnotations(dom::element e, const Path& p, std::vector<Event>* out);
  bool DecodeTags(dom::element e, const Path& p, Attributes* out);
  // Status, scope and endpoint attributes from the tags and endpoints.
  static void ApplyConventions(DecodedSpan* s);
  void File(DecodedSpan&& s, SpanBatch* batch);

  std::string error_;
  // Resource key (service, addresses, port) -> index in the batch.
  std::unordered_map<std::string, size_t> resources_;
};

bool ZipkinJsonDecoder::GetUint(dom::element e, const Path& p, uint64_t max, uint64_t* out) {
  uint64_t v = 0;
  switch (e.type()) {
    case dom::element_type::INT64: {
      const int64_t i = e.get<int64_t>().value_unsafe();
      if (i < 0) return Fail(p, "integer out of range");
      v = static_cast<uint64_t>(i);
      break;
    }
    case dom::element_type::UINT64: v = e.get<uint64_t>().value_unsafe(); break;
    case dom::element_type::DOUBLE: {
      const double d = e.get<double>().value_unsafe();
      if (std::trunc(d) != d) return Fail(p, "expected integer");
      if (!(d >= 0 && d < std::ldexp(1.0, 64))) return Fail(p, "integer out of range");
      v = static_cast<uint64_t>(d);
      break;
    }
    default: return Fail(p, "expected integer");
  }
  if (v > max) return Fail(p, "integer out of range");
  *out = v;
  return true;
}

bool ZipkinJsonDecoder::DecodeList(dom::element root, SpanBatch* batch, DecodeStats* stats) {
  dom::array arr;
  if (root.get(arr) != simdjson::SUCCESS) return Fail(Path(), "expected array of spans");
  const Path top;
  size_t index = 0;
  for (dom::element item : arr) {
    const Path p = top.Element(index);
    DecodedSpan s;
    std::string why;
    if (!DecodeSpan(item, p, &s, &why)) return false;
    if (!why.empty()) {
      if (stats != nullptr) {
        ++stats->rejected_spans;
        if (stats->rejection_reason.empty()) {
          stats->rejection_reason = "span " + std::to_string(index) + ": " + why;
        }
      }
    } else {
      ApplyConventions(&s);
      File(std::move(s), batch);
    }
    ++index;
  }
  return true;
}

bool ZipkinJsonDecoder::DecodeSpan(dom::element e, const Path& p, DecodedSpan* out,
                                   std::string* why) {
  std::string_view trace_id, span_id, parent_id;
  uint64_t timestamp = 0, duration = 0;
  bool debug = false, shared = false;
  Span& span = out->span;
  bool ok = ForEachField(e, p, [&](std::string_view key, dom::element v, const Path& fp) {
    if (key == "traceId") return GetString(v, fp, &trace_id);
    if (key == "id") return GetString(v, fp, &span_id);
    if (key == "parentId") return GetString(v, fp, &parent_id);
    if (key == "name") {
      std::string_view name;
      if (!GetString(v, fp, &name)) return false;
      span.name = Intern(name);
      return true;
    }
    if (key == "kind") {
      std::string_view kind;
      if (!GetString(v, fp, &kind)) return false;
      // Zipkin's names are its enum's: upper case. Other cases are accepted.
      std::string lower(kind);
      for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      if (lower == "client") {
        span.kind = SpanKind::kClient;
      } else if (lower == "server") {
        span.kind = SpanKind::kServer;
      } else if (lower == "producer") {
        span.kind = SpanKind::kProducer;
      } else if (lower == "consumer") {
        span.kind = SpanKind::kConsumer;
      } else {
        return Fail(fp, "unknown kind \"" + std::string(kind) + "\"");
      }
      return true;
    }
    if (key == "timestamp") return GetUint(v, fp, kMaxMicros, &timestamp);
    if (key == "duration") return GetUint(v, fp, kMaxMicros, &duration);
    if (key == "localEndpoint") return DecodeEndpoint(v, fp, &out->local);
    if (key == "remoteEndpoint") return DecodeEndpoint(v, fp, &out->remote);
    if (key == "annotations") return DecodeAnnotations(v, fp, &span.events);
    if (key == "tags") return DecodeTags(v, fp, &span.attributes);
    if (key == "debug") return GetBool(v, fp, &debug);
    if (key == "shared") return GetBool(v, fp, &shared);
    return true;
  });
  if (!ok) return false;
  if (timestamp + duration > kMaxMicros) return Fail(p.Field("duration"), "integer out of range");

  // A shared span keeps the client's span ID; the query-side adjusters tell
  // the two sides apart, so `shared` needs no field of its own.
  (void)shared;
  span.flags = kSampledFlag | (debug ? kDebugFlag : 0);
  span.start_time_ns = timestamp * 1000;
  span.end_time_ns = (timestamp + duration) * 1000;

  *why = CheckId("traceId", trace_id, 32, false);
  if (why->empty()) *why = CheckId("id", span_id, 16, false);
  if (why->empty() && !parent_id.empty()) *why = CheckId("parentId", parent_id, 16, true);
  if (!why->empty()) return true;
  span.trace_id = *TraceId::ParseHex(trace_id);
  span.span_id = *SpanId::ParseHex(span_id);
  // An all-zero parentId means none, as in Zipkin.
  if (!parent_id.empty()) span.parent_span_id = *SpanId::ParseHex(parent_id);
  return true;
}

bool ZipkinJsonDecoder::DecodeEndpoint(dom::element e, const Path& p, Endpoint* out) {
  return ForEachField(e, p, [&](std::string_view key, dom::element v, const Path& fp) {
    if (key == "serviceName") return GetString(v, fp, &out->service_name);
    if (key == "ipv4") return GetString(v, fp, &out->ipv4);
    if (key == "ipv6") return GetString(v, fp, &out->ipv6);
    if (key == "port") {
      uint64_t port = 0;
      if (!GetUint(v, fp, 65535, &port)) return false;
      out->port = static_cast<uint32_t>(port);
      return true;
    }
    return true;
  });
}

bool ZipkinJsonDecoder::DecodeAnnotations(dom::element e, const Path& p, std::vector<Event>* out) {
  dom::array arr;
  if (e.get(arr) != simdjson::SUCCESS) return Fail(p, "expected array");
  out->reserve(out->size() + arr.size());
  size_t i = 0;
  for (dom::element item : arr) {
    Event& event = out->emplace_back();
    uint64_t timestamp = 0;
    bool ok = ForEachField(item, p.Element(i++),
                           [&](std::string_view key, dom::element v, const Path& fp) {
                             if (key == "timestamp") return GetUint(v, fp, kMaxMicros, &timestamp);
                             if (key == "value") {
                               std::string_view value;
                               if (!GetString(v, fp, &value)) return false;
                               event.name = Intern(value);
                               return true;
                             }
                             return true;
                           });
    if (!ok) return false;
    event.time_ns = timestamp * 1000;
  }
  return true;
}

bool ZipkinJsonDecoder::DecodeTags(dom::element e, const Path& p, Attributes* out) {
  bool ok = ForEachField(e, p, [&](std::string_view key, dom::element v, const Path& fp) {
    // Tag values are strings; numbers and booleans, which some clients send,
    // are kept in their JSON text.
    std::string value;
    switch (v.type()) {
      case dom::element_type::STRING: value = v.get<std::string_view>().value_unsafe(); break;
      case dom::element_type::BOOL: value = v.get<bool>().value_unsafe() ? "true" : "false"; break;
      case dom::element_type::INT64:
      case dom::element_type::UINT64:
      case dom::element_type::DOUBLE: value = simdjson::minify(v); break;
      default: return Fail(fp, "expected string");
    }
    out->push_back({Intern(key), AnyValue::String(value)});
    return true;
  });
  if (!ok) return false;
  DedupeKeys(out);
  return true;
}

void ZipkinJsonDecoder::ApplyConventions(DecodedSpan* s) {
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
  for (auto [name, legacy, field] :
       {std::tuple{"otel.scope.name", "otel.library.name", &s->scope_name},
        std::tuple{"otel.scope.version", "otel.library.version", &s->scope_version}}) {
    std::optional<std::string> v = TakeTag(&attrs, name);
    if (!v) v = TakeTag(&attrs, legacy);
    if (v) *field = Intern(*v);
  }

  // The remote endpoint, unless tags say the same already.
  const Endpoint& remote = s->remote;
  if (!remote.service_name.empty()) {
    AddDerived(&attrs, "peer.service", AnyValue::String(remote.service_name));
  }
  if (!remote.ip().empty()) AddDerived(&attrs, "net.peer.ip", AnyValue::String(remote.ip()));
  if (remote.port != 0) AddDerived(&attrs, "net.peer.port", AnyValue::Int(remote.port));
}

void ZipkinJsonDecoder::File(DecodedSpan&& s, SpanBatch* batch) {
  const Endpoint& local = s.local;
  std::string key;
  key.append(local.service_name).push_back('\0');
  key.append(local.ip()).push_back('\0');
  key.append(std::to_string(local.port));
  auto [it, inserted] = resources_.try_emplace(std::move(key), batch->resource_spans.size());
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
    batch->resource_spans.push_back({std::move(resource), {}});
  }
  ResourceSpans& rs = batch->resource_spans[it->second];
  // Few scopes per resource: a linear search over interned names.
  for (ScopeSpans& ss : rs.scope_spans) {
    if (ss.scope->name.data() == s.scope_name.data() &&
        ss.scope->name.size() == s.scope_name.size() &&
        ss.scope->version.data() == s.scope_version.data() &&
        ss.scope->version.size() == s.scope_version.size()) {
      ss.spans.push_back(std::move(s.span));
      return;
    }
  }
  auto scope = std::make_shared<Scope>();
  scope->name = s.scope_name;
  scope->version = s.scope_version;
  rs.scope_spans.push_back({std::move(scope), {}});
  rs.scope_spans.back().spans.push_back(std::move(s.span));
}

}  // namespace

Status DecodeZipkinV2Json(std::string_view json, SpanBatch* batch, DecodeStats* stats) {
  thread_local dom::parser parser;
  Status result = Status::Ok();
  {
    dom::element root;
    // realloc_if_needed: simdjson reads past the end of its input, so the
    // body is copied into the parser's padded buffer (reused across calls).
    simdjson::error_code err = parser.parse(json.data(), json.size(), true).get(root);
    if (err != simdjson::SUCCESS) {
      result = InvalidArgument(std::string("zipkin json: ") + simdjson::error_message(err));
    } else {
      SpanBatch decoded;
      DecodeStats decoded_stats;  // merged into *stats only on success
      ZipkinJsonDecoder decoder;
      if (decoder.DecodeList(root, &decoded, &decoded_stats)) {
        for (ResourceSpans& rs : decoded.resource_spans) {
          batch->resource_spans.push_back(std::move(rs));
        }
        if (stats != nullptr) {
          stats->rejected_spans += decoded_stats.rejected_spans;
          if (stats->rejection_reason.empty()) {
            stats->rejection_reason = std::move(decoded_stats.rejection_reason);
          }
        }
      } else {
        result = InvalidArgument(decoder.error());
      }
    }
  }
  if (parser.capacity() > kMaxRetainedParserCapacity) parser = dom::parser();
  return result;
}

}  // namespace spoor
