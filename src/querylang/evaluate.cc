// Evaluation of a parsed filter over one trace, and the search it narrows.
#include <algorithm>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model/ids.h"
#include "querylang/ast.h"
#include "querylang/query_filter.h"
#include "storage/span_match.h"

namespace spoor {
namespace querylang {
namespace {

// One flag per span of the trace: selected or not.
using SpanSet = std::vector<uint8_t>;

// What conditions need to know about the trace as a whole.
struct TraceView {
  explicit TraceView(const Trace& t) : trace(t), parent(t.spans.size(), -1) {
    std::unordered_map<uint64_t, int32_t> index;  // span ID -> position
    index.reserve(t.spans.size());
    uint64_t first = UINT64_MAX;
    uint64_t last = 0;
    for (size_t i = 0; i < t.spans.size(); ++i) {
      const Span& s = t.spans[i].span;
      index.emplace(s.span_id.value, static_cast<int32_t>(i));
      first = std::min(first, s.start_time_ns);
      last = std::max(last, s.end_time_ns);
    }
    duration_ns = last > first ? last - first : 0;
    for (size_t i = 0; i < t.spans.size(); ++i) {
      const Span& s = t.spans[i].span;
      if (s.parent_span_id.valid()) {
        auto it = index.find(s.parent_span_id.value);
        if (it != index.end() && it->second != static_cast<int32_t>(i)) parent[i] = it->second;
      } else if (root < 0 || s.start_time_ns < t.spans[root].span.start_time_ns) {
        root = static_cast<int32_t>(i);  // the earliest span without a parent
      }
    }
  }

