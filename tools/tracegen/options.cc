#include "options.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>

#include "common/time_format.h"

namespace spoor::tracegen {
namespace {

constexpr Protocol kProtocols[] = {Protocol::kOtlpGrpc,     Protocol::kOtlpHttp,
                                   Protocol::kOtlpHttpJson, Protocol::kJaegerUdp,
                                   Protocol::kJaegerHttp,   Protocol::kZipkin};

Status FlagError(std::string_view flag, std::string_view what, std::string_view value) {
  return InvalidArgument("--" + std::string(flag) + ": " + std::string(what) + ": " +
                         std::string(value));
}

Result<uint64_t> ParseUint(std::string_view flag, std::string_view value, uint64_t min,
                           uint64_t max) {
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || end != value.data() + value.size()) {
    return FlagError(flag, "not a whole number", value);
  }
  if (v < min || v > max) {
    return FlagError(flag, "must be from " + std::to_string(min) + " to " + std::to_string(max),
                     value);
  }
  return v;
}

Status ParseEndpoint(std::string_view value, Options& o) {
  const size_t colon = value.rfind(':');
  if (colon == std::string_view::npos) return FlagError("endpoint", "expected host:port", value);
  std::string host(value.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);  // [::1]:4317
  }
  auto port = ParseUint("endpoint", value.substr(colon + 1), 1, 65535);
  if (!port.ok()) return FlagError("endpoint", "expected host:port", value);
  o.host = host.empty() ? "127.0.0.1" : host;
  o.port = static_cast<int>(*port);
  return Status::Ok();
}

Status Apply(std::string_view name, std::string_view value, Options& o) {
  if (name == "protocol") {
    for (Protocol p : kProtocols) {
      if (value == ProtocolName(p)) {
        o.protocol = p;
        return Status::Ok();
      }
    }
    return FlagError(name, "unknown protocol (see --help)", value);
  }
  if (name == "endpoint") return ParseEndpoint(value, o);
  if (name == "rate") {
    double v = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || end != value.data() + value.size() || !std::isfinite(v) || v < 0) {
      return FlagError(name, "expected spans per second (0 = as fast as possible)", value);
    }
    o.rate_spans_per_s = v;
    return Status::Ok();
  }
  if (name == "tls-ca") {
    if (value.empty() || !std::ifstream(std::string(value))) {
      return FlagError(name, "expected a readable PEM file of CA certificates", value);
    }
    o.tls_ca = std::string(value);
    return Status::Ok();
  }
  if (name == "header") {
    const size_t colon = value.find(':');
    std::string header(value.substr(0, colon == std::string_view::npos ? 0 : colon));
    if (header.empty() || header.find_first_of(" \t\r\n") != std::string::npos) {
      return FlagError(name, "expected NAME:VALUE, like x-tenant:acme", value);
    }
    std::string_view rest = value.substr(colon + 1);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    std::transform(header.begin(), header.end(), header.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    o.headers.emplace_back(std::move(header), std::string(rest));
    return Status::Ok();
  }
  if (name == "duration" || name == "timeout") {
    const std::optional<int64_t> ns = ParseGoDuration(value);
    if (!ns || *ns <= 0) return FlagError(name, "expected a positive duration like 10s", value);
    (name == "duration" ? o.duration_ns : o.timeout_ns) = *ns;
    return Status::Ok();
  }
  uint64_t v = 0;
  auto set = [&](uint64_t min, uint64_t max) -> Status {
    Result<uint64_t> r = ParseUint(name, value, min, max);
    if (!r.ok()) return r.status();
    v = *r;
    return Status::Ok();
  };
  if (name == "count") {
    if (Status s = set(1, std::numeric_limits<uint64_t>::max()); !s.ok()) return s;
    o.count_spans = v;
  } else if (name == "connections") {
    if (Status s = set(1, 1024); !s.ok()) return s;
    o.connections = static_cast<int>(v);
  } else if (name == "seed") {
    if (Status s = set(0, std::numeric_limits<uint64_t>::max()); !s.ok()) return s;
    o.seed = v;
  } else if (name == "spans-per-request") {
    if (Status s = set(1, 100000); !s.ok()) return s;
    o.spans_per_request = static_cast<int>(v);
  } else {
    return InvalidArgument("unknown flag --" + std::string(name) + " (see --help)");
  }
  return Status::Ok();
}

}  // namespace

