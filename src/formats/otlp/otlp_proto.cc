// OTLP protobuf -> model through the protobuf library: its generated parser
// on an arena, then a mapping of the parsed message. The ingest path uses
// the wire-format decoder (otlp_proto_wire.cc); this one is the reference it
// is tested against, and maps messages that are already parsed.

#include <google/protobuf/arena.h>

#include <climits>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "formats/otlp/otlp_decode.h"
#include "formats/otlp/otlp_internal.h"
#include "model/string_table.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace spoor {
namespace {

namespace pb_common = opentelemetry::proto::common::v1;
namespace pb_trace = opentelemetry::proto::trace::v1;
namespace pb_collector = opentelemetry::proto::collector::trace::v1;
using google::protobuf::RepeatedPtrField;
using otlp_internal::RecordRejection;

void ConvertAttributes(const RepeatedPtrField<pb_common::KeyValue>& in, Attributes* out);

void ConvertValue(const pb_common::AnyValue& in, AnyValue* out) {
  switch (in.value_case()) {
    case pb_common::AnyValue::kStringValue:
      out->type = ValueType::kString;
      out->string_value = in.string_value();
      break;
    case pb_common::AnyValue::kBoolValue:
      out->type = ValueType::kBool;
      out->bool_value = in.bool_value();
      break;
    case pb_common::AnyValue::kIntValue:
      out->type = ValueType::kInt;
      out->int_value = in.int_value();
      break;
    case pb_common::AnyValue::kDoubleValue:
      out->type = ValueType::kDouble;
      out->double_value = in.double_value();
      break;
    case pb_common::AnyValue::kBytesValue:
      out->type = ValueType::kBytes;
      out->string_value = in.bytes_value();
      break;
    case pb_common::AnyValue::kArrayValue: {
      // libprotobuf's parser bounds the nesting (recursion limit 100), so
      // this recursion is bounded too.
      out->type = ValueType::kArray;
      const auto& values = in.array_value().values();
      out->array.resize(static_cast<size_t>(values.size()));
      for (int i = 0; i < values.size(); ++i) {
        ConvertValue(values[i], &out->array[static_cast<size_t>(i)]);
      }
      break;
    }
    case pb_common::AnyValue::kKvlistValue:
      out->type = ValueType::kKvList;
      ConvertAttributes(in.kvlist_value().values(), &out->kvlist.mut());
      break;
    case pb_common::AnyValue::VALUE_NOT_SET: break;
  }
}

void ConvertAttributes(const RepeatedPtrField<pb_common::KeyValue>& in, Attributes* out) {
  out->reserve(out->size() + static_cast<size_t>(in.size()));
  for (const pb_common::KeyValue& kv : in) {
    KeyValue& attr = out->emplace_back();
    attr.key = Intern(kv.key());
    ConvertValue(kv.value(), &attr.value);
  }
}

// A link whose IDs have an impossible length cannot be represented; it is
// dropped and counted in the span's dropped_links_count. Empty IDs are
// kept as invalid (zero) IDs: OTLP allows links without a valid context.
bool ConvertLink(const pb_trace::Span::Link& in, Link* out) {
  if (!in.trace_id().empty()) {
    auto id = TraceId::FromBytes(in.trace_id());
    if (!id) return false;
    out->trace_id = *id;
  }
  if (!in.span_id().empty()) {
    auto id = SpanId::FromBytes(in.span_id());
    if (!id) return false;
    out->span_id = *id;
  }
  out->trace_state = in.trace_state();
  ConvertAttributes(in.attributes(), &out->attributes);
  out->dropped_attributes_count = in.dropped_attributes_count();
  out->flags = in.flags();
  return true;
}

void ConvertSpan(const pb_trace::Span& in, Span* out) {
  out->trace_id = *TraceId::FromBytes(in.trace_id());
  out->span_id = *SpanId::FromBytes(in.span_id());
  if (!in.parent_span_id().empty()) out->parent_span_id = *SpanId::FromBytes(in.parent_span_id());
  out->trace_state = in.trace_state();
  out->flags = in.flags();
  out->name = Intern(in.name());
  out->kind = otlp_internal::SpanKindFromNumber(in.kind());
  out->start_time_ns = in.start_time_unix_nano();
  out->end_time_ns = in.end_time_unix_nano();
  ConvertAttributes(in.attributes(), &out->attributes);
  out->dropped_attributes_count = in.dropped_attributes_count();

  out->events.reserve(static_cast<size_t>(in.events_size()));
  for (const pb_trace::Span::Event& e : in.events()) {
    Event& event = out->events.emplace_back();
    event.time_ns = e.time_unix_nano();
    event.name = Intern(e.name());
    ConvertAttributes(e.attributes(), &event.attributes);
    event.dropped_attributes_count = e.dropped_attributes_count();
  }
  out->dropped_events_count = in.dropped_events_count();

  out->dropped_links_count = in.dropped_links_count();
  out->links.reserve(static_cast<size_t>(in.links_size()));
  for (const pb_trace::Span::Link& l : in.links()) {
    if (!ConvertLink(l, &out->links.emplace_back())) {
      out->links.pop_back();
      ++out->dropped_links_count;
    }
  }

  out->status.code = otlp_internal::StatusCodeFromNumber(in.status().code());
  out->status.message = in.status().message();
}

std::shared_ptr<const Resource> ConvertResource(const pb_trace::ResourceSpans& in) {
  auto resource = std::make_shared<Resource>();
  ConvertAttributes(in.resource().attributes(), &resource->attributes);
  resource->dropped_attributes_count = in.resource().dropped_attributes_count();
  resource->schema_url = in.schema_url();
  resource->ResolveServiceName();
  return resource;
}

std::shared_ptr<const Scope> ConvertScope(const pb_trace::ScopeSpans& in) {
  auto scope = std::make_shared<Scope>();
  const pb_common::InstrumentationScope& s = in.scope();
  scope->name = Intern(s.name());
  scope->version = Intern(s.version());
  ConvertAttributes(s.attributes(), &scope->attributes);
  scope->dropped_attributes_count = s.dropped_attributes_count();
  scope->schema_url = in.schema_url();
  return scope;
}

// The first arena block comes from this per-thread buffer, so that a typical
// request is parsed without any heap allocation for the arena itself. The
// arena never outlives the call, so the buffer is free again afterwards.
constexpr size_t kArenaScratchBytes = 64 * 1024;
alignas(std::max_align_t) thread_local char arena_scratch[kArenaScratchBytes];

}  // namespace

