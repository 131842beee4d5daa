#include "sources/httproute_source.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

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

struct Isect {
  std::string route, listener, result;  // result "" = no intersection
};

// Gateway API spec (HTTPRoute.spec.hostnames, Listener.hostname) examples and edges.
const std::vector<Isect> kIsect = {
    {"test.example.com", "", "test.example.com"},
    {"*.example.com", "", "*.example.com"},
    {"test.example.com", "test.example.com", "test.example.com"},
    {"Test.Example.com", "test.example.com", "Test.Example.com"},
    {"*.example.com", "test.example.com", "test.example.com"},
    {"test.example.com", "*.example.com", "test.example.com"},
    {"foo.test.example.com", "*.example.com", "foo.test.example.com"},
    {"*.example.com", "*.example.com", "*.example.com"},
    {"*.test.example.com", "*.example.com", "*.test.example.com"},
    {"*.example.com", "*.test.example.com", "*.test.example.com"},
    {"example.com", "*.example.com", ""},
    {"test.example.net", "*.example.com", ""},
    {"other.example.com", "test.example.com", ""},
    {"*.example.com", "example.com", ""},
    {"badexample.com", "*.example.com", ""},
    {"*.bar.com", "foo.bar.com", "foo.bar.com"},
    {"*.bar.com", "bar.com", ""},
};

class Intersection : public ::testing::TestWithParam<Isect> {};

TEST_P(Intersection, GatewayApiRules) {
  auto r = intersect_hostnames(GetParam().route, GetParam().listener);
  EXPECT_EQ(r.value_or(""), GetParam().result) << GetParam().route << " ∩ " << GetParam().listener;
}

INSTANTIATE_TEST_SUITE_P(Hostnames, Intersection, ::testing::ValuesIn(kIsect));

// A Gateway "infra/gw" with the given listeners, status addresses and annotations.
boost::json::value gateway(
    std::string_view listeners,
    std::string_view addresses = R"([{"type":"IPAddress","value":"192.0.2.80"}])",
    std::string_view annotations = "", std::string_view name = "gw") {
  return boost::json::parse(fmt::format(
      R"({{"apiVersion":"gateway.networking.k8s.io/v1","kind":"Gateway","metadata":{{"name":"{}","namespace":"infra","annotations":{{{}}}}},"spec":{{"gatewayClassName":"x","listeners":{}}},"status":{{"addresses":{}}}}})",
      name, annotations, listeners, addresses));
}

constexpr std::string_view kAccepted =
    R"("conditions":[{"type":"Accepted","status":"True","reason":"Accepted"},{"type":"ResolvedRefs","status":"True"}])";

// An HTTPRoute "shop/web" with hostnames, parents (status) and annotations.
boost::json::value route(std::string_view hostnames, std::string_view parents,
                         std::string_view annotations = "", std::string_view ns = "shop") {
  return boost::json::parse(fmt::format(
      R"({{"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{{"name":"web","namespace":"{}","annotations":{{{}}}}},"spec":{{"hostnames":{}}},"status":{{"parents":[{}]}}}})",
      ns, annotations, hostnames, parents));
}

std::string parent(std::string_view ref_extra = "", std::string_view conditions = kAccepted) {
  return fmt::format(
      R"({{"parentRef":{{"group":"gateway.networking.k8s.io","kind":"Gateway","namespace":"infra","name":"gw"{}}},"controllerName":"example.net/gateway",{}}})",
      ref_extra, conditions);
}

constexpr std::string_view kAllNs = R"("allowedRoutes":{"namespaces":{"from":"All"}})";

std::string listener(std::string_view name, std::string_view hostname, int port = 80,
                     std::string_view protocol = "HTTP", std::string_view allowed = kAllNs) {
  std::string host = hostname.empty() ? "" : fmt::format(R"("hostname":"{}",)", hostname);
  return fmt::format(R"({{"name":"{}",{}"port":{},"protocol":"{}",{}}})", name, host, port,
                     protocol, allowed);
}

