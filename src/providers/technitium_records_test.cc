// Technitium's record vocabulary ↔ the model, type by type, both ways.
#include "providers/technitium_records.h"

#include <cctype>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace zk::providers::technitium {
namespace {

using model::Name;
using model::Rdata;
using model::RRType;

Name N(const char* s) {
  return Name::parse(s).value();
}

std::string get(const Params& p, std::string_view k) {
  for (const auto& [key, v] : p) {
    if (key == k) return v;
  }
  return "<missing>";
}

Rdata parse_back(RRType type, std::string_view rdata_json) {
  auto rec =
      boost::json::parse(fmt::format(R"({{"name":"www.example.test","type":"{}","ttl":300,)"
                                     R"("disabled":false,"comments":"zonekeeper:x","rData":{}}})",
                                     model::to_string(type), rdata_json))
          .as_object();
  auto r = parse_record(rec);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error());
  EXPECT_TRUE(r && r->has_value());
  EXPECT_EQ((*r)->owner, N("www.example.test."));
  EXPECT_EQ((*r)->ttl, 300u);
  EXPECT_EQ((*r)->comments, "zonekeeper:x");
  return (*r)->rdata;
}

TEST(TechnitiumRecords, AddressesAndNames) {
  auto a = Rdata::a("192.0.2.1").value();
  EXPECT_EQ(get(value_params(a).value(), "ipAddress"), "192.0.2.1");
  EXPECT_EQ(parse_back(RRType::A, R"({"ipAddress":"192.0.2.1"})"), a);
  auto aaaa = Rdata::aaaa("2001:db8::1").value();
  EXPECT_EQ(parse_back(RRType::AAAA, R"({"ipAddress":"2001:db8::1"})"), aaaa);
  auto cname = Rdata::name_target(RRType::CNAME, N("app.example.test."));
  EXPECT_EQ(get(value_params(cname).value(), "cname"), "app.example.test");
  EXPECT_EQ(parse_back(RRType::CNAME, R"({"cname":"App.Example.Test"})"), cname);
  auto ns = Rdata::name_target(RRType::NS, N("ns1.example.test."));
  EXPECT_EQ(get(value_params(ns).value(), "nameServer"), "ns1.example.test");
  auto dname = Rdata::name_target(RRType::DNAME, N("other.test."));
  EXPECT_EQ(parse_back(RRType::DNAME, R"({"dname":"other.test"})"), dname);
  auto ptr = Rdata::name_target(RRType::PTR, N("host.example.test."));
  EXPECT_EQ(get(value_params(ptr).value(), "ptrName"), "host.example.test");
}

TEST(TechnitiumRecords, StructuredTypes) {
  auto mx = Rdata::mx(10, N("mail.example.test."));
  auto p = value_params(mx).value();
  EXPECT_EQ(get(p, "preference"), "10");
  EXPECT_EQ(get(p, "exchange"), "mail.example.test");
  EXPECT_EQ(parse_back(RRType::MX, R"({"preference":10,"exchange":"mail.example.test"})"), mx);

  auto srv = Rdata::srv(1, 2, 443, N("web.example.test."));
  p = value_params(srv).value();
  EXPECT_EQ(get(p, "port"), "443");
  EXPECT_EQ(get(p, "target"), "web.example.test");
  EXPECT_EQ(parse_back(RRType::SRV,
                       R"({"priority":1,"weight":2,"port":443,"target":"web.example.test"})"),
            srv);

  auto caa = Rdata::caa(0, "issue", "letsencrypt.org").value();
  p = value_params(caa).value();
  EXPECT_EQ(get(p, "tag"), "issue");
  EXPECT_EQ(get(p, "value"), "letsencrypt.org");
  EXPECT_EQ(parse_back(RRType::CAA, R"({"flags":0,"tag":"issue","value":"letsencrypt.org"})"), caa);

  auto naptr =
      Rdata::naptr(100, 10, "U", "E2U+sip", "!^.*$!sip:info@example.test!", N(".")).value();
  p = value_params(naptr).value();
  EXPECT_EQ(get(p, "naptrServices"), "E2U+sip");
  EXPECT_EQ(get(p, "naptrReplacement"), "");
  EXPECT_EQ(
      parse_back(RRType::NAPTR, R"({"order":100,"preference":10,"flags":"U","services":"E2U+sip",)"
                                R"("regexp":"!^.*$!sip:info@example.test!","replacement":""})"),
      naptr);
}

