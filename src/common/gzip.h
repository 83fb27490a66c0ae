// gzip/zlib decompression with an output limit, for request bodies.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace spoor {

// Decompresses gzip (or zlib) data into `out`: every member of a gzip stream
// of several, in order. Fails with kTooLarge as soon as the output would
// exceed `max_output_bytes` (so a small "gzip bomb" cannot exhaust memory),
// and with kInvalidArgument for corrupt input or bytes after the last member.
[[nodiscard]] Status GunzipLimited(std::string_view compressed, size_t max_output_bytes,
                                   std::string* out);

// Compresses with gzip (used by tests and clients of our own).
[[nodiscard]] std::string GzipCompress(std::string_view data);

}  // namespace spoor
