#include "managed/dnssec.h"

#include <gtest/gtest.h>

#include "model/base64.h"

namespace zk::managed {
namespace {

using model::Name;

Name N(std::string_view s) {
  return Name::parse(s).value();
}

// A key pair made with `dnssec-keygen -a ECDSAP256SHA256 [-f KSK] example.test`; the DS
// values are what `dnssec-dsfromkey -2` printed for them.
constexpr std::string_view kKsk =
    "zD0Z91CZ9aT3Y8DQzAhSpDtr0u0gVhMRvvALqZfot/VWH38ZeUGaMcBl3HHUParMc8yoCut41XRPLBbrCeKg7A==";
constexpr std::string_view kZsk =
    "LNcg2dMe1B8ImXm/uRxVMHX7PFi1EOwT3iqIhkMp5ZXVtUsccvBNu07ndfIKfZ7yprO4x6/vy9e9JCtCeOBr7A==";

std::vector<uint8_t> dnskey(uint16_t flags, uint8_t algorithm, std::string_view key) {
  std::vector<uint8_t> out{static_cast<uint8_t>(flags >> 8), static_cast<uint8_t>(flags), 3,
                           algorithm};
  auto k = model::decode_base64(key).value();
  out.insert(out.end(), k.begin(), k.end());
  return out;
}

TEST(Dnssec, DsMatchesDnssecDsfromkey) {
  const auto ksk = dnskey(257, 13, kKsk);
  EXPECT_EQ(key_tag(ksk), 21972);
  const DsRecord ds = ds_record(N("example.test."), ksk);
  EXPECT_EQ(ds.key_tag, 21972);
  EXPECT_EQ(ds.algorithm, 13);
  EXPECT_EQ(ds.digest_type, 2);
  EXPECT_EQ(to_string(N("example.test."), ds),
            "example.test. IN DS 21972 13 2 "
            "7767A5C7FB3C4F6C5AA1F336517902BA31C7D428E98C92C18BA6203590C40416");
  // The owner name is hashed in canonical (lower-case) form.
  EXPECT_EQ(ds_record(N("Example.TEST."), ksk), ds);
  const auto zsk = dnskey(256, 13, kZsk);
  EXPECT_EQ(ds_record(N("example.test."), zsk).digest,
            "8FE727F43C2541411F32FE009708B5E800EE1FCFF87042C5AE11755E60FA9252");
  EXPECT_EQ(key_tag(zsk), 25800);
}

TEST(Dnssec, DsRecordsAreOfTheKeySigningKeysOnly) {
  const Name zone = N("example.test.");
  model::RRsetMap rrsets;
  EXPECT_TRUE(ds_records(zone, rrsets).empty());
  model::RRset keys(zone, static_cast<model::RRType>(48), 3600);
  keys.add(model::Rdata::from_wire(static_cast<model::RRType>(48), dnskey(256, 13, kZsk)).value());
  keys.add(model::Rdata::from_wire(static_cast<model::RRType>(48), dnskey(257, 13, kKsk)).value());
  // A revoked KSK (flags 385) is not one the parent should point to.
  keys.add(model::Rdata::from_wire(static_cast<model::RRType>(48), dnskey(385, 13, kZsk)).value());
  rrsets.emplace(keys.key(), keys);
  auto ds = ds_records(zone, rrsets);
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].key_tag, 21972);
  EXPECT_TRUE(ds_records(N("other.test."), rrsets).empty());
}

TEST(Dnssec, PolicyTextRoundTrips) {
  api::Dnssec d;
  EXPECT_EQ(policy_text(d), "zk1 alg=13 ksk=unlimited zsk=unlimited denial=nsec");
  EXPECT_EQ(parse_policy_text(policy_text(d)).value(), d);
  d.algorithm = 15;
  d.ksk_lifetime = 365 * 86400;
  d.zsk_lifetime = 90 * 86400;
  d.nsec3 = true;
  EXPECT_EQ(policy_text(d), "zk1 alg=15 ksk=31536000 zsk=7776000 denial=nsec3");
  EXPECT_EQ(parse_policy_text(policy_text(d)).value(), d);
  for (const char* bad : {"", "zk1", "zk2 alg=13 ksk=unlimited zsk=unlimited denial=nsec",
                          "zk1 alg=7 ksk=unlimited zsk=unlimited denial=nsec",
                          "zk1 alg=13 ksk=60 zsk=unlimited denial=nsec",
                          "zk1 alg=13 zsk=unlimited ksk=unlimited denial=nsec",
                          "zk1 alg=13 ksk=unlimited zsk=unlimited denial=nsec5",
                          "zk1 alg=13 ksk=unlimited zsk=unlimited denial=nsec extra",
                          "zk1 alg=13x ksk=unlimited zsk=unlimited denial=nsec"}) {
    EXPECT_FALSE(parse_policy_text(bad)) << bad;
  }
}

TEST(Dnssec, PolicyStatement) {
  api::Dnssec d;
  const std::string name = policy_name(d);
  EXPECT_EQ(name.size(), 19u);
  EXPECT_EQ(name.rfind("zk-", 0), 0u);
  EXPECT_EQ(policy_statement(d),
            "dnssec-policy \"" + name +
                "\" { keys { csk key-directory lifetime unlimited algorithm ecdsap256sha256; }; "
                "};\n");
  api::Dnssec split{.algorithm = 14,
                    .ksk_lifetime = std::nullopt,
                    .zsk_lifetime = 2592000,
                    .nsec3 = true,
                    .ds_config_map = ""};
  EXPECT_NE(policy_name(split), name);
  EXPECT_EQ(policy_statement(split),
            "dnssec-policy \"" + policy_name(split) +
                "\" { keys { ksk key-directory lifetime unlimited algorithm ecdsap384sha384; "
                "zsk key-directory lifetime PT2592000S algorithm ecdsap384sha384; }; "
                "nsec3param iterations 0 optout no salt-length 0; };\n");
}

}  // namespace
}  // namespace zk::managed
