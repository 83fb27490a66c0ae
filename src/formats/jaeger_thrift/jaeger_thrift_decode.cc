// jaeger.thrift Batch -> model. Field numbers as in Jaeger's IDL
// (jaeger-idl thrift/jaeger.thrift and agent.thrift).

#include "formats/jaeger_thrift/jaeger_thrift_decode.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "formats/jaeger_model/jaeger_model.h"
#include "formats/thrift/thrift_struct.h"
#include "model/string_table.h"

namespace spoor {
namespace {

using thrift::TType;

// jaeger.thrift TagType and SpanRefType.
enum TagType : int32_t {
  kTagString = 0,
  kTagDouble = 1,
  kTagBool = 2,
  kTagLong = 3,
  kTagBinary = 4
};

using jaeger_model::MicrosToNanos;
using jaeger_model::Reference;
using jaeger_model::Utf8;

class Decoder : public thrift::StructDecoder {
 public:
  Decoder(std::string_view input, ThriftProtocol protocol) : StructDecoder(input, protocol) {}

  // Reads a Batch (the whole input) into `spans` (accepted spans only) and
  // `resource`.
  bool ReadTopLevelBatch(Resource* resource, std::vector<Span>* spans, DecodeStats* stats) {
    return ReadBatch(resource, spans, stats) || Context("Batch");
  }

  // Reads an Agent.emitBatch call message holding a Batch.
  bool ReadEmitBatch(Resource* resource, std::vector<Span>* spans, DecodeStats* stats) {
    std::string_view name;
    uint8_t type = 0;
    int32_t seq_id = 0;
    if (!r_.ReadMessageBegin(&name, &type, &seq_id)) return Context("message header");
    if (name != "emitBatch") return r_.Fail("unexpected method '" + std::string(name) + "'");
    if (type != thrift::kMessageCall && type != thrift::kMessageOneway) {
      return r_.Fail("unexpected message type " + std::to_string(type));
    }
    bool has_batch = false;
    bool batch_failed = false;
    bool ok = ReadStruct([&](TType t, int16_t id) {
      if (id != 1) return r_.Skip(t);
      has_batch = true;
      if (Field(t, TType::kStruct, "Batch", [&] { return ReadBatch(resource, spans, stats); })) {
        return true;
      }
      batch_failed = true;
      return false;
    });
    if (!ok) return batch_failed ? false : Context("emitBatch args");
    if (!has_batch) return r_.Fail("emitBatch without a batch");
    return true;
  }

 private:
  bool ReadBatch(Resource* resource, std::vector<Span>* spans, DecodeStats* stats) {
    bool ok = ReadStruct([&](TType type, int16_t id) {
      switch (id) {
        case 1:
          return Field(type, TType::kStruct, "process", [&] { return ReadProcess(resource); });
        case 2:
          return List(
              type, TType::kStruct, "spans",
              [&](uint32_t i) {
                Span span;
                if (!ReadSpan(&span)) return false;
                Accept(std::move(span), i, spans, stats);
                return true;
              },
              spans);
        default: return r_.Skip(type);  // 3 seqNo, 4 stats and anything newer
      }
    });
    return ok;
  }

  bool ReadTags(TType type, const char* name, Attributes* out) {
    return List(
        type, TType::kStruct, name, [&](uint32_t) { return ReadTag(out); }, out);
  }

  bool ReadTag(Attributes* out) {
    std::string_view key, v_str, v_binary;
    int32_t v_type = kTagString;
    double v_double = 0;
    bool v_bool = false;
    int64_t v_long = 0;
    bool ok = ReadStruct([&](TType type, int16_t id) {
      switch (id) {
        case 1: return String(type, "key", &key);
        case 2: return I32(type, "vType", &v_type);
        case 3: return String(type, "vStr", &v_str);
        case 4:
          return Field(type, TType::kDouble, "vDouble", [&] { return r_.ReadDouble(&v_double); });
        case 5: return Field(type, TType::kBool, "vBool", [&] { return r_.ReadBool(&v_bool); });
        case 6: return I64(type, "vLong", &v_long);
        case 7: return String(type, "vBinary", &v_binary);
        default: return r_.Skip(type);
      }
    });
    if (!ok) return false;
    std::string scratch;
    KeyValue& kv = out->emplace_back();
    kv.key = Intern(Utf8(key, &scratch));
    AnyValue& v = kv.value;
    switch (v_type) {
      case kTagDouble:
        v.type = ValueType::kDouble;
        v.double_value = v_double;
        break;
      case kTagBool:
        v.type = ValueType::kBool;
        v.bool_value = v_bool;
        break;
      case kTagLong:
        v.type = ValueType::kInt;
        v.int_value = v_long;
        break;
      case kTagBinary:
        v.type = ValueType::kBytes;
        v.string_value.assign(v_binary);
        break;
      // STRING, and types newer than this decoder (shown as their vStr).
      default:
        v.type = ValueType::kString;
        v.string_value.assign(Utf8(v_str, &scratch));
        break;
    }
    return true;
  }

