// The parsed form of a query filter (query_filter.h): span conditions,
// spanset operations and pipeline stages. Internal to querylang/.
#pragma once

#include <re2/re2.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "model/span.h"

namespace spoor::querylang {

// What a condition reads.
enum class FieldKind {
  kName,               // the span's name
  kStatus,             // error | ok | unset
  kStatusMessage,      // the status message
  kKind,               // server | client | producer | consumer | internal | unspecified
  kDuration,           // the span's duration
  kTraceDuration,      // from the trace's first start to its last end
  kRootServiceName,    // the service of the trace's root span
  kRootName,           // the name of the trace's root span
  kSpanAttribute,      // span.<key>
  kResourceAttribute,  // resource.<key>
  kAnyAttribute,       // .<key>: the span's, or else its resource's
};

struct Field {
  FieldKind kind = FieldKind::kName;
  std::string key;  // attributes
};

enum class CompareOp { kEq, kNe, kRegex, kNotRegex, kLt, kLe, kGt, kGe };

struct Literal {
  enum class Type { kString, kInt, kDouble, kDuration, kBool, kStatus, kKind };
  Type type = Type::kString;
  std::string string;       // kString
  int64_t int_value = 0;    // kInt; kDuration in nanoseconds
  double double_value = 0;  // kDouble (and kInt, as a double)
  bool bool_value = false;  // kBool
  SpanStatusCode status = SpanStatusCode::kUnset;
  SpanKind kind = SpanKind::kUnspecified;
  std::shared_ptr<const RE2> regex;  // =~ and !~, fully anchored
};

// A condition on one span.
struct SpanExpr {
  enum class Type { kCompare, kAnd, kOr, kNot, kTrue };
  Type type = Type::kTrue;
  Field field;
  CompareOp op = CompareOp::kEq;
  Literal value;
  std::unique_ptr<SpanExpr> lhs;  // kAnd, kOr, kNot
  std::unique_ptr<SpanExpr> rhs;  // kAnd, kOr
};

// Spans of a trace selected by a spanset expression.
struct SetExpr {
  enum class Type {
    kSpanset,     // { condition }
    kAnd,         // both non-empty: the spans of both
    kOr,          // the spans of either
    kChild,       // lhs > rhs: the spans of rhs whose parent is in lhs
    kDescendant,  // lhs >> rhs: the spans of rhs with an ancestor in lhs
    kPipeline,    // ( pipeline )
  };
  Type type = Type::kSpanset;
  std::unique_ptr<SpanExpr> condition;  // kSpanset
  std::unique_ptr<SetExpr> lhs;
  std::unique_ptr<SetExpr> rhs;
  std::unique_ptr<struct Pipeline> pipeline;  // kPipeline
};

// `| count() <op> <n>`: the spans when their count compares true, else none.
struct CountStage {
  CompareOp op = CompareOp::kGt;
  int64_t count = 0;
};

struct Pipeline {
  std::unique_ptr<SetExpr> set;
  std::vector<CountStage> stages;
};

// Parses `text` (at most QueryFilter::kMaxLength characters).
[[nodiscard]] Result<std::unique_ptr<Pipeline>> ParseFilter(std::string_view text);

}  // namespace spoor::querylang
