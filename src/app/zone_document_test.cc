#include "app/zone_document.h"

#include <gtest/gtest.h>

namespace zk::app {
namespace {

using model::Name;
using model::RRType;

const Name kZone = Name::parse("example.test.").value();

TEST(ZoneDocument, ParsesAllTypes) {
  auto doc = parse_zone_document(R"(
zone: example.test
defaultTtl: 120
records:
  - {name: www, type: A, ttl: 300, values: [192.0.2.1, 192.0.2.2]}
  - {name: www, type: AAAA, values: ["2001:db8::1"]}
  - {name: "@", type: MX, values: ["10 mail", "20 mail2.example.org."]}
  - {name: alias, type: CNAME, values: [www]}
  - {name: _sip._tcp, type: SRV, values: ["0 5 5060 sip"]}
  - {name: "@", type: CAA, values: ['0 issue "letsencrypt.org"']}
  - {name: sub, type: NS, values: [ns.sub]}
  - {name: 1.2, type: PTR, values: [host.example.test.]}
  - name: txt
    type: TXT
    values:
      - "café \"quoted\" back\\slash"
      - [one, two]
)",
                                 "z.yaml", kZone);
  ASSERT_TRUE(doc) << doc.error();
  EXPECT_EQ(doc->rrsets.size(), 9u);
  auto www = doc->rrsets.at({Name::parse("www", &kZone).value(), RRType::A});
  EXPECT_EQ(www.ttl(), 300u);
  EXPECT_EQ(www.size(), 2u);
  EXPECT_EQ(doc->rrsets.at({Name::parse("www", &kZone).value(), RRType::AAAA}).ttl(), 120u);
  auto txt = doc->rrsets.at({Name::parse("txt", &kZone).value(), RRType::TXT});
  ASSERT_EQ(txt.size(), 2u);
}

TEST(ZoneDocument, RoundTripsThroughWrite) {
  auto doc = parse_zone_document(R"(
records:
  - {name: www, type: A, values: [192.0.2.1]}
  - {name: t, type: TXT, values: ["x\"y", [a, b]]}
  - {name: long, type: TXT, values: [")" +
                                     std::string(300, 'z') + R"("]}
)",
                                 "z.yaml", kZone);
  ASSERT_TRUE(doc) << doc.error();
  auto text = write_zone_document(kZone, 7, doc->rrsets);
  auto again = parse_zone_document(text, "out.yaml", kZone);
  ASSERT_TRUE(again) << again.error() << "\n" << text;
  EXPECT_EQ(again->rrsets, doc->rrsets);
  EXPECT_EQ(model::canonical_hash(again->rrsets), model::canonical_hash(doc->rrsets));
}

// Export → import keeps every type: the ones zonekeeper knows in their zone-file form, any
// other (HINFO, URI, ...) as TYPE<n> with the RFC 3597 \# form.
TEST(ZoneDocument, EveryTypeRoundTripsThroughWrite) {
  auto doc = parse_zone_document(R"(
records:
  - {name: www, type: A, values: [192.0.2.1]}
  - {name: www, type: AAAA, values: ["2001:db8::1"]}
  - {name: alias, type: CNAME, values: [www]}
  - {name: old, type: DNAME, values: [new.example.org.]}
  - {name: sub, type: NS, values: [ns.sub]}
  - {name: "1", type: PTR, values: [www]}
  - {name: "@", type: MX, values: ["10 mail"]}
  - {name: t, type: TXT, values: ["v=spf1 -all"]}
  - {name: _sip._tcp, type: SRV, values: ["0 5 5060 sip"]}
  - {name: "@", type: CAA, values: ['0 issue "letsencrypt.org"']}
  - {name: host, type: SSHFP, values: ["4 2 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"]}
  - {name: _443._tcp.www, type: TLSA, values: ["3 1 1 0102030405"]}
  - {name: enum, type: NAPTR, values: ['100 10 "U" "E2U+sip" "!^.*$!sip:x@example.test!" .']}
  - {name: svc, type: SVCB, values: ["1 svc.example.net. alpn=h2,h3 port=8443"]}
  - {name: www, type: HTTPS, values: ["1 . alpn=h2 ipv4hint=192.0.2.1"]}
  - {name: hw, type: TYPE13, values: ['\# 10 03783836054c696e7578']}
  - {name: _ftp._tcp, type: TYPE256, values: ['\# 23 000a00016674703a2f2f6578616d706c652e746573742f']}
)",
                                 "every.yaml", kZone);
  ASSERT_TRUE(doc) << doc.error();
  EXPECT_EQ(doc->rrsets.size(), 17u);
  EXPECT_EQ(doc->rrsets.count({Name::parse("hw", &kZone).value(), RRType(13)}), 1u);
  auto text = write_zone_document(kZone, 9, doc->rrsets);
  EXPECT_NE(text.find("type: TYPE13"), std::string::npos) << text;
  EXPECT_NE(text.find("type: HTTPS"), std::string::npos) << text;
  auto again = parse_zone_document(text, "out.yaml", kZone);
  ASSERT_TRUE(again) << again.error() << "\n" << text;
  EXPECT_EQ(again->rrsets, doc->rrsets);
}

