#include "sources/zone_state.h"

#include <map>
#include <random>
#include <utility>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "api/reasons.h"

namespace zk::sources {
namespace {

using api::RecordObject;

api::Zone make_zone(std::string_view name, std::string_view ns, int second,
                    std::string_view records_from) {
  auto z = api::decode_zone(boost::json::parse(fmt::format(
      R"({{"kind":"DNSZone","metadata":{{"name":"{}","namespace":"{}","creationTimestamp":"2023-01-01T00:00:{:02d}Z"}},"spec":{{"zoneName":"example.test","nameServers":[{{"name":"ns1.example.test","ipv4Address":"192.0.2.53"}}],"recordsFrom":{}}}}})",
      name, ns, second, records_from)));
  EXPECT_TRUE(z) << z.error();
  return *z;
}

// A small catalog of records that stamps revisions as ObjectCatalog does, and random changes
// that make every rule meet every other: shared owner names, identical and different data,
// CNAMEs beside data, a rare DNAME, invalid specs, labels in and out of the selector, two
// namespaces, timestamps that tie or are missing.
class RandomCatalog {
 public:
  explicit RandomCatalog(uint32_t seed) : rng_(seed) {}

  void random_change() {
    std::string name = fmt::format("r{}", pick(12));
    std::string ns = pick(4) == 0 ? "shop" : "dns";
    std::string key_prefix = ns + "/" + name;
    if (pick(5) == 0) {  // delete whichever kind it is
      for (auto it = records_.begin(); it != records_.end();) {
        if (it->second.ns == ns && it->second.name == name) {
          journal_.push_back(it->first);
          it = records_.erase(it);
        } else {
          ++it;
        }
      }
      return;
    }
    static const char* kOwners[] = {"a", "b", "c", "x.b", "@", "y.a", "z.x.b", "ns1"};
    std::string owner = kOwners[pick(8)];
    std::string labels = pick(6) == 0 ? R"({"zone":"other"})" : R"({"zone":"ext"})";
    std::string created =
        pick(8) == 0 ? ""
                     : fmt::format(R"(,"creationTimestamp":"2024-01-01T00:00:{:02d}Z")", pick(6));
    std::string ttl = pick(4) == 0 ? R"(,"ttl":60)" : "";
    std::string kind, spec;
    switch (pick(10)) {
      case 0:
      case 1:
      case 2:
        kind = "ARecord";
        spec = fmt::format(R"("ipv4Addresses":["192.0.2.{}"])", 1 + pick(2));
        break;
      case 3:
        kind = "AAAARecord";
        spec = R"("ipv6Addresses":["2001:db8::1"])";
        break;
      case 4:
      case 5:
        kind = "TXTRecord";
        spec = fmt::format(R"("texts":["t{}"])", pick(2));
        break;
      case 6:
      case 7:
        kind = "CNAMERecord";  // at "@": InvalidSpec
        spec = fmt::format(R"("target":"t{}.example.net")", pick(2));
        break;
      case 8:
        kind = pick(4) == 0 ? "DNAMERecord" : "ARecord";
        spec = kind == "ARecord" ? R"("ipv4Addresses":["192.0.2.1"])" : R"("target":"example.net")";
        break;
      default:
        kind = "ARecord";
        spec = R"("ipv4Addresses":["300.1.1.1"])";  // InvalidSpec
        owner = "b";
        break;
    }
    auto r = api::decode_record(boost::json::parse(fmt::format(
        R"({{"kind":"{}","metadata":{{"name":"{}","namespace":"{}","uid":"u-{}","labels":{}{}}},"spec":{{"name":"{}"{},{}}}}})",
        kind, name, ns, key_prefix, labels, created, owner, ttl, spec)));
    ASSERT_TRUE(r) << r.error();
    r->revision = ++revision_;
    std::string key = r->key();
    journal_.push_back(key);
    records_.insert_or_assign(key, std::move(*r));
  }

