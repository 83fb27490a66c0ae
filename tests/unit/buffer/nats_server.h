// A real nats-server with JetStream for the tests of the NATS buffer, on a
// free loopback port with its store in a fresh directory, which a test can
// stop, kill and start again (same port, same store).
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace spoor::testenv {

class NatsServer {
 public:
  // `config`: extra lines of a nats-server configuration file, e.g.
  // "max_payload: 8192".
  explicit NatsServer(const std::string& config = "") {
    char dir[] = "/tmp/spoor-nats-test-XXXXXX";
    if (mkdtemp(dir) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = dir;
    config_file_ = dir_ + "/nats.conf";
    std::ofstream(config_file_) << config << "\n";
    port_ = FreePort();
    Start();
  }
  ~NatsServer() {
    Kill();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  NatsServer(const NatsServer&) = delete;
  NatsServer& operator=(const NatsServer&) = delete;

  [[nodiscard]] std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }

  // Starts the server and waits until it accepts connections.
  void Start() {
    if (pid_ > 0) return;
    std::string port = std::to_string(port_);
    std::string store = dir_ + "/store";
    pid_ = fork();
    if (pid_ == 0) {
      // Gone with the test process, however it ends (a crash, a timeout).
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      int null = open("/dev/null", O_WRONLY);
      dup2(null, STDOUT_FILENO);
      dup2(null, STDERR_FILENO);
      // Debian installs it in /usr/sbin, which a user's PATH may lack.
      execl("/usr/sbin/nats-server", "nats-server", "-a", "127.0.0.1", "-p", port.c_str(), "-js",
            "-sd", store.c_str(), "-c", config_file_.c_str(), static_cast<char*>(nullptr));
      execlp("nats-server", "nats-server", "-a", "127.0.0.1", "-p", port.c_str(), "-js", "-sd",
             store.c_str(), "-c", config_file_.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 300; ++i) {
      if (Accepts()) return;
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("nats-server exited (is it installed? scripts/setup.sh)");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("nats-server did not accept connections on " + url());
  }
  // SIGTERM, and waits for the process.
  void Stop() { Signal(SIGTERM); }
  // SIGKILL, and waits: what the stream holds is what was on disk.
  void Kill() { Signal(SIGKILL); }

 private:
  void Signal(int sig) {
    if (pid_ <= 0) return;
    kill(pid_, sig);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  bool Accepts() const {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    return ok;
  }

  static int FreePort() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      close(fd);
      throw std::runtime_error("no free port");
    }
    close(fd);
    return ntohs(addr.sin_port);
  }

  std::string dir_;
  std::string config_file_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace spoor::testenv
