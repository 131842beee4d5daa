#include "sources/ingressroute_source.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace zk::sources {
namespace {

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

// An IngressRoute with the given match rules (JSON-escaped here).
std::string route(const std::vector<std::string>& matches, std::string_view annotations = "",
                  std::string_view api_version = "traefik.io/v1alpha1") {
  std::string routes;
  for (const auto& m : matches) {
    if (!routes.empty()) routes += ",";
    routes += fmt::format(R"({{"kind":"Rule","match":{},"services":[{{"name":"web","port":80}}]}})",
                          boost::json::serialize(boost::json::value(m)));
  }
  return fmt::format(
      R"({{"apiVersion":"{}","kind":"IngressRoute","metadata":{{"name":"grafana","namespace":"monitoring","annotations":{{{}}}}},"spec":{{"entryPoints":["websecure"],"routes":[{}]}}}})",
      api_version, annotations, routes);
}

const IngressRouteOptions kDefault{{"192.168.1.54"}, false};

struct Case {
  std::string name;
  std::string json;
  IngressRouteOptions options;
  std::vector<std::string> endpoints;
  std::vector<std::string> problem_parts;
  std::string skipped_part;
};

std::vector<Case> cases() {
  return {
      {"seed 003: one host, default target",
       route({"Host(`grafana.talos00`)"}),
       kDefault,
       {"grafana.talos00 A 192.168.1.54"},
       {},
       ""},
      {"host list and path",
       route({"Host(`a.example.com`, `b.example.com`) && PathPrefix(`/`)"}),
       kDefault,
       {"a.example.com A 192.168.1.54", "b.example.com A 192.168.1.54"},
       {},
       ""},
      {"several routes, duplicates once",
       route({"Host(`app.example.com`) && PathPrefix(`/api`)", "Host(`app.example.com`)",
              "Host(`www.example.com`) || Host(`APP.example.com`)"}),
       kDefault,
       {"app.example.com A 192.168.1.54", "www.example.com A 192.168.1.54"},
       {},
       ""},
      {"regexp and negation give nothing",
       route({"HostRegexp(`^.+\\.example\\.com$`)", "!Host(`x.example.com`) && PathPrefix(`/`)"}),
       kDefault,
       {},
       {},
       ""},
      {"a rule that does not parse is reported; the others still count",
       route({"Host(`ok.example.com`)", "Host(`broken.example.com`", "Host(`also.example.com`)"}),
       kDefault,
       {"ok.example.com A 192.168.1.54", "also.example.com A 192.168.1.54"},
       {"spec.routes[1].match: at 25: expected ',' or ')', found end of rule"},
       ""},
      {"target annotation (external-dns)",
       route({"Host(`grafana.talos00`)"},
             R"("external-dns.alpha.kubernetes.io/target":"10.0.0.5")"),
       kDefault,
       {"grafana.talos00 A 10.0.0.5"},
       {},
       ""},
      {"target annotation host name → CNAME",
       route({"Host(`grafana.talos00`)"}, R"("dns.zonekeeper.io/target":"traefik.talos00")"),
       {},
       {"grafana.talos00 CNAME traefik.talos00"},
       {},
       ""},
      {"no target at all", route({"Host(`grafana.talos00`)"}), {}, {}, {"no target"}, ""},
      {"ttl annotation",
       route({"Host(`pr-123.myapp.talos00`)"}, R"("external-dns.alpha.kubernetes.io/ttl":"60")"),
       kDefault,
       {"pr-123.myapp.talos00 A 192.168.1.54 ttl=60"},
       {},
       ""},
      {"hostname annotation adds",
       route({"Host(`a.example.com`)"},
             R"("external-dns.alpha.kubernetes.io/hostname":"b.example.com")"),
       kDefault,
       {"a.example.com A 192.168.1.54", "b.example.com A 192.168.1.54"},
       {},
       ""},
      {"exclude",
       route({"Host(`a.example.com`)"}, R"("dns.zonekeeper.io/exclude":"true")"),
       kDefault,
       {},
       {},
       "exclude"},
      {"legacy group disabled",
       route({"Host(`a.example.com`)"}, "", "traefik.containo.us/v1alpha1"),
       kDefault,
       {},
       {},
       "is not enabled"},
      {"legacy group enabled",
       route({"Host(`a.example.com`)"}, "", "traefik.containo.us/v1alpha1"),
       IngressRouteOptions{{"192.168.1.54"}, true},
       {"a.example.com A 192.168.1.54"},
       {},
       ""},
      {"unknown group",
       route({"Host(`a.example.com`)"}, "", "example.io/v1"),
       kDefault,
       {},
       {},
       "is not a Traefik IngressRoute version"},
      {"dual-stack default",
       route({"Host(`a.example.com`)"}),
       IngressRouteOptions{{"192.0.2.1", "2001:db8::1"}, false},
       {"a.example.com A 192.0.2.1", "a.example.com AAAA 2001:db8::1"},
       {},
       ""},
      {"HostSNI wildcard (TCP-style rule) gives nothing",
       route({"HostSNI(`*`)"}),
       kDefault,
       {},
       {},
       ""},
  };
}

class IngressRouteCases : public ::testing::TestWithParam<Case> {};

TEST_P(IngressRouteCases, Endpoints) {
  const Case& c = GetParam();
  auto r = ingressroute_endpoints(boost::json::parse(c.json), c.options);
  ASSERT_TRUE(r) << c.name << ": " << r.error();
  EXPECT_EQ(render(r->endpoints), c.endpoints) << c.name;
  ASSERT_EQ(r->problems.size(), c.problem_parts.size()) << c.name;
  for (size_t i = 0; i < c.problem_parts.size(); ++i) {
    EXPECT_NE(r->problems[i].find(c.problem_parts[i]), std::string::npos) << r->problems[i];
  }
  if (c.skipped_part.empty()) {
    EXPECT_EQ(r->skipped, "") << c.name;
  } else {
    EXPECT_NE(r->skipped.find(c.skipped_part), std::string::npos) << r->skipped;
  }
  for (const auto& e : r->endpoints) EXPECT_EQ(e.source, "ingressroute/monitoring/grafana");
}

INSTANTIATE_TEST_SUITE_P(IngressRoute, IngressRouteCases, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return fmt::format("case{}", info.index); });

TEST(IngressRoute, MissingMatchIsAProblemAndNoNameIsAnError) {
  auto r = ingressroute_endpoints(
      boost::json::parse(
          R"({"metadata":{"name":"x","namespace":"n"},"spec":{"routes":[{"kind":"Rule"}]}})"),
      kDefault);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->problems.size(), 1u);
  EXPECT_EQ(r->problems[0], "spec.routes[0].match: missing or not a string");
  EXPECT_FALSE(ingressroute_endpoints(boost::json::parse(R"({"spec":{}})"), kDefault));
}

}  // namespace
}  // namespace zk::sources
