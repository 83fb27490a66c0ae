// jaeger.api_v2 PostSpansRequest -> model. Field numbers as in Jaeger's IDL
// (jaeger-idl proto/api_v2/model.proto and collector.proto).

#include "formats/jaeger_proto/jaeger_proto_decode.h"

#include <climits>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "formats/jaeger_model/jaeger_model.h"
#include "jaeger/api_v2/collector.pb.h"
#include "model/string_table.h"

namespace spoor {
namespace {

namespace pb = jaeger::api_v2;
using jaeger_model::Utf8;

uint64_t LoadBigEndian(std::string_view bytes) {
  uint64_t v = 0;
  for (char c : bytes) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}

// A trace ID of 16 bytes, or 8 for a 64-bit ID; empty when valid.
std::string ParseTraceId(const std::string& bytes, TraceId* out) {
  if (bytes.size() == 16) {
    *out = {LoadBigEndian(std::string_view(bytes).substr(0, 8)),
            LoadBigEndian(std::string_view(bytes).substr(8))};
  } else if (bytes.size() == 8) {
    *out = {0, LoadBigEndian(bytes)};
  } else {
    return "trace_id must be 16 or 8 bytes, got " + std::to_string(bytes.size());
  }
  return "";
}

std::string ParseSpanId(const std::string& bytes, SpanId* out) {
  if (bytes.size() != 8) return "span_id must be 8 bytes, got " + std::to_string(bytes.size());
  *out = {LoadBigEndian(bytes)};
  return "";
}

uint64_t ToNanos(int64_t seconds, int32_t nanos) {
  if (seconds < 0 || (seconds == 0 && nanos <= 0)) return 0;
  const auto s = static_cast<uint64_t>(seconds);
  if (s > UINT64_MAX / 1'000'000'000) return UINT64_MAX;
  const uint64_t base = s * 1'000'000'000;
  if (nanos < 0) return base - static_cast<uint64_t>(-static_cast<int64_t>(nanos));
  return jaeger_model::EndTime(base, static_cast<uint64_t>(nanos));
}

void ConvertTags(const google::protobuf::RepeatedPtrField<pb::KeyValue>& tags, Attributes* out) {
  out->reserve(out->size() + static_cast<size_t>(tags.size()));
  std::string scratch;
  for (const pb::KeyValue& tag : tags) {
    KeyValue& kv = out->emplace_back();
    kv.key = Intern(Utf8(tag.key(), &scratch));
    switch (tag.v_type()) {
      case pb::BOOL: kv.value = AnyValue::Bool(tag.v_bool()); break;
      case pb::INT64: kv.value = AnyValue::Int(tag.v_int64()); break;
      case pb::FLOAT64: kv.value = AnyValue::Double(tag.v_float64()); break;
      case pb::BINARY: kv.value = AnyValue::Bytes(tag.v_binary()); break;
      // STRING, and types newer than this decoder (shown as their v_str).
      default: kv.value = AnyValue::String(Utf8(tag.v_str(), &scratch)); break;
    }
  }
}

std::shared_ptr<Resource> ConvertProcess(const pb::Process& process) {
  auto resource = std::make_shared<Resource>();
  Attributes tags;
  ConvertTags(process.tags(), &tags);
  jaeger_model::SetProcess(process.service_name(), std::move(tags), resource.get());
  resource->ResolveServiceName();
  return resource;
}

// Empty when the span was converted, else why it is rejected.
std::string ConvertSpan(const pb::Span& in, Span* out) {
  std::string why = ParseTraceId(in.trace_id(), &out->trace_id);
  if (!why.empty()) return why;
  why = ParseSpanId(in.span_id(), &out->span_id);
  if (!why.empty()) return why;
  std::vector<jaeger_model::Reference> refs;
  refs.reserve(static_cast<size_t>(in.references_size()));
  for (int i = 0; i < in.references_size(); ++i) {
    const pb::SpanRef& ref_in = in.references(i);
    jaeger_model::Reference& ref = refs.emplace_back();
    ref.type = ref_in.ref_type();
    why = ParseTraceId(ref_in.trace_id(), &ref.trace_id);
    if (why.empty()) why = ParseSpanId(ref_in.span_id(), &ref.span_id);
    if (!why.empty()) return "references[" + std::to_string(i) + "]." + why;
  }
  out->flags = in.flags();
  std::string scratch;
  out->name = Intern(Utf8(in.operation_name(), &scratch));
  out->start_time_ns = ToNanos(in.start_time().seconds(), in.start_time().nanos());
  out->end_time_ns = jaeger_model::EndTime(out->start_time_ns,
                                           ToNanos(in.duration().seconds(), in.duration().nanos()));
  ConvertTags(in.tags(), &out->attributes);
  out->events.reserve(static_cast<size_t>(in.logs_size()));
  for (const pb::Log& log : in.logs()) {
    Event& event = out->events.emplace_back();
    event.time_ns = ToNanos(log.timestamp().seconds(), log.timestamp().nanos());
    ConvertTags(log.fields(), &event.attributes);
    jaeger_model::NameEvent(&event);
  }
  jaeger_model::MapReferences(refs, 0, out);
  jaeger_model::MapSpecialTags(out);
  return "";
}

// See formats/otlp/otlp_proto.cc: the first arena block comes from a
// per-thread buffer.
constexpr size_t kArenaScratchBytes = 64 * 1024;
alignas(std::max_align_t) thread_local char arena_scratch[kArenaScratchBytes];

}  // namespace

Status DecodeJaegerPostSpans(std::string_view bytes, SpanBatch* batch, DecodeStats* stats) {
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    return InvalidArgument("malformed Jaeger protobuf: message larger than 2 GiB");
  }
  google::protobuf::ArenaOptions options;
  options.initial_block = arena_scratch;
  options.initial_block_size = kArenaScratchBytes;
  options.start_block_size = 64 * 1024;
  options.max_block_size = 1024 * 1024;
  google::protobuf::Arena arena(options);
  auto* request = google::protobuf::Arena::CreateMessage<pb::PostSpansRequest>(&arena);
  if (!request->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return InvalidArgument(
        "malformed Jaeger protobuf: cannot parse PostSpansRequest of " +
        std::to_string(bytes.size()) +
        " bytes (truncated data, wrong wire type, nesting too deep or a string that is not UTF-8)");
  }
  const pb::Batch& in = request->batch();

