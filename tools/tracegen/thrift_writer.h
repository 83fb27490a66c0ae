// A small Thrift writer (binary and compact protocols), enough to encode
// Jaeger batches and Agent.emitBatch messages. Appends to a string it does
// not own; field IDs of nested structs are tracked by StructBegin/StructEnd.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace spoor::tracegen {

enum class ThriftEncoding { kBinary, kCompact };

// Thrift's type IDs as the binary protocol writes them.
enum class ThriftType : uint8_t {
  kStop = 0,
  kBool = 2,
  kI32 = 8,
  kI64 = 10,
  kString = 11,
  kStruct = 12,
  kList = 15,
};

class ThriftWriter {
 public:
  ThriftWriter(ThriftEncoding encoding, std::string& out) : encoding_(encoding), out_(out) {}

  // A message header; `type` 4 is ONEWAY.
  void MessageBegin(std::string_view name, uint8_t type, int32_t seq_id);
  void StructBegin() { last_field_ids_.push_back(0); }
  void StructEnd();  // writes the stop field
  void FieldBegin(ThriftType type, int16_t id);
  void ListBegin(ThriftType element, uint32_t size);

  void I32(int32_t v);
  void I64(int64_t v);
  void String(std::string_view s);

  [[nodiscard]] bool compact() const { return encoding_ == ThriftEncoding::kCompact; }

 private:
  static uint8_t CompactType(ThriftType type);
  void Byte(uint8_t b) { out_.push_back(static_cast<char>(b)); }
  void Varint(uint64_t v);
  void BigEndian(uint64_t v, int bytes);

  ThriftEncoding encoding_;
  std::string& out_;
  std::vector<int16_t> last_field_ids_;
};

}  // namespace spoor::tracegen
