#include "sources/zone_source.h"

#include <algorithm>
#include <random>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "api/reasons.h"
#include "plan/zone_plan.h"

namespace zk::sources {
namespace {

using api::Kind;
using api::RecordObject;
using model::Name;
using model::Rdata;
using model::RRset;
using model::RRType;
namespace reasons = api::reasons;

const Name kZone = Name::parse("example.test.").value();

Name N(std::string_view rel) {
  return Name::parse(rel, &kZone).value();
}

api::Zone zone(std::string_view spec, std::string_view name = "z", std::string_view ns = "dns") {
  auto z = api::decode_zone(boost::json::parse(fmt::format(
      R"({{"kind":"DNSZone","metadata":{{"name":"{}","namespace":"{}","creationTimestamp":"2023-01-01T00:00:00Z"}},"spec":{}}})",
      name, ns, spec)));
  EXPECT_TRUE(z) << z.error();
  return *z;
}

// The usual zone: selects records labelled zone=ext.
api::Zone ext_zone(std::string_view extra = "") {
  return zone(fmt::format(
      R"({{"zoneName":"example.test","recordsFrom":[{{"selector":{{"matchLabels":{{"zone":"ext"}}}}}}]{}}})",
      extra));
}

// A record object; `second` is its creation second (older = smaller).
RecordObject rec(Kind kind, std::string_view name, std::string_view spec, int second,
                 std::string_view labels = R"({"zone":"ext"})", std::string_view ns = "dns") {
  std::string created =
      second < 0 ? "" : fmt::format(R"(,"creationTimestamp":"2024-01-01T00:00:{:02d}Z")", second);
  auto r = api::decode_record(boost::json::parse(fmt::format(
      R"({{"kind":"{}","metadata":{{"name":"{}","namespace":"{}","labels":{}{}}},"spec":{}}})",
      api::to_string(kind), name, ns, labels, created, spec)));
  EXPECT_TRUE(r) << r.error();
  return *r;
}

RecordObject a(std::string_view name, std::string_view owner, std::string_view addrs, int second,
               std::string_view extra = "") {
  return rec(Kind::A, name,
             fmt::format(R"({{"name":"{}","ipv4Addresses":[{}]{}}})", owner, addrs, extra), second);
}

RecordObject cname(std::string_view name, std::string_view owner, std::string_view target,
                   int second) {
  return rec(Kind::CNAME, name, fmt::format(R"({{"name":"{}","target":"{}"}})", owner, target),
             second);
}

RecordObject txt(std::string_view name, std::string_view owner, std::string_view text, int second) {
  return rec(Kind::TXT, name, fmt::format(R"({{"name":"{}","texts":["{}"]}})", owner, text),
             second);
}

const RecordOutcome& outcome(const ZoneDesired& d, std::string_view key) {
  auto it = d.outcomes.find(std::string(key));
  if (it == d.outcomes.end()) {
    ADD_FAILURE() << "no outcome for " << key;
    static RecordOutcome none;
    return none;
  }
  return it->second;
}

const RRset* find(const ZoneDesired& d, std::string_view rel, RRType t) {
  auto it = d.rrsets.find({N(rel), t});
  return it == d.rrsets.end() ? nullptr : &it->second;
}

std::string hash_of(const RRset& s) {
  return model::canonical_hash(std::vector<RRset>{s});
}

// ---------------------------------------------------------------- apex

TEST(DesiredZone, ApexFromTheZoneSpec) {
  auto z = zone(R"({"zoneName":"example.test","ttl":120,
      "soaRecord":{"primaryNs":"ns1","adminEmail":"hostmaster@example.test","refresh":10,"retry":20,"expire":30,"negativeTtl":40},
      "nameServers":[{"name":"ns1","ipv4Address":"192.0.2.53","ipv6Address":"2001:db8::53"},
                     {"name":"ns2.example.test.","ipv4Address":"192.0.2.54"},
                     {"name":"ns.other.test."}]})");
  auto d = desired_zone(z, {}, {z});
  ASSERT_EQ(d.rrsets.size(), 5u);  // SOA, NS, ns1 A, ns1 AAAA, ns2 A
  const RRset* soa = find(d, "@", RRType::SOA);
  ASSERT_TRUE(soa);
  EXPECT_EQ(soa->ttl(), 120u);
  EXPECT_EQ(soa->rdatas()[0].to_text(), "ns1.example.test. hostmaster.example.test. 0 10 20 30 40");
  EXPECT_EQ(soa->rdatas()[0].soa_serial(), kSoaSerialPlaceholder);
  const RRset* ns = find(d, "@", RRType::NS);
  ASSERT_TRUE(ns);
  EXPECT_EQ(ns->ttl(), 120u);
  EXPECT_EQ(ns->size(), 3u);
  EXPECT_TRUE(ns->contains(Rdata::name_target(RRType::NS, N("ns.other.test."))));
  EXPECT_EQ(find(d, "ns1", RRType::A)->rdatas()[0].to_text(), "192.0.2.53");
  EXPECT_EQ(find(d, "ns1", RRType::AAAA)->rdatas()[0].to_text(), "2001:db8::53");
  EXPECT_EQ(find(d, "ns2", RRType::A)->ttl(), 120u);
  EXPECT_TRUE(d.outcomes.empty());
  EXPECT_TRUE(d.zone_problems.empty());
}

TEST(DesiredZone, WithoutSoaOrNameServersTheServerKeepsItsOwn) {
  auto z = ext_zone();
  auto d = desired_zone(z, {a("www", "www", R"("192.0.2.1")", 1)}, {z});
  EXPECT_EQ(d.rrsets.size(), 1u);
  EXPECT_FALSE(find(d, "@", RRType::SOA));
  EXPECT_FALSE(find(d, "@", RRType::NS));
}

TEST(DesiredZone, PlanLeavesThePlaceholderSoaAlone) {
  auto z = zone(R"({"zoneName":"example.test",
      "soaRecord":{"primaryNs":"ns1","adminEmail":"h@example.test"},
      "nameServers":[{"name":"ns1","ipv4Address":"192.0.2.53"}]})");
  auto d = desired_zone(z, {}, {z});
  model::RRsetMap served;
  served[{kZone, RRType::SOA}] = RRset(
      kZone, RRType::SOA, 300, {Rdata::soa(N("ns1"), N("h"), 2024010101, 3600, 600, 604800, 300)});
  auto p = plan::plan_names(kZone, d.rrsets, served);
  for (const auto& c : p.changes.changes) EXPECT_NE(c.rrset.type(), RRType::SOA);
  EXPECT_FALSE(p.changes.empty());  // NS and glue are added
}

