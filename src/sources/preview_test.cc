#include "sources/preview.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace zk::sources {
namespace {

Preview of(std::string_view annotations, std::string_view extra = "") {
  return preview_of(boost::json::parse(fmt::format(
      R"({{"kind":"Namespace","metadata":{{"name":"app-pr-1","annotations":{{{}}}{}}}}})",
      annotations, extra)));
}

TEST(Preview, TheAnnotationsAndTheirDefaults) {
  EXPECT_FALSE(of("").preview);
  EXPECT_TRUE(of("").problem.empty());
  Preview p = of(R"("dns.zonekeeper.io/preview":"true")");
  EXPECT_TRUE(p.active());
  EXPECT_EQ(p.ttl, 60u);
  EXPECT_EQ(of(R"("dns.zonekeeper.io/preview":"True","dns.zonekeeper.io/preview-ttl":"30")").ttl,
            30u);
  EXPECT_FALSE(of(R"("dns.zonekeeper.io/preview":"false")").preview);
  EXPECT_TRUE(of(R"("dns.zonekeeper.io/preview":"false")").problem.empty());
}

TEST(Preview, WhatIsNotUnderstoodIsSaid) {
  Preview p = of(R"("dns.zonekeeper.io/preview":"yes")");
  EXPECT_FALSE(p.preview);
  EXPECT_EQ(p.problem,
            "dns.zonekeeper.io/preview: \"yes\" is neither \"true\" nor \"false\"; not a preview");
  for (std::string_view bad : {"0", "-5", "86401", "60s", "", " 60"}) {
    Preview q = of(fmt::format(R"("dns.zonekeeper.io/preview":"true",)"
                               R"("dns.zonekeeper.io/preview-ttl":"{}")",
                               bad));
    EXPECT_TRUE(q.preview) << bad;
    EXPECT_EQ(q.ttl, 60u) << bad;
    EXPECT_NE(q.problem.find("is not a whole number of seconds from 1 to 86400; using 60"),
              std::string::npos)
        << bad << ": " << q.problem;
  }
}

TEST(Preview, ATerminatingNamespaceIsNoLongerActive) {
  Preview p =
      of(R"("dns.zonekeeper.io/preview":"true")", R"(,"deletionTimestamp":"2026-12-04T05:00:00Z")");
  EXPECT_TRUE(p.preview);
  EXPECT_TRUE(p.terminating);
  EXPECT_FALSE(p.active());
}

}  // namespace
}  // namespace zk::sources
