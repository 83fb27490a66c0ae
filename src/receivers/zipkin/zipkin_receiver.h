// Zipkin's ingest endpoint (port 9411): POST /api/v2/spans with a JSON array
// of v2 spans, optionally gzip-compressed; answered 202 as Zipkin does.
#pragma once

#include <cstddef>

#include "pipeline/pipeline.h"
#include "receivers/http_body.h"

namespace spoor {

struct ZipkinOptions {
  size_t max_request_bytes = 64u << 20;  // after decompression
};

// `pipeline` must outlive the handlers.
[[nodiscard]] HttpReceiverHandlers NewZipkinHandlers(const ZipkinOptions& options,
                                                     Pipeline& pipeline);

}  // namespace spoor