TEST(DesiredZone, InZoneNameServerWithoutAddressIsAZoneProblem) {
  auto z = ext_zone(R"(,"nameServers":[{"name":"ns1"},{"name":"ns.other.test."}])");
  auto d = desired_zone(z, {}, {z});
  ASSERT_EQ(d.zone_problems.size(), 1u);
  EXPECT_NE(d.zone_problems[0].find("name server ns1.example.test. lies inside the zone but has "
                                    "no A or AAAA record"),
            std::string::npos);
  // An ARecord object can provide the address instead of glue in the DNSZone.
  auto d2 = desired_zone(z, {a("ns1", "ns1", R"("192.0.2.53")", 1)}, {z});
  EXPECT_TRUE(d2.zone_problems.empty());
  EXPECT_EQ(outcome(d2, "ARecord/dns/ns1").reason, reasons::kPending);
}

// ---------------------------------------------------------------- selection

TEST(DesiredZone, SelectedRecordsArePendingWithFqdnAndHash) {
  auto z = ext_zone(R"(,"ttl":120)");
  auto d = desired_zone(
      z,
      {a("www", "www", R"("192.0.2.2","192.0.2.1")", 1),
       a("api", "api", R"("192.0.2.9")", 2, R"(,"ttl":30)"), txt("spf", "@", "v=spf1 -all", 3)},
      {z});
  EXPECT_EQ(d.rrsets.size(), 3u);
  const auto& www = outcome(d, "ARecord/dns/www");
  EXPECT_EQ(www.reason, reasons::kPending);
  EXPECT_EQ(www.fqdn_text(), "www.example.test.");
  EXPECT_EQ(www.message, "");  // plainly Pending: the report says where it is served
  RRset want(N("www"), RRType::A, 120,
             {Rdata::a("192.0.2.1").value(), Rdata::a("192.0.2.2").value()});
  EXPECT_EQ(*find(d, "www", RRType::A), want);  // zone TTL for a TTL-less spec
  EXPECT_EQ(www.hash.hex(), hash_of(want));
  EXPECT_EQ(find(d, "api", RRType::A)->ttl(), 30u);
  EXPECT_EQ(outcome(d, "TXTRecord/dns/spf").fqdn_text(), "example.test.");
}

TEST(DesiredZone, HashIsStableAcrossSpellings) {
  auto z = ext_zone();
  auto d1 = desired_zone(z, {a("www", "www", R"("192.0.2.2","192.0.2.1")", 1)}, {z});
  auto d2 = desired_zone(z, {a("www", "WWW.example.test.", R"("192.0.2.1","192.0.2.2")", 7)}, {z});
  EXPECT_EQ(outcome(d1, "ARecord/dns/www").hash, outcome(d2, "ARecord/dns/www").hash);
  EXPECT_EQ(outcome(d1, "ARecord/dns/www").hash.hex().size(), 64u);
  auto d3 = desired_zone(z, {a("www", "www", R"("192.0.2.1")", 1)}, {z});
  EXPECT_NE(outcome(d1, "ARecord/dns/www").hash, outcome(d3, "ARecord/dns/www").hash);
}

TEST(DesiredZone, NotSelectedRecordsAreReported) {
  auto z = ext_zone();
  auto d =
      desired_zone(z,
                   {rec(Kind::A, "lonely", R"({"name":"x","ipv4Addresses":["192.0.2.1"]})", 1,
                        R"({"zone":"int","app":"web"})"),
                    rec(Kind::A, "bare", R"({"name":"y","ipv4Addresses":["192.0.2.1"]})", 1, "{}")},
                   {z});
  EXPECT_TRUE(d.rrsets.empty());
  const auto& o = outcome(d, "ARecord/dns/lonely");
  EXPECT_EQ(o.reason, reasons::kNotSelected);
  EXPECT_EQ(o.message, "no DNSZone in namespace dns selects it (its labels: app=web,zone=int)");
  EXPECT_EQ(o.fqdn_text(), "");
  EXPECT_EQ(outcome(d, "ARecord/dns/bare").message,
            "no DNSZone in namespace dns selects it (it has no labels)");
}

TEST(DesiredZone, RecordsOfOtherNamespacesAreIgnored) {
  auto z = ext_zone();
  auto d = desired_zone(z,
                        {rec(Kind::A, "www", R"({"name":"www","ipv4Addresses":["192.0.2.1"]})", 1,
                             R"({"zone":"ext"})", "other-ns")},
                        {z});
  EXPECT_TRUE(d.rrsets.empty());
  EXPECT_TRUE(d.outcomes.empty());
}