TEST(TechnitiumRecords, SshfpAndTlsaTravelAsMnemonics) {
  auto sshfp = Rdata::sshfp(4, 2, std::vector<uint8_t>(32, 0xab)).value();
  auto p = value_params(sshfp).value();
  EXPECT_EQ(get(p, "sshfpAlgorithm"), "Ed25519");
  EXPECT_EQ(get(p, "sshfpFingerprintType"), "SHA256");
  std::string hex;
  for (int i = 0; i < 32; ++i) hex += "AB";
  EXPECT_EQ(get(p, "sshfpFingerprint"), hex);
  for (char& c : hex) c = char(std::tolower(c));
  EXPECT_EQ(parse_back(RRType::SSHFP,
                       R"({"algorithm":"Ed25519","fingerprintType":"SHA256","fingerprint":")" +
                           hex + R"("})"),
            sshfp);
  auto tlsa = Rdata::tlsa(3, 1, 1, {0x01, 0x02}).value();
  p = value_params(tlsa).value();
  EXPECT_EQ(get(p, "tlsaCertificateUsage"), "DANE-EE");
  EXPECT_EQ(get(p, "tlsaSelector"), "SPKI");
  EXPECT_EQ(get(p, "tlsaMatchingType"), "SHA2-256");
  EXPECT_EQ(
      parse_back(RRType::TLSA, R"({"certificateUsage":"DANE-EE","selector":"SPKI",)"
                               R"("matchingType":"SHA2-256","certificateAssociationData":"0102"})"),
      tlsa);
  // A number Technitium has no name for is refused, not sent wrong.
  auto odd = Rdata::sshfp(5, 2, std::vector<uint8_t>(32, 0xab)).value();
  EXPECT_FALSE(value_params(odd).has_value());
}

TEST(TechnitiumRecords, TxtStringsAndSplitText) {
  auto one = Rdata::txt({"v=spf1 -all"}).value();
  auto p = value_params(one).value();
  EXPECT_EQ(get(p, "text"), "v=spf1 -all");
  EXPECT_EQ(get(p, "splitText"), "false");
  EXPECT_EQ(parse_back(RRType::TXT, R"({"text":"v=spf1 -all","splitText":false})"), one);
  auto two = Rdata::txt({"a b", "c"}).value();
  p = value_params(two).value();
  EXPECT_EQ(get(p, "text"), "a b\nc");
  EXPECT_EQ(get(p, "splitText"), "true");
  EXPECT_EQ(parse_back(RRType::TXT, R"({"text":"a b\nc","splitText":true})"), two);
  // One long text without splitText: split at 255 octets, as the server serves it.
  std::string long_text(300, 'x');
  EXPECT_EQ(parse_back(RRType::TXT, fmt::format(R"({{"text":"{}","splitText":false}})", long_text)),
            Rdata::txt_from_text(long_text));
  auto newline = Rdata::txt({"a\nb", "c"}).value();
  EXPECT_FALSE(value_params(newline).has_value());
}

TEST(TechnitiumRecords, SoaAndTypesWeDoNotManage) {
  auto soa =
      Rdata::soa(N("ns1.example.test."), N("hostmaster.example.test."), 7, 900, 300, 604800, 60);
  auto p = soa_params(soa).value();
  EXPECT_EQ(get(p, "serial"), "7");
  EXPECT_EQ(get(p, "responsiblePerson"), "hostmaster.example.test");
  EXPECT_EQ(
      parse_back(RRType::SOA, R"({"primaryNameServer":"ns1.example.test","responsiblePerson":)"
                              R"("hostmaster.example.test","serial":7,"refresh":900,"retry":300,)"
                              R"("expire":604800,"minimum":60})"),
      soa);
  for (const char* type : {"RRSIG", "ANAME", "FWD", "APP", "DNSKEY"}) {
    auto rec =
        boost::json::parse(
            fmt::format(R"({{"name":"example.test","type":"{}","ttl":300,"rData":{{}}}})", type))
            .as_object();
    auto r = parse_record(rec);
    ASSERT_TRUE(r.has_value()) << type;
    EXPECT_FALSE(r->has_value()) << type;
  }
  auto bad = boost::json::parse(R"({"name":"x.example.test","type":"A","ttl":300,"rData":{}})")
                 .as_object();
  EXPECT_FALSE(parse_record(bad).has_value());
}

