// What the tracer hands its reporter for each finished, sampled span: plain
// data, independent of the OpenTracing types, in the units the wire formats
// use (IDs as integers, times in nanoseconds since the Unix epoch).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace spoor {

// A tag or log field value, as Jaeger's and OTLP's formats can carry it.
struct TagValue {
  enum class Type : uint8_t { kString, kBool, kInt64, kDouble };
  Type type = Type::kString;
  std::string string_value;
  bool bool_value = false;
  int64_t int64_value = 0;
  double double_value = 0;

  static TagValue String(std::string v);
  static TagValue Bool(bool v);
  static TagValue Int64(int64_t v);
  static TagValue Double(double v);
  bool operator==(const TagValue& o) const;
};

using Tag = std::pair<std::string, TagValue>;

struct LogData {
  uint64_t time_ns = 0;
  std::vector<Tag> fields;
};

enum class ReferenceType : uint8_t { kChildOf, kFollowsFrom };

struct ReferenceData {
  ReferenceType type = ReferenceType::kChildOf;
  uint64_t trace_id_high = 0;
  uint64_t trace_id_low = 0;
  uint64_t span_id = 0;
};

// The process a tracer reports for: its service and the tags Jaeger clients
// send with it (hostname, ip, jaeger.version).
struct ProcessData {
  std::string service_name;
  std::vector<Tag> tags;
};

struct SpanData {
  uint64_t trace_id_high = 0;  // 0 for a 64-bit trace ID
  uint64_t trace_id_low = 0;
  uint64_t span_id = 0;
  uint64_t parent_span_id = 0;  // 0 for a root
  uint8_t flags = 0;            // 1: sampled, 2: debug
  std::string operation_name;
  uint64_t start_time_ns = 0;  // since the Unix epoch
  uint64_t duration_ns = 0;
  std::vector<Tag> tags;
  std::vector<LogData> logs;
  std::vector<ReferenceData> references;
};

}  // namespace spoor
