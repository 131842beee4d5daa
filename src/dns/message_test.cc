#include "dns/message.h"

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
