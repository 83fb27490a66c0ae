// OTLP protobuf -> model, read straight from the request bytes with
// formats/protowire: no protobuf message objects in between. It accepts and
// refuses exactly what the protobuf library's parser does (merging of
// repeated singular fields, unknown fields and groups skipped, UTF-8 checked
// in `string` fields (common/utf8.h), nesting bounded) and maps as ConvertOtlpRequest does;
// tests/unit/format_otlp/otlp_proto_wire_test.cc and the otlp_proto fuzz
// target compare the two.

#include <climits>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "common/utf8.h"
#include "formats/otlp/otlp_decode.h"
#include "formats/otlp/otlp_internal.h"
#include "formats/protowire/wire_reader.h"
#include "model/string_table.h"

namespace spoor {
namespace {

using protowire::kFixed32;
using protowire::kFixed64;
using protowire::kLengthDelimited;
using protowire::kVarint;
using protowire::MakeTag;
using protowire::WireReader;

// Enums are stored by the library as a 32-bit int.
int64_t EnumValue(uint64_t v) {
  return static_cast<int32_t>(static_cast<uint32_t>(v));
}

// How many times each of `tags` occurs among the fields of the message `r`
// reads (stopping at the first malformed field, which the parse proper then
// reports): the repeated fields' vectors are sized once, not grown.
template <size_t N>
void CountFields(WireReader r, int depth, const uint32_t (&tags)[N], size_t (&counts)[N]) {
  while (!r.done()) {
    uint32_t tag = 0;
    if (!r.ReadTag(&tag)) return;
    for (size_t i = 0; i < N; ++i) counts[i] += tag == tags[i] ? 1 : 0;
    if (!r.SkipField(tag, depth)) return;
  }
}

size_t CountField(const WireReader& r, int depth, uint32_t tag) {
  const uint32_t tags[1] = {tag};
  size_t counts[1] = {0};
  CountFields(r, depth, tags, counts);
  return counts[0];
}

class Decoder {
 public:
  bool Request(WireReader& r, SpanBatch* out) {
    out->resource_spans.reserve(CountField(r, protowire::kMaxDepth, MakeTag(1, kLengthDelimited)));
    while (!r.done()) {
      uint32_t tag = 0;
      if (!r.ReadTag(&tag)) return Error(r, "ExportTraceServiceRequest");
      if (tag == MakeTag(1, kLengthDelimited)) {
        WireReader sub = r;
        if (!Enter(r, protowire::kMaxDepth, &sub, "ExportTraceServiceRequest")) return false;
        if (!ResourceSpansMessage(sub, protowire::kMaxDepth - 1,
                                  &out->resource_spans.emplace_back())) {
          return false;
        }
      } else if (!r.SkipField(tag, protowire::kMaxDepth)) {
        return Error(r, "ExportTraceServiceRequest");
      }
    }
    return true;
  }

  // Spans left out for unusable IDs, counted as RecordRejection does.
  [[nodiscard]] DecodeStats& rejections() { return rejections_; }

  [[nodiscard]] std::string error_message() const {
    return std::string("malformed OTLP protobuf: ") + error_ + " in " + error_in_ + " at byte " +
           std::to_string(error_offset_);
  }

 private:
  // Records the first (innermost) failure; always returns false.
  bool Error(const WireReader& r, const char* message_name) {
    if (error_in_ == nullptr) {
      error_ = r.error();
      error_in_ = message_name;
      error_offset_ = r.offset();
    }
    return false;
  }

  // Reads a sub-message's payload into `sub`, checking the nesting left.
  bool Enter(WireReader& r, int depth, WireReader* sub, const char* message_name) {
    std::string_view payload;
    if (!r.ReadBytes(&payload)) return Error(r, message_name);
    if (depth <= 0) {
      r.Fail("nesting deeper than 100 levels");
      return Error(r, message_name);
    }
    *sub = r.Nested(payload);
    return true;
  }

  bool String(WireReader& r, std::string_view* out, const char* message_name) {
    if (!r.ReadBytes(out)) return Error(r, message_name);
    if (!IsValidUtf8(*out)) {
      r.Fail("a string field that is not UTF-8");
      return Error(r, message_name);
    }
    return true;
  }

  bool Uint32(WireReader& r, uint32_t* out, const char* message_name) {
    uint64_t v = 0;
    if (!r.ReadVarint(&v)) return Error(r, message_name);
    *out = static_cast<uint32_t>(v);
    return true;
  }

