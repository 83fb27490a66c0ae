#include "formats/thrift/thrift_reader.h"

#include <bit>
#include <utility>

namespace spoor::thrift {
namespace {

// Compact protocol type numbers.
enum CompactType : uint8_t {
  kCompactStop = 0,
  kCompactTrue = 1,
  kCompactFalse = 2,
  kCompactByte = 3,
  kCompactI16 = 4,
  kCompactI32 = 5,
  kCompactI64 = 6,
  kCompactDouble = 7,
  kCompactBinary = 8,
  kCompactList = 9,
  kCompactSet = 10,
  kCompactMap = 11,
  kCompactStruct = 12,
};

constexpr uint8_t kCompactProtocolId = 0x82;
constexpr uint8_t kCompactVersion = 1;
constexpr uint32_t kBinaryVersionMask = 0xffff0000;
constexpr uint32_t kBinaryVersion1 = 0x80010000;

int64_t ZigZag(uint64_t n) {
  return static_cast<int64_t>(n >> 1) ^ -static_cast<int64_t>(n & 1);
}

bool ValidBinaryType(uint8_t t) {
  switch (t) {
    case 2:
    case 3:
    case 4:
    case 6:
    case 8:
    case 10:
    case 11:
    case 12:
    case 13:
    case 14:
    case 15: return true;
    default: return false;
  }
}

}  // namespace

std::string_view TypeName(TType type) {
  switch (type) {
    case TType::kStop: return "stop";
    case TType::kBool: return "bool";
    case TType::kByte: return "byte";
    case TType::kDouble: return "double";
    case TType::kI16: return "i16";
    case TType::kI32: return "i32";
    case TType::kI64: return "i64";
    case TType::kString: return "string";
    case TType::kStruct: return "struct";
    case TType::kMap: return "map";
    case TType::kSet: return "set";
    case TType::kList: return "list";
  }
  return "unknown";
}

bool Reader::Fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
  pos_ = in_.size();
  return false;
}

bool Reader::NeedFailed(size_t n, std::string_view what) {
  if (!error_.empty()) return false;
  if (remaining() < n) return Fail("truncated " + std::string(what));
  return true;
}

bool Reader::ReadLongVarint(uint64_t* v, int max_bytes, std::string_view what) {
  uint64_t result = 0;
  for (int i = 0; i < max_bytes; ++i) {
    if (!Need(1, what)) return false;
    auto byte = static_cast<uint8_t>(in_[pos_++]);
    result |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      // The last byte of a 10-byte varint holds only the top bit.
      if (i == 9 && byte > 1) break;
      *v = result;
      return true;
    }
  }
  return Fail("invalid varint in " + std::string(what));
}

bool Reader::ReadFixed(size_t n, uint64_t* v, bool little_endian, std::string_view what) {
  if (!Need(n, what)) return false;
  uint64_t result = 0;
  for (size_t i = 0; i < n; ++i) {
    auto byte = static_cast<uint8_t>(in_[pos_ + (little_endian ? n - 1 - i : i)]);
    result = (result << 8) | byte;
  }
  pos_ += n;
  *v = result;
  return true;
}

bool Reader::UnknownCompactType(uint8_t nibble) {
  return Fail("unknown compact type " + std::to_string(nibble));
}

bool Reader::Enter() {
  if (depth_ >= kMaxDepth) {
    return Fail("nesting deeper than " + std::to_string(kMaxDepth));
  }
  ++depth_;
  return true;
}

bool Reader::CheckCount(uint64_t count, size_t min_element_bytes, std::string_view what) {
  // Every element takes at least min_element_bytes, so a count beyond what
  // is left cannot be right (and bounds any use of it).
  if (count > remaining() / (min_element_bytes == 0 ? 1 : min_element_bytes)) {
    return Fail(std::string(what) + " of " + std::to_string(count) +
                " elements exceeds the remaining " + std::to_string(remaining()) + " bytes");
  }
  return true;
}

