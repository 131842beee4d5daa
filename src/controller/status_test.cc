#include "controller/status.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace zk::controller {
namespace {

namespace json = boost::json;

RecordStatus served(std::string hash = "h1") {
  RecordStatus s;
  s.ref = {"dns.zonekeeper.io/v1alpha1", "ARecord", "dns", "www", "uid-1", 3};
  s.ready = {"Ready", "True", "Served", "served at www.example.test. by 1 Primary"};
  s.propagated = ConditionSpec{"Propagated", "True", "InSync", "the zone has no Secondary"};
  s.zone = "example.test.";
  s.fqdn = "www.example.test.";
  s.acknowledged_hash = std::move(hash);
  return s;
}

TEST(RecordStatusMerge, FirstWriteThenNothingWhenUnchanged) {
  auto first = merge_record_status(json::value(nullptr), served(), "2026-01-01T00:00:00Z");
  ASSERT_TRUE(first);
  EXPECT_EQ((*first)["recordHash"], "h1");
  EXPECT_EQ((*first)["lastUpdated"], "2026-01-01T00:00:00Z");
  EXPECT_EQ((*first)["observedGeneration"], 3);
  EXPECT_EQ((*first)["conditions"].as_array().size(), 2u);
  // Same desired status a minute later: no write at all (no storms).
  EXPECT_FALSE(merge_record_status(json::value(*first), served(), "2026-01-01T00:01:00Z"));
}

TEST(RecordStatusMerge, TransitionTimeMovesOnlyWhenStatusFlips) {
  auto first = merge_record_status(json::value(nullptr), served(), "2026-01-01T00:00:00Z");
  RecordStatus failing = served();
  failing.ready = {"Ready", "False", "ServerUnreachable", "dns/p: Timeout"};
  failing.propagated.reset();
  failing.acknowledged_hash.clear();
  auto second = merge_record_status(json::value(*first), failing, "2026-01-01T00:05:00Z");
  ASSERT_TRUE(second);
  const auto& conds = (*second)["conditions"].as_array();
  ASSERT_EQ(conds.size(), 1u);  // Propagated removed while not served
  EXPECT_EQ(conds[0].as_object().at("lastTransitionTime"), "2026-01-01T00:05:00Z");
  EXPECT_EQ((*second)["recordHash"], "h1");  // the last acknowledged data, kept
  EXPECT_EQ((*second)["lastUpdated"], "2026-01-01T00:00:00Z");
  // A new message with the same status keeps the transition time.
  failing.ready.message = "dns/p: ConnectionRefused";
  auto third = merge_record_status(json::value(*second), failing, "2026-01-01T00:06:00Z");
  ASSERT_TRUE(third);
  EXPECT_EQ((*third)["conditions"].as_array()[0].as_object().at("lastTransitionTime"),
            "2026-01-01T00:05:00Z");
}

TEST(RecordStatusMerge, NewDataMovesHashAndLastUpdated) {
  auto first = merge_record_status(json::value(nullptr), served("h1"), "2026-01-01T00:00:00Z");
  auto second = merge_record_status(json::value(*first), served("h2"), "2026-01-01T00:09:00Z");
  ASSERT_TRUE(second);
  EXPECT_EQ((*second)["recordHash"], "h2");
  EXPECT_EQ((*second)["lastUpdated"], "2026-01-01T00:09:00Z");
}

TEST(ZoneStatusMerge, ListsRecordsAndSyncTime) {
  ZoneStatus z;
  z.ref = {"dns.zonekeeper.io/v1alpha1", "DNSZone", "dns", "example", "u", 2};
  z.ready = {"Ready", "True", "AllReady", "1 records served by 1 Primary"};
  z.records = {{"ARecord", "www", "dns", "www.example.test."}};
  z.record_count = 1;
  z.servers = {{"p", "Primary", 7u, true}, {"s", "Secondary", std::nullopt, false}};
  z.synced = true;
  auto first = merge_zone_status(json::value(nullptr), z, "2026-01-01T00:00:00Z", 0);
  ASSERT_TRUE(first);
  EXPECT_EQ((*first)["recordCount"], 1);
  EXPECT_EQ((*first)["lastSyncTime"], "2026-01-01T00:00:00Z");
  EXPECT_EQ((*first)["records"].as_array()[0],
            (json::object{{"apiVersion", "dns.zonekeeper.io/v1alpha1"},
                          {"kind", "ARecord"},
                          {"name", "www"},
                          {"namespace", "dns"},
                          {"fqdn", "www.example.test."}}));
  EXPECT_EQ((*first)["servers"].as_array()[0].as_object().at("serial"), 7);
  EXPECT_FALSE((*first)["servers"].as_array()[1].as_object().contains("serial"));
  z.synced = false;  // nothing applied this time: nothing to write
  EXPECT_FALSE(merge_zone_status(json::value(*first), z, "2026-01-01T00:01:00Z", 60));
}

TEST(ZoneStatus, SerialsAloneAreNotADifferenceBeyondSerials) {
  ZoneStatus a;
  a.ref = {"dns.zonekeeper.io/v1alpha1", "DNSZone", "dns", "example", "u", 2};
  a.ready = {"Ready", "True", "AllReady", "1 records served by 1 Primary"};
  a.servers = {{"p", "Primary", 7u, true}};
  ZoneStatus b = a;
  b.servers[0].serial = 8;
  b.synced = true;
  EXPECT_FALSE(differs_beyond_serials(a, b));
  b.servers[0].ready = false;
  EXPECT_TRUE(differs_beyond_serials(a, b));
  b = a;
  b.record_count = 2;
  EXPECT_TRUE(differs_beyond_serials(a, b));
  b = a;
  b.ready.message = "2 records served by 1 Primary";
  EXPECT_TRUE(differs_beyond_serials(a, b));
}

TEST(ZoneStatus, ASecondaryCatchingUpIsNotADifferenceBeyondSerials) {
  ZoneStatus a;
  a.ref = {"dns.zonekeeper.io/v1alpha1", "DNSZone", "dns", "example", "u", 2};
  a.ready = {"Ready", "True", "AllReady", "1 records served by 1 Primary"};
  a.servers = {{"p", "Primary", 8u, true}, {"s", "Secondary", 8u, true}};
  a.propagated =
      ConditionSpec{"Propagated", "True", "InSync", "1 Secondaries serve the primary's serial"};
  ZoneStatus b = a;
  b.servers[0].serial = 9;
  b.servers[1].ready = false;
  b.propagated = ConditionSpec{"Propagated", "False", "SecondaryBehind",
                               "dns/s serves serial 8, its primary 9"};
  EXPECT_FALSE(differs_beyond_serials(a, b));
  // Unreachable is news, and so is a Primary that is not ready.
  b.propagated = ConditionSpec{"Propagated", "False", "SecondaryUnreachable", "dns/s: Timeout"};
  EXPECT_TRUE(differs_beyond_serials(a, b));
  b = a;
  b.servers[0].ready = false;
  EXPECT_TRUE(differs_beyond_serials(a, b));
}

TEST(ZoneStatusMerge, RecordListIsCapped) {
  ZoneStatus z;
  z.ref = {"dns.zonekeeper.io/v1alpha1", "DNSZone", "dns", "big", "u", 1};
  z.ready = {"Ready", "True", "AllReady", ""};
  std::vector<ServedRecord> many;
  for (size_t i = 0; i < kMaxListedRecords + 5; ++i) {
    many.push_back({"ARecord", "r" + std::to_string(i), "dns", "x."});
  }
  z.records = ServedList(std::move(many));
  z.record_count = z.records.size();
  auto st = merge_zone_status(json::value(nullptr), z, "2026-01-01T00:00:00Z", 0);
  EXPECT_EQ((*st)["records"].as_array().size(), kMaxListedRecords);
  EXPECT_EQ((*st)["recordCount"], static_cast<int64_t>(kMaxListedRecords + 5));
}

TEST(ServerStatusMerge, ContactTimeRefreshedRarely) {
  ServerStatus s;
  s.ref = {"dns.zonekeeper.io/v1alpha1", "DNSServer", "dns", "p", "u", 1};
  s.ready = {"Ready", "True", "Reachable", "127.0.0.1:53 answers"};
  s.zones = {"example.test."};
  s.contacted = true;
  auto first = merge_server_status(json::value(nullptr), s, "2026-01-01T00:00:00Z", 1767225600);
  ASSERT_TRUE(first);
  EXPECT_EQ((*first)["lastContactTime"], "2026-01-01T00:00:00Z");
  // One minute later: unchanged, not written.
  EXPECT_FALSE(
      merge_server_status(json::value(*first), s, "2026-01-01T00:01:00Z", 1767225600 + 60));
  // Ten minutes later: refreshed.
  auto later = merge_server_status(json::value(*first), s, "2026-01-01T00:10:00Z",
                                   1767225600 + kContactRefreshSeconds);
  ASSERT_TRUE(later);
  EXPECT_EQ((*later)["lastContactTime"], "2026-01-01T00:10:00Z");
}

TEST(EndpointStatusMerge, LastSyncTimeMovesOnlyWhenDataIsAcknowledged) {
  EndpointStatus st;
  st.ref = {"externaldns.k8s.io/v1alpha1", "DNSEndpoint", "dns", "recs", "u", 2};
  st.ready = {"Ready", "True", "Programmed", "served: a.ext.test A (zone ext.test.)"};
  auto first = merge_endpoint_status(json::value(nullptr), st, "2026-01-01T00:00:00Z");
  ASSERT_TRUE(first);
  EXPECT_EQ((*first)["observedGeneration"], 2);
  EXPECT_EQ((*first)["lastSyncTime"], "2026-01-01T00:00:00Z");
  // The same verdict later: nothing to write.
  EXPECT_FALSE(merge_endpoint_status(json::value(*first), st, "2026-01-01T00:01:00Z"));
  st.synced = true;
  auto again = merge_endpoint_status(json::value(*first), st, "2026-01-01T00:02:00Z");
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)["lastSyncTime"], "2026-01-01T00:02:00Z");
  // A failure keeps the last successful sync time.
  st.synced = false;
  st.ready = {"Ready", "False", "Failed", "a.ext.test A: Timeout"};
  auto failed = merge_endpoint_status(json::value(*again), st, "2026-01-01T00:03:00Z");
  ASSERT_TRUE(failed);
  EXPECT_EQ((*failed)["lastSyncTime"], "2026-01-01T00:02:00Z");
}