  bool AnyValueMessage(WireReader& r, int depth, AnyValue* out) {
    constexpr const char* kName = "AnyValue";
    while (!r.done()) {
      uint32_t tag = 0;
      if (!r.ReadTag(&tag)) return Error(r, kName);
      switch (tag) {
        case MakeTag(1, kLengthDelimited):
        case MakeTag(7, kLengthDelimited): {
          std::string_view s;
          if (tag == MakeTag(1, kLengthDelimited) ? !String(r, &s, kName) : !r.ReadBytes(&s)) {
            return Error(r, kName);
          }
          if (out->type != ValueType::kEmpty) *out = AnyValue{};
          out->type = tag == MakeTag(1, kLengthDelimited) ? ValueType::kString : ValueType::kBytes;
          out->string_value.assign(s);
          break;
        }
        case MakeTag(2, kVarint):
        case MakeTag(3, kVarint): {
          uint64_t v = 0;
          if (!r.ReadVarint(&v)) return Error(r, kName);
          if (out->type != ValueType::kEmpty) *out = AnyValue{};
          if (tag == MakeTag(2, kVarint)) {
            out->type = ValueType::kBool;
            out->bool_value = v != 0;
          } else {
            out->type = ValueType::kInt;
            out->int_value = static_cast<int64_t>(v);
          }
          break;
        }
        case MakeTag(4, kFixed64): {
          uint64_t bits = 0;
          if (!r.ReadFixed64(&bits)) return Error(r, kName);
          if (out->type != ValueType::kEmpty) *out = AnyValue{};
          out->type = ValueType::kDouble;
          std::memcpy(&out->double_value, &bits, sizeof bits);
          break;
        }
        case MakeTag(5, kLengthDelimited):
        case MakeTag(6, kLengthDelimited): {
          // A second array (or map) in the same value merges into the first,
          // as the library merges a repeated singular message field.
          const bool array = tag == MakeTag(5, kLengthDelimited);
          const ValueType type = array ? ValueType::kArray : ValueType::kKvList;
          WireReader sub = r;
          if (!Enter(r, depth, &sub, kName)) return false;
          if (out->type != type) {
            *out = AnyValue{};
            out->type = type;
          }
          if (!(array ? ArrayValueMessage(sub, depth - 1, &out->array)
                      : KeyValueListMessage(sub, depth - 1, &out->kvlist))) {
            return false;
          }
          break;
        }
        default:
          if (!r.SkipField(tag, depth)) return Error(r, kName);
      }
    }
    return true;
  }

  bool ArrayValueMessage(WireReader& r, int depth, BoxedVector<AnyValue>* out) {
    while (!r.done()) {
      uint32_t tag = 0;
      if (!r.ReadTag(&tag)) return Error(r, "ArrayValue");
      if (tag == MakeTag(1, kLengthDelimited)) {
        WireReader sub = r;
        if (!Enter(r, depth, &sub, "ArrayValue")) return false;
        if (!AnyValueMessage(sub, depth - 1, &out->emplace_back())) return false;
      } else if (!r.SkipField(tag, depth)) {
        return Error(r, "ArrayValue");
      }
    }
    return true;
  }

  bool KeyValueListMessage(WireReader& r, int depth, BoxedVector<KeyValue>* out) {
    while (!r.done()) {
      uint32_t tag = 0;
      if (!r.ReadTag(&tag)) return Error(r, "KeyValueList");
      if (tag == MakeTag(1, kLengthDelimited)) {
        if (!Attribute(r, depth, out, "KeyValueList")) return false;
      } else if (!r.SkipField(tag, depth)) {
        return Error(r, "KeyValueList");
      }
    }
    return true;
  }

  // One KeyValue element of a repeated attributes field of a message at
  // nesting `depth`.
  template <typename Container>
  bool Attribute(WireReader& r, int depth, Container* out, const char* message_name) {
    WireReader sub = r;
    if (!Enter(r, depth, &sub, message_name)) return false;
    return KeyValueMessage(sub, depth - 1, &out->emplace_back());
  }

  bool KeyValueMessage(WireReader& r, int depth, KeyValue* out) {
    constexpr const char* kName = "KeyValue";
    while (!r.done()) {
      uint32_t tag = 0;
      if (!r.ReadTag(&tag)) return Error(r, kName);
      if (tag == MakeTag(1, kLengthDelimited)) {
        std::string_view key;
        if (!String(r, &key, kName)) return false;
        out->key = Intern(key);
      } else if (tag == MakeTag(2, kLengthDelimited)) {
        WireReader sub = r;
        if (!Enter(r, depth, &sub, kName)) return false;
        if (!AnyValueMessage(sub, depth - 1, &out->value)) return false;
      } else if (!r.SkipField(tag, depth)) {
        return Error(r, kName);
      }
    }
    if (out->key.data() == nullptr) out->key = Intern("");
    return true;
  }

