#include "plan/zone_plan.h"

#include <gtest/gtest.h>

namespace zk::plan {
namespace {

using model::Name;
using model::Rdata;
using model::RRset;
using model::RRsetMap;
using model::RRType;
using Op = model::Change::Op;

const Name kZone = Name::parse("example.test.").value();
Name N(std::string_view s) {
  return Name::parse(s, &kZone).value();
}
Rdata A(std::string_view s) {
  return Rdata::a(s).value();
}

void put(RRsetMap& m, RRset s) {
  m[s.key()] = std::move(s);
}

RRsetMap served() {
  RRsetMap m;
  put(m, RRset(kZone, RRType::SOA, 3600, {Rdata::soa(N("ns1"), N("h"), 5, 1, 2, 3, 4)}));
  put(m, RRset(kZone, RRType::NS, 3600, {Rdata::name_target(RRType::NS, N("ns1"))}));
  put(m, RRset(N("ns1"), RRType::A, 3600, {A("127.0.0.1")}));
  put(m, RRset(N("www"), RRType::A, 300, {A("192.0.2.1")}));
  put(m, RRset(N("www"), RRType::TXT, 300, {Rdata::txt_from_text("old")}));
  put(m, RRset(N("unrelated"), RRType::A, 300, {A("192.0.2.99")}));
  return m;
}

TEST(PlanNames, NothingToDoWhenEqual) {
  RRsetMap desired;
  put(desired, RRset(N("www"), RRType::A, 300, {A("192.0.2.1")}));
  put(desired, RRset(N("www"), RRType::TXT, 300, {Rdata::txt_from_text("old")}));
  auto p = plan_names(kZone, desired, served());
  EXPECT_TRUE(p.empty());
  EXPECT_TRUE(p.diff.empty());
}

TEST(PlanNames, ReplacesChangedDeletesMissingLeavesOtherNames) {
  RRsetMap desired;
  put(desired, RRset(N("www"), RRType::A, 300, {A("192.0.2.1"), A("192.0.2.2")}));
  put(desired, RRset(N("new"), RRType::AAAA, 60, {Rdata::aaaa("2001:db8::1").value()}));
  auto s = served();
  auto p = plan_names(kZone, desired, s);
  ASSERT_EQ(p.changes.changes.size(), 3u);
  // www TXT is not desired at a desired name → deleted, guarded by what we saw.
  EXPECT_EQ(p.changes.changes[0].op, Op::DeleteRRset);
  EXPECT_EQ(p.changes.changes[0].rrset.type(), RRType::TXT);
  ASSERT_TRUE(p.changes.changes[0].expect);
  EXPECT_EQ(p.changes.changes[0].expect->size(), 1u);
  // new AAAA: replace, expecting absence.
  // www A: replace, expecting the old single record.
  for (size_t i = 1; i < 3; ++i) {
    EXPECT_EQ(p.changes.changes[i].op, Op::Replace);
    ASSERT_TRUE(p.changes.changes[i].expect);
  }
  std::vector<std::string> lines;
  for (auto& d : p.diff) lines.push_back(d.to_string());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "+ www.example.test. 300 IN A 192.0.2.2"),
            lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "- www.example.test. 300 IN TXT \"old\""),
            lines.end());
  EXPECT_EQ(std::find(lines.begin(), lines.end(), "+ www.example.test. 300 IN A 192.0.2.1"),
            lines.end());
  for (auto& c : p.changes.changes) EXPECT_NE(c.rrset.owner(), N("unrelated"));
}

TEST(PlanNames, TtlChangeShowsAsRemoveAndAdd) {
  RRsetMap desired;
  put(desired, RRset(N("www"), RRType::A, 600, {A("192.0.2.1")}));
  put(desired, RRset(N("www"), RRType::TXT, 300, {Rdata::txt_from_text("old")}));
  auto p = plan_names(kZone, desired, served());
  ASSERT_EQ(p.changes.changes.size(), 1u);
  ASSERT_EQ(p.diff.size(), 2u);
  EXPECT_EQ(p.diff[0].sign, '-');
  EXPECT_EQ(p.diff[1].sign, '+');
}