struct Case {
  std::string name;
  boost::json::value route;
  std::vector<boost::json::value> gateways;
  std::vector<std::string> endpoints;
  std::string problem_part;  // "" = none
  std::vector<boost::json::value> listener_sets = {};
};

// A ListenerSet "apps/ls" (GEP-1713) of Gateway infra/gw with the given listeners.
boost::json::value listener_set(
    std::string_view listeners,
    std::string_view parent_ref = R"({"name":"gw","namespace":"infra"})") {
  return boost::json::parse(fmt::format(
      R"({{"apiVersion":"gateway.networking.k8s.io/v1","kind":"ListenerSet","metadata":{{"name":"ls","namespace":"apps"}},"spec":{{"parentRef":{},"listeners":{}}}}})",
      parent_ref, listeners));
}

// The route's parent: ListenerSet apps/ls.
std::string ls_parent(std::string_view ref_extra = "") {
  return fmt::format(
      R"({{"parentRef":{{"group":"gateway.networking.k8s.io","kind":"ListenerSet","namespace":"apps","name":"ls"{}}},"controllerName":"example.net/gateway",{}}})",
      ref_extra, kAccepted);
}

// A Gateway infra/gw that takes ListenerSets from `from` (its own listeners: `own`).
boost::json::value gateway_for_sets(std::string_view from, std::string_view own = "[]") {
  auto gw = gateway(own);
  gw.as_object()["spec"].as_object()["allowedListeners"] =
      boost::json::parse(fmt::format(R"({{"namespaces":{{"from":"{}"}}}})", from));
  return gw;
}

