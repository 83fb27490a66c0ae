// A role (all-in-one, collector, ingester, query) is a list of parts:
// servers, storage, the sink, the stream consumer. Parts start in the order
// they were added and stop in the reverse order, so that what feeds a part
// stops before it does (receivers before the writers they feed, writers
// before the storage they write to).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/log.h"
#include "common/status.h"

namespace spoor {

class Parts {
 public:
  Parts() = default;
  Parts(const Parts&) = delete;
  Parts& operator=(const Parts&) = delete;
  ~Parts();

  // `start` runs in StartAll (may be null: nothing to start); `stop` in
  // StopAll, once, when `start` succeeded or was null (may be null). A
  // stop that returns an error (spans lost) makes StopAll report failure.
  void Add(std::string name, std::function<Status()> start, std::function<Status()> stop);

  // A server: anything with Status Start(), void Stop() and port(). Its
  // port is logged once it listens.
  template <typename Server>
  void AddServer(std::string what, std::unique_ptr<Server> server) {
    std::shared_ptr<Server> s = std::move(server);
    Add(
        what,
        [s, what] {
          Status status = s->Start();
          if (status.ok()) LogInfo(what, " listening on port ", s->port());
          return status;
        },
        [s] {
          s->Stop();
          return Status::Ok();
        });
  }

  // Starts every part in order; at the first failure logs it and returns
  // false (the parts started so far are stopped by StopAll).
  [[nodiscard]] bool StartAll();
  // Stops the started parts in reverse order; false when a stop failed.
  [[nodiscard]] bool StopAll();

 private:
  struct Part {
    std::string name;
    std::function<Status()> start;
    std::function<Status()> stop;
  };
  std::vector<Part> parts_;
  size_t started_ = 0;
};

}  // namespace spoor