TEST(ZoneDocument, TxtThatIsNotUtf8RoundTripsAsRdata) {
  model::RRsetMap m;
  model::RRset t(Name::parse("t", &kZone).value(), RRType::TXT, 60,
                 {model::Rdata::txt({std::string("h\xc3o\xa9", 4)}).value()});
  m[t.key()] = t;
  auto text = write_zone_document(kZone, std::nullopt, m);
  EXPECT_NE(text.find("rdata:"), std::string::npos) << text;
  for (char c : text) EXPECT_LT(static_cast<unsigned char>(c), 0x80) << "as \\DDD: " << text;
  auto again = parse_zone_document(text, "out.yaml", kZone);
  ASSERT_TRUE(again) << again.error();
  EXPECT_EQ(again->rrsets, m);
}

// A YAML reader would replace the octets (U+FFFD) and change the data: refused instead (found by
// zone_document_fuzz).
TEST(ZoneDocument, ADocumentThatIsNotUtf8IsRefused) {
  for (const std::string& bad :
       {std::string("\xff"), std::string("\xe0\xa6,"), std::string("\xed\xa0\x80")}) {
    auto doc = parse_zone_document(
        "zone: example.test.\nrecords:\n  - {name: t, type: TXT, values: [\"a" + bad + "\"]}\n",
        "bad.yaml", kZone);
    ASSERT_FALSE(doc);
    EXPECT_EQ(doc.error(),
              "bad.yaml: not UTF-8 text (write other octets as \\DDD in an `rdata:` value)");
  }
}

struct Bad {
  const char* yaml;
  const char* needle;
};

class ZoneDocumentRejects : public testing::TestWithParam<Bad> {};

TEST_P(ZoneDocumentRejects, WithFileLineAndReason) {
  auto doc = parse_zone_document(GetParam().yaml, "bad.yaml", kZone);
  ASSERT_FALSE(doc);
  EXPECT_NE(doc.error().find(GetParam().needle), std::string::npos) << doc.error();
  EXPECT_EQ(doc.error().rfind("bad.yaml", 0), 0u) << doc.error();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ZoneDocumentRejects,
    testing::Values(
        Bad{"records: [ {name: a, type: A, values: [1.2.3.999]} ]",
            "bad.yaml:1: \"1.2.3.999\" is not an IPv4"},
        Bad{"records:\n  - {name: a, type: A, values: [1.2.3.4]}\n  - {name: b, type: A, values: "
            "[x]}\n",
            "bad.yaml:3:"},
        Bad{"records: [ {name: a, type: BOGUS, values: [x]} ]", "unsupported record type"},
        Bad{"records: [ {name: a, type: TYPE255, values: ['\\# 0']} ]",
            "TYPE255 is a query or meta type"},
        Bad{"records: [ {name: a, type: TSIG, values: ['\\# 0']} ]", "unsupported record type"},
        Bad{"records: [ {name: a, type: TYPE13, values: ['x86 Linux']} ]", "use the \\# form"},
        Bad{"records: [ {name: a, type: A} ]", "non-empty `values:`"},
        Bad{"records: [ {type: A, values: [1.2.3.4]} ]", "needs `name:`"},
        Bad{"records: [ {name: x.other.org., type: A, values: [1.2.3.4]} ]", "outside zone"},
        Bad{"zone: other.test\nrecords: []", "not example.test."},
        Bad{"records: [ {name: a, type: A, ttl: -5, values: [1.2.3.4]} ]", "outside 0..2147483647"},
        Bad{"records: [ {name: a, type: A, ttl: soon, values: [1.2.3.4]} ]", "whole number"},
        Bad{"records: [ {name: a, type: CNAME, values: [b]}, {name: a, type: A, values: [1.2.3.4]} "
            "]",
            "cannot coexist"},
        Bad{"records: [ {name: a, type: CNAME, values: [b, c]} ]", "at most one CNAME"},
        Bad{"records: [ {name: a, typo: A} ]", "unknown record field \"typo\""},
        Bad{"records: [ {name: a, type: A, values: [1.2.3.4]", "not valid YAML"},
        Bad{"- just\n- a list\n", "expected a mapping"},
        Bad{"records: [ {name: a, type: A, ttl: 1, values: [1.2.3.4]}, {name: a, type: A, ttl: 2, "
            "values: [1.2.3.5]} ]",
            "different TTLs"}));

}  // namespace
}  // namespace zk::app