Status ConvertOtlpRequest(const pb_collector::ExportTraceServiceRequest& request, SpanBatch* batch,
                          DecodeStats* stats) {
  SpanBatch decoded;
  decoded.resource_spans.reserve(static_cast<size_t>(request.resource_spans_size()));
  size_t span_index = 0;
  for (const pb_trace::ResourceSpans& rs_in : request.resource_spans()) {
    ResourceSpans& rs = decoded.resource_spans.emplace_back();
    rs.resource = ConvertResource(rs_in);
    rs.scope_spans.reserve(static_cast<size_t>(rs_in.scope_spans_size()));
    for (const pb_trace::ScopeSpans& ss_in : rs_in.scope_spans()) {
      ScopeSpans& ss = rs.scope_spans.emplace_back();
      ss.scope = ConvertScope(ss_in);
      ss.spans.reserve(static_cast<size_t>(ss_in.spans_size()));
      for (const pb_trace::Span& span_in : ss_in.spans()) {
        std::string why = otlp_internal::CheckSpanIds(span_in.trace_id(), span_in.span_id(),
                                                      span_in.parent_span_id());
        if (why.empty()) {
          ConvertSpan(span_in, &ss.spans.emplace_back());
        } else {
          RecordRejection(stats, span_index, why);
        }
        ++span_index;
      }
    }
  }
  otlp_internal::AppendNonEmpty(std::move(decoded), batch);
  return Status::Ok();
}

Status DecodeOtlpProtoWithLibrary(std::string_view bytes, SpanBatch* batch, DecodeStats* stats) {
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    return InvalidArgument("malformed OTLP protobuf: message larger than 2 GiB");
  }
  google::protobuf::ArenaOptions options;
  options.initial_block = arena_scratch;
  options.initial_block_size = kArenaScratchBytes;
  options.start_block_size = 64 * 1024;
  options.max_block_size = 1024 * 1024;
  google::protobuf::Arena arena(options);
  auto* request =
      google::protobuf::Arena::CreateMessage<pb_collector::ExportTraceServiceRequest>(&arena);
  if (!request->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return InvalidArgument(
        "malformed OTLP protobuf: cannot parse ExportTraceServiceRequest of " +
        std::to_string(bytes.size()) +
        " bytes (truncated data, wrong wire type, nesting too deep or a string that is not UTF-8)");
  }
  return ConvertOtlpRequest(*request, batch, stats);
}

}  // namespace spoor