std::string_view ProtocolName(Protocol protocol) {
  switch (protocol) {
    case Protocol::kOtlpGrpc: return "otlp-grpc";
    case Protocol::kOtlpHttp: return "otlp-http";
    case Protocol::kOtlpHttpJson: return "otlp-http-json";
    case Protocol::kJaegerUdp: return "jaeger-udp";
    case Protocol::kJaegerHttp: return "jaeger-http";
    case Protocol::kZipkin: return "zipkin";
  }
  return "";
}

int DefaultPort(Protocol protocol) {
  switch (protocol) {
    case Protocol::kOtlpGrpc: return 4317;
    case Protocol::kOtlpHttp:
    case Protocol::kOtlpHttpJson: return 4318;
    case Protocol::kJaegerUdp: return 6831;
    case Protocol::kJaegerHttp: return 14268;
    case Protocol::kZipkin: return 9411;
  }
  return 0;
}

Result<Options> ParseOptions(const std::vector<std::string_view>& args) {
  Options o;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "-h" || arg == "--help") {
      o.help = true;
      continue;
    }
    if (!arg.starts_with("--")) {
      return InvalidArgument("unexpected argument " + std::string(arg) + " (see --help)");
    }
    arg.remove_prefix(2);
    if (arg == "progress") {
      o.progress = true;
      continue;
    }
    if (arg == "sampler-tags") {
      o.sampler_tags = true;
      continue;
    }
    std::string_view name = arg;
    std::string_view value;
    if (const size_t eq = arg.find('='); eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return InvalidArgument("--" + std::string(name) + ": missing value");
    }
    if (Status s = Apply(name, value, o); !s.ok()) return s;
  }
  if (o.port == 0) o.port = DefaultPort(o.protocol);
  if (o.duration_ns == 0 && o.count_spans == 0) o.duration_ns = 10'000'000'000;
  return o;
}

std::string HelpText() {
  return R"(Usage: tracegen [flags]

Sends a deterministic tracing workload to a collector (Spoor, Jaeger, an
OpenTelemetry collector, Zipkin) and reports what was sent, acknowledged and
failed. Requests of 100 spans: traces of 10 spans over 3 services, 11
attributes per span (keys from 97, values from 1000), an event on one span in
ten. Spans start at the time they are sent; every request has its own trace IDs.

Flags:
  --protocol=NAME          otlp-grpc (default), otlp-http, otlp-http-json,
                           jaeger-udp (Thrift compact, Agent.emitBatch),
                           jaeger-http (Thrift binary, POST /api/traces),
                           zipkin (v2 JSON, POST /api/v2/spans)
  --endpoint=HOST:PORT     default 127.0.0.1 and the protocol's port: 4317,
                           4318, 4318, 6831, 14268, 9411
  --rate=SPANS_PER_SECOND  total over all connections; 0 (default) = as fast
                           as possible
  --duration=DURATION      how long to send, e.g. 30s, 2m (default 10s)
  --count=SPANS            how many spans to send (the last request carries
                           what is left)
  --connections=N          parallel senders, each with its own connection,
                           channel or socket (default 1)
  --seed=N                 the workload's seed: the same seed sends the same
                           trace IDs and attributes again (default: from the
                           clock, printed in the report)
  --spans-per-request=N    spans per request (default 100)
  --timeout=DURATION       how long to wait for each answer (default 10s)
  --header=NAME:VALUE      send this header with every request (gRPC: as
                           metadata), e.g. x-tenant:acme or
                           "authorization:Bearer TOKEN"; repeatable
  --tls-ca=FILE            speak TLS (otlp-grpc and the HTTP protocols),
                           verifying the server with the CA certificates in
                           FILE; connections are kept, so handshakes are few
  --sampler-tags           tag the first span of each trace as a Jaeger client's
                           probabilistic sampler tags a root (sampler.type,
                           sampler.param = 0.001): what adaptive sampling counts
  --progress               print one line per second
  --help                   this text

Exit status: 0 when every request was acknowledged, 1 when some failed, 2 for
a bad flag. UDP has no acknowledgements: what was sent is all that is known.
)";
}

}  // namespace spoor::tracegen
