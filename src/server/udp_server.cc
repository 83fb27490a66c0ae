#include "server/udp_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include "common/log.h"

namespace spoor {

class UdpServer::Impl {
 public:
  Impl(UdpServerOptions options, UdpHandler handler)
      : options_(std::move(options)), handler_(std::move(handler)) {}
  ~Impl() { Stop(); }

  Status Start() {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(options_.port);
    std::string host = options_.host.empty() ? "0.0.0.0" : options_.host;
    if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
      return InvalidArgument("invalid listen address '" + host + "' (" + options_.name + ")");
    }
    fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0)
      return Unavailable(std::string("cannot create a UDP socket: ") + std::strerror(errno));
    int size = options_.receive_buffer_bytes;
    (void)setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      int err = errno;
      close(fd_);
      fd_ = -1;
      return Unavailable("cannot listen on " + host + ":" + std::to_string(options_.port) +
                         "/udp (" + options_.name + "): " + std::strerror(err));
    }
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Loop(); });
    return Status::Ok();
  }

  void Stop() {
    if (stopping_.exchange(true)) return;
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  uint16_t port() const { return port_; }

 private:
  // Waits for the socket to be readable, then reads what is queued, several
  // datagrams per call, before waiting again: under load one wake-up serves
  // many datagrams instead of one.
  void Loop() {
    constexpr size_t kBatch = 8;
    constexpr size_t kDatagramBytes = 65536;  // more than the largest UDP payload
    std::vector<char> buf(kBatch * kDatagramBytes);
    std::array<iovec, kBatch> iov{};
    std::array<mmsghdr, kBatch> msgs{};
    for (size_t i = 0; i < kBatch; ++i) {
      iov[i] = {buf.data() + i * kDatagramBytes, kDatagramBytes};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    while (!stopping_.load()) {
      pollfd p{fd_, POLLIN, 0};
      int ready = poll(&p, 1, 200);  // wakes up to notice Stop()
      if (ready <= 0) continue;
      for (int round = 0; round < 64 && !stopping_.load(); ++round) {
        int n = recvmmsg(fd_, msgs.data(), kBatch, MSG_DONTWAIT, nullptr);
        if (n < 0) {
          if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
            LogWarn(options_.name, ": recv failed: ", std::strerror(errno));
          }
          break;
        }
        for (int i = 0; i < n; ++i) {
          handler_(std::string_view(static_cast<const char*>(iov[i].iov_base), msgs[i].msg_len));
        }
        if (static_cast<size_t>(n) < kBatch) break;
      }
    }
  }

  UdpServerOptions options_;
  UdpHandler handler_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

UdpServer::UdpServer(UdpServerOptions options, UdpHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}
UdpServer::~UdpServer() = default;
Status UdpServer::Start() {
  return impl_->Start();
}
void UdpServer::Stop() {
  impl_->Stop();
}
uint16_t UdpServer::port() const {
  return impl_->port();
}

}  // namespace spoor
