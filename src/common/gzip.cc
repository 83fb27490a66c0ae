#include "common/gzip.h"

#include <zlib.h>

namespace spoor {

Status GunzipLimited(std::string_view compressed, size_t max_output_bytes, std::string* out) {
  out->clear();
  z_stream zs{};
  // 15 + 32: detect gzip or zlib headers automatically.
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return Internal("inflateInit2 failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  zs.avail_in = static_cast<uInt>(compressed.size());
  char buf[64 * 1024];
  int rc = Z_OK;
  for (;;) {
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      // Another gzip member follows (RFC 1952, 2.2): its data continues the
      // output. Anything else after the end is refused, as Go's gzip reader
      // (and so Jaeger and the OpenTelemetry collector) refuses it.
      if (zs.avail_in >= 2 && zs.next_in[0] == 0x1f && zs.next_in[1] == 0x8b) {
        if (inflateReset(&zs) != Z_OK) {
          inflateEnd(&zs);
          return Internal("inflateReset failed");
        }
        rc = Z_OK;
      } else {
        const size_t trailing = zs.avail_in;
        inflateEnd(&zs);
        return InvalidArgument("invalid gzip body: " + std::to_string(trailing) +
                               " bytes after the end of the compressed data");
      }
    }
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return InvalidArgument(std::string("invalid gzip body: ") +
                             (zs.msg ? zs.msg : "truncated data"));
    }
    size_t produced = sizeof buf - zs.avail_out;
    if (out->size() + produced > max_output_bytes) {
      inflateEnd(&zs);
      return {StatusCode::kTooLarge, "decompressed body exceeds the limit of " +
                                         std::to_string(max_output_bytes) + " bytes"};
    }
    out->append(buf, produced);
    if (rc == Z_OK && zs.avail_in == 0 && produced == 0) {
      inflateEnd(&zs);
      return InvalidArgument("invalid gzip body: truncated data");
    }
  }
  inflateEnd(&zs);
  return Status::Ok();
}

std::string GzipCompress(std::string_view data) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(data.size())) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

}  // namespace spoor
