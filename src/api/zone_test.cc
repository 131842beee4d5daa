#include "api/zone.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "api/record.h"

namespace zk::api {
namespace {

using model::Name;

model::Parsed<Zone> zone(std::string_view spec,
                         std::string_view meta = R"({"name":"z","namespace":"dns"})") {
  return decode_zone(boost::json::parse(
      std::string(R"({"apiVersion":"dns.zonekeeper.io/v1alpha1","kind":"DNSZone","metadata":)") +
      std::string(meta) + R"(,"spec":)" + std::string(spec) + "}"));
}

Name N(std::string_view s) {
  return Name::parse(s).value();
}

TEST(DecodeZone, FullSpec) {
  auto z = zone(R"({
    "zoneName": "Example.Test", "ttl": 120,
    "soaRecord": {"primaryNs": "ns1", "adminEmail": "host.master@example.test",
                  "refresh": 100, "retry": 50, "expire": 1000, "negativeTtl": 30},
    "nameServers": [{"name": "ns1", "ipv4Address": "192.0.2.53", "ipv6Address": "2001:db8::53"},
                    {"name": "ns.other.test."}],
    "recordsFrom": [{"selector": {"matchLabels": {"zone": "ext"}}}, {"selector": {}}],
    "servers": {"refs": [{"name": "bind-a"}], "selector": {"matchLabels": {"tier": "edge"}}},
    "driftPolicy": "Report"})");
  ASSERT_TRUE(z) << z.error();
  EXPECT_EQ(z->key(), "dns/z");
  EXPECT_EQ(z->zone_name, N("example.test."));
  EXPECT_EQ(z->ttl, 120u);
  ASSERT_TRUE(z->soa);
  EXPECT_EQ(z->soa->primary_ns, N("ns1.example.test."));
  // The dot in the local part is part of the first label (written host\.master).
  EXPECT_EQ(z->soa->admin_mailbox.to_string(), "host\\.master.example.test.");
  EXPECT_EQ(z->soa->refresh, 100u);
  EXPECT_EQ(z->soa->retry, 50u);
  EXPECT_EQ(z->soa->expire, 1000u);
  EXPECT_EQ(z->soa->negative_ttl, 30u);
  ASSERT_EQ(z->name_servers.size(), 2u);
  EXPECT_EQ(z->name_servers[0].name, N("ns1.example.test."));
  EXPECT_EQ(z->name_servers[0].ipv4_address, "192.0.2.53");
  EXPECT_EQ(z->name_servers[0].ipv6_address, "2001:db8::53");
  EXPECT_EQ(z->name_servers[1].name, N("ns.other.test."));
  EXPECT_FALSE(z->name_servers[1].ipv4_address);
  ASSERT_EQ(z->records_from.size(), 2u);
  EXPECT_EQ(z->server_refs, std::vector<std::string>{"bind-a"});
  EXPECT_TRUE(z->server_selector.matches({{"tier", "edge"}}));
  EXPECT_EQ(z->drift_policy, DriftPolicy::Report);
}

TEST(DecodeZone, Defaults) {
  auto z = zone(R"({"zoneName": "example.test.",
                    "soaRecord": {"primaryNs": "ns1.example.test.", "adminEmail": "h@example.test"}})");
  ASSERT_TRUE(z) << z.error();
  EXPECT_EQ(z->ttl, 300u);
  EXPECT_EQ(z->soa->refresh, 3600u);
  EXPECT_EQ(z->soa->retry, 600u);
  EXPECT_EQ(z->soa->expire, 604800u);
  EXPECT_EQ(z->soa->negative_ttl, 300u);
  EXPECT_EQ(z->soa->admin_mailbox, N("h.example.test."));
  EXPECT_TRUE(z->name_servers.empty());
  EXPECT_TRUE(z->records_from.empty());
  EXPECT_TRUE(z->server_selector.is_null);
  EXPECT_FALSE(z->servers_namespace);
  EXPECT_EQ(z->servers_ns(), "dns");  // its own namespace's DNSServers
  EXPECT_EQ(z->drift_policy, DriftPolicy::Remediate);
  auto bare = zone(R"({"zoneName": "example.test"})");
  ASSERT_TRUE(bare);
  EXPECT_FALSE(bare->soa);
}

