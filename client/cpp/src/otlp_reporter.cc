#include <stdexcept>

#include "http_post.h"
#include "otlp_encode.h"
#include "queueing_reporter.h"

namespace spoor {
namespace {

class OtlpHttpReporter final : public internal::QueueingReporter {
 public:
  explicit OtlpHttpReporter(OtlpHttpReporterOptions options)
      : QueueingReporter(options.queue_size, options.max_batch, options.flush_interval),
        options_(std::move(options)) {
    std::string error;
    if (!internal::ParseHttpUrl(options_.endpoint, &url_, &error)) {
      throw std::invalid_argument("OTLP endpoint: " + error);
    }
    Start();
  }
  ~OtlpHttpReporter() override { Stop(); }

 private:
  size_t Send(const ProcessData& process, const std::vector<SpanData>& batch) override {
    internal::EncodeOtlpRequest(process, batch, &body_);
    internal::HttpResult r =
        internal::HttpRequest(url_, "POST", "application/x-protobuf", body_, options_.timeout);
    return r.status >= 200 && r.status < 300 ? batch.size() : 0;
  }

  const OtlpHttpReporterOptions options_;
  internal::HttpUrl url_;
  std::string body_;  // the encoding buffer, reused (the sending thread's only)
};

}  // namespace

std::unique_ptr<RemoteReporter> NewOtlpHttpReporter(OtlpHttpReporterOptions options) {
  return std::make_unique<OtlpHttpReporter>(std::move(options));
}

}  // namespace spoor
