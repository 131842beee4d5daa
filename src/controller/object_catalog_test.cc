#include "controller/object_catalog.h"

#include <algorithm>
#include <random>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace zk::controller {
namespace {

namespace json = boost::json;

json::value object(std::string_view kind, std::string_view ns, std::string_view name,
                   std::string_view spec, std::string_view labels = "{}", int generation = 1) {
  return json::parse(fmt::format(
      R"({{"kind":"{}","metadata":{{"name":"{}","namespace":"{}","uid":"u-{}","generation":{},)"
      R"("creationTimestamp":"2026-01-01T00:00:00Z","labels":{}}},"spec":{}}})",
      kind, name, ns, name, generation, labels, spec));
}

json::value zone(std::string_view ns, std::string_view name,
                 std::string_view zone_name = "example.test") {
  return object("DNSZone", ns, name,
                fmt::format(R"({{"zoneName":"{}","recordsFrom":[{{"selector":{{"matchLabels":)"
                            R"({{"z":"e"}}}}}}],"servers":{{"refs":[{{"name":"p"}}]}}}})",
                            zone_name));
}

json::value server(std::string_view ns, std::string_view name) {
  return object("DNSServer", ns, name,
                R"({"role":"Primary","external":{"address":"127.0.0.1","port":5353},)"
                R"("tsigKeySecretRef":{"name":"tsig"}})");
}

json::value a(std::string_view ns, std::string_view name, std::string_view labels,
              int generation = 1) {
  return object("ARecord", ns, name, R"({"name":"www","ipv4Addresses":["192.0.2.1"]})", labels,
                generation);
}

std::vector<std::string> keys(const CatalogChange& ch) {
  std::vector<std::string> out;
  for (const auto& w : ch.work) out.push_back(w.key() + (w.dirty ? "*" : ""));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

using Keys = std::vector<std::string>;

TEST(WorkItem, KeysRoundTrip) {
  for (const WorkItem& w : {WorkItem::zone("dns", "example", false),
                            WorkItem::server("dns", "primary"), WorkItem::namespace_records("apps"),
                            WorkItem::shared_zone(model::Name::parse("ext.test.").value())}) {
    auto back = WorkItem::parse(w.key());
    ASSERT_TRUE(back) << w.key();
    EXPECT_EQ(*back, w);
  }
  EXPECT_EQ(WorkItem::zone("dns", "example", true).key(), "z/dns/example");
  EXPECT_EQ(WorkItem::shared_zone(model::Name::parse("ext.test.").value()).key(), "x/ext.test.");
  for (std::string_view bad : {"", "z", "z/", "q/dns/x", "z/noslash", "x/bad..name"}) {
    EXPECT_FALSE(WorkItem::parse(bad)) << bad;
  }
}

TEST(ObjectCatalog, ARecordChangeMakesWorkForTheZonesSelectingIt) {
  ObjectCatalog c;
  EXPECT_EQ(keys(c.put_record(a("dns", "www", R"({"z":"e"})"))), Keys{"n/dns"})
      << "no zone yet: the namespace item reports it NotSelected";
  EXPECT_EQ(keys(c.put_zone(zone("dns", "example"))), Keys{"z/dns/example*"});
  EXPECT_EQ(keys(c.put_record(a("dns", "www", R"({"z":"e"})", 2))), Keys{"z/dns/example*"});
  // Our own status write coming back (same generation, spec and labels): nothing.
  EXPECT_TRUE(c.put_record(a("dns", "www", R"({"z":"e"})", 2)).work.empty());
  // Relabelled away: the zone that had it still reconciles (to remove it).
  EXPECT_EQ(keys(c.put_record(a("dns", "www", R"({"z":"other"})", 3))), Keys{"z/dns/example*"});
  auto gone = c.remove_record(api::Kind::A, "dns", "www");
  ASSERT_TRUE(gone.forget);
  EXPECT_EQ(gone.forget->key(), "ARecord/dns/www");
  EXPECT_TRUE(c.remove_record(api::Kind::A, "dns", "www").work.empty());
  EXPECT_NE(c.put_record(json::parse(R"({"kind":"ARecord"})")).ignored, "");
}

TEST(ObjectCatalog, ZonesWithTheSameNameAreReconciledTogether) {
  ObjectCatalog c;
  c.put_zone(zone("a", "example"));
  EXPECT_EQ(keys(c.put_zone(zone("b", "example"))), (Keys{"z/a/example*", "z/b/example*"}));
  auto removed = c.remove_zone("a", "example");
  EXPECT_EQ(keys(removed), (Keys{"n/a", "z/b/example"}));
  EXPECT_EQ(c.zone_count(), 1u);
}

TEST(ObjectCatalog, ServersAndSecrets) {
  ObjectCatalog c;
  c.put_zone(zone("dns", "example"));
  auto ch = c.put_server(server("dns", "p"));
  EXPECT_EQ(keys(ch), (Keys{"s/dns/p", "z/dns/example*"}));
  ASSERT_TRUE(ch.secret_referenced);
  EXPECT_EQ(ch.secret_referenced->first, "dns");
  EXPECT_EQ(ch.secret_referenced->second, "tsig");
  EXPECT_EQ(c.secret("dns", "tsig").kind, SecretState::Kind::Unknown);
  SecretState missing{SecretState::Kind::Missing, std::nullopt, "", {}, ""};
  EXPECT_EQ(keys(c.put_secret("dns", "tsig", missing)), (Keys{"s/dns/p", "z/dns/example*"}));
  EXPECT_TRUE(c.put_secret("dns", "tsig", missing).work.empty()) << "unchanged";
  EXPECT_TRUE(c.put_secret("dns", "unused", missing).work.empty());
  ASSERT_EQ(c.servers_of(*c.zone_entry("dns", "example")->zone).size(), 1u);
  EXPECT_EQ(keys(c.remove_server("dns", "p")), Keys{"z/dns/example*"});
  EXPECT_TRUE(c.servers_of(*c.zone_entry("dns", "example")->zone).empty());
}

TEST(ObjectCatalog, SharedZonesFollowTheirServersNamespace) {
  SharedZone ext{model::Name::parse("ext.test.").value(), {"infra/p"}};
  ObjectCatalog c({ext});
  EXPECT_EQ(keys(c.put_server(server("infra", "p"))),
            (Keys{"n/infra", "s/infra/p", "x/ext.test."}));
  EXPECT_EQ(keys(c.put_zone(zone("dns", "ext", "ext.test"))), (Keys{"x/ext.test.", "z/dns/ext*"}))
      << "a DNSZone of the same name may now own it";
}

TEST(ObjectCatalog, OlderZoneOnTheSameServerConflicts) {
  ObjectCatalog c;
  c.put_server(server("a", "p"));
  c.put_server(server("b", "p"));
  c.put_zone(zone("a", "example"));
  c.put_zone(object("DNSZone", "b", "example",
                    R"({"zoneName":"example.test","servers":{"refs":[{"name":"p"}]}})"));
  const api::Zone& younger = *c.zone_entry("b", "example")->zone;
  const api::Zone& older = *c.zone_entry("a", "example")->zone;
  // Same creationTimestamp: namespace/name decides.
  ASSERT_NE(c.conflicting_zone(younger), nullptr);
  EXPECT_EQ(c.conflicting_zone(younger)->key(), "a/example");
  EXPECT_EQ(c.conflicting_zone(older), nullptr);
  EXPECT_EQ(c.remediating_zone(older.zone_name, *c.server_entry("b", "p")->server), &older);
}

// platform/web takes app=web records from namespaces labelled team=web.
json::value cross_zone() {
  return object(
      "DNSZone", "platform", "web",
      R"({"zoneName":"web.test","recordsFrom":[{"selector":{"matchLabels":{"app":"web"}},)"
      R"("namespaceSelector":{"matchLabels":{"team":"web"}}}],)"
      R"("servers":{"refs":[{"name":"p"}]}})");
}

api::NamespaceInfo ns_info(std::string_view name, api::Labels labels, std::string_view allow = "") {
  return api::parse_allow_records_from(std::string(name), std::move(labels), allow);
}

// The zones of a namespace that no zone reaches into plan with one shared set of them, replaced
// when one of them changes (the sets kept by each zone's state cost one, not one per zone).
TEST(ObjectCatalog, ZonesOfANamespaceShareOneSet) {
  ObjectCatalog c;
  c.put_zone(zone("dns", "a"));
  c.put_zone(zone("dns", "b"));
  c.put_zone(zone("other", "c"));
  sources::ZoneSet a = c.inputs_of(*c.zone_entry("dns", "a")->zone, false).zones;
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->zones().size(), 2u);
  EXPECT_EQ(c.inputs_of(*c.zone_entry("dns", "b")->zone, false).zones, a);
  EXPECT_EQ(c.inputs_of(*c.zone_entry("other", "c")->zone, false).zones->zones().size(), 1u);
  c.put_zone(zone("dns", "d"));
  sources::ZoneSet after = c.inputs_of(*c.zone_entry("dns", "a")->zone, false).zones;
  EXPECT_NE(after, a);
  EXPECT_EQ(after->zones().size(), 3u);
  c.remove_zone("dns", "d");
  EXPECT_EQ(*c.inputs_of(*c.zone_entry("dns", "a")->zone, false).zones, *a);
}

// The records inputs_of() gives a zone — found by the labels its entries require, plus its
// namespace's records that no zone selects — plan exactly what every record of the namespaces
// it looks at would: random zones (matchLabels, In, Exists, empty selectors, some reaching other
// namespaces), records, label and Namespace changes, every zone checked after every change.
TEST(ObjectCatalog, RecordsFoundByLabelPlanAsEveryRecordWould) {
  std::mt19937 rng(11);
  auto pick = [&](uint32_t n) { return std::uniform_int_distribution<uint32_t>(0, n - 1)(rng); };
  const std::vector<std::string> selectors = {
      R"({"matchLabels":{"z":"a"}})", R"({"matchLabels":{"z":"b","t":"x"}})",
      R"({"matchExpressions":[{"key":"z","operator":"In","values":["b","c"]}]})",
      R"({"matchExpressions":[{"key":"t","operator":"Exists"}]})", R"({})"};
  const std::vector<std::string> label_sets = {R"({})",        R"({"z":"a"})",
                                               R"({"z":"b"})", R"({"z":"b","t":"x"})",
                                               R"({"z":"c"})", R"({"t":"y"})"};
  const std::vector<std::string> namespaces = {"n1", "n2", "n3"};
  size_t checked = 0, narrowed = 0, not_selected = 0;
  for (int round = 0; round < 300; ++round) {
    ObjectCatalog c;
    int generation = 0;
    for (int step = 0; step < 40; ++step) {
      const std::string& ns = namespaces[pick(3)];
      const uint32_t what = pick(12);
      if (what == 0) {
        std::vector<std::string> entries;
        for (uint32_t n = 1 + pick(2); n > 0; --n) {
          entries.push_back(fmt::format(
              R"({{"selector":{}{}}})", selectors[pick(selectors.size())],
              pick(4) == 0 ? R"(,"namespaceSelector":{"matchLabels":{"team":"web"}})" : ""));
        }
        c.put_zone(object("DNSZone", ns, fmt::format("z{}", pick(3)),
                          fmt::format(R"({{"zoneName":"example.test","recordsFrom":[{}],)"
                                      R"("servers":{{"refs":[{{"name":"p"}}]}}}})",
                                      fmt::join(entries, ","))));
      } else if (what == 1) {
        c.remove_zone(ns, fmt::format("z{}", pick(3)));
      } else if (what == 2) {
        c.put_namespace(ns_info(ns, pick(2) ? api::Labels{{"team", "web"}} : api::Labels{},
                                pick(2) ? "*" : ""));
      } else if (what == 3) {
        c.remove_record(api::Kind::A, ns, fmt::format("r{}", pick(8)));
      } else {
        c.put_record(object(
            "ARecord", ns, fmt::format("r{}", pick(8)),
            fmt::format(R"({{"name":"h{}","ipv4Addresses":["192.0.2.{}"]}})", pick(3), 1 + pick(2)),
            label_sets[pick(label_sets.size())], ++generation));
      }
      for (const auto& [zns, objs] : c.namespaces()) {
        for (const auto& [zname, e] : objs.zones) {
          if (!e.zone) continue;
          const api::Zone& zone = *e.zone;
          ZoneInputs in = c.inputs_of(zone);
          std::vector<const api::RecordObject*> every;
          for (const auto& [rns, robjs] : c.namespaces()) {
            if (rns != zone.ns &&
                !zone.reaches(rns, sources::namespace_labels(c.namespace_directory(), rns))) {
              continue;
            }
            for (const auto& [key, r] : robjs.records) every.push_back(&r);
          }
          const sources::ZoneDesired want =
              sources::desired_zone_refs(zone, every, in.zones, c.namespace_directory());
          ASSERT_EQ(sources::desired_zone_refs(zone, in.records, in.zones, c.namespace_directory()),
                    want)
              << "round " << round << " step " << step << " zone " << zone.key();
          ++checked;
          narrowed += in.records.size() < every.size();
          for (const auto& [key, o] : want.outcomes) not_selected += o.reason == "NotSelected";
        }
      }
    }
  }
  // The sequences meet what they are meant to: narrowed inputs, and NotSelected records.
  EXPECT_GT(checked, 5000u);
  EXPECT_GT(narrowed, checked / 10);
  EXPECT_GT(not_selected, 1000u);
}

TEST(ObjectCatalog, RecordsReachedFromAnotherNamespaceWakeThatZone) {
  ObjectCatalog c;
  c.put_namespace(ns_info("platform", {}, "shop"));
  c.put_namespace(ns_info("shop", {{"team", "web"}}));
  c.put_namespace(ns_info("db", {{"team", "db"}}));
  c.put_zone(cross_zone());
  c.put_zone(zone("shop", "own"));
  // shop's record with app=web: the cross zone selects it (shop's own zone does not).
  EXPECT_EQ(keys(c.put_record(a("shop", "www", R"({"app":"web"})"))), (Keys{"z/platform/web*"}));
  // Nobody selects it: shop's zones report it NotSelected.
  EXPECT_EQ(keys(c.put_record(a("shop", "x", R"({"app":"db"})"))), (Keys{"z/shop/own*"}));
  // db's labels do not match: its namespace item reports it.
  EXPECT_EQ(keys(c.put_record(a("db", "www", R"({"app":"web"})"))), (Keys{"n/db"}));

  ZoneInputs in = c.inputs_of(*c.zone_entry("platform", "web")->zone);
  std::vector<std::string> recs;
  for (const auto* r : in.records) recs.push_back(r->key());
  // Only what it may select: shop/x (app=db) is shop's own zone's to report NotSelected.
  EXPECT_EQ(recs, (std::vector<std::string>{"ARecord/shop/www"}));
  EXPECT_EQ(in.zones->zones().size(),
            2u);  // itself and shop/own, which may select the same records
  ZoneInputs own = c.inputs_of(*c.zone_entry("shop", "own")->zone);
  ASSERT_EQ(own.records.size(), 1u);  // x, which no zone selects (www is the cross zone's)
  EXPECT_EQ(own.records[0]->name, "x");
  EXPECT_EQ(own.zones->zones().size(), 2u);  // itself and the zone that reaches into shop

  ASSERT_NE(c.find_record("ARecord/shop/www"), nullptr);
  EXPECT_EQ(c.find_record("ARecord/shop/www")->name, "www");
  EXPECT_EQ(c.find_record("ARecord/nowhere/www"), nullptr);
  EXPECT_EQ(c.find_record("garbage"), nullptr);
  EXPECT_TRUE(c.selected_from_elsewhere(*c.find_record("ARecord/shop/www")));
  EXPECT_FALSE(c.selected_from_elsewhere(*c.find_record("ARecord/shop/x")));
  EXPECT_FALSE(c.selected_from_elsewhere(*c.find_record("ARecord/db/www")));
}

TEST(ObjectCatalog, NamespaceLabelsAndAllowListsWakeTheZonesThatReachOut) {
  ObjectCatalog c;
  c.put_zone(zone("dns", "plain"));
  c.put_record(a("shop", "www", R"({"app":"web"})"));
  // No zone reaches other namespaces: a Namespace change is nobody's business.
  EXPECT_TRUE(keys(c.put_namespace(ns_info("shop", {{"team", "web"}}))).empty());
  // A zone that reaches shop re-plans shop too (its records change hands).
  EXPECT_EQ(keys(c.put_zone(cross_zone())), (Keys{"n/shop", "z/platform/web*"}));
  EXPECT_EQ(keys(c.put_namespace(ns_info("platform", {}, "shop"))), (Keys{"z/platform/web*"}));
  EXPECT_TRUE(keys(c.put_namespace(ns_info("platform", {}, "shop"))).empty()) << "unchanged";
  EXPECT_EQ(keys(c.put_namespace(ns_info("shop", {{"team", "db"}}))),
            (Keys{"n/shop", "z/platform/web*"}));
  EXPECT_EQ(keys(c.remove_namespace("shop")), (Keys{"n/shop", "z/platform/web*"}));
  EXPECT_TRUE(keys(c.remove_namespace("shop")).empty());
  c.put_namespace(ns_info("shop", {{"team", "web"}}));
  EXPECT_EQ(keys(c.remove_zone("platform", "web")), (Keys{"n/platform", "n/shop"}));
}

}  // namespace
}  // namespace zk::controller

