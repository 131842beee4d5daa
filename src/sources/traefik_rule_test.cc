#include "sources/traefik_rule.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace zk::sources {
namespace {

using Hosts = std::vector<std::string>;

struct Good {
  std::string rule;
  Hosts hosts;
};

// Real-world rules (Traefik docs, Helm charts, issue trackers) and the hosts they match.
const std::vector<Good> kGood = {
    {"Host(`example.com`)", {"example.com"}},
    {"Host(`dns.talos00`)", {"dns.talos00"}},
    {"Host(\"example.com\")", {"example.com"}},
    {"Host(`a.example.com`, `b.example.com`)", {"a.example.com", "b.example.com"}},
    {"Host(`a.example.com`,`b.example.com`,`c.example.com`)",
     {"a.example.com", "b.example.com", "c.example.com"}},
    {"Host(`example.com`) && PathPrefix(`/api`)", {"example.com"}},
    {"Host(`whoami.localhost`) && Path(`/whoami`)", {"whoami.localhost"}},
    {"Host(`grafana.example.com`) || Host(`grafana.example.org`)",
     {"grafana.example.com", "grafana.example.org"}},
    {"(Host(`a.example.com`) || Host(`b.example.com`)) && PathPrefix(`/v1`)",
     {"a.example.com", "b.example.com"}},
    {"Host(`traefik.example.com`) && (PathPrefix(`/api`) || PathPrefix(`/dashboard`))",
     {"traefik.example.com"}},
    {"PathPrefix(`/api`) && Host(`example.com`)", {"example.com"}},
    {"Host(`example.com`) && !PathPrefix(`/admin`)", {"example.com"}},
    {"Host(`example.com`) && !Host(`internal.example.com`)", {"example.com"}},
    {"!Host(`example.com`)", {}},
    {"!(Host(`a.example.com`) || Host(`b.example.com`))", {}},
    {"!(!Host(`a.example.com`))", {}},
    {"HostRegexp(`^.+\\.example\\.com$`)", {}},
    {"HostRegexp(`{subdomain:[a-z]+}.example.com`)", {}},
    {"HostRegexp(`{subdomain:[a-z]+}.example.com`) || Host(`example.com`)", {"example.com"}},
    {"HostHeader(`legacy.example.com`)", {"legacy.example.com"}},
    {"HostSNI(`db.example.com`)", {"db.example.com"}},
    {"HostSNI(`*`)", {}},
    {"HostSNI(`a.example.com`, `*`)", {"a.example.com"}},
    {"HostSNIRegexp(`^.+\\.example\\.com$`)", {}},
    {"HostSNI(`mqtt.example.com`) && ClientIP(`10.0.0.0/8`)", {"mqtt.example.com"}},
    {"PathPrefix(`/`)", {}},
    {"Method(`GET`, `POST`) && Host(`api.example.com`)", {"api.example.com"}},
    {"Headers(`X-Forwarded-Proto`, `https`) && Host(`secure.example.com`)", {"secure.example.com"}},
    {"HeadersRegexp(`Content-Type`, `application/(text|json)`)", {}},
    {"Header(`Content-Type`, `application/json`) && Host(`api.example.com`)", {"api.example.com"}},
    {"Query(`mobile`, `true`) && Host(`m.example.com`)", {"m.example.com"}},
    {"QueryRegexp(`mobile`, `^(true|yes)$`)", {}},
    {"ClientIP(`192.168.0.0/16`, `::1`)", {}},
    {"PathRegexp(`\\.(jpeg|jpg|png)$`) && Host(`img.example.com`)", {"img.example.com"}},
    {"Host(`example.com`) && PathPrefix(`/products`) && Method(`GET`)", {"example.com"}},
    {"  Host( `spaced.example.com` )  &&  PathPrefix( `/x` )  ", {"spaced.example.com"}},
    {"Host(`a.example.com`)\n  || Host(`b.example.com`)", {"a.example.com", "b.example.com"}},
    {"\tHost(`tab.example.com`)\r\n", {"tab.example.com"}},
    {"Host(`Example.COM`) || Host(`example.com`)", {"Example.COM"}},
    {"Host(`a.example.com`) || Host(`a.example.com`)", {"a.example.com"}},
    {"host(`lower.example.com`)", {"lower.example.com"}},
    {"HOST(`upper.example.com`)", {"upper.example.com"}},
    {"hostheader(`hh.example.com`)", {"hh.example.com"}},
    {"Host(`*.example.com`)", {"*.example.com"}},
    {"Host(``)", {}},
    {"Host()", {}},
    {"Host(\"quoted\\\".example.com\")", {"quoted\".example.com"}},
    {"Host(\"\\x61.example.com\")", {"a.example.com"}},
    {"Host(\"\\u0062.example.com\")", {"b.example.com"}},
    {"Host(\"\\143.example.com\")", {"c.example.com"}},
    {"Host(`api.example.com`) && (Path(`/a`) || (Path(`/b`) && Method(`POST`)))",
     {"api.example.com"}},
    {"((((Host(`deep.example.com`)))))", {"deep.example.com"}},
    {"Host(`a.example.com`) && Host(`b.example.com`)", {"a.example.com", "b.example.com"}},
    {"(Host(`app.example.com`) && PathPrefix(`/`)) || (Host(`www.app.example.com`) && "
     "PathPrefix(`/`))",
     {"app.example.com", "www.app.example.com"}},
    {"Host(`n8n.home.lab`) && PathPrefix(`/webhook`) && !ClientIP(`10.0.0.1`)", {"n8n.home.lab"}},
    {"Unknown(`x`) || Host(`known.example.com`)", {"known.example.com"}},
    {"Host(`has,comma.example.com`)", {"has,comma.example.com"}},
    {"Host(`has)paren.example.com`)", {"has)paren.example.com"}},
};

class TraefikGood : public ::testing::TestWithParam<Good> {};

TEST_P(TraefikGood, Hosts) {
  auto r = traefik_rule_hosts(GetParam().rule);
  ASSERT_TRUE(r) << GetParam().rule << ": " << r.error().message();
  EXPECT_EQ(*r, GetParam().hosts) << GetParam().rule;
}

INSTANTIATE_TEST_SUITE_P(Rules, TraefikGood, ::testing::ValuesIn(kGood));

struct Bad {
  std::string rule;
  size_t offset;
  std::string expected;
};

const std::vector<Bad> kBad = {
    {"", 0, "a matcher such as Host(`example.com`)"},
    {"   ", 3, "a matcher such as Host(`example.com`)"},
    {"Host(`a.example.com`", 20, "',' or ')'"},
    {"Host(`a.example.com", 19, "'`' closing the string opened at 5"},
    {"Host(\"a.example.com", 19, "'\"' closing the string opened at 5"},
    {"Host(a.example.com)", 5, "a string in backticks or double quotes"},
    {"Host('a.example.com')", 5, "a string in backticks or double quotes"},
    {"Host `a.example.com`", 5, "'(' after Host"},
    {"Host(`a`) &", 10, "'&&', '||' or end of rule"},
    {"Host(`a`) & Host(`b`)", 10, "'&&', '||' or end of rule"},
    {"Host(`a`) | Host(`b`)", 10, "'&&', '||' or end of rule"},
    {"Host(`a`) &&", 12, "a matcher, '!' or '('"},
    {"Host(`a`) || ", 13, "a matcher, '!' or '('"},
    {"&& Host(`a`)", 0, "a matcher, '!' or '('"},
    {"(Host(`a`)", 10, "')'"},
    {"Host(`a`))", 9, "'&&', '||' or end of rule"},
    {"()", 1, "a matcher, '!' or '('"},
    {"!", 1, "a matcher, '!' or '('"},
    {"Host(`a`,)", 9, "a string in backticks or double quotes"},
    {"Host(`a` `b`)", 9, "',' or ')'"},
    {"Host(`a`) Host(`b`)", 10, "'&&', '||' or end of rule"},
    {"Host(\"bad\\q\")", 10, "a valid escape (\\n \\t \\\\ \\\" \\xHH \\uHHHH …)"},
    {"Host(\"\\x4\")", 9, "2 hexadecimal digits"},
    {"Host(\"\\400\")", 9, "an octal escape of at most \\377"},
    {"Host(\"\\uD800\")", 12, "a Unicode code point"},
    {"Host(\"line\nbreak\")", 10, "'\"' closing the string opened at 5"},
    {"1Host(`a`)", 0, "a matcher, '!' or '('"},
    {"Host(`a`) && -", 13, "a matcher, '!' or '('"},
};

class TraefikBad : public ::testing::TestWithParam<Bad> {};

TEST_P(TraefikBad, ErrorPositionAndExpectation) {
  auto r = traefik_rule_hosts(GetParam().rule);
  ASSERT_FALSE(r) << GetParam().rule;
  EXPECT_EQ(r.error().offset, GetParam().offset) << GetParam().rule << ": " << r.error().message();
  EXPECT_EQ(r.error().expected, GetParam().expected) << GetParam().rule;
}

INSTANTIATE_TEST_SUITE_P(Rules, TraefikBad, ::testing::ValuesIn(kBad));

TEST(TraefikRule, MessageNamesPositionExpectationAndFound) {
  auto r = traefik_rule_hosts("Host(`a.example.com`");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "at 20: expected ',' or ')', found end of rule");
  r = traefik_rule_hosts("Host(`a`) & Host(`b`)");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "at 10: expected '&&', '||' or end of rule, found '&'");
  r = traefik_rule_hosts(std::string("Host(`a`) \x01", 11));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().found, "byte 0x01");
}

TEST(TraefikRule, NestingIsBounded) {
  std::string ok = std::string(kTraefikRuleMaxDepth, '(') + "Host(`a.example.com`)" +
                   std::string(kTraefikRuleMaxDepth, ')');
  auto r = traefik_rule_hosts(ok);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(*r, Hosts{"a.example.com"});

  std::string deep = std::string(10000, '(');
  r = traefik_rule_hosts(deep);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().offset, kTraefikRuleMaxDepth);

  std::string bangs = std::string(5000, '!') + "Host(`a`)";
  r = traefik_rule_hosts(bangs);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().offset, kTraefikRuleMaxDepth);
}

TEST(TraefikRule, SizeIsBounded) {
  std::string big = "Host(`" + std::string(kTraefikRuleMaxSize, 'a') + "`)";
  auto r = traefik_rule_hosts(big);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().offset, 0u);
}

TEST(TraefikRule, LongFlatRulesAreLinear) {
  std::string rule = "Host(`h0.example.com`)";
  for (int i = 1; i < 2000; ++i) rule += " || Host(`h" + std::to_string(i % 100) + ".example.com`)";
  auto r = traefik_rule_hosts(rule);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->size(), 100u);
}

}  // namespace
}  // namespace zk::sources