TEST(EndpointStatusMerge, ProviderStatusSerialMovesOnlyWhenThatServerAcknowledgedThisObject) {
  EndpointStatus st;
  st.ref = {"externaldns.k8s.io/v1alpha1", "DNSEndpoint", "dns", "recs", "u", 1};
  st.ready = {"Ready", "True", "Programmed", "served"};
  st.providers = {{"dns/bind", "ext.test", "Programmed", "", 7, false},
                  {"dns/tech", "ext.test", "Failed", "AuthenticationFailed: token refused",
                   std::nullopt, false}};
  auto first = merge_endpoint_status(json::value(nullptr), st, "2026-01-01T00:00:00Z");
  ASSERT_TRUE(first);
  const auto& ps = (*first)["providerStatus"].as_array();
  ASSERT_EQ(ps.size(), 2u);
  // First seen Programmed (a restart finding its data in place): the serial now, synced now.
  EXPECT_EQ(ps[0].as_object(), (json::object{{"server", "dns/bind"},
                                             {"zone", "ext.test"},
                                             {"result", "Programmed"},
                                             {"serial", 7},
                                             {"lastSyncTime", "2026-01-01T00:00:00Z"}}));
  EXPECT_EQ(ps[1].as_object(), (json::object{{"server", "dns/tech"},
                                             {"zone", "ext.test"},
                                             {"result", "Failed"},
                                             {"message", "AuthenticationFailed: token refused"}}));
  // Another object's write moved the zone's serial: nothing of ours changed, nothing written.
  st.providers[0].serial = 9;
  EXPECT_FALSE(merge_endpoint_status(json::value(*first), st, "2026-01-01T00:01:00Z"));
  // This object's data acknowledged by bind: its entry moves, the other stays.
  st.providers[0] = {"dns/bind", "ext.test", "Programmed", "", 10, true};
  auto synced = merge_endpoint_status(json::value(*first), st, "2026-01-01T00:02:00Z");
  ASSERT_TRUE(synced);
  const auto& ps2 = (*synced)["providerStatus"].as_array();
  EXPECT_EQ(ps2[0].at("serial"), 10);
  EXPECT_EQ(ps2[0].at("lastSyncTime"), "2026-01-01T00:02:00Z");
  EXPECT_EQ(ps2[1], ps[1]);
  // bind fails later: the last acknowledged serial and time stay, with the failure.
  st.providers[0] = {"dns/bind", "ext.test", "Failed", "ServerUnreachable: timeout", 10, false};
  auto failed = merge_endpoint_status(json::value(*synced), st, "2026-01-01T00:03:00Z");
  ASSERT_TRUE(failed);
  const auto& ps3 = (*failed)["providerStatus"].as_array();
  EXPECT_EQ(ps3[0].at("result"), "Failed");
  EXPECT_EQ(ps3[0].at("serial"), 10);
  EXPECT_EQ(ps3[0].at("lastSyncTime"), "2026-01-01T00:02:00Z");
  // No server any more (the object left its zones): the list goes.
  st.providers.clear();
  auto none = merge_endpoint_status(json::value(*failed), st, "2026-01-01T00:04:00Z");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->contains("providerStatus"));
}