std::vector<Case> cases() {
  std::string wild = "[" + listener("wild", "*.example.com") + "]";
  std::string open = "[" + listener("open", "") + "]";
  std::string two = "[" + listener("http", "*.example.com") + "," +
                    listener("https", "*.example.com", 443, "HTTPS") + "]";
  return {
      {"route host under a wildcard listener",
       route(R"(["shop.example.com"])", parent()),
       {gateway(wild)},
       {"shop.example.com A 192.0.2.80"},
       ""},
      {"deep name under wildcard listener",
       route(R"(["a.b.example.com"])", parent()),
       {gateway(wild)},
       {"a.b.example.com A 192.0.2.80"},
       ""},
      {"apex not under wildcard listener",
       route(R"(["example.com"])", parent()),
       {gateway(wild)},
       {},
       ""},
      {"other domain dropped, matching kept",
       route(R"(["test.example.com","test.example.net"])", parent()),
       {gateway(wild)},
       {"test.example.com A 192.0.2.80"},
       ""},
      {"listener without hostname takes route hosts",
       route(R"(["x.example.org"])", parent()),
       {gateway(open)},
       {"x.example.org A 192.0.2.80"},
       ""},
      {"route without hostnames inherits listener hostname",
       route("[]", parent()),
       {gateway("[" + listener("l", "app.example.com") + "]")},
       {"app.example.com A 192.0.2.80"},
       ""},
      {"route and listener without hostnames: nothing",
       route("[]", parent()),
       {gateway(open)},
       {},
       ""},
      {"wildcard route narrowed to listener host",
       route(R"(["*.example.com"])", parent()),
       {gateway("[" + listener("l", "api.example.com") + "]")},
       {"api.example.com A 192.0.2.80"},
       ""},
      {"two listeners give one endpoint",
       route(R"(["shop.example.com"])", parent()),
       {gateway(two)},
       {"shop.example.com A 192.0.2.80"},
       ""},
      {"sectionName selects the listener",
       route(R"(["shop.example.com","shop.example.org"])", parent(R"(,"sectionName":"org")")),
       {gateway("[" + listener("com", "*.example.com") + "," + listener("org", "*.example.org") +
                "]")},
       {"shop.example.org A 192.0.2.80"},
       ""},
      {"sectionName naming no listener",
       route(R"(["shop.example.com"])", parent(R"(,"sectionName":"nope")")),
       {gateway(wild)},
       {},
       ""},
      {"port selects listeners",
       route(R"(["shop.example.com","shop.example.org"])", parent(R"(,"port":443)")),
       {gateway("[" + listener("com", "*.example.com", 80) + "," +
                listener("org", "*.example.org", 443, "HTTPS") + "]")},
       {"shop.example.org A 192.0.2.80"},
       ""},
      {"not accepted",
       route(
           R"(["shop.example.com"])",
           parent(
               "",
               R"("conditions":[{"type":"Accepted","status":"False","reason":"NotAllowedByListeners"}])")),
       {gateway(wild)},
       {},
       "not accepted by any parent (Gateway infra/gw: Accepted=False "
       "NotAllowedByListeners)"},
      {"parent gateway missing",
       route(R"(["shop.example.com"])", parent()),
       {},
       {},
       "parent Gateway infra/gw not found"},
      {"parentRef of another kind ignored",
       route(R"(["shop.example.com"])",
             R"({"parentRef":{"group":"","kind":"Service","name":"gw"},)" + std::string(kAccepted) +
                 "}"),
       {gateway(wild)},
       {},
       "no parent in status.parents is a Gateway or ListenerSet"},
      {"TCP listener refuses, and says so",
       route(R"(["shop.example.com"])", parent()),
       {gateway("[" + listener("tcp", "", 5432, "TCP") + "]")},
       {},
       "Gateway infra/gw lists the route as Accepted, but no listener admits it: Gateway infra/gw "
       "spec.listeners[0]: protocol TCP carries no HTTPRoutes"},
      {"from Same (default) refuses another namespace, and says which listener",
       route(R"(["shop.example.com"])", parent()),
       {gateway("[" + listener("l", "*.example.com", 80, "HTTP", R"("x":1)") + "]")},
       {},
       "no listener admits it: Gateway infra/gw spec.listeners[0]: allowedRoutes.namespaces.from "
       "is Same (namespace infra) and the route is in shop"},
      {"from Same admits the Gateway's namespace",
       route(R"(["shop.example.com"])", parent(), "", "infra"),
       {gateway("[" + listener("l", "*.example.com", 80, "HTTP", R"("x":1)") + "]")},
       {"shop.example.com A 192.0.2.80"},
       ""},
      {"from Selector matches namespace labels",
       route(R"(["shop.example.com"])", parent()),
       {gateway(
           "[" +
           listener(
               "l", "*.example.com", 80, "HTTP",
               R"("allowedRoutes":{"namespaces":{"from":"Selector","selector":{"matchLabels":{"expose":"true"}}}})") +
           "]")},
       {"shop.example.com A 192.0.2.80"},
       ""},
      {"from Selector refuses unlabelled namespace",
       route(R"(["shop.example.com"])", parent(), "", "other"),
       {gateway(
           "[" +
           listener(
               "l", "*.example.com", 80, "HTTP",
               R"("allowedRoutes":{"namespaces":{"from":"Selector","selector":{"matchLabels":{"expose":"true"}}}})") +
           "]")},
       {},
       "allowedRoutes.namespaces.selector does not match the labels of namespace other"},
      {"kinds without HTTPRoute refuse",
       route(R"(["shop.example.com"])", parent()),
       {gateway(
           "[" +
           listener(
               "l", "*.example.com", 80, "HTTP",
               R"("allowedRoutes":{"namespaces":{"from":"All"},"kinds":[{"kind":"GRPCRoute"}]})") +
           "]")},
       {},
       "allowedRoutes.kinds does not include HTTPRoute"},
      {"kinds with HTTPRoute admit",
       route(R"(["shop.example.com"])", parent()),
       {gateway(
           "[" +
           listener(
               "l", "*.example.com", 80, "HTTP",
               R"("allowedRoutes":{"namespaces":{"from":"All"},"kinds":[{"group":"gateway.networking.k8s.io","kind":"HTTPRoute"}]})") +
           "]")},
       {"shop.example.com A 192.0.2.80"},
       ""},
      {"gateway hostname address → CNAME",
       route(R"(["shop.example.com"])", parent()),
       {gateway(wild, R"([{"type":"Hostname","value":"lb.example.net"}])")},
       {"shop.example.com CNAME lb.example.net"},
       ""},
      {"dual-stack addresses, type defaulted, NamedAddress ignored",
       route(R"(["shop.example.com"])", parent()),
       {gateway(
           wild,
           R"([{"value":"192.0.2.80"},{"type":"IPAddress","value":"2001:db8::80"},{"type":"example.net/NamedAddress","value":"pool-a"}])")},
       {"shop.example.com A 192.0.2.80", "shop.example.com AAAA 2001:db8::80"},
       ""},
      {"gateway target annotation wins",
       route(R"(["shop.example.com"])", parent()),
       {gateway(wild, R"([{"value":"192.0.2.80"}])",
                R"("external-dns.alpha.kubernetes.io/target":"203.0.113.9")")},
       {"shop.example.com A 203.0.113.9"},
       ""},
      {"gateway without address",
       route(R"(["shop.example.com"])", parent()),
       {gateway(wild, "[]")},
       {},
       "has no address"},
      {"route ttl and hostname annotations",
       route(
           R"(["shop.example.com"])", parent(),
           R"("external-dns.alpha.kubernetes.io/ttl":"120","external-dns.alpha.kubernetes.io/hostname":"extra.example.com,outside.example.net")"),
       {gateway(wild)},
       {"shop.example.com A 192.0.2.80 ttl=120", "extra.example.com A 192.0.2.80 ttl=120"},
       ""},
      {"route opt-out",
       route(R"(["shop.example.com"])", parent(), R"("dns.zonekeeper.io/exclude":"true")"),
       {gateway(wild)},
       {},
       ""},
      {"two parent gateways: targets united",
       route(R"(["shop.example.com"])", parent() + "," +
                                            R"({"parentRef":{"namespace":"infra","name":"gw2"},)" +
                                            std::string(kAccepted) + "}"),
       {gateway(wild), gateway(wild, R"([{"value":"192.0.2.81"}])", "", "gw2")},
       {"shop.example.com A 192.0.2.80 192.0.2.81"},
       ""},
      // ListenerSets: the set's listeners, its Gateway's addresses.
      {"a ListenerSet's listener hostname narrows the route; the Gateway's address",
       route(R"(["*.apps.example.com"])", ls_parent()),
       {gateway_for_sets("All")},
       {"shop.apps.example.com A 192.0.2.80"},
       "",
       {listener_set("[" + listener("shop", "shop.apps.example.com") + "]")}},
      {"a ListenerSet listener's Same is the ListenerSet's namespace",
       route(R"(["shop.apps.example.com"])", ls_parent()),
       {gateway_for_sets("All")},
       {},
       "ListenerSet apps/ls spec.listeners[0]: allowedRoutes.namespaces.from is Same (namespace "
       "apps) and the route is in shop",
       {listener_set("[" + listener("shop", "", 80, "HTTP", R"("allowedRoutes":{})") + "]")}},
      {"sectionName picks the ListenerSet's listener",
       route(R"([])", ls_parent(R"(,"sectionName":"b")")),
       {gateway_for_sets("All")},
       {"b.apps.example.com A 192.0.2.80"},
       "",
       {listener_set("[" + listener("a", "a.apps.example.com") + "," +
                     listener("b", "b.apps.example.com") + "]")}},
      {"a Gateway takes no ListenerSets by default",
       route(R"(["shop.apps.example.com"])", ls_parent()),
       {gateway(wild)},
       {},
       "ListenerSet apps/ls lists the route as Accepted, but Gateway infra/gw: "
       "spec.allowedListeners.namespaces.from is None (the default)",
       {listener_set("[" + listener("shop", "") + "]")}},
      {"allowedListeners Same refuses a ListenerSet of another namespace",
       route(R"(["shop.apps.example.com"])", ls_parent()),
       {gateway_for_sets("Same")},
       {},
       "spec.allowedListeners.namespaces.from is Same (namespace infra) and the ListenerSet is in "
       "apps",
       {listener_set("[" + listener("shop", "") + "]")}},
      {"a ListenerSet that is not known yet",
       route(R"(["shop.apps.example.com"])", ls_parent()),
       {gateway_for_sets("All")},
       {},
       "parent ListenerSet apps/ls not found"},
      {"a ListenerSet whose Gateway is not known",
       route(R"(["shop.apps.example.com"])", ls_parent()),
       {},
       {},
       "the Gateway infra/gw of ListenerSet apps/ls not found",
       {listener_set("[" + listener("shop", "") + "]")}},
      {"a ListenerSet parent and a Gateway parent: targets united",
       route(R"(["shop.example.com"])", parent() + "," + ls_parent()),
       {gateway_for_sets("All", wild), gateway(wild, R"([{"value":"192.0.2.81"}])", "", "gw2")},
       {"shop.example.com A 192.0.2.80"},
       "",
       {listener_set("[" + listener("shop", "*.example.com") + "]")}},
  };
}

