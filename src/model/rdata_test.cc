#include "model/rdata.h"

#include <gtest/gtest.h>

namespace zk::model {
namespace {

const Name kZone = Name::parse("example.test.").value();

std::string roundtrip(RRType t, std::string_view text) {
  auto rd = Rdata::parse(t, text, kZone);
  if (!rd) return "ERROR: " + rd.error();
  auto again = Rdata::from_wire(t, rd->wire());
  if (!again || !(*again == *rd)) return "ERROR: wire round trip";
  auto reparsed = Rdata::parse(t, rd->to_text(), kZone);
  if (!reparsed || !(*reparsed == *rd)) return "ERROR: text round trip";
  return rd->to_text();
}

struct Case {
  RRType type;
  const char* in;
  const char* out;
};

class RdataRoundTrip : public testing::TestWithParam<Case> {};

TEST_P(RdataRoundTrip, ParsesPrintsAndRoundTrips) {
  EXPECT_EQ(roundtrip(GetParam().type, GetParam().in), GetParam().out);
}

INSTANTIATE_TEST_SUITE_P(
    AllTypes, RdataRoundTrip,
    testing::Values(Case{RRType::A, "192.0.2.1", "192.0.2.1"},
                    Case{RRType::AAAA, "2001:DB8::1", "2001:db8::1"},
                    Case{RRType::CNAME, "Target", "target.example.test."},
                    Case{RRType::CNAME, "elsewhere.org.", "elsewhere.org."},
                    Case{RRType::NS, "ns1", "ns1.example.test."},
                    Case{RRType::PTR, "host.example.test.", "host.example.test."},
                    Case{RRType::MX, "10 mail", "10 mail.example.test."},
                    Case{RRType::SRV, "0 5 5060 sip", "0 5 5060 sip.example.test."},
                    Case{RRType::CAA, "0 issue \"letsencrypt.org\"", "0 issue \"letsencrypt.org\""},
                    Case{RRType::CAA, "128 iodef mailto:sec@example.test",
                         "128 iodef \"mailto:sec@example.test\""},
                    Case{RRType::TXT, "\"hello world\"", "\"hello world\""},
                    Case{RRType::TXT, "\"a\" \"b c\"", "\"a\" \"b c\""},
                    Case{RRType::TXT, "\"say \\\"hi\\\" \\\\ bye\"", "\"say \\\"hi\\\" \\\\ bye\""},
                    Case{RRType::TXT, "\"caf\\195\\169\"", "\"caf\\195\\169\""},
                    Case{RRType::TXT, "unquoted", "\"unquoted\""},
                    Case{RRType::SOA, "ns1 hostmaster 1 3600 600 86400 300",
                         "ns1.example.test. hostmaster.example.test. 1 3600 600 86400 300"},
                    Case{RRType::A, "\\# 4 c0000201", "192.0.2.1"}));

struct BadCase {
  RRType type;
  const char* in;
  const char* needle;
};

class RdataRejects : public testing::TestWithParam<BadCase> {};

TEST_P(RdataRejects, WithSpecificMessage) {
  auto rd = Rdata::parse(GetParam().type, GetParam().in, kZone);
  ASSERT_FALSE(rd) << "accepted: " << GetParam().in;
  EXPECT_NE(rd.error().find(GetParam().needle), std::string::npos) << rd.error();
}

INSTANTIATE_TEST_SUITE_P(AllTypes, RdataRejects,
                         testing::Values(BadCase{RRType::A, "256.1.1.1", "not an IPv4 address"},
                                         BadCase{RRType::A, "192.0.2.01", "not an IPv4 address"},
                                         BadCase{RRType::A, "2001:db8::1", "not an IPv4 address"},
                                         BadCase{RRType::AAAA, "192.0.2.1", "not an IPv6 address"},
                                         BadCase{RRType::A, "1.2.3.4 5.6.7.8", "needs 1 field"},
                                         BadCase{RRType::MX, "mail", "needs 2 field"},
                                         BadCase{RRType::MX, "70000 mail", "MX preference"},
                                         BadCase{RRType::SRV, "0 0 99999 sip", "SRV port"},
                                         BadCase{RRType::CAA, "0 is-sue \"x\"", "CAA tag"},
                                         BadCase{RRType::CNAME, "a..b", "empty label"},
                                         BadCase{RRType::TXT, "\"unterminated", "unterminated"},
                                         BadCase{RRType::SOA, "ns1 host 1 2 3", "needs 7 field"}));

TEST(Rdata, LongTxtSplitsAt255) {
  std::string text(300, 'x');
  auto rd = Rdata::txt_from_text(text);
  auto strings = rd.txt_strings();
  ASSERT_EQ(strings.size(), 2u);
  EXPECT_EQ(strings[0].size(), 255u);
  EXPECT_EQ(strings[1].size(), 45u);
  EXPECT_EQ(strings[0] + strings[1], text);
}

TEST(Rdata, LongTxtNeverCutsUtf8) {
  // 254 ASCII octets then "é" (2 octets): a naive cut at 255 would split the é.
  std::string text = std::string(254, 'a') + "\xc3\xa9" + "tail";
  auto strings = Rdata::txt_from_text(text).txt_strings();
  ASSERT_EQ(strings.size(), 2u);
  EXPECT_EQ(strings[0].size(), 254u);
  EXPECT_EQ(strings[1], "\xc3\xa9tail");
}

TEST(Rdata, TxtStringOver255Rejected) {
  auto rd = Rdata::txt({std::string(256, 'a')});
  ASSERT_FALSE(rd);
  EXPECT_NE(rd.error().find("at most 255"), std::string::npos);
}

TEST(Rdata, EmbeddedNamesAreCanonical) {
  auto a = Rdata::parse(RRType::MX, "10 MAIL.Example.Test.", kZone).value();
  auto b = Rdata::parse(RRType::MX, "10 mail", kZone).value();
  EXPECT_EQ(a, b);
}

TEST(Rdata, FromWireRejectsMalformed) {
  std::vector<uint8_t> three = {1, 2, 3};
  EXPECT_FALSE(Rdata::from_wire(RRType::A, three));
  std::vector<uint8_t> txt = {5, 'a', 'b'};
  EXPECT_FALSE(Rdata::from_wire(RRType::TXT, txt));
  std::vector<uint8_t> mx = {0, 10, 3, 'a'};
  EXPECT_FALSE(Rdata::from_wire(RRType::MX, mx));
  std::vector<uint8_t> caa = {0, 0};
  EXPECT_FALSE(Rdata::from_wire(RRType::CAA, caa));
}

TEST(Rdata, TargetsAndSerial) {
  EXPECT_EQ(Rdata::parse(RRType::SRV, "1 2 3 sip", kZone)->target()->to_string(),
            "sip.example.test.");
  EXPECT_EQ(Rdata::parse(RRType::SOA, "ns h 42 1 2 3 4", kZone)->soa_serial(), 42u);
  EXPECT_FALSE(Rdata::a("192.0.2.1")->target());
}

TEST(Rdata, WithSoaSerialChangesOnlyTheSerial) {
  auto soa = Rdata::parse(RRType::SOA, "ns h 42 1 2 3 4", kZone).value();
  auto next = soa.with_soa_serial(4294967295u);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->to_text(), "ns.example.test. h.example.test. 4294967295 1 2 3 4");
  EXPECT_EQ(next->with_soa_serial(42), soa);
  EXPECT_FALSE(Rdata::a("192.0.2.1")->with_soa_serial(1));
}

TEST(RRType, Names) {
  EXPECT_EQ(parse_rrtype("aaaa").value(), RRType::AAAA);
  EXPECT_EQ(to_string(static_cast<RRType>(99)), "TYPE99");
  EXPECT_EQ(parse_rrtype("TYPE99").value(), static_cast<RRType>(99));
  EXPECT_FALSE(parse_rrtype("BOGUS"));
}

}  // namespace
}  // namespace zk::model

