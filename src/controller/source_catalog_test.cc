#include "controller/source_catalog.h"

#include <tuple>

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace zk::controller {
namespace {

namespace json = boost::json;
using model::Name;

Name N(const char* s) {
  return Name::parse(s).value();
}

SourceOptions options(const std::vector<const char*>& zones = {"ext.test."}) {
  SourceOptions o;
  for (const char* z : zones) o.zones.push_back({N(z), {"dns/primary"}});
  o.kinds = {std::begin(kAllSourceKinds), std::end(kAllSourceKinds)};
  return o;
}

json::value ingress(const std::string& name, const std::string& host, const std::string& target,
                    const std::string& created = "2026-01-01T00:00:00Z", int64_t generation = 1) {
  return json::parse(
      R"({"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":")" + name +
      R"(","namespace":"web","uid":"u-)" + name + R"(","creationTimestamp":")" + created +
      R"(","generation":)" + std::to_string(generation) +
      R"(,"annotations":{"external-dns.alpha.kubernetes.io/target":")" + target +
      R"("}},"spec":{"rules":[{"host":")" + host + R"("}]}})");
}

TEST(SourceCatalog, IngressLandsInItsZoneAndUnchangedDataTouchesNothing) {
  SourceCatalog cat(options());
  auto zones = cat.put(SourceKind::Ingress, ingress("www", "www.ext.test", "192.0.2.1"));
  EXPECT_EQ(zones, std::set<Name>{N("ext.test.")});
  auto eps = cat.endpoints_of(N("ext.test."), cat.sources_of(N("ext.test.")));
  ASSERT_EQ(eps.size(), 1u);
  EXPECT_EQ(eps[0].dns_name, "www.ext.test");
  EXPECT_EQ(eps[0].source, "ingress/web/www");
  // Our own writes coming back, or a new generation with the same DNS data: no zone work.
  EXPECT_TRUE(cat.put(SourceKind::Ingress, ingress("www", "www.ext.test", "192.0.2.1")).empty());
  EXPECT_TRUE(cat.put(SourceKind::Ingress,
                      ingress("www", "www.ext.test", "192.0.2.1", "2026-01-01T00:00:00Z", 2))
                  .empty());
  EXPECT_EQ(cat.find("ingress/web/www")->ref.generation, 2);
  // A new target: the zone again; removal: the zone once more, then nothing is left.
  EXPECT_EQ(cat.put(SourceKind::Ingress, ingress("www", "www.ext.test", "192.0.2.2")).size(), 1u);
  EXPECT_EQ(cat.remove(SourceKind::Ingress, "web", "www"), std::set<Name>{N("ext.test.")});
  EXPECT_TRUE(cat.endpoints_of(N("ext.test."), cat.sources_of(N("ext.test."))).empty());
  EXPECT_EQ(cat.find("ingress/web/www"), nullptr);
}

TEST(SourceCatalog, OwnerAndDescriptionAreKeptAndANewOwnerCounts) {
  SourceCatalog cat(options());
  auto with_owner = [](const std::string& owner) {
    json::value v = ingress("www", "www.ext.test", "192.0.2.1");
    auto& ann = v.at("metadata").at("annotations").as_object();
    ann["dns.zonekeeper.io/owner"] = owner;
    ann["dns.zonekeeper.io/description"] = "the shop";
    return v;
  };
  cat.put(SourceKind::Ingress, with_owner("team-a"));
  ASSERT_NE(cat.find("ingress/web/www"), nullptr);
  EXPECT_EQ(cat.find("ingress/web/www")->notes->owner, "team-a");
  EXPECT_EQ(cat.find("ingress/web/www")->notes->description, "the shop");
  EXPECT_TRUE(cat.put(SourceKind::Ingress, with_owner("team-a")).empty());
  // Same DNS data, new owner: its zone is touched, so the views are rebuilt.
  EXPECT_EQ(cat.put(SourceKind::Ingress, with_owner("team-b")), std::set<Name>{N("ext.test.")});
  EXPECT_EQ(cat.find("ingress/web/www")->notes->owner, "team-b");
}