TEST(PlanNames, SoaIgnoredApexNsNeverDeletedWhole) {
  RRsetMap desired;
  put(desired, RRset(kZone, RRType::SOA, 60, {Rdata::soa(N("x"), N("y"), 99, 1, 1, 1, 1)}));
  put(desired, RRset(kZone, RRType::NS, 3600, {Rdata::name_target(RRType::NS, N("ns2"))}));
  auto p = plan_names(kZone, desired, served());
  ASSERT_EQ(p.changes.changes.size(), 2u);
  EXPECT_EQ(p.changes.changes[0].op, Op::Add);
  EXPECT_EQ(p.changes.changes[0].rrset.rdatas()[0].target(), N("ns2"));
  EXPECT_EQ(p.changes.changes[1].op, Op::Remove);
  EXPECT_EQ(p.changes.changes[1].rrset.rdatas()[0].target(), N("ns1"));
  ASSERT_FALSE(p.notes.empty());
  EXPECT_NE(p.notes[0].find("SOA"), std::string::npos);
}

// The export of a signed zone re-imports without touching the signer's records: an RRSIG in
// the document is not sent, and one served at a document name is not deleted.
TEST(PlanNames, DnssecRecordsAreTheSignersNeitherSentNorDeleted) {
  const RRType rrsig = RRType(46), nsec = RRType(47);
  auto sig = Rdata::parse(rrsig, "\\# 4 00010203", kZone).value();
  RRsetMap s = served();
  put(s, RRset(N("www"), rrsig, 300, {sig}));
  RRsetMap desired;
  put(desired, RRset(N("www"), RRType::A, 300, {A("192.0.2.1")}));
  put(desired, RRset(N("www"), RRType::TXT, 300, {Rdata::txt_from_text("old")}));
  put(desired, RRset(N("www"), nsec, 300, {Rdata::parse(nsec, "\\# 2 0000", kZone).value()}));
  auto p = plan_names(kZone, desired, s);
  EXPECT_TRUE(p.changes.changes.empty());
  ASSERT_EQ(p.notes.size(), 1u);
  EXPECT_NE(p.notes[0].find("DNSSEC"), std::string::npos) << p.notes[0];
}

TEST(PlanNames, ApexWithoutNsKeepsServedNs) {
  RRsetMap desired;
  put(desired, RRset(kZone, RRType::TXT, 60, {Rdata::txt_from_text("v=spf1 -all")}));
  auto p = plan_names(kZone, desired, served());
  ASSERT_EQ(p.changes.changes.size(), 1u);
  EXPECT_EQ(p.changes.changes[0].rrset.type(), RRType::TXT);
  EXPECT_FALSE(p.notes.empty());
}

// ---------------------------------------------------------------- plan_zone

RRsetMap declared_www() {
  RRsetMap d;
  put(d, RRset(N("www"), RRType::A, 300, {A("192.0.2.1")}));
  return d;
}

TEST(PlanZone, RemediateDeletesUndeclaredButNeverSoaApexNsOrDnssec) {
  RRsetMap s = served();
  put(s, RRset(kZone, static_cast<RRType>(46), 300, {}));  // RRSIG (empty rdata list is fine)
  put(s, RRset(kZone, static_cast<RRType>(48), 300, {}));  // DNSKEY
  auto p = plan_zone(kZone, declared_www(), s, {});
  // www TXT and unrelated A are undeclared; ns1 A, the address of the server's own apex NS
  // (no nameServers declared), is the server's.
  std::vector<model::RRsetKey> want = {{N("unrelated"), RRType::A}, {N("www"), RRType::TXT}};
  EXPECT_EQ(p.undeclared, want);
  ASSERT_EQ(p.changes.changes.size(), 2u);
  for (const auto& c : p.changes.changes) {
    EXPECT_EQ(c.op, Op::DeleteRRset);
    ASSERT_TRUE(c.expect.has_value());  // guarded: only what we saw is deleted
    EXPECT_EQ(*c.expect, s.at(c.rrset.key()));
  }
}