TEST(DecodeZone, ServersOfAnotherNamespace) {
  auto z = zone(R"({"zoneName": "example.test",
                    "servers": {"namespace": "shared-dns",
                                "selector": {"matchLabels": {"dns.zonekeeper.io/bind9-global-cluster": "dns"}}}})",
                R"({"name":"z","namespace":"team-a"})");
  ASSERT_TRUE(z) << z.error();
  EXPECT_EQ(z->servers_namespace, "shared-dns");
  EXPECT_EQ(z->servers_ns(), "shared-dns");
  EXPECT_EQ(z->ns, "team-a");
  EXPECT_TRUE(z->server_selector.matches({{"dns.zonekeeper.io/bind9-global-cluster", "dns"}}));
  // Its own namespace, named: the same DNSServers as without.
  auto own = zone(R"({"zoneName": "example.test", "servers": {"namespace": "dns"}})");
  ASSERT_TRUE(own) << own.error();
  EXPECT_EQ(own->servers_ns(), "dns");
  EXPECT_TRUE(own->server_selector.is_null);  // refs and selector stay optional
  auto longest = zone(R"({"zoneName": "example.test", "servers": {"namespace": ")" +
                      std::string(63, 'n') + R"("}})");
  ASSERT_TRUE(longest) << longest.error();
  EXPECT_EQ(longest->servers_ns(), std::string(63, 'n'));
}

TEST(DecodeZone, AdminEmailInDnsFormIsAccepted) {
  auto z = zone(R"({"zoneName": "example.test",
                    "soaRecord": {"primaryNs": "ns1", "adminEmail": "hostmaster.example.test."}})");
  ASSERT_TRUE(z) << z.error();
  EXPECT_EQ(z->soa->admin_mailbox, N("hostmaster.example.test."));
}

TEST(DecodeZone, RefusesBadSpecsNamingTheField) {
  struct Bad {
    const char* spec;
    const char* error;
  };
  const std::string too_long = R"({"zoneName": "example.test", "servers": {"namespace": ")" +
                               std::string(64, 'n') + R"("}})";
  for (
      const Bad& b : std::vector<Bad>{
          {too_long.c_str(), "spec.servers.namespace: \"nnnn"},
          {R"({})", "spec.zoneName: required"},
          {R"({"zoneName": "."})", "spec.zoneName: \".\" is not a zone name"},
          {R"({"zoneName": "a..b"})", "spec.zoneName: empty label"},
          {R"({"zoneName": "a b.test"})", "spec.zoneName: \"a b.test.\": label \"a b\""},
          {R"({"zoneName": "example.test", "ttl": -5})",
           "spec.ttl: must be an integer from 0 to 2147483647, got -5"},
          {R"({"zoneName": "example.test", "soaRecord": {"adminEmail": "h@x.test"}})",
           "spec.soaRecord.primaryNs: required"},
          {R"({"zoneName": "example.test", "soaRecord": {"primaryNs": "ns_1", "adminEmail": "h@x.test"}})",
           "spec.soaRecord.primaryNs: \"ns_1\": label \"ns_1\" holds '_'"},
          {R"({"zoneName": "example.test", "soaRecord": {"primaryNs": "ns1", "adminEmail": "@x.test"}})",
           "spec.soaRecord.adminEmail: \"@x.test\" has an empty local part"},
          {R"({"zoneName": "example.test", "soaRecord": {"primaryNs": "ns1", "adminEmail": "a b@x.test"}})",
           "spec.soaRecord.adminEmail: \"a b@x.test\": the local part holds a character"},
          {R"({"zoneName": "example.test", "soaRecord": {"primaryNs": "ns1", "adminEmail": "h@x.test", "refresh": 0}})",
           "spec.soaRecord.refresh: must be an integer from 1 to 2147483647, got 0"},
          {R"({"zoneName": "example.test", "nameServers": []})",
           "spec.nameServers: needs at least one name server"},
          {R"({"zoneName": "example.test", "nameServers": [{"ipv4Address": "192.0.2.1"}]})",
           "spec.nameServers[0].name: required"},
          {R"({"zoneName": "example.test", "nameServers": [{"name": "ns1", "ipv4Address": "192.0.2.300"}]})",
           "spec.nameServers[0].ipv4Address: \"192.0.2.300\" is not an IPv4 address"},
          {R"({"zoneName": "example.test", "nameServers": [{"name": "ns1", "ipv6Address": "192.0.2.1"}]})",
           "spec.nameServers[0].ipv6Address: \"192.0.2.1\" is not an IPv6 address"},
          {R"({"zoneName": "example.test", "nameServers": [{"name": "ns.other.test.", "ipv4Address": "192.0.2.1"}]})",
           "spec.nameServers[0].ipv4Address: glue is only for a name server inside the zone; "
           "ns.other.test. is outside example.test."},
          {R"({"zoneName": "example.test", "nameServers": [{"name": "ns1"}, {"name": "NS1.example.test."}]})",
           "spec.nameServers[1].name: NS1.example.test. is listed twice"},
          {R"({"zoneName": "example.test", "recordsFrom": [{}]})",
           "spec.recordsFrom[0].selector: required ({} selects every record)"},
          {R"({"zoneName": "example.test", "recordsFrom": [{"selector": {"matchExpressions": [{"key": "a", "operator": "In"}]}}]})",
           "spec.recordsFrom[0].selector.matchExpressions[0].values: must be non-empty"},
          {R"({"zoneName": "example.test", "recordsFrom": [{"selector": {}, "namespaceSelector": {"matchLabels": {"a": 1}}}]})",
           "spec.recordsFrom[0].namespaceSelector.matchLabels"},
          {R"({"zoneName": "example.test", "servers": {"refs": [{"name": ""}]}})",
           "spec.servers.refs[0].name: must not be empty"},
          {R"({"zoneName": "example.test", "servers": {"namespace": "Team_A"}})",
           "spec.servers.namespace: \"Team_A\" is not a namespace name (lowercase letters, "
           "digits and '-', at most 63 characters"},
          {R"({"zoneName": "example.test", "servers": {"namespace": ""}})",
           "spec.servers.namespace: \"\" is not a namespace name"},
          {R"({"zoneName": "example.test", "servers": {"namespace": "team-"}})",
           "spec.servers.namespace: \"team-\" is not a namespace name"},
          {R"({"zoneName": "example.test", "servers": {"namespace": "a.b"}})",
           "spec.servers.namespace: \"a.b\" is not a namespace name"},
          {R"({"zoneName": "example.test", "servers": {"namespace": 7}})",
           "spec.servers.namespace: must be a string, got 7"},
          {R"({"zoneName": "example.test", "driftPolicy": "Ignore"})",
           "spec.driftPolicy: \"Ignore\" is not Remediate or Report"},
      }) {
    auto z = zone(b.spec);
    ASSERT_FALSE(z) << b.spec;
    EXPECT_EQ(z.error().find(b.error), 0u) << b.spec << " → " << z.error();
  }
  auto wrong_kind = decode_zone(boost::json::parse(
      R"({"kind":"DNSServer","metadata":{"name":"z"},"spec":{"zoneName":"a.test"}})"));
  ASSERT_FALSE(wrong_kind);
  EXPECT_EQ(wrong_kind.error(), "kind: expected DNSZone, got \"DNSServer\"");
}