  // One ResourceSpans per distinct process, in order of first appearance:
  // the batch's for spans without their own.
  SpanBatch decoded;
  std::map<std::string, size_t> by_process;
  auto resource_index = [&](const pb::Process& process) {
    auto [it, inserted] =
        by_process.try_emplace(process.SerializeAsString(), decoded.resource_spans.size());
    if (inserted) {
      ResourceSpans& rs = decoded.resource_spans.emplace_back();
      rs.resource = ConvertProcess(process);
      rs.scope_spans.emplace_back().scope = std::make_shared<const Scope>();
    }
    return it->second;
  };
  DecodeStats local;
  for (int i = 0; i < in.spans_size(); ++i) {
    const pb::Span& span_in = in.spans(i);
    Span span;
    std::string why = ConvertSpan(span_in, &span);
    if (!why.empty()) {
      jaeger_model::Reject(static_cast<size_t>(i), why, &local);
      continue;
    }
    const size_t r = resource_index(span_in.has_process() ? span_in.process() : in.process());
    jaeger_model::Accept(std::move(span), static_cast<size_t>(i),
                         &decoded.resource_spans[r].scope_spans[0].spans, &local);
  }
  for (ResourceSpans& rs : decoded.resource_spans) {
    if (!rs.scope_spans[0].spans.empty()) batch->resource_spans.push_back(std::move(rs));
  }
  if (stats != nullptr) {
    stats->rejected_spans += local.rejected_spans;
    if (stats->rejection_reason.empty()) {
      stats->rejection_reason = std::move(local.rejection_reason);
    }
  }
  return Status::Ok();
}

}  // namespace spoor