TEST(ConditionSpec, FailuresAreFalseConditionsThatAreNotWaiting) {
  EXPECT_TRUE(is_failure({"Ready", "False", "ServerUnreachable", "timeout"}));
  EXPECT_TRUE(is_failure({"Ready", "False", "TsigAuthFailed", ""}));
  EXPECT_TRUE(is_failure({"Ready", "False", "NoServers", ""}));
  EXPECT_FALSE(is_failure({"Ready", "True", "Reachable", ""}));  // a recovery: info
  EXPECT_FALSE(is_failure({"Ready", "False", "Pending", ""}));   // on its way
  EXPECT_FALSE(is_failure({"Ready", "False", "SecretPending", ""}));
  EXPECT_FALSE(is_failure({"Ready", "False", "NotSelected", ""}));
  EXPECT_FALSE(is_failure({"Ready", "Unknown", "", ""}));
}

TEST(VerdictEvent, WarningsOnFailuresNormalOnRecoveryNothingOtherwise) {
  auto status = [](const char* st, const char* reason) {
    return boost::json::parse(std::string(R"({"conditions":[{"type":"Ready","status":")") + st +
                              R"(","reason":")" + reason +
                              R"(","message":"m","lastTransitionTime":"2026-01-01T00:00:00Z"}]})");
  };
  ConditionSpec served{"Ready", "True", "Served", "ok"};
  ConditionSpec down{"Ready", "False", "ServerUnreachable", "ns/primary: Timeout"};
  ConditionSpec refused{"Ready", "False", "UpdateRefused", "REFUSED"};
  // First status: only a failure is worth an Event.
  EXPECT_EQ(verdict_event(boost::json::value(), served), std::nullopt);
  EXPECT_EQ(verdict_event(boost::json::value(), down),
            (VerdictEvent{true, "ServerUnreachable", "ns/primary: Timeout"}));
  // Into a failure, from one failure into another: Warning.
  EXPECT_EQ(verdict_event(status("True", "Served"), down)->warning, true);
  EXPECT_EQ(verdict_event(status("False", "ServerUnreachable"), refused)->reason, "UpdateRefused");
  // The same verdict again (a new message only): nothing, the status write is enough.
  EXPECT_EQ(verdict_event(status("False", "ServerUnreachable"), down), std::nullopt);
  EXPECT_EQ(verdict_event(status("True", "Served"), served), std::nullopt);
  // Recovery: Normal.
  EXPECT_EQ(verdict_event(status("False", "ServerUnreachable"), served),
            (VerdictEvent{false, "Served", "ok"}));
  // From waiting to served: nothing (not a recovery from a failure).
  EXPECT_EQ(verdict_event(status("False", "Pending"), served), std::nullopt);
}