TEST(Zone, SelectsRecordsOfItsNamespaceOnly) {
  auto z = zone(R"({"zoneName": "example.test",
                    "recordsFrom": [{"selector": {"matchLabels": {"zone": "ext"}}},
                                    {"selector": {"matchLabels": {"team": "b"}}}]})")
               .value();
  ObjectMeta r;
  r.ns = "dns";
  r.labels = {{"zone", "ext"}};
  EXPECT_TRUE(z.selects(r));
  r.labels = {{"team", "b"}};
  EXPECT_TRUE(z.selects(r));  // any recordsFrom entry
  r.labels = {{"zone", "int"}};
  EXPECT_FALSE(z.selects(r));
  r.labels = {{"zone", "ext"}};
  r.ns = "other";
  EXPECT_FALSE(z.selects(r));
  auto none = zone(R"({"zoneName": "example.test"})").value();
  r.ns = "dns";
  EXPECT_FALSE(none.selects(r));  // no recordsFrom: selects nothing
}

TEST(Zone, NamespaceSelectorReachesOtherNamespacesByTheirLabels) {
  auto z = zone(R"({"zoneName": "example.test",
                    "recordsFrom": [{"selector": {"matchLabels": {"app": "web"}},
                                     "namespaceSelector": {"matchLabels": {"team": "web"}}},
                                    {"selector": {"matchLabels": {"zone": "ext"}}}]})")
               .value();
  ASSERT_EQ(z.records_from.size(), 2u);
  ASSERT_TRUE(z.records_from[0].namespace_selector);
  EXPECT_FALSE(z.records_from[1].namespace_selector);
  EXPECT_TRUE(z.reaches_other_namespaces());
  Labels web{{"team", "web"}}, db{{"team", "db"}};
  ObjectMeta r;
  r.ns = "shop";
  r.labels = {{"app", "web"}};
  EXPECT_TRUE(z.selects(r, &web));
  EXPECT_FALSE(z.selects(r, &db));      // the namespace's labels do not match
  EXPECT_FALSE(z.selects(r, nullptr));  // namespace not known: no labels
  r.labels = {{"zone", "ext"}};
  EXPECT_FALSE(z.selects(r, &web));  // the second entry is for its own namespace only
  r.ns = "dns";
  EXPECT_TRUE(z.selects(r, &db));
  r.labels = {{"app", "web"}};
  EXPECT_FALSE(z.selects(r, &db));  // own namespace, but its labels do not match entry 1
  EXPECT_TRUE(z.reaches("shop", &web));
  EXPECT_FALSE(z.reaches("shop", &db));
  EXPECT_TRUE(z.reaches("dns", &db));  // its own, through entry 2
  auto everywhere = zone(R"({"zoneName": "example.test",
                    "recordsFrom": [{"selector": {}, "namespaceSelector": {}}]})")
                        .value();
  EXPECT_TRUE(everywhere.selects(r, nullptr));  // {} matches every namespace
  EXPECT_FALSE(zone(R"({"zoneName": "example.test", "recordsFrom": [{"selector": {}}]})")
                   .value()
                   .reaches_other_namespaces());
}

