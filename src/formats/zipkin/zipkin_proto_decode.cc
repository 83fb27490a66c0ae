// Zipkin v2 protobuf (zipkin.proto3.ListOfSpans) -> model, through the
// generated classes of proto/zipkin/zipkin.proto. Each span is read into a
// ZipkinSpanView and handed to ZipkinBatchBuilder, as the JSON decoder does.

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "formats/zipkin/zipkin_decode.h"
#include "formats/zipkin/zipkin_model.h"
#include "model/string_table.h"
#include "zipkin/zipkin.pb.h"

namespace spoor {
namespace {

namespace pb = ::zipkin::proto3;

uint64_t LoadBigEndian(std::string_view bytes) {
  uint64_t v = 0;
  for (char c : bytes) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}

bool AllZero(std::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == 0; });
}

// Why the IDs are unusable, or an empty string (and the IDs set).
std::string ReadIds(const pb::Span& in, Span* out) {
  const std::string& trace_id = in.trace_id();
  if (trace_id.size() == 16) {
    out->trace_id = {LoadBigEndian(std::string_view(trace_id).substr(0, 8)),
                     LoadBigEndian(std::string_view(trace_id).substr(8))};
  } else if (trace_id.size() == 8) {
    out->trace_id = {0, LoadBigEndian(trace_id)};
  } else if (trace_id.empty()) {
    return "trace_id is missing";
  } else {
    return "trace_id must be 8 or 16 bytes, got " + std::to_string(trace_id.size());
  }
  if (AllZero(trace_id)) return "trace_id is all zeros";
  const std::string& id = in.id();
  if (id.empty()) return "id is missing";
  if (id.size() != 8) return "id must be 8 bytes, got " + std::to_string(id.size());
  if (AllZero(id)) return "id is all zeros";
  out->span_id = {LoadBigEndian(id)};
  const std::string& parent = in.parent_id();
  if (!parent.empty()) {
    if (parent.size() != 8) {
      return "parent_id must be 8 bytes, got " + std::to_string(parent.size());
    }
    // All zeros means none, as in Zipkin.
    out->parent_span_id = {LoadBigEndian(parent)};
  }
  return {};
}

// Addresses of the wrong length, and ports outside 1..65535, read as absent.
zipkin::ZipkinEndpoint ReadEndpoint(const pb::Endpoint& in) {
  zipkin::ZipkinEndpoint out;
  out.service_name = in.service_name();
  out.ipv4 = zipkin::Ipv4Text(in.ipv4());
  out.ipv6 = zipkin::Ipv6Text(in.ipv6());
  if (in.port() > 0 && in.port() <= 65535) out.port = static_cast<uint32_t>(in.port());
  return out;
}

SpanKind ReadKind(pb::Span::Kind kind) {
  switch (kind) {
    case pb::Span::CLIENT: return SpanKind::kClient;
    case pb::Span::SERVER: return SpanKind::kServer;
    case pb::Span::PRODUCER: return SpanKind::kProducer;
    case pb::Span::CONSUMER: return SpanKind::kConsumer;
    default: return SpanKind::kUnspecified;
  }
}

}  // namespace

Status DecodeZipkinV2Proto(std::string_view bytes, SpanBatch* batch, DecodeStats* stats) {
  pb::ListOfSpans list;
  if (bytes.size() > static_cast<size_t>(INT32_MAX) ||
      !list.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return InvalidArgument("zipkin proto: not a valid zipkin.proto3.ListOfSpans");
  }
  zipkin::ZipkinBatchBuilder builder;
  for (int i = 0; i < list.spans_size(); ++i) {
    const pb::Span& in = list.spans(i);
    zipkin::ZipkinSpanView s;
    Span& span = s.span;
    if (std::string why = ReadIds(in, &span); !why.empty()) {
      builder.Reject(static_cast<size_t>(i), why);
      continue;
    }
    span.name = Intern(in.name());
    span.kind = ReadKind(in.kind());
    span.flags = zipkin::kSampledFlag | (in.debug() ? zipkin::kDebugFlag : 0);
    s.timestamp_us = std::min(in.timestamp(), zipkin::kMaxMicros);
    s.duration_us = std::min(in.duration(), zipkin::kMaxMicros);
    if (in.has_local_endpoint()) s.local = ReadEndpoint(in.local_endpoint());
    if (in.has_remote_endpoint()) s.remote = ReadEndpoint(in.remote_endpoint());
    s.shared = in.shared();
    span.events.reserve(static_cast<size_t>(in.annotations_size()));
    for (const pb::Annotation& a : in.annotations()) {
      span.events.push_back({zipkin::MicrosToNanos(a.timestamp()), Intern(a.value()), {}, 0});
    }
    // A map's order on the wire is not kept by protobuf: sorted by key, so
    // that the same span always reads the same.
    std::vector<std::pair<std::string_view, std::string_view>> tags(in.tags().begin(),
                                                                    in.tags().end());
    std::sort(tags.begin(), tags.end());
    span.attributes.reserve(tags.size());
    for (const auto& [key, value] : tags) {
      span.attributes.push_back({Intern(key), AnyValue::String(value)});
    }
    builder.Add(std::move(s));
  }
  builder.Finish(batch, stats);
  return Status::Ok();
}

}  // namespace spoor
