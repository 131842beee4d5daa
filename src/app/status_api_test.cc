#include "app/status_api.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace zk::app {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

TEST(StatusApi, DocumentSaysLeaderZonesServersAndRecentFailures) {
  controller::Activity activity;
  const auto t0 = std::chrono::system_clock::time_point(1780000000s);
  activity.record({"z/dns/example", "DNSZone", "ServerUnreachable", t0 - 10min, 0.5});
  activity.record({"z/dns/example", "DNSZone", "TsigAuthFailed", t0 - 1min, 0.25});
  activity.record({"s/dns/primary", "DNSServer", "", t0 - 30s, 0.001});

  controller::Controller::ZoneSummary z;
  z.ns = "dns";
  z.name = "example";
  z.zone = "example.test.";
  z.ready = {"Ready", "False", "NotReady", "1 of 1 Primary failed"};
  z.record_count = 3;
  z.served = 0;
  z.servers = {{"primary", "Primary", 7, false}, {"secondary", "Secondary", std::nullopt, false}};
  controller::Controller::ZoneSummary pending;
  pending.ns = "dns";
  pending.name = "fresh";

  StatusInputs in{"cluster", "zk-0",       "0.1.0",   true, "caches not synced: ARecord",
                  4,         {z, pending}, &activity, t0};
  json::object doc = json::parse(status_document(in)).as_object();
  EXPECT_EQ(doc.at("mode"), "cluster");
  EXPECT_EQ(doc.at("identity"), "zk-0");
  EXPECT_EQ(doc.at("leader"), true);
  EXPECT_EQ(doc.at("ready"), false);
  EXPECT_EQ(doc.at("unready"), "caches not synced: ARecord");
  EXPECT_EQ(doc.at("time"), "2026-05-28T20:26:40Z");
  EXPECT_EQ(doc.at("queue").at("depth"), 4);
  EXPECT_EQ(doc.at("zoneCount"), 2);
  EXPECT_EQ(doc.at("zonesReady"), 0);
  const json::object& zone = doc.at("zones").at(0).as_object();
  EXPECT_EQ(zone.at("zone"), "example.test.");
  EXPECT_EQ(zone.at("ready").at("reason"), "NotReady");
  EXPECT_EQ(zone.at("recordCount"), 3);
  EXPECT_EQ(zone.at("recordObjectsServed"), 0);
  EXPECT_EQ(zone.at("servers").at(0).at("serial"), 7);
  EXPECT_TRUE(zone.at("servers").at(1).at("serial").is_null());
  EXPECT_EQ(doc.at("zones").at(1).at("ready").at("status"), "Unknown");

  const json::object& rec = doc.at("reconciles").as_object();
  EXPECT_EQ(rec.at("total"), 3);
  EXPECT_EQ(rec.at("errors"), 2);
  EXPECT_EQ(rec.at("windowSeconds"), 300);
  // The failure of ten minutes ago is outside the window.
  EXPECT_EQ(rec.at("errorsInWindow"), 1);
  ASSERT_EQ(rec.at("recentErrors").as_array().size(), 1u);
  EXPECT_EQ(rec.at("recentErrors").at(0).at("reason"), "TsigAuthFailed");
  EXPECT_EQ(rec.at("last").at("key"), "s/dns/primary");
  EXPECT_EQ(rec.at("last").at("result"), "success");
  EXPECT_FALSE(rec.at("last").as_object().contains("reason"));
}

TEST(StatusApi, ReadyWithoutZonesOrActivity) {
  StatusInputs in;
  in.mode = "local";
  json::object doc = json::parse(status_document(in)).as_object();
  EXPECT_EQ(doc.at("ready"), true);
  EXPECT_FALSE(doc.contains("unready"));
  EXPECT_TRUE(doc.at("zones").as_array().empty());
  EXPECT_TRUE(doc.at("reconciles").as_object().empty());
}

}  // namespace
}  // namespace zk::app
