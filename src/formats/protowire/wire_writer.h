// A writer of the protobuf wire format for encoders that write the model
// straight into bytes, without building the protobuf library's messages.
//
// An encoder is one template function `Put(out, ...)` over an output with
// the methods below, run twice by Encode(): once over a Sizer, which adds
// up the sizes and records each nested message's size, then over a Writer
// into a buffer of exactly that size. Scalars and bytes equal to their
// default (0, empty) are not written unless the method says Always, as
// proto3 does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "formats/protowire/wire_reader.h"

namespace spoor::protowire {

constexpr size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

constexpr size_t TagSize(uint32_t field) {
  return VarintSize(static_cast<uint64_t>(field) << 3);
}

// The first pass: adds up sizes, and records each nested message's size in
// the order the second pass will write them.
class Sizer {
 public:
  explicit Sizer(std::vector<uint32_t>* sizes) : sizes_(sizes) {}

  void Varint(uint32_t field, uint64_t v) {
    if (v != 0) VarintAlways(field, v);
  }
  void VarintAlways(uint32_t field, uint64_t v) { total_ += TagSize(field) + VarintSize(v); }
  void Fixed64(uint32_t field, uint64_t v) {
    if (v != 0) Fixed64Always(field, v);
  }
  void Fixed64Always(uint32_t field, uint64_t /*v*/) { total_ += TagSize(field) + 8; }
  void Fixed32(uint32_t field, uint32_t v) {
    if (v != 0) total_ += TagSize(field) + 4;
  }
  void Bytes(uint32_t field, std::string_view v) {
    if (!v.empty()) BytesAlways(field, v);
  }
  void BytesAlways(uint32_t field, std::string_view v) {
    total_ += TagSize(field) + VarintSize(v.size()) + v.size();
  }
  template <typename Body>
  void Message(uint32_t field, const Body& body) {
    size_t slot = sizes_->size();
    sizes_->push_back(0);
    size_t outer = total_;
    total_ = 0;
    body();
    size_t inner = total_;
    (*sizes_)[slot] = static_cast<uint32_t>(inner);
    total_ = outer + TagSize(field) + VarintSize(inner) + inner;
  }

  [[nodiscard]] size_t total() const { return total_; }

 private:
  std::vector<uint32_t>* sizes_;
  size_t total_ = 0;
};

// The second pass: writes into a buffer sized by the first.
class Writer {
 public:
  Writer(char* out, const std::vector<uint32_t>& sizes) : p_(out), sizes_(sizes) {}

  void Varint(uint32_t field, uint64_t v) {
    if (v != 0) VarintAlways(field, v);
  }
  void VarintAlways(uint32_t field, uint64_t v) {
    Tag(field, kVarint);
    RawVarint(v);
  }
  void Fixed64(uint32_t field, uint64_t v) {
    if (v != 0) Fixed64Always(field, v);
  }
  void Fixed64Always(uint32_t field, uint64_t v) {
    Tag(field, kFixed64);
    for (int i = 0; i < 8; ++i) *p_++ = static_cast<char>(v >> (8 * i));
  }
  void Fixed32(uint32_t field, uint32_t v) {
    if (v == 0) return;
    Tag(field, kFixed32);
    for (int i = 0; i < 4; ++i) *p_++ = static_cast<char>(v >> (8 * i));
  }
  void Bytes(uint32_t field, std::string_view v) {
    if (!v.empty()) BytesAlways(field, v);
  }
  void BytesAlways(uint32_t field, std::string_view v) {
    Tag(field, kLengthDelimited);
    RawVarint(v.size());
    if (!v.empty()) std::memcpy(p_, v.data(), v.size());
    p_ += v.size();
  }
  template <typename Body>
  void Message(uint32_t field, const Body& body) {
    Tag(field, kLengthDelimited);
    RawVarint(sizes_[next_++]);
    body();
  }

  [[nodiscard]] const char* end() const { return p_; }

 private:
  void Tag(uint32_t field, WireType type) { RawVarint((static_cast<uint64_t>(field) << 3) | type); }
  void RawVarint(uint64_t v) {
    while (v >= 0x80) {
      *p_++ = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    *p_++ = static_cast<char>(v);
  }

  char* p_;
  const std::vector<uint32_t>& sizes_;
  size_t next_ = 0;
};

// Runs `put(out)` over a Sizer and then a Writer, leaving the encoded
// message in `*out` (replaced).
template <typename Put>
void Encode(const Put& put, std::string* out) {
  thread_local std::vector<uint32_t> sizes;
  sizes.clear();
  Sizer sizer(&sizes);
  put(sizer);
  out->resize(sizer.total());
  Writer writer(out->data(), sizes);
  put(writer);
  if (sizes.capacity() > (1u << 20)) std::vector<uint32_t>().swap(sizes);
}

}  // namespace spoor::protowire