TEST(DecodeZone, Dnssec) {
  auto none = zone(R"({"zoneName": "example.test"})");
  ASSERT_TRUE(none) << none.error();
  EXPECT_FALSE(none->dnssec);

  auto defaults = zone(R"({"zoneName": "example.test", "dnssec": {}})");
  ASSERT_TRUE(defaults) << defaults.error();
  ASSERT_TRUE(defaults->dnssec);
  EXPECT_EQ(defaults->dnssec->algorithm, 13);
  EXPECT_FALSE(defaults->dnssec->ksk_lifetime);
  EXPECT_FALSE(defaults->dnssec->zsk_lifetime);
  EXPECT_FALSE(defaults->dnssec->nsec3);

  auto full = zone(R"({"zoneName": "example.test", "dnssec": {"algorithm": "ED25519",
    "kskLifetime": "P1Y", "zskLifetime": "P2M15DT12H", "denial": "NSEC3",
    "dsConfigMap": "example.test-ds"}})");
  ASSERT_TRUE(full) << full.error();
  EXPECT_EQ(full->dnssec->ds_config_map, "example.test-ds");
  EXPECT_EQ(defaults->dnssec->ds_config_map, "");
  EXPECT_EQ(full->dnssec->algorithm, 15);
  EXPECT_EQ(full->dnssec->ksk_lifetime, 365u * 86400);
  EXPECT_EQ(full->dnssec->zsk_lifetime, 75u * 86400 + 12 * 3600);
  EXPECT_TRUE(full->dnssec->nsec3);

  auto unlimited = zone(R"({"zoneName": "example.test", "dnssec": {"kskLifetime": "unlimited"}})");
  ASSERT_TRUE(unlimited) << unlimited.error();
  EXPECT_FALSE(unlimited->dnssec->ksk_lifetime);
}

TEST(DecodeZone, RefusesBadDnssecNamingTheField) {
  auto err = [](std::string_view dnssec) {
    auto z =
        zone(std::string(R"({"zoneName": "example.test", "dnssec": )") + std::string(dnssec) + "}");
    return z ? std::string("accepted") : z.error();
  };
  EXPECT_EQ(err(R"({"algorithm": "RSASHA1"})"),
            "spec.dnssec.algorithm: \"RSASHA1\" is not one of RSASHA256, ECDSAP256SHA256, "
            "ECDSAP384SHA384, ED25519, ED448");
  EXPECT_EQ(err(R"({"kskLifetime": "P1D"})"),
            "spec.dnssec.kskLifetime: \"P1D\" is shorter than 30 days (named refuses a key "
            "lifetime shorter than a rollover)");
  EXPECT_EQ(
      err(R"({"zskLifetime": "PT0S"})").rfind("spec.dnssec.zskLifetime: \"PT0S\" is shorter", 0),
      0u);
  EXPECT_EQ(err(R"({"zskLifetime": "P200Y"})"),
            "spec.dnssec.zskLifetime: \"P200Y\" is longer than 100 years (say \"unlimited\")");
  for (const char* bad :
       {"30d", "P", "PT", "P1", "P1DT", "P1D1Y", "P1Y1Y", "-P1Y", "P1H", "forever"}) {
    EXPECT_NE(err(fmt::format(R"({{"kskLifetime": "{}"}})", bad)).find("ISO 8601"),
              std::string::npos)
        << bad;
  }
  EXPECT_EQ(err(R"({"denial": "nsec5"})"), "spec.dnssec.denial: \"nsec5\" is not NSEC or NSEC3");
  EXPECT_EQ(err(R"({"dsConfigMap": "DS_Records"})"),
            "spec.dnssec.dsConfigMap: \"DS_Records\" is not an object name (lower-case RFC 1123 "
            "subdomain)");
  EXPECT_EQ(err(R"({"dsConfigMap": 7})").rfind("spec.dnssec.dsConfigMap", 0), 0u);
  EXPECT_EQ(err(R"("yes")").rfind("spec.dnssec", 0), 0u);
}

}  // namespace
}  // namespace zk::api