class HttpRouteCases : public ::testing::TestWithParam<Case> {};

TEST_P(HttpRouteCases, Endpoints) {
  const Case& c = GetParam();
  std::vector<const boost::json::value*> gws;
  for (const auto& g : c.gateways) gws.push_back(&g);
  std::map<std::string, api::Labels> ns_labels = {{"shop", {{"expose", "true"}}}, {"other", {}}};
  std::vector<const boost::json::value*> sets;
  for (const auto& l : c.listener_sets) sets.push_back(&l);
  auto r = route_endpoints(RouteKind::HTTPRoute, c.route, gws, ns_labels, sets);
  ASSERT_TRUE(r) << c.name << ": " << r.error();
  EXPECT_EQ(render(r->endpoints), c.endpoints) << c.name;
  if (c.problem_part.empty()) {
    EXPECT_TRUE(r->problems.empty()) << c.name << ": " << r->problems.front();
  } else {
    ASSERT_FALSE(r->problems.empty()) << c.name;
    EXPECT_NE(r->problems[0].find(c.problem_part), std::string::npos)
        << c.name << ": " << r->problems[0];
  }
  for (const auto& e : r->endpoints) EXPECT_EQ(e.source.rfind("httproute/", 0), 0u);
}

INSTANTIATE_TEST_SUITE_P(HttpRoute, HttpRouteCases, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return fmt::format("case{}", info.index); });

