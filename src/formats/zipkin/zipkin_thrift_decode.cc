// Zipkin v1 Thrift (zipkinCore.thrift list<Span>, binary protocol) -> model:
// each span is read into a ZipkinV1Span, converted to v2 spans (zipkin_v1.h)
// and handed to ZipkinBatchBuilder. Field numbers as in openzipkin/zipkin-api
// thrift/zipkinCore.thrift.

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/base64.h"
#include "formats/jaeger_model/jaeger_model.h"  // Utf8
#include "formats/thrift/thrift_struct.h"
#include "formats/zipkin/zipkin_decode.h"
#include "formats/zipkin/zipkin_model.h"
#include "formats/zipkin/zipkin_v1.h"

namespace spoor {
namespace {

using thrift::TType;

// zipkinCore.thrift AnnotationType.
enum AnnotationType : int32_t {
  kBool = 0,
  kBytes = 1,
  kI16 = 2,
  kI32 = 3,
  kI64 = 4,
  kDouble = 5,
  kString = 6,
};

constexpr int32_t kNoType = -1;

uint64_t LoadBigEndian(std::string_view bytes) {
  uint64_t v = 0;
  for (char c : bytes) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}

// Negative times read as absent; larger ones than the model holds saturate.
uint64_t Micros(int64_t v) {
  if (v <= 0) return 0;
  return std::min(static_cast<uint64_t>(v), zipkin::kMaxMicros);
}

class ZipkinThriftDecoder : public thrift::StructDecoder {
 public:
  explicit ZipkinThriftDecoder(std::string_view input)
      : StructDecoder(input, ThriftProtocol::kBinary) {}

  bool ReadSpans(zipkin::ZipkinBatchBuilder* builder) {
    TType elem = TType::kStop;
    uint32_t size = 0;
    if (!r_.ReadListBegin(&elem, &size) || !CheckType(elem, TType::kStruct)) {
      return Context("list<Span>");
    }
    std::vector<zipkin::ZipkinSpanView> converted;
    for (uint32_t i = 0; i < size; ++i) {
      zipkin::ZipkinV1Span span;
      owned_.clear();
      std::string why;
      if (!ReadSpan(&span, &why)) return Context("[" + std::to_string(i) + "]");
      if (!why.empty()) {
        builder->Reject(i, why);
        continue;
      }
      converted.clear();
      zipkin::ConvertV1Span(span, &converted);
      for (zipkin::ZipkinSpanView& s : converted) builder->Add(std::move(s));
    }
    r_.ContainerEnd();
    return true;
  }

 private:
  // Thrift strings are bytes; the model's are UTF-8. A view of `s`, or of a
  // copy with invalid bytes replaced, kept until the next span.
  std::string_view Text(std::string_view s) {
    std::string scratch;
    std::string_view valid = jaeger_model::Utf8(s, &scratch);
    if (valid.data() == s.data()) return s;
    return owned_.emplace_back(std::move(scratch));
  }

  bool TextField(TType type, const char* name, std::string_view* v) {
    if (!String(type, name, v)) return false;
    *v = Text(*v);
    return true;
  }

  bool ReadSpan(zipkin::ZipkinV1Span* out, std::string* why) {
    int64_t trace_id = 0, trace_id_high = 0, id = 0, parent_id = 0, timestamp = 0, duration = 0;
    bool ok = ReadStruct([&](TType type, int16_t field) {
      switch (field) {
        case 1: return I64(type, "trace_id", &trace_id);
        case 3: return TextField(type, "name", &out->name);
        case 4: return I64(type, "id", &id);
        case 5: return I64(type, "parent_id", &parent_id);
        case 6:
          return List(type, TType::kStruct, "annotations", [&](uint32_t) {
            zipkin::ZipkinV1Annotation a;
            if (!ReadAnnotation(&a)) return false;
            // As in Zipkin: an annotation without a time or value says nothing.
            if (a.timestamp_us != 0 && !a.value.empty()) out->annotations.push_back(std::move(a));
            return true;
          });
        case 8:
          return List(type, TType::kStruct, "binary_annotations", [&](uint32_t) {
            zipkin::ZipkinV1BinaryAnnotation b;
            bool keep = false;
            if (!ReadBinaryAnnotation(&b, &keep)) return false;
            if (keep) out->binary_annotations.push_back(std::move(b));
            return true;
          });
        case 9: return Bool(type, "debug", &out->debug);
        case 10: return I64(type, "timestamp", &timestamp);
        case 11: return I64(type, "duration", &duration);
        case 12: return I64(type, "trace_id_high", &trace_id_high);
        default: return r_.Skip(type);
      }
    });
    if (!ok) return false;
    out->timestamp_us = Micros(timestamp);
    out->duration_us = Micros(duration);
    out->trace_id = {static_cast<uint64_t>(trace_id_high), static_cast<uint64_t>(trace_id)};
    out->id = {static_cast<uint64_t>(id)};
    out->parent_id = {static_cast<uint64_t>(parent_id)};
    if (trace_id == 0 && trace_id_high == 0) {
      *why = "trace_id is zero";
    } else if (id == 0) {
      *why = "id is zero";
    }
    return true;
  }