Rdata svcb(RRType type, std::string_view text) {
  auto r = Rdata::parse(type, text, N("example.test."));
  EXPECT_TRUE(r.has_value()) << text << ": " << (r ? "" : r.error());
  return *r;
}

// parse_record's error for one SVCB/HTTPS rData ("" when it parsed).
std::string svcb_error(std::string_view rdata_json) {
  auto rec = boost::json::parse(fmt::format(R"({{"name":"www.example.test","type":"HTTPS",)"
                                            R"("ttl":300,"rData":{}}})",
                                            rdata_json))
                 .as_object();
  auto r = parse_record(rec);
  return r ? std::string() : r.error();
}

TEST(TechnitiumRecords, SvcbEveryParamBothWays) {
  auto https = svcb(RRType::HTTPS,
                    "1 . mandatory=port,alpn alpn=h2,h3 no-default-alpn port=8443 "
                    "ipv4hint=192.0.2.1,192.0.2.2 ech=AEX+DQ== ipv6hint=2001:db8::1 key65000=abc");
  auto p = value_params(https).value();
  EXPECT_EQ(get(p, "svcPriority"), "1");
  EXPECT_EQ(get(p, "svcTargetName"), ".");  // the root: an empty parameter is a missing one
  EXPECT_EQ(get(p, "svcParams"),
            "mandatory|alpn,port|alpn|h2,h3|no-default-alpn||port|8443|"
            "ipv4hint|192.0.2.1,192.0.2.2|ech|AEX+DQ==|ipv6hint|2001:db8::1|key65000|abc");
  EXPECT_EQ(get(p, "autoIpv4Hint"), "false");
  EXPECT_EQ(get(p, "autoIpv6Hint"), "false");
  // records/get: an object, keys in the server's order and case, addresses its own spelling,
  // the root as "": the same record, so a zone read back is no drift.
  EXPECT_EQ(parse_back(RRType::HTTPS,
                       R"({"svcPriority":1,"svcMode":"ServiceMode","svcTargetName":"",)"
                       R"("svcParams":{"ipv6hint":"2001:DB8:0:0::1","Port":"8443",)"
                       R"("alpn":"h2,h3","no-default-alpn":"","mandatory":"alpn,port",)"
                       R"("ipv4hint":"192.0.2.1,192.0.2.2","ech":"AEX+DQ==","key65000":"abc"},)"
                       R"("autoIpv4Hint":false,"autoIpv6Hint":false})"),
            https);
  // The pipe form read back too (what records/add takes), and a number for the port.
  EXPECT_EQ(parse_back(RRType::HTTPS, R"({"svcPriority":"1","svcTargetName":".","svcParams":)"
                                      R"("alpn|h2,h3|port|8443"})"),
            svcb(RRType::HTTPS, "1 . alpn=h2,h3 port=8443"));
  EXPECT_EQ(parse_back(RRType::HTTPS, R"({"svcPriority":1,"svcTargetName":"",)"
                                      R"("svcParams":{"port":8443}})"),
            svcb(RRType::HTTPS, "1 . port=8443"));
  // The order of alpn ids is a preference: another order is another record.
  EXPECT_NE(parse_back(RRType::HTTPS, R"({"svcPriority":1,"svcTargetName":"",)"
                                      R"("svcParams":{"alpn":"h3,h2"}})"),
            svcb(RRType::HTTPS, "1 . alpn=h2,h3"));
}

