#include "thrift_encode.h"

#include "wire.h"

namespace spoor::internal {
namespace {

// Field types, and their codes in each protocol.
enum class Type : uint8_t { kBool, kI32, kI64, kDouble, kString, kList, kStruct };

uint8_t CompactCode(Type t) {
  switch (t) {
    case Type::kBool: return 1;  // written as 1 (true) or 2 (false)
    case Type::kI32: return 5;
    case Type::kI64: return 6;
    case Type::kDouble: return 7;
    case Type::kString: return 8;
    case Type::kList: return 9;
    case Type::kStruct: return 12;
  }
  return 0;
}

uint8_t BinaryCode(Type t) {
  switch (t) {
    case Type::kBool: return 2;
    case Type::kI32: return 8;
    case Type::kI64: return 10;
    case Type::kDouble: return 4;
    case Type::kString: return 11;
    case Type::kList: return 15;
    case Type::kStruct: return 12;
  }
  return 0;
}

// Writes one struct's fields in increasing order: compact (short-form
// headers, varints) or binary (type byte and big-endian i16 field ID,
// big-endian numbers).
class StructWriter {
 public:
  StructWriter(std::string& out, ThriftProtocol protocol)
      : out_(out), binary_(protocol == ThriftProtocol::kBinary) {}
  void Header(int16_t id, Type type, bool bool_value = false) {
    if (binary_) {
      out_ += static_cast<char>(BinaryCode(type));
      out_ += static_cast<char>((id >> 8) & 0xff);
      out_ += static_cast<char>(id & 0xff);
      return;
    }
    uint8_t code = type == Type::kBool ? (bool_value ? 1 : 2) : CompactCode(type);
    int delta = id - last_;
    if (delta > 0 && delta <= 15) {
      out_ += static_cast<char>((delta << 4) | code);
    } else {
      out_ += static_cast<char>(code);
      PutVarint(ZigZag(id), out_);
    }
    last_ = id;
  }
  void I64(int16_t id, uint64_t v) {
    Header(id, Type::kI64);
    if (binary_) {
      out_ += BigEndian64(v);
    } else {
      PutVarint(ZigZag(static_cast<int64_t>(v)), out_);
    }
  }
  void I32(int16_t id, int32_t v) {
    Header(id, Type::kI32);
    if (binary_) {
      out_ += BigEndian32(static_cast<uint32_t>(v));
    } else {
      PutVarint(ZigZag(v), out_);
    }
  }
  void String(int16_t id, const std::string& s) {
    Header(id, Type::kString);
    if (binary_) {
      out_ += BigEndian32(static_cast<uint32_t>(s.size()));
    } else {
      PutVarint(s.size(), out_);
    }
    out_ += s;
  }
  void Bool(int16_t id, bool v) {
    Header(id, Type::kBool, v);
    if (binary_) out_ += static_cast<char>(v ? 1 : 0);
  }
  void Double(int16_t id, double v) {
    Header(id, Type::kDouble);
    if (binary_) {
      out_ += BigEndian64(DoubleBits(v));
    } else {
      PutLittleEndian64(DoubleBits(v), out_);
    }
  }
  // A list of `n` structs, written next.
  void StructList(int16_t id, size_t n) {
    Header(id, Type::kList);
    if (binary_) {
      out_ += static_cast<char>(BinaryCode(Type::kStruct));
      out_ += BigEndian32(static_cast<uint32_t>(n));
    } else if (n < 15) {
      out_ += static_cast<char>((n << 4) | CompactCode(Type::kStruct));
    } else {
      out_ += static_cast<char>(0xf0 | CompactCode(Type::kStruct));
      PutVarint(n, out_);
    }
  }
  void Stop() { out_ += '\0'; }
  [[nodiscard]] ThriftProtocol protocol() const {
    return binary_ ? ThriftProtocol::kBinary : ThriftProtocol::kCompact;
  }

 private:
  std::string& out_;
  const bool binary_;
  int16_t last_ = 0;
};

// Tag { 1: key, 2: vType (STRING 0, DOUBLE 1, BOOL 2, LONG 3), 3: vStr,
// 4: vDouble, 5: vBool, 6: vLong }
void PutTag(const Tag& tag, ThriftProtocol protocol, std::string& out) {
  StructWriter w(out, protocol);
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
  for (const Tag& t : tags) PutTag(t, w.protocol(), out);
}

}  // namespace

// Span { 1: traceIdLow, 2: traceIdHigh, 3: spanId, 4: parentSpanId,
// 5: operationName, 6: references, 7: flags, 8: startTime (us),
// 9: duration (us), 10: tags, 11: logs }
std::string EncodeThriftSpan(const SpanData& s, ThriftProtocol protocol) {
  std::string out;
  StructWriter w(out, protocol);
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
      StructWriter rw(out, protocol);
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
      StructWriter lw(out, protocol);
      lw.I64(1, log.time_ns / 1000);
      PutTags(lw, 2, log.fields, out);
      lw.Stop();
    }
  }
  w.Stop();
  return out;
}

// Process { 1: serviceName, 2: tags }
std::string EncodeThriftProcess(const ProcessData& p, ThriftProtocol protocol) {
  std::string out;
  StructWriter w(out, protocol);
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
  StructWriter args(out, ThriftProtocol::kCompact);
  args.Header(1, Type::kStruct);                      // emitBatch_args { 1: Batch batch }
  StructWriter batch(out, ThriftProtocol::kCompact);  // Batch { 1: process, 2: spans }
  batch.Header(1, Type::kStruct);
  out += process;
  batch.StructList(2, spans.size());
  for (const std::string& s : spans) out += s;
  batch.Stop();
  args.Stop();
  return out;
}

std::string EncodeBinaryBatch(const ProcessData& process, const std::vector<SpanData>& spans) {
  std::string out;
  StructWriter batch(out, ThriftProtocol::kBinary);  // Batch { 1: process, 2: spans }
  batch.Header(1, Type::kStruct);
  out += EncodeThriftProcess(process, ThriftProtocol::kBinary);
  batch.StructList(2, spans.size());
  for (const SpanData& s : spans) out += EncodeThriftSpan(s, ThriftProtocol::kBinary);
  batch.Stop();
  return out;
}

}  // namespace spoor::internal