TEST(SourceCatalog, MovingAHostTouchesBothZonesAndTheLongestZoneWins) {
  SourceCatalog cat(options({"ext.test.", "eu.ext.test."}));
  EXPECT_EQ(cat.put(SourceKind::Ingress, ingress("www", "a.eu.ext.test", "192.0.2.1")),
            std::set<Name>{N("eu.ext.test.")});
  EXPECT_EQ(cat.put(SourceKind::Ingress, ingress("www", "a.ext.test", "192.0.2.1")),
            (std::set<Name>{N("ext.test."), N("eu.ext.test.")}));
}

TEST(SourceCatalog, FilteredAndUnmatchedAreKeptForTheVerdict) {
  SourceOptions o = options();
  o.filter.exclude = {"internal.ext.test"};
  SourceCatalog cat(o);
  EXPECT_TRUE(
      cat.put(SourceKind::Ingress, ingress("a", "x.internal.ext.test", "192.0.2.1")).empty());
  EXPECT_TRUE(cat.put(SourceKind::Ingress, ingress("b", "www.other.test", "192.0.2.1")).empty());
  EXPECT_EQ(cat.find("ingress/web/a")->filtered.size(), 1u);
  EXPECT_EQ(cat.find("ingress/web/b")->unmatched.size(), 1u);
  // In our zone but excluded: Filtered. In none of our zones: another instance's business —
  // counted, not reported (instances with disjoint zones must not fight over a status).
  auto f = source_verdict(*cat.find("ingress/web/a"), {});
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->report);
  EXPECT_EQ(f->ready.reason, kFiltered);
  EXPECT_NE(f->ready.message.find("x.internal.ext.test: excluded by the domain filter"),
            std::string::npos);
  auto v = source_verdict(*cat.find("ingress/web/b"), {});
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->report);
  EXPECT_EQ(v->counts.at("unmatched"), 1u);
}

TEST(SourceCatalog, OnlyOurZonesAreOursToReportOn) {
  SourceOptions o = options();
  o.filter.include = {"ext.test"};
  SourceCatalog cat(o);
  // Refused by the include filter but outside our zones anyway: unmatched, not Filtered.
  cat.put(SourceKind::Ingress, ingress("a", "www.other.test", "192.0.2.1"));
  EXPECT_TRUE(cat.find("ingress/web/a")->filtered.empty());
  EXPECT_EQ(cat.find("ingress/web/a")->unmatched.size(), 1u);
  // An invalid entry named in another instance's zone is not ours to call Invalid.
  auto de = json::parse(R"({"metadata":{"name":"d","namespace":"dns"},
    "spec":{"endpoints":[{"dnsName":"x.other.test","recordType":"NAPTR","targets":["x"]},
                          {"dnsName":"y.ext.test","recordType":"NAPTR","targets":["x"]}]}})");
  cat.put(SourceKind::DNSEndpoint, de);
  ASSERT_EQ(cat.find("crd/dns/d")->invalid.size(), 1u);
  EXPECT_EQ(cat.find("crd/dns/d")->invalid[0].dns_name, "y.ext.test");
}

TEST(SourceCatalog, AnIngressWaitingForItsAddressHasNothingToSay) {
  SourceCatalog cat(options());
  auto ing = json::parse(R"({"metadata":{"name":"w","namespace":"web"},
    "spec":{"rules":[{"host":"w.ext.test"}]}})");
  EXPECT_TRUE(cat.put(SourceKind::Ingress, ing).empty());
  EXPECT_NE(cat.find("ingress/web/w")->pending.find("no target yet"), std::string::npos);
  EXPECT_FALSE(source_verdict(*cat.find("ingress/web/w"), {}));
}

TEST(SourceCatalog, OlderObjectsComeFirstWhateverTheirNames) {
  SourceCatalog cat(options());
  cat.put(SourceKind::Ingress, ingress("aaa", "a.ext.test", "192.0.2.1", "2026-02-01T00:00:00Z"));
  cat.put(SourceKind::Ingress, ingress("zzz", "z.ext.test", "192.0.2.2", "2026-01-01T00:00:00Z"));
  cat.put(SourceKind::Ingress, ingress("mmm", "m.ext.test", "192.0.2.3", "2026-01-01T00:00:00Z"));
  EXPECT_EQ(cat.sources_of(N("ext.test.")),
            (std::vector<std::string>{"ingress/web/mmm", "ingress/web/zzz", "ingress/web/aaa"}));
  EXPECT_TRUE(cat.older("ingress/web/zzz", "ingress/web/aaa"));
  auto eps = cat.endpoints_of(N("ext.test."), cat.sources_of(N("ext.test.")));
  ASSERT_EQ(eps.size(), 3u);
  EXPECT_EQ(eps[0].dns_name, "m.ext.test");
  EXPECT_EQ(eps[2].dns_name, "a.ext.test");
}