TEST(HttpRoute, BadSelectorIsAProblem) {
  auto gw = gateway(
      "[" +
      listener(
          "l", "*.example.com", 80, "HTTP",
          R"("allowedRoutes":{"namespaces":{"from":"Selector","selector":{"matchExpressions":[{"key":"a","operator":"Bogus"}]}}})") +
      "]");
  auto r = httproute_endpoints(route(R"(["shop.example.com"])", parent()), {&gw}, {});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->endpoints.empty());
  ASSERT_EQ(r->problems.size(), 1u);
  EXPECT_NE(
      r->problems[0].find("Gateway infra/gw spec.listeners[0].allowedRoutes.namespaces.selector"),
      std::string::npos)
      << r->problems[0];
}

TEST(HttpRoute, WithoutStatusParentsIsPendingNotAProblem) {
  // Right after creation no Gateway controller has written status.parents: nothing to warn about.
  for (const char* status : {"", R"("status":{})", R"("status":{"parents":[]})"}) {
    auto r = boost::json::parse(
        std::string(R"({"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute",)") +
        R"("metadata":{"name":"r","namespace":"shop"},)" +
        R"("spec":{"hostnames":["shop.example.com"]})" +
        (*status ? std::string(",") + status : std::string()) + "}");
    auto out = httproute_endpoints(r, {}, {});
    ASSERT_TRUE(out) << out.error();
    EXPECT_TRUE(out->problems.empty()) << status << ": " << out->problems.front();
    EXPECT_TRUE(out->endpoints.empty());
    EXPECT_NE(out->pending.find("status.parents is empty"), std::string::npos) << status;
  }
}

}  // namespace
}  // namespace zk::sources