TEST(DesiredZone, RecordSelectedByTwoZonesIsServedByTheOldest) {
  auto z1 = ext_zone();  // dns/z
  auto z2 = zone(R"({"zoneName":"example.org","recordsFrom":[{"selector":{}}]})", "everything");
  // A zone in another namespace without a namespaceSelector does not count.
  auto z3 = zone(R"({"zoneName":"example.net","recordsFrom":[{"selector":{}}]})", "far", "x");
  std::vector<RecordObject> recs = {a("www", "www", R"("192.0.2.1")", 1)};
  // Same creationTimestamp: dns/everything is older by name and serves it, with MultipleZones.
  auto d2 = desired_zone(z2, recs, {z1, z2, z3});
  const auto& o = outcome(d2, "ARecord/dns/www");
  EXPECT_EQ(o.reason, reasons::kMultipleZones);
  EXPECT_EQ(o.fqdn_text(), "www.example.org.");
  EXPECT_FALSE(o.hash.empty());
  EXPECT_EQ(o.message,
            "selected by 2 DNSZones: DNSZone dns/everything (example.org.), DNSZone dns/z "
            "(example.test.); a record belongs to one zone, so only the oldest, DNSZone "
            "dns/everything (example.org.), serves it (change its labels or the zones' "
            "recordsFrom)");
  EXPECT_NE(find(d2, "www.example.org.", RRType::A), nullptr);
  // The younger zone neither serves nor reports it (one outcome per record).
  auto d1 = desired_zone(z1, recs, {z1, z2, z3});
  EXPECT_TRUE(d1.rrsets.empty());
  EXPECT_EQ(d1.outcomes.count("ARecord/dns/www"), 0u);
  // An older creationTimestamp beats the name order.
  auto z1_old = z1;
  z1_old.created_at = api::parse_rfc3339("2022-01-01T00:00:00Z").value();
  EXPECT_EQ(outcome(desired_zone(z1_old, recs, {z1_old, z2}), "ARecord/dns/www").reason,
            reasons::kMultipleZones);
  EXPECT_EQ(desired_zone(z2, recs, {z1_old, z2}).outcomes.count("ARecord/dns/www"), 0u);
  // Without the second zone it is served plainly.
  auto d = desired_zone(z1, recs, {z1, z3});
  EXPECT_EQ(outcome(d, "ARecord/dns/www").reason, reasons::kPending);
}

TEST(DesiredZone, RecordsOfAnotherZoneAreNotThisZonesBusiness) {
  auto z1 = ext_zone();
  auto z2 = zone(
      R"({"zoneName":"example.org","recordsFrom":[{"selector":{"matchLabels":{"zone":"org"}}}]})",
      "org");
  auto r = rec(Kind::A, "www", R"({"name":"www","ipv4Addresses":["192.0.2.1"]})", 1,
               R"({"zone":"org"})");
  auto d = desired_zone(z1, {r}, {z1, z2});
  EXPECT_TRUE(d.outcomes.empty());
  EXPECT_EQ(outcome(desired_zone(z2, {r}, {z1, z2}), "ARecord/dns/www").fqdn_text(),
            "www.example.org.");
}

TEST(DesiredZone, ADnameHidesTheNamesBelowIt) {
  auto z = ext_zone();
  auto dname = rec(Kind::DNAME, "legacy", R"({"name":"legacy","target":"new.other.test."})", 1);
  auto below = a("below", "www.legacy", R"("192.0.2.1")", 2);
  auto beside = a("beside", "legacy2", R"("192.0.2.2")", 3);
  // The DNAME is older: the record below it loses.
  auto d = desired_zone(z, {dname, below, beside}, {z});
  EXPECT_EQ(outcome(d, "DNAMERecord/dns/legacy").reason, reasons::kPending);
  EXPECT_EQ(outcome(d, "ARecord/dns/beside").reason, reasons::kPending);
  const auto& o = outcome(d, "ARecord/dns/below");
  EXPECT_EQ(o.reason, reasons::kConflict);
  EXPECT_NE(o.message.find("DNAMERecord/dns/legacy declares a DNAME at legacy.example.test., which "
                           "hides every name below it"),
            std::string::npos)
      << o.message;
  EXPECT_EQ(find(d, "www.legacy.example.test.", RRType::A), nullptr);
  // The record below is older: the DNAME loses.
  auto older_below = a("below", "www.legacy", R"("192.0.2.1")", 0);
  auto d2 = desired_zone(z, {dname, older_below}, {z});
  EXPECT_EQ(outcome(d2, "ARecord/dns/below").reason, reasons::kPending);
  const auto& o2 = outcome(d2, "DNAMERecord/dns/legacy");
  EXPECT_EQ(o2.reason, reasons::kConflict);
  EXPECT_NE(o2.message.find("a DNAME hides every name below it (RFC 6672), and ARecord/dns/below "
                            "declares www.legacy.example.test. A there"),
            std::string::npos)
      << o2.message;
  // Data at the DNAME's own name is not below it.
  auto at = txt("at", "legacy", "x", 4);
  EXPECT_EQ(outcome(desired_zone(z, {dname, at}, {z}), "TXTRecord/dns/at").reason,
            reasons::kPending);
}

// ---------------------------------------------------------------- other namespaces

