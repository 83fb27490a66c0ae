#include "formats/protowire/wire_reader.h"

namespace spoor::protowire {

bool WireReader::ReadTagSlow(uint32_t* tag) {
  // At most 5 bytes; what does not fit in 32 bits is dropped, as the
  // protobuf library does.
  uint32_t v = 0;
  for (int i = 0; i < 5; ++i) {
    if (p_ == end_) return Fail("truncated tag");
    uint32_t byte = *p_++;
    v |= (byte & 0x7f) << (7 * i);
    if (byte < 0x80) {
      *tag = v;
      return true;
    }
  }
  return Fail("tag longer than 5 bytes");
}

bool WireReader::ReadVarintSlow(uint64_t* v) {
  uint64_t result = 0;
  for (int i = 0; i < 10; ++i) {
    if (p_ == end_) return Fail("truncated varint");
    uint64_t byte = *p_++;
    result |= (byte & 0x7f) << (7 * i);
    if (byte < 0x80) {
      *v = result;
      return true;
    }
  }
  return Fail("varint longer than 10 bytes");
}

bool WireReader::ReadLengthSlow(uint64_t* n) {
  // A length is at most 5 bytes and below 2 GiB.
  uint64_t result = 0;
  for (int i = 0; i < 5; ++i) {
    if (p_ == end_) return Fail("truncated length");
    uint64_t byte = *p_++;
    if (i == 4 && byte >= 8) return Fail("length of 2 GiB or more");
    result |= (byte & 0x7f) << (7 * i);
    if (byte < 0x80) {
      *n = result;
      return true;
    }
  }
  return Fail("length of 2 GiB or more");
}

bool WireReader::SkipField(uint32_t tag, int depth) {
  switch (tag & 7) {
    case kVarint: {
      uint64_t ignored = 0;
      return ReadVarint(&ignored);
    }
    case kFixed64: {
      uint64_t ignored = 0;
      return ReadFixed64(&ignored);
    }
    case kLengthDelimited: {
      std::string_view ignored;
      return ReadBytes(&ignored);
    }
    case kFixed32: {
      uint32_t ignored = 0;
      return ReadFixed32(&ignored);
    }
    case kStartGroup: return SkipGroup(tag, depth);
    case kEndGroup: return Fail("end-group tag without a start");
    default: return Fail("invalid wire type");
  }
}

bool WireReader::SkipGroup(uint32_t start_tag, int depth) {
  if (depth <= 0) return Fail("nesting deeper than 100 levels");
  const uint32_t end_tag = (start_tag & ~7u) | kEndGroup;
  while (p_ != end_) {
    uint32_t tag = 0;
    if (!ReadTag(&tag)) return false;
    if (tag == end_tag) return true;
    if (!SkipField(tag, depth - 1)) return false;
  }
  return Fail("group without its end tag");
}

}  // namespace spoor::protowire
