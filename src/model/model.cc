#include <charconv>
#include <cmath>

#include "common/base64.h"
#include "common/json_writer.h"
#include "model/attribute.h"
#include "model/same_batch.h"
#include "model/span.h"
#include "model/string_table.h"

namespace spoor {

static_assert(sizeof(AnyValue) == 64, "AnyValue grew: see attribute.h");
static_assert(sizeof(KeyValue) == 80, "KeyValue grew");
namespace {

// Raw JSON of a value, as the OpenTelemetry Collector's AsString() renders
// arrays and maps (plain values, not the OTLP/JSON wrapper objects).
void AppendRawJson(const AnyValue& v, JsonWriter& w) {
  switch (v.type) {
    case ValueType::kEmpty: w.Null(); break;
    case ValueType::kString: w.String(v.string_value); break;
    case ValueType::kBool: w.Bool(v.bool_value); break;
    case ValueType::kInt: w.Int(v.int_value); break;
    case ValueType::kDouble: w.Double(v.double_value); break;
    case ValueType::kBytes: w.String(Base64Encode(v.string_value)); break;
    case ValueType::kArray:
      w.BeginArray();
      for (const AnyValue& e : v.array) AppendRawJson(e, w);
      w.EndArray();
      break;
    case ValueType::kKvList:
      w.BeginObject();
      for (const KeyValue& kv : v.kvlist) {
        w.Key(kv.key);
        AppendRawJson(kv.value, w);
      }
      w.EndObject();
      break;
  }
}

}  // namespace

AnyValue AnyValue::String(std::string_view v) {
  AnyValue a;
  a.type = ValueType::kString;
  a.string_value = v;
  return a;
}

AnyValue AnyValue::Bool(bool v) {
  AnyValue a;
  a.type = ValueType::kBool;
  a.bool_value = v;
  return a;
}

AnyValue AnyValue::Int(int64_t v) {
  AnyValue a;
  a.type = ValueType::kInt;
  a.int_value = v;
  return a;
}

AnyValue AnyValue::Double(double v) {
  AnyValue a;
  a.type = ValueType::kDouble;
  a.double_value = v;
  return a;
}

AnyValue AnyValue::Bytes(std::string_view v) {
  AnyValue a;
  a.type = ValueType::kBytes;
  a.string_value = v;
  return a;
}

bool AnyValue::operator==(const AnyValue& o) const {
  if (type != o.type) return false;
  switch (type) {
    case ValueType::kEmpty: return true;
    case ValueType::kString:
    case ValueType::kBytes: return string_value == o.string_value;
    case ValueType::kBool: return bool_value == o.bool_value;
    case ValueType::kInt: return int_value == o.int_value;
    case ValueType::kDouble:
      return double_value == o.double_value ||
             (std::isnan(double_value) && std::isnan(o.double_value));
    case ValueType::kArray: return array == o.array;
    case ValueType::kKvList: return kvlist == o.kvlist;
  }
  return false;
}

void AnyValue::AppendString(std::string& out) const {
  char buf[64];
  switch (type) {
    case ValueType::kEmpty: break;
    case ValueType::kString: out.append(string_value); break;
    case ValueType::kBool: out.append(bool_value ? "true" : "false"); break;
    case ValueType::kInt: {
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, int_value);
      out.append(buf, end);
      break;
    }
    case ValueType::kDouble: {
      if (std::isnan(double_value)) {
        out.append("NaN");
      } else if (std::isinf(double_value)) {
        out.append(double_value > 0 ? "+Inf" : "-Inf");
      } else {
        // Shortest fixed-point form, as Go's FormatFloat(v, 'f', -1, 64).
        auto [end, ec] =
            std::to_chars(buf, buf + sizeof buf, double_value, std::chars_format::fixed);
        if (ec == std::errc()) {
          out.append(buf, end);
        } else {
          auto [end2, ec2] = std::to_chars(buf, buf + sizeof buf, double_value);
          out.append(buf, end2);
        }
      }
      break;
    }
    case ValueType::kBytes: AppendBase64(string_value, out); break;
    case ValueType::kArray:
    case ValueType::kKvList: {
      JsonWriter w(out);
      AppendRawJson(*this, w);
      break;
    }
  }
}