namespace zk::controller {
namespace {

TEST(ObjectCatalog, JournalsRecordChangesButNotStatusEchoes) {
  ObjectCatalog c;
  const uint64_t start = c.revision();
  c.put_record(a("dns", "www", R"({"z":"e"})"));
  c.put_record(a("dns", "api", R"({"z":"e"})"));
  const uint64_t after_two = c.revision();
  EXPECT_EQ(c.find_record("ARecord/dns/www")->revision, start + 1);
  c.put_record(a("dns", "www", R"({"z":"e"})"));  // the same object again (a status write)
  EXPECT_EQ(c.revision(), after_two);
  EXPECT_EQ(c.records_changed_since(after_two), std::vector<std::string>{});
  c.put_record(a("dns", "www", R"({"z":"e"})", 2));  // a new generation
  c.remove_record(api::Kind::A, "dns", "api");
  EXPECT_EQ(c.records_changed_since(after_two),
            (std::vector<std::string>{"ARecord/dns/www", "ARecord/dns/api"}));
  EXPECT_EQ(c.records_changed_since(start),
            (std::vector<std::string>{"ARecord/dns/www", "ARecord/dns/api", "ARecord/dns/www",
                                      "ARecord/dns/api"}));
  EXPECT_EQ(c.find_record("ARecord/dns/www")->revision, c.revision() - 1);
}

}  // namespace
}  // namespace zk::controller
