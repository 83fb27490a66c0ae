// A minimal Thrift writer (binary and compact protocols) and jaeger.thrift
// encoders, to produce the decoder's test inputs. Test-only code.
#pragma once

#include <bit>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "formats/jaeger_thrift/jaeger_thrift_decode.h"
#include "formats/thrift/thrift_reader.h"

namespace spoor::thrift_test {

using thrift::TType;

class Writer {
 public:
  explicit Writer(ThriftProtocol protocol) : protocol_(protocol) {}

  void MessageBegin(std::string_view name, uint8_t type, int32_t seq_id, bool strict = true) {
    if (compact()) {
      Raw(0x82);
      Raw(static_cast<uint8_t>((type << 5) | 1));
      Varint(static_cast<uint32_t>(seq_id));
      String(name);
    } else if (strict) {
      I32(static_cast<int32_t>(0x80010000u | type));
      String(name);
      I32(seq_id);
    } else {
      String(name);
      Raw(type);
      I32(seq_id);
    }
  }

  void StructBegin() { last_ids_.push_back(0); }
  void StructEnd() {
    Raw(0);
    last_ids_.pop_back();
  }

  void FieldBegin(TType type, int16_t id) { FieldHeader(CompactType(type), type, id); }
  // A bool field (in the compact protocol its value is in the header).
  void FieldBool(int16_t id, bool v) {
    if (compact()) {
      FieldHeader(v ? 1 : 2, TType::kBool, id);
    } else {
      FieldHeader(0, TType::kBool, id);
      Bool(v);
    }
  }

  void ListBegin(TType element, uint32_t size) {
    if (compact()) {
      if (size < 15) {
        Raw(static_cast<uint8_t>((size << 4) | CompactType(element)));
      } else {
        Raw(static_cast<uint8_t>(0xf0 | CompactType(element)));
        Varint(size);
      }
    } else {
      Raw(static_cast<uint8_t>(element));
      I32(static_cast<int32_t>(size));
    }
  }

  void MapBegin(TType key, TType value, uint32_t size) {
    if (compact()) {
      Varint(size);
      if (size != 0) Raw(static_cast<uint8_t>((CompactType(key) << 4) | CompactType(value)));
    } else {
      Raw(static_cast<uint8_t>(key));
      Raw(static_cast<uint8_t>(value));
      I32(static_cast<int32_t>(size));
    }
  }

  void Bool(bool v) { Raw(compact() ? (v ? 1 : 2) : (v ? 1 : 0)); }
  void Byte(int8_t v) { Raw(static_cast<uint8_t>(v)); }
  void I16(int16_t v) { compact() ? ZigZag(v) : BigEndian(static_cast<uint16_t>(v), 2); }
  void I32(int32_t v) { compact() ? ZigZag(v) : BigEndian(static_cast<uint32_t>(v), 4); }
  void I64(int64_t v) { compact() ? ZigZag(v) : BigEndian(static_cast<uint64_t>(v), 8); }
  void Double(double v) {
    const auto bits = std::bit_cast<uint64_t>(v);
    if (compact()) {
      for (int i = 0; i < 8; ++i) Raw(static_cast<uint8_t>(bits >> (8 * i)));
    } else {
      BigEndian(bits, 8);
    }
  }
  void String(std::string_view s) {
    compact() ? Varint(s.size()) : BigEndian(s.size(), 4);
    out_.append(s);
  }

  void Raw(uint8_t byte) { out_.push_back(static_cast<char>(byte)); }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      Raw(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    Raw(static_cast<uint8_t>(v));
  }

  [[nodiscard]] const std::string& bytes() const { return out_; }
  [[nodiscard]] bool compact() const { return protocol_ == ThriftProtocol::kCompact; }

 private:
  static uint8_t CompactType(TType type) {
    switch (type) {
      case TType::kBool: return 1;
      case TType::kByte: return 3;
      case TType::kI16: return 4;
      case TType::kI32: return 5;
      case TType::kI64: return 6;
      case TType::kDouble: return 7;
      case TType::kString: return 8;
      case TType::kList: return 9;
      case TType::kSet: return 10;
      case TType::kMap: return 11;
      case TType::kStruct: return 12;
      case TType::kStop: return 0;
    }
    return 0;
  }

  void FieldHeader(uint8_t compact_type, TType type, int16_t id) {
    if (!compact()) {
      Raw(static_cast<uint8_t>(type));
      I16(id);
      return;
    }
    const int delta = id - last_ids_.back();
    if (delta > 0 && delta <= 15) {
      Raw(static_cast<uint8_t>((delta << 4) | compact_type));
    } else {
      Raw(compact_type);
      I16(id);
    }
    last_ids_.back() = id;
  }

  void ZigZag(int64_t v) {
    Varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  void BigEndian(uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) Raw(static_cast<uint8_t>(v >> (8 * i)));
  }