// platform/web takes records labelled app=web from namespaces labelled team=web.
api::Zone cross_zone(std::string_view name = "web", std::string_view ns = "platform") {
  return zone(
      R"({"zoneName":"example.test","recordsFrom":[{"selector":{"matchLabels":{"app":"web"}},
          "namespaceSelector":{"matchLabels":{"team":"web"}}}]})",
      name, ns);
}

NamespaceDirectory directory(std::string_view platform_allows) {
  NamespaceDirectory d;
  d["platform"] = api::parse_allow_records_from("platform", {}, platform_allows);
  d["shop"] = api::parse_allow_records_from("shop", {{"team", "web"}}, "");
  d["blog"] = api::parse_allow_records_from("blog", {{"team", "web"}}, "");
  d["db"] = api::parse_allow_records_from("db", {{"team", "db"}}, "");
  return d;
}

RecordObject web(std::string_view ns, std::string_view name, std::string_view addr, int second) {
  return rec(Kind::A, name, fmt::format(R"({{"name":"{}","ipv4Addresses":["{}"]}})", name, addr),
             second, R"({"app":"web"})", ns);
}

TEST(DesiredZone, RecordsOfAdmittedNamespacesAreServed) {
  auto z = cross_zone();
  std::vector<RecordObject> recs = {web("shop", "shop", "192.0.2.1", 1),
                                    web("blog", "blog", "192.0.2.2", 2),
                                    web("db", "db", "192.0.2.3", 3)};
  auto d = desired_zone(z, recs, {z}, directory("shop, blog"));
  EXPECT_NE(find(d, "shop.example.test.", RRType::A), nullptr);
  EXPECT_NE(find(d, "blog.example.test.", RRType::A), nullptr);
  EXPECT_EQ(outcome(d, "ARecord/shop/shop").reason, reasons::kPending);
  EXPECT_EQ(outcome(d, "ARecord/shop/shop").fqdn_text(), "shop.example.test.");
  // db's labels do not match the namespaceSelector: not this zone's business at all.
  EXPECT_EQ(d.outcomes.count("ARecord/db/db"), 0u);
  EXPECT_EQ(find(d, "db.example.test.", RRType::A), nullptr);
}

TEST(RecordTargets, OwnNamespaceFirstThenTheAdmittedOnesTheSelectorReaches) {
  // Only shop is admitted; blog's labels match but its records would not be served; db's do not.
  EXPECT_EQ(record_targets(cross_zone(), directory("shop")),
            (std::vector<RecordTarget>{{"shop", {{"app", "web"}}}}));
  EXPECT_EQ(record_targets(cross_zone(), directory("*")),
            (std::vector<RecordTarget>{{"blog", {{"app", "web"}}}, {"shop", {{"app", "web"}}}}));
  // An entry without namespaceSelector is the zone's own namespace, listed first; a namespace
  // two entries reach takes the first one's labels.
  auto both = zone(
      R"({"zoneName":"example.test","recordsFrom":[
          {"selector":{"matchLabels":{"app":"web"}},"namespaceSelector":{"matchLabels":{"team":"web"}}},
          {"selector":{"matchLabels":{"zone":"platform"}}},
          {"selector":{"matchLabels":{"other":"x"}},"namespaceSelector":{}}]})",
      "web", "platform");
  EXPECT_EQ(record_targets(both, directory("*")),
            (std::vector<RecordTarget>{{"platform", {{"zone", "platform"}}},
                                       {"blog", {{"app", "web"}}},
                                       {"db", {{"other", "x"}}},
                                       {"shop", {{"app", "web"}}}}));
  // No Namespace known, no allow-list: the own namespace only.
  EXPECT_EQ(record_targets(both, {}),
            (std::vector<RecordTarget>{{"platform", {{"zone", "platform"}}}}));
}

TEST(DesiredZone, RecordsOfNamespacesNotAdmittedAreReportedNotServed) {
  auto z = cross_zone();
  std::vector<RecordObject> recs = {web("shop", "shop", "192.0.2.1", 1),
                                    web("blog", "blog", "192.0.2.2", 2)};
  auto d = desired_zone(z, recs, {z}, directory("shop"));
  EXPECT_NE(find(d, "shop.example.test.", RRType::A), nullptr);
  EXPECT_EQ(find(d, "blog.example.test.", RRType::A), nullptr);
  const auto& o = outcome(d, "ARecord/blog/blog");
  EXPECT_EQ(o.reason, reasons::kNamespaceNotAdmitted);
  EXPECT_EQ(o.fqdn_text(), "");
  EXPECT_EQ(o.message,
            "selected by DNSZone platform/web (example.test.) from namespace blog, but namespace "
            "platform does not admit records from it: its annotation "
            "dns.zonekeeper.io/allow-records-from must list blog (or *)");
  // No annotation at all: only its own namespace.
  auto none = desired_zone(z, recs, {z}, directory(""));
  EXPECT_TRUE(none.rrsets.empty());
  EXPECT_EQ(outcome(none, "ARecord/shop/shop").reason, reasons::kNamespaceNotAdmitted);
  // "*" admits every namespace.
  auto all = desired_zone(z, recs, {z}, directory("*"));
  EXPECT_EQ(outcome(all, "ARecord/blog/blog").reason, reasons::kPending);
}

