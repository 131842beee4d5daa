#include "managed/zone_load.h"

#include <gtest/gtest.h>

namespace zk::managed {
namespace {

using std::chrono::seconds;
const ZoneLoadWatch::Clock::time_point t0{};

TEST(ZoneLoadWatch, SaysSoOnlyAfterTheGrace) {
  ZoneLoadWatch w(seconds(60));
  const std::vector<UnservedZone> failing{{"a.test.", "SERVFAIL"}};
  EXPECT_EQ(w.observe("ns/p-0", "u1", "p-0", failing, 40, t0), "");
  EXPECT_EQ(w.observe("ns/p-0", "u1", "p-0", failing, 40, t0 + seconds(59)), "");
  EXPECT_EQ(w.observe("ns/p-0", "u1", "p-0", failing, 40, t0 + seconds(60)),
            "Pod p-0 does not serve 1 of its 40 zones: a.test. (SERVFAIL)");
  EXPECT_EQ(w.verdict("ns/p-0"), "Pod p-0 does not serve 1 of its 40 zones: a.test. (SERVFAIL)");
  EXPECT_EQ(w.verdict("ns/p-1"), "");
}

TEST(ZoneLoadWatch, AZoneThatRecoversStartsAgain) {
  ZoneLoadWatch w(seconds(60));
  const std::vector<UnservedZone> failing{{"a.test.", "SERVFAIL"}};
  w.observe("ns/p-0", "u1", "p-0", failing, 2, t0);
  EXPECT_EQ(w.observe("ns/p-0", "u1", "p-0", {}, 2, t0 + seconds(30)), "");
  EXPECT_EQ(w.observe("ns/p-0", "u1", "p-0", failing, 2, t0 + seconds(61)), "");  // failing for 0 s
  EXPECT_EQ(w.observe("ns/p-0", "u1", "p-0", failing, 2, t0 + seconds(121)),
            "Pod p-0 does not serve 1 of its 2 zones: a.test. (SERVFAIL)");
  EXPECT_EQ(w.observe("ns/p-0", "u1", "p-0", {}, 2, t0 + seconds(122)), "");
  EXPECT_EQ(w.verdict("ns/p-0"), "");
}

TEST(ZoneLoadWatch, ForgetsThePodsOfAnInstanceScaledDownOrGone) {
  ZoneLoadWatch w(seconds(60));
  const std::vector<UnservedZone> failing{{"a.test.", "SERVFAIL"}};
  for (const char* pod : {"ns/p-0", "ns/p-1", "ns/p-2", "ns/p-1-0", "ns/q-0", "other/p-1"}) {
    w.observe(pod, "u", pod, failing, 1, t0);
    w.observe(pod, "u", pod, failing, 1, t0 + seconds(60));
  }
  w.forget_instance("ns", "p", 1);  // scaled down to one replica
  EXPECT_EQ(w.pods(), 4u);
  EXPECT_NE(w.verdict("ns/p-0"), "");
  EXPECT_EQ(w.verdict("ns/p-1"), "");
  EXPECT_NE(w.verdict("ns/p-1-0"), "");  // Pod 0 of instance p-1
  EXPECT_NE(w.verdict("other/p-1"), "");
  w.forget_instance("ns", "p", 0);  // gone
  EXPECT_EQ(w.pods(), 3u);
  EXPECT_EQ(w.verdict("ns/p-0"), "");
  EXPECT_NE(w.verdict("ns/q-0"), "");
}

TEST(ZoneLoadWatch, ANewPodStartsAfresh) {
  ZoneLoadWatch w(seconds(60));
  const std::vector<UnservedZone> failing{{"a.test.", "SERVFAIL"}};
  w.observe("ns/p-0", "u1", "p-0", failing, 1, t0);
  EXPECT_NE(w.observe("ns/p-0", "u1", "p-0", failing, 1, t0 + seconds(60)), "");
  // Deleted and made again (another uid): its first check of the zone is a first failure.
  EXPECT_EQ(w.observe("ns/p-0", "u2", "p-0", failing, 1, t0 + seconds(61)), "");
  w.forget("ns/p-0");
  EXPECT_EQ(w.verdict("ns/p-0"), "");
  EXPECT_EQ(w.observe("ns/p-0", "u2", "p-0", failing, 1, t0 + seconds(62)), "");
}

TEST(ZoneLoadWatch, NamesFiveAndCountsTheRestWithTheLatestWhy) {
  ZoneLoadWatch w(seconds(10));
  std::vector<UnservedZone> failing;
  for (char c = 'a'; c <= 'g'; ++c) failing.push_back({std::string(1, c) + ".test.", "SERVFAIL"});
  w.observe("ns/s-1", "u", "s-1", failing, 9, t0);
  failing[0].why = "REFUSED";  // the answer of the latest check is told
  // A zone that began failing later is not yet counted.
  failing.push_back({"h.test.", "SERVFAIL"});
  EXPECT_EQ(w.observe("ns/s-1", "u", "s-1", failing, 9, t0 + seconds(10)),
            "Pod s-1 does not serve 7 of its 9 zones: a.test. (REFUSED), b.test. (SERVFAIL), "
            "c.test. (SERVFAIL), d.test. (SERVFAIL), e.test. (SERVFAIL) and 2 more");
}

}  // namespace
}  // namespace zk::managed
