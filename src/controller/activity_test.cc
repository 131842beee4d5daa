#include "controller/activity.h"

#include <gtest/gtest.h>

namespace zk::controller {
namespace {

using namespace std::chrono_literals;
using Clock = Activity::Clock;

Activity::Reconcile rec(std::string key, std::string reason, Clock::time_point at) {
  return {std::move(key), "DNSZone", std::move(reason), at, 0.01};
}

TEST(Activity, LastTotalsAndFailuresInTheWindow) {
  Activity a(5min);
  const Clock::time_point t0 = Clock::time_point(1000000s);
  EXPECT_FALSE(a.last().has_value());
  a.record(rec("z/dns/a", "ServerUnreachable", t0));
  a.record(rec("z/dns/b", "", t0 + 1min));
  a.record(rec("z/dns/a", "TsigAuthFailed", t0 + 2min));
  ASSERT_TRUE(a.last().has_value());
  EXPECT_EQ(a.last()->key, "z/dns/a");
  EXPECT_EQ(a.total(), 3u);
  EXPECT_EQ(a.failed(), 2u);
  // Newest first.
  auto f = a.failures_since(t0);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].reason, "TsigAuthFailed");
  EXPECT_EQ(f[1].reason, "ServerUnreachable");
  EXPECT_EQ(a.failures_since(t0 + 90s).size(), 1u);
  EXPECT_EQ(a.failures_since(t0, 1).size(), 1u);
  EXPECT_EQ(a.reconciles_since(t0), 3u);
  EXPECT_EQ(a.reconciles_since(t0 + 30s), 2u);
  // Six minutes later the first failure has left the window; the totals stay.
  a.record(rec("z/dns/b", "", t0 + 6min));
  f = a.failures_since(t0);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].reason, "TsigAuthFailed");
  EXPECT_EQ(a.failed(), 2u);
  EXPECT_TRUE(a.last()->ok());
  // Counts older than the window are forgotten: t0's is gone; since t0+90s: t0+2min and t0+6min.
  EXPECT_EQ(a.reconciles_since(t0), 3u);
  EXPECT_EQ(a.reconciles_since(t0 + 90s), 2u);
  a.record(rec("z/dns/c", "", t0 + 6min + 200ms));  // the same second: one bucket
  EXPECT_EQ(a.reconciles_since(t0 + 6min), 2u);
}

TEST(Activity, KeepsAtMostMaxFailures) {
  Activity a(5min, 3);
  const Clock::time_point t0 = Clock::time_point(1000000s);
  for (int i = 0; i < 10; ++i) a.record(rec("z/dns/" + std::to_string(i), "NotReady", t0 + i * 1s));
  auto f = a.failures_since(t0);
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].key, "z/dns/9");
  EXPECT_EQ(f[2].key, "z/dns/7");
  EXPECT_EQ(a.failed(), 10u);
}

}  // namespace
}  // namespace zk::controller
