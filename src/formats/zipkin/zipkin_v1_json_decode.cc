// Zipkin v1 JSON -> model: each span is read into a ZipkinV1Span, converted
// to v2 spans (zipkin_v1.h) and handed to ZipkinBatchBuilder.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "formats/zipkin/zipkin_decode.h"
#include "formats/zipkin/zipkin_json_reader.h"
#include "formats/zipkin/zipkin_model.h"
#include "formats/zipkin/zipkin_v1.h"

namespace spoor {
namespace {

using zipkin::dom::element;
using Path = JsonPath;

class ZipkinV1JsonDecoder : public zipkin::JsonReader {
 public:
  ZipkinV1JsonDecoder() : JsonReader("zipkin v1 json: ") {}

  bool DecodeList(element root, zipkin::ZipkinBatchBuilder* builder) {
    if (!root.is_array()) return Fail(Path(), "expected array of spans");
    size_t index = 0;
    std::vector<zipkin::ZipkinSpanView> converted;
    return ForEachElement(root, Path(), [&](element item, const Path& p) {
      zipkin::ZipkinV1Span span;
      std::string why;
      if (!DecodeSpan(item, p, &span, &why)) return false;
      if (!why.empty()) {
        builder->Reject(index, why);
      } else {
        converted.clear();
        zipkin::ConvertV1Span(span, &converted);
        for (zipkin::ZipkinSpanView& s : converted) builder->Add(std::move(s));
      }
      ++index;
      return true;
    });
  }

 private:
  // Returns false only for a malformed span; *why is set for an unusable one.
  bool DecodeSpan(element e, const Path& p, zipkin::ZipkinV1Span* out, std::string* why);
  // An endpoint object; an empty one reads as absent.
  bool DecodeOptionalEndpoint(element e, const Path& p, std::optional<zipkin::ZipkinEndpoint>* out);
  bool DecodeAnnotation(element e, const Path& p, zipkin::ZipkinV1Annotation* out);
  bool DecodeBinaryAnnotation(element e, const Path& p, zipkin::ZipkinV1BinaryAnnotation* out,
                              bool* has_value);
};

bool ZipkinV1JsonDecoder::DecodeSpan(element e, const Path& p, zipkin::ZipkinV1Span* out,
                                     std::string* why) {
  std::string_view trace_id, span_id, parent_id;
  bool ok = ForEachField(e, p, [&](std::string_view key, element v, const Path& fp) {
    if (key == "traceId") return GetString(v, fp, &trace_id);
    if (key == "id") return GetString(v, fp, &span_id);
    if (key == "parentId") return GetString(v, fp, &parent_id);
    if (key == "name") return GetString(v, fp, &out->name);
    if (key == "timestamp") return GetUint(v, fp, zipkin::kMaxMicros, &out->timestamp_us);
    if (key == "duration") return GetUint(v, fp, zipkin::kMaxMicros, &out->duration_us);
    if (key == "debug") return GetBool(v, fp, &out->debug);
    if (key == "annotations") {
      return ForEachElement(v, fp, [&](element a, const Path& ap) {
        return DecodeAnnotation(a, ap, &out->annotations.emplace_back());
      });
    }
    if (key == "binaryAnnotations") {
      return ForEachElement(v, fp, [&](element b, const Path& bp) {
        bool keep = false;
        if (!DecodeBinaryAnnotation(b, bp, &out->binary_annotations.emplace_back(), &keep)) {
          return false;
        }
        // As in Zipkin, one without a value says nothing.
        if (!keep) out->binary_annotations.pop_back();
        return true;
      });
    }
    return true;
  });
  if (!ok) return false;
  if (out->timestamp_us + out->duration_us > zipkin::kMaxMicros) {
    return Fail(p.Field("duration"), "integer out of range");
  }
  *why =
      zipkin::ParseSpanIds(trace_id, span_id, parent_id, &out->trace_id, &out->id, &out->parent_id);
  return true;
}

bool ZipkinV1JsonDecoder::DecodeOptionalEndpoint(element e, const Path& p,
                                                 std::optional<zipkin::ZipkinEndpoint>* out) {
  zipkin::ZipkinEndpoint endpoint;
  if (!DecodeEndpoint(e, p, &endpoint)) return false;
  if (!endpoint.empty()) *out = std::move(endpoint);
  return true;
}

bool ZipkinV1JsonDecoder::DecodeAnnotation(element e, const Path& p,
                                           zipkin::ZipkinV1Annotation* out) {
  bool has_timestamp = false, has_value = false;
  bool ok = ForEachField(e, p, [&](std::string_view key, element v, const Path& fp) {
    if (key == "timestamp") {
      has_timestamp = true;
      return GetUint(v, fp, zipkin::kMaxMicros, &out->timestamp_us);
    }
    if (key == "value") {
      has_value = true;
      return GetString(v, fp, &out->value);
    }
    if (key == "endpoint") return DecodeOptionalEndpoint(v, fp, &out->endpoint);
    return true;
  });
  if (!ok) return false;
  // As in Zipkin: an annotation is a time and a value.
  if (!has_timestamp) return Fail(p, "annotation without a timestamp");
  if (!has_value) return Fail(p, "annotation without a value");
  return true;
}

bool ZipkinV1JsonDecoder::DecodeBinaryAnnotation(element e, const Path& p,
                                                 zipkin::ZipkinV1BinaryAnnotation* out,
                                                 bool* has_value) {
  bool has_key = false;
  bool is_true = false;
  bool ok = ForEachField(e, p, [&](std::string_view key, element v, const Path& fp) {
    if (key == "key") {
      has_key = true;
      return GetString(v, fp, &out->key);
    }
    if (key == "value") {
      *has_value = true;
      is_true = v.is_bool() && v.get<bool>().value_unsafe();
      return TagText(v, fp, &out->value);
    }
    if (key == "endpoint") return DecodeOptionalEndpoint(v, fp, &out->endpoint);
    return true;
  });
  if (!ok) return false;
  if (!has_key) return Fail(p, "binary annotation without a key");
  out->is_address = is_true && out->endpoint.has_value() &&
                    (out->key == "sa" || out->key == "ca" || out->key == "ma");
  return true;
}

}  // namespace

Status DecodeZipkinV1Json(std::string_view json, SpanBatch* batch, DecodeStats* stats) {
  zipkin::ZipkinBatchBuilder builder;
  Status s = zipkin::DecodeJsonDocument(
      json, "zipkin v1 json: ", [&](zipkin::dom::element root, std::string* error) {
        ZipkinV1JsonDecoder decoder;
        if (decoder.DecodeList(root, &builder)) return true;
        *error = decoder.error();
        return false;
      });
  if (s.ok()) builder.Finish(batch, stats);
  return s;
}

}  // namespace spoor
