// String interning: equal strings give one stable view, from any thread and
// whether or not the thread's cache of recent names holds it.
#include "model/string_table.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace spoor {
namespace {

TEST(StringTable, EqualStringsShareOneView) {
  std::string a = "attribute-key-1";
  std::string b = "attribute-key-1";
  std::string_view x = Intern(a);
  std::string_view y = Intern(b);
  EXPECT_EQ(x, "attribute-key-1");
  EXPECT_EQ(x.data(), y.data());
  EXPECT_NE(x.data(), a.data());  // a copy the table owns
  a.assign("changed");            // the view does not depend on the input
  EXPECT_EQ(x, "attribute-key-1");
  EXPECT_TRUE(Intern("").empty());
}

TEST(StringTable, ManyNamesStayDistinctAndStable) {
  // More names than the per-thread cache has slots, so slots are reused.
  std::vector<std::string_view> first;
  for (int i = 0; i < 5000; ++i) first.push_back(Intern("name-" + std::to_string(i)));
  for (int i = 0; i < 5000; ++i) {
    std::string_view again = Intern("name-" + std::to_string(i));
    ASSERT_EQ(again, "name-" + std::to_string(i));
    ASSERT_EQ(again.data(), first[static_cast<size_t>(i)].data()) << i;
  }
  // Same length and prefix, other content: never confused.
  EXPECT_NE(Intern("name-1234").data(), Intern("name-1235").data());
}

TEST(StringTable, StringsAlikeAtBothEndsStayDistinct) {
  // The thread's cache picks slots by length and the first and last eight
  // bytes: these share all three, and must still be told apart, whichever
  // of them the slot holds.
  const std::string a = "http.request.header.A.value";
  const std::string b = "http.request.header.B.value";
  const std::string c = "http.request.header.C.value";
  for (int round = 0; round < 3; ++round) {
    std::string_view va = Intern(a);
    std::string_view vb = Intern(b);
    std::string_view vc = Intern(c);
    EXPECT_EQ(va, a);
    EXPECT_EQ(vb, b);
    EXPECT_EQ(vc, c);
    EXPECT_EQ(Intern(a).data(), va.data());
  }
  // Short strings (under eight and under four bytes) too.
  EXPECT_EQ(Intern("k1x2"), "k1x2");
  EXPECT_EQ(Intern("k1y2"), "k1y2");
  EXPECT_EQ(Intern("a_b"), "a_b");
  EXPECT_EQ(Intern("a-b"), "a-b");
  EXPECT_NE(Intern("a_b").data(), Intern("a-b").data());
}

TEST(StringTable, ThreadsAgree) {
  std::vector<const char*> seen(8);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < seen.size(); ++t) {
    threads.emplace_back([&seen, t] {
      for (int i = 0; i < 1000; ++i) (void)Intern("thread-name-" + std::to_string(i));
      seen[t] = Intern("thread-name-7").data();
    });
  }
  for (std::thread& t : threads) t.join();
  for (const char* p : seen) EXPECT_EQ(p, seen[0]);
  EXPECT_EQ(Intern("thread-name-7").data(), seen[0]);
}

}  // namespace
}  // namespace spoor
