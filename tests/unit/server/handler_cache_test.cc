#include "server/handler_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace spoor {
namespace {

struct Tenant {
  std::string name;
};

TEST(HandlerCache, BuildsOneHandlerPerObjectAndKeepsIt) {
  std::atomic<int> made{0};
  HandlerCache cache;
  auto make = [&made](const Tenant& t) {
    ++made;
    return HttpHandler(
        [name = t.name](const HttpRequest&) { return HttpResponse::Text(200, name); });
  };
  Tenant acme{"acme"};
  Tenant beta{"beta"};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 200; ++j) {
        Tenant& t = (j % 2 == 0) ? acme : beta;
        EXPECT_EQ(cache.Get(&t, [&] { return make(t); })(HttpRequest{}).body, t.name);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(made.load(), 2);
}

}  // namespace
}  // namespace spoor
