// A reader of the protobuf wire format over a byte range, for decoders that
// map a message straight into the model instead of building the protobuf
// library's message objects first.
//
// It follows the library's parser where the encoding leaves room for
// choice, so that a decoder built on it accepts and refuses what the
// library does: tags are varints of at most 5 bytes (bits past 32 are
// dropped), other varints at most 10 bytes; field number 0 and an
// end-group tag without its start are errors; unknown fields (and known
// field numbers with an unexpected wire type) are skipped, groups
// included; nesting of messages and groups is bounded (kMaxDepth, the
// library's default recursion limit).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace spoor::protowire {

enum WireType : uint32_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5,
};

// Levels of nested messages (and groups) below the outermost message.
inline constexpr int kMaxDepth = 100;

constexpr uint32_t MakeTag(uint32_t field, WireType type) {
  return (field << 3) | type;
}

class WireReader {
 public:
  explicit WireReader(std::string_view bytes)
      : begin_(reinterpret_cast<const uint8_t*>(bytes.data())),
        p_(begin_),
        end_(begin_ + bytes.size()) {}

  [[nodiscard]] bool done() const { return p_ == end_; }
  // Why the last read failed ("truncated varint", ...); static storage.
  [[nodiscard]] const char* error() const { return error_; }
  // Where the reader stands, from the start of the outermost message.
  [[nodiscard]] size_t offset() const { return static_cast<size_t>(p_ - begin_); }

  // Reads a field's tag; fails on a malformed tag or field number 0. An
  // end-group tag is returned like any other (see SkipField).
  [[nodiscard]] bool ReadTag(uint32_t* tag) {
    if (p_ < end_ && *p_ < 0x80) {
      *tag = *p_++;
    } else if (!ReadTagSlow(tag)) {
      return false;
    }
    if ((*tag >> 3) == 0) return Fail("field number 0");
    return true;
  }

  [[nodiscard]] bool ReadVarint(uint64_t* v) {
    if (p_ < end_ && *p_ < 0x80) {
      *v = *p_++;
      return true;
    }
    return ReadVarintSlow(v);
  }

  [[nodiscard]] bool ReadFixed64(uint64_t* v) {
    if (end_ - p_ < 8) return Fail("truncated fixed64");
    std::memcpy(v, p_, 8);  // little-endian hosts only, as the rest of spoor
    p_ += 8;
    return true;
  }

  [[nodiscard]] bool ReadFixed32(uint32_t* v) {
    if (end_ - p_ < 4) return Fail("truncated fixed32");
    std::memcpy(v, p_, 4);
    p_ += 4;
    return true;
  }

  // A length-delimited field's payload (a string, bytes, or a sub-message
  // to read with a WireReader of its own via Nested()).
  [[nodiscard]] bool ReadBytes(std::string_view* out) {
    uint64_t n = 0;
    if (p_ < end_ && *p_ < 0x80) {
      n = *p_++;
    } else if (!ReadLengthSlow(&n)) {
      return false;
    }
    if (n > static_cast<uint64_t>(end_ - p_)) return Fail("length past the end of the message");
    *out = std::string_view(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return true;
  }

  // A reader over `payload` (which ReadBytes returned from this reader),
  // reporting offsets from the same outermost start.
  [[nodiscard]] WireReader Nested(std::string_view payload) const {
    WireReader r(payload);
    r.begin_ = begin_;
    return r;
  }

  // Skips the field whose tag was just read. `depth` is the nesting left
  // for groups. An end-group tag here has no start group: an error.
  [[nodiscard]] bool SkipField(uint32_t tag, int depth);

  bool Fail(const char* why) {
    error_ = why;
    return false;
  }

 private:
  bool ReadTagSlow(uint32_t* tag);
  bool ReadVarintSlow(uint64_t* v);
  bool ReadLengthSlow(uint64_t* n);
  bool SkipGroup(uint32_t start_tag, int depth);

  const uint8_t* begin_;
  const uint8_t* p_;
  const uint8_t* end_;
  const char* error_ = "";
};

}  // namespace spoor::protowire
