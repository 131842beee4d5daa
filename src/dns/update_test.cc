#include "dns/update.h"

#include <gtest/gtest.h>

#include "dns/message.h"

namespace zk::dns {
namespace {

using model::ChangeSet;
using model::Name;
using model::Rdata;
using model::RRset;
using model::RRType;

const Name kZone = Name::parse("example.test.").value();
Name N(std::string_view s) {
  return Name::parse(s, &kZone).value();
}

Message parse(const std::vector<uint8_t>& wire) {
  auto w = wire;
  w[2] |= 0x80;
  return parse_message(w).value();
}

TEST(PackUpdate, ReplaceIsDeleteRRsetPlusAddsInOneMessage) {
  ChangeSet cs{kZone, {}};
  cs.replace(RRset(N("www"), RRType::A, 300,
                   {Rdata::a("192.0.2.1").value(), Rdata::a("192.0.2.2").value()}));
  auto msgs = pack_update(cs, {});
  ASSERT_TRUE(msgs);
  ASSERT_EQ(msgs->size(), 1u);
  auto m = parse((*msgs)[0].wire);
  EXPECT_EQ(m.opcode, Opcode::Update);
  EXPECT_EQ(*m.qname, kZone);
  ASSERT_EQ(m.authority.size(), 3u);
  EXPECT_EQ(m.authority[0].cls, kClassANY);
  EXPECT_TRUE(m.authority[0].rdata.empty());
  EXPECT_EQ(m.authority[1].cls, kClassIN);
  EXPECT_EQ(m.authority[2].cls, kClassIN);
}

TEST(PackUpdate, RemoveAddDeleteAndPrerequisites) {
  ChangeSet cs{kZone, {}};
  auto txt = RRset(N("t"), RRType::TXT, 60, {Rdata::txt_from_text("v")});
  cs.remove(txt);
  cs.add(RRset(N("a"), RRType::A, 60, {Rdata::a("192.0.2.9").value()}));
  cs.remove_rrset({N("old"), RRType::MX});
  cs.replace(RRset(N("new"), RRType::A, 60, {Rdata::a("192.0.2.1").value()}),
             RRset(N("new"), RRType::A, 0));  // must not exist yet
  auto msgs = pack_update(cs, {});
  ASSERT_TRUE(msgs);
  ASSERT_EQ(msgs->size(), 1u);
  auto m = parse((*msgs)[0].wire);
  ASSERT_EQ(m.answer.size(), 1u);  // the prerequisite
  EXPECT_EQ(m.answer[0].cls, kClassNONE);
  EXPECT_EQ(m.answer[0].owner, N("new"));
  ASSERT_EQ(m.authority.size(), 5u);
  EXPECT_EQ(m.authority[0].cls, kClassNONE);  // remove t TXT
  EXPECT_EQ(m.authority[1].cls, kClassIN);    // add a A
  EXPECT_EQ(m.authority[2].cls, kClassANY);   // delete old MX
  EXPECT_EQ(m.authority[2].type, 15);
  EXPECT_EQ(m.authority[3].cls, kClassANY);  // replace new A: delete...
  EXPECT_EQ(m.authority[4].cls, kClassIN);   // ...and add
}

TEST(PackUpdate, SplitsOnlyAtRRsetBoundariesAndFitsTheBudget) {
  ChangeSet cs{kZone, {}};
  for (int i = 0; i < 10000; ++i) {
    RRset s(N("host-" + std::to_string(i)), RRType::A, 300);
    s.add(Rdata::a("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256)).value());
    if (i % 10 == 0) s.add(Rdata::a("192.0.2.1").value());
    cs.replace(std::move(s));
  }
  PackOptions opt;
  opt.max_bytes = 65535 - 100;
  auto msgs = pack_update(cs, opt);
  ASSERT_TRUE(msgs);
  size_t changes = 0, bytes = 0;
  for (const auto& m : *msgs) {
    EXPECT_LE(m.wire.size(), opt.max_bytes);
    EXPECT_EQ(m.first_change, changes);
    changes += m.change_count;
    bytes += m.wire.size();
    auto parsed = parse(m.wire);
    // Every change lies whole inside its message: deletes + adds.
    size_t want = 0;
    for (size_t k = m.first_change; k < m.first_change + m.change_count; ++k) {
      want += 1 + cs.changes[k].rrset.size();
    }
    EXPECT_EQ(parsed.authority.size(), want);
  }
  EXPECT_EQ(changes, cs.changes.size());
  // Greedy filling: every message but the last is nearly full.
  EXPECT_EQ(msgs->size(), (bytes + opt.max_bytes - 1) / opt.max_bytes);
}

TEST(PackUpdate, RecordCapLimitsMessages) {
  ChangeSet cs{kZone, {}};
  for (int i = 0; i < 25; ++i) {
    cs.replace(RRset(N("h" + std::to_string(i)), RRType::A, 300, {Rdata::a("192.0.2.1").value()}));
  }
  PackOptions opt;
  opt.max_records = 20;  // 2 RRs per change (delete + add) → 10 changes per message
  auto msgs = pack_update(cs, opt);
  ASSERT_TRUE(msgs);
  ASSERT_EQ(msgs->size(), 3u);
  EXPECT_EQ((*msgs)[0].change_count, 10u);
  EXPECT_EQ((*msgs)[2].change_count, 5u);
}

TEST(PackUpdate, OversizedChangeIsRejectedNotSplit) {
  ChangeSet cs{kZone, {}};
  RRset big(N("big"), RRType::TXT, 60);
  for (int i = 0; i < 400; ++i)
    big.add(Rdata::txt_from_text(std::string(200, 'a' + i % 26) + std::to_string(i)));
  cs.replace(big);
  auto msgs = pack_update(cs, {});
  ASSERT_FALSE(msgs);
  EXPECT_EQ(msgs.error().code, ErrorCode::MessageTooLarge);
}

TEST(PackUpdate, RejectsNamesOutsideTheZoneAndSoaReplace) {
  ChangeSet cs{kZone, {}};
  cs.add(
      RRset(Name::parse("x.other.org.").value(), RRType::A, 60, {Rdata::a("192.0.2.1").value()}));
  auto r = pack_update(cs, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::NotZone);
  ChangeSet soa{kZone, {}};
  soa.replace(RRset(kZone, RRType::SOA, 60, {Rdata::soa(kZone, kZone, 1, 1, 1, 1, 1)}));
  EXPECT_FALSE(pack_update(soa, {}));
}

}  // namespace
}  // namespace zk::dns