  // Sometimes the same object again (a status write coming back): revision unchanged.
  std::vector<const RecordObject*> inputs() const {
    std::vector<const RecordObject*> out;
    for (const std::string ns : {"dns", "shop"}) {  // grouped by namespace, as the catalog does
      for (const auto& [key, r] : records_) {
        if (r.ns == ns) out.push_back(&r);
      }
    }
    return out;
  }

  // The keys put or removed since the last call (as ObjectCatalog::records_changed_since).
  std::vector<std::string> take_journal() { return std::exchange(journal_, {}); }
  const RecordObject* find(const std::string& key) const {
    auto it = records_.find(key);
    return it == records_.end() ? nullptr : &it->second;
  }

  uint32_t pick(uint32_t n) { return std::uniform_int_distribution<uint32_t>(0, n - 1)(rng_); }

 private:
  std::mt19937 rng_;
  std::map<std::string, RecordObject> records_;
  std::vector<std::string> journal_;
  uint64_t revision_ = 0;
};

// 2000 sequences of 30 steps, each compared with a fresh computation (≈ 6 s optimised); the
// sanitizer build (Debug, ≈ 35× slower) runs the first 200 of them.
#if defined(__SANITIZE_ADDRESS__)
constexpr uint32_t kSequences = 200;
#else
constexpr uint32_t kSequences = 2000;
#endif

// The property: after any sequence of changes, the kept state equals a fresh computation, every
// RRset that changed lies at a name touched() lists (what the controller plans) and every outcome
// that changed is in touched_records() (what it reports).
TEST(ZoneState, IncrementalEqualsFullOverRandomSequences) {
  const api::Zone self = make_zone(
      "z", "dns", 10,
      R"([{"selector":{"matchLabels":{"zone":"ext"}}},{"selector":{"matchLabels":{"zone":"ext"}},"namespaceSelector":{"matchLabels":{"team":"shop"}}}])");
  const api::Zone older_peer =
      make_zone("old", "dns", 5, R"([{"selector":{"matchLabels":{"zone":"ext"}}}])");
  const api::Zone newer_peer =
      make_zone("new", "dns", 20, R"([{"selector":{"matchLabels":{"zone":"ext"}}}])");
  // Takes what the others leave NotSelected (an `In` selector: indexed by each of its values).
  const api::Zone other_peer = make_zone(
      "wide", "dns", 30,
      R"([{"selector":{"matchExpressions":[{"key":"zone","operator":"In","values":["other","x"]}]}}])");
  size_t incremental_syncs = 0, told_syncs = 0, rebuilds = 0, multiple = 0, conflicts = 0,
         served_changes = 0;
  for (uint32_t seed = 1; seed <= kSequences; ++seed) {
    RandomCatalog catalog(seed);
    ZoneState state;
    std::vector<api::Zone> zones{self};
    ZoneSet shared = zone_set(zones);  // as the catalog's: a new set only when a zone changes
    NamespaceDirectory namespaces;
    namespaces["shop"] = api::NamespaceInfo{"shop", {{"team", "shop"}}, {}, ""};
    model::RRsetMap before;
    std::map<std::string, RecordOutcome> outcomes_before;
    for (int step = 0; step < 30; ++step) {
      const uint32_t what = catalog.pick(40);
      if (what == 0) {  // a peer zone comes or goes (rebuild)
        zones = {self};
        if (catalog.pick(2)) zones.push_back(catalog.pick(2) ? older_peer : newer_peer);
        if (catalog.pick(3) == 0) zones.push_back(other_peer);
        shared = zone_set(zones);
      } else if (what == 3) {  // the same zones in a new set (another zone's namespace changed)
        shared = zone_set(zones);
      } else if (what == 1) {  // the Namespaces change (rebuild)
        namespaces["dns"] = api::parse_allow_records_from("dns", {}, catalog.pick(2) ? "shop" : "");
      } else if (what != 2) {  // 2: nothing changed at all
        for (uint32_t n = 1 + catalog.pick(3); n > 0; --n) catalog.random_change();
      }
      std::vector<const RecordObject*> in = catalog.inputs();
      const uint64_t rebuilt = state.rebuilds();
      // Told what changed (the catalog's journal) or walking every record, at random.
      std::vector<std::string> journal = catalog.take_journal();
      const bool told = state.current_for(self, shared, namespaces) && catalog.pick(2);
      const ZoneDesired& kept =
          told ? state.sync_changes(journal, [&](const std::string& k) { return catalog.find(k); })
               : state.sync(self, in, shared, namespaces);
      told_syncs += told;
      const ZoneDesired full = desired_zone_refs(self, in, zone_set(zones), namespaces);
      ASSERT_EQ(kept, full) << "seed " << seed << " step " << step;
      rebuilds += state.rebuilds() - rebuilt;
      if (const auto& touched = state.touched()) {
        ++incremental_syncs;
        for (const auto& [k, set] : before) {
          if (!touched->count(k.owner)) {
            auto it = kept.rrsets.find(k);
            ASSERT_TRUE(it != kept.rrsets.end() && it->second == set)
                << "seed " << seed << " step " << step << ": " << k.owner.to_string()
                << " changed, not touched";
          }
        }
        for (const auto& [k, set] : kept.rrsets) {
          if (!touched->count(k.owner)) {
            ASSERT_TRUE(before.count(k)) << "seed " << seed << " step " << step << ": "
                                         << k.owner.to_string() << " appeared, not touched";
          }
        }
      }
      if (state.touched()) {
        for (const auto& [key, o] : kept.outcomes) {
          auto was = outcomes_before.find(key);
          ASSERT_TRUE(state.touched_records().count(key) ||
                      (was != outcomes_before.end() && was->second == o))
              << "seed " << seed << " step " << step << ": outcome of " << key
              << " changed, not touched";
        }
        for (const auto& [key, o] : outcomes_before) {
          ASSERT_TRUE(kept.outcomes.count(key) || state.touched_records().count(key))
              << "seed " << seed << " step " << step << ": " << key << " left, not touched";
        }
      }
      outcomes_before = kept.outcomes;
      served_changes += before != kept.rrsets;
      for (const auto& [key, o] : kept.outcomes) {
        multiple += o.reason == api::reasons::kMultipleZones;
        conflicts += o.reason == api::reasons::kConflict;
      }
      before = kept.rrsets;
    }
  }
  // The sequences did meet the rules (a generator that never did would prove nothing).
  const size_t per_seq = 1000;  // the thresholds below, per 1000 sequences
  EXPECT_GT(incremental_syncs * per_seq, 15000u * kSequences);
  EXPECT_GT(told_syncs * per_seq, 7500u * kSequences);
  EXPECT_GT(rebuilds * per_seq, 1000u * kSequences);
  EXPECT_GT(multiple * per_seq, 50u * kSequences);
  EXPECT_GT(conflicts * per_seq, 500u * kSequences);
  EXPECT_GT(served_changes * per_seq, 5000u * kSequences);
}

// Every zone of a namespace is shown all its records: it keeps only those it serves or reports,
// or ten zones of 1,000 records each would keep 10,000 apiece.
TEST(ZoneState, KeepsOnlyTheRecordsItServesOrReports) {
  std::vector<api::Zone> zones;
  zones.reserve(3);
  for (int z = 0; z < 3; ++z) {
    zones.push_back(
        make_zone(fmt::format("z{}", z), "dns", 10 + z,
                  fmt::format(R"([{{"selector":{{"matchLabels":{{"zone":"z{}"}}}}}}])", z)));
  }
  std::map<std::string, RecordObject> records;
  uint64_t revision = 0;
  auto put = [&](std::string_view name, std::string_view label) {
    auto r = api::decode_record(boost::json::parse(fmt::format(
        R"({{"kind":"ARecord","metadata":{{"name":"{}","namespace":"dns","labels":{{"zone":"{}"}}}},"spec":{{"name":"{}","ipv4Addresses":["192.0.2.1"]}}}})",
        name, label, name)));
    ASSERT_TRUE(r) << r.error();
    r->revision = ++revision;
    records.insert_or_assign(r->key(), std::move(*r));
  };
  for (int i = 0; i < 30; ++i) put(fmt::format("r{}", i), fmt::format("z{}", i % 3));
  put("stray", "none");  // selected by no zone: every zone of the namespace reports it
  std::vector<const RecordObject*> inputs;
  inputs.reserve(records.size());
  for (const auto& [k, r] : records) inputs.push_back(&r);
  ZoneState state;
  const ZoneDesired& d = state.sync(zones[0], inputs, zone_set(zones), {});
  EXPECT_EQ(state.kept(), 11u);  // its 10 and the stray one
  EXPECT_EQ(d.outcomes.size(), 11u);
  EXPECT_EQ(d.outcomes.at("ARecord/dns/stray").reason, api::reasons::kNotSelected);
  // A record moves in, one moves out: the journal's keys say so.
  put("r1", "z0");
  put("r0", "z2");
  const ZoneDesired& after = state.sync_changes(
      {"ARecord/dns/r1", "ARecord/dns/r0"}, [&](const std::string& k) -> const RecordObject* {
        auto it = records.find(k);
        return it == records.end() ? nullptr : &it->second;
      });
  EXPECT_EQ(state.kept(), 11u);
  EXPECT_TRUE(after.outcomes.count("ARecord/dns/r1"));
  EXPECT_FALSE(after.outcomes.count("ARecord/dns/r0"));
  // A full walk again: the same.
  inputs.clear();
  for (const auto& [k, r] : records) inputs.push_back(&r);
  EXPECT_EQ(state.sync(zones[0], inputs, zone_set(zones), {}).outcomes, after.outcomes);
  EXPECT_EQ(state.kept(), 11u);
}

// A record changed alone touches its own names only; the others are not classified again.
TEST(ZoneState, ChangeTouchesOnlyItsNames) {
  const api::Zone self = make_zone("z", "dns", 10, R"([{"selector":{}}])");
  std::map<std::string, RecordObject> records;
  auto put = [&](std::string_view name, std::string_view owner, std::string_view ip,
                 uint64_t revision) {
    auto r = api::decode_record(boost::json::parse(fmt::format(
        R"({{"kind":"ARecord","metadata":{{"name":"{}","namespace":"dns"}},"spec":{{"name":"{}","ipv4Addresses":["{}"]}}}})",
        name, owner, ip)));
    r->revision = revision;
    records.insert_or_assign(r->key(), std::move(*r));
  };
  auto inputs = [&] {
    std::vector<const RecordObject*> v;
    v.reserve(records.size());
    for (const auto& [k, r] : records) v.push_back(&r);
    return v;
  };
  for (int i = 0; i < 100; ++i)
    put(fmt::format("r{}", i), fmt::format("h{}", i), "192.0.2.1", i + 1);
  ZoneState state;
  state.sync(self, inputs(), zone_set({self}), {});
  EXPECT_FALSE(state.touched());  // the first sync builds everything
  put("r7", "moved", "192.0.2.2", 1000);
  const ZoneDesired& d = state.sync(self, inputs(), zone_set({self}), {});
  ASSERT_TRUE(state.touched());
  const auto name = [](std::string_view rel) {
    static const model::Name zone = model::Name::parse("example.test.").value();
    return model::Name::parse(rel, &zone).value();
  };
  EXPECT_EQ(*state.touched(), (std::set<model::Name>{name("h7"), name("moved")}));
  EXPECT_FALSE(d.rrsets.count({name("h7"), model::RRType::A}));
  EXPECT_TRUE(d.rrsets.count({name("moved"), model::RRType::A}));
  EXPECT_EQ(state.rebuilds(), 1u);
  // Nothing changed: nothing touched.
  state.sync(self, inputs(), zone_set({self}), {});
  EXPECT_TRUE(state.touched() && state.touched()->empty());
  // Unstamped objects (revision 0) are looked at every time: their names are touched.
  put("r8", "h8", "192.0.2.1", 0);
  state.sync(self, inputs(), zone_set({self}), {});
  EXPECT_EQ(*state.touched(), (std::set<model::Name>{name("h8")}));
}

}  // namespace
}  // namespace zk::sources
