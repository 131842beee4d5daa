#include "dns/message.h"

#include "dns/tsig.h"

#include <gtest/gtest.h>

namespace zk::dns {
namespace {

const model::Name kZone = model::Name::parse("example.test.").value();

TEST(MessageWriter, CompressesOwnersAgainstTheZoneAndParsesBack) {
  MessageWriter w(42, Opcode::Update);
  w.question(kZone, kTypeSOA);
  auto www = model::Name::parse("www", &kZone).value();
  auto a = model::Rdata::a("192.0.2.1").value();
  w.rr(Section::Authority, www, 1, kClassIN, 300, a.wire());
  w.rr(Section::Authority, kZone, 1, kClassIN, 300, a.wire());
  auto other = model::Name::parse("other.org.").value();
  w.rr(Section::Additional, other, 1, kClassIN, 1, a.wire());
  EXPECT_EQ(w.rr_size(www, 4), 4u + 2 + 10 + 4);
  auto wire = w.finish();
  // header 12 + question 14+4 + www(4+2+10+4) + apex(2+10+4) + other(11+10+4)
  EXPECT_EQ(wire.size(), 12u + 18 + 20 + 16 + 25);
  wire[2] |= 0x80;
  auto m = parse_message(wire);
  ASSERT_TRUE(m) << m.error().to_string();
  EXPECT_EQ(m->id, 42);
  EXPECT_EQ(m->opcode, Opcode::Update);
  ASSERT_EQ(m->authority.size(), 2u);
  EXPECT_EQ(m->authority[0].owner, www);
  EXPECT_EQ(m->authority[1].owner, kZone);
  EXPECT_EQ(m->authority[0].ttl, 300u);
  EXPECT_EQ(m->authority[0].rdata, std::vector<uint8_t>(a.wire().begin(), a.wire().end()));
}

// ldns keeps only the last TSIG (and OPT) record and leaks the others; RFC 8945 and 6891 make
// such messages malformed anyway. Found by fuzz/dns_message_fuzz (LeakSanitizer).
TEST(ParseMessage, RefusesTwoTsigRecordsATsigNotLastAndTwoOptRecords) {
  auto message = [](const std::vector<uint16_t>& types) {
    MessageWriter w(7, Opcode::Query);
    w.question(kZone, kTypeSOA);
    for (uint16_t t : types) w.rr(Section::Additional, kZone, t, 255, 0, {});
    auto wire = w.finish();
    wire[2] |= 0x80;
    return wire;
  };
  constexpr uint16_t kTsig = 250, kOpt = 41, kA = 1;
  for (const auto& [types, why] : std::vector<std::pair<std::vector<uint16_t>, std::string>>{
           {{kTsig, kTsig}, "not the last record"},
           {{kTsig, kA}, "not the last record"},
           {{kOpt, kOpt}, "more than one OPT"}}) {
    auto wire = message(types);
    ASSERT_TRUE(meta_record_problem(wire)) << why;
    EXPECT_NE(meta_record_problem(wire)->find(why), std::string::npos)
        << *meta_record_problem(wire);
    auto m = parse_message(wire);
    ASSERT_FALSE(m) << why;
    EXPECT_EQ(m.error().code, ErrorCode::MalformedResponse);
  }
  // One OPT, then one TSIG last: fine (as every signed EDNS response).
  EXPECT_FALSE(meta_record_problem(message({kOpt, kTsig})));
  // A layout that does not add up (one trailing octet; an RDLENGTH past the end) never
  // reaches ldns.
  auto trailing = message({kA});
  trailing.push_back(0);
  EXPECT_NE(meta_record_problem(trailing)->find("does not add up"), std::string::npos);
  EXPECT_FALSE(parse_message(trailing));
  auto overrun = message({kA});
  overrun[overrun.size() - 1] = 9;  // RDLENGTH 9, no RDATA
  EXPECT_TRUE(meta_record_problem(overrun));
  EXPECT_FALSE(parse_message(overrun));
}

TEST(ParseMessage, RejectsGarbageWithoutCrashing) {
  EXPECT_FALSE(parse_message(std::vector<uint8_t>{1, 2, 3}));
  std::vector<uint8_t> lying_counts(12, 0);
  lying_counts[7] = 5;  // ANCOUNT 5, no records
  auto m = parse_message(lying_counts);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, ErrorCode::MalformedResponse);
}

}  // namespace
}  // namespace zk::dns
