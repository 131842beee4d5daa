#include "model/rrset.h"

#include <cctype>

#include <gtest/gtest.h>

#include "model/changeset.h"

namespace zk::model {
namespace {

const Name kZone = Name::parse("example.test.").value();
Name N(std::string_view s) {
  return Name::parse(s, &kZone).value();
}
Rdata A(std::string_view ip) {
  return Rdata::a(ip).value();
}

TEST(RRset, SortedAndDeduplicated) {
  RRset s(N("www"), RRType::A, 300, {A("192.0.2.2"), A("192.0.2.1"), A("192.0.2.2")});
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s.rdatas()[0].to_text(), "192.0.2.1");
  EXPECT_FALSE(s.add(A("192.0.2.1")));
  EXPECT_FALSE(s.add(Rdata::aaaa("::1").value()));  // wrong type
}

TEST(RRset, ValidateSingletons) {
  RRset c(N("alias"), RRType::CNAME, 60,
          {Rdata::name_target(RRType::CNAME, N("a")), Rdata::name_target(RRType::CNAME, N("b"))});
  auto v = c.validate();
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().find("at most one CNAME"), std::string::npos);
  RRset big_ttl(N("x"), RRType::A, 0x80000000u, {A("192.0.2.1")});
  EXPECT_FALSE(big_ttl.validate());
}

TEST(CanonicalHash, OrderAndCaseIndependent) {
  RRset a(N("www"), RRType::A, 300, {A("192.0.2.1"), A("192.0.2.2")});
  RRset b(N("mail"), RRType::MX, 300, {Rdata::mx(10, N("mx1"))});
  RRset a2(Name::parse("WWW.example.TEST.").value(), RRType::A, 300,
           {A("192.0.2.2"), A("192.0.2.1")});
  EXPECT_EQ(canonical_hash(std::vector{a, b}), canonical_hash(std::vector{b, a2}));
  EXPECT_EQ(canonical_hash(std::vector{a}).size(), 64u);
  RRset a_ttl(N("www"), RRType::A, 301, {A("192.0.2.1"), A("192.0.2.2")});
  EXPECT_NE(canonical_hash(std::vector{a}), canonical_hash(std::vector{a_ttl}));
  // Pinned value: the hash must stay stable across runs, machines and releases.
  EXPECT_EQ(canonical_hash(std::vector<RRset>{}),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  RRsetMap m;
  m[a.key()] = a;
  m[b.key()] = b;
  EXPECT_EQ(canonical_hash(m), canonical_hash(std::vector{b, a}));
  // The digest is the same hash, kept as octets.
  EXPECT_EQ(canonical_digest(std::vector{a, b}).hex(), canonical_hash(std::vector{a, b}));
  EXPECT_EQ(canonical_digest(std::vector{a, b}), canonical_digest(std::vector{b, a2}));
  EXPECT_NE(canonical_digest(std::vector{a}), canonical_digest(std::vector{a_ttl}));
  EXPECT_NE(canonical_digest(std::vector<RRset>{}), RRsetDigest());  // a hash, though of nothing
  EXPECT_TRUE(RRsetDigest().empty());
  EXPECT_EQ(RRsetDigest().hex(), "");
  // hex() reads back (either case); anything but 64 hex digits does not.
  const RRsetDigest d = canonical_digest(std::vector{a, b});
  EXPECT_EQ(RRsetDigest::from_hex(d.hex()), d);
  std::string upper = d.hex();
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(RRsetDigest::from_hex(upper), d);
  for (const std::string& bad :
       {std::string(), d.hex().substr(1), d.hex() + "0", std::string("h1"), "+" + d.hex().substr(1),
        "0x" + d.hex().substr(2), d.hex().substr(0, 63) + "g", std::string(64, ' ')}) {
    EXPECT_FALSE(RRsetDigest::from_hex(bad)) << bad;
  }
}

TEST(ValidateZoneData, CnameRules) {
  RRsetMap m;
  auto add = [&](const RRset& s) { m[s.key()] = s; };
  add(RRset(N("alias"), RRType::CNAME, 60, {Rdata::name_target(RRType::CNAME, N("www"))}));
  add(RRset(N("alias"), RRType::TXT, 60, {Rdata::txt_from_text("x")}));
  add(RRset(kZone, RRType::CNAME, 60, {Rdata::name_target(RRType::CNAME, N("www"))}));
  add(RRset(Name::parse("outside.org.").value(), RRType::A, 60, {A("192.0.2.1")}));
  add(RRset(N("fine"), RRType::CNAME, 60, {Rdata::name_target(RRType::CNAME, N("www"))}));
  auto problems = validate_zone_data(kZone, m);
  ASSERT_EQ(problems.size(), 3u);
  std::string all;
  for (auto& p : problems) all += p + "\n";
  EXPECT_NE(all.find("outside.org. is outside zone"), std::string::npos) << all;
  EXPECT_NE(all.find("CNAME at alias.example.test. cannot coexist"), std::string::npos) << all;
  EXPECT_NE(all.find("CNAME at the zone apex"), std::string::npos) << all;
}

TEST(ChangeSet, CountsRecords) {
  ChangeSet cs{kZone, {}};
  cs.replace(RRset(N("www"), RRType::A, 300, {A("192.0.2.1"), A("192.0.2.2")}));
  cs.remove_rrset({N("old"), RRType::TXT});
  EXPECT_EQ(cs.record_count(), 2u);
  EXPECT_EQ(cs.changes[1].op, Change::Op::DeleteRRset);
}

}  // namespace
}  // namespace zk::model