namespace zk::model {
namespace {

TEST(Naptr, PresentationWireAndTextAgree) {
  const Name origin = Name::parse("example.test.").value();
  auto rd = Rdata::parse(
      RRType::NAPTR, R"(100 10 "S" "SIP+D2U" "!^.*$!sip:info@example.test!" _sip._udp)", origin);
  ASSERT_TRUE(rd) << rd.error();
  EXPECT_EQ(rd->to_text(),
            R"(100 10 "S" "SIP+D2U" "!^.*$!sip:info@example.test!" _sip._udp.example.test.)");
  auto again = Rdata::from_wire(RRType::NAPTR, rd->wire());
  ASSERT_TRUE(again) << again.error();
  EXPECT_EQ(*again, *rd);
  EXPECT_EQ(parse_rrtype("naptr").value(), RRType::NAPTR);
  EXPECT_TRUE(is_supported(RRType::NAPTR));
  // An empty regexp and the root as replacement (RFC 3403's "no replacement").
  auto empty = Rdata::parse(RRType::NAPTR, R"(10 0 "u" "E2U+sip" "" .)", origin);
  ASSERT_TRUE(empty) << empty.error();
  EXPECT_EQ(empty->to_text(), R"(10 0 "u" "E2U+sip" "" .)");
  EXPECT_FALSE(Rdata::parse(RRType::NAPTR, R"(10 0 "u" "E2U+sip")", origin));
  EXPECT_FALSE(Rdata::parse(RRType::NAPTR, R"(70000 0 "u" "s" "" .)", origin));
  EXPECT_FALSE(Rdata::naptr(1, 1, std::string(256, 'x'), "", "", origin));
  const uint8_t truncated[] = {0, 10, 0, 0, 1, 'u'};
  EXPECT_FALSE(Rdata::from_wire(RRType::NAPTR, truncated));
}

}  // namespace
}  // namespace zk::model