bool Reader::ReadMessageBegin(std::string_view* name, uint8_t* type, int32_t* seq_id) {
  if (protocol_ == ThriftProtocol::kCompact) {
    uint64_t header = 0;
    if (!ReadFixed(2, &header, false, "message header")) return false;
    if ((header >> 8) != kCompactProtocolId) return Fail("not a compact protocol message");
    if ((header & 0x1f) != kCompactVersion) {
      return Fail("unsupported compact protocol version " + std::to_string(header & 0x1f));
    }
    *type = static_cast<uint8_t>((header >> 5) & 0x07);
    uint64_t seq = 0;
    if (!ReadVarint(&seq, 5, "message sequence ID")) return false;
    if (seq > UINT32_MAX) return Fail("invalid message sequence ID");
    *seq_id = static_cast<int32_t>(static_cast<uint32_t>(seq));
    return ReadString(name);
  }
  int32_t first = 0;
  if (!ReadI32(&first)) return false;
  const auto word = static_cast<uint32_t>(first);
  if (first < 0) {
    // Strict: version and type, then the name, then the sequence ID.
    if ((word & kBinaryVersionMask) != kBinaryVersion1) {
      return Fail("unsupported binary protocol version");
    }
    *type = static_cast<uint8_t>(word & 0xff);
    return ReadString(name) && ReadI32(seq_id);
  }
  // Old style: the name's length, the name, the type byte, the sequence ID.
  if (!Need(word, "message name")) return false;
  *name = in_.substr(pos_, word);
  pos_ += word;
  int8_t t = 0;
  if (!ReadByte(&t)) return false;
  *type = static_cast<uint8_t>(t);
  return ReadI32(seq_id);
}

bool Reader::ReadStructBegin() {
  if (!Enter()) return false;
  last_field_id_[++struct_depth_] = 0;
  return true;
}

void Reader::ReadStructEnd() {
  --struct_depth_;
  --depth_;
}

bool Reader::ReadFieldBegin(TType* type, int16_t* id) {
  if (!Need(1, "field header")) return false;
  const auto byte = static_cast<uint8_t>(in_[pos_++]);
  if (protocol_ == ThriftProtocol::kBinary) {
    if (byte == 0) {
      *type = TType::kStop;
      return true;
    }
    if (!ValidBinaryType(byte)) return Fail("unknown field type " + std::to_string(byte));
    *type = static_cast<TType>(byte);
    return ReadI16(id);
  }
  const uint8_t nibble = byte & 0x0f;
  if (nibble == kCompactStop) {
    *type = TType::kStop;
    return true;
  }
  if (!CompactType(nibble, type)) return false;
  const int delta = byte >> 4;
  if (delta != 0) {
    const int next = last_field_id_[struct_depth_] + delta;
    if (next > INT16_MAX) return Fail("field ID out of range");
    *id = static_cast<int16_t>(next);
  } else if (!ReadI16(id)) {
    return false;
  }
  last_field_id_[struct_depth_] = *id;
  if (*type == TType::kBool) {
    has_pending_bool_ = true;
    pending_bool_ = nibble == kCompactTrue;
  }
  return true;
}

bool Reader::ReadListBegin(TType* element, uint32_t* size) {
  uint64_t count = 0;
  if (protocol_ == ThriftProtocol::kBinary) {
    int8_t t = 0;
    int32_t n = 0;
    if (!ReadByte(&t) || !ReadI32(&n)) return false;
    if (!ValidBinaryType(static_cast<uint8_t>(t))) {
      return Fail("unknown element type " + std::to_string(static_cast<uint8_t>(t)));
    }
    if (n < 0) return Fail("negative list size");
    *element = static_cast<TType>(t);
    count = static_cast<uint64_t>(n);
  } else {
    if (!Need(1, "list header")) return false;
    const auto byte = static_cast<uint8_t>(in_[pos_++]);
    if (!CompactType(byte & 0x0f, element)) return false;
    count = byte >> 4;
    if (count == 15 && !ReadVarint(&count, 5, "list size")) return false;
  }
  if (!CheckCount(count, 1, "list")) return false;
  *size = static_cast<uint32_t>(count);
  return Enter();
}

bool Reader::ReadMapBegin(TType* key, TType* value, uint32_t* size) {
  uint64_t count = 0;
  if (protocol_ == ThriftProtocol::kBinary) {
    int8_t k = 0;
    int8_t v = 0;
    int32_t n = 0;
    if (!ReadByte(&k) || !ReadByte(&v) || !ReadI32(&n)) return false;
    if (!ValidBinaryType(static_cast<uint8_t>(k)) || !ValidBinaryType(static_cast<uint8_t>(v))) {
      return Fail("unknown map key or value type");
    }
    if (n < 0) return Fail("negative map size");
    *key = static_cast<TType>(k);
    *value = static_cast<TType>(v);
    count = static_cast<uint64_t>(n);
  } else {
    if (!ReadVarint(&count, 5, "map size")) return false;
    if (count != 0) {
      if (!Need(1, "map header")) return false;
      const auto types = static_cast<uint8_t>(in_[pos_++]);
      if (!CompactType(types >> 4, key) || !CompactType(types & 0x0f, value)) return false;
    } else {
      *key = *value = TType::kStop;
    }
  }
  // Each entry is a key and a value of at least one byte each.
  if (!CheckCount(count, 2, "map")) return false;
  *size = static_cast<uint32_t>(count);
  return Enter();
}