TEST(DesiredZone, AZoneOfTheRecordsOwnNamespaceDoesNotCallThemNotSelected) {
  auto cross = cross_zone();
  // shop has its own zone that selects nothing of app=web.
  auto local =
      zone(R"({"zoneName":"shop.test","recordsFrom":[{"selector":{"matchLabels":{"x":"y"}}}]})",
           "own", "shop");
  std::vector<RecordObject> recs = {web("shop", "shop", "192.0.2.1", 1)};
  auto dir = directory("shop");
  EXPECT_EQ(desired_zone(local, recs, {local, cross}, dir).outcomes.count("ARecord/shop/shop"), 0u);
  EXPECT_EQ(outcome(desired_zone(cross, recs, {local, cross}, dir), "ARecord/shop/shop").reason,
            reasons::kPending);
  // Not admitted: still one outcome, NamespaceNotAdmitted, from the zone that selects it.
  auto refused = directory("");
  EXPECT_EQ(desired_zone(local, recs, {local, cross}, refused).outcomes.count("ARecord/shop/shop"),
            0u);
  EXPECT_EQ(outcome(desired_zone(cross, recs, {local, cross}, refused), "ARecord/shop/shop").reason,
            reasons::kNamespaceNotAdmitted);
  // Without the cross zone, the local one reports it NotSelected.
  EXPECT_EQ(outcome(desired_zone(local, recs, {local}, dir), "ARecord/shop/shop").reason,
            reasons::kNotSelected);
}

TEST(DesiredZone, AcrossNamespacesTheOldestAdmittingZoneServes) {
  auto cross = cross_zone();  // created 2023-01-01
  auto local = zone(R"({"zoneName":"example.org","recordsFrom":[{"selector":{}}]})", "own", "shop");
  local.created_at = api::parse_rfc3339("2024-01-01T00:00:00Z").value();
  std::vector<RecordObject> recs = {web("shop", "www", "192.0.2.1", 1)};
  auto dir = directory("shop");
  auto d = desired_zone(cross, recs, {local, cross}, dir);
  EXPECT_EQ(outcome(d, "ARecord/shop/www").reason, reasons::kMultipleZones);
  EXPECT_EQ(desired_zone(local, recs, {local, cross}, dir).outcomes.count("ARecord/shop/www"), 0u);
  // Not admitted: the cross zone does not count, the local one serves it plainly.
  auto refused = directory("");
  EXPECT_EQ(desired_zone(cross, recs, {local, cross}, refused).outcomes.count("ARecord/shop/www"),
            0u);
  EXPECT_EQ(outcome(desired_zone(local, recs, {local, cross}, refused), "ARecord/shop/www").reason,
            reasons::kPending);
}

// Every record has exactly one outcome across all zones, whatever the zones, selectors,
// namespace labels and allow-lists (random configurations).
TEST(DesiredZone, OneOutcomePerRecordAcrossNamespaces) {
  std::mt19937 rng(20261204);
  const std::vector<std::string> nss = {"a", "b", "c", "d"};
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  for (int round = 0; round < 2000; ++round) {
    NamespaceDirectory dir;
    for (const auto& ns : nss) {
      api::Labels labels;
      if (pick(2)) labels["team"] = pick(2) ? "web" : "db";
      std::string allow = pick(3) == 0 ? "*" : pick(2) ? nss[pick(nss.size())] : "";
      dir[ns] = api::parse_allow_records_from(ns, labels, allow);
    }
    std::vector<api::Zone> zones;
    for (size_t i = 0, n = 1 + pick(4); i < n; ++i) {
      std::string from =
          pick(2) ? R"({"selector":{"matchLabels":{"app":"web"}}})" : R"({"selector":{}})";
      if (pick(2)) {
        from.pop_back();
        from += pick(2) ? R"(,"namespaceSelector":{}})"
                        : R"(,"namespaceSelector":{"matchLabels":{"team":"web"}}})";
      }
      zones.push_back(zone(fmt::format(R"({{"zoneName":"z{}.test","recordsFrom":[{}]}})", i, from),
                           fmt::format("z{}", i), nss[pick(nss.size())]));
      zones.back().created_at =
          api::parse_rfc3339(fmt::format("2023-01-01T00:00:{:02d}Z", pick(3))).value();
    }
    std::vector<RecordObject> recs;
    for (size_t i = 0, n = 1 + pick(6); i < n; ++i) {
      recs.push_back(rec(Kind::A, fmt::format("r{}", i),
                         fmt::format(R"({{"name":"r{}","ipv4Addresses":["192.0.2.1"]}})", i), 1,
                         pick(2) ? R"({"app":"web"})" : "{}", nss[pick(nss.size())]));
    }
    std::map<std::string, std::vector<RecordOutcome>> reported;
    for (const auto& z : zones) {
      for (const auto& [key, o] : desired_zone(z, recs, zones, dir).outcomes) {
        reported[key].push_back(o);
      }
    }
    for (const auto& r : recs) {
      const auto& got = reported[r.key()];
      bool selected = std::any_of(zones.begin(), zones.end(), [&](const api::Zone& z) {
        return z.selects(r, namespace_labels(dir, r.ns));
      });
      if (selected) {  // served or refused: by exactly one zone
        ASSERT_EQ(got.size(), 1u) << "round " << round << " " << r.key();
        EXPECT_NE(got[0].reason, reasons::kNotSelected);
        continue;
      }
      // NotSelected, the same from every zone of its namespace (none: the controller's
      // namespace item reports it).
      auto own = std::count_if(zones.begin(), zones.end(),
                               [&](const api::Zone& z) { return z.ns == r.ns; });
      ASSERT_EQ(got.size(), static_cast<size_t>(own)) << "round " << round << " " << r.key();
      for (const auto& o : got) EXPECT_EQ(o.reason, reasons::kNotSelected);
    }
  }
}

