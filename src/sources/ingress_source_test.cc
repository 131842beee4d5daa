#include "sources/ingress_source.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace zk::sources {
namespace {

// "name TYPE targets…" per endpoint, for compact expectations.
std::vector<std::string> render(const std::vector<Endpoint>& eps) {
  std::vector<std::string> out;
  for (const auto& e : eps) {
    std::string s = e.dns_name + " " + e.record_type;
    for (const auto& t : e.targets) s += " " + t;
    if (e.ttl) s += fmt::format(" ttl={}", *e.ttl);
    out.push_back(s);
  }
  return out;
}

std::string ingress(std::string_view annotations, std::string_view spec, std::string_view status,
                    std::string_view name = "web") {
  return fmt::format(
      R"({{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{{"name":"{}","namespace":"shop","annotations":{{{}}}}},"spec":{{{}}},"status":{{{}}}}})",
      name, annotations, spec, status);
}

constexpr std::string_view kLbIp = R"("loadBalancer":{"ingress":[{"ip":"192.0.2.10"}]})";
constexpr std::string_view kOneRule = R"("rules":[{"host":"shop.example.com"}])";

struct Case {
  std::string name;
  std::string json;
  IngressOptions options;
  std::vector<std::string> endpoints;
  std::string skipped_part;  // "" = not skipped
  std::string problem_part;  // "" = no problems
};

std::vector<Case> cases() {
  IngressOptions nginx{{"nginx"}, {}};
  IngressOptions deflt{{}, {"198.51.100.1"}};
  return {
      {"rule host, LB ip",
       ingress("", kOneRule, kLbIp),
       {},
       {"shop.example.com A 192.0.2.10"},
       "",
       ""},
      {"LB ipv6",
       ingress("", kOneRule, R"("loadBalancer":{"ingress":[{"ip":"2001:db8::10"}]})"),
       {},
       {"shop.example.com AAAA 2001:db8::10"},
       "",
       ""},
      {"LB dual stack",
       ingress("", kOneRule,
               R"("loadBalancer":{"ingress":[{"ip":"192.0.2.10"},{"ip":"2001:db8::10"}]})"),
       {},
       {"shop.example.com A 192.0.2.10", "shop.example.com AAAA 2001:db8::10"},
       "",
       ""},
      {"LB hostname (AWS ELB) → CNAME",
       ingress("", kOneRule,
               R"("loadBalancer":{"ingress":[{"hostname":"a1b2.elb.us-east-1.amazonaws.com"}]})"),
       {},
       {"shop.example.com CNAME a1b2.elb.us-east-1.amazonaws.com"},
       "",
       ""},
      {"LB ip and hostname → addresses only",
       ingress("", kOneRule,
               R"("loadBalancer":{"ingress":[{"hostname":"lb.example.net"},{"ip":"192.0.2.10"}]})"),
       {},
       {"shop.example.com A 192.0.2.10"},
       "",
       ""},
      {"several rules and tls hosts, duplicates once",
       ingress(
           "",
           R"("rules":[{"host":"a.example.com"},{"host":"b.example.com"},{"http":{}}],"tls":[{"hosts":["b.example.com","c.example.com"],"secretName":"x"}])",
           kLbIp),
       {},
       {"a.example.com A 192.0.2.10", "b.example.com A 192.0.2.10", "c.example.com A 192.0.2.10"},
       "",
       ""},
      {"case-insensitive duplicate keeps first spelling",
       ingress("", R"("rules":[{"host":"Shop.Example.com"},{"host":"shop.example.com"}])", kLbIp),
       {},
       {"Shop.Example.com A 192.0.2.10"},
       "",
       ""},
      {"wildcard host kept",
       ingress("", R"("rules":[{"host":"*.apps.example.com"}])", kLbIp),
       {},
       {"*.apps.example.com A 192.0.2.10"},
       "",
       ""},
      {"no hosts at all",
       ingress("", R"("defaultBackend":{"service":{"name":"x"}})", kLbIp),
       {},
       {},
       "",
       ""},
      {"no status yet", ingress("", kOneRule, ""), {}, {}, "", "pending: no target yet"},
      {"empty LB ingress list",
       ingress("", kOneRule, R"("loadBalancer":{})"),
       {},
       {},
       "",
       "pending: no target yet"},
      {"hostname annotation adds hosts",
       ingress(R"("external-dns.alpha.kubernetes.io/hostname":"x.example.com, y.example.com")",
               kOneRule, kLbIp),
       {},
       {"shop.example.com A 192.0.2.10", "x.example.com A 192.0.2.10",
        "y.example.com A 192.0.2.10"},
       "",
       ""},
      {"hostname annotation alone (no rule hosts)",
       ingress(R"("external-dns.alpha.kubernetes.io/hostname":"www.example.com")",
               R"("defaultBackend":{})", kLbIp),
       {},
       {"www.example.com A 192.0.2.10"},
       "",
       ""},
      {"new external-dns prefix",
       ingress(R"("external-dns.kubernetes.io/hostname":"n.example.com")", "", kLbIp),
       {},
       {"n.example.com A 192.0.2.10"},
       "",
       ""},
      {"our hostname annotation wins over external-dns'",
       ingress(
           R"("dns.zonekeeper.io/hostname":"ours.example.com","external-dns.alpha.kubernetes.io/hostname":"theirs.example.com")",
           "", kLbIp),
       {},
       {"ours.example.com A 192.0.2.10"},
       "",
       ""},
      {"ingress-hostname-source annotation-only",
       ingress(
           R"("external-dns.alpha.kubernetes.io/ingress-hostname-source":"annotation-only","external-dns.alpha.kubernetes.io/hostname":"only.example.com")",
           kOneRule, kLbIp),
       {},
       {"only.example.com A 192.0.2.10"},
       "",
       ""},
      {"ingress-hostname-source defined-hosts-only",
       ingress(
           R"("external-dns.alpha.kubernetes.io/ingress-hostname-source":"defined-hosts-only","external-dns.alpha.kubernetes.io/hostname":"ignored.example.com")",
           kOneRule, kLbIp),
       {},
       {"shop.example.com A 192.0.2.10"},
       "",
       ""},
      {"target annotation overrides status",
       ingress(R"("external-dns.alpha.kubernetes.io/target":"203.0.113.5")", kOneRule, kLbIp),
       {},
       {"shop.example.com A 203.0.113.5"},
       "",
       ""},
      {"target annotation list",
       ingress(R"("dns.zonekeeper.io/target":"203.0.113.5, 2001:db8::5")", kOneRule, kLbIp),
       {},
       {"shop.example.com A 203.0.113.5", "shop.example.com AAAA 2001:db8::5"},
       "",
       ""},
      {"target annotation host name → CNAME",
       ingress(R"("external-dns.alpha.kubernetes.io/target":"edge.example.net")", kOneRule, kLbIp),
       {},
       {"shop.example.com CNAME edge.example.net"},
       "",
       ""},
      {"target annotation mixing → addresses, with a problem",
       ingress(R"("external-dns.alpha.kubernetes.io/target":"edge.example.net,203.0.113.5")",
               kOneRule, kLbIp),
       {},
       {"shop.example.com A 203.0.113.5"},
       "",
       "mix addresses and host names"},
      {"default target overrides status",
       ingress("", kOneRule, kLbIp),
       deflt,
       {"shop.example.com A 198.51.100.1"},
       "",
       ""},
      {"target annotation overrides default target",
       ingress(R"("external-dns.alpha.kubernetes.io/target":"203.0.113.5")", kOneRule, ""),
       deflt,
       {"shop.example.com A 203.0.113.5"},
       "",
       ""},
      {"ttl annotation seconds",
       ingress(R"("external-dns.alpha.kubernetes.io/ttl":"60")", kOneRule, kLbIp),
       {},
       {"shop.example.com A 192.0.2.10 ttl=60"},
       "",
       ""},
      {"ttl annotation duration",
       ingress(R"("dns.zonekeeper.io/ttl":"1h30m")", kOneRule, kLbIp),
       {},
       {"shop.example.com A 192.0.2.10 ttl=5400"},
       "",
       ""},
      {"ttl annotation 0 = not configured",
       ingress(R"("external-dns.alpha.kubernetes.io/ttl":"0")", kOneRule, kLbIp),
       {},
       {"shop.example.com A 192.0.2.10"},
       "",
       ""},
      {"ttl annotation invalid → problem, default TTL",
       ingress(R"("external-dns.alpha.kubernetes.io/ttl":"soon")", kOneRule, kLbIp),
       {},
       {"shop.example.com A 192.0.2.10"},
       "",
       "ttl"},
      {"ttl annotation too large",
       ingress(R"("external-dns.alpha.kubernetes.io/ttl":"2147483648")", kOneRule, kLbIp),
       {},
       {"shop.example.com A 192.0.2.10"},
       "",
       "must be from 1 to 2147483647"},
      {"class filter: ingressClassName matches",
       ingress("", std::string(kOneRule) + R"(,"ingressClassName":"nginx")", kLbIp),
       nginx,
       {"shop.example.com A 192.0.2.10"},
       "",
       ""},
      {"class filter: legacy annotation matches",
       ingress(R"("kubernetes.io/ingress.class":"nginx")", kOneRule, kLbIp),
       nginx,
       {"shop.example.com A 192.0.2.10"},
       "",
       ""},
      {"class filter: spec wins over annotation",
       ingress(R"("kubernetes.io/ingress.class":"nginx")",
               std::string(kOneRule) + R"(,"ingressClassName":"traefik")", kLbIp),
       nginx,
       {},
       "IngressClass \"traefik\"",
       ""},
      {"class filter: other class skipped",
       ingress("", std::string(kOneRule) + R"(,"ingressClassName":"traefik")", kLbIp),
       nginx,
       {},
       "is not one of the configured classes",
       ""},
      {"class filter: no class skipped",
       ingress("", kOneRule, kLbIp),
       nginx,
       {},
       "no IngressClass",
       ""},
      {"no class filter: any class",
       ingress("", std::string(kOneRule) + R"(,"ingressClassName":"traefik")", kLbIp),
       {},
       {"shop.example.com A 192.0.2.10"},
       "",
       ""},
      {"opt-out: our exclude",
       ingress(R"("dns.zonekeeper.io/exclude":"true")", kOneRule, kLbIp),
       {},
       {},
       "dns.zonekeeper.io/exclude",
       ""},
      {"exclude false is no opt-out",
       ingress(R"("dns.zonekeeper.io/exclude":"false")", kOneRule, kLbIp),
       {},
       {"shop.example.com A 192.0.2.10"},
       "",
       ""},
      {"opt-out: external-dns controller annotation",
       ingress(R"("external-dns.alpha.kubernetes.io/controller":"other-controller")", kOneRule,
               kLbIp),
       {},
       {},
       "not dns-controller",
       ""},
      {"controller dns-controller is ours",
       ingress(R"("external-dns.alpha.kubernetes.io/controller":"dns-controller")", kOneRule,
               kLbIp),
       {},
       {"shop.example.com A 192.0.2.10"},
       "",
       ""},
  };
}

class IngressCases : public ::testing::TestWithParam<Case> {};

TEST_P(IngressCases, Endpoints) {
  const Case& c = GetParam();
  auto r = ingress_endpoints(boost::json::parse(c.json), c.options);
  ASSERT_TRUE(r) << c.name << ": " << r.error();
  EXPECT_EQ(render(r->endpoints), c.endpoints) << c.name;
  if (c.skipped_part.empty()) {
    EXPECT_EQ(r->skipped, "") << c.name;
  } else {
    EXPECT_NE(r->skipped.find(c.skipped_part), std::string::npos) << c.name << ": " << r->skipped;
  }
  // "pending: X": no problem, but the Ingress waits for X (its load balancer address).
  if (c.problem_part.rfind("pending: ", 0) == 0) {
    EXPECT_TRUE(r->problems.empty()) << c.name << ": " << r->problems.front();
    EXPECT_NE(r->pending.find(c.problem_part.substr(9)), std::string::npos)
        << c.name << ": " << r->pending;
  } else if (c.problem_part.empty()) {
    EXPECT_EQ(r->pending, "") << c.name;
    EXPECT_TRUE(r->problems.empty()) << c.name << ": " << r->problems.front();
  } else {
    ASSERT_EQ(r->problems.size(), 1u) << c.name;
    EXPECT_NE(r->problems[0].find(c.problem_part), std::string::npos)
        << c.name << ": " << r->problems[0];
  }
  for (const auto& e : r->endpoints) {
    EXPECT_EQ(e.source, "ingress/shop/web");
    EXPECT_EQ(e.labels.at("resource"), "ingress/shop/web");
  }
}

INSTANTIATE_TEST_SUITE_P(Ingress, IngressCases, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return fmt::format("case{}", info.index); });

