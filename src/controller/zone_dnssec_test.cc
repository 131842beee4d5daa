#include "controller/zone_dnssec.h"

#include <gtest/gtest.h>
#include <boost/json/value.hpp>

#include "api/reasons.h"
#include "model/base64.h"

namespace zk::controller {
namespace {

using model::Name;
namespace json = boost::json;

Name N(std::string_view s) {
  return Name::parse(s).value();
}

api::Server server(std::string name, bool catalog) {
  api::Server s;
  s.ns = "dns";
  s.name = std::move(name);
  if (catalog) s.catalog_zone = N("catalog.zonekeeper.invalid.");
  return s;
}

TEST(ZoneDnssec, OnlyServersWithACatalogSign) {
  api::Zone zone;
  zone.zone_name = N("example.test.");
  const std::vector<api::Server> mixed{server("managed", true), server("plain", false)};
  EXPECT_FALSE(dnssec_unsupported(zone, mixed));  // no spec.dnssec: anything goes
  zone.dnssec = api::Dnssec{};
  EXPECT_FALSE(dnssec_unsupported(zone, {server("managed", true)}));
  auto why = dnssec_unsupported(zone, mixed);
  ASSERT_TRUE(why);
  EXPECT_EQ(why->status, "False");
  EXPECT_EQ(why->reason, api::reasons::kDnssecNotSupported);
  EXPECT_NE(why->message.find("DNSServer dns/plain has no catalog zone"), std::string::npos)
      << why->message;
}

TEST(ZoneDnssec, StatusHasTheDsOfTheServedKeySigningKeys) {
  const Name zone = N("example.test.");
  providers::ServedZone served;
  DnssecStatus unsigned_zone = dnssec_status(zone, served);
  EXPECT_FALSE(unsigned_zone.is_signed);
  EXPECT_TRUE(unsigned_zone.ds.empty());
  // The KSK of managed/dnssec_test.cc (dnssec-dsfromkey: 21972 13 2 7767…).
  std::vector<uint8_t> wire{0x01, 0x01, 3, 13};
  const auto public_key = model::decode_base64(
                              "zD0Z91CZ9aT3Y8DQzAhSpDtr0u0gVhMRvvALqZfot/VWH38ZeUGaMcBl3HHUParMc8yo"
                              "Cut41XRPLBbrCeKg7A==")
                              .value();
  wire.insert(wire.end(), public_key.begin(), public_key.end());
  auto key = model::Rdata::from_wire(static_cast<model::RRType>(48), wire);
  ASSERT_TRUE(key) << key.error();
  model::RRset keys(zone, static_cast<model::RRType>(48), 3600);
  keys.add(*key);
  served.rrsets.emplace(keys.key(), keys);
  const DnssecStatus st = dnssec_status(zone, served);
  EXPECT_TRUE(st.is_signed);
  ASSERT_EQ(st.ds.size(), 1u);
  EXPECT_EQ(st.ds[0].key_tag, 21972);

  ZoneStatus z;
  z.ref = {"dns.zonekeeper.io/v1alpha1", "DNSZone", "dns", "example", "u", 1};
  z.ready = {"Ready", "True", "AllReady", ""};
  z.dnssec = st;
  auto first = merge_zone_status(json::value(nullptr), z, "2026-01-01T00:00:00Z", 0);
  ASSERT_TRUE(first);
  const json::object& d = (*first)["dnssec"].as_object();
  EXPECT_EQ(d.at("signed"), true);
  const json::object& ds = d.at("ds").as_array()[0].as_object();
  EXPECT_EQ(ds.at("keyTag"), 21972);
  EXPECT_EQ(ds.at("algorithm"), 13);
  EXPECT_EQ(ds.at("digestType"), 2);
  EXPECT_EQ(ds.at("digest"), "7767A5C7FB3C4F6C5AA1F336517902BA31C7D428E98C92C18BA6203590C40416");
  EXPECT_EQ(ds.at("record"),
            "example.test. IN DS 21972 13 2 "
            "7767A5C7FB3C4F6C5AA1F336517902BA31C7D428E98C92C18BA6203590C40416");
  // A status change beyond serials; spec.dnssec taken away: status.dnssec goes.
  ZoneStatus plain = z;
  plain.dnssec.reset();
  EXPECT_TRUE(differs_beyond_serials(z, plain));
  auto second = merge_zone_status(json::value(*first), plain, "2026-01-01T00:01:00Z", 60);
  ASSERT_TRUE(second);
  EXPECT_TRUE((*second)["dnssec"].is_null());  // the status is written as a merge patch
  json::object stored = *second;
  stored.erase("dnssec");  // what the API server keeps
  auto third = merge_zone_status(json::value(stored), plain, "2026-01-01T00:02:00Z", 120);
  EXPECT_FALSE(third && third->contains("dnssec"));
}

}  // namespace
}  // namespace zk::controller