// ---------------------------------------------------------------- validity

TEST(DesiredZone, InvalidRecordsDoNotStopTheRest) {
  auto z = ext_zone();
  auto d = desired_zone(z,
                        {a("bad", "bad", R"("10.0.0.1","10.0.0.256")", 1),
                         a("outside", "www.other.test.", R"("192.0.2.1")", 2),
                         cname("apex", "example.test.", "www", 3),
                         rec(Kind::NS, "apexns", R"({"name":"@","nameServers":["ns1"]})", 4),
                         a("good", "good", R"("192.0.2.1")", 5)},
                        {z});
  EXPECT_EQ(outcome(d, "ARecord/dns/bad").reason, reasons::kInvalidSpec);
  EXPECT_EQ(outcome(d, "ARecord/dns/bad").message,
            R"(spec.ipv4Addresses[1]: "10.0.0.256" is not an IPv4 address)");
  EXPECT_EQ(outcome(d, "ARecord/dns/outside").message,
            R"(spec.name: "www.other.test." is outside the zone example.test.)");
  EXPECT_EQ(outcome(d, "CNAMERecord/dns/apex").reason, reasons::kInvalidSpec);
  EXPECT_NE(outcome(d, "CNAMERecord/dns/apex").message.find("cannot be at the zone apex"),
            std::string::npos);
  EXPECT_EQ(outcome(d, "NSRecord/dns/apexns").reason, reasons::kInvalidSpec);
  EXPECT_EQ(outcome(d, "ARecord/dns/good").reason, reasons::kPending);
  EXPECT_EQ(d.rrsets.size(), 1u);
  EXPECT_TRUE(d.zone_problems.empty());
}

// ---------------------------------------------------------------- conflicts

TEST(DesiredZone, OldestObjectWinsASameNameSameTypeConflict) {
  auto z = ext_zone();
  auto d = desired_zone(
      z, {a("newer", "www", R"("192.0.2.2")", 5), a("older", "www", R"("192.0.2.1")", 1)}, {z});
  EXPECT_EQ(outcome(d, "ARecord/dns/older").reason, reasons::kPending);
  const auto& lost = outcome(d, "ARecord/dns/newer");
  EXPECT_EQ(lost.reason, reasons::kConflict);
  EXPECT_EQ(lost.fqdn_text(), "www.example.test.");
  EXPECT_TRUE(lost.hash.empty());
  EXPECT_EQ(lost.hash.hex(), "");
  EXPECT_EQ(lost.message,
            "www.example.test. A: ARecord/dns/older declares different data; the oldest object "
            "wins (creationTimestamp, then name); the zone's own data always wins");
  EXPECT_EQ(find(d, "www", RRType::A)->rdatas()[0].to_text(), "192.0.2.1");
}

TEST(DesiredZone, DisjointRecordsForOneRRsetConflictInsteadOfUnion) {
  auto z = ext_zone();
  auto d = desired_zone(
      z, {a("one", "www", R"("192.0.2.1")", 1), a("two", "www", R"("192.0.2.1","192.0.2.2")", 2)},
      {z});
  EXPECT_EQ(outcome(d, "ARecord/dns/two").reason, reasons::kConflict);
  EXPECT_EQ(find(d, "www", RRType::A)->size(), 1u);
}

TEST(DesiredZone, TtlDifferenceIsAConflict) {
  auto z = ext_zone();
  auto d = desired_zone(
      z,
      {a("one", "www", R"("192.0.2.1")", 1), a("two", "www", R"("192.0.2.1")", 2, R"(,"ttl":60)")},
      {z});
  EXPECT_EQ(outcome(d, "ARecord/dns/two").reason, reasons::kConflict);
  EXPECT_NE(outcome(d, "ARecord/dns/two").message.find("(TTL 300 instead of 60)"),
            std::string::npos);
}

TEST(DesiredZone, IdenticalDataMerges) {
  auto z = ext_zone();
  // Same records and the same effective TTL (explicit 300 = the zone's default).
  auto d = desired_zone(z,
                        {a("team-a", "www", R"("192.0.2.2","192.0.2.1")", 1),
                         a("team-b", "WWW", R"("192.0.2.1","192.0.2.2")", 2, R"(,"ttl":300)")},
                        {z});
  const auto& first = outcome(d, "ARecord/dns/team-a");
  const auto& second = outcome(d, "ARecord/dns/team-b");
  EXPECT_EQ(first.reason, reasons::kPending);
  EXPECT_EQ(second.reason, reasons::kPending);
  EXPECT_EQ(first.hash, second.hash);
  EXPECT_EQ(second.message,
            "selected by DNSZone dns/z (example.test.); its A data equals that of "
            "ARecord/dns/team-a and is served once");
  EXPECT_EQ(d.rrsets.size(), 1u);
  EXPECT_EQ(find(d, "www", RRType::A)->size(), 2u);
}

