// The Thrift protocols Spoor reads (Jaeger's and Zipkin's span reports).
#pragma once

namespace spoor {

enum class ThriftProtocol { kBinary, kCompact };

}  // namespace spoor