TEST(PlanZone, WithoutDeclaredNameServersTheirAddressesAreTheServers) {
  RRsetMap s = served();
  put(s, RRset(N("old"), RRType::A, 300, {A("192.0.2.7")}));
  RRsetMap d = declared_www();
  put(d, RRset(N("www"), RRType::TXT, 300, {Rdata::txt_from_text("old")}));
  put(d, RRset(N("unrelated"), RRType::A, 300, {A("192.0.2.99")}));
  // No apex NS declared: ns1's address (target of the served NS) stays, "old" goes.
  auto p = plan_zone(kZone, d, s, {});
  std::vector<model::RRsetKey> want = {{N("old"), RRType::A}};
  EXPECT_EQ(p.undeclared, want);
  ASSERT_EQ(p.changes.changes.size(), 1u);
  EXPECT_EQ(p.changes.changes[0].rrset.key(), (model::RRsetKey{N("old"), RRType::A}));
  // With name servers declared, the old glue is ours to manage: undeclared, deleted.
  put(d, RRset(kZone, RRType::NS, 3600, {Rdata::name_target(RRType::NS, N("ns2"))}));
  put(d, RRset(N("ns2"), RRType::A, 3600, {A("127.0.0.2")}));
  auto q = plan_zone(kZone, d, s, {});
  EXPECT_EQ(q.undeclared,
            (std::vector<model::RRsetKey>{{N("ns1"), RRType::A}, {N("old"), RRType::A}}));
}

TEST(PlanZone, ReportKeepsUndeclaredButRemovesReleasedKeys) {
  ZoneOwnership own;
  own.remove_undeclared = false;
  own.released.insert({N("www"), RRType::TXT});  // we served it; its object went away
  auto p = plan_zone(kZone, declared_www(), served(), own);
  ASSERT_EQ(p.changes.changes.size(), 1u);
  EXPECT_EQ(p.changes.changes[0].op, Op::DeleteRRset);
  EXPECT_EQ(p.changes.changes[0].rrset.key(), (model::RRsetKey{N("www"), RRType::TXT}));
  std::vector<model::RRsetKey> want = {{N("unrelated"), RRType::A}};
  EXPECT_EQ(p.undeclared, want);
}

TEST(PlanZone, ForeignDataIsUndeclaredButNeverDeleted) {
  ZoneOwnership own;                             // Remediate
  own.released.insert({N("www"), RRType::TXT});  // we declared it once; its claim is gone since
  own.foreign = {{N("www"), RRType::TXT}, {N("unrelated"), RRType::A}};
  auto p = plan_zone(kZone, declared_www(), served(), own);
  EXPECT_TRUE(p.changes.empty());
  std::vector<model::RRsetKey> want = {{N("unrelated"), RRType::A}, {N("www"), RRType::TXT}};
  EXPECT_EQ(p.undeclared, want);
}

TEST(PlanZone, DeclaredDataIsRestoredUnderBothPolicies) {
  RRsetMap d = declared_www();
  put(d, RRset(N("www"), RRType::TXT, 300, {Rdata::txt_from_text("new")}));
  for (bool remediate : {true, false}) {
    ZoneOwnership own;
    own.remove_undeclared = remediate;
    auto p = plan_zone(kZone, d, served(), own);
    bool replaced = false;
    for (const auto& c : p.changes.changes) {
      if (c.op == Op::Replace && c.rrset.key() == model::RRsetKey{N("www"), RRType::TXT}) {
        replaced = true;
      }
    }
    EXPECT_TRUE(replaced) << remediate;
  }
}

TEST(PlanZone, ApexNsLeftAloneUnlessDeclared) {
  auto p = plan_zone(kZone, {}, served(), {});
  for (const auto& c : p.changes.changes) EXPECT_NE(c.rrset.type(), RRType::NS);
  RRsetMap d;
  put(d, RRset(kZone, RRType::NS, 3600, {Rdata::name_target(RRType::NS, N("ns2"))}));
  put(d, RRset(N("ns2"), RRType::A, 3600, {A("127.0.0.2")}));
  auto q = plan_zone(kZone, d, served(), {});
  std::vector<Op> ns_ops;
  for (const auto& c : q.changes.changes) {
    if (c.rrset.type() == RRType::NS) ns_ops.push_back(c.op);
  }
  EXPECT_EQ(ns_ops, (std::vector<Op>{Op::Add, Op::Remove}));  // never without any NS
}