TEST(DesiredZone, CnameBesideOtherData) {
  auto z = ext_zone();
  auto d = desired_zone(z,
                        {a("www-a", "www", R"("192.0.2.1")", 1),
                         cname("www-alias", "www", "web", 2), cname("docs", "docs", "web", 3),
                         txt("docs-txt", "docs", "hello", 4), a("api", "api", R"("192.0.2.5")", 5)},
                        {z});
  EXPECT_EQ(outcome(d, "ARecord/dns/www-a").reason, reasons::kPending);
  EXPECT_EQ(outcome(d, "CNAMERecord/dns/www-alias").reason, reasons::kConflict);
  EXPECT_EQ(outcome(d, "CNAMERecord/dns/www-alias")
                .message.find("www.example.test.: a CNAME cannot coexist with other data, and "
                              "ARecord/dns/www-a declares A there; the oldest object wins"),
            0u);
  EXPECT_EQ(outcome(d, "CNAMERecord/dns/docs").reason, reasons::kPending);
  EXPECT_EQ(outcome(d, "TXTRecord/dns/docs-txt").reason, reasons::kConflict);
  EXPECT_EQ(outcome(d, "TXTRecord/dns/docs-txt")
                .message.find(
                    "docs.example.test.: CNAMERecord/dns/docs declares a CNAME there, which cannot "
                    "coexist with TXT data; the oldest object wins"),
            0u);
  EXPECT_EQ(outcome(d, "ARecord/dns/api").reason, reasons::kPending);  // the rest keeps serving
  EXPECT_EQ(d.rrsets.size(), 3u);
  EXPECT_TRUE(d.zone_problems.empty());
}

TEST(DesiredZone, TwoCnamesMergeOnlyWhenIdentical) {
  auto z = ext_zone();
  auto d = desired_zone(z,
                        {cname("c1", "x", "web", 1), cname("c2", "x", "web.example.test.", 2),
                         cname("c3", "x", "other", 3)},
                        {z});
  EXPECT_EQ(outcome(d, "CNAMERecord/dns/c1").reason, reasons::kPending);
  EXPECT_EQ(outcome(d, "CNAMERecord/dns/c2").reason, reasons::kPending);
  EXPECT_EQ(outcome(d, "CNAMERecord/dns/c3").reason, reasons::kConflict);
  EXPECT_EQ(find(d, "x", RRType::CNAME)->size(), 1u);
}

TEST(DesiredZone, LosersNeverBlockYoungerObjects) {
  auto z = ext_zone();
  auto d = desired_zone(z,
                        {txt("t", "x", "hello", 1),          // accepted
                         cname("c", "x", "web", 2),          // loses to t
                         a("a", "x", R"("192.0.2.1")", 3),   // fine beside TXT; c does not count
                         cname("c2", "y", "web", 4),         // accepted
                         a("a2", "y", R"("192.0.2.1")", 5),  // loses to c2
                         cname("c3", "y", "web", 6)},        // merges with c2
                        {z});
  EXPECT_EQ(outcome(d, "CNAMERecord/dns/c").reason, reasons::kConflict);
  EXPECT_EQ(outcome(d, "ARecord/dns/a").reason, reasons::kPending);
  EXPECT_EQ(outcome(d, "ARecord/dns/a2").reason, reasons::kConflict);
  EXPECT_EQ(outcome(d, "CNAMERecord/dns/c3").reason, reasons::kPending);
  EXPECT_TRUE(d.zone_problems.empty());
}

TEST(DesiredZone, AgeIsTimeThenName) {
  auto z = ext_zone();
  // Same second: the name decides.
  auto d = desired_zone(z, {a("b", "www", R"("192.0.2.2")", 3), a("a", "www", R"("192.0.2.1")", 3)},
                        {z});
  EXPECT_EQ(outcome(d, "ARecord/dns/a").reason, reasons::kPending);
  EXPECT_EQ(outcome(d, "ARecord/dns/b").reason, reasons::kConflict);
  // A missing timestamp counts as the newest.
  auto d2 = desired_zone(
      z, {a("a", "www", R"("192.0.2.1")", -1), a("z", "www", R"("192.0.2.2")", 59)}, {z});
  EXPECT_EQ(outcome(d2, "ARecord/dns/z").reason, reasons::kPending);
  EXPECT_EQ(outcome(d2, "ARecord/dns/a").reason, reasons::kConflict);
}

TEST(DesiredZone, AgeComparesTimesNotText) {
  auto z = ext_zone();
  auto early = rec(Kind::A, "early", R"({"name":"www","ipv4Addresses":["192.0.2.1"]})", -1);
  early.created_at =
      api::parse_rfc3339("2024-01-01T02:00:00+03:00").value();  // 23:00Z the day before
  auto late = rec(Kind::A, "late", R"({"name":"www","ipv4Addresses":["192.0.2.2"]})", -1);
  late.created_at = api::parse_rfc3339("2024-01-01T00:00:00Z").value();
  auto d = desired_zone(z, {late, early}, {z});
  EXPECT_EQ(outcome(d, "ARecord/dns/early").reason, reasons::kPending);
  EXPECT_EQ(outcome(d, "ARecord/dns/late").reason, reasons::kConflict);
}

TEST(DesiredZone, ZoneDataWinsOverRecordObjects) {
  auto z = ext_zone(R"(,"nameServers":[{"name":"ns1","ipv4Address":"192.0.2.53"}])");
  auto d = desired_zone(
      z,
      {a("ns1-same", "ns1", R"("192.0.2.53")", 1), a("ns1-other", "ns1", R"("192.0.2.99")", 2),
       cname("ns1-alias", "ns1", "www", 3)},
      {z});
  EXPECT_EQ(outcome(d, "ARecord/dns/ns1-same").reason, reasons::kPending);
  EXPECT_NE(outcome(d, "ARecord/dns/ns1-same")
                .message.find("equals that of the DNSZone's "
                              "spec.nameServers"),
            std::string::npos);
  EXPECT_EQ(outcome(d, "ARecord/dns/ns1-other").reason, reasons::kConflict);
  EXPECT_NE(outcome(d, "ARecord/dns/ns1-other")
                .message.find("the DNSZone's spec.nameServers declares different data"),
            std::string::npos);
  EXPECT_EQ(outcome(d, "CNAMERecord/dns/ns1-alias").reason, reasons::kConflict);
  EXPECT_EQ(find(d, "ns1", RRType::A)->rdatas()[0].to_text(), "192.0.2.53");
}