TEST(TechnitiumRecords, SvcbTargetsKeysAndAliasMode) {
  // SVCB with a target in the zone; dohpath (key 7) and ohttp (key 8) go by number, in
  // mandatory too: Technitium names keys only up to ipv6hint.
  auto dns = svcb(RRType::SVCB,
                  "1 dns.example.test. mandatory=dohpath alpn=h2 dohpath=/dns-query{?dns} ohttp");
  auto p = value_params(dns).value();
  EXPECT_EQ(get(p, "svcTargetName"), "dns.example.test");
  EXPECT_EQ(get(p, "svcParams"), "mandatory|key7|alpn|h2|key7|/dns-query{?dns}|key8|");
  EXPECT_EQ(parse_back(RRType::SVCB, R"({"svcPriority":1,"svcTargetName":"DNS.example.test",)"
                                     R"("svcParams":{"mandatory":"key7","alpn":"h2",)"
                                     R"("key7":"/dns-query{?dns}","key8":""}})"),
            dns);
  // AliasMode: no params at all ("false", as the console sends an empty list).
  auto alias = svcb(RRType::HTTPS, "0 cdn.example.net.");
  p = value_params(alias).value();
  EXPECT_EQ(get(p, "svcPriority"), "0");
  EXPECT_EQ(get(p, "svcTargetName"), "cdn.example.net");
  EXPECT_EQ(get(p, "svcParams"), "false");
  EXPECT_EQ(parse_back(RRType::HTTPS, R"({"svcPriority":0,"svcMode":"AliasMode",)"
                                      R"("svcTargetName":"cdn.example.net","svcParams":{},)"
                                      R"("autoIpv4Hint":false,"autoIpv6Hint":false})"),
            alias);
  EXPECT_EQ(parse_back(RRType::HTTPS, R"({"svcPriority":0,"svcTargetName":"cdn.example.net"})"),
            alias);
  // ServiceMode without params is not AliasMode.
  EXPECT_EQ(get(value_params(svcb(RRType::HTTPS, "2 .")).value(), "svcParams"), "false");
  // records/update: the values again under their new… names, so nothing changes.
  auto u = update_params(dns).value();
  EXPECT_EQ(get(u, "svcPriority"), "1");
  EXPECT_EQ(get(u, "newSvcPriority"), "1");
  EXPECT_EQ(get(u, "newSvcTargetName"), "dns.example.test");
  EXPECT_EQ(get(u, "newSvcParams"), get(u, "svcParams"));
  EXPECT_EQ(get(u, "autoIpv4Hint"), "false");
  EXPECT_EQ(get(update_params(Rdata::a("192.0.2.1").value()).value(), "newIpAddress"), "<missing>");
}

TEST(TechnitiumRecords, SvcbValuesThePipeFormCannotCarryAreRefused) {
  for (const char* text : {R"(1 . key65000="a|b")", R"(1 . alpn="h2\\,x")", R"(1 . alpn=a\\\\b)",
                           R"(1 . key65000="\001")", R"(1 . key65000="caf\195\169")"}) {
    auto rd = svcb(RRType::HTTPS, text);
    auto p = value_params(rd);
    EXPECT_FALSE(p.has_value()) << text;
    if (!p) {
      EXPECT_NE(p.error().find("HTTPS: SvcParam"), std::string::npos) << p.error();
    }
  }
}