namespace zk::model {
namespace {

TEST(Rdata, DnameSshfpTlsaRoundTrip) {
  const Name origin = Name::parse("example.test.").value();
  struct Case {
    RRType type;
    std::string text, printed;
  };
  for (const auto& c :
       std::vector<Case>{{RRType::DNAME, "new", "new.example.test."},
                         {RRType::SSHFP, "4 1 0a1b2c3d4e5f60718293 A4B5C6D7E8F901234567",
                          "4 1 0A1B2C3D4E5F60718293A4B5C6D7E8F901234567"},
                         {RRType::TLSA, "3 1 1 E3B0C442 98FC1C14", "3 1 1 E3B0C44298FC1C14"}}) {
    auto rd = Rdata::parse(c.type, c.text, origin);
    ASSERT_TRUE(rd) << to_string(c.type) << ": " << rd.error();
    EXPECT_EQ(rd->to_text(), c.printed);
    auto wire = Rdata::from_wire(c.type, rd->wire());
    ASSERT_TRUE(wire);
    EXPECT_EQ(*wire, *rd);
    EXPECT_EQ(Rdata::parse(c.type, rd->to_text(), origin).value(), *rd);
    EXPECT_EQ(parse_rrtype(to_string(c.type)).value(), c.type);
  }
  EXPECT_TRUE(is_singleton(RRType::DNAME));
  EXPECT_FALSE(Rdata::parse(RRType::SSHFP, "4 2", origin));
  EXPECT_FALSE(Rdata::parse(RRType::SSHFP, "4 2 0g", origin));
  // SHA-1 and SHA-256 fingerprints have their sizes (BIND answers FORMERR otherwise).
  auto short_fp = Rdata::parse(RRType::SSHFP, "4 2 0a1b", origin);
  ASSERT_FALSE(short_fp);
  EXPECT_NE(short_fp.error().find("needs 32 octets, not 2"), std::string::npos) << short_fp.error();
  EXPECT_FALSE(Rdata::parse(RRType::SSHFP, "4 1 0a1b", origin));
  EXPECT_TRUE(Rdata::parse(RRType::SSHFP, "4 9 0a1b", origin));  // a type without a fixed size
  // The wire form follows the same rule (found by presentation_fuzz: read, printed, refused).
  const uint8_t short_sha1[] = {3, 1, 0, 0, 0, 0x19, 0x30};
  EXPECT_FALSE(Rdata::from_wire(RRType::SSHFP, short_sha1));
  EXPECT_FALSE(Rdata::parse(RRType::TLSA, "3 1 1", origin));
  EXPECT_FALSE(Rdata::parse(RRType::TLSA, "3 1 256 00", origin));
  const uint8_t short_tlsa[] = {3, 1, 1};
  EXPECT_FALSE(Rdata::from_wire(RRType::TLSA, short_tlsa));
}

}  // namespace
}  // namespace zk::model