TEST(Ingress, UnidentifiableObjectIsAnError) {
  EXPECT_FALSE(ingress_endpoints(boost::json::parse(R"({"metadata":{}})"), {}));
  EXPECT_FALSE(ingress_endpoints(boost::json::parse(R"([1])"), {}));
}

TEST(Ingress, WrongTypesInsideSpecAreIgnoredNotFatal) {
  auto r = ingress_endpoints(
      boost::json::parse(
          R"({"metadata":{"name":"x","namespace":"n","annotations":{"external-dns.alpha.kubernetes.io/hostname":7}},"spec":{"rules":[{"host":5},"junk",{"host":"ok.example.com"}],"tls":"nope"},"status":{"loadBalancer":{"ingress":[{"ip":1},{"ip":"192.0.2.1"}]}}})"),
      {});
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(render(r->endpoints), std::vector<std::string>{"ok.example.com A 192.0.2.1"});
}

TEST(Annotations, TtlParsing) {
  EXPECT_EQ(parse_ttl("60").value(), 60);
  EXPECT_EQ(parse_ttl(" 300 ").value(), 300);
  EXPECT_EQ(parse_ttl("0").value(), std::nullopt);
  EXPECT_EQ(parse_ttl("90s").value(), 90);
  EXPECT_EQ(parse_ttl("5m").value(), 300);
  EXPECT_EQ(parse_ttl("1h30m").value(), 5400);
  EXPECT_EQ(parse_ttl("1.5h").value(), 5400);
  EXPECT_EQ(parse_ttl("2147483647").value(), 2147483647);
  EXPECT_FALSE(parse_ttl("2147483648"));
  EXPECT_FALSE(parse_ttl("-5s"));
  EXPECT_FALSE(parse_ttl("500ms"));
  EXPECT_FALSE(parse_ttl("10d"));
  EXPECT_FALSE(parse_ttl("abc"));
  EXPECT_FALSE(parse_ttl(""));
  EXPECT_FALSE(parse_ttl("99999999999999999999"));
  EXPECT_EQ(split_list(" a, b,,c "), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(split_list(" , ").empty());
}

}  // namespace
}  // namespace zk::sources