  bool ResourceMessage(WireReader& r, int depth, Resource* out) {
    constexpr const char* kName = "Resource";
    out->attributes.reserve(out->attributes.size() +
                            CountField(r, depth, MakeTag(1, kLengthDelimited)));
    while (!r.done()) {
      uint32_t tag = 0;
      if (!r.ReadTag(&tag)) return Error(r, kName);
      if (tag == MakeTag(1, kLengthDelimited)) {
        if (!Attribute(r, depth, &out->attributes, kName)) return false;
      } else if (tag == MakeTag(2, kVarint)) {
        if (!Uint32(r, &out->dropped_attributes_count, kName)) return false;
      } else if (!r.SkipField(tag, depth)) {
        return Error(r, kName);
      }
    }
    return true;
  }

  bool ScopeMessage(WireReader& r, int depth, Scope* out) {
    constexpr const char* kName = "InstrumentationScope";
    out->attributes.reserve(out->attributes.size() +
                            CountField(r, depth, MakeTag(3, kLengthDelimited)));
    while (!r.done()) {
      uint32_t tag = 0;
      if (!r.ReadTag(&tag)) return Error(r, kName);
      switch (tag) {
        case MakeTag(1, kLengthDelimited):
        case MakeTag(2, kLengthDelimited): {
          std::string_view s;
          if (!String(r, &s, kName)) return false;
          (tag == MakeTag(1, kLengthDelimited) ? out->name : out->version) = Intern(s);
          break;
        }
        case MakeTag(3, kLengthDelimited):
          if (!Attribute(r, depth, &out->attributes, kName)) return false;
          break;
        case MakeTag(4, kVarint):
          if (!Uint32(r, &out->dropped_attributes_count, kName)) return false;
          break;
        default:
          if (!r.SkipField(tag, depth)) return Error(r, kName);
      }
    }
    return true;
  }

  bool EventMessage(WireReader& r, int depth, Event* out) {
    constexpr const char* kName = "Span.Event";
    out->attributes.reserve(CountField(r, depth, MakeTag(3, kLengthDelimited)));
    while (!r.done()) {
      uint32_t tag = 0;
      if (!r.ReadTag(&tag)) return Error(r, kName);
      switch (tag) {
        case MakeTag(1, kFixed64):
          if (!r.ReadFixed64(&out->time_ns)) return Error(r, kName);
          break;
        case MakeTag(2, kLengthDelimited): {
          std::string_view name;
          if (!String(r, &name, kName)) return false;
          out->name = Intern(name);
          break;
        }
        case MakeTag(3, kLengthDelimited):
          if (!Attribute(r, depth, &out->attributes, kName)) return false;
          break;
        case MakeTag(4, kVarint):
          if (!Uint32(r, &out->dropped_attributes_count, kName)) return false;
          break;
        default:
          if (!r.SkipField(tag, depth)) return Error(r, kName);
      }
    }
    if (out->name.data() == nullptr) out->name = Intern("");
    return true;
  }

  // Sets `*usable` to false for a link whose IDs have an impossible length.
  bool LinkMessage(WireReader& r, int depth, Link* out, bool* usable) {
    constexpr const char* kName = "Span.Link";
    out->attributes.reserve(CountField(r, depth, MakeTag(4, kLengthDelimited)));
    std::string_view trace_id;
    std::string_view span_id;
    while (!r.done()) {
      uint32_t tag = 0;
      if (!r.ReadTag(&tag)) return Error(r, kName);
      switch (tag) {
        case MakeTag(1, kLengthDelimited):
          if (!r.ReadBytes(&trace_id)) return Error(r, kName);
          break;
        case MakeTag(2, kLengthDelimited):
          if (!r.ReadBytes(&span_id)) return Error(r, kName);
          break;
        case MakeTag(3, kLengthDelimited): {
          std::string_view s;
          if (!String(r, &s, kName)) return false;
          out->trace_state.assign(s);
          break;
        }
        case MakeTag(4, kLengthDelimited):
          if (!Attribute(r, depth, &out->attributes, kName)) return false;
          break;
        case MakeTag(5, kVarint):
          if (!Uint32(r, &out->dropped_attributes_count, kName)) return false;
          break;
        case MakeTag(6, kFixed32):
          if (!r.ReadFixed32(&out->flags)) return Error(r, kName);
          break;
        default:
          if (!r.SkipField(tag, depth)) return Error(r, kName);
      }
    }
    *usable = true;
    if (!trace_id.empty()) {
      auto id = TraceId::FromBytes(trace_id);
      if (!id)
        *usable = false;
      else
        out->trace_id = *id;
    }
    if (!span_id.empty()) {
      auto id = SpanId::FromBytes(span_id);
      if (!id)
        *usable = false;
      else
        out->span_id = *id;
    }
    return true;
  }

