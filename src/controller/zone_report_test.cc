#include "controller/zone_report.h"

#include <algorithm>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace zk::controller {
namespace {

namespace json = boost::json;

api::Zone zone() {
  return api::decode_zone(json::parse(R"({"kind":"DNSZone","metadata":{"name":"example",
      "namespace":"dns","creationTimestamp":"2026-01-01T00:00:00Z"},"spec":{
      "zoneName":"example.test","recordsFrom":[{"selector":{"matchLabels":{"z":"e"}}}]}})"))
      .value();
}

api::RecordObject a(const std::string& name, const std::string& address,
                    const std::string& owner = "") {
  std::string text = R"({"kind":"ARecord","metadata":{"name":")" + name +
                     R"(","namespace":"dns","uid":"u-)" + name +
                     R"(","creationTimestamp":"2026-01-01T00:00:01Z","labels":{"z":"e"}},)" +
                     R"("spec":{"name":")" + (owner.empty() ? name : owner) +
                     R"(","ipv4Addresses":[")" + address + R"("]}})";
  return api::decode_record(json::parse(text)).value();
}

struct Fixture {
  api::Zone z = zone();
  ObjectRef ref = object_ref(z, "DNSZone");
  std::map<std::string, api::RecordObject> records;
  sources::ZoneDesired desired;
  explicit Fixture(std::vector<api::RecordObject> recs) {
    for (auto& r : recs) records.emplace(r.key(), r);
    desired = sources::desired_zone(z, recs, {z});
  }
};

// A hash acknowledged by every Primary is remembered for the record.
bool acknowledged(const ZoneAcks& acks, const std::string& key) {
  auto it = acks.records.find(key);
  return it != acks.records.end() && !it->second.hash.empty();
}
bool any_acknowledged(const ZoneAcks& acks) {
  return std::any_of(acks.records.begin(), acks.records.end(),
                     [](const auto& r) { return !r.second.hash.empty(); });
}

TEST(ZoneReport, ServedWhenEveryPrimaryHoldsItAndPropagatedBySerial) {
  Fixture f({a("www", "192.0.2.1")});
  std::vector<PrimaryOutcome> primaries{{"p", true, "", "", "", {}, true, 7}};
  std::vector<SecondaryOutcome> secondaries{{"s", "dns/s", 6, 7, ""}};
  ZoneAcks acks;
  ZoneReport r =
      report_zone({f.z, f.ref, f.desired, lookup_in(f.records), primaries, secondaries}, acks);
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].ready.reason, "Served");
  EXPECT_EQ(r.records[0].ready.message, "served at www.example.test. by 1 Primary");
  ASSERT_TRUE(r.records[0].propagated);
  EXPECT_EQ(r.records[0].propagated->reason, "SecondaryBehind");
  EXPECT_EQ(r.zone.ready.reason, "AllReady");
  EXPECT_EQ(r.zone.propagated->message, "dns/s serves serial 6, its primary 7");
  EXPECT_TRUE(r.secondaries_behind);
  EXPECT_TRUE(r.zone.synced);
  EXPECT_EQ(acks.records.at("ARecord/dns/www").serial, 7u);
  ASSERT_EQ(r.zone.servers.size(), 2u);
  EXPECT_FALSE(r.zone.servers[1].ready);

  // The Secondary caught up; the record's data was acknowledged at serial 7 and stays so.
  secondaries[0].serial = 7;
  primaries[0].applied = false;
  r = report_zone({f.z, f.ref, f.desired, lookup_in(f.records), primaries, secondaries}, acks);
  EXPECT_EQ(r.records[0].propagated->reason, "InSync");
  EXPECT_FALSE(r.zone.synced) << "nothing was written now";
  EXPECT_FALSE(r.secondaries_behind);
}

TEST(ZoneReport, FailuresNameTheFirstFailedPrimaryAndCountReasons) {
  Fixture f({a("www", "192.0.2.1"), a("api", "192.0.2.2")});
  std::vector<PrimaryOutcome> primaries{{"p1", true, "", "", "", {}, true, 3},
                                        {"p2",
                                         false,
                                         "TsigAuthFailed",
                                         "SecretNotFound",
                                         "Secret dns/k does not exist",
                                         {},
                                         false,
                                         std::nullopt}};
  ZoneAcks acks;
  ZoneReport r = report_zone({f.z, f.ref, f.desired, lookup_in(f.records), primaries, {}}, acks);
  for (const auto& st : r.records) EXPECT_EQ(st.ready.reason, "TsigAuthFailed");
  EXPECT_EQ(r.zone.ready.reason, "PartiallyReady");
  EXPECT_EQ(r.zone.ready.message,
            "2 of 2 records not ready: 2 TsigAuthFailed; 1 of 2 Primaries failed: "
            "SecretNotFound: Secret dns/k does not exist");
  EXPECT_FALSE(any_acknowledged(acks)) << "nothing acknowledged by every Primary";

  primaries[0].ok = false;
  primaries[0].reason = "ServerUnreachable";
  primaries[0].message = "timeout";
  r = report_zone({f.z, f.ref, f.desired, lookup_in(f.records), primaries, {}}, acks);
  EXPECT_EQ(r.zone.ready.reason, "NotReady");
  EXPECT_EQ(r.records[0].ready.reason, "ServerUnreachable");
}