namespace zk::sources {
namespace {

// external-dns #6596: a wildcard listener hostname alone never becomes a record when the route
// names concrete hosts; #4929: a route without host names takes only the hostnames of the
// listeners that admit it, never names of other routes or listeners.
TEST(HttpRoute, ListenerHostnamesNeitherLeakNorReplaceTheRoutesOwn) {
  auto gw = gateway("[" + listener("wild", "*.example.com") + "," +
                    listener("other", "other.example.org", 8080) + "]");
  auto r = httproute_endpoints(route(R"(["shop.example.com"])", parent()), {&gw}, {});
  ASSERT_TRUE(r);
  EXPECT_EQ(render(r->endpoints), std::vector<std::string>{"shop.example.com A 192.0.2.80"});
  auto fallback = httproute_endpoints(route("[]", parent(R"(,"sectionName":"other")")), {&gw}, {});
  ASSERT_TRUE(fallback);
  EXPECT_EQ(render(fallback->endpoints), std::vector<std::string>{"other.example.org A 192.0.2.80"})
      << "only the listener the route attaches to";
}

boost::json::value typed_route(std::string_view kind, std::string_view hostnames,
                               std::string_view parents) {
  return boost::json::parse(fmt::format(
      R"({{"apiVersion":"gateway.networking.k8s.io/v1","kind":"{}","metadata":{{"name":"r",)"
      R"("namespace":"shop"}},"spec":{{"hostnames":{}}},"status":{{"parents":[{}]}}}})",
      kind, hostnames, parents));
}

TEST(GatewayRoutes, GrpcAndTlsRoutesFollowTheirListenersProtocols) {
  auto gw = gateway("[" + listener("web", "*.example.com", 443, "HTTPS") + "," +
                    listener("tls", "*.example.com", 8443, "TLS") + "]");
  auto grpc =
      route_endpoints(RouteKind::GRPCRoute,
                      typed_route("GRPCRoute", R"(["api.example.com"])", parent()), {&gw}, {});
  ASSERT_TRUE(grpc) << grpc.error();
  EXPECT_EQ(render(grpc->endpoints), std::vector<std::string>{"api.example.com A 192.0.2.80"});
  EXPECT_EQ(grpc->endpoints[0].source, "grpcroute/shop/r");
  EXPECT_EQ(grpc->endpoints[0].labels.at("resource"), "grpcroute/shop/r");

  auto tls = route_endpoints(RouteKind::TLSRoute,
                             typed_route("TLSRoute", R"(["db.example.com"])", parent()), {&gw}, {});
  ASSERT_TRUE(tls);
  EXPECT_EQ(render(tls->endpoints), std::vector<std::string>{"db.example.com A 192.0.2.80"});
  EXPECT_EQ(tls->endpoints[0].source, "tlsroute/shop/r");

  // Attached to a listener whose protocol does not carry the kind: said, not served.
  auto wrong = route_endpoints(
      RouteKind::TLSRoute,
      typed_route("TLSRoute", R"(["db.example.com"])", parent(R"(,"sectionName":"web")")), {&gw},
      {});
  ASSERT_TRUE(wrong);
  EXPECT_TRUE(wrong->endpoints.empty());
  ASSERT_EQ(wrong->problems.size(), 1u);
  EXPECT_NE(wrong->problems[0].find("protocol HTTPS carries no TLSRoutes"), std::string::npos)
      << wrong->problems[0];

  // allowedRoutes.kinds names the kinds a listener takes.
  auto only_http = gateway("[" +
                           listener("web", "*.example.com", 443, "HTTPS",
                                    R"("allowedRoutes":{"namespaces":{"from":"All"},)"
                                    R"("kinds":[{"kind":"HTTPRoute"}]})") +
                           "]");
  auto refused = route_endpoints(RouteKind::GRPCRoute,
                                 typed_route("GRPCRoute", R"(["api.example.com"])", parent()),
                                 {&only_http}, {});
  ASSERT_TRUE(refused);
  EXPECT_TRUE(refused->endpoints.empty());
  ASSERT_EQ(refused->problems.size(), 1u);
  EXPECT_NE(refused->problems[0].find("allowedRoutes.kinds does not include GRPCRoute"),
            std::string::npos);
}

}  // namespace
}  // namespace zk::sources
