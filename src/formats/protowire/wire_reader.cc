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

bool IsValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const uint8_t* end = p + s.size();
  while (p != end) {
    // ASCII runs, eight bytes at a time.
    while (end - p >= 8) {
      uint64_t word = 0;
      std::memcpy(&word, p, 8);
      if ((word & 0x8080808080808080ull) != 0) break;
      p += 8;
    }
    if (p == end) break;
    uint8_t c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    size_t n = 0;
    uint8_t lo = 0x80;
    uint8_t hi = 0xbf;  // bounds of the second byte
    if (c >= 0xc2 && c <= 0xdf) {
      n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 3;
      if (c == 0xe0) lo = 0xa0;  // overlong
      if (c == 0xed) hi = 0x9f;  // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 4;
      if (c == 0xf0) lo = 0x90;  // overlong
      if (c == 0xf4) hi = 0x8f;  // past U+10FFFF
    } else {
      return false;
    }
    if (static_cast<size_t>(end - p) < n) return false;
    if (p[1] < lo || p[1] > hi) return false;
    for (size_t i = 2; i < n; ++i) {
      if (p[i] < 0x80 || p[i] > 0xbf) return false;
    }
    p += n;
  }
  return true;
}

}  // namespace spoor::protowire