std::string AnyValue::ToString() const {
  std::string out;
  AppendString(out);
  return out;
}

const AnyValue* FindAttribute(const Attributes& attrs, std::string_view key) {
  for (const KeyValue& kv : attrs) {
    if (kv.key == key) return &kv.value;
  }
  return nullptr;
}

std::string_view SpanKindName(SpanKind kind) {
  switch (kind) {
    case SpanKind::kUnspecified: return "";
    case SpanKind::kInternal: return "internal";
    case SpanKind::kServer: return "server";
    case SpanKind::kClient: return "client";
    case SpanKind::kProducer: return "producer";
    case SpanKind::kConsumer: return "consumer";
  }
  return "";
}

bool ParseSpanKind(std::string_view name, SpanKind* kind) {
  static constexpr struct {
    std::string_view name;
    SpanKind kind;
  } kKinds[] = {{"", SpanKind::kUnspecified},      {"unspecified", SpanKind::kUnspecified},
                {"internal", SpanKind::kInternal}, {"server", SpanKind::kServer},
                {"client", SpanKind::kClient},     {"producer", SpanKind::kProducer},
                {"consumer", SpanKind::kConsumer}};
  for (const auto& k : kKinds) {
    if (k.name == name) {
      *kind = k.kind;
      return true;
    }
  }
  return false;
}

void Resource::ResolveServiceName() {
  const AnyValue* v = FindAttribute(attributes, "service.name");
  if (v != nullptr && v->type == ValueType::kString) {
    service_name = Intern(v->string_value);
  } else {
    service_name = kNoServiceName;
  }
}

bool SameBatch(const SpanBatch& a, const SpanBatch& b) {
  if (a.resource_spans.size() != b.resource_spans.size()) return false;
  for (size_t i = 0; i < a.resource_spans.size(); ++i) {
    const ResourceSpans& ra = a.resource_spans[i];
    const ResourceSpans& rb = b.resource_spans[i];
    if (!(*ra.resource == *rb.resource) || ra.resource->schema_url != rb.resource->schema_url ||
        ra.resource->service_name != rb.resource->service_name ||
        ra.scope_spans.size() != rb.scope_spans.size()) {
      return false;
    }
    for (size_t j = 0; j < ra.scope_spans.size(); ++j) {
      const ScopeSpans& sa = ra.scope_spans[j];
      const ScopeSpans& sb = rb.scope_spans[j];
      if (!(*sa.scope == *sb.scope) || sa.scope->schema_url != sb.scope->schema_url ||
          sa.spans != sb.spans) {
        return false;
      }
    }
  }
  return true;
}

SpanBatch BatchOfRecords(const SpanRecord* begin, const SpanRecord* end) {
  SpanBatch batch;
  for (const SpanRecord* r = begin; r != end; ++r) {
    if (batch.resource_spans.empty() || batch.resource_spans.back().resource != r->resource) {
      batch.resource_spans.push_back({r->resource, {}});
    }
    ResourceSpans& rs = batch.resource_spans.back();
    if (rs.scope_spans.empty() || rs.scope_spans.back().scope != r->scope) {
      rs.scope_spans.push_back({r->scope, {}});
    }
    rs.scope_spans.back().spans.push_back(r->span);
  }
  return batch;
}

size_t SpanBatch::SpanCount() const {
  size_t n = 0;
  for (const ResourceSpans& rs : resource_spans) {
    for (const ScopeSpans& ss : rs.scope_spans) n += ss.spans.size();
  }
  return n;
}

}  // namespace spoor
