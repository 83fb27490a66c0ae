#include "thrift_encode.h"

#include "wire.h"

namespace spoor::internal {
namespace {

// Compact protocol type codes.
enum : uint8_t {
  kBoolTrue = 1,
  kBoolFalse = 2,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kStruct = 12,
};

// Writes one struct's fields in increasing order (short-form headers).
class StructWriter {
 public:
  explicit StructWriter(std::string& out) : out_(out) {}
  void Header(int16_t id, uint8_t type) {
    int delta = id - last_;
    if (delta > 0 && delta <= 15) {
      out_ += static_cast<char>((delta << 4) | type);
    } else {
      out_ += static_cast<char>(type);
      PutVarint(ZigZag(id), out_);
    }
    last_ = id;
  }
  void I64(int16_t id, uint64_t v) {
    Header(id, kI64);
    PutVarint(ZigZag(static_cast<int64_t>(v)), out_);
  }
  void I32(int16_t id, int32_t v) {
    Header(id, kI32);
    PutVarint(ZigZag(v), out_);
  }
  void String(int16_t id, const std::string& s) {
    Header(id, kBinary);
    PutVarint(s.size(), out_);
    out_ += s;
  }
  void Bool(int16_t id, bool v) { Header(id, v ? kBoolTrue : kBoolFalse); }
  void Double(int16_t id, double v) {
    Header(id, kDouble);
    PutLittleEndian64(DoubleBits(v), out_);
  }
  // A list of `n` already encoded structs.
  void StructList(int16_t id, size_t n) {
    Header(id, kList);
    if (n < 15) {
      out_ += static_cast<char>((n << 4) | kStruct);
    } else {
      out_ += static_cast<char>(0xf0 | kStruct);
      PutVarint(n, out_);
    }
  }
  void Stop() { out_ += '\0'; }

 private:
  std::string& out_;
  int16_t last_ = 0;
};

// Tag { 1: key, 2: vType (STRING 0, DOUBLE 1, BOOL 2, LONG 3), 3: vStr,
// 4: vDouble, 5: vBool, 6: vLong }
void PutTag(const Tag& tag, std::string& out) {
  StructWriter w(out);
  w.String(1, tag.first);
  const TagValue& v = tag.second;
  switch (v.type) {
    case TagValue::Type::kString:
      w.I32(2, 0);
      w.String(3, v.string_value);
      break;
    case TagValue::Type::kDouble:
      w.I32(2, 1);
      w.Double(4, v.double_value);
      break;
    case TagValue::Type::kBool:
      w.I32(2, 2);
      w.Bool(5, v.bool_value);
      break;
    case TagValue::Type::kInt64:
      w.I32(2, 3);
      w.I64(6, static_cast<uint64_t>(v.int64_value));
      break;
  }
  w.Stop();
}

void PutTags(StructWriter& w, int16_t id, const std::vector<Tag>& tags, std::string& out) {
  w.StructList(id, tags.size());
  for (const Tag& t : tags) PutTag(t, out);
}

}  // namespace

// Span { 1: traceIdLow, 2: traceIdHigh, 3: spanId, 4: parentSpanId,
// 5: operationName, 6: references, 7: flags, 8: startTime (us),
// 9: duration (us), 10: tags, 11: logs }
std::string EncodeThriftSpan(const SpanData& s) {
  std::string out;
  StructWriter w(out);
  w.I64(1, s.trace_id_low);
  w.I64(2, s.trace_id_high);
  w.I64(3, s.span_id);
  w.I64(4, s.parent_span_id);
  w.String(5, s.operation_name);
  if (!s.references.empty()) {
    // SpanRef { 1: refType (CHILD_OF 0, FOLLOWS_FROM 1), 2: traceIdLow,
    // 3: traceIdHigh, 4: spanId }
    w.StructList(6, s.references.size());
    for (const ReferenceData& r : s.references) {
      StructWriter rw(out);
      rw.I32(1, r.type == ReferenceType::kChildOf ? 0 : 1);
      rw.I64(2, r.trace_id_low);
      rw.I64(3, r.trace_id_high);
      rw.I64(4, r.span_id);
      rw.Stop();
    }
  }
  w.I32(7, s.flags);
  w.I64(8, s.start_time_ns / 1000);
  w.I64(9, s.duration_ns / 1000);
  if (!s.tags.empty()) PutTags(w, 10, s.tags, out);
  if (!s.logs.empty()) {
    // Log { 1: timestamp (us), 2: fields }
    w.StructList(11, s.logs.size());
    for (const LogData& log : s.logs) {
      StructWriter lw(out);
      lw.I64(1, log.time_ns / 1000);
      PutTags(lw, 2, log.fields, out);
      lw.Stop();
    }
  }
  w.Stop();
  return out;
}

// Process { 1: serviceName, 2: tags }
std::string EncodeThriftProcess(const ProcessData& p) {
  std::string out;
  StructWriter w(out);
  w.String(1, p.service_name);
  if (!p.tags.empty()) PutTags(w, 2, p.tags, out);
  w.Stop();
  return out;
}

std::string EncodeEmitBatch(const std::string& process, const std::vector<std::string>& spans) {
  std::string out;
  out += static_cast<char>(0x82);          // compact protocol
  out += static_cast<char>((4 << 5) | 1);  // version 1, ONEWAY
  PutVarint(0, out);                       // sequence ID
  const std::string method = "emitBatch";
  PutVarint(method.size(), out);
  out += method;
  StructWriter args(out);
  args.Header(1, kStruct);  // emitBatch_args { 1: Batch batch }
  StructWriter batch(out);  // Batch { 1: process, 2: spans }
  batch.Header(1, kStruct);
  out += process;
  batch.StructList(2, spans.size());
  for (const std::string& s : spans) out += s;
  batch.Stop();
  args.Stop();
  return out;
}

}  // namespace spoor::internal