  ThriftProtocol protocol_;
  std::string out_;
  std::vector<int16_t> last_ids_{0};
};

// jaeger.thrift, as plain structs (optional fields as std::optional).
struct JTag {
  std::string key;
  int32_t v_type = 0;
  std::optional<std::string> v_str;
  std::optional<double> v_double;
  std::optional<bool> v_bool;
  std::optional<int64_t> v_long;
  std::optional<std::string> v_binary;
};
inline JTag StrTag(std::string key, std::string v) {
  return {.key = std::move(key), .v_type = 0, .v_str = std::move(v)};
}
inline JTag DoubleTag(std::string key, double v) {
  return {.key = std::move(key), .v_type = 1, .v_double = v};
}
inline JTag BoolTag(std::string key, bool v) {
  return {.key = std::move(key), .v_type = 2, .v_bool = v};
}
inline JTag LongTag(std::string key, int64_t v) {
  return {.key = std::move(key), .v_type = 3, .v_long = v};
}
inline JTag BinaryTag(std::string key, std::string v) {
  return {.key = std::move(key), .v_type = 4, .v_binary = std::move(v)};
}

struct JLog {
  int64_t timestamp = 0;
  std::vector<JTag> fields;
};
struct JRef {
  int32_t ref_type = 0;  // CHILD_OF=0, FOLLOWS_FROM=1
  int64_t trace_id_low = 0;
  int64_t trace_id_high = 0;
  int64_t span_id = 0;
};
struct JSpan {
  int64_t trace_id_low = 0;
  int64_t trace_id_high = 0;
  int64_t span_id = 0;
  int64_t parent_span_id = 0;
  std::string operation_name;
  std::optional<std::vector<JRef>> references;
  int32_t flags = 0;
  int64_t start_time = 0;
  int64_t duration = 0;
  std::optional<std::vector<JTag>> tags;
  std::optional<std::vector<JLog>> logs;
};
struct JProcess {
  std::string service_name;
  std::optional<std::vector<JTag>> tags;
};
struct JBatch {
  JProcess process;
  std::vector<JSpan> spans;
  std::optional<int64_t> seq_no;
};

inline void Write(Writer& w, const JTag& t) {
  w.StructBegin();
  w.FieldBegin(TType::kString, 1);
  w.String(t.key);
  w.FieldBegin(TType::kI32, 2);
  w.I32(t.v_type);
  if (t.v_str) {
    w.FieldBegin(TType::kString, 3);
    w.String(*t.v_str);
  }
  if (t.v_double) {
    w.FieldBegin(TType::kDouble, 4);
    w.Double(*t.v_double);
  }
  if (t.v_bool) w.FieldBool(5, *t.v_bool);
  if (t.v_long) {
    w.FieldBegin(TType::kI64, 6);
    w.I64(*t.v_long);
  }
  if (t.v_binary) {
    w.FieldBegin(TType::kString, 7);
    w.String(*t.v_binary);
  }
  w.StructEnd();
}

inline void WriteTags(Writer& w, int16_t id, const std::vector<JTag>& tags) {
  w.FieldBegin(TType::kList, id);
  w.ListBegin(TType::kStruct, static_cast<uint32_t>(tags.size()));
  for (const JTag& t : tags) Write(w, t);
}

inline void Write(Writer& w, const JSpan& s) {
  w.StructBegin();
  w.FieldBegin(TType::kI64, 1);
  w.I64(s.trace_id_low);
  w.FieldBegin(TType::kI64, 2);
  w.I64(s.trace_id_high);
  w.FieldBegin(TType::kI64, 3);
  w.I64(s.span_id);
  w.FieldBegin(TType::kI64, 4);
  w.I64(s.parent_span_id);
  w.FieldBegin(TType::kString, 5);
  w.String(s.operation_name);
  if (s.references) {
    w.FieldBegin(TType::kList, 6);
    w.ListBegin(TType::kStruct, static_cast<uint32_t>(s.references->size()));
    for (const JRef& r : *s.references) {
      w.StructBegin();
      w.FieldBegin(TType::kI32, 1);
      w.I32(r.ref_type);
      w.FieldBegin(TType::kI64, 2);
      w.I64(r.trace_id_low);
      w.FieldBegin(TType::kI64, 3);
      w.I64(r.trace_id_high);
      w.FieldBegin(TType::kI64, 4);
      w.I64(r.span_id);
      w.StructEnd();
    }
  }
  w.FieldBegin(TType::kI32, 7);
  w.I32(s.flags);
  w.FieldBegin(TType::kI64, 8);
  w.I64(s.start_time);
  w.FieldBegin(TType::kI64, 9);
  w.I64(s.duration);
  if (s.tags) WriteTags(w, 10, *s.tags);
  if (s.logs) {
    w.FieldBegin(TType::kList, 11);
    w.ListBegin(TType::kStruct, static_cast<uint32_t>(s.logs->size()));
    for (const JLog& l : *s.logs) {
      w.StructBegin();
      w.FieldBegin(TType::kI64, 1);
      w.I64(l.timestamp);
      WriteTags(w, 2, l.fields);
      w.StructEnd();
    }
  }
  w.StructEnd();
}

inline void Write(Writer& w, const JBatch& b) {
  w.StructBegin();
  w.FieldBegin(TType::kStruct, 1);
  w.StructBegin();
  w.FieldBegin(TType::kString, 1);
  w.String(b.process.service_name);
  if (b.process.tags) WriteTags(w, 2, *b.process.tags);
  w.StructEnd();
  w.FieldBegin(TType::kList, 2);
  w.ListBegin(TType::kStruct, static_cast<uint32_t>(b.spans.size()));
  for (const JSpan& s : b.spans) Write(w, s);
  if (b.seq_no) {
    w.FieldBegin(TType::kI64, 3);
    w.I64(*b.seq_no);
  }
  w.StructEnd();
}

inline std::string EncodeBatch(const JBatch& b, ThriftProtocol protocol) {
  Writer w(protocol);
  Write(w, b);
  return w.bytes();
}

// Agent.emitBatch(batch) as a oneway call message.
inline std::string EncodeEmitBatch(const JBatch& b, ThriftProtocol protocol, bool strict = true,
                                   uint8_t message_type = thrift::kMessageOneway,
                                   int32_t seq_id = 7) {
  Writer w(protocol);
  w.MessageBegin("emitBatch", message_type, seq_id, strict);
  w.StructBegin();
  w.FieldBegin(TType::kStruct, 1);
  Write(w, b);
  w.StructEnd();
  return w.bytes();
}

}  // namespace spoor::thrift_test