TEST(SourceCatalog, DisabledKindsAreIgnored) {
  SourceOptions o = options();
  o.kinds = {SourceKind::DNSEndpoint};
  SourceCatalog cat(o);
  EXPECT_TRUE(cat.put(SourceKind::Ingress, ingress("www", "www.ext.test", "192.0.2.1")).empty());
  EXPECT_EQ(cat.find("ingress/web/www"), nullptr);
}

TEST(SourceCatalog, HttpRouteIsReevaluatedWhenItsGatewayArrivesOrChanges) {
  SourceCatalog cat(options());
  auto route = json::parse(R"({"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute",
    "metadata":{"name":"shop","namespace":"web","uid":"r1","creationTimestamp":"2026-01-01T00:00:00Z"},
    "spec":{"parentRefs":[{"name":"gw"}],"hostnames":["shop.ext.test"]},
    "status":{"parents":[{"parentRef":{"name":"gw"},"controllerName":"x",
      "conditions":[{"type":"Accepted","status":"True"}]}]}})");
  EXPECT_TRUE(cat.put(SourceKind::HTTPRoute, route).empty());
  ASSERT_EQ(cat.find("httproute/web/shop")->problems.size(), 1u);
  auto gw = json::parse(R"({"apiVersion":"gateway.networking.k8s.io/v1","kind":"Gateway",
    "metadata":{"name":"gw","namespace":"web"},
    "spec":{"gatewayClassName":"c","listeners":[{"name":"http","port":80,"protocol":"HTTP",
      "hostname":"*.ext.test"}]},
    "status":{"addresses":[{"type":"IPAddress","value":"192.0.2.80"}]}})");
  EXPECT_EQ(cat.put_route_parent(RouteParent::Gateway, gw), std::set<Name>{N("ext.test.")});
  auto eps = cat.endpoints_of(N("ext.test."), cat.sources_of(N("ext.test.")));
  ASSERT_EQ(eps.size(), 1u);
  EXPECT_EQ(eps[0].targets, std::vector<std::string>{"192.0.2.80"});
  // The same Gateway again (a status heartbeat elsewhere): nothing to do.
  EXPECT_TRUE(cat.put_route_parent(RouteParent::Gateway, gw).empty());
  gw.as_object()["status"].as_object()["addresses"].as_array()[0].as_object()["value"] =
      "192.0.2.81";
  EXPECT_EQ(cat.put_route_parent(RouteParent::Gateway, gw), std::set<Name>{N("ext.test.")});
  EXPECT_EQ(cat.endpoints_of(N("ext.test."), cat.sources_of(N("ext.test.")))[0].targets,
            std::vector<std::string>{"192.0.2.81"});
  EXPECT_EQ(cat.remove_route_parent(RouteParent::Gateway, "web", "gw"),
            std::set<Name>{N("ext.test.")});
  EXPECT_TRUE(cat.endpoints_of(N("ext.test."), cat.sources_of(N("ext.test."))).empty());
}