TEST(VerdictEvent, ARecordGetsNoEventForTheZonesVerdict) {
  auto status = [](const char* st, const char* reason) {
    return boost::json::parse(std::string(R"({"conditions":[{"type":"Ready","status":")") + st +
                              R"(","reason":")" + reason +
                              R"(","message":"m","lastTransitionTime":"2026-01-01T00:00:00Z"}]})");
  };
  RecordStatus down;
  down.ready = {"Ready", "False", "ServerUnreachable", "dns/p: Timeout"};
  down.zone_wide = true;
  RecordStatus served;
  served.ready = {"Ready", "True", "Served", "ok"};
  RecordStatus refused;
  refused.ready = {"Ready", "False", "UpdateRefused", "p refused the change of www A"};
  // The zone's failure and the recovery from it: the DNSZone's Events tell them.
  EXPECT_EQ(record_verdict_event(status("True", "Served"), down), std::nullopt);
  served.zone_wide = true;
  EXPECT_EQ(record_verdict_event(status("False", "ServerUnreachable"), served), std::nullopt);
  served.zone_wide = false;
  // A blocked zone's recovery cannot be flagged by its report: ZoneNotReady is always the zone's.
  EXPECT_EQ(record_verdict_event(status("False", "ZoneNotReady"), served), std::nullopt);
  // The record's own verdicts keep their Events.
  EXPECT_EQ(record_verdict_event(status("True", "Served"), refused),
            (VerdictEvent{true, "UpdateRefused", "p refused the change of www A"}));
  EXPECT_EQ(record_verdict_event(status("False", "UpdateRefused"), served),
            (VerdictEvent{false, "Served", "ok"}));
}

TEST(ObjectKey, ReadsBackObjectRefKey) {
  ObjectRef ref{"dns.zonekeeper.io/v1alpha1", "ARecord", "team-a", "www", "u1", 2};
  const std::string key = ref.key();  // the parts are views into it
  auto k = parse_object_key(key);
  ASSERT_TRUE(k);
  EXPECT_EQ(k->kind, "ARecord");
  EXPECT_EQ(k->ns, "team-a");
  EXPECT_EQ(k->name, "www");
  auto cluster = parse_object_key("Namespace//team-a");  // cluster-scoped: no namespace
  ASSERT_TRUE(cluster);
  EXPECT_EQ(cluster->ns, "");
  EXPECT_EQ(cluster->name, "team-a");
  EXPECT_FALSE(parse_object_key("ARecord/www"));
  EXPECT_FALSE(parse_object_key("ARecord"));
}

}  // namespace
}  // namespace zk::controller
