// The reporters that POST batches over HTTP: OTLP/HTTP protobuf, and
// Jaeger's Thrift (binary protocol) Batch to a collector's /api/traces.
#include <stdexcept>

#include "http_post.h"
#include "otlp_encode.h"
#include "queueing_reporter.h"
#include "thrift_encode.h"

namespace spoor {
namespace {

// The HTTP options both reporters take.
struct HttpReporterOptions {
  std::string what;  // for messages: "OTLP endpoint", "Jaeger endpoint"
  std::string endpoint;
  std::string content_type;
  size_t queue_size;
  std::chrono::milliseconds flush_interval;
  size_t max_batch;
  std::chrono::milliseconds timeout;
  TlsOptions tls;
};

class HttpReporter final : public internal::QueueingReporter {
 public:
  using Encode = void (*)(const ProcessData&, const std::vector<SpanData>&, std::string*);

  HttpReporter(HttpReporterOptions options, Encode encode)
      : QueueingReporter(options.queue_size, options.max_batch, options.flush_interval),
        options_(std::move(options)),
        encode_(encode) {
    std::string error;
    if (!internal::ParseHttpUrl(options_.endpoint, &url_, &error)) {
      throw std::invalid_argument(options_.what + ": " + error);
    }
    if (url_.https) {
      tls_ = internal::TlsClientContext::Create(options_.tls, &error);
      if (!tls_) throw std::invalid_argument(options_.what + " TLS: " + error);
    }
    Start();
  }
  ~HttpReporter() override { Stop(); }

 private:
  size_t Send(const ProcessData& process, const std::vector<SpanData>& batch) override {
    encode_(process, batch, &body_);
    internal::HttpResult r = internal::HttpRequest(url_, "POST", options_.content_type, body_,
                                                   options_.timeout, {}, tls_.get());
    return r.status >= 200 && r.status < 300 ? batch.size() : 0;
  }

  const HttpReporterOptions options_;
  const Encode encode_;
  internal::HttpUrl url_;
  std::shared_ptr<internal::TlsClientContext> tls_;  // https only
  std::string body_;  // the encoding buffer, reused (the sending thread's only)
};

void EncodeThriftBody(const ProcessData& process, const std::vector<SpanData>& spans,
                      std::string* out) {
  *out = internal::EncodeBinaryBatch(process, spans);
}

}  // namespace

std::unique_ptr<RemoteReporter> NewOtlpHttpReporter(OtlpHttpReporterOptions options) {
  return std::make_unique<HttpReporter>(
      HttpReporterOptions{"OTLP endpoint", std::move(options.endpoint), "application/x-protobuf",
                          options.queue_size, options.flush_interval, options.max_batch,
                          options.timeout, std::move(options.tls)},
      &internal::EncodeOtlpRequest);
}

std::unique_ptr<RemoteReporter> NewJaegerHttpReporter(JaegerHttpReporterOptions options) {
  return std::make_unique<HttpReporter>(
      HttpReporterOptions{"Jaeger endpoint", std::move(options.endpoint), "application/x-thrift",
                          options.queue_size, options.flush_interval, options.max_batch,
                          options.timeout, std::move(options.tls)},
      &EncodeThriftBody);
}

}  // namespace spoor