// A route attached to a ListenerSet (GEP-1713) is served once the ListenerSet and its Gateway
// are known, and withdrawn when the ListenerSet goes.
TEST(SourceCatalog, HttpRouteOfAListenerSetFollowsTheSetAndItsGateway) {
  SourceCatalog cat(options());
  auto route = json::parse(R"({"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute",
    "metadata":{"name":"shop","namespace":"web","uid":"r1","creationTimestamp":"2026-01-01T00:00:00Z"},
    "spec":{"parentRefs":[{"kind":"ListenerSet","name":"ls"}],"hostnames":["shop.ext.test"]},
    "status":{"parents":[{"parentRef":{"kind":"ListenerSet","name":"ls"},"controllerName":"x",
      "conditions":[{"type":"Accepted","status":"True"}]}]}})");
  EXPECT_TRUE(cat.put(SourceKind::HTTPRoute, route).empty());
  auto ls = json::parse(R"({"apiVersion":"gateway.networking.k8s.io/v1","kind":"ListenerSet",
    "metadata":{"name":"ls","namespace":"web"},
    "spec":{"parentRef":{"name":"gw","namespace":"infra"},
      "listeners":[{"name":"http","port":80,"protocol":"HTTP","hostname":"*.ext.test"}]}})");
  EXPECT_TRUE(cat.put_route_parent(RouteParent::ListenerSet, ls).empty()) << "no Gateway yet";
  ASSERT_EQ(cat.find("httproute/web/shop")->problems.size(), 1u);
  EXPECT_NE(cat.find("httproute/web/shop")->problems[0].find("the Gateway infra/gw"),
            std::string::npos);
  auto gw = json::parse(R"({"apiVersion":"gateway.networking.k8s.io/v1","kind":"Gateway",
    "metadata":{"name":"gw","namespace":"infra"},
    "spec":{"gatewayClassName":"c","listeners":[],"allowedListeners":{"namespaces":{"from":"All"}}},
    "status":{"addresses":[{"type":"IPAddress","value":"192.0.2.90"}]}})");
  EXPECT_EQ(cat.put_route_parent(RouteParent::Gateway, gw), std::set<Name>{N("ext.test.")});
  auto eps = cat.endpoints_of(N("ext.test."), cat.sources_of(N("ext.test.")));
  ASSERT_EQ(eps.size(), 1u);
  EXPECT_EQ(eps[0].dns_name, "shop.ext.test");
  EXPECT_EQ(eps[0].targets, std::vector<std::string>{"192.0.2.90"});
  EXPECT_EQ(cat.remove_route_parent(RouteParent::ListenerSet, "web", "ls"),
            std::set<Name>{N("ext.test.")});
  EXPECT_TRUE(cat.endpoints_of(N("ext.test."), cat.sources_of(N("ext.test."))).empty());
}

TEST(SourceCatalog, DnsEndpointInvalidEntriesAreKeptBesideTheValidOnes) {
  SourceCatalog cat(options());
  auto de = json::parse(R"({"apiVersion":"externaldns.k8s.io/v1alpha1","kind":"DNSEndpoint",
    "metadata":{"name":"recs","namespace":"dns","generation":4},
    "spec":{"endpoints":[{"dnsName":"ok.ext.test","recordType":"A","targets":["192.0.2.1"]},
                          {"dnsName":"bad.ext.test","recordType":"NAPTR","targets":["x"]}]}})");
  EXPECT_EQ(cat.put(SourceKind::DNSEndpoint, de), std::set<Name>{N("ext.test.")});
  const SourceObject* o = cat.find("crd/dns/recs");
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->ref.kind, "DNSEndpoint");
  EXPECT_EQ(o->ref.api_version, "externaldns.k8s.io/v1alpha1");
  EXPECT_EQ(o->ref.generation, 4);
  ASSERT_EQ(o->invalid.size(), 1u);
  auto v = source_verdict(*o, {{"ok.ext.test", "A", "ext.test.", std::string(kProgrammed), ""}});
  ASSERT_TRUE(v);
  EXPECT_EQ(v->ready.status, "False");
  EXPECT_EQ(v->ready.reason, kInvalid);
  EXPECT_NE(v->ready.message.find("NAPTR"), std::string::npos);
  EXPECT_NE(v->ready.message.find("served: ok.ext.test A"), std::string::npos);
}

SourceObject object(SourceKind kind) {
  SourceObject o;
  o.kind = kind;
  o.id = "x/ns/n";
  return o;
}

TEST(SourceVerdict, WorstOutcomeWinsAndServedNamesAreListed) {
  SourceObject o = object(SourceKind::Ingress);
  std::vector<EndpointOutcome> out = {
      {"a.ext.test", "A", "ext.test.", std::string(kProgrammed), ""},
      {"b.ext.test", "A", "ext.test.", std::string(kConflict), "data without a registry record"}};
  auto v = source_verdict(o, out);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->ready.reason, kConflict);
  EXPECT_TRUE(v->warning);
  EXPECT_NE(v->ready.message.find("b.ext.test A: data without a registry record"),
            std::string::npos);
  out.push_back({"c.ext.test", "A", "ext.test.", std::string(kFailed), "Timeout"});
  EXPECT_EQ(source_verdict(o, out)->ready.reason, kFailed);
  auto ok = source_verdict(o, {out[0]});
  EXPECT_EQ(ok->ready.status, "True");
  EXPECT_EQ(ok->ready.reason, kProgrammed);
  EXPECT_FALSE(ok->warning);
  EXPECT_EQ(ok->ready.message, "served: a.ext.test A (zone ext.test.)");
  EXPECT_EQ(ok->counts.at("served"), 1u);
}

