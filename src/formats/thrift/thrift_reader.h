// A bounds-checked reader of the Thrift binary and compact protocols, enough
// to decode Jaeger's and Zipkin's span reports. Internal to src/formats.
//
// Every read checks the remaining input first; a length read from the input
// is never used to allocate (strings are returned as views into the input,
// and a container's size is checked against the bytes left). Structs and
// containers nest at most kMaxDepth deep. A failed read returns false and
// leaves the reason in error(); the reader is then unusable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "formats/thrift/thrift_protocol.h"

namespace spoor::thrift {

// Field and element types, numbered as in the binary protocol (the compact
// protocol's numbers are translated).
enum class TType : uint8_t {
  kStop = 0,
  kBool = 2,
  kByte = 3,
  kDouble = 4,
  kI16 = 6,
  kI32 = 8,
  kI64 = 10,
  kString = 11,
  kStruct = 12,
  kMap = 13,
  kSet = 14,
  kList = 15,
};

// "i32", "string", ... for error messages.
[[nodiscard]] std::string_view TypeName(TType type);

// Thrift message types.
inline constexpr uint8_t kMessageCall = 1;
inline constexpr uint8_t kMessageOneway = 4;

class Reader {
 public:
  static constexpr int kMaxDepth = 64;

  Reader(std::string_view input, ThriftProtocol protocol) : in_(input), protocol_(protocol) {}

  [[nodiscard]] bool ReadMessageBegin(std::string_view* name, uint8_t* type, int32_t* seq_id);

  [[nodiscard]] bool ReadStructBegin();
  // Sets *type to kStop at the end of the struct (then call ReadStructEnd).
  [[nodiscard]] bool ReadFieldBegin(TType* type, int16_t* id);
  void ReadStructEnd();

  // Containers: each element is read with the Read* call of its type; call
  // ContainerEnd() after the last one.
  [[nodiscard]] bool ReadListBegin(TType* element, uint32_t* size);
  [[nodiscard]] bool ReadMapBegin(TType* key, TType* value, uint32_t* size);
  void ContainerEnd() { --depth_; }

  [[nodiscard]] bool ReadBool(bool* v);
  [[nodiscard]] bool ReadByte(int8_t* v);
  [[nodiscard]] bool ReadI16(int16_t* v);
  [[nodiscard]] bool ReadI32(int32_t* v);
  [[nodiscard]] bool ReadI64(int64_t* v);
  [[nodiscard]] bool ReadDouble(double* v);
  // A view into the input, valid as long as the input is.
  [[nodiscard]] bool ReadString(std::string_view* v);

  // Skips one value of `type`, nested values included.
  [[nodiscard]] bool Skip(TType type);

  // Fails with `message` (for the caller's own checks).
  bool Fail(std::string message);

  [[nodiscard]] size_t remaining() const { return in_.size() - pos_; }
  [[nodiscard]] const std::string& error() const { return error_; }

 private:
  // The checks every read makes are inline; what builds an error message
  // is not.
  bool Need(size_t n, std::string_view what) {
    if (n <= remaining() && error_.empty()) [[likely]] {
      return true;
    }
    return NeedFailed(n, what);
  }
  bool NeedFailed(size_t n, std::string_view what);
  // After a failure pos_ is at the end, so the one-byte case needs no
  // check of error_.
  bool ReadVarint(uint64_t* v, int max_bytes, std::string_view what) {
    if (pos_ < in_.size()) [[likely]] {
      const auto byte = static_cast<uint8_t>(in_[pos_]);
      if (byte < 0x80) {
        ++pos_;
        *v = byte;
        return true;
      }
    }
    return ReadLongVarint(v, max_bytes, what);
  }
  bool ReadLongVarint(uint64_t* v, int max_bytes, std::string_view what);
  bool ReadFixed(size_t n, uint64_t* v, bool little_endian, std::string_view what);
  // A compact protocol type nibble (0 to 15) as a TType.
  bool CompactType(uint8_t nibble, TType* type) {
    const TType t = kCompactTypes[nibble & 0x0f];
    if (t != TType::kStop) [[likely]] {
      *type = t;
      return true;
    }
    return UnknownCompactType(nibble);
  }
  bool UnknownCompactType(uint8_t nibble);
  // By compact type number; kStop for the numbers that are not a type
  // (0, the stop, is not a value's type either).
  static constexpr TType kCompactTypes[16] = {
      TType::kStop,   TType::kBool,   TType::kBool,   TType::kByte, TType::kI16, TType::kI32,
      TType::kI64,    TType::kDouble, TType::kString, TType::kList, TType::kSet, TType::kMap,
      TType::kStruct, TType::kStop,   TType::kStop,   TType::kStop};
  bool Enter();
  bool CheckCount(uint64_t count, size_t min_element_bytes, std::string_view what);

  std::string_view in_;
  size_t pos_ = 0;
  ThriftProtocol protocol_;
  std::string error_;
  int depth_ = 0;
  // Compact protocol: the last field ID of each open struct, and the value
  // of a bool field, which travels in its field header.
  int16_t last_field_id_[kMaxDepth + 1] = {};
  int struct_depth_ = 0;
  bool has_pending_bool_ = false;
  bool pending_bool_ = false;
};

}  // namespace spoor::thrift
