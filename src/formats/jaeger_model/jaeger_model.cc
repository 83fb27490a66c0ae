#include "formats/jaeger_model/jaeger_model.h"

#include <algorithm>
#include <utility>

#include "common/utf8.h"
#include "model/string_table.h"

namespace spoor::jaeger_model {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return (x >= 'a' && x <= 'z' ? x - 32 : x) == (y >= 'a' && y <= 'z' ? y - 32 : y);
  });
}

// Length of the valid UTF-8 sequence at s[i] (RFC 3629: no overlong forms,
// no surrogates, at most U+10FFFF), or 0.
size_t Utf8Length(std::string_view s, size_t i) {
  const auto c = static_cast<uint8_t>(s[i]);
  if (c < 0x80) return 1;
  size_t n = 0;
  uint8_t lo = 0x80;
  uint8_t hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    if (c == 0xe0) lo = 0xa0;
    if (c == 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;
  } else {
    return 0;
  }
  if (s.size() - i < n) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<uint8_t>(s[i + k]);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xbf)) return 0;
  }
  return n;
}

bool IsString(const KeyValue& kv) {
  return kv.value.type == ValueType::kString;
}

}  // namespace

std::string_view Utf8(std::string_view s, std::string* scratch) {
  if (IsValidUtf8(s)) return s;
  size_t i = 0;
  while (i < s.size()) {
    const size_t n = Utf8Length(s, i);
    if (n == 0) break;
    i += n;
  }
  if (i == s.size()) return s;
  scratch->assign(s.substr(0, i));
  while (i < s.size()) {
    const size_t n = Utf8Length(s, i);
    if (n == 0) {
      scratch->append("\xEF\xBF\xBD");
      ++i;
    } else {
      scratch->append(s.substr(i, n));
      i += n;
    }
  }
  return *scratch;
}

uint64_t MicrosToNanos(int64_t us) {
  if (us <= 0) return 0;
  const auto u = static_cast<uint64_t>(us);
  return u > UINT64_MAX / 1000 ? UINT64_MAX : u * 1000;
}

uint64_t EndTime(uint64_t start_ns, uint64_t duration_ns) {
  return start_ns > UINT64_MAX - duration_ns ? UINT64_MAX : start_ns + duration_ns;
}

void SetProcess(std::string_view service_name, Attributes tags, Resource* resource) {
  resource->attributes.clear();
  if (!service_name.empty()) {
    std::string scratch;
    resource->attributes.push_back(
        {Intern("service.name"), AnyValue::String(Utf8(service_name, &scratch))});
  }
  for (KeyValue& kv : tags) {
    if (kv.key != "service.name") resource->attributes.push_back(std::move(kv));
  }
}

void NameEvent(Event* event) {
  auto it = std::find_if(event->attributes.begin(), event->attributes.end(),
                         [](const KeyValue& kv) { return kv.key == "event" && IsString(kv); });
  if (it != event->attributes.end()) {
    event->name = Intern(it->value.string_value);
    event->attributes.erase(it);
  }
}

void MapReferences(const std::vector<Reference>& refs, uint64_t parent, Span* span) {
  constexpr auto kChildOf = static_cast<int32_t>(RefType::kChildOf);
  span->parent_span_id = {parent};
  const Reference* parent_ref = nullptr;
  for (const Reference& ref : refs) {
    if (ref.type != kChildOf || ref.trace_id != span->trace_id) continue;
    if (parent == 0 || ref.span_id.value == parent) {
      parent_ref = &ref;
      span->parent_span_id = ref.span_id;
      break;
    }
  }
  // Jaeger clients set parentSpanId to a FOLLOWS_FROM parent too; Jaeger
  // then shows that reference alone (no CHILD_OF), and OpenTelemetry's
  // receiver makes it a link without a parent: so does this.
  if (parent_ref == nullptr && parent != 0) {
    for (const Reference& ref : refs) {
      if (ref.type != kChildOf && ref.trace_id == span->trace_id && ref.span_id.value == parent) {
        span->parent_span_id = {};
        break;
      }
    }
  }
  for (const Reference& ref : refs) {
    if (&ref == parent_ref) continue;
    Link& link = span->links.emplace_back();
    link.trace_id = ref.trace_id;
    link.span_id = ref.span_id;
    if (ref.type == kChildOf) {
      link.attributes.push_back({Intern("opentracing.ref_type"), AnyValue::String("child_of")});
    }
  }
}

void MapSpecialTags(Span* span) {
  bool error = false;
  const AnyValue* status_code = nullptr;
  const AnyValue* status_description = nullptr;
  for (const KeyValue& kv : span->attributes) {
    if (kv.key == "span.kind" && IsString(kv)) {
      SpanKind kind = SpanKind::kUnspecified;
      if (ParseSpanKind(kv.value.string_value, &kind)) span->kind = kind;
    } else if (kv.key == "error" && kv.value.type == ValueType::kBool && kv.value.bool_value) {
      error = true;
    } else if (kv.key == "otel.status_code" && IsString(kv)) {
      status_code = &kv.value;
    } else if (kv.key == "otel.status_description" && IsString(kv)) {
      status_description = &kv.value;
    } else if (kv.key == "w3c.tracestate" && IsString(kv)) {
      span->trace_state = kv.value.string_value;
    }
  }
  // A true `error` tag wins over otel.status_code.
  if (error) {
    span->status.code = SpanStatusCode::kError;
  } else if (status_code != nullptr) {
    if (EqualsIgnoreCase(status_code->string_value, "ERROR")) {
      span->status.code = SpanStatusCode::kError;
    } else if (EqualsIgnoreCase(status_code->string_value, "OK")) {
      span->status.code = SpanStatusCode::kOk;
    }
  }
  const bool has_status = error || status_code != nullptr;
  if (has_status && status_description != nullptr) {
    span->status.message = status_description->string_value;
  }
  const bool kind_set = span->kind != SpanKind::kUnspecified;
  std::erase_if(span->attributes, [&](const KeyValue& kv) {
    if (!IsString(kv)) {
      return kv.key == "error" && kv.value.type == ValueType::kBool && kv.value.bool_value;
    }
    if (kv.key == "span.kind") return kind_set;
    if (kv.key == "otel.status_code") return true;
    if (kv.key == "otel.status_description") return has_status;
    return kv.key == "w3c.tracestate";
  });
}

void Reject(size_t index, std::string_view why, DecodeStats* stats) {
  ++stats->rejected_spans;
  if (stats->rejection_reason.empty()) {
    stats->rejection_reason = "span " + std::to_string(index) + ": " + std::string(why);
  }
}

void Accept(Span&& span, size_t index, std::vector<Span>* spans, DecodeStats* stats) {
  if (!span.trace_id.valid()) {
    Reject(index, "trace ID is zero", stats);
  } else if (!span.span_id.valid()) {
    Reject(index, "span ID is zero", stats);
  } else {
    spans->push_back(std::move(span));
  }
}

}  // namespace spoor::jaeger_model