TEST(ZoneReport, ARefusedRRsetIsThatRecordsAloneAndAcksOfLeaversAreForgotten) {
  Fixture f({a("www", "192.0.2.1"), a("bad", "192.0.2.66")});
  PrimaryOutcome p{"p", true, "", "", "", {}, true, 2};
  p.refused[model::RRsetKey{model::Name::parse("bad.example.test.").value(), model::RRType::A}] =
      "p refused it";
  ZoneAcks acks;
  ZoneReport r = report_zone({f.z, f.ref, f.desired, lookup_in(f.records), {p}, {}}, acks);
  std::map<std::string, std::string> by;
  for (const auto& st : r.records) by[st.ref.name] = st.ready.reason;
  EXPECT_EQ(by["www"], "Served");
  EXPECT_EQ(by["bad"], "UpdateRefused");
  EXPECT_EQ(r.zone.ready.message, "1 of 2 records not ready: 1 UpdateRefused");
  EXPECT_TRUE(acknowledged(acks, "ARecord/dns/www"));

  Fixture g({a("bad", "192.0.2.66")});  // www left the zone
  report_zone({g.z, g.ref, g.desired, lookup_in(g.records), {p}, {}}, acks);
  EXPECT_FALSE(acknowledged(acks, "ARecord/dns/www"));
  EXPECT_FALSE(acks.records.count("ARecord/dns/www"));
}

TEST(ZoneReport, AZoneWideFailureAndItsRecoveryAreTheZonesNotEachRecords) {
  Fixture f({a("www", "192.0.2.1"), a("bad", "192.0.2.66")});
  PrimaryOutcome ok{"p", true, "", "", "", {}, true, 2};
  PrimaryOutcome down{"p", false, "ServerUnreachable", "", "dns/p: Timeout", {}, false, {}};
  auto zone_wide = [](const ZoneReport& r) {
    std::map<std::string, bool> by;
    for (const auto& st : r.records) by[st.ref.name] = st.zone_wide;
    return by;
  };
  ZoneAcks acks;
  ZoneReport r = report_zone({f.z, f.ref, f.desired, lookup_in(f.records), {ok}, {}}, acks);
  EXPECT_EQ(zone_wide(r), (std::map<std::string, bool>{{"bad", false}, {"www", false}}));
  // The Primary fails the whole zone: every record's verdict is the zone's.
  r = report_zone({f.z, f.ref, f.desired, lookup_in(f.records), {down}, {}}, acks);
  EXPECT_EQ(r.records[0].ready.reason, "ServerUnreachable");
  EXPECT_EQ(zone_wide(r), (std::map<std::string, bool>{{"bad", true}, {"www", true}}));
  // It recovers, but refuses bad's RRset: www's recovery is the zone's, bad's refusal its own.
  PrimaryOutcome refusing = ok;
  refusing
      .refused[model::RRsetKey{model::Name::parse("bad.example.test.").value(), model::RRType::A}] =
      "p refused it";
  r = report_zone({f.z, f.ref, f.desired, lookup_in(f.records), {refusing}, {}}, acks);
  std::map<std::string, std::string> reason;
  for (const auto& st : r.records) reason[st.ref.name] = st.ready.reason;
  EXPECT_EQ(reason,
            (std::map<std::string, std::string>{{"bad", "UpdateRefused"}, {"www", "Served"}}));
  EXPECT_EQ(zone_wide(r), (std::map<std::string, bool>{{"bad", false}, {"www", true}}));
  // bad's own recovery is its own; www, served before, has nothing to recover from.
  r = report_zone({f.z, f.ref, f.desired, lookup_in(f.records), {ok}, {}}, acks);
  EXPECT_EQ(zone_wide(r), (std::map<std::string, bool>{{"bad", false}, {"www", false}}));
}

