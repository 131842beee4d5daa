#include "providers/rfc2136.h"
#include "providers/zone_copy.h"

#include <gtest/gtest.h>

namespace zk::providers {
namespace {

using model::Change;
using model::Name;
using model::Rdata;
using model::RRset;
using model::RRsetMap;
using model::RRType;

const Name kZone = Name::parse("example.test.").value();
Name N(std::string_view s) {
  return Name::parse(s, &kZone).value();
}
Rdata A(std::string_view s) {
  return Rdata::a(s).value();
}

RRsetMap zone() {
  RRsetMap m;
  RRset soa(kZone, RRType::SOA, 3600, {Rdata::soa(N("ns1"), N("h"), 5, 1, 2, 3, 4)});
  m[soa.key()] = soa;
  RRset ns(kZone, RRType::NS, 3600, {Rdata::name_target(RRType::NS, N("ns1"))});
  m[ns.key()] = ns;
  RRset www(N("www"), RRType::A, 300, {A("192.0.2.1"), A("192.0.2.2")});
  m[www.key()] = www;
  return m;
}

TEST(ApplyChanges, FollowsBindSemantics) {
  RRsetMap z = zone();
  std::vector<Change> cs;
  cs.push_back({Change::Op::Replace, RRset(N("api"), RRType::A, 60, {A("192.0.2.9")}), {}});
  cs.push_back({Change::Op::Remove, RRset(N("www"), RRType::A, 300, {A("192.0.2.1")}), {}});
  cs.push_back({Change::Op::Add,
                RRset(kZone, RRType::NS, 7200, {Rdata::name_target(RRType::NS, N("ns2"))}),
                {}});
  cs.push_back({Change::Op::DeleteRRset, RRset(kZone, RRType::SOA, 0), {}});  // ignored
  apply_changes(z, cs);
  EXPECT_EQ(z.at({N("api"), RRType::A}).rdatas().size(), 1u);
  EXPECT_EQ(z.at({N("www"), RRType::A}).rdatas(), std::vector<Rdata>{A("192.0.2.2")});
  const RRset& ns = z.at({kZone, RRType::NS});
  EXPECT_EQ(ns.size(), 2u);
  EXPECT_EQ(ns.ttl(), 7200u);  // the whole RRset takes the added TTL
  EXPECT_TRUE(z.count({kZone, RRType::SOA}));

  // Removing the last record removes the RRset; an empty Replace deletes it.
  apply_changes(z, {{Change::Op::Remove, RRset(N("www"), RRType::A, 300, {A("192.0.2.2")}), {}},
                    {Change::Op::Replace, RRset(N("api"), RRType::A, 0), {}}});
  EXPECT_FALSE(z.count({N("www"), RRType::A}));
  EXPECT_FALSE(z.count({N("api"), RRType::A}));
}

TEST(ApplyChanges, SingletonsAreReplacedByAdd) {
  RRsetMap z = zone();
  apply_changes(z, {{Change::Op::Add,
                     RRset(kZone, RRType::SOA, 3600, {Rdata::soa(N("ns9"), N("h"), 6, 1, 2, 3, 4)}),
                     {}}});
  EXPECT_EQ(z.at({kZone, RRType::SOA}).rdatas().size(), 1u);
  EXPECT_EQ(z.at({kZone, RRType::SOA}).rdatas()[0].soa_serial(), 6u);
}

TEST(ErrorClasses, ChangeSpecificVersusServerWide) {
  dns::Error refused{dns::ErrorCode::Refused, "x"};
  dns::Error timeout{dns::ErrorCode::Timeout, "x"};
  dns::Error badsig{dns::ErrorCode::BadSig, "x"};
  dns::Error prereq{dns::ErrorCode::PrerequisiteFailed, "x"};
  EXPECT_TRUE(change_specific(refused));
  EXPECT_FALSE(server_wide(refused));
  EXPECT_TRUE(server_wide(timeout));
  EXPECT_TRUE(server_wide(badsig));
  EXPECT_FALSE(change_specific(prereq));  // our copy was stale: reload, re-plan
  EXPECT_FALSE(server_wide(prereq));
}

}  // namespace
}  // namespace zk::providers