  bool ReadEndpoint(std::optional<zipkin::ZipkinEndpoint>* out) {
    int32_t ipv4 = 0;
    int16_t port = 0;
    std::string_view service_name, ipv6;
    bool ok = ReadStruct([&](TType type, int16_t field) {
      switch (field) {
        case 1: return I32(type, "ipv4", &ipv4);
        case 2: return I16(type, "port", &port);
        case 3: return TextField(type, "service_name", &service_name);
        case 4: return String(type, "ipv6", &ipv6);
        default: return r_.Skip(type);
      }
    });
    if (!ok) return false;
    zipkin::ZipkinEndpoint e;
    e.service_name = service_name;
    if (ipv4 != 0) {
      const auto v = static_cast<uint32_t>(ipv4);
      const char bytes[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                             static_cast<char>(v >> 8), static_cast<char>(v)};
      e.ipv4 = zipkin::Ipv4Text(std::string_view(bytes, 4));
    }
    e.ipv6 = zipkin::Ipv6Text(ipv6);
    // An unsigned port in a signed field.
    e.port = static_cast<uint16_t>(port);
    if (!e.empty()) *out = std::move(e);
    return true;
  }

  bool ReadAnnotation(zipkin::ZipkinV1Annotation* out) {
    int64_t timestamp = 0;
    bool ok = ReadStruct([&](TType type, int16_t field) {
      switch (field) {
        case 1: return I64(type, "timestamp", &timestamp);
        case 2: return TextField(type, "value", &out->value);
        case 3:
          return Field(type, TType::kStruct, "host", [&] { return ReadEndpoint(&out->endpoint); });
        default: return r_.Skip(type);
      }
    });
    out->timestamp_us = Micros(timestamp);
    return ok;
  }

  // *keep is false for one Zipkin ignores (no key or value, or a type
  // unknown to this decoder).
  bool ReadBinaryAnnotation(zipkin::ZipkinV1BinaryAnnotation* out, bool* keep) {
    std::string_view value;
    bool has_key = false, has_value = false;
    int32_t annotation_type = kNoType;
    bool ok = ReadStruct([&](TType type, int16_t field) {
      switch (field) {
        case 1: has_key = true; return TextField(type, "key", &out->key);
        case 2: has_value = true; return String(type, "value", &value);
        case 3: return I32(type, "annotation_type", &annotation_type);
        case 4:
          return Field(type, TType::kStruct, "host", [&] { return ReadEndpoint(&out->endpoint); });
        default: return r_.Skip(type);
      }
    });
    if (!ok) return false;
    if (!has_key || !has_value) return true;
    *keep = true;
    if (!ValueText(annotation_type, value, out, keep)) return Context("value");
    return true;
  }

  // The value as a tag's text, by its type (big-endian numbers).
  bool ValueText(int32_t type, std::string_view value, zipkin::ZipkinV1BinaryAnnotation* out,
                 bool* keep) {
    size_t want = 0;
    switch (type) {
      case kBool: want = 1; break;
      case kI16: want = 2; break;
      case kI32: want = 4; break;
      case kI64:
      case kDouble: want = 8; break;
      case kBytes: out->value = Base64Encode(value); return true;
      case kString: out->value = Text(value); return true;
      default: *keep = false; return true;
    }
    if (value.size() != want) {
      return r_.Fail("annotation_type " + std::to_string(type) + " needs " + std::to_string(want) +
                     " bytes, got " + std::to_string(value.size()));
    }
    const uint64_t bits = LoadBigEndian(value);
    switch (type) {
      case kBool:
        // Address annotations: "sa", "ca" or "ma" set to true, with a host.
        out->is_address = bits == 1 && out->endpoint.has_value() &&
                          (out->key == "sa" || out->key == "ca" || out->key == "ma");
        out->value = bits != 0 ? "true" : "false";
        return true;
      case kI16: out->value = std::to_string(static_cast<int16_t>(bits)); return true;
      case kI32: out->value = std::to_string(static_cast<int32_t>(bits)); return true;
      case kI64: out->value = std::to_string(static_cast<int64_t>(bits)); return true;
      default: {
        char text[32];
        auto [end, ec] = std::to_chars(text, text + sizeof(text), std::bit_cast<double>(bits));
        out->value.assign(text, ec == std::errc() ? end : text);
        return true;
      }
    }
  }

  std::deque<std::string> owned_;
};

}  // namespace

Status DecodeZipkinV1Thrift(std::string_view bytes, SpanBatch* batch, DecodeStats* stats) {
  ZipkinThriftDecoder decoder(bytes);
  zipkin::ZipkinBatchBuilder builder;
  if (!decoder.ReadSpans(&builder) || !decoder.CheckEnd()) {
    return decoder.Error("zipkin thrift: ");
  }
  builder.Finish(batch, stats);
  return Status::Ok();
}

}  // namespace spoor