TEST(SourceVerdict, NamesAreQuotedAsServedNotAsWritten) {
  SourceObject o = object(SourceKind::IngressRoute);
  auto v = source_verdict(
      o, {{"UPPER.Example.COM", "A", "example.com.", std::string(kProgrammed), ""},
          {"Other.Example.COM.", "A", "example.com.", std::string(kConflict), "already declared"}});
  ASSERT_TRUE(v);
  EXPECT_NE(v->ready.message.find("other.example.com A: already declared"), std::string::npos)
      << v->ready.message;
  EXPECT_NE(v->ready.message.find("served: upper.example.com A"), std::string::npos)
      << v->ready.message;
  EXPECT_EQ(v->ready.message.find("Example"), std::string::npos) << v->ready.message;
}

TEST(SourceVerdict, NothingToSayForSkippedObjectsAndHostlessIngresses) {
  SourceObject o = object(SourceKind::Ingress);
  EXPECT_FALSE(source_verdict(o, {}));
  o.skipped = "IngressClass nginx is not served";
  EXPECT_FALSE(source_verdict(o, {}));
  SourceObject d = object(SourceKind::DNSEndpoint);
  auto v = source_verdict(d, {});
  ASSERT_TRUE(v);
  EXPECT_EQ(v->ready.status, "True");
  EXPECT_EQ(v->ready.reason, kNoEndpoints);
}

TEST(SourceVerdict, ObjectProblemsAreInvalidEvenWithoutEndpoints) {
  SourceObject o = object(SourceKind::IngressRoute);
  o.problems = {"spec.routes[0].match: at 5: expected '('"};
  auto v = source_verdict(o, {});
  ASSERT_TRUE(v);
  EXPECT_EQ(v->ready.reason, kInvalid);
  EXPECT_EQ(v->ready.message, "spec.routes[0].match: at 5: expected '('");
}

TEST(SourceKinds, ParseAndNames) {
  EXPECT_EQ(parse_source_kind("DNSEndpoint"), SourceKind::DNSEndpoint);
  EXPECT_EQ(parse_source_kind("ingressroute"), SourceKind::IngressRoute);
  EXPECT_FALSE(parse_source_kind("service"));
  EXPECT_EQ(source_prefix(SourceKind::DNSEndpoint), "crd");
  EXPECT_EQ(to_string(SourceKind::HTTPRoute), "HTTPRoute");
}

json::value ns_object(const std::string& name, const std::string& annotations,
                      const std::string& extra = "") {
  return json::parse(R"({"kind":"Namespace","metadata":{"name":")" + name + R"(","annotations":{)" +
                     annotations + "}" + extra + "}}");
}

TEST(SourceCatalog, APreviewNamespaceGivesItsTtlAndWithdrawsItsRecordsWhenDeleted) {
  SourceCatalog cat(options());
  cat.put(SourceKind::Ingress, ingress("www", "www.ext.test", "192.0.2.1"));
  const Name ext = N("ext.test.");
  uint64_t v0 = cat.find("ingress/web/www")->version;
  EXPECT_EQ(cat.put_namespace(ns_object("web", R"("dns.zonekeeper.io/preview":"true")")),
            std::set<Name>{ext});
  EXPECT_GT(cat.find("ingress/web/www")->version, v0) << "its outcomes are to be found again";
  auto eps = cat.endpoints_of(ext, cat.sources_of(ext));
  ASSERT_EQ(eps.size(), 1u);
  EXPECT_EQ(eps[0].ttl, 60);
  // The same again: nothing to do.
  EXPECT_TRUE(cat.put_namespace(ns_object("web", R"("dns.zonekeeper.io/preview":"true")")).empty());
  cat.put_namespace(ns_object(
      "web", R"("dns.zonekeeper.io/preview":"true","dns.zonekeeper.io/preview-ttl":"15")"));
  EXPECT_EQ(cat.endpoints_of(ext, cat.sources_of(ext))[0].ttl, 15);

  // Being deleted: the object is still there, its records are not.
  EXPECT_EQ(cat.put_namespace(ns_object("web", R"("dns.zonekeeper.io/preview":"true")",
                                        R"(,"deletionTimestamp":"2026-12-04T05:00:00Z")")),
            std::set<Name>{ext});
  EXPECT_TRUE(cat.sources_of(ext).empty());
  EXPECT_TRUE(cat.find("ingress/web/www"));
  EXPECT_FALSE(cat.previews().at("web").active());
}