TEST(PlanZone, SoaWrittenOnlyWhenAFieldOtherThanTheSerialDiffers) {
  RRsetMap d;
  // Same fields as served(), serial 0 (the placeholder): nothing to do.
  put(d, RRset(kZone, RRType::SOA, 3600, {Rdata::soa(N("ns1"), N("h"), 0, 1, 2, 3, 4)}));
  EXPECT_TRUE(
      plan_zone(kZone, d, served(), {.remove_undeclared = false, .released = {}, .foreign = {}})
          .empty());
  // A different refresh: written with serial 5 + 1.
  put(d, RRset(kZone, RRType::SOA, 3600, {Rdata::soa(N("ns1"), N("h"), 0, 7200, 2, 3, 4)}));
  auto p =
      plan_zone(kZone, d, served(), {.remove_undeclared = false, .released = {}, .foreign = {}});
  ASSERT_EQ(p.changes.changes.size(), 1u);
  EXPECT_EQ(p.changes.changes[0].op, Op::Add);
  EXPECT_EQ(p.changes.changes[0].rrset.rdatas()[0].to_text(),
            "ns1.example.test. h.example.test. 6 7200 2 3 4");
  // A different MNAME, and a serial that wraps.
  RRsetMap s = served();
  put(s, RRset(kZone, RRType::SOA, 3600, {Rdata::soa(N("ns1"), N("h"), 0xffffffff, 1, 2, 3, 4)}));
  put(d, RRset(kZone, RRType::SOA, 3600, {Rdata::soa(N("ns9"), N("h"), 0, 1, 2, 3, 4)}));
  auto q = plan_zone(kZone, d, s, {.remove_undeclared = false, .released = {}, .foreign = {}});
  ASSERT_EQ(q.changes.changes.size(), 1u);
  EXPECT_EQ(q.changes.changes[0].rrset.rdatas()[0].to_text(),
            "ns9.example.test. h.example.test. 0 1 2 3 4");
}

TEST(PlanZone, EqualStateIsAnEmptyPlan) {
  RRsetMap s = served();
  auto p = plan_zone(kZone, s, s, {});
  EXPECT_TRUE(p.empty());
  EXPECT_TRUE(p.undeclared.empty());
}

// Backends that keep notes with each record: notes ride on the changes the plan makes, and a
// notes-only difference is a guarded Replace with the same data — never for conflicts, never
// when the data itself is not yet as desired (the data change carries them), never when equal.
TEST(PlanNotes, RideOnChangesAndRewriteOnlyWhatDiffers) {
  RRsetMap served_now = served();
  RRset www(N("web"), RRType::A, 300, {A("192.0.2.1")});
  RRset api(N("api"), RRType::A, 300, {A("192.0.2.2")});
  RRset mail(N("mail"), RRType::A, 300, {A("192.0.2.3")});
  RRset taken(N("taken"), RRType::A, 300, {A("192.0.2.4")});
  for (const auto& s : {www, mail, taken}) put(served_now, s);
  RRsetMap d;
  for (const auto& s : {www, api, mail, taken}) put(d, s);
  model::RecordNotes web{"team-web", "front door"};
  std::map<model::RRsetKey, model::RecordNotes> want = {
      {www.key(), web}, {api.key(), {"team-api", ""}}, {mail.key(), {}}, {taken.key(), web}};
  std::map<model::RRsetKey, model::RecordNotes> have = {{mail.key(), {}}};
  Plan p = plan_names(kZone, d, served_now);
  ASSERT_EQ(p.changes.changes.size(), 1u);  // api is new
  plan_notes(p, want, d, served_now, have, {taken.key()});
  ASSERT_EQ(p.changes.changes.size(), 2u);
  EXPECT_EQ(p.changes.notes.at(api.key()), (model::RecordNotes{"team-api", ""}));
  const auto& c = p.changes.changes[1];
  EXPECT_EQ(c.op, Op::Replace);
  EXPECT_EQ(c.rrset, www);
  EXPECT_EQ(*c.expect, www);
  EXPECT_EQ(p.changes.notes.at(www.key()), web);
  EXPECT_FALSE(p.changes.notes.count(mail.key()));   // equal (none): nothing
  EXPECT_FALSE(p.changes.notes.count(taken.key()));  // skipped
  ASSERT_EQ(p.notes.size(), 1u);
  EXPECT_EQ(p.notes[0], "web.example.test. A: owner and description updated");

  // Served with those notes: nothing more; notes removed: one Replace without notes.
  have[www.key()] = web;
  put(served_now, api);
  Plan again = plan_names(kZone, d, served_now);
  plan_notes(again, {{www.key(), web}}, d, served_now, have, {});
  EXPECT_TRUE(again.changes.empty());
  Plan cleared = plan_names(kZone, d, served_now);
  plan_notes(cleared, {{www.key(), {}}}, d, served_now, have, {});
  ASSERT_EQ(cleared.changes.changes.size(), 1u);
  EXPECT_TRUE(cleared.changes.notes.empty());
}

}  // namespace
}  // namespace zk::plan
