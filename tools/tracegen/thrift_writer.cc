#include "thrift_writer.h"

namespace spoor::tracegen {

void ThriftWriter::MessageBegin(std::string_view name, uint8_t type, int32_t seq_id) {
  if (compact()) {
    Byte(0x82);                                   // protocol ID
    Byte(static_cast<uint8_t>((type << 5) | 1));  // type, version 1
    Varint(static_cast<uint32_t>(seq_id));
    String(name);
  } else {
    I32(static_cast<int32_t>(0x80010000u | type));  // strict, version 1
    String(name);
    I32(seq_id);
  }
}

void ThriftWriter::StructEnd() {
  Byte(0);
  last_field_ids_.pop_back();
}

void ThriftWriter::FieldBegin(ThriftType type, int16_t id) {
  if (!compact()) {
    Byte(static_cast<uint8_t>(type));
    BigEndian(static_cast<uint16_t>(id), 2);
    return;
  }
  int16_t& last = last_field_ids_.back();
  const int delta = id - last;
  if (delta > 0 && delta <= 15) {
    Byte(static_cast<uint8_t>((delta << 4) | CompactType(type)));
  } else {
    Byte(CompactType(type));
    Varint((static_cast<uint64_t>(id) << 1) ^ static_cast<uint64_t>(id >> 15));
  }
  last = id;
}

void ThriftWriter::ListBegin(ThriftType element, uint32_t size) {
  if (compact()) {
    if (size < 15) {
      Byte(static_cast<uint8_t>((size << 4) | CompactType(element)));
    } else {
      Byte(static_cast<uint8_t>(0xf0 | CompactType(element)));
      Varint(size);
    }
  } else {
    Byte(static_cast<uint8_t>(element));
    BigEndian(size, 4);
  }
}

void ThriftWriter::I32(int32_t v) {
  if (compact()) {
    Varint(static_cast<uint32_t>((static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31)));
  } else {
    BigEndian(static_cast<uint32_t>(v), 4);
  }
}

void ThriftWriter::I64(int64_t v) {
  if (compact()) {
    Varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  } else {
    BigEndian(static_cast<uint64_t>(v), 8);
  }
}

void ThriftWriter::String(std::string_view s) {
  if (compact()) {
    Varint(s.size());
  } else {
    BigEndian(s.size(), 4);
  }
  out_.append(s);
}

uint8_t ThriftWriter::CompactType(ThriftType type) {
  switch (type) {
    case ThriftType::kStop: return 0;
    case ThriftType::kBool: return 1;
    case ThriftType::kI32: return 5;
    case ThriftType::kI64: return 6;
    case ThriftType::kString: return 8;
    case ThriftType::kList: return 9;
    case ThriftType::kStruct: return 12;
  }
  return 0;
}

void ThriftWriter::Varint(uint64_t v) {
  while (v >= 0x80) {
    Byte(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  Byte(static_cast<uint8_t>(v));
}

void ThriftWriter::BigEndian(uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) Byte(static_cast<uint8_t>(v >> (8 * i)));
}

}  // namespace spoor::tracegen
