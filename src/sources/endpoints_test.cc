#include "sources/endpoints.h"

#include <algorithm>
#include <random>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace zk::sources {
namespace {

using model::Name;
using model::RRset;
using model::RRType;

const Name kZone = Name::parse("example.com.").value();

Endpoint ep(std::string name, std::string type, std::vector<std::string> targets,
            std::optional<int64_t> ttl = std::nullopt, std::string source = "test/ns/a") {
  return Endpoint{
      std::move(name), std::move(type), std::move(targets), ttl, {}, {}, std::move(source), {}};
}

// "owner TYPE ttl rdata|rdata" renderings of a set, for compact expectations.
std::string render(const RRset& s) {
  std::string out =
      fmt::format("{} {} {}", s.owner().to_string(), model::to_string(s.type()), s.ttl());
  for (const auto& rd : s.rdatas()) out += " " + rd.to_text();
  return out;
}

std::vector<std::string> render(const std::vector<RRset>& sets) {
  std::vector<std::string> out;
  out.reserve(sets.size());
  for (const auto& s : sets) out.push_back(render(s));
  return out;
}

struct GoodCase {
  Endpoint endpoint;
  std::vector<std::string> rrsets;
};

const std::vector<GoodCase> kGood = {
    {ep("www.example.com", "A", {"192.0.2.1"}), {"www.example.com. A 300 192.0.2.1"}},
    {ep("www.example.com.", "A", {"192.0.2.2", "192.0.2.1", "192.0.2.1"}),
     {"www.example.com. A 300 192.0.2.1 192.0.2.2"}},
    {ep("v6.example.com", "AAAA", {"2001:db8::1"}), {"v6.example.com. AAAA 300 2001:db8::1"}},
    {ep("www.example.com", "a", {"192.0.2.1"}, 60), {"www.example.com. A 60 192.0.2.1"}},
    {ep("www.example.com", "A", {"192.0.2.1"}, 0), {"www.example.com. A 300 192.0.2.1"}},
    {ep("dual.example.com", "", {"192.0.2.1", "2001:db8::1"}),
     {"dual.example.com. A 300 192.0.2.1", "dual.example.com. AAAA 300 2001:db8::1"}},
    {ep("alias.example.com", "", {"lb-1.elb.amazonaws.com"}),
     {"alias.example.com. CNAME 300 lb-1.elb.amazonaws.com."}},
    {ep("alias.example.com", "CNAME", {"lb-1.elb.amazonaws.com."}),
     {"alias.example.com. CNAME 300 lb-1.elb.amazonaws.com."}},
    {ep("*.apps.example.com", "A", {"192.0.2.7"}), {"*.apps.example.com. A 300 192.0.2.7"}},
    {ep("_acme-challenge.example.com", "TXT", {"token-value"}),
     {"_acme-challenge.example.com. TXT 300 \"token-value\""}},
    {ep("example.com", "TXT", {"v=spf1 include:_spf.google.com ~all"}),
     {"example.com. TXT 300 \"v=spf1 include:_spf.google.com ~all\""}},
    {ep("example.com", "MX", {"10 mail.example.com", "20 mail2.example.com."}),
     {"example.com. MX 300 10 mail.example.com. 20 mail2.example.com."}},
    {ep("_sip._tcp.example.com", "SRV", {"10 5 5060 sip.example.com"}),
     {"_sip._tcp.example.com. SRV 300 10 5 5060 sip.example.com."}},
    {ep("sub.example.com", "NS", {"ns1.example.net", "ns2.example.net"}),
     {"sub.example.com. NS 300 ns1.example.net. ns2.example.net."}},
    {ep("1.2.0.192.example.com", "PTR", {"host.example.com"}),
     {"1.2.0.192.example.com. PTR 300 host.example.com."}},
    {ep("example.com", "CAA", {"0 issue \"letsencrypt.org\""}),
     {"example.com. CAA 300 0 issue \"letsencrypt.org\""}},
    {ep("old.example.com", "DNAME", {"new.example.net"}),
     {"old.example.com. DNAME 300 new.example.net."}},
    {ep("host.example.com", "SSHFP", {"4 1 0a1B2c3d4e5f60718293 a4b5c6d7e8f901234567"}),
     {"host.example.com. SSHFP 300 4 1 0A1B2C3D4E5F60718293A4B5C6D7E8F901234567"}},
    {ep("_443._tcp.www.example.com", "TLSA",
        {"3 1 1 E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"}),
     {"_443._tcp.www.example.com. TLSA 300 3 1 1 "
      "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"}},
    {ep("_dns.example.com", "SVCB", {"1 dns.example.com alpn=dot,h2 port=853"}),
     {"_dns.example.com. SVCB 300 1 dns.example.com. alpn=\"dot,h2\" port=853"}},
    {ep("www.example.com", "HTTPS", {"1 . alpn=h3,h2 ipv4hint=192.0.2.1", "0 cdn.example.net"}),
     {"www.example.com. HTTPS 300 0 cdn.example.net. 1 . alpn=\"h3,h2\" ipv4hint=192.0.2.1"}},
    // external-dns' NAPTR target form: order preference "flags" "services" "regexp" replacement.
    {ep("sip.example.com", "NAPTR",
        {"100 10 \"S\" \"SIP+D2U\" \"!^.*$!sip:info@example.com!\" _sip._udp.example.com.",
         "102 10 \"u\" \"E2U+sip\" \"!^.*$!sip:alt@example.com!\" ."}),
     {"sip.example.com. NAPTR 300 100 10 \"S\" \"SIP+D2U\" \"!^.*$!sip:info@example.com!\" "
      "_sip._udp.example.com. 102 10 \"u\" \"E2U+sip\" \"!^.*$!sip:alt@example.com!\" ."}},
    {ep("Mixed.Example.COM", "A", {"192.0.2.1"}), {"Mixed.Example.COM. A 300 192.0.2.1"}},
    {ep("max.example.com", "A", {"192.0.2.1"}, 2147483647),
     {"max.example.com. A 2147483647 192.0.2.1"}},
};

class EndpointGood : public ::testing::TestWithParam<GoodCase> {};

TEST_P(EndpointGood, RRsets) {
  auto r = endpoint_rrsets(GetParam().endpoint, 300);
  ASSERT_TRUE(r) << GetParam().endpoint.dns_name << ": " << r.error();
  EXPECT_EQ(render(*r), GetParam().rrsets);
}

INSTANTIATE_TEST_SUITE_P(Endpoints, EndpointGood, ::testing::ValuesIn(kGood));

struct BadCase {
  Endpoint endpoint;
  std::string message_part;
};

const std::vector<BadCase> kBad = {
    {ep("", "A", {"192.0.2.1"}), "dnsName: empty host name"},
    {ep(".", "A", {"192.0.2.1"}), "is not a host name"},
    {ep("a..example.com", "A", {"192.0.2.1"}), "has an empty label"},
    {ep("a b.example.com", "A", {"192.0.2.1"}), "may hold only letters, digits"},
    {ep("a.*.example.com", "A", {"192.0.2.1"}), "'*' is allowed only as the leftmost label"},
    {ep("*", "A", {"192.0.2.1"}), "a wildcard needs a domain below it"},
    {ep(std::string(64, 'a') + ".example.com", "A", {"192.0.2.1"}), "longer than 63 octets"},
    {ep("www.example.com", "A", {}), "no targets"},
    {ep("www.example.com", "A", {"2001:db8::1"}), "is not an IPv4 address"},
    {ep("www.example.com", "A", {"192.0.2.256"}), "is not an IPv4 address"},
    {ep("www.example.com", "A", {"192.0.2.1."}), "is not an IPv4 address"},
    {ep("www.example.com", "AAAA", {"192.0.2.1"}), "is not an IPv6 address"},
    {ep("www.example.com", "CNAME", {"a.example.net", "b.example.net"}),
     "a CNAME has exactly one target"},
    {ep("www.example.com", "", {"a.example.net", "b.example.net"}),
     "a CNAME has exactly one target"},
    {ep("www.example.com", "", {"192.0.2.1", "lb.example.net"}),
     "targets mix addresses and host names"},
    {ep("www.example.com", "CNAME", {"www.example.com"}), "points to itself"},
    {ep("www.example.com", "CNAME", {"bad target.example.net"}), "may hold only letters"},
    {ep("www.example.com", "CNAME", {"*.example.net"}), "cannot be a wildcard"},
    {ep("www.example.com", "NAPTR", {"100 10 \"u\" \"E2U+sip\" \"\""}), "NAPTR data needs 6"},
    {ep("www.example.com", "NAPTR", {"100 99999 \"u\" \"E2U+sip\" \"\" ."}), "NAPTR preference"},
    {ep("www.example.com", "SVCB", {"0 svc.example.net. port=53"}), "AliasMode"},
    {ep("www.example.com", "HTTPS", {"1 . alpn=h2 color=red"}), "unknown SvcParam key"},
    {ep("www.example.com", "SRVB", {"1 ."}), "is not supported"},
    {ep("www.example.com", "SSHFP", {"1 2 xy"}), "is not hex"},
    {ep("www.example.com", "SSHFP", {"1 2 abc"}), "an even, non-zero number of hex digits"},
    {ep("www.example.com", "TLSA", {"3 1 1"}), "TLSA data needs"},
    {ep("www.example.com", "SOA", {"x"}), "is not supported"},
    {ep("example.com", "MX", {"mail.example.com"}), "MX target"},
    {ep("_sip._tcp.example.com", "SRV", {"10 5 sip.example.com"}), "SRV target"},
    {ep("www.example.com", "A", {"192.0.2.1"}, -1), "TTL -1 is outside"},
    {ep("www.example.com", "A", {"192.0.2.1"}, 2147483648), "TTL 2147483648 is outside"},
};

class EndpointBad : public ::testing::TestWithParam<BadCase> {};

TEST_P(EndpointBad, ClearError) {
  auto r = endpoint_rrsets(GetParam().endpoint, 300);
  ASSERT_FALSE(r) << GetParam().endpoint.dns_name;
  EXPECT_NE(r.error().find(GetParam().message_part), std::string::npos) << r.error();
}

INSTANTIATE_TEST_SUITE_P(Endpoints, EndpointBad, ::testing::ValuesIn(kBad));

TEST(EndpointsToRRsets, CollectsAndMergesIdenticalData) {
  auto z = endpoints_to_rrsets(
      kZone,
      {ep("www.example.com", "A", {"192.0.2.1"}, 60, "ingress/a/one"),
       ep("www.example.com", "A", {"192.0.2.1"}, 60, "ingress/b/two"),
       ep("api.example.com", "CNAME", {"www.example.com"}, 60, "ingress/a/one")},
      300);
  EXPECT_TRUE(z.problems.empty());
  ASSERT_EQ(z.rrsets.size(), 2u);
  auto www = model::RRsetKey{Name::parse("www.example.com.").value(), RRType::A};
  EXPECT_EQ(z.sources.at(www), (std::vector<std::string>{"ingress/a/one", "ingress/b/two"}));
}

TEST(EndpointsToRRsets, DifferentDataIsAConflictForTheLaterSource) {
  std::vector<Endpoint> eps = {ep("www.example.com", "A", {"192.0.2.2"}, 60, "ingress/b/two"),
                               ep("www.example.com", "A", {"192.0.2.1"}, 60, "ingress/a/one")};
  auto z = endpoints_to_rrsets(kZone, eps, 300);
  ASSERT_EQ(z.problems.size(), 1u);
  EXPECT_EQ(z.problems[0].source, "ingress/b/two");
  EXPECT_EQ(z.problems[0].reason, kEndpointConflict);
  EXPECT_NE(z.problems[0].message.find("already declared by ingress/a/one"), std::string::npos)
      << z.problems[0].message;
  ASSERT_EQ(z.rrsets.size(), 1u);
  EXPECT_EQ(render(z.rrsets.begin()->second), "www.example.com. A 60 192.0.2.1");
}

TEST(EndpointsToRRsets, AsGivenTheEarlierEndpointWinsWhateverItsSourceId) {
  // The controller orders by object age: the older object keeps the name.
  std::vector<Endpoint> eps = {ep("www.example.com", "A", {"192.0.2.2"}, 60, "ingress/b/two"),
                               ep("www.example.com", "A", {"192.0.2.1"}, 60, "ingress/a/one")};
  auto z = endpoints_to_rrsets(kZone, eps, 300, SourceOrder::AsGiven);
  ASSERT_EQ(z.problems.size(), 1u);
  EXPECT_EQ(z.problems[0].source, "ingress/a/one");
  ASSERT_EQ(z.rrsets.size(), 1u);
  EXPECT_EQ(render(z.rrsets.begin()->second), "www.example.com. A 60 192.0.2.2");
}

TEST(EndpointsToRRsets, DifferentTtlIsAConflict) {
  auto z = endpoints_to_rrsets(kZone,
                               {ep("www.example.com", "A", {"192.0.2.1"}, 60, "a"),
                                ep("www.example.com", "A", {"192.0.2.1"}, 120, "b")},
                               300);
  ASSERT_EQ(z.problems.size(), 1u);
  EXPECT_EQ(z.problems[0].source, "b");
}

TEST(EndpointsToRRsets, ADnameHidesTheNamesBelowIt) {
  // Default order: by source id ("a" before "b").
  auto z = endpoints_to_rrsets(kZone,
                               {ep("www.old.example.com", "A", {"192.0.2.1"}, {}, "b"),
                                ep("old.example.com", "DNAME", {"new.example.net"}, {}, "a"),
                                ep("old2.example.com", "A", {"192.0.2.2"}, {}, "c")},
                               300);
  ASSERT_EQ(z.problems.size(), 1u);
  EXPECT_EQ(z.problems[0].source, "b");
  EXPECT_EQ(z.problems[0].reason, kEndpointConflict);
  EXPECT_NE(z.problems[0].message.find("is below the DNAME at old.example.com. declared by a"),
            std::string::npos)
      << z.problems[0].message;
  EXPECT_EQ(z.rrsets.size(), 2u);
  // The data below came first: the DNAME loses.
  auto z2 = endpoints_to_rrsets(kZone,
                                {ep("www.old.example.com", "A", {"192.0.2.1"}, {}, "a"),
                                 ep("old.example.com", "DNAME", {"new.example.net"}, {}, "b")},
                                300);
  ASSERT_EQ(z2.problems.size(), 1u);
  EXPECT_EQ(z2.problems[0].source, "b");
  EXPECT_NE(z2.problems[0].message.find("would hide www.old.example.com. A declared by a"),
            std::string::npos)
      << z2.problems[0].message;
}

TEST(EndpointsToRRsets, CnameBesideOtherDataIsAConflict) {
  auto z = endpoints_to_rrsets(kZone,
                               {ep("www.example.com", "CNAME", {"lb.example.net"}, {}, "b"),
                                ep("www.example.com", "A", {"192.0.2.1"}, {}, "a"),
                                ep("www.example.com", "TXT", {"hello"}, {}, "c")},
                               300);
  ASSERT_EQ(z.problems.size(), 1u);
  EXPECT_EQ(z.problems[0].source, "b");
  EXPECT_NE(z.problems[0].message.find("cannot coexist with www.example.com A declared by a"),
            std::string::npos)
      << z.problems[0].message;
  EXPECT_EQ(z.rrsets.size(), 2u);
}

TEST(EndpointsToRRsets, AnEndpointIsTakenWholeOrNotAtAll) {
  // "b" wants A and AAAA; its AAAA conflicts, so its A is not added either.
  auto z = endpoints_to_rrsets(kZone,
                               {ep("www.example.com", "AAAA", {"2001:db8::1"}, {}, "a"),
                                ep("www.example.com", "", {"192.0.2.1", "2001:db8::2"}, {}, "b")},
                               300);
  ASSERT_EQ(z.problems.size(), 1u);
  EXPECT_EQ(z.rrsets.size(), 1u);
}

TEST(EndpointsToRRsets, OutsideZoneAndApexCnameAreInvalid) {
  auto z = endpoints_to_rrsets(
      kZone,
      {ep("www.example.org", "A", {"192.0.2.1"}), ep("example.com", "CNAME", {"lb.example.net"}),
       ep("notexample.com", "A", {"192.0.2.1"}), ep("bad", "A", {"x"})},
      300);
  ASSERT_EQ(z.problems.size(), 4u);
  for (const auto& p : z.problems) EXPECT_EQ(p.reason, kEndpointInvalid) << p.message;
  EXPECT_NE(z.problems[0].message.find("is not in zone example.com."), std::string::npos);
  EXPECT_NE(z.problems[1].message.find("zone apex"), std::string::npos);
  EXPECT_TRUE(z.rrsets.empty());
}

TEST(EndpointsToRRsets, ResultDoesNotDependOnInputOrder) {
  std::vector<Endpoint> eps = {
      ep("www.example.com", "A", {"192.0.2.1"}, {}, "ingress/a/1"),
      ep("www.example.com", "A", {"192.0.2.2"}, {}, "ingress/a/2"),
      ep("www.example.com", "CNAME", {"x.example.net"}, {}, "crd/a/0"),
      ep("api.example.com", "CNAME", {"x.example.net"}, {}, "ingress/z/9"),
      ep("api.example.com", "TXT", {"t"}, {}, "crd/z/1"),
      ep("*.example.com", "A", {"192.0.2.9"}, {}, "ingress/w/1"),
  };
  auto first = endpoints_to_rrsets(kZone, eps, 300);
  std::mt19937 rng(7);
  for (int i = 0; i < 20; ++i) {
    std::shuffle(eps.begin(), eps.end(), rng);
    auto again = endpoints_to_rrsets(kZone, eps, 300);
    EXPECT_EQ(again.rrsets, first.rrsets);
    EXPECT_EQ(again.problems, first.problems);
  }
}

TEST(EndpointsForTargets, SplitsByFamily) {
  auto eps = endpoints_for_targets("www.example.com",
                                   {"192.0.2.1", "2001:db8::1", "lb.example.net", "192.0.2.1", ""},
                                   60, "ingress/a/b");
  ASSERT_EQ(eps.size(), 3u);
  EXPECT_EQ(eps[0].record_type, "A");
  EXPECT_EQ(eps[0].targets, std::vector<std::string>{"192.0.2.1"});
  EXPECT_EQ(eps[1].record_type, "AAAA");
  EXPECT_EQ(eps[2].record_type, "CNAME");
  EXPECT_EQ(eps[2].ttl, 60);
  EXPECT_EQ(eps[2].source, "ingress/a/b");
}

TEST(Hostname, ParsesAndRejects) {
  EXPECT_EQ(parse_hostname("www.example.com").value(), Name::parse("www.example.com.").value());
  EXPECT_EQ(parse_hostname("WWW.example.com.").value().to_string(), "WWW.example.com.");
  EXPECT_TRUE(parse_hostname("*.example.com"));
  EXPECT_TRUE(parse_hostname("_dmarc.example.com"));
  EXPECT_TRUE(parse_hostname("xn--bcher-kva.example"));
  EXPECT_FALSE(parse_hostname("bücher.example"));
  EXPECT_FALSE(parse_hostname("a\\.b.example"));
  EXPECT_FALSE(parse_hostname(std::string(200, 'a') + "." + std::string(60, 'b') + "." +
                              std::string(60, 'c')));
  EXPECT_TRUE(is_ipv4("10.0.0.1"));
  EXPECT_FALSE(is_ipv4("10.0.0"));
  EXPECT_TRUE(is_ipv6("::1"));
  EXPECT_FALSE(is_ipv6("10.0.0.1"));
}

}  // namespace
}  // namespace zk::sources