TEST(ZoneReport, OnlyTheChangedRecordsWhileTheServersAreAsTheLastCleanReportLeftThem) {
  Fixture f({a("www", "192.0.2.1"), a("api", "192.0.2.2"), a("mail", "192.0.2.3")});
  std::vector<PrimaryOutcome> primaries{{"p", true, "", "", "", {}, true, 2}};
  ZoneAcks acks;
  ZoneReport r = report_zone({f.z, f.ref, f.desired, lookup_in(f.records), primaries, {}}, acks);
  EXPECT_EQ(r.records.size(), 3u);

  // www changed: only its status is reported; the summary still counts every record.
  Fixture g({a("www", "192.0.2.9"), a("api", "192.0.2.2"), a("mail", "192.0.2.3")});
  const std::set<std::string> www{"ARecord/dns/www"};
  primaries[0].serial = 3;
  r = report_zone({g.z, g.ref, g.desired, lookup_in(g.records), primaries, {}, &www}, acks);
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].ref.name, "www");
  EXPECT_EQ(r.records[0].acknowledged_hash, g.desired.outcomes.at("ARecord/dns/www").hash.hex());
  EXPECT_EQ(r.zone.record_count, 3u);
  EXPECT_EQ(r.zone.ready.message, "3 records served by 1 Primary");
  EXPECT_EQ(r.counts.ready, 3u);
  EXPECT_EQ(acks.records.at("ARecord/dns/www").serial, 3u);
  EXPECT_EQ(acks.records.at("ARecord/dns/api").serial, 2u);
  // www moved to another name: the zone's list says where it is served now.
  Fixture moved({a("www", "192.0.2.9", "web"), a("api", "192.0.2.2"), a("mail", "192.0.2.3")});
  r = report_zone(
      {moved.z, moved.ref, moved.desired, lookup_in(moved.records), primaries, {}, &www}, acks);
  ASSERT_EQ(r.zone.records.size(), 3u);
  EXPECT_EQ(r.zone.records[2], (ServedRecord{"ARecord", "www", "dns", "web.example.test."}));
  r = report_zone({g.z, g.ref, g.desired, lookup_in(g.records), primaries, {}, &www}, acks);
  EXPECT_EQ(r.zone.records[2], (ServedRecord{"ARecord", "www", "dns", "www.example.test."}));
  EXPECT_EQ(r.zone.records[0].name, "api");

  // mail left: no status for it, forgotten, and the summary no longer counts it.
  Fixture h({a("www", "192.0.2.9"), a("api", "192.0.2.2")});
  const std::set<std::string> mail{"ARecord/dns/mail"};
  r = report_zone({h.z, h.ref, h.desired, lookup_in(h.records), primaries, {}, &mail}, acks);
  EXPECT_TRUE(r.records.empty());
  EXPECT_EQ(r.zone.record_count, 2u);
  EXPECT_EQ(r.counts.by_kind_reason.at({"ARecord", "Served"}), 2u);
  EXPECT_FALSE(acknowledged(acks, "ARecord/dns/mail"));
  ASSERT_EQ(r.zone.records.size(), 2u);  // the list follows, by kind and name
  EXPECT_EQ(r.zone.records[0].name, "api");
  EXPECT_EQ(r.zone.records[1].name, "www");

  // The servers' side changed (a Primary failed): every record is reported, then again once it
  // is back (the last report was not clean).
  primaries[0].ok = false;
  primaries[0].reason = "ServerUnreachable";
  r = report_zone({h.z, h.ref, h.desired, lookup_in(h.records), primaries, {}, &www}, acks);
  EXPECT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.counts.ready, 0u);
  primaries[0].ok = true;
  r = report_zone({h.z, h.ref, h.desired, lookup_in(h.records), primaries, {}, &www}, acks);
  EXPECT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.counts.ready, 2u);
  // A new Secondary changes the servers' side.
  std::vector<SecondaryOutcome> secondaries{{"s", "dns/s", 3, 3, ""}};
  r = report_zone({h.z, h.ref, h.desired, lookup_in(h.records), primaries, secondaries, &www},
                  acks);
  EXPECT_EQ(r.records.size(), 2u);
  r = report_zone({h.z, h.ref, h.desired, lookup_in(h.records), primaries, secondaries, &www},
                  acks);
  EXPECT_EQ(r.records.size(), 1u);
  // A Secondary's serial moving on changes nothing for records that do not lag (every change
  // moves it: reporting every record again would write every record's status per change).
  secondaries[0].serial = 4;
  secondaries[0].want = 4;
  r = report_zone({h.z, h.ref, h.desired, lookup_in(h.records), primaries, secondaries, &www},
                  acks);
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].propagated->reason, "InSync");
  EXPECT_EQ(r.records[0].propagated->message,
            "1 Secondary serves serial 3 or later, at which this was served");
  // Gone back (restored from an old copy): every record again. www (acked at 3) lags, api
  // (at 2) does not.
  secondaries[0].serial = 2;
  r = report_zone({h.z, h.ref, h.desired, lookup_in(h.records), primaries, secondaries, &www},
                  acks);
  ASSERT_EQ(r.records.size(), 2u);
  std::map<std::string, ConditionSpec> propagated;
  for (const auto& st : r.records) propagated[st.ref.name] = *st.propagated;
  EXPECT_EQ(propagated["www"].reason, "SecondaryBehind");
  EXPECT_EQ(propagated["www"].message,
            "dns/s serves serial 2, older than 3 at which this was served");
  EXPECT_EQ(propagated["api"].reason, "InSync");
  // A lagging record is reported until it no longer lags, though nothing changed it.
  const std::set<std::string> none;
  r = report_zone({h.z, h.ref, h.desired, lookup_in(h.records), primaries, secondaries, &none},
                  acks);
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].ref.name, "www");
  secondaries[0].serial = 3;
  r = report_zone({h.z, h.ref, h.desired, lookup_in(h.records), primaries, secondaries, &none},
                  acks);
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].propagated->reason, "InSync");
  r = report_zone({h.z, h.ref, h.desired, lookup_in(h.records), primaries, secondaries, &none},
                  acks);
  EXPECT_TRUE(r.records.empty());
  EXPECT_EQ(r.counts.ready, 2u);
  // A lagging record that stops being servable is reported once, and no longer as lagging.
  secondaries[0].serial = 2;  // gone back again: every record, www lags
  r = report_zone({h.z, h.ref, h.desired, lookup_in(h.records), primaries, secondaries, &none},
                  acks);
  ASSERT_EQ(r.records.size(), 2u);
  Fixture bad({a("www", "not-an-address"), a("api", "192.0.2.2")});
  r = report_zone(
      {bad.z, bad.ref, bad.desired, lookup_in(bad.records), primaries, secondaries, &www}, acks);
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].ready.reason, "InvalidSpec");
  EXPECT_FALSE(r.records[0].propagated.has_value());
  r = report_zone(
      {bad.z, bad.ref, bad.desired, lookup_in(bad.records), primaries, secondaries, &none}, acks);
  EXPECT_TRUE(r.records.empty());
}

