// OTLP/JSON -> model, on simdjson's DOM.
//
// The decoder walks the parsed document once. It keeps the path to the
// current value as a chain of stack frames and renders it only for an error
// message, so the happy path builds no strings beyond the model's own.

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base64.h"
#include "formats/json_path.h"
#include "formats/otlp/otlp_decode.h"
#include "formats/otlp/otlp_internal.h"
#include "model/string_table.h"

namespace spoor {
namespace {

namespace dom = simdjson::dom;

// How deeply arrayValue/kvlistValue may nest inside an attribute value.
constexpr int kMaxValueDepth = 64;

// A parser keeps the capacity of the largest document it has seen; past this
// it is replaced after use so that one huge request does not pin memory.
constexpr size_t kMaxRetainedParserCapacity = 16 * 1024 * 1024;

using Path = JsonPath;

// True if `key` is the field's lowerCamelCase JSON name or its proto name.
bool Is(std::string_view key, std::string_view camel, std::string_view snake) {
  return key == camel || key == snake;
}

bool AllHex(std::string_view s) {
  for (char c : s) {
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

template <typename Int>
bool ParseDecimal(std::string_view s, Int* out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

// Converts an integral double that fits in Int; JSON writers sometimes emit
// 1.5e9 for an integer field.
template <typename Int>
bool IntegralDouble(double d, Int* out) {
  // 2^digits is exactly representable and is the first value past the range.
  const double past_max = std::ldexp(1.0, std::numeric_limits<Int>::digits);
  const double min = std::numeric_limits<Int>::is_signed ? -past_max : 0.0;
  if (!(d >= min && d < past_max) || std::trunc(d) != d) return false;
  *out = static_cast<Int>(d);
  return true;
}

// The value of an element whose type() was already checked to be T's.
template <typename T>
T Known(dom::element e) {
  return e.get<T>().value_unsafe();
}

class JsonDecoder {
 public:
  // On success `batch` holds the decoded spans (empty scopes and resources
  // included) and `stats` the rejections; on failure error() says why.
  bool DecodeRequest(dom::element root, SpanBatch* batch, DecodeStats* stats);
  [[nodiscard]] const std::string& error() const { return error_; }

 private:
  bool Fail(const Path& path, std::string_view what) {
    error_ = "malformed OTLP JSON: ";
    std::string where = path.ToString();
    if (!where.empty()) error_.append(where).append(": ");
    error_.append(what);
    return false;
  }

  bool GetObject(dom::element e, const Path& p, dom::object* out) {
    return e.get(*out) == simdjson::SUCCESS || Fail(p, "expected object");
  }
  bool GetArray(dom::element e, const Path& p, dom::array* out) {
    return e.get(*out) == simdjson::SUCCESS || Fail(p, "expected array");
  }
  bool GetString(dom::element e, const Path& p, std::string_view* out) {
    return e.get(*out) == simdjson::SUCCESS || Fail(p, "expected string");
  }
  bool GetBool(dom::element e, const Path& p, bool* out) {
    return e.get(*out) == simdjson::SUCCESS || Fail(p, "expected boolean");
  }
  // Strings that repeat across spans (names, keys) are interned.
  bool GetInterned(dom::element e, const Path& p, std::string_view* out) {
    if (!GetString(e, p, out)) return false;
    *out = Intern(*out);
    return true;
  }
  bool GetString(dom::element e, const Path& p, std::string* out) {
    std::string_view s;
    if (!GetString(e, p, &s)) return false;
    out->assign(s);
    return true;
  }
  template <typename Int>
  bool GetInt(dom::element e, const Path& p, Int* out);
  bool GetDouble(dom::element e, const Path& p, double* out);
  // An enum as its number or its name; `names` are indexed by number.
  template <size_t N>
  bool GetEnum(dom::element e, const Path& p, const std::string_view (&names)[N], int64_t* out);

  // Calls f(key, value, path) for each field of the object `e` whose value
  // is not null (null stands for the default value in the JSON mapping).
  template <typename F>
  bool ForEachField(dom::element e, const Path& p, F&& f) {
    dom::object obj;
    if (!GetObject(e, p, &obj)) return false;
    for (dom::key_value_pair field : obj) {
      if (!field.value.is_null() && !f(field.key, field.value, p.Field(field.key))) return false;
    }
    return true;
  }
  // Appends one item to `out` per element of the array `e`, filled in by
  // f(element, path, item).
  template <typename T, typename F>
  bool DecodeList(dom::element e, const Path& p, std::vector<T>* out, F&& f) {
    dom::array arr;
    if (!GetArray(e, p, &arr)) return false;
    out->reserve(out->size() + arr.size());
    size_t i = 0;
    for (dom::element v : arr) {
      if (!f(v, p.Element(i++), &out->emplace_back())) return false;
    }
    return true;
  }

  bool DecodeResourceSpans(dom::element e, const Path& p, ResourceSpans* rs);
  bool DecodeResource(dom::element e, const Path& p, Resource* out);
  bool DecodeScopeSpans(dom::element e, const Path& p, ScopeSpans* ss);
  bool DecodeScope(dom::element e, const Path& p, Scope* out);
  // Returns false only for a malformed span. A span with unusable IDs is
  // counted as rejected and left with an invalid trace ID.
  bool DecodeSpan(dom::element e, const Path& p, Span* span);
  bool DecodeEvent(dom::element e, const Path& p, Event* out);
  // Links whose IDs cannot be represented are left out and counted in
  // *unusable (they become part of the span's dropped_links_count).
  bool DecodeLinks(dom::element e, const Path& p, std::vector<Link>* out, uint32_t* unusable);
  bool DecodeLink(dom::element e, const Path& p, Link* out, bool* usable);
  bool DecodeStatus(dom::element e, const Path& p, SpanStatus* out);
  // `depth` counts the arrayValue/kvlistValue levels above the value.
  bool DecodeAttributes(dom::element e, const Path& p, int depth, Attributes* out);
  bool DecodeKeyValue(dom::element e, const Path& p, int depth, KeyValue* out);
  bool DecodeValue(dom::element e, const Path& p, int depth, AnyValue* out);

  DecodeStats* stats_ = nullptr;
  size_t span_index_ = 0;
  std::string error_;
};

template <typename Int>
bool JsonDecoder::GetInt(dom::element e, const Path& p, Int* out) {
  constexpr auto kMax = static_cast<uint64_t>(std::numeric_limits<Int>::max());
  switch (e.type()) {
    case dom::element_type::INT64: {
      const int64_t v = Known<int64_t>(e);
      if (v < static_cast<int64_t>(std::numeric_limits<Int>::min()) ||
          (v > 0 && static_cast<uint64_t>(v) > kMax)) {
        return Fail(p, "integer out of range");
      }
      *out = static_cast<Int>(v);
      return true;
    }
    case dom::element_type::UINT64: {
      const uint64_t v = Known<uint64_t>(e);
      if (v > kMax) return Fail(p, "integer out of range");
      *out = static_cast<Int>(v);
      return true;
    }
    case dom::element_type::DOUBLE: {
      return IntegralDouble(Known<double>(e), out) || Fail(p, "expected integer");
    }
    case dom::element_type::STRING: {
      return ParseDecimal(Known<std::string_view>(e), out) || Fail(p, "expected integer");
    }
    default: return Fail(p, "expected integer");
  }
}

bool JsonDecoder::GetDouble(dom::element e, const Path& p, double* out) {
  switch (e.type()) {
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE: return e.get(*out) == simdjson::SUCCESS;
    case dom::element_type::STRING: {
      // The protobuf JSON mapping writes non-finite values as strings, and
      // accepts numbers in strings.
      const auto s = Known<std::string_view>(e);
      if (s == "NaN") {
        *out = std::numeric_limits<double>::quiet_NaN();
      } else if (s == "Infinity") {
        *out = std::numeric_limits<double>::infinity();
      } else if (s == "-Infinity") {
        *out = -std::numeric_limits<double>::infinity();
      } else if (!ParseDecimal(s, out)) {
        return Fail(p, "expected number");
      }
      return true;
    }
    default: return Fail(p, "expected number");
  }
}

template <size_t N>
bool JsonDecoder::GetEnum(dom::element e, const Path& p, const std::string_view (&names)[N],
                          int64_t* out) {
  if (e.type() != dom::element_type::STRING) return GetInt(e, p, out);
  const auto s = Known<std::string_view>(e);
  for (size_t i = 0; i < N; ++i) {
    if (s == names[i]) {
      *out = static_cast<int64_t>(i);
      return true;
    }
  }
  return ParseDecimal(s, out) || Fail(p, "unknown enum value \"" + std::string(s) + "\"");
}

bool JsonDecoder::DecodeRequest(dom::element root, SpanBatch* batch, DecodeStats* stats) {
  stats_ = stats;
  return ForEachField(root, Path(), [&](std::string_view key, dom::element v, const Path& fp) {
    if (!Is(key, "resourceSpans", "resource_spans")) return true;
    return DecodeList(v, fp, &batch->resource_spans,
                      [&](dom::element item, const Path& ip, auto* rs) {
                        return DecodeResourceSpans(item, ip, rs);
                      });
  });
}

bool JsonDecoder::DecodeResourceSpans(dom::element e, const Path& p, ResourceSpans* rs) {
  auto resource = std::make_shared<Resource>();
  bool ok = ForEachField(e, p, [&](std::string_view key, dom::element v, const Path& fp) {
    if (key == "resource") return DecodeResource(v, fp, resource.get());
    if (Is(key, "scopeSpans", "scope_spans")) {
      return DecodeList(v, fp, &rs->scope_spans, [&](dom::element item, const Path& ip, auto* ss) {
        return DecodeScopeSpans(item, ip, ss);
      });
    }
    if (Is(key, "schemaUrl", "schema_url")) return GetString(v, fp, &resource->schema_url);
    return true;
  });
  resource->ResolveServiceName();
  rs->resource = std::move(resource);
  return ok;
}

bool JsonDecoder::DecodeResource(dom::element e, const Path& p, Resource* out) {
  return ForEachField(e, p, [&](std::string_view key, dom::element v, const Path& fp) {
    if (key == "attributes") return DecodeAttributes(v, fp, 0, &out->attributes);
    if (Is(key, "droppedAttributesCount", "dropped_attributes_count")) {
      return GetInt(v, fp, &out->dropped_attributes_count);
    }
    return true;
  });
}

bool JsonDecoder::DecodeScopeSpans(dom::element e, const Path& p, ScopeSpans* ss) {
  auto scope = std::make_shared<Scope>();
  bool ok = ForEachField(e, p, [&](std::string_view key, dom::element v, const Path& fp) {
    if (key == "spans") {
      bool spans_ok = DecodeList(
          v, fp, &ss->spans,
          [&](dom::element item, const Path& ip, auto* s) { return DecodeSpan(item, ip, s); });
      // Rejected spans are the ones left without a trace ID.
      std::erase_if(ss->spans, [](const Span& s) { return !s.trace_id.valid(); });
      return spans_ok;
    }
    if (key == "scope") return DecodeScope(v, fp, scope.get());
    if (Is(key, "schemaUrl", "schema_url")) return GetString(v, fp, &scope->schema_url);
    return true;
  });
  ss->scope = std::move(scope);
  return ok;
}

bool JsonDecoder::DecodeScope(dom::element e, const Path& p, Scope* out) {
  return ForEachField(e, p, [&](std::string_view key, dom::element v, const Path& fp) {
    if (key == "name") return GetInterned(v, fp, &out->name);
    if (key == "version") return GetInterned(v, fp, &out->version);
    if (key == "attributes") return DecodeAttributes(v, fp, 0, &out->attributes);
    if (Is(key, "droppedAttributesCount", "dropped_attributes_count")) {
      return GetInt(v, fp, &out->dropped_attributes_count);
    }
    return true;
  });
}

// Why a span's IDs are unusable, or an empty string if they are fine.
std::string CheckSpanIds(std::string_view trace_id, std::string_view span_id,
                         std::string_view parent) {
  if (trace_id.size() != 32) {
    return "trace_id must be 32 hex characters, got " + std::to_string(trace_id.size());
  }
  if (!AllHex(trace_id)) return "trace_id is not hex";
  if (trace_id.find_first_not_of('0') == std::string_view::npos) return "trace_id is all zeros";
  if (span_id.size() != 16) {
    return "span_id must be 16 hex characters, got " + std::to_string(span_id.size());
  }
  if (!AllHex(span_id)) return "span_id is not hex";
  if (span_id.find_first_not_of('0') == std::string_view::npos) return "span_id is all zeros";
  if (!parent.empty() && parent.size() != 16) {
    return "parent_span_id must be 16 hex characters or empty, got " +
           std::to_string(parent.size());
  }
  if (!AllHex(parent)) return "parent_span_id is not hex";
  return {};
}

constexpr std::string_view kSpanKindNames[] = {"SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL",
                                               "SPAN_KIND_SERVER",      "SPAN_KIND_CLIENT",
                                               "SPAN_KIND_PRODUCER",    "SPAN_KIND_CONSUMER"};
constexpr std::string_view kStatusCodeNames[] = {"STATUS_CODE_UNSET", "STATUS_CODE_OK",
                                                 "STATUS_CODE_ERROR"};

bool JsonDecoder::DecodeSpan(dom::element e, const Path& p, Span* span) {
  // IDs are checked once the whole span is read: fields come in any order,
  // and a type error anywhere in the span fails the request either way.
  std::string_view trace_id, span_id, parent_id;
  uint32_t unusable_links = 0;
  bool ok = ForEachField(e, p, [&](std::string_view key, dom::element v, const Path& fp) {
    if (Is(key, "traceId", "trace_id")) return GetString(v, fp, &trace_id);
    if (Is(key, "spanId", "span_id")) return GetString(v, fp, &span_id);
    if (Is(key, "parentSpanId", "parent_span_id")) return GetString(v, fp, &parent_id);
    if (key == "name") return GetInterned(v, fp, &span->name);
    if (key == "kind") {
      int64_t kind = 0;
      if (!GetEnum(v, fp, kSpanKindNames, &kind)) return false;
      span->kind = otlp_internal::SpanKindFromNumber(kind);
      return true;
    }
    if (Is(key, "startTimeUnixNano", "start_time_unix_nano")) {
      return GetInt(v, fp, &span->start_time_ns);
    }
    if (Is(key, "endTimeUnixNano", "end_time_unix_nano")) return GetInt(v, fp, &span->end_time_ns);
    if (key == "attributes") return DecodeAttributes(v, fp, 0, &span->attributes);
    if (Is(key, "traceState", "trace_state")) return GetString(v, fp, &span->trace_state);
    if (key == "flags") return GetInt(v, fp, &span->flags);
    if (Is(key, "droppedAttributesCount", "dropped_attributes_count")) {
      return GetInt(v, fp, &span->dropped_attributes_count);
    }
    if (key == "events") {
      return DecodeList(v, fp, &span->events, [&](dom::element item, const Path& ip, auto* event) {
        return DecodeEvent(item, ip, event);
      });
    }
    if (Is(key, "droppedEventsCount", "dropped_events_count")) {
      return GetInt(v, fp, &span->dropped_events_count);
    }
    if (key == "links") return DecodeLinks(v, fp, &span->links, &unusable_links);
    if (Is(key, "droppedLinksCount", "dropped_links_count")) {
      return GetInt(v, fp, &span->dropped_links_count);
    }
    if (key == "status") return DecodeStatus(v, fp, &span->status);
    return true;
  });
  if (!ok) return false;
  span->dropped_links_count += unusable_links;

  const size_t index = span_index_++;
  std::string why = CheckSpanIds(trace_id, span_id, parent_id);
  if (!why.empty()) {
    otlp_internal::RecordRejection(stats_, index, why);
    return true;
  }
  span->trace_id = *TraceId::ParseHex(trace_id);
  span->span_id = *SpanId::ParseHex(span_id);
  if (!parent_id.empty()) span->parent_span_id = *SpanId::ParseHex(parent_id);
  return true;
}

bool JsonDecoder::DecodeEvent(dom::element e, const Path& p, Event* out) {
  return ForEachField(e, p, [&](std::string_view key, dom::element v, const Path& fp) {
    if (Is(key, "timeUnixNano", "time_unix_nano")) return GetInt(v, fp, &out->time_ns);
    if (key == "name") return GetInterned(v, fp, &out->name);
    if (key == "attributes") return DecodeAttributes(v, fp, 0, &out->attributes);
    if (Is(key, "droppedAttributesCount", "dropped_attributes_count")) {
      return GetInt(v, fp, &out->dropped_attributes_count);
    }
    return true;
  });
}

bool JsonDecoder::DecodeLinks(dom::element e, const Path& p, std::vector<Link>* out,
                              uint32_t* unusable) {
  dom::array arr;
  if (!GetArray(e, p, &arr)) return false;
  out->reserve(out->size() + arr.size());
  size_t i = 0;
  for (dom::element v : arr) {
    bool usable = true;
    if (!DecodeLink(v, p.Element(i++), &out->emplace_back(), &usable)) return false;
    if (!usable) {
      out->pop_back();
      ++*unusable;
    }
  }
  return true;
}

// Parses a link ID: empty stays invalid (zero), since OTLP allows links
// without a valid context; anything but exactly `hex_len` hex digits makes
// the link unusable.
template <typename Id>
void ParseLinkId(std::string_view hex, size_t hex_len, Id* id, bool* usable) {
  if (hex.empty()) return;
  std::optional<Id> parsed = hex.size() == hex_len ? Id::ParseHex(hex) : std::nullopt;
  if (parsed) {
    *id = *parsed;
  } else {
    *usable = false;
  }
}

bool JsonDecoder::DecodeLink(dom::element e, const Path& p, Link* out, bool* usable) {
  return ForEachField(e, p, [&](std::string_view key, dom::element v, const Path& fp) {
    std::string_view hex;
    if (Is(key, "traceId", "trace_id")) {
      if (!GetString(v, fp, &hex)) return false;
      ParseLinkId(hex, 32, &out->trace_id, usable);
      return true;
    }
    if (Is(key, "spanId", "span_id")) {
      if (!GetString(v, fp, &hex)) return false;
      ParseLinkId(hex, 16, &out->span_id, usable);
      return true;
    }
    if (Is(key, "traceState", "trace_state")) return GetString(v, fp, &out->trace_state);
    if (key == "attributes") return DecodeAttributes(v, fp, 0, &out->attributes);
    if (Is(key, "droppedAttributesCount", "dropped_attributes_count")) {
      return GetInt(v, fp, &out->dropped_attributes_count);
    }
    if (key == "flags") return GetInt(v, fp, &out->flags);
    return true;
  });
}

bool JsonDecoder::DecodeStatus(dom::element e, const Path& p, SpanStatus* out) {
  return ForEachField(e, p, [&](std::string_view key, dom::element v, const Path& fp) {
    if (key == "code") {
      int64_t code = 0;
      if (!GetEnum(v, fp, kStatusCodeNames, &code)) return false;
      out->code = otlp_internal::StatusCodeFromNumber(code);
      return true;
    }
    if (key == "message") return GetString(v, fp, &out->message);
    return true;
  });
}

bool JsonDecoder::DecodeAttributes(dom::element e, const Path& p, int depth, Attributes* out) {
  return DecodeList(e, p, out, [&](dom::element kv, const Path& ep, KeyValue* item) {
    return DecodeKeyValue(kv, ep, depth, item);
  });
}

bool JsonDecoder::DecodeKeyValue(dom::element e, const Path& p, int depth, KeyValue* out) {
  return ForEachField(e, p, [&](std::string_view key, dom::element v, const Path& fp) {
    if (key == "key") return GetInterned(v, fp, &out->key);
    if (key == "value") return DecodeValue(v, fp, depth, &out->value);
    return true;
  });
}

bool JsonDecoder::DecodeValue(dom::element e, const Path& p, int depth, AnyValue* out) {
  if (depth > kMaxValueDepth) {
    return Fail(p, "values nested deeper than " + std::to_string(kMaxValueDepth) + " levels");
  }
  return ForEachField(e, p, [&](std::string_view key, dom::element v, const Path& fp) {
    if (Is(key, "stringValue", "string_value")) {
      *out = AnyValue{};
      out->type = ValueType::kString;
      return GetString(v, fp, &out->string_value);
    }
    if (Is(key, "intValue", "int_value")) {
      *out = AnyValue::Int(0);
      return GetInt(v, fp, &out->int_value);
    }
    if (Is(key, "boolValue", "bool_value")) {
      *out = AnyValue::Bool(false);
      return GetBool(v, fp, &out->bool_value);
    }
    if (Is(key, "doubleValue", "double_value")) {
      *out = AnyValue::Double(0);
      return GetDouble(v, fp, &out->double_value);
    }
    if (Is(key, "bytesValue", "bytes_value")) {
      std::string_view text;
      if (!GetString(v, fp, &text)) return false;
      std::optional<std::string> bytes = Base64Decode(text);
      if (!bytes) return Fail(fp, "invalid base64");
      *out = AnyValue{};
      out->type = ValueType::kBytes;
      out->string_value = std::move(*bytes);
      return true;
    }
    const bool is_array = Is(key, "arrayValue", "array_value");
    if (!is_array && !Is(key, "kvlistValue", "kvlist_value")) return true;
    *out = AnyValue{};
    out->type = is_array ? ValueType::kArray : ValueType::kKvList;
    // Both are {"values": [...]}: of values or of key-value pairs.
    return ForEachField(
        v, fp, [&](std::string_view inner_key, dom::element values, const Path& values_path) {
          if (inner_key != "values") return true;
          if (!is_array)
            return DecodeAttributes(values, values_path, depth + 1, &out->kvlist.mut());
          return DecodeList(values, values_path, &out->array.mut(),
                            [&](dom::element item_json, const Path& item_path, AnyValue* item) {
                              return DecodeValue(item_json, item_path, depth + 1, item);
                            });
        });
  });
}

}  // namespace

Status DecodeOtlpJson(std::string_view json, SpanBatch* batch, DecodeStats* stats) {
  thread_local dom::parser parser;
  Status result = Status::Ok();
  {
    dom::element root;
    // realloc_if_needed: simdjson reads past the end of its input, so the
    // body is copied into the parser's padded buffer (reused across calls).
    simdjson::error_code err = parser.parse(json.data(), json.size(), true).get(root);
    if (err != simdjson::SUCCESS) {
      result = InvalidArgument(std::string("malformed OTLP JSON: ") + simdjson::error_message(err));
    } else {
      SpanBatch decoded;
      DecodeStats decoded_stats;  // merged into *stats only on success
      JsonDecoder decoder;
      if (decoder.DecodeRequest(root, &decoded, &decoded_stats)) {
        otlp_internal::AppendNonEmpty(std::move(decoded), batch);
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