TEST(SourceCatalog, APreviewNamespaceDeletedBeforeItsObjectsWithdrawsThemToo) {
  SourceCatalog cat(options());
  const Name ext = N("ext.test.");
  cat.put_namespace(ns_object("web", R"("dns.zonekeeper.io/preview":"true")"));
  cat.put(SourceKind::Ingress, ingress("www", "www.ext.test", "192.0.2.1"));
  EXPECT_EQ(cat.remove_namespace("web"), std::set<Name>{ext});
  EXPECT_TRUE(cat.sources_of(ext).empty());
  cat.remove(SourceKind::Ingress, "web", "www");
  EXPECT_TRUE(cat.previews().empty()) << "forgotten with its last object";
}

TEST(SourceCatalog, AnEndedPreviewServesItsObjectsAsAnyOther) {
  SourceCatalog cat(options());
  const Name ext = N("ext.test.");
  cat.put_namespace(ns_object("web", R"("dns.zonekeeper.io/preview":"true")"));
  cat.put(SourceKind::Ingress, ingress("www", "www.ext.test", "192.0.2.1"));
  EXPECT_EQ(cat.put_namespace(ns_object("web", "")), std::set<Name>{ext});
  auto eps = cat.endpoints_of(ext, cat.sources_of(ext));
  ASSERT_EQ(eps.size(), 1u);
  EXPECT_EQ(eps[0].ttl, std::nullopt) << "the object's own TTL (none: the default)";
  EXPECT_TRUE(cat.previews().empty());
  // A value that is not understood is kept for the Event, and changes nothing served.
  EXPECT_TRUE(cat.put_namespace(ns_object("web", R"("dns.zonekeeper.io/preview":"yes")")).empty());
  EXPECT_FALSE(cat.previews().at("web").problem.empty());
}

TEST(SourceCatalog, NamespaceLabelAndAnnotationFiltersSkipWhatTheyDoNotAdmit) {
  SourceOptions o = options();
  o.only_namespace = "web";
  o.label_filter = api::LabelSelector::parse("env in (prod)").value();
  o.annotation_filter = api::LabelSelector::parse("team=dns").value();
  SourceCatalog cat(o);
  auto dep = [](const std::string& name, const std::string& ns, const std::string& labels,
                const std::string& annotations) {
    return json::parse(R"({"apiVersion":"externaldns.k8s.io/v1alpha1","kind":"DNSEndpoint",)"
                       R"("metadata":{"name":")" +
                       name + R"(","namespace":")" + ns + R"(","labels":)" + labels +
                       R"(,"annotations":)" + annotations +
                       R"(},"spec":{"endpoints":[{"dnsName":")" + name +
                       R"(.ext.test","recordType":"A","targets":["192.0.2.1"]}]}})");
  };
  EXPECT_EQ(
      cat.put(SourceKind::DNSEndpoint, dep("in", "web", R"({"env":"prod"})", R"({"team":"dns"})")),
      std::set<Name>{N("ext.test.")});
  for (auto [name, ns, labels, annotations, why] :
       {std::tuple{"lab", "web", R"({"env":"dev"})", R"({"team":"dns"})", "--label-filter"},
        std::tuple{"ann", "web", R"({"env":"prod"})", R"({"team":"web"})", "--annotation-filter"},
        std::tuple{"nsp", "other", R"({"env":"prod"})", R"({"team":"dns"})", "--namespace"}}) {
    EXPECT_TRUE(cat.put(SourceKind::DNSEndpoint, dep(name, ns, labels, annotations)).empty());
    const SourceObject* obj = cat.find(std::string("crd/") + ns + "/" + name);
    ASSERT_TRUE(obj) << name;
    EXPECT_NE(obj->skipped.find(why), std::string::npos) << obj->skipped;
    EXPECT_FALSE(source_verdict(*obj, {})) << "nothing to say about it";
  }
  EXPECT_EQ(cat.sources_of(N("ext.test.")), std::vector<std::string>{"crd/web/in"});
}

}  // namespace
}  // namespace zk::controller