bool Reader::ReadBool(bool* v) {
  if (has_pending_bool_) {
    has_pending_bool_ = false;
    *v = pending_bool_;
    return true;
  }
  int8_t b = 0;
  if (!ReadByte(&b)) return false;
  // Binary: anything but 0 is true. Compact elements: 1 is true, 2 false.
  *v = protocol_ == ThriftProtocol::kBinary ? b != 0 : b == kCompactTrue;
  return true;
}

bool Reader::ReadByte(int8_t* v) {
  if (!Need(1, "byte")) return false;
  *v = static_cast<int8_t>(in_[pos_++]);
  return true;
}

bool Reader::ReadI16(int16_t* v) {
  uint64_t raw = 0;
  if (protocol_ == ThriftProtocol::kBinary) {
    if (!ReadFixed(2, &raw, false, "i16")) return false;
    *v = static_cast<int16_t>(static_cast<uint16_t>(raw));
    return true;
  }
  if (!ReadVarint(&raw, 3, "i16")) return false;
  const int64_t n = ZigZag(raw);
  if (n < INT16_MIN || n > INT16_MAX) return Fail("i16 out of range");
  *v = static_cast<int16_t>(n);
  return true;
}

bool Reader::ReadI32(int32_t* v) {
  uint64_t raw = 0;
  if (protocol_ == ThriftProtocol::kBinary) {
    if (!ReadFixed(4, &raw, false, "i32")) return false;
    *v = static_cast<int32_t>(static_cast<uint32_t>(raw));
    return true;
  }
  if (!ReadVarint(&raw, 5, "i32")) return false;
  const int64_t n = ZigZag(raw);
  if (n < INT32_MIN || n > INT32_MAX) return Fail("i32 out of range");
  *v = static_cast<int32_t>(n);
  return true;
}

bool Reader::ReadI64(int64_t* v) {
  uint64_t raw = 0;
  if (protocol_ == ThriftProtocol::kBinary) {
    if (!ReadFixed(8, &raw, false, "i64")) return false;
    *v = static_cast<int64_t>(raw);
    return true;
  }
  if (!ReadVarint(&raw, 10, "i64")) return false;
  *v = ZigZag(raw);
  return true;
}

bool Reader::ReadDouble(double* v) {
  uint64_t raw = 0;
  // Big-endian in the binary protocol, little-endian in the compact one.
  if (!ReadFixed(8, &raw, protocol_ == ThriftProtocol::kCompact, "double")) return false;
  *v = std::bit_cast<double>(raw);
  return true;
}

bool Reader::ReadString(std::string_view* v) {
  uint64_t size = 0;
  if (protocol_ == ThriftProtocol::kBinary) {
    int32_t n = 0;
    if (!ReadI32(&n)) return false;
    if (n < 0) return Fail("negative string length");
    size = static_cast<uint64_t>(n);
  } else if (!ReadVarint(&size, 5, "string length")) {
    return false;
  }
  if (!Need(size, "string")) return false;
  *v = in_.substr(pos_, size);
  pos_ += size;
  return true;
}

bool Reader::Skip(TType type) {
  switch (type) {
    case TType::kStop: return Fail("unexpected stop");
    case TType::kBool: {
      bool b = false;
      return ReadBool(&b);
    }
    case TType::kByte: {
      int8_t b = 0;
      return ReadByte(&b);
    }
    case TType::kI16: {
      int16_t n = 0;
      return ReadI16(&n);
    }
    case TType::kI32: {
      int32_t n = 0;
      return ReadI32(&n);
    }
    case TType::kI64: {
      int64_t n = 0;
      return ReadI64(&n);
    }
    case TType::kDouble: {
      double d = 0;
      return ReadDouble(&d);
    }
    case TType::kString: {
      std::string_view s;
      return ReadString(&s);
    }
    case TType::kStruct: {
      if (!ReadStructBegin()) return false;
      for (;;) {
        TType t = TType::kStop;
        int16_t id = 0;
        if (!ReadFieldBegin(&t, &id)) return false;
        if (t == TType::kStop) break;
        if (!Skip(t)) return false;
      }
      ReadStructEnd();
      return true;
    }
    case TType::kList:
    case TType::kSet: {
      TType element = TType::kStop;
      uint32_t size = 0;
      if (!ReadListBegin(&element, &size)) return false;
      for (uint32_t i = 0; i < size; ++i) {
        if (!Skip(element)) return false;
      }
      ContainerEnd();
      return true;
    }
    case TType::kMap: {
      TType key = TType::kStop;
      TType value = TType::kStop;
      uint32_t size = 0;
      if (!ReadMapBegin(&key, &value, &size)) return false;
      for (uint32_t i = 0; i < size; ++i) {
        if (!Skip(key) || !Skip(value)) return false;
      }
      ContainerEnd();
      return true;
    }
  }
  return Fail("unknown type");
}

}  // namespace spoor::thrift
