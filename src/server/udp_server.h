// A UDP server that hands every datagram to one handler, for the Jaeger
// agent ports (6831 compact, 6832 binary). Datagrams up to 65,535 bytes.
//
// Threading: one receiving thread per server; the handler runs on it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace spoor {

struct UdpServerOptions {
  std::string name;  // for logs: "jaeger_compact", "jaeger_binary"
  std::string host = "0.0.0.0";
  uint16_t port = 0;                      // 0 = any free port
  int receive_buffer_bytes = 4 << 20;     // SO_RCVBUF: absorbs bursts while a packet is decoded
};

using UdpHandler = std::function<void(std::string_view datagram)>;

class UdpServer {
 public:
  UdpServer(UdpServerOptions options, UdpHandler handler);
  ~UdpServer();
  UdpServer(const UdpServer&) = delete;
  UdpServer& operator=(const UdpServer&) = delete;

  [[nodiscard]] Status Start();
  // Stops receiving and joins the thread; datagrams not yet read are lost
  // (UDP senders expect that).
  void Stop();
  [[nodiscard]] uint16_t port() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace spoor
