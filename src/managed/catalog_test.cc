#include "managed/catalog.h"

#include <gtest/gtest.h>

#include <random>

namespace zk::managed {
namespace {

using model::Name;
using model::Rdata;
using model::RRset;
using model::RRsetKey;
using model::RRsetMap;
using model::RRType;

Name N(std::string_view text) {
  return Name::parse(text).value();
}

TEST(Catalog, RecordsFollowRfc9432) {
  const RRsetMap records = catalog_records(catalog_zone(), {N("example.test."), N("shop.test.")});
  ASSERT_EQ(records.size(), 4u);  // version, NS, two members
  const auto& version = records.at(RRsetKey{N("version.catalog.zonekeeper.invalid."), RRType::TXT});
  EXPECT_EQ(version.rdatas().front().txt_strings(), std::vector<std::string>{"2"});
  const auto& ns = records.at(RRsetKey{catalog_zone(), RRType::NS});
  EXPECT_EQ(ns.rdatas().front().target(), N("invalid."));
  const Name owner = member_owner(catalog_zone(), N("example.test."));
  EXPECT_TRUE(owner.parent() == N("zones.catalog.zonekeeper.invalid."));
  EXPECT_TRUE(is_member_owner(catalog_zone(), owner));
  EXPECT_FALSE(is_member_owner(catalog_zone(), N("group.x.zones.catalog.zonekeeper.invalid.")));
  EXPECT_FALSE(is_member_owner(catalog_zone(), N("version.catalog.zonekeeper.invalid.")));
  // Another catalog's name works the same.
  const Name other = N("cat.example.");
  EXPECT_TRUE(catalog_members(other, catalog_records(other, {N("a.test.")})).members ==
              std::set<Name>{N("a.test.")});
  const auto& ptr = records.at(RRsetKey{owner, RRType::PTR});
  EXPECT_EQ(ptr.rdatas().front().target(), N("example.test."));
}

TEST(Catalog, MemberIdIsStableCaseInsensitiveAndDistinct) {
  const std::string id = member_id(N("example.test."));
  EXPECT_EQ(id.size(), 40u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(id, member_id(N("Example.TEST.")));
  EXPECT_NE(id, member_id(N("example2.test.")));
  // Pinned: consumers keep a member's identity across zonekeeper versions, so the hash must
  // not change (SHA-1 of the canonical wire form 07example04test00).
  EXPECT_EQ(id, "9ad5c38ccc8faf01ad67006749b63aa6ab1ffa07");
}

TEST(Catalog, MembersRoundTripOnRandomSets) {
  std::mt19937 rng(12);
  for (int round = 0; round < 300; ++round) {
    std::set<Name> zones;
    const int n = static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i) {
      zones.insert(N("z" + std::to_string(rng() % 100) + ".t" + std::to_string(rng() % 3) + "."));
    }
    const CatalogContent back =
        catalog_members(catalog_zone(), catalog_records(catalog_zone(), zones));
    EXPECT_TRUE(back.problems.empty());
    EXPECT_EQ(back.members, zones) << "round " << round;
  }
}

TEST(Catalog, UnknownVersionMeansNoMembers) {
  RRsetMap records = catalog_records(catalog_zone(), {N("example.test.")});
  records.erase(RRsetKey{N("version.catalog.zonekeeper.invalid."), RRType::TXT});
  CatalogContent c = catalog_members(catalog_zone(), records);
  EXPECT_FALSE(c.known_version);
  EXPECT_TRUE(c.members.empty());
  ASSERT_EQ(c.problems.size(), 1u);
  EXPECT_NE(c.problems[0].find("version"), std::string::npos);

  RRset v1(N("version.catalog.zonekeeper.invalid."), RRType::TXT, 0);
  v1.add(Rdata::txt({"1"}).value());
  records.emplace(v1.key(), v1);
  EXPECT_TRUE(catalog_members(catalog_zone(), records).members.empty());
}

TEST(Catalog, AmbiguousMembersAreLeftOut) {
  RRsetMap records = catalog_records(catalog_zone(), {N("a.test."), N("b.test.")});
  // b.test. under a second label too.
  RRset dup(N("other.zones.catalog.zonekeeper.invalid."), RRType::PTR, 0);
  dup.add(Rdata::name_target(RRType::PTR, N("B.test.")));
  records.emplace(dup.key(), dup);
  // A member label with two PTRs.
  RRset two(N("two.zones.catalog.zonekeeper.invalid."), RRType::PTR, 0);
  two.add(Rdata::name_target(RRType::PTR, N("c.test.")));
  two.add(Rdata::name_target(RRType::PTR, N("d.test.")));
  records.emplace(two.key(), two);
  // Properties below a member (RFC 9432 §4.4) are not members.
  RRset group(N("group.other.zones.catalog.zonekeeper.invalid."), RRType::TXT, 0);
  group.add(Rdata::txt({"g"}).value());
  records.emplace(group.key(), group);

  const CatalogContent c = catalog_members(catalog_zone(), records);
  EXPECT_TRUE(c.known_version);
  EXPECT_EQ(c.members, std::set<Name>{N("a.test.")});
  EXPECT_EQ(c.ambiguous, (std::set<Name>{N("b.test."), N("c.test."), N("d.test.")}));
  ASSERT_EQ(c.problems.size(), 2u);
  EXPECT_NE(c.problems[0].find("2 PTR records"), std::string::npos) << c.problems[0];
  EXPECT_NE(c.problems[1].find("b.test. is a member 2 times"), std::string::npos) << c.problems[1];
}

TEST(Catalog, DnssecPolicyIsAMemberProperty) {
  const Name a = N("a.test."), b = N("b.test.");
  const RRsetMap records =
      catalog_records(catalog_zone(), {a, b},
                      {{a, "zk1 alg=13 ksk=unlimited zsk=unlimited denial=nsec"},
                       {N("not-a-member.test."), "zk1 ignored"}});
  ASSERT_EQ(records.size(), 5u);  // version, NS, two members, one property
  const Name owner = dnssec_property_owner(catalog_zone(), a);
  EXPECT_EQ(owner,
            Name::parse("dnssec-policy.ext." + member_id(a) + ".zones.catalog.zonekeeper.invalid.")
                .value());
  EXPECT_TRUE(is_member_property(catalog_zone(), owner));
  EXPECT_FALSE(is_member_property(catalog_zone(), member_owner(catalog_zone(), a)));
  EXPECT_FALSE(is_member_property(
      catalog_zone(),
      Name::parse("x.other." + member_id(a) + ".zones.catalog.zonekeeper.invalid.").value()));
  const CatalogContent content = catalog_members(catalog_zone(), records);
  EXPECT_EQ(content.members, (std::set<Name>{a, b}));
  ASSERT_EQ(content.dnssec_policies.size(), 1u);
  EXPECT_EQ(content.dnssec_policies.at(a), "zk1 alg=13 ksk=unlimited zsk=unlimited denial=nsec");
  EXPECT_TRUE(content.problems.empty());

  // Two strings: not a policy zonekeeper wrote; the zone's DNSSEC is left alone.
  RRsetMap odd = records;
  RRset two(owner, RRType::TXT, 0);
  two.add(Rdata::txt({"zk1", "x"}).value());
  odd.erase(RRsetKey{owner, RRType::TXT});
  odd.emplace(two.key(), two);
  const CatalogContent c2 = catalog_members(catalog_zone(), odd);
  EXPECT_EQ(c2.members, (std::set<Name>{a, b}));
  EXPECT_TRUE(c2.dnssec_policies.empty());
  EXPECT_EQ(c2.dnssec_unknown, std::set<Name>{a});
  ASSERT_EQ(c2.problems.size(), 1u);
}

}  // namespace
}  // namespace zk::managed