  bool ReadProcess(Resource* resource) {
    std::string_view service_name;
    Attributes tags;
    bool ok = ReadStruct([&](TType type, int16_t id) {
      switch (id) {
        case 1: return String(type, "serviceName", &service_name);
        case 2: return ReadTags(type, "tags", &tags);
        default: return r_.Skip(type);
      }
    });
    if (!ok) return false;
    jaeger_model::SetProcess(service_name, std::move(tags), resource);
    return true;
  }

  bool ReadReference(Reference* ref) {
    int64_t low = 0;
    int64_t high = 0;
    int64_t span_id = 0;
    bool ok = ReadStruct([&](TType type, int16_t id) {
      switch (id) {
        case 1: return I32(type, "refType", &ref->type);
        case 2: return I64(type, "traceIdLow", &low);
        case 3: return I64(type, "traceIdHigh", &high);
        case 4: return I64(type, "spanId", &span_id);
        default: return r_.Skip(type);
      }
    });
    ref->trace_id = {static_cast<uint64_t>(high), static_cast<uint64_t>(low)};
    ref->span_id = {static_cast<uint64_t>(span_id)};
    return ok;
  }

  bool ReadLog(Event* event) {
    int64_t timestamp = 0;
    bool ok = ReadStruct([&](TType type, int16_t id) {
      switch (id) {
        case 1: return I64(type, "timestamp", &timestamp);
        case 2: return ReadTags(type, "fields", &event->attributes);
        default: return r_.Skip(type);
      }
    });
    event->time_ns = MicrosToNanos(timestamp);
    jaeger_model::NameEvent(event);
    return ok;
  }

  bool ReadSpan(Span* span) {
    int64_t low = 0, high = 0, span_id = 0, parent = 0, start = 0, duration = 0;
    int32_t flags = 0;
    std::string_view name;
    std::vector<Reference> refs;
    bool ok = ReadStruct([&](TType type, int16_t id) {
      switch (id) {
        case 1: return I64(type, "traceIdLow", &low);
        case 2: return I64(type, "traceIdHigh", &high);
        case 3: return I64(type, "spanId", &span_id);
        case 4: return I64(type, "parentSpanId", &parent);
        case 5: return String(type, "operationName", &name);
        case 6:
          return List(type, TType::kStruct, "references",
                      [&](uint32_t) { return ReadReference(&refs.emplace_back()); });
        case 7: return I32(type, "flags", &flags);
        case 8: return I64(type, "startTime", &start);
        case 9: return I64(type, "duration", &duration);
        case 10: return ReadTags(type, "tags", &span->attributes);
        case 11:
          return List(
              type, TType::kStruct, "logs",
              [&](uint32_t) { return ReadLog(&span->events.emplace_back()); }, &span->events);
        default: return r_.Skip(type);
      }
    });
    if (!ok) return false;
    span->trace_id = {static_cast<uint64_t>(high), static_cast<uint64_t>(low)};
    span->span_id = {static_cast<uint64_t>(span_id)};
    span->flags = static_cast<uint32_t>(flags);
    std::string scratch;
    span->name = Intern(Utf8(name, &scratch));
    span->start_time_ns = MicrosToNanos(start);
    span->end_time_ns = jaeger_model::EndTime(span->start_time_ns, MicrosToNanos(duration));
    jaeger_model::MapReferences(refs, static_cast<uint64_t>(parent), span);
    jaeger_model::MapSpecialTags(span);
    return true;
  }

  static void Accept(Span&& span, uint32_t index, std::vector<Span>* spans, DecodeStats* stats) {
    jaeger_model::Accept(std::move(span), index, spans, stats);
  }
};

template <typename Read>
Status Decode(std::string_view input, ThriftProtocol protocol, SpanBatch* batch, DecodeStats* stats,
              Read read) {
  Decoder decoder(input, protocol);
  auto resource = std::make_shared<Resource>();
  std::vector<Span> spans;
  DecodeStats local;
  if (!read(decoder, resource.get(), &spans, &local) || !decoder.CheckEnd()) {
    return decoder.Error("jaeger thrift: ");
  }
  resource->ResolveServiceName();
  if (!spans.empty()) {
    ResourceSpans& rs = batch->resource_spans.emplace_back();
    rs.resource = std::move(resource);
    ScopeSpans& ss = rs.scope_spans.emplace_back();
    ss.scope = std::make_shared<const Scope>();
    ss.spans = std::move(spans);
  }
  if (stats != nullptr) {
    stats->rejected_spans += local.rejected_spans;
    if (stats->rejection_reason.empty())
      stats->rejection_reason = std::move(local.rejection_reason);
  }
  return Status::Ok();
}

}  // namespace

Status DecodeJaegerThriftBatch(std::string_view bytes, ThriftProtocol protocol, SpanBatch* batch,
                               DecodeStats* stats) {
  return Decode(bytes, protocol, batch, stats,
                [](Decoder& d, Resource* res, std::vector<Span>* spans, DecodeStats* st) {
                  return d.ReadTopLevelBatch(res, spans, st);
                });
}

Status DecodeJaegerAgentPacket(std::string_view packet, ThriftProtocol protocol, SpanBatch* batch,
                               DecodeStats* stats) {
  return Decode(packet, protocol, batch, stats,
                [](Decoder& d, Resource* res, std::vector<Span>* spans, DecodeStats* st) {
                  return d.ReadEmitBatch(res, spans, st);
                });
}

}  // namespace spoor