TEST(DesiredZone, DuplicateKeysCountOnce) {
  auto z = ext_zone();
  auto r1 = a("www", "www", R"("192.0.2.1")", 1);
  auto r2 = a("www", "www", R"("192.0.2.2")", 2);  // a stale copy with the same key
  auto d = desired_zone(z, {r2, r1}, {z});
  EXPECT_EQ(d.outcomes.size(), 1u);
  EXPECT_EQ(outcome(d, "ARecord/dns/www").reason, reasons::kPending);
  EXPECT_EQ(find(d, "www", RRType::A)->rdatas()[0].to_text(), "192.0.2.1");
}

// ---------------------------------------------------------------- determinism

TEST(DesiredZone, ResultDoesNotDependOnInputOrder) {
  auto z = ext_zone(R"(,"nameServers":[{"name":"ns1","ipv4Address":"192.0.2.53"}])");
  auto other = zone(
      R"({"zoneName":"example.org","recordsFrom":[{"selector":{"matchLabels":{"team":"b"}}}]})",
      "zz-org");  // younger than dns/z by name: z serves "both" (MultipleZones)
  std::vector<RecordObject> recs = {
      a("w1", "www", R"("192.0.2.1")", 3),
      a("w2", "www", R"("192.0.2.2")", 3),  // same second as w1: name decides
      a("w3", "www", R"("192.0.2.1")", 4),  // merges with w1
      cname("c1", "www", "web", 1),         // oldest at www: wins over w1..w3
      cname("c2", "alias", "web", 5),
      txt("t1", "alias", "x", 2),  // older than c2: c2 loses
      txt("t2", "@", "v=spf1 -all", 6),
      a("ns1", "ns1", R"("192.0.2.99")", 0),  // loses to the zone's glue
      a("bad", "bad", R"("300.1.1.1")", 7),
      a("out", "x.other.test.", R"("192.0.2.1")", 8),
      rec(Kind::A, "both", R"({"name":"both","ipv4Addresses":["192.0.2.1"]})", 9,
          R"({"zone":"ext","team":"b"})"),
      rec(Kind::A, "none", R"({"name":"none","ipv4Addresses":["192.0.2.1"]})", 9, "{}"),
      rec(Kind::MX, "mx", R"({"name":"@","mailExchangers":[{"preference":10,"exchange":"mail"}]})",
          10),
      rec(Kind::MX, "mx2", R"({"name":"@","mailExchangers":[{"preference":20,"exchange":"mail"}]})",
          -1),
  };
  std::vector<api::Zone> zones{z, other};
  auto baseline = desired_zone(z, recs, zones);
  // Sanity: the scenario exercises every outcome.
  std::set<std::string> reasons_seen;
  for (const auto& [k, o] : baseline.outcomes) reasons_seen.insert(o.reason);
  EXPECT_EQ(reasons_seen, (std::set<std::string>{"Pending", "Conflict", "InvalidSpec",
                                                 "MultipleZones", "NotSelected"}));
  EXPECT_EQ(outcome(baseline, "CNAMERecord/dns/c1").reason, reasons::kPending);
  EXPECT_EQ(outcome(baseline, "ARecord/dns/w1").reason, reasons::kConflict);
  EXPECT_EQ(outcome(baseline, "CNAMERecord/dns/c2").reason, reasons::kConflict);
  EXPECT_EQ(outcome(baseline, "MXRecord/dns/mx2").reason, reasons::kConflict);

  std::mt19937 rng(20240501);
  for (int i = 0; i < 200; ++i) {
    std::shuffle(recs.begin(), recs.end(), rng);
    std::shuffle(zones.begin(), zones.end(), rng);
    auto d = desired_zone(z, recs, zones);
    ASSERT_EQ(d, baseline) << "differs after shuffle " << i;
  }
}

}  // namespace
}  // namespace zk::sources

namespace zk::sources {
namespace {

TEST(DesiredZone, TenZonesOfAThousandRecordsEach) {
  std::vector<api::Zone> zones;
  zones.reserve(10);
  for (int i = 0; i < 10; ++i) {
    zones.push_back(zone(
        fmt::format(
            R"({{"zoneName":"z{0}.test","recordsFrom":[{{"selector":{{"matchLabels":{{"zone":"z{0}"}}}}}}]}})",
            i),
        fmt::format("z{}", i)));
  }
  std::vector<RecordObject> recs;
  recs.reserve(10000);
  for (int i = 0; i < 10000; ++i) {
    recs.push_back(rec(Kind::A, fmt::format("r{}", i),
                       fmt::format(R"({{"name":"h{}","ipv4Addresses":["10.0.{}.{}"]}})", i,
                                   i / 256 % 256, i % 256),
                       i % 60, fmt::format(R"({{"zone":"z{}"}})", i % 10)));
  }
  for (const auto& z : zones) {
    auto d = desired_zone(z, recs, zones);
    ASSERT_EQ(d.rrsets.size(), 1000u) << z.key();
    ASSERT_EQ(d.outcomes.size(), 1000u) << z.key();
    for (const auto& [k, o] : d.outcomes) ASSERT_EQ(o.reason, reasons::kPending) << k;
  }
}

}  // namespace
}  // namespace zk::sources