  bool StatusMessage(WireReader& r, int depth, SpanStatus* out) {
    constexpr const char* kName = "Status";
    while (!r.done()) {
      uint32_t tag = 0;
      if (!r.ReadTag(&tag)) return Error(r, kName);
      if (tag == MakeTag(2, kLengthDelimited)) {
        std::string_view s;
        if (!String(r, &s, kName)) return false;
        out->message.assign(s);
      } else if (tag == MakeTag(3, kVarint)) {
        uint64_t v = 0;
        if (!r.ReadVarint(&v)) return Error(r, kName);
        out->code = otlp_internal::StatusCodeFromNumber(EnumValue(v));
      } else if (!r.SkipField(tag, depth)) {
        return Error(r, kName);
      }
    }
    return true;
  }

  // Parses a span into `out`; `*why` is left empty if its IDs are usable.
  bool SpanMessage(WireReader& r, int depth, Span* out, std::string* why) {
    constexpr const char* kName = "Span";
    std::string_view trace_id;
    std::string_view span_id;
    std::string_view parent_span_id;
    uint32_t dropped_links = 0;
    uint32_t unusable_links = 0;
    {
      const uint32_t tags[3] = {MakeTag(9, kLengthDelimited), MakeTag(11, kLengthDelimited),
                                MakeTag(13, kLengthDelimited)};
      size_t counts[3] = {0, 0, 0};
      CountFields(r, depth, tags, counts);
      out->attributes.reserve(counts[0]);
      out->events.reserve(counts[1]);
      out->links.reserve(counts[2]);
    }
    while (!r.done()) {
      uint32_t tag = 0;
      if (!r.ReadTag(&tag)) return Error(r, kName);
      switch (tag) {
        case MakeTag(1, kLengthDelimited):
          if (!r.ReadBytes(&trace_id)) return Error(r, kName);
          break;
        case MakeTag(2, kLengthDelimited):
          if (!r.ReadBytes(&span_id)) return Error(r, kName);
          break;
        case MakeTag(3, kLengthDelimited): {
          std::string_view s;
          if (!String(r, &s, kName)) return false;
          out->trace_state.assign(s);
          break;
        }
        case MakeTag(4, kLengthDelimited):
          if (!r.ReadBytes(&parent_span_id)) return Error(r, kName);
          break;
        case MakeTag(5, kLengthDelimited): {
          std::string_view name;
          if (!String(r, &name, kName)) return false;
          out->name = Intern(name);
          break;
        }
        case MakeTag(6, kVarint): {
          uint64_t v = 0;
          if (!r.ReadVarint(&v)) return Error(r, kName);
          out->kind = otlp_internal::SpanKindFromNumber(EnumValue(v));
          break;
        }
        case MakeTag(7, kFixed64):
          if (!r.ReadFixed64(&out->start_time_ns)) return Error(r, kName);
          break;
        case MakeTag(8, kFixed64):
          if (!r.ReadFixed64(&out->end_time_ns)) return Error(r, kName);
          break;
        case MakeTag(9, kLengthDelimited):
          if (!Attribute(r, depth, &out->attributes, kName)) return false;
          break;
        case MakeTag(10, kVarint):
          if (!Uint32(r, &out->dropped_attributes_count, kName)) return false;
          break;
        case MakeTag(11, kLengthDelimited): {
          WireReader sub = r;
          if (!Enter(r, depth, &sub, kName)) return false;
          if (!EventMessage(sub, depth - 1, &out->events.emplace_back())) return false;
          break;
        }
        case MakeTag(12, kVarint):
          if (!Uint32(r, &out->dropped_events_count, kName)) return false;
          break;
        case MakeTag(13, kLengthDelimited): {
          WireReader sub = r;
          if (!Enter(r, depth, &sub, kName)) return false;
          bool usable = false;
          if (!LinkMessage(sub, depth - 1, &out->links.emplace_back(), &usable)) return false;
          if (!usable) {
            out->links.pop_back();
            ++unusable_links;
          }
          break;
        }
        case MakeTag(14, kVarint):
          if (!Uint32(r, &dropped_links, kName)) return false;
          break;
        case MakeTag(15, kLengthDelimited): {
          WireReader sub = r;
          if (!Enter(r, depth, &sub, kName)) return false;
          if (!StatusMessage(sub, depth - 1, &out->status)) return false;
          break;
        }
        case MakeTag(16, kFixed32):
          if (!r.ReadFixed32(&out->flags)) return Error(r, kName);
          break;
        default:
          if (!r.SkipField(tag, depth)) return Error(r, kName);
      }
    }
    out->dropped_links_count = dropped_links + unusable_links;
    if (out->name.data() == nullptr) out->name = Intern("");
    *why = otlp_internal::CheckSpanIds(trace_id, span_id, parent_span_id);
    if (why->empty()) {
      out->trace_id = *TraceId::FromBytes(trace_id);
      out->span_id = *SpanId::FromBytes(span_id);
      if (!parent_span_id.empty()) out->parent_span_id = *SpanId::FromBytes(parent_span_id);
    }
    return true;
  }

