#include "api/record.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include <string>
#include <vector>

namespace zk::api {
namespace {

using model::Name;
using model::RRType;

const Name kZone = Name::parse("example.test.").value();

boost::json::value J(std::string_view text) {
  return boost::json::parse(text);
}

RecordObject rec(Kind kind, std::string_view spec) {
  boost::json::object o;
  o["apiVersion"] = "dns.zonekeeper.io/v1alpha1";
  o["kind"] = std::string(to_string(kind));
  o["metadata"] = J(R"({"name":"r","namespace":"ns","creationTimestamp":"2024-01-01T00:00:00Z"})");
  o["spec"] = J(spec);
  return decode_record(o).value();
}

std::vector<std::string> texts(const model::RRset& s) {
  std::vector<std::string> out;
  for (const auto& rd : s.rdatas()) out.push_back(rd.to_text());
  return out;
}

TEST(Kind, NamesRoundTrip) {
  for (Kind k : kAllKinds) {
    EXPECT_EQ(parse_kind(to_string(k)).value(), k);
    EXPECT_EQ(parse_plural(plural(k)).value(), k);
  }
  EXPECT_EQ(to_string(Kind::AAAA), "AAAARecord");
  EXPECT_EQ(plural(Kind::SRV), "srvrecords");
  EXPECT_EQ(record_type(Kind::CAA), RRType::CAA);
  EXPECT_FALSE(parse_kind("Arecord"));
  EXPECT_FALSE(parse_plural("ARecords"));
}

TEST(RecordKey, SplitsIntoKindNamespaceAndName) {
  const std::string key = record_key(Kind::CNAME, "team-a", "www");
  EXPECT_EQ(key, "CNAMERecord/team-a/www");
  const RecordKeyParts p = split_record_key(key);
  EXPECT_EQ(p.kind, "CNAMERecord");
  EXPECT_EQ(p.ns, "team-a");
  EXPECT_EQ(p.name, "www");
  const RecordKeyParts odd = split_record_key("no-slash");
  EXPECT_EQ(odd.kind, "no-slash");
  EXPECT_EQ(odd.ns, "");
  EXPECT_EQ(odd.name, "");
}

TEST(DecodeRecord, ReadsMetadataAndSpec) {
  auto r = decode_record(J(R"({
    "apiVersion": "dns.zonekeeper.io/v1alpha1", "kind": "ARecord",
    "metadata": {"name": "www", "namespace": "team-a", "uid": "u-1", "generation": 3,
                 "creationTimestamp": "2024-05-01T12:00:00Z", "labels": {"zone": "ext"}},
    "spec": {"name": "www", "ttl": 60, "ipv4Addresses": ["192.0.2.1"]}})"));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->kind, Kind::A);
  EXPECT_EQ(r->ns, "team-a");
  EXPECT_EQ(r->name, "www");
  EXPECT_EQ(r->uid, "u-1");
  EXPECT_EQ(r->generation, 3);
  EXPECT_EQ(r->created_at, parse_rfc3339("2024-05-01T12:00:00Z").value());
  EXPECT_EQ(r->labels, (Labels{{"zone", "ext"}}));
  EXPECT_EQ(r->spec_name, "www");
  EXPECT_EQ(r->ttl, 60u);
  EXPECT_EQ(r->key(), "ARecord/team-a/www");
  EXPECT_EQ(r->spec, R"({"name":"www","ttl":60,"ipv4Addresses":["192.0.2.1"]})");
}

TEST(DecodeRecord, ReadsTheServedHashOnlyWhenItIsOne) {
  const std::string hash(64, 'c');
  auto with = [](std::string_view status) {
    return decode_record(J(std::string(R"({"kind":"ARecord","metadata":{"name":"a"},"spec":{},)") +
                           R"("status":)" + std::string(status) + "}"))
        .value();
  };
  EXPECT_EQ(with(R"({"recordHash":")" + hash + R"("})").served_hash.hex(), hash);
  EXPECT_TRUE(with(R"({"recordHash":"h1"})").served_hash.empty());  // edited by hand: none
  EXPECT_TRUE(with(R"({"recordHash":7})").served_hash.empty());
  EXPECT_TRUE(with(R"({})").served_hash.empty());
}

TEST(DecodeRecord, RefusesUnidentifiableObjects) {
  struct Case {
    const char* json;
    const char* error;
  };
  for (const Case& c : std::vector<Case>{
           {R"([])", "not a JSON object"},
           {R"({"kind":"FooRecord","metadata":{"name":"a"},"spec":{}})",
            "kind: \"FooRecord\" is not a record kind"},
           {R"({"metadata":{"name":"a"},"spec":{}})", "kind: required"},
           {R"({"kind":"ARecord","spec":{}})", "metadata.name: required"},
           {R"({"kind":"ARecord","metadata":{"name":""},"spec":{}})", "metadata.name: must not"},
           {R"({"kind":"ARecord","metadata":{"name":"a"}})", "spec: required"},
           {R"({"kind":"ARecord","metadata":{"name":"a"},"spec":[1]})", "spec: must be an object"},
           {R"({"apiVersion":"v1","kind":"ARecord","metadata":{"name":"a"},"spec":{}})",
            "apiVersion: expected dns.zonekeeper.io/v1alpha1"},
           {R"({"kind":"ARecord","metadata":{"name":"a","labels":{"x":1}},"spec":{}})",
            "metadata.labels.x: must be a string"},
       }) {
    auto r = decode_record(J(c.json));
    ASSERT_FALSE(r) << c.json;
    EXPECT_NE(r.error().find(c.error), std::string::npos) << c.json << " → " << r.error();
  }
}

struct Valid {
  Kind kind;
  const char* spec;
  const char* owner;
  RRType type;
  uint32_t ttl;
  std::vector<std::string> rdatas;  // presentation form, canonical order
};

class RecordRRsetValid : public testing::TestWithParam<Valid> {};

TEST_P(RecordRRsetValid, BuildsTheRRset) {
  const Valid& v = GetParam();
  auto set = record_rrset(rec(v.kind, v.spec), kZone, 300);
  ASSERT_TRUE(set) << v.spec << " → " << set.error();
  EXPECT_EQ(set->owner(), Name::parse(v.owner).value());
  EXPECT_EQ(set->type(), v.type);
  EXPECT_EQ(set->ttl(), v.ttl);
  EXPECT_EQ(texts(*set), v.rdatas);
}

INSTANTIATE_TEST_SUITE_P(
    AllKinds, RecordRRsetValid,
    testing::Values(
        Valid{Kind::A,
              R"({"name":"www","ipv4Addresses":["192.0.2.2","192.0.2.1"]})",
              "www.example.test.",
              RRType::A,
              300,
              {"192.0.2.1", "192.0.2.2"}},
        Valid{Kind::A,
              R"({"name":"@","ttl":60,"ipv4Addresses":["192.0.2.1"]})",
              "example.test.",
              RRType::A,
              60,
              {"192.0.2.1"}},
        Valid{Kind::A,
              R"({"name":"*.apps","ipv4Addresses":["192.0.2.1"]})",
              "*.apps.example.test.",
              RRType::A,
              300,
              {"192.0.2.1"}},
        Valid{Kind::A,
              R"({"name":"www.example.test.","ttl":0,"ipv4Addresses":["10.0.0.1"]})",
              "www.example.test.",
              RRType::A,
              0,
              {"10.0.0.1"}},
        Valid{Kind::A,
              R"({"name":"WWW.Example.TEST.","ipv4Addresses":["10.0.0.1","10.0.0.1"]})",
              "www.example.test.",
              RRType::A,
              300,
              {"10.0.0.1"}},
        Valid{Kind::AAAA,
              R"({"name":"v6","ipv6Addresses":["2001:db8::1","::ffff:192.0.2.1"]})",
              "v6.example.test.",
              RRType::AAAA,
              300,
              {"::ffff:192.0.2.1", "2001:db8::1"}},
        Valid{Kind::CNAME,
              R"({"name":"alias","target":"www"})",
              "alias.example.test.",
              RRType::CNAME,
              300,
              {"www.example.test."}},
        Valid{Kind::CNAME,
              R"({"name":"alias","target":"cdn.other.test."})",
              "alias.example.test.",
              RRType::CNAME,
              300,
              {"cdn.other.test."}},
        Valid{Kind::CNAME,
              R"({"name":"_acme-challenge","target":"@"})",
              "_acme-challenge.example.test.",
              RRType::CNAME,
              300,
              {"example.test."}},
        Valid{Kind::TXT,
              R"({"name":"@","texts":["v=spf1 -all","b"]})",
              "example.test.",
              RRType::TXT,
              300,
              {"\"b\"", "\"v=spf1 -all\""}},
        Valid{Kind::TXT,
              R"({"name":"empty","texts":[""]})",
              "empty.example.test.",
              RRType::TXT,
              300,
              {"\"\""}},
        Valid{
            Kind::MX,
            R"({"name":"@","mailExchangers":[{"preference":20,"exchange":"mx.other.test."},{"preference":10,"exchange":"mail"}]})",
            "example.test.",
            RRType::MX,
            300,
            {"10 mail.example.test.", "20 mx.other.test."}},
        Valid{Kind::MX,
              R"({"name":"nomail","mailExchangers":[{"preference":0,"exchange":"."}]})",
              "nomail.example.test.",
              RRType::MX,
              300,
              {"0 ."}},
        Valid{Kind::NS,
              R"({"name":"sub","nameServers":["ns1.sub","ns.other.test."]})",
              "sub.example.test.",
              RRType::NS,
              300,
              {"ns.other.test.", "ns1.sub.example.test."}},
        Valid{
            Kind::SRV,
            R"({"name":"_sip._tcp","services":[{"priority":10,"weight":60,"port":5060,"target":"sip"}]})",
            "_sip._tcp.example.test.",
            RRType::SRV,
            300,
            {"10 60 5060 sip.example.test."}},
        Valid{
            Kind::SRV,
            R"({"name":"_imap._tcp.mail","services":[{"priority":0,"weight":0,"port":0,"target":"."}]})",
            "_imap._tcp.mail.example.test.",
            RRType::SRV,
            300,
            {"0 0 0 ."}},
        Valid{
            Kind::CAA,
            R"({"name":"@","entries":[{"tag":"issue","value":"letsencrypt.org"},{"flags":128,"tag":"iodef","value":"mailto:sec@example.test"}]})",
            "example.test.",
            RRType::CAA,
            300,
            {"0 issue \"letsencrypt.org\"", "128 iodef \"mailto:sec@example.test\""}},
        Valid{Kind::PTR,
              R"({"name":"_http._tcp","targets":["web._http._tcp","host.other.test."]})",
              "_http._tcp.example.test.",
              RRType::PTR,
              300,
              {"web._http._tcp.example.test.", "host.other.test."}},
        Valid{
            Kind::NAPTR,
            R"({"name":"@","rules":[{"order":100,"preference":10,"flags":"S","services":"SIP+D2U","replacement":"_sip._udp"},{"order":100,"preference":20,"flags":"U","services":"E2U+sip","regexp":"!^.*$!sip:info@example.test!"}]})",
            "example.test.",
            RRType::NAPTR,
            300,
            {"100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.test.",
             "100 20 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.test!\" ."}},
        Valid{Kind::DNAME,
              R"({"name":"old","target":"new.other.test."})",
              "old.example.test.",
              RRType::DNAME,
              300,
              {"new.other.test."}},
        Valid{
            Kind::SSHFP,
            R"({"name":"host","fingerprints":[{"algorithm":4,"type":2,"fingerprint":"0123456789abcdef 0123456789abcdef 0123456789abcdef 0123456789abcdef"}]})",
            "host.example.test.",
            RRType::SSHFP,
            300,
            {"4 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"}},
        Valid{
            Kind::TLSA,
            R"({"name":"_443._tcp.www","associations":[{"usage":3,"selector":1,"matchingType":1,"data":"0123456789abcdef"}]})",
            "_443._tcp.www.example.test.",
            RRType::TLSA,
            300,
            {"3 1 1 0123456789ABCDEF"}},
        Valid{
            Kind::SVCB,
            R"({"name":"_dns.resolver","bindings":[{"priority":1,"target":"dns","params":"alpn=dot port=853"}]})",
            "_dns.resolver.example.test.",
            RRType::SVCB,
            300,
            {"1 dns.example.test. alpn=\"dot\" port=853"}},
        Valid{Kind::HTTPS,
              R"({"name":"@","bindings":[{"priority":0,"target":"cdn.other.test."}]})",
              "example.test.",
              RRType::HTTPS,
              300,
              {"0 cdn.other.test."}},
        Valid{
            Kind::HTTPS,
            R"({"name":"www","bindings":[{"priority":1,"target":".","params":"alpn=h2,h3 ipv4hint=192.0.2.1"}]})",
            "www.example.test.",
            RRType::HTTPS,
            300,
            {"1 . alpn=\"h2,h3\" ipv4hint=192.0.2.1"}}));

TEST(RecordRRset, LongTextIsOneRecordOfSeveralStrings) {
  std::string text(300, 'x');
  auto set =
      record_rrset(rec(Kind::TXT, R"({"name":"dkim","texts":[")" + text + R"("]})"), kZone, 300);
  ASSERT_TRUE(set) << set.error();
  ASSERT_EQ(set->size(), 1u);
  auto strings = set->rdatas()[0].txt_strings();
  ASSERT_EQ(strings.size(), 2u);
  EXPECT_EQ(strings[0].size(), 255u);
  EXPECT_EQ(strings[0] + strings[1], text);
}

TEST(RecordRRset, ZoneDefaultTtlAppliesOnlyWithoutSpecTtl) {
  auto a = record_rrset(rec(Kind::A, R"({"name":"a","ipv4Addresses":["192.0.2.1"]})"), kZone, 3600);
  auto b = record_rrset(rec(Kind::A, R"({"name":"a","ttl":5,"ipv4Addresses":["192.0.2.1"]})"),
                        kZone, 3600);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->ttl(), 3600u);
  EXPECT_EQ(b->ttl(), 5u);
}

struct Invalid {
  Kind kind;
  std::string spec;
  std::string error;  // expected substring (the whole message where it matters)
};

class RecordRRsetInvalid : public testing::TestWithParam<Invalid> {};

TEST_P(RecordRRsetInvalid, NamesTheField) {
  const Invalid& v = GetParam();
  auto set = record_rrset(rec(v.kind, v.spec), kZone, 300);
  ASSERT_FALSE(set) << v.spec << " unexpectedly gave " << set->wire_size() << " octets";
  EXPECT_NE(set.error().find(v.error), std::string::npos) << v.spec << " → " << set.error();
}

INSTANTIATE_TEST_SUITE_P(
    BadInput, RecordRRsetInvalid,
    testing::Values(
        // the six newer kinds
        Invalid{Kind::NAPTR, R"({"name":"@","rules":[{"order":1,"preference":1,"flags":"S!"}]})",
                "spec.rules[0].flags: \"S!\": flags are letters and digits"},
        Invalid{
            Kind::NAPTR,
            R"({"name":"@","rules":[{"order":1,"preference":1,"regexp":"!a!b!","replacement":"x"}]})",
            "spec.rules[0]: regexp and replacement exclude each other"},
        Invalid{Kind::NAPTR, R"({"name":"@","rules":[{"order":70000,"preference":1}]})",
                "spec.rules[0].order:"},
        Invalid{Kind::NAPTR, R"({"name":"@"})", "spec.rules: required"},
        Invalid{Kind::DNAME, R"({"name":"old","target":["a","b"]})",
                "spec.target: a name holds exactly one DNAME"},
        Invalid{Kind::SSHFP,
                R"({"name":"h","fingerprints":[{"algorithm":1,"type":1,"fingerprint":"xyz"}]})",
                "spec.fingerprints[0].fingerprint: \"xyz\" is not hexadecimal"},
        Invalid{Kind::SSHFP,
                R"({"name":"h","fingerprints":[{"algorithm":1,"type":1,"fingerprint":"abc"}]})",
                "needs whole octets"},
        Invalid{Kind::SSHFP,
                R"({"name":"h","fingerprints":[{"algorithm":256,"type":1,"fingerprint":"ab"}]})",
                "spec.fingerprints[0].algorithm:"},
        Invalid{
            Kind::TLSA,
            R"({"name":"www","associations":[{"usage":3,"selector":1,"matchingType":1,"data":"ab"}]})",
            "must start with _port._protocol labels (RFC 6698)"},
        Invalid{Kind::TLSA,
                R"({"name":"_443._tcp","associations":[{"usage":3,"selector":1,"data":"ab"}]})",
                "spec.associations[0].matchingType: required"},
        Invalid{Kind::HTTPS,
                R"({"name":"www","bindings":[{"priority":1,"target":".","params":"color=red"}]})",
                "spec.bindings[0].params:"},
        Invalid{Kind::HTTPS,
                R"({"name":"www","bindings":[{"priority":0,"target":".","params":"alpn=h2"}]})",
                "spec.bindings[0].params:"},
        Invalid{Kind::SVCB, R"({"name":"s","bindings":[{"priority":1}]})",
                "spec.bindings[0].target: required"},
        // addresses
        Invalid{Kind::A, R"({"name":"a","ipv4Addresses":["10.0.0.1","10.0.0.256"]})",
                R"(spec.ipv4Addresses[1]: "10.0.0.256" is not an IPv4 address)"},
        Invalid{Kind::A, R"({"name":"a","ipv4Addresses":["192.0.2.01"]})",
                R"(spec.ipv4Addresses[0]: "192.0.2.01" is not an IPv4 address)"},
        Invalid{Kind::A, R"({"name":"a","ipv4Addresses":["2001:db8::1"]})",
                "spec.ipv4Addresses[0]:"},
        Invalid{Kind::A, R"({"name":"a","ipv4Addresses":[]})",
                "spec.ipv4Addresses: needs at least one address"},
        Invalid{Kind::A, R"({"name":"a"})", "spec.ipv4Addresses: required"},
        Invalid{Kind::A, R"({"name":"a","ipv6Addresses":["::1"]})", "spec.ipv4Addresses: required"},
        Invalid{Kind::A, R"({"name":"a","ipv4Addresses":[17]})",
                "spec.ipv4Addresses[0]: must be a string, got 17"},
        Invalid{Kind::A, R"({"name":"a","ipv4Addresses":"192.0.2.1"})",
                "spec.ipv4Addresses: must be a list"},
        Invalid{Kind::AAAA, R"({"name":"a","ipv6Addresses":["2001:db8::g"]})",
                R"(spec.ipv6Addresses[0]: "2001:db8::g" is not an IPv6 address)"},
        Invalid{Kind::AAAA, R"({"name":"a","ipv6Addresses":["192.0.2.1"]})",
                "is not an IPv6 address"},
        // names
        Invalid{Kind::A, R"({"ipv4Addresses":["192.0.2.1"]})", "spec.name: required"},
        Invalid{Kind::A, R"({"name":7,"ipv4Addresses":["192.0.2.1"]})",
                "spec.name: must be a string, got 7"},
        Invalid{Kind::A, R"({"name":"a..b","ipv4Addresses":["192.0.2.1"]})",
                "spec.name: empty label"},
        Invalid{Kind::TXT, R"({"name":")" + std::string(64, 'x') + R"(","texts":["t"]})",
                "spec.name: label \"xxxxxxxxxxxxxxxxxxxx...\" is 64 octets long; the limit is 63"},
        Invalid{Kind::TXT,
                R"({"name":")" + std::string(60, 'a') + "." + std::string(60, 'b') + "." +
                    std::string(60, 'c') + "." + std::string(60, 'd') + R"(","texts":["t"]})",
                "octets in wire form; the limit is 255"},
        Invalid{Kind::A, R"({"name":"www.other.test.","ipv4Addresses":["192.0.2.1"]})",
                R"(spec.name: "www.other.test." is outside the zone example.test.)"},
        Invalid{Kind::A, R"({"name":"test.","ipv4Addresses":["192.0.2.1"]})", "outside the zone"},
        Invalid{Kind::A, R"({"name":"_x","ipv4Addresses":["192.0.2.1"]})",
                "holds '_', which a host name cannot contain"},
        Invalid{Kind::TXT, R"({"name":"a.*","texts":["t"]})",
                "'*' is allowed only as the whole leftmost label"},
        Invalid{Kind::TXT, R"({"name":"a b","texts":["t"]})", "holds the octet 0x20"},
        Invalid{Kind::TXT, R"({"name":"a\\.b","texts":["t"]})", "escapes"},
        Invalid{Kind::TXT, R"({"name":"-a","texts":["t"]})", "starts or ends with '-'"},
        // ttl
        Invalid{Kind::A, R"({"name":"a","ttl":-1,"ipv4Addresses":["192.0.2.1"]})",
                "spec.ttl: must be an integer from 0 to 2147483647, got -1"},
        Invalid{Kind::A, R"({"name":"a","ttl":2147483648,"ipv4Addresses":["192.0.2.1"]})",
                "spec.ttl: must be an integer from 0 to 2147483647"},
        Invalid{Kind::A, R"({"name":"a","ttl":"300","ipv4Addresses":["192.0.2.1"]})",
                "spec.ttl: must be an integer"},
        // CNAME
        Invalid{Kind::CNAME, R"({"name":"@","target":"www"})",
                "spec.name: a CNAME cannot be at the zone apex example.test."},
        Invalid{Kind::CNAME, R"({"name":"Example.Test.","target":"www"})",
                "cannot be at the zone apex"},
        Invalid{
            Kind::CNAME, R"({"name":"a","target":["x","y"]})",
            "spec.target: a name holds exactly one CNAME, so it takes one target, got a list of 2"},
        Invalid{Kind::CNAME, R"({"name":"a"})", "spec.target: required"},
        Invalid{Kind::CNAME, R"({"name":"a","target":""})", "spec.target: the name is empty"},
        Invalid{Kind::CNAME, R"({"name":"a","target":"."})", "spec.target: \".\" (the root)"},
        // NS
        Invalid{Kind::NS, R"({"name":"@","nameServers":["ns1"]})",
                "apex NS records of example.test. come from the DNSZone's spec.nameServers"},
        Invalid{Kind::NS, R"({"name":"sub","nameServers":["ns_1.sub"]})",
                "spec.nameServers[0]: \"ns_1.sub\": label \"ns_1\" holds '_'"},
        // MX
        Invalid{Kind::MX, R"({"name":"@","mailExchangers":[{"preference":70000,"exchange":"m"}]})",
                "spec.mailExchangers[0].preference: must be an integer from 0 to 65535"},
        Invalid{Kind::MX, R"({"name":"@","mailExchangers":[{"exchange":"m"}]})",
                "spec.mailExchangers[0].preference: required"},
        Invalid{
            Kind::MX,
            R"({"name":"@","mailExchangers":[{"preference":0,"exchange":"."},{"preference":10,"exchange":"m"}]})",
            "a null MX (exchange \".\") must be the only mail exchanger"},
        Invalid{Kind::MX, R"({"name":"@","mailExchangers":[{"preference":10,"exchange":"."}]})",
                "a null MX"},
        Invalid{Kind::MX, R"({"name":"@","mailExchangers":[{"preference":1,"exchange":"_m"}]})",
                "spec.mailExchangers[0].exchange:"},
        Invalid{Kind::MX, R"({"name":"@","mailExchangers":["mail"]})",
                "spec.mailExchangers[0]: must be an object"},
        // SRV
        Invalid{Kind::SRV,
                R"({"name":"sip","services":[{"priority":0,"weight":0,"port":1,"target":"s"}]})",
                "spec.name: \"sip\" must start with _service._proto labels"},
        Invalid{Kind::SRV,
                R"({"name":"_sip.x","services":[{"priority":0,"weight":0,"port":1,"target":"s"}]})",
                "_service._proto"},
        Invalid{
            Kind::SRV,
            R"({"name":"_sip._tcp","services":[{"priority":0,"weight":0,"port":65536,"target":"s"}]})",
            "spec.services[0].port: must be an integer from 0 to 65535"},
        Invalid{Kind::SRV,
                R"({"name":"_sip._tcp","services":[{"priority":0,"port":1,"target":"s"}]})",
                "spec.services[0].weight: required"},
        Invalid{Kind::SRV, R"({"name":"_sip._tcp","services":[]})",
                "spec.services: needs at least one service"},
        // CAA
        Invalid{Kind::CAA, R"({"name":"@","entries":[{"tag":"is-sue","value":"ca.test"}]})",
                "spec.entries[0].tag: CAA tag \"is-sue\" must be 1 to 15 letters or digits"},
        Invalid{Kind::CAA, R"({"name":"@","entries":[{"tag":"","value":"ca.test"}]})",
                "spec.entries[0].tag:"},
        Invalid{Kind::CAA, R"({"name":"@","entries":[{"flags":256,"tag":"issue","value":"x"}]})",
                "spec.entries[0].flags: must be an integer from 0 to 255"},
        Invalid{Kind::CAA, R"({"name":"@","entries":[{"tag":"issue"}]})",
                "spec.entries[0].value: required"},
        // TXT sizes
        Invalid{Kind::TXT, R"({"name":"big","texts":[")" + std::string(65300, 'x') + R"("]})",
                "spec.texts[0]: 65300 octets of text make a TXT record of"},
        Invalid{Kind::TXT,
                R"({"name":"big","texts":[")" + std::string(9000, 'a') + R"(",")" +
                    std::string(9000, 'b') + R"(",")" + std::string(9000, 'c') + R"(",")" +
                    std::string(9000, 'd') + R"("]})",
                "one RRset may hold at most 32000"},
        // PTR
        Invalid{Kind::PTR, R"({"name":"1","targets":["."]})", "spec.targets[0]: \".\" (the root)"},
        Invalid{Kind::PTR, R"({"name":"1","targets":["a..b"]})", "spec.targets[0]: empty label"}));

}  // namespace
}  // namespace zk::api
