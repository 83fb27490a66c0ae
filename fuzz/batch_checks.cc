#include "fuzz/batch_checks.h"

#include <simdjson.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <vector>

#include "common/json_writer.h"
#include "formats/jaeger_json/jaeger_json.h"
#include "formats/otlp/otlp_decode.h"
#include "formats/otlp/otlp_json_encode.h"
#include "formats/otlp/otlp_proto_encode.h"
#include "fuzz/fuzz_check.h"
#include "model/same_batch.h"

namespace spoor::fuzz {
namespace {

// Long renderings are cut in failure messages.
constexpr size_t kMaxShown = 4000;

std::string Shorten(std::string_view s) {
  if (s.size() <= kMaxShown) return std::string(s);
  return std::string(s.substr(0, kMaxShown)) + "... (" + std::to_string(s.size()) + " bytes)";
}

std::vector<SpanRecord> Records(const SpanBatch& batch) {
  std::vector<SpanRecord> records;
  records.reserve(batch.SpanCount());
  for (const ResourceSpans& rs : batch.resource_spans) {
    for (const ScopeSpans& ss : rs.scope_spans) {
      for (const Span& span : ss.spans) records.push_back({rs.resource, ss.scope, span, {}});
    }
  }
  return records;
}

std::string OtlpJson(const std::vector<SpanRecord>& records) {
  std::vector<Trace> traces(1);
  traces[0].spans = records;
  std::string json;
  JsonWriter w(json);
  AppendOtlpJsonTraces(traces, w);
  return json;
}

// Resource and Scope equality leave out schema_url, which OTLP/JSON carries.
bool SameRecord(const SpanRecord& a, const SpanRecord& b) {
  return a.span == b.span && *a.resource == *b.resource &&
         a.resource->schema_url == b.resource->schema_url && *a.scope == *b.scope &&
         a.scope->schema_url == b.scope->schema_url;
}

bool ById(const SpanRecord& a, const SpanRecord& b) {
  return std::tie(a.span.trace_id, a.span.span_id) < std::tie(b.span.trace_id, b.span.span_id);
}

bool SameId(const SpanRecord& a, const SpanRecord& b) {
  return !ById(a, b) && !ById(b, a);
}

// Finds a record of `before` that has no equal in `after`, comparing as
// multisets (the encoder regroups spans by resource and scope, so the order
// may change). Returns before.size() when they match.
size_t FirstUnmatched(std::vector<SpanRecord>& before, std::vector<SpanRecord>& after) {
  std::stable_sort(before.begin(), before.end(), ById);
  std::stable_sort(after.begin(), after.end(), ById);
  std::vector<bool> used(after.size());
  size_t j = 0;
  for (size_t i = 0; i < before.size(); ++i) {
    while (j < after.size() && ById(after[j], before[i])) ++j;
    bool found = false;
    for (size_t k = j; k < after.size() && SameId(after[k], before[i]); ++k) {
      if (!used[k] && SameRecord(before[i], after[k])) {
        used[k] = true;
        found = true;
        break;
      }
    }
    if (!found) return i;
  }
  return before.size();
}

}  // namespace

void CheckBatchShape(const SpanBatch& batch) {
  for (const ResourceSpans& rs : batch.resource_spans) {
    SPOOR_FUZZ_CHECK(rs.resource != nullptr, "resource_spans without a resource");
    SPOOR_FUZZ_CHECK(!rs.scope_spans.empty(), "resource_spans without scope_spans");
    SPOOR_FUZZ_CHECK(!rs.resource->service_name.empty(), "service_name not resolved");
    for (const ScopeSpans& ss : rs.scope_spans) {
      SPOOR_FUZZ_CHECK(ss.scope != nullptr, "scope_spans without a scope");
      SPOOR_FUZZ_CHECK(!ss.spans.empty(), "scope_spans without spans");
      for (const Span& span : ss.spans) {
        SPOOR_FUZZ_CHECK(span.trace_id.valid(), "span with an invalid trace ID");
        SPOOR_FUZZ_CHECK(span.span_id.valid(), "span with an invalid span ID");
      }
    }
  }
}

void CheckOtlpJsonRoundTrip(const SpanBatch& batch) {
  std::vector<SpanRecord> before = Records(batch);
  const std::string json = OtlpJson(before);
  SpanBatch decoded;
  DecodeStats stats;
  const Status status = DecodeOtlpJson(json, &decoded, &stats);
  SPOOR_FUZZ_CHECK(status.ok(), "OTLP/JSON encoding does not decode: " + status.message() + "\n" +
                                    Shorten(json));
  SPOOR_FUZZ_CHECK(stats.rejected_spans == 0,
                   "OTLP/JSON encoding has rejected spans: " + stats.rejection_reason);
  SPOOR_FUZZ_CHECK(decoded.SpanCount() == before.size(),
                   "span count " + std::to_string(before.size()) + " became " +
                       std::to_string(decoded.SpanCount()) + " through OTLP/JSON");
  CheckBatchShape(decoded);
  std::vector<SpanRecord> after = Records(decoded);
  const size_t i = FirstUnmatched(before, after);
  if (i == before.size()) return;
  auto same_id = std::find_if(after.begin(), after.end(),
                              [&](const SpanRecord& r) { return SameId(r, before[i]); });
  Fail("DecodeOtlpJson(AppendOtlpJsonTraces(spans)) == spans", __FILE__, __LINE__,
       "a span changed through OTLP/JSON; before:\n" + Shorten(OtlpJson({before[i]})) +
           "\nafter:\n" +
           (same_id == after.end() ? "(no span with that ID)" : Shorten(OtlpJson({*same_id}))));
}

void CheckOtlpProtoRoundTrip(const SpanBatch& batch) {
  std::string bytes;
  EncodeOtlpProto(batch, &bytes);
  SpanBatch decoded;
  DecodeStats stats;
  const Status status = DecodeOtlpProto(bytes, &decoded, &stats);
  SPOOR_FUZZ_CHECK(status.ok(), "OTLP protobuf encoding does not decode: " + status.message());
  SPOOR_FUZZ_CHECK(stats.rejected_spans == 0,
                   "OTLP protobuf encoding has rejected spans: " + stats.rejection_reason);
  SPOOR_FUZZ_CHECK(SameBatch(decoded, batch),
                   "DecodeOtlpProto(EncodeOtlpProto(batch)) differs from the batch:\n" +
                       Shorten(OtlpJson(Records(batch))));
}

void CheckJaegerJson(const SpanBatch& batch) {
  std::map<TraceId, Trace> traces;
  for (SpanRecord& record : Records(batch)) {
    Trace& trace = traces[record.span.trace_id];
    trace.trace_id = record.span.trace_id;
    trace.spans.push_back(std::move(record));
  }
  static simdjson::dom::parser parser;
  for (const auto& [id, trace] : traces) {
    std::string json;
    JsonWriter w(json);
    AppendJaegerTrace(trace, w);
    simdjson::dom::element doc;
    const simdjson::error_code error = parser.parse(json).get(doc);
    SPOOR_FUZZ_CHECK(error == simdjson::SUCCESS, std::string("Jaeger JSON does not parse: ") +
                                                     simdjson::error_message(error) + "\n" +
                                                     Shorten(json));
    std::string_view trace_id;
    simdjson::dom::array spans;
    simdjson::dom::object processes;
    SPOOR_FUZZ_CHECK(doc["traceID"].get(trace_id) == simdjson::SUCCESS &&
                         doc["spans"].get(spans) == simdjson::SUCCESS &&
                         doc["processes"].get(processes) == simdjson::SUCCESS,
                     "Jaeger JSON without traceID, spans or processes:\n" + Shorten(json));
    SPOOR_FUZZ_CHECK(trace_id == id.HexJaeger(), "wrong traceID in\n" + Shorten(json));
    SPOOR_FUZZ_CHECK(spans.size() == trace.spans.size(),
                     "Jaeger JSON holds " + std::to_string(spans.size()) + " of " +
                         std::to_string(trace.spans.size()) + " spans:\n" + Shorten(json));
    for (simdjson::dom::element span : spans) {
      std::string_view process_id;
      SPOOR_FUZZ_CHECK(span["processID"].get(process_id) == simdjson::SUCCESS &&
                           processes[process_id].error() == simdjson::SUCCESS,
                       "span without a listed process in\n" + Shorten(json));
    }
  }
}

void CheckDecodedBatch(const SpanBatch& batch) {
  CheckBatchShape(batch);
  CheckOtlpJsonRoundTrip(batch);
  CheckOtlpProtoRoundTrip(batch);
  CheckJaegerJson(batch);
}

bool CheckDecodeContract(const Status& status, const SpanBatch& batch, const DecodeStats& stats,
                         std::string_view message_prefix) {
  if (!status.ok()) {
    SPOOR_FUZZ_CHECK(status.code() == StatusCode::kInvalidArgument, status.message());
    SPOOR_FUZZ_CHECK(status.message().starts_with(message_prefix), status.message());
    SPOOR_FUZZ_CHECK(batch.resource_spans.empty() && stats.rejected_spans == 0,
                     "a failed decode changed its outputs");
    return false;
  }
  SPOOR_FUZZ_CHECK((stats.rejected_spans == 0) == stats.rejection_reason.empty(),
                   "rejection_reason '" + stats.rejection_reason + "' for " +
                       std::to_string(stats.rejected_spans) + " rejected spans");
  return true;
}

}  // namespace spoor::fuzz
