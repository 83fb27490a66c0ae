#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

#include "queueing_reporter.h"
#include "thrift_encode.h"

namespace spoor {
namespace {

class JaegerUdpReporter final : public internal::QueueingReporter {
 public:
  explicit JaegerUdpReporter(JaegerUdpReporterOptions options)
      : QueueingReporter(options.queue_size, options.max_batch, options.flush_interval),
        options_(std::move(options)) {
    size_t colon = options_.host_port.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == options_.host_port.size()) {
      throw std::invalid_argument("Jaeger agent: expected host:port, got '" + options_.host_port +
                                  "'");
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* list = nullptr;
    std::string host = options_.host_port.substr(0, colon);
    std::string port = options_.host_port.substr(colon + 1);
    if (int r = getaddrinfo(host.c_str(), port.c_str(), &hints, &list); r != 0) {
      throw std::invalid_argument("Jaeger agent " + options_.host_port + ": " + gai_strerror(r));
    }
    for (addrinfo* a = list; a != nullptr && fd_ < 0; a = a->ai_next) {
      fd_ = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
      if (fd_ >= 0 && connect(fd_, a->ai_addr, a->ai_addrlen) != 0) {
        close(fd_);
        fd_ = -1;
      }
    }
    freeaddrinfo(list);
    if (fd_ < 0) throw std::invalid_argument("Jaeger agent " + options_.host_port + ": no socket");
    Start();
  }
  ~JaegerUdpReporter() override {
    Stop();
    if (fd_ >= 0) close(fd_);
  }

 private:
  // As many spans per datagram as fit under max_packet_size; a span too
  // large for any datagram is dropped.
  size_t Send(const ProcessData& process, const std::vector<SpanData>& batch) override {
    if (process_bytes_.empty() || process.service_name != process_name_) {
      process_bytes_ = internal::EncodeThriftProcess(process);
      process_name_ = process.service_name;
    }
    const size_t room =
        options_.max_packet_size > internal::kEmitBatchOverhead + process_bytes_.size()
            ? options_.max_packet_size - internal::kEmitBatchOverhead - process_bytes_.size()
            : 0;
    size_t sent = 0;
    std::vector<std::string> spans;
    size_t used = 0;
    auto flush = [&] {
      if (spans.empty()) return;
      std::string packet = internal::EncodeEmitBatch(process_bytes_, spans);
      if (send(fd_, packet.data(), packet.size(), 0) == static_cast<ssize_t>(packet.size())) {
        sent += spans.size();
      }
      spans.clear();
      used = 0;
    };
    for (const SpanData& s : batch) {
      std::string bytes = internal::EncodeThriftSpan(s);
      if (bytes.size() > room) continue;  // never fits: dropped
      if (used + bytes.size() > room) flush();
      used += bytes.size();
      spans.push_back(std::move(bytes));
    }
    flush();
    return sent;
  }

  const JaegerUdpReporterOptions options_;
  int fd_ = -1;
  std::string process_bytes_;
  std::string process_name_;
};

}  // namespace

std::unique_ptr<RemoteReporter> NewJaegerUdpReporter(JaegerUdpReporterOptions options) {
  return std::make_unique<JaegerUdpReporter>(std::move(options));
}

}  // namespace spoor