TEST(ZoneReport, ABlockedZoneMakesServableRecordsZoneNotReady) {
  Fixture f({a("www", "192.0.2.1"), a("outside", "192.0.2.1", "x.elsewhere.test.")});
  ZoneReport r = report_blocked_zone({f.z, f.ref, f.desired, lookup_in(f.records), {}, {}},
                                     ready_condition("False", "NoServers", "none"));
  EXPECT_EQ(r.zone.ready.reason, "NoServers");
  std::map<std::string, std::string> by;
  std::map<std::string, bool> zone_wide;
  for (const auto& st : r.records) {
    by[st.ref.name] = st.ready.reason;
    zone_wide[st.ref.name] = st.zone_wide;
  }
  EXPECT_EQ(by["www"], "ZoneNotReady");
  EXPECT_EQ(by["outside"], "InvalidSpec");
  // The zone's verdict is told on the zone; the invalid record's is its own.
  EXPECT_EQ(zone_wide, (std::map<std::string, bool>{{"outside", false}, {"www", true}}));
}

TEST(ZoneReport, AnInvalidZonesServedRecordsAreZoneNotReady) {
  ZoneAcks acks;
  acks.records["ARecord/dns/www"].fqdn = model::Name::parse("www.example.test.").value();
  acks.records["ARecord/dns/gone"].fqdn = model::Name::parse("gone.example.test.").value();
  std::map<std::string, api::RecordObject> records{{"ARecord/dns/www", a("www", "192.0.2.1")}};
  auto out =
      report_invalid_zone("dns/example", "spec.nameServers: empty", "example.test.", acks, records);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].ready.reason, "ZoneNotReady");
  EXPECT_EQ(out[0].ready.message,
            "DNSZone dns/example is not ready: InvalidSpec: spec.nameServers: empty");
  EXPECT_EQ(out[0].zone, "example.test.");
  EXPECT_TRUE(out[0].zone_wide);
}

}  // namespace
}  // namespace zk::controller
