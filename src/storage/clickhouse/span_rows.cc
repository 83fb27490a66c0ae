#include "storage/clickhouse/span_rows.h"

#include <algorithm>

#include "common/encoding.h"
#include "storage/embedded/wal_codec.h"

namespace spoor::clickhouse {
namespace {

using encoding::PutFixed64;
using encoding::PutLengthPrefixed;
using encoding::PutVarint;

void PutTraceId(std::string& out, const TraceId& id) {
  char bytes[16];
  id.ToBytes(bytes);
  out.append(bytes, 16);
}

void PutDay(std::string& out, uint16_t day) {
  out.push_back(static_cast<char>(day & 0xff));
  out.push_back(static_cast<char>(day >> 8));
}

std::string& NextTag(std::vector<std::string>* out, size_t* count, std::string_view key) {
  if (*count == out->size()) out->emplace_back();
  std::string& s = (*out)[(*count)++];
  s.assign(key);
  s.push_back('\0');
  return s;
}

void AddAttributes(const Attributes& attrs, std::vector<std::string>* out, size_t* count) {
  for (const KeyValue& kv : attrs) kv.value.AppendString(NextTag(out, count, kv.key));
}

void AddTag(std::string_view key, std::string_view value, std::vector<std::string>* out,
            size_t* count) {
  NextTag(out, count, key).append(value);
}

}  // namespace

void SpanTags(const Span& s, const Resource& resource, const Scope& scope,
              std::vector<std::string>* out, size_t* count) {
  *count = 0;
  AddAttributes(s.attributes, out, count);
  AddAttributes(resource.attributes, out, count);
  AddAttributes(scope.attributes, out, count);
  for (const Event& e : s.events) AddAttributes(e.attributes, out, count);
  for (const Link& l : s.links) AddAttributes(l.attributes, out, count);
  if (s.kind != SpanKind::kUnspecified) AddTag("span.kind", SpanKindName(s.kind), out, count);
  if (s.status.code == SpanStatusCode::kError) {
    AddTag("error", "true", out, count);
    AddTag("otel.status_code", "ERROR", out, count);
  } else if (s.status.code == SpanStatusCode::kOk) {
    AddTag("otel.status_code", "OK", out, count);
  }
  if (!s.status.message.empty()) AddTag("otel.status_description", s.status.message, out, count);
  if (!scope.name.empty()) AddTag("otel.scope.name", scope.name, out, count);
  if (!scope.version.empty()) AddTag("otel.scope.version", scope.version, out, count);
  if (!s.trace_state.empty()) AddTag("w3c.tracestate", s.trace_state, out, count);
  auto end = out->begin() + static_cast<ptrdiff_t>(*count);
  std::sort(out->begin(), end);
  // Repeats move to the end, where the next span reuses their strings.
  *count = static_cast<size_t>(std::unique(out->begin(), end) - out->begin());
}

void RowEncoder::Append(SpanBatch batch, RowBuffers* out) {
  group_of_.clear();
  size_t groups = 0;
  for (ResourceSpans& rs : batch.resource_spans) {
    for (ScopeSpans& ss : rs.scope_spans) {
      for (Span& span : ss.spans) {
        // The index row, read from the span before it moves.
        std::string& idx = out->index;
        PutDay(idx, DayOf(span.start_time_ns));
        PutLengthPrefixed(idx, rs.resource->service_name);
        PutLengthPrefixed(idx, span.name);
        idx.push_back(static_cast<char>(span.kind));
        PutFixed64(idx, span.start_time_ns);
        PutFixed64(idx, span.duration_ns());
        PutTraceId(idx, span.trace_id);
        PutFixed64(idx, span.span_id.value);
        PutFixed64(idx, span.parent_span_id.value);
        size_t n = 0;
        SpanTags(span, *rs.resource, *ss.scope, &tags_, &n);
        PutVarint(idx, n);
        for (size_t i = 0; i < n; ++i) PutLengthPrefixed(idx, tags_[i]);

        // The span joins its trace's group.
        auto [it, inserted] = group_of_.try_emplace(span.trace_id, groups);
        if (inserted) {
          if (groups == groups_.size()) groups_.emplace_back();
          groups_[groups].resource_spans.clear();
          ++groups;
        }
        SpanBatch& g = groups_[it->second];
        if (g.resource_spans.empty() || g.resource_spans.back().resource != rs.resource) {
          g.resource_spans.push_back(ResourceSpans{rs.resource, {}});
        }
        ResourceSpans& grs = g.resource_spans.back();
        if (grs.scope_spans.empty() || grs.scope_spans.back().scope != ss.scope) {
          grs.scope_spans.push_back(ScopeSpans{ss.scope, {}});
        }
        grs.scope_spans.back().spans.push_back(std::move(span));
        ++out->span_count;
      }
    }
  }
  for (size_t i = 0; i < groups; ++i) {
    SpanBatch& g = groups_[i];
    const Span& first = g.resource_spans.front().scope_spans.front().spans.front();
    uint64_t min_start = UINT64_MAX;
    for (const ResourceSpans& rs : g.resource_spans) {
      for (const ScopeSpans& ss : rs.scope_spans) {
        for (const Span& s : ss.spans) min_start = std::min(min_start, s.start_time_ns);
      }
    }
    entry_.clear();
    EncodeWalEntry(g, &entry_);
    PutDay(out->spans, DayOf(min_start));
    PutTraceId(out->spans, first.trace_id);
    PutFixed64(out->spans, min_start);
    PutLengthPrefixed(out->spans, entry_);
    g.resource_spans.clear();
  }
}

}  // namespace spoor::clickhouse
