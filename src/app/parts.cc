#include "app/parts.h"

#include <tuple>

namespace spoor {

Parts::~Parts() {
  if (started_ > 0) std::ignore = StopAll();
}

void Parts::Add(std::string name, std::function<Status()> start, std::function<Status()> stop) {
  parts_.push_back({std::move(name), std::move(start), std::move(stop)});
}

bool Parts::StartAll() {
  for (; started_ < parts_.size(); ++started_) {
    Part& part = parts_[started_];
    if (!part.start) continue;
    if (Status s = part.start(); !s.ok()) {
      LogError(part.name, ": ", s.message());
      return false;
    }
  }
  return true;
}

bool Parts::StopAll() {
  bool ok = true;
  while (started_ > 0) {
    Part& part = parts_[--started_];
    if (!part.stop) continue;
    if (Status s = part.stop(); !s.ok()) {
      LogError(part.name, ": ", s.message());
      ok = false;
    }
  }
  return ok;
}

}  // namespace spoor