  const Trace& trace;
  std::vector<int32_t> parent;  // index of each span's parent in the trace, or -1
  uint64_t duration_ns = 0;
  int32_t root = -1;
};

template <typename T>
bool Ordered(CompareOp op, const T& a, const T& b) {
  switch (op) {
    case CompareOp::kEq: return a == b;
    case CompareOp::kNe: return a != b;
    case CompareOp::kLt: return a < b;
    case CompareOp::kLe: return a <= b;
    case CompareOp::kGt: return a > b;
    case CompareOp::kGe: return a >= b;
    default: return false;
  }
}

bool CompareText(std::string_view v, CompareOp op, const Literal& lit) {
  switch (op) {
    case CompareOp::kEq: return v == lit.string;
    case CompareOp::kNe: return v != lit.string;
    case CompareOp::kRegex: return RE2::FullMatch(v, *lit.regex);
    case CompareOp::kNotRegex: return !RE2::FullMatch(v, *lit.regex);
    default: return false;
  }
}

// An attribute's value against a literal of the same type; a value of
// another type does not compare (not even with !=).
bool CompareValue(const AnyValue& v, CompareOp op, const Literal& lit) {
  switch (lit.type) {
    case Literal::Type::kString:
      return v.type == ValueType::kString && CompareText(v.string_value, op, lit);
    case Literal::Type::kBool:
      return v.type == ValueType::kBool && Ordered(op, v.bool_value, lit.bool_value);
    case Literal::Type::kInt:
      if (v.type == ValueType::kInt) return Ordered(op, v.int_value, lit.int_value);
      return v.type == ValueType::kDouble && Ordered(op, v.double_value, lit.double_value);
    case Literal::Type::kDouble:
      if (v.type == ValueType::kInt) {
        return Ordered(op, static_cast<double>(v.int_value), lit.double_value);
      }
      return v.type == ValueType::kDouble && Ordered(op, v.double_value, lit.double_value);
    default: return false;
  }
}

bool CompareAttribute(const Attributes& attributes, const std::string& key, CompareOp op,
                      const Literal& lit) {
  const AnyValue* v = FindAttribute(attributes, key);
  return v != nullptr && CompareValue(*v, op, lit);
}

bool Test(const SpanExpr& e, size_t i, const TraceView& t) {
  const SpanRecord& r = t.trace.spans[i];
  const Span& s = r.span;
  switch (e.type) {
    case SpanExpr::Type::kTrue: return true;
    case SpanExpr::Type::kAnd: return Test(*e.lhs, i, t) && Test(*e.rhs, i, t);
    case SpanExpr::Type::kOr: return Test(*e.lhs, i, t) || Test(*e.rhs, i, t);
    case SpanExpr::Type::kNot: return !Test(*e.lhs, i, t);
    case SpanExpr::Type::kCompare: break;
  }
  const Literal& lit = e.value;
  switch (e.field.kind) {
    case FieldKind::kName: return CompareText(s.name, e.op, lit);
    case FieldKind::kStatusMessage: return CompareText(s.status.message, e.op, lit);
    case FieldKind::kStatus: return Ordered(e.op, s.status.code, lit.status);
    case FieldKind::kKind: return Ordered(e.op, s.kind, lit.kind);
    case FieldKind::kDuration:
      return Ordered(e.op, static_cast<int64_t>(s.duration_ns()), lit.int_value);
    case FieldKind::kTraceDuration:
      return Ordered(e.op, static_cast<int64_t>(t.duration_ns), lit.int_value);
    case FieldKind::kRootServiceName: {
      if (t.root < 0) return false;
      const Resource* resource = t.trace.spans[t.root].resource.get();
      return resource != nullptr && CompareText(resource->service_name, e.op, lit);
    }
    case FieldKind::kRootName:
      return t.root >= 0 && CompareText(t.trace.spans[t.root].span.name, e.op, lit);
    case FieldKind::kSpanAttribute: return CompareAttribute(s.attributes, e.field.key, e.op, lit);
    case FieldKind::kResourceAttribute:
      return r.resource != nullptr &&
             CompareAttribute(r.resource->attributes, e.field.key, e.op, lit);
    case FieldKind::kAnyAttribute:
      return CompareAttribute(s.attributes, e.field.key, e.op, lit) ||
             (r.resource != nullptr &&
              CompareAttribute(r.resource->attributes, e.field.key, e.op, lit));
  }
  return false;
}

bool Empty(const SpanSet& s) {
  return std::find(s.begin(), s.end(), 1) == s.end();
}

SpanSet Evaluate(const Pipeline& p, const TraceView& t);

SpanSet Evaluate(const SetExpr& e, const TraceView& t) {
  const size_t n = t.trace.spans.size();
  switch (e.type) {
    case SetExpr::Type::kSpanset: {
      SpanSet out(n, 0);
      for (size_t i = 0; i < n; ++i) out[i] = Test(*e.condition, i, t) ? 1 : 0;
      return out;
    }
    case SetExpr::Type::kPipeline: return Evaluate(*e.pipeline, t);
    case SetExpr::Type::kAnd:
    case SetExpr::Type::kOr: {
      SpanSet a = Evaluate(*e.lhs, t);
      SpanSet b = Evaluate(*e.rhs, t);
      if (e.type == SetExpr::Type::kAnd && (Empty(a) || Empty(b))) return SpanSet(n, 0);
      for (size_t i = 0; i < n; ++i) a[i] = a[i] | b[i];
      return a;
    }
    case SetExpr::Type::kChild:
    case SetExpr::Type::kDescendant: {
      SpanSet above = Evaluate(*e.lhs, t);
      SpanSet below = Evaluate(*e.rhs, t);
      for (size_t i = 0; i < n; ++i) {
        if (!below[i]) continue;
        bool found = false;
        // Up the parents; a cycle (bad data) ends after n steps.
        int32_t p = t.parent[i];
        for (size_t steps = 0; p >= 0 && steps < n && !found; ++steps) {
          found = above[p] != 0;
          if (e.type == SetExpr::Type::kChild) break;
          p = t.parent[p];
        }
        below[i] = found ? 1 : 0;
      }
      return below;
    }
  }
  return SpanSet(n, 0);
}

SpanSet Evaluate(const Pipeline& p, const TraceView& t) {
  SpanSet set = Evaluate(*p.set, t);
  for (const CountStage& stage : p.stages) {
    auto count = static_cast<int64_t>(std::count(set.begin(), set.end(), 1));
    if (!Ordered(stage.op, count, stage.count)) std::fill(set.begin(), set.end(), 0);
  }
  return set;
}

// What a search may require of one span, from the conditions a filter
// implies for it, and how much that narrows (more is better).
struct Narrowing {
  TraceQuery query;
  int score = 0;       // of the span conditions
  bool trace = false;  // whether a trace-level condition is set
};

// Adds the trace-level conditions of `from` to `to` (both must hold).
void MergeTraceConditions(const TraceQuery& from, TraceQuery* to) {
  to->trace_duration_min_ns = std::max(to->trace_duration_min_ns, from.trace_duration_min_ns);
  if (from.trace_duration_max_ns != 0 &&
      (to->trace_duration_max_ns == 0 || from.trace_duration_max_ns < to->trace_duration_max_ns)) {
    to->trace_duration_max_ns = from.trace_duration_max_ns;
  }
  // Two different names cannot both hold; either one keeps the superset.
  if (to->root_service.empty()) to->root_service = from.root_service;
  if (to->root_operation.empty()) to->root_operation = from.root_operation;
}

// Lower and upper bounds (0 = none) a comparison of a duration implies.
std::pair<uint64_t, uint64_t> DurationBounds(CompareOp op, int64_t value) {
  auto ns = static_cast<uint64_t>(std::max<int64_t>(value, 0));
  uint64_t min = 0;
  uint64_t max = 0;
  if (op == CompareOp::kGt || op == CompareOp::kGe || op == CompareOp::kEq) {
    min = op == CompareOp::kGt ? ns + 1 : ns;
  }
  if ((op == CompareOp::kLt || op == CompareOp::kLe || op == CompareOp::kEq) && value > 0) {
    max = op == CompareOp::kLt ? ns - 1 : ns;
  }
  return {min, max};
}

void AddConjuncts(const SpanExpr& e, Narrowing* n) {
  if (e.type == SpanExpr::Type::kAnd) {
    AddConjuncts(*e.lhs, n);
    AddConjuncts(*e.rhs, n);
    return;
  }
  if (e.type != SpanExpr::Type::kCompare) return;
  const Literal& lit = e.value;
  TraceQuery& q = n->query;
  switch (e.field.kind) {
    case FieldKind::kName:
      if (e.op == CompareOp::kEq && q.operation.empty()) {
        q.operation = lit.string;
        n->score += 3;
      }
      return;
    case FieldKind::kKind:
      if (e.op == CompareOp::kEq && !q.match_kind) {
        q.match_kind = true;
        q.kind = lit.kind;
        n->score += 1;
      }
      return;
    case FieldKind::kDuration: {
      auto [min, max] = DurationBounds(e.op, lit.int_value);
      if (min != 0) {
        q.duration_min_ns = std::max(q.duration_min_ns, min);
        n->score += 2;
      }
      if (max != 0 && (q.duration_max_ns == 0 || max < q.duration_max_ns)) {
        q.duration_max_ns = max;
        n->score += 1;
      }
      return;
    }
    case FieldKind::kTraceDuration: {
      auto [min, max] = DurationBounds(e.op, lit.int_value);
      TraceQuery bounds;
      bounds.trace_duration_min_ns = min;
      bounds.trace_duration_max_ns = max;
      MergeTraceConditions(bounds, &q);
      n->trace = n->trace || min != 0 || max != 0;
      return;
    }
    case FieldKind::kRootServiceName:
    case FieldKind::kRootName: {
      if (e.op != CompareOp::kEq) return;
      std::string& name = e.field.kind == FieldKind::kRootName ? q.root_operation : q.root_service;
      if (name.empty()) name = lit.string;
      n->trace = true;
      return;
    }
    case FieldKind::kResourceAttribute:
      if (e.field.key == "service.name" && e.op == CompareOp::kEq &&
          lit.type == Literal::Type::kString && q.service.empty()) {
        q.service = lit.string;
        n->score += 4;
        return;
      }
      [[fallthrough]];
    case FieldKind::kSpanAttribute:
    case FieldKind::kAnyAttribute:
      // Searches compare a tag's text; only text and booleans have one
      // form (a number may be stored as an int or a double).
      if (e.op == CompareOp::kEq &&
          (lit.type == Literal::Type::kString || lit.type == Literal::Type::kBool)) {
        q.tags.emplace_back(e.field.key, lit.type == Literal::Type::kString
                                             ? lit.string
                                             : (lit.bool_value ? "true" : "false"));
        n->score += 2;
      }
      return;
    default: return;
  }
}

// A narrowing every span set `e` selects in a matching trace implies:
// false when there is none.
bool Narrow(const SetExpr& e, Narrowing* out) {
  switch (e.type) {
    case SetExpr::Type::kSpanset:
      AddConjuncts(*e.condition, out);
      return out->score > 0 || out->trace;
    case SetExpr::Type::kPipeline: return Narrow(*e.pipeline->set, out);
    case SetExpr::Type::kOr: return false;
    case SetExpr::Type::kAnd:
    case SetExpr::Type::kChild:
    case SetExpr::Type::kDescendant: {
      // Both sides select spans in a matching trace: the better one's span
      // conditions, and the trace conditions of both.
      Narrowing a;
      Narrowing b;
      bool has_a = Narrow(*e.lhs, &a);
      bool has_b = Narrow(*e.rhs, &b);
      if (!has_a && !has_b) return false;
      const bool take_a = has_a && (!has_b || a.score >= b.score);
      Narrowing& other = take_a ? b : a;
      *out = take_a ? std::move(a) : std::move(b);
      if (other.trace) {
        MergeTraceConditions(other.query, &out->query);
        out->trace = true;
      }
      return true;
    }
  }
  return false;
}

bool ReadsSpanAttributes(const SpanExpr& e) {
  if (e.type == SpanExpr::Type::kCompare) {
    return e.field.kind == FieldKind::kSpanAttribute || e.field.kind == FieldKind::kAnyAttribute;
  }
  return (e.lhs != nullptr && ReadsSpanAttributes(*e.lhs)) ||
         (e.rhs != nullptr && ReadsSpanAttributes(*e.rhs));
}

bool ReadsSpanAttributes(const SetExpr& e) {
  if (e.condition != nullptr && ReadsSpanAttributes(*e.condition)) return true;
  if (e.pipeline != nullptr && ReadsSpanAttributes(*e.pipeline->set)) return true;
  return (e.lhs != nullptr && ReadsSpanAttributes(*e.lhs)) ||
         (e.rhs != nullptr && ReadsSpanAttributes(*e.rhs));
}

}  // namespace
}  // namespace querylang

Result<std::shared_ptr<const QueryFilter>> QueryFilter::Parse(std::string_view text) {
  auto root = querylang::ParseFilter(text);
  if (!root.ok()) return root.status();
  return std::shared_ptr<const QueryFilter>(
      new QueryFilter(std::string(text), std::move(root).value()));
}

QueryFilter::QueryFilter(std::string text, std::unique_ptr<querylang::Pipeline> root)
    : text_(std::move(text)), root_(std::move(root)) {}

QueryFilter::~QueryFilter() = default;

bool QueryFilter::Matches(const Trace& trace) const {
  if (trace.spans.empty()) return false;
  querylang::TraceView view(trace);
  querylang::SpanSet set = querylang::Evaluate(*root_, view);
  return !querylang::Empty(set);
}

bool QueryFilter::ReadsSpanAttributes() const {
  return querylang::ReadsSpanAttributes(*root_->set);
}

void QueryFilter::NarrowSearch(TraceQuery* query) const {
  querylang::Narrowing n;
  // The result of a pipeline is part of its first span set.
  if (!querylang::Narrow(*root_->set, &n)) return;
  const TraceQuery& q = n.query;
  if (query->service.empty()) query->service = q.service;
  if (query->operation.empty()) query->operation = q.operation;
  if (!query->match_kind && q.match_kind) {
    query->match_kind = true;
    query->kind = q.kind;
  }
  query->duration_min_ns = std::max(query->duration_min_ns, q.duration_min_ns);
  if (q.duration_max_ns != 0 &&
      (query->duration_max_ns == 0 || q.duration_max_ns < query->duration_max_ns)) {
    query->duration_max_ns = q.duration_max_ns;
  }
  for (const auto& tag : q.tags) query->tags.push_back(tag);
  std::sort(query->tags.begin(), query->tags.end());
  querylang::MergeTraceConditions(q, query);
}

}  // namespace spoor
