#include "storage/embedded/block_columns.h"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>

namespace spoor::block_internal {
namespace {

constexpr uint8_t kStreamRaw = 0;
constexpr uint8_t kStreamZstd = 1;
// Streams shorter than this are not worth a zstd frame.
constexpr size_t kMinCompressBytes = 32;

Status Corrupt(const char* what) {
  return InvalidArgument(std::string("corrupt block: ") + what);
}

}  // namespace

ColumnWriter::ColumnWriter(int level) : level_(level) {
  if (level_ > 0) cctx_ = ZSTD_createCCtx();
}

ColumnWriter::~ColumnWriter() {
  ZSTD_freeCCtx(static_cast<ZSTD_CCtx*>(cctx_));
}

void ColumnWriter::PutStream(std::string& out, std::string_view data, bool compress) {
  if (compress && cctx_ != nullptr && data.size() >= kMinCompressBytes) {
    compressed_.resize(ZSTD_compressBound(data.size()));
    size_t n = ZSTD_compressCCtx(static_cast<ZSTD_CCtx*>(cctx_), compressed_.data(),
                                 compressed_.size(), data.data(), data.size(), level_);
    if (!ZSTD_isError(n) && n < data.size()) {
      out.push_back(static_cast<char>(kStreamZstd));
      PutVarint(out, data.size());
      PutVarint(out, n);
      out.append(compressed_.data(), n);
      return;
    }
  }
  out.push_back(static_cast<char>(kStreamRaw));
  PutVarint(out, data.size());
  out.append(data);
}

void ColumnWriter::PutColumn(std::string& out, std::span<const uint64_t> values, int min_width) {
  uint64_t lo = ~uint64_t{0}, hi = 0;
  for (uint64_t v : values) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (values.empty() || min_width > 0) lo = 0;  // a forced width keeps the values as they are
  int width = 0;
  for (uint64_t range = hi - lo; range != 0; range >>= 8) ++width;
  width = std::max(width, min_width);
  PutVarint(out, values.size());
  PutVarint(out, lo);
  out.push_back(static_cast<char>(width));
  const size_t n = values.size();
  plane_.resize(n * static_cast<size_t>(width));
  char* p = plane_.data();
  if (width == 1) {
    for (size_t i = 0; i < n; ++i) p[i] = static_cast<char>(values[i] - lo);
  } else {
    for (size_t i = 0; i < n; ++i) {
      const uint64_t x = values[i] - lo;
      for (int b = 0; b < width; ++b)
        p[static_cast<size_t>(b) * n + i] = static_cast<char>(x >> (8 * b));
    }
  }
  for (int b = 0; b < width; ++b) {
    PutStream(out, std::string_view(p + static_cast<size_t>(b) * n, n));
  }
}

ColumnReader::ColumnReader() = default;

ColumnReader::~ColumnReader() {
  ZSTD_freeDCtx(static_cast<ZSTD_DCtx*>(dctx_));
}

Status ColumnReader::Decompress(std::string_view src, uint64_t raw_len, std::string* dst) {
  if (raw_len > kMaxStreamBytes || raw_len / kMaxExpansion > src.size()) {
    return Corrupt("stream length out of range");
  }
  if (dctx_ == nullptr) {
    dctx_ = ZSTD_createDCtx();
    if (dctx_ == nullptr) return Internal("out of memory");
  }
  dst->resize(static_cast<size_t>(raw_len));
  size_t n = ZSTD_decompressDCtx(static_cast<ZSTD_DCtx*>(dctx_), dst->data(), dst->size(),
                                 src.data(), src.size());
  if (ZSTD_isError(n) || n != raw_len) return Corrupt("bad zstd stream");
  return Status::Ok();
}

Status ColumnReader::ReadStream(ByteReader& in, std::string_view* out) {
  uint8_t mode = 0;
  uint64_t raw_len = 0;
  if (!in.Byte(&mode) || !in.Varint(&raw_len)) return Corrupt("truncated stream");
  if (mode == kStreamRaw) {
    if (!in.Bytes(raw_len, out)) return Corrupt("truncated stream");
    return Status::Ok();
  }
  if (mode != kStreamZstd) return Corrupt("unknown stream mode");
  uint64_t stored_len = 0;
  std::string_view src;
  if (!in.Varint(&stored_len) || !in.Bytes(stored_len, &src)) return Corrupt("truncated stream");
  std::string& buf = buffers_.emplace_back();
  if (Status s = Decompress(src, raw_len, &buf); !s.ok()) return s;
  *out = buf;
  return Status::Ok();
}

Status ColumnReader::Read(ByteReader& in, uint64_t expected, std::vector<uint64_t>* out) {
  uint64_t count = 0, base = 0;
  uint8_t width = 0;
  if (!in.Varint(&count) || !in.Varint(&base) || !in.Byte(&width)) {
    return Corrupt("truncated column");
  }
  if (width > 8) return Corrupt("bad column width");
  if (expected == kAnyCount ? width == 0 : count != expected) {
    return Corrupt("column count mismatch");
  }
  if (width == 0) out->assign(static_cast<size_t>(count), base);
  std::string_view plane;
  for (int b = 0; b < width; ++b) {
    uint8_t mode = 0;
    uint64_t raw_len = 0;
    if (!in.Byte(&mode) || !in.Varint(&raw_len)) return Corrupt("truncated column");
    if (raw_len != count) return Corrupt("column plane length mismatch");
    if (mode == kStreamRaw) {
      if (!in.Bytes(raw_len, &plane)) return Corrupt("truncated column");
    } else if (mode == kStreamZstd) {
      uint64_t stored_len = 0;
      std::string_view src;
      if (!in.Varint(&stored_len) || !in.Bytes(stored_len, &src)) {
        return Corrupt("truncated column");
      }
      if (Status s = Decompress(src, raw_len, &plane_); !s.ok()) return s;
      plane = plane_;
    } else {
      return Corrupt("unknown stream mode");
    }
    // The first plane's length, now known to be backed by input, bounds the count.
    if (b == 0) out->assign(static_cast<size_t>(count), base);
    const int shift = 8 * b;
    uint64_t* v = out->data();
    const auto* p = reinterpret_cast<const unsigned char*>(plane.data());
    for (size_t i = 0; i < out->size(); ++i) v[i] += uint64_t{p[i]} << shift;
  }
  return Status::Ok();
}

void PutSection(std::string& out, std::string_view payload) {
  PutVarint(out, payload.size());
  PutFixed32(out, Crc32(payload));
  out.append(payload);
}

bool ReadSection(ByteReader& in, std::string_view* payload, uint32_t* crc) {
  uint64_t len = 0;
  return in.Varint(&len) && in.Fixed32(crc) && in.Bytes(len, payload);
}

uint32_t Crc32(std::string_view data) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes uInt lengths; feed large inputs in pieces.
  while (!data.empty()) {
    size_t n = std::min<size_t>(data.size(), 1u << 30);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(n));
    data.remove_prefix(n);
  }
  return static_cast<uint32_t>(crc);
}

}  // namespace spoor::block_internal
