// Zipkin v2 JSON -> model, on simdjson's DOM.
//
// Each span is read into a ZipkinSpanView and handed to ZipkinBatchBuilder
// (zipkin_model.h), which files it under the resource of its localEndpoint.
// The path to the current value is kept as a chain of stack frames and
// rendered only for an error message.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "formats/zipkin/zipkin_decode.h"
#include "formats/zipkin/zipkin_json_reader.h"
#include "formats/zipkin/zipkin_model.h"
#include "model/string_table.h"

namespace spoor {
namespace {

using zipkin::dom::element;
using Path = JsonPath;

class ZipkinJsonDecoder : public zipkin::JsonReader {
 public:
  ZipkinJsonDecoder() : JsonReader("zipkin json: ") {}

  bool DecodeList(element root, zipkin::ZipkinBatchBuilder* builder) {
    if (!root.is_array()) return Fail(Path(), "expected array of spans");
    size_t index = 0;
    return ForEachElement(root, Path(), [&](element item, const Path& p) {
      zipkin::ZipkinSpanView s;
      std::string why;
      if (!DecodeSpan(item, p, &s, &why)) return false;
      if (!why.empty()) {
        builder->Reject(index, why);
      } else {
        builder->Add(std::move(s));
      }
      ++index;
      return true;
    });
  }

 private:
  // Returns false only for a malformed span; *why is set for an unusable one.
  bool DecodeSpan(element e, const Path& p, zipkin::ZipkinSpanView* out, std::string* why);
  bool DecodeAnnotations(element e, const Path& p, std::vector<Event>* out);
  bool DecodeTags(element e, const Path& p, Attributes* out);
  static bool ParseKind(std::string_view kind, SpanKind* out);
};

bool ZipkinJsonDecoder::ParseKind(std::string_view kind, SpanKind* out) {
  // Zipkin's names are its enum's: upper case. Other cases are accepted.
  std::string lower(kind);
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (lower == "client") {
    *out = SpanKind::kClient;
  } else if (lower == "server") {
    *out = SpanKind::kServer;
  } else if (lower == "producer") {
    *out = SpanKind::kProducer;
  } else if (lower == "consumer") {
    *out = SpanKind::kConsumer;
  } else {
    return false;
  }
  return true;
}

bool ZipkinJsonDecoder::DecodeSpan(element e, const Path& p, zipkin::ZipkinSpanView* out,
                                   std::string* why) {
  std::string_view trace_id, span_id, parent_id;
  bool debug = false;
  Span& span = out->span;
  bool ok = ForEachField(e, p, [&](std::string_view key, element v, const Path& fp) {
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
      if (!ParseKind(kind, &span.kind)) {
        return Fail(fp, "unknown kind \"" + std::string(kind) + "\"");
      }
      return true;
    }
    if (key == "timestamp") return GetUint(v, fp, zipkin::kMaxMicros, &out->timestamp_us);
    if (key == "duration") return GetUint(v, fp, zipkin::kMaxMicros, &out->duration_us);
    if (key == "localEndpoint") return DecodeEndpoint(v, fp, &out->local);
    if (key == "remoteEndpoint") return DecodeEndpoint(v, fp, &out->remote);
    if (key == "annotations") return DecodeAnnotations(v, fp, &span.events);
    if (key == "tags") return DecodeTags(v, fp, &span.attributes);
    if (key == "debug") return GetBool(v, fp, &debug);
    if (key == "shared") return GetBool(v, fp, &out->shared);
    return true;
  });
  if (!ok) return false;
  if (out->timestamp_us + out->duration_us > zipkin::kMaxMicros) {
    return Fail(p.Field("duration"), "integer out of range");
  }
  span.flags = zipkin::kSampledFlag | (debug ? zipkin::kDebugFlag : 0);

  *why = zipkin::ParseSpanIds(trace_id, span_id, parent_id, &span.trace_id, &span.span_id,
                              &span.parent_span_id);
  return true;
}

bool ZipkinJsonDecoder::DecodeAnnotations(element e, const Path& p, std::vector<Event>* out) {
  return ForEachElement(e, p, [&](element item, const Path& ip) {
    Event& event = out->emplace_back();
    uint64_t timestamp = 0;
    bool ok = ForEachField(item, ip, [&](std::string_view key, element v, const Path& fp) {
      if (key == "timestamp") return GetUint(v, fp, zipkin::kMaxMicros, &timestamp);
      if (key == "value") {
        std::string_view value;
        if (!GetString(v, fp, &value)) return false;
        event.name = Intern(value);
        return true;
      }
      return true;
    });
    event.time_ns = timestamp * 1000;
    return ok;
  });
}

bool ZipkinJsonDecoder::DecodeTags(element e, const Path& p, Attributes* out) {
  if (zipkin::dom::object obj; e.get(obj) == simdjson::SUCCESS) {
    out->reserve(out->size() + obj.size());
  }
  return ForEachField(e, p, [&](std::string_view key, element v, const Path& fp) {
    // Tag values are strings; numbers and booleans, which some clients send,
    // are kept in their JSON text.
    if (std::string_view text; v.get(text) == simdjson::SUCCESS) {
      out->push_back({Intern(key), AnyValue::String(text)});
      return true;
    }
    std::string value;
    if (!TagText(v, fp, &value)) return false;
    out->push_back({Intern(key), AnyValue::String(value)});
    return true;
  });
}

}  // namespace

Status DecodeZipkinV2Json(std::string_view json, SpanBatch* batch, DecodeStats* stats) {
  zipkin::ZipkinBatchBuilder builder;
  Status s = zipkin::DecodeJsonDocument(
      json, "zipkin json: ", [&](zipkin::dom::element root, std::string* error) {
        ZipkinJsonDecoder decoder;
        if (decoder.DecodeList(root, &builder)) return true;
        *error = decoder.error();
        return false;
      });
  if (s.ok()) builder.Finish(batch, stats);
  return s;
}

}  // namespace spoor