TEST(TechnitiumRecords, SvcbBadDataFromTheApiIsAnError) {
  EXPECT_EQ(svcb_error(R"({"svcPriority":1,"svcTargetName":"","svcParams":{"alpn":"h2"}})"), "");
  // AliasMode with params: the model's refusal, named.
  EXPECT_NE(svcb_error(R"({"svcPriority":0,"svcTargetName":"x.test","svcParams":{"alpn":"h2"}})")
                .find("AliasMode"),
            std::string::npos);
  for (const char* rdata : {
           R"({"svcTargetName":"","svcParams":{}})",                      // no priority
           R"({"svcPriority":70000,"svcTargetName":"","svcParams":{}})",  // out of range
           R"({"svcPriority":"one","svcTargetName":"","svcParams":{}})",  // not a number
           R"({"svcPriority":1,"svcParams":{}})",                         // no target
           R"({"svcPriority":1,"svcTargetName":7,"svcParams":{}})",       // not a string
           R"({"svcPriority":1,"svcTargetName":"a..b","svcParams":{}})",  // not a name
           R"({"svcPriority":1,"svcTargetName":"","svcParams":[1]})",     // not an object
           R"({"svcPriority":1,"svcTargetName":"","svcParams":{"alpn":[]}})",
           R"({"svcPriority":1,"svcTargetName":"","svcParams":{"alpn":""}})",  // needs a value
           R"({"svcPriority":1,"svcTargetName":"","svcParams":{"bogus":"1"}})",
           R"({"svcPriority":1,"svcTargetName":"","svcParams":{"a b":"1"}})",
           R"({"svcPriority":1,"svcTargetName":"","svcParams":{"port":"x"}})",
           R"({"svcPriority":1,"svcTargetName":"","svcParams":{"port":"70000"}})",
           R"({"svcPriority":1,"svcTargetName":"","svcParams":{"ipv4hint":"2001:db8::1"}})",
           R"({"svcPriority":1,"svcTargetName":"","svcParams":{"ech":"not base64!"}})",
           R"({"svcPriority":1,"svcTargetName":"","svcParams":{"no-default-alpn":""}})",
           R"({"svcPriority":1,"svcTargetName":"","svcParams":{"mandatory":"port"}})",
           R"({"svcPriority":1,"svcTargetName":"","svcParams":{"key65535":"x"}})",
           R"({"svcPriority":1,"svcTargetName":"","svcParams":"alpn|h2|port"})",  // odd pairs
           R"({"svcPriority":1,"svcTargetName":"","svcParams":{"ipv6hint":"192.0.2.1"}})",
       }) {
    std::string e = svcb_error(rdata);
    EXPECT_NE(e, "") << rdata;
    EXPECT_NE(e.find("www.example.test HTTPS: "), std::string::npos) << e;
  }
}

TEST(TechnitiumRecords, FormEncoding) {
  EXPECT_EQ(form_encode({{"domain", "a.example.test"}, {"text", "v=1 x&y\n"}}),
            "domain=a.example.test&text=v%3D1%20x%26y%0A");
}

TEST(TechnitiumRecords, CommentsCarryClaimOwnerAndDescription) {
  EXPECT_EQ(render_comments("zonekeeper:default", {}), "zonekeeper:default");
  EXPECT_EQ(render_comments("zonekeeper:default", {"team-web", "the shop's front door"}),
            "zonekeeper:default | owner: team-web | description: the shop's front door");
  EXPECT_EQ(render_comments("zk", {"", "only this"}), "zk | description: only this");
  // '|' and '\\' escaped, newlines and control octets spelled out, UTF-8 kept
  std::string odd = "a | b \\ c\nd\te\x01 caf\xc3\xa9";
  EXPECT_EQ(render_comments("zk", {odd, ""}),
            "zk | owner: a \\| b \\\\ c\\nd\\te\\x01 caf\xc3\xa9");
  auto back = parse_comments(render_comments("zk", {odd, odd}));
  EXPECT_EQ(back.head, "zk");
  EXPECT_EQ(back.notes, (model::RecordNotes{odd, odd}));
  // Cut to kMaxCommentNote octets, between characters.
  auto long_one =
      parse_comments(render_comments("zk", {std::string(1000, 'o'), std::string(300, '|')}));
  EXPECT_EQ(long_one.notes.owner, std::string(kMaxCommentNote, 'o'));
  EXPECT_EQ(long_one.notes.description, std::string(kMaxCommentNote / 2, '|'));
  // Comments written by older versions or by people: the claim alone, free text, parts we do
  // not know.
  EXPECT_EQ(parse_comments("zonekeeper:default").head, "zonekeeper:default");
  EXPECT_EQ(parse_comments("zonekeeper:default").notes, model::RecordNotes{});
  auto human = parse_comments("set by bob zonekeeper:x | ticket: 42 | owner: ops");
  EXPECT_EQ(human.head, "set by bob zonekeeper:x");
  EXPECT_EQ(human.notes.owner, "ops");
  // A value cannot move the claim into or out of the head.
  auto forged = parse_comments(render_comments("bob", {"", "x | zonekeeper:default"}));
  EXPECT_EQ(forged.head, "bob");
  EXPECT_EQ(forged.notes.description, "x | zonekeeper:default");
}

}  // namespace
}  // namespace zk::providers::technitium