  bool ScopeSpansMessage(WireReader& r, int depth, ScopeSpans* out) {
    constexpr const char* kName = "ScopeSpans";
    auto scope = std::make_shared<Scope>();
    out->spans.reserve(CountField(r, depth, MakeTag(2, kLengthDelimited)));
    while (!r.done()) {
      uint32_t tag = 0;
      if (!r.ReadTag(&tag)) return Error(r, kName);
      if (tag == MakeTag(2, kLengthDelimited)) {
        WireReader sub = r;
        if (!Enter(r, depth, &sub, kName)) return false;
        Span& span = out->spans.emplace_back();
        std::string why;
        if (!SpanMessage(sub, depth - 1, &span, &why)) return false;
        if (!why.empty()) {
          out->spans.pop_back();
          otlp_internal::RecordRejection(&rejections_, span_index_, why);
        }
        ++span_index_;
      } else if (tag == MakeTag(1, kLengthDelimited)) {
        WireReader sub = r;
        if (!Enter(r, depth, &sub, kName)) return false;
        if (!ScopeMessage(sub, depth - 1, scope.get())) return false;
      } else if (tag == MakeTag(3, kLengthDelimited)) {
        std::string_view s;
        if (!String(r, &s, kName)) return false;
        scope->schema_url.assign(s);
      } else if (!r.SkipField(tag, depth)) {
        return Error(r, kName);
      }
    }
    if (scope->name.data() == nullptr) scope->name = Intern("");
    if (scope->version.data() == nullptr) scope->version = Intern("");
    out->scope = std::move(scope);
    return true;
  }

  bool ResourceSpansMessage(WireReader& r, int depth, ResourceSpans* out) {
    constexpr const char* kName = "ResourceSpans";
    auto resource = std::make_shared<Resource>();
    out->scope_spans.reserve(CountField(r, depth, MakeTag(2, kLengthDelimited)));
    while (!r.done()) {
      uint32_t tag = 0;
      if (!r.ReadTag(&tag)) return Error(r, kName);
      if (tag == MakeTag(2, kLengthDelimited)) {
        WireReader sub = r;
        if (!Enter(r, depth, &sub, kName)) return false;
        if (!ScopeSpansMessage(sub, depth - 1, &out->scope_spans.emplace_back())) return false;
      } else if (tag == MakeTag(1, kLengthDelimited)) {
        WireReader sub = r;
        if (!Enter(r, depth, &sub, kName)) return false;
        if (!ResourceMessage(sub, depth - 1, resource.get())) return false;
      } else if (tag == MakeTag(3, kLengthDelimited)) {
        std::string_view s;
        if (!String(r, &s, kName)) return false;
        resource->schema_url.assign(s);
      } else if (!r.SkipField(tag, depth)) {
        return Error(r, kName);
      }
    }
    resource->ResolveServiceName();
    out->resource = std::move(resource);
    return true;
  }

  DecodeStats rejections_;
  size_t span_index_ = 0;
  const char* error_ = "";
  const char* error_in_ = nullptr;
  size_t error_offset_ = 0;
};

}  // namespace

Status DecodeOtlpProto(std::string_view bytes, SpanBatch* batch, DecodeStats* stats) {
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    return InvalidArgument("malformed OTLP protobuf: message larger than 2 GiB");
  }
  Decoder decoder;
  WireReader reader(bytes);
  SpanBatch decoded;
  if (!decoder.Request(reader, &decoded)) return InvalidArgument(decoder.error_message());
  if (stats != nullptr && decoder.rejections().rejected_spans > 0) {
    stats->rejected_spans += decoder.rejections().rejected_spans;
    if (stats->rejection_reason.empty()) {
      stats->rejection_reason = std::move(decoder.rejections().rejection_reason);
    }
  }
  otlp_internal::AppendNonEmpty(std::move(decoded), batch);
  return Status::Ok();
}

}  // namespace spoor
