// tracegen's command line: what to send, where, how fast and for how long.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace spoor::tracegen {

enum class Protocol { kOtlpGrpc, kOtlpHttp, kOtlpHttpJson, kJaegerUdp, kJaegerHttp, kZipkin };

// The flag value naming `protocol` ("otlp-grpc", ...).
[[nodiscard]] std::string_view ProtocolName(Protocol protocol);
// The port Jaeger and OpenTelemetry use for `protocol` (4317, 4318, ...).
[[nodiscard]] int DefaultPort(Protocol protocol);

struct Options {
  Protocol protocol = Protocol::kOtlpGrpc;
  std::string host = "127.0.0.1";
  int port = 0;                 // 0 until parsed: DefaultPort(protocol)
  double rate_spans_per_s = 0;  // 0: as fast as possible
  int64_t duration_ns = 0;      // 0: no time limit (then count is set)
  uint64_t count_spans = 0;     // 0: no span limit (then duration is set)
  int connections = 1;
  std::optional<uint64_t> seed;  // unset: the caller picks one (from the clock)
  int spans_per_request = 100;
  int64_t timeout_ns = 10'000'000'000;  // per request
  bool sampler_tags = false;            // roots tagged as a Jaeger probabilistic sampler tags them
  std::string tls_ca;                   // set: TLS (HTTP and gRPC protocols), verified with this CA
  // --header NAME:VALUE, repeated: sent with every HTTP request and as gRPC
  // metadata (a tenant, a bearer token); names in lower case.
  std::vector<std::pair<std::string, std::string>> headers;
  bool progress = false;
  bool help = false;
};

// Parses argv[1..] (`--name=value` or `--name value`). Without --duration and
// --count the run lasts 10 s; with both it stops at whichever comes first.
// Errors name the flag: "--rate: not a number: abc".
[[nodiscard]] Result<Options> ParseOptions(const std::vector<std::string_view>& args);

// The --help text.
[[nodiscard]] std::string HelpText();

}  // namespace spoor::tracegen
