// Where finished, sampled spans go. Report() is called on the thread that
// finished the span and must not block; Close() sends what is queued and
// stops.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include "spoor/span_data.h"
#include "spoor/tls.h"

namespace spoor {

class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void Report(SpanData span, const ProcessData& process) = 0;
  // Sends what is queued; returns when it was sent (or given up).
  virtual void Flush() {}
  // Flushes and stops; Report() afterwards drops the span.
  virtual void Close() { Flush(); }
};

// Keeps every span, for tests and for programs that inspect their spans.
// Threading: every method may be called from any thread.
class InMemoryReporter final : public Reporter {
 public:
  void Report(SpanData span, const ProcessData& process) override;
  [[nodiscard]] std::vector<SpanData> spans() const;
  [[nodiscard]] ProcessData process() const;
  void Clear();

 private:
  mutable std::mutex mu_;
  std::vector<SpanData> spans_;
  ProcessData process_;
};

// Writes one line per span to `out` (which must outlive the reporter).
[[nodiscard]] std::unique_ptr<Reporter> NewLoggingReporter(std::ostream& out);

// What a reporter that sends did with the spans it was given.
struct ReporterStats {
  uint64_t spans_sent = 0;           // acknowledged by the receiver
  uint64_t spans_dropped_queue = 0;  // the queue was full
  uint64_t spans_dropped_send = 0;   // the receiver could not be reached or refused them
};

// A reporter that queues spans and sends them from a thread of its own.
class RemoteReporter : public Reporter {
 public:
  [[nodiscard]] virtual ReporterStats stats() const = 0;
};

struct OtlpHttpReporterOptions {
  // Where OTLP/HTTP protobuf is posted (Spoor's and the OpenTelemetry
  // Collector's default).
  std::string endpoint = "http://127.0.0.1:4318/v1/traces";
  size_t queue_size = 10000;  // spans waiting at most; beyond, dropped and counted
  std::chrono::milliseconds flush_interval{1000};
  size_t max_batch = 1000;  // spans per request at most
  std::chrono::milliseconds timeout{5000};
  TlsOptions tls;  // for an https:// endpoint
};

// Sends batches as OTLP/HTTP protobuf. Throws std::invalid_argument for an
// endpoint that is not http[s]://host:port/path, or TLS files that cannot
// be used.
[[nodiscard]] std::unique_ptr<RemoteReporter> NewOtlpHttpReporter(OtlpHttpReporterOptions options);

struct JaegerHttpReporterOptions {
  // A Jaeger (or Spoor) collector's Thrift-over-HTTP endpoint, as Jaeger
  // clients' `reporter.endpoint` / JAEGER_ENDPOINT.
  std::string endpoint = "http://127.0.0.1:14268/api/traces";
  size_t queue_size = 10000;
  std::chrono::milliseconds flush_interval{1000};
  size_t max_batch = 1000;
  std::chrono::milliseconds timeout{5000};
  TlsOptions tls;  // for an https:// endpoint
};

// Sends batches as Jaeger Thrift (binary protocol) Batch structs, POSTed
// with Content-Type application/x-thrift. Throws std::invalid_argument for
// an endpoint that is not http[s]://host:port/path, or TLS files that
// cannot be used.
[[nodiscard]] std::unique_ptr<RemoteReporter> NewJaegerHttpReporter(
    JaegerHttpReporterOptions options);

struct JaegerUdpReporterOptions {
  std::string host_port = "127.0.0.1:6831";  // the agent (or Spoor) port for compact Thrift
  size_t queue_size = 10000;
  std::chrono::milliseconds flush_interval{1000};
  size_t max_batch = 1000;
  size_t max_packet_size = 65000;  // bytes per datagram, as Jaeger clients
};

// Sends batches as Jaeger Thrift compact `emitBatch` datagrams, each under
// max_packet_size (a span that alone exceeds it is dropped, counted). UDP
// has no acknowledgement: "sent" means handed to the kernel. Throws
// std::invalid_argument for a host:port that does not resolve.
[[nodiscard]] std::unique_ptr<RemoteReporter> NewJaegerUdpReporter(
    JaegerUdpReporterOptions options);

}  // namespace spoor
