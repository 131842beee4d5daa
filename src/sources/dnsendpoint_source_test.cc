#include "sources/dnsendpoint_source.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace zk::sources {
namespace {

boost::json::value dnsendpoint(std::string_view endpoints) {
  return boost::json::parse(fmt::format(
      R"({{"apiVersion":"externaldns.k8s.io/v1alpha1","kind":"DNSEndpoint","metadata":{{"name":"records","namespace":"dns"}},"spec":{{"endpoints":[{}]}}}})",
      endpoints));
}

struct Case {
  std::string entry;    // one spec.endpoints[] element
  std::string message;  // "" = valid; else a part of the Invalid message
};

// Entries from external-dns' docs and real manifests, then broken ones.
const std::vector<Case> kCases = {
    {R"({"dnsName":"foo.bar.com","recordTTL":180,"recordType":"A","targets":["192.168.99.216"]})",
     ""},
    {R"({"dnsName":"example.com","recordTTL":60,"recordType":"A","targets":["10.0.0.1"]})", ""},
    {R"({"dnsName":"test-a.example.com","recordTTL":300,"recordType":"CNAME","targets":["example.com"]})",
     ""},
    {R"({"dnsName":"test-a.example.com","recordType":"CNAME","targets":["example.com."]})", ""},
    {R"({"dnsName":"zone.example.com","recordTTL":300,"recordType":"NS","targets":["ns1.example.com","ns2.example.com"]})",
     ""},
    {R"({"dnsName":"v6.example.com","recordType":"AAAA","targets":["2001:db8::1","2001:db8::2"]})",
     ""},
    {R"({"dnsName":"example.com","recordType":"TXT","targets":["v=spf1 -all","google-site-verification=abc"]})",
     ""},
    {R"({"dnsName":"example.com","recordType":"MX","targets":["10 mail.example.com"]})", ""},
    {R"({"dnsName":"_sip._udp.example.com","recordType":"SRV","targets":["0 50 5060 sip.example.com"]})",
     ""},
    {R"({"dnsName":"example.com","recordType":"CAA","targets":["0 issue \"letsencrypt.org\""]})",
     ""},
    {R"({"dnsName":"*.apps.example.com","recordType":"A","targets":["192.0.2.1"]})", ""},
    {R"({"dnsName":"weighted.example.com","recordType":"A","targets":["192.0.2.1"],"setIdentifier":"eu","providerSpecific":[{"name":"aws/weight","value":"10"}],"labels":{"team":"a"}})",
     ""},
    {R"({"dnsName":"infer.example.com","targets":["192.0.2.1","2001:db8::1"]})", ""},
    {R"({"dnsName":"zero-ttl.example.com","recordType":"A","recordTTL":0,"targets":["192.0.2.1"]})",
     ""},
    // Invalid.
    {R"({"dnsName":"empty.example.com","recordType":"A","targets":[]})",
     "a A record needs at least one target"},
    {R"({"dnsName":"empty.example.com","recordType":"CNAME"})",
     "a CNAME record needs at least one target"},
    {R"({"dnsName":"dot.example.com","recordType":"A","targets":["192.0.2.1."]})",
     "must not end with '.'"},
    {R"({"dnsName":"bad.example.com","recordType":"A","targets":["not-an-ip"]})",
     "is not an IPv4 address"},
    {R"({"dnsName":"bad.example.com","recordType":"AAAA","targets":["192.0.2.1"]})",
     "is not an IPv6 address"},
    {R"({"dnsName":"x.example.com","recordType":"NAPTR","targets":["100 10 \"u\" \"E2U+sip\""]})",
     "NAPTR data needs 6 field(s)"},
    {R"({"dnsName":"x.example.com","recordType":"HINFO","targets":["pc linux"]})",
     "is not supported"},
    {R"({"recordType":"A","targets":["192.0.2.1"]})", "dnsName: empty host name"},
    {R"({"dnsName":"bad name.example.com","recordType":"A","targets":["192.0.2.1"]})",
     "may hold only"},
    {R"({"dnsName":"x.example.com","recordType":"A","targets":"192.0.2.1"})",
     "spec.endpoints[0].targets: must be a list"},
    {R"({"dnsName":"x.example.com","recordType":"A","targets":[1]})",
     "spec.endpoints[0].targets[0]: must be a string"},
    {R"({"dnsName":"x.example.com","recordType":"A","recordTTL":-5,"targets":["192.0.2.1"]})",
     "recordTTL: must be an integer from 0"},
    {R"({"dnsName":"x.example.com","recordType":"A","recordTTL":"60","targets":["192.0.2.1"]})",
     "recordTTL: must be an integer"},
    {R"({"dnsName":"x.example.com","recordType":"CNAME","targets":["a.example.net","b.example.net"]})",
     "exactly one target"},
    {R"({"dnsName":"x.example.com","recordType":"MX","targets":["mail.example.com"]})",
     "MX target"},
    {R"({"dnsName":"x.example.com","recordType":"A","targets":["192.0.2.1"],"labels":{"a":1}})",
     "labels.a: must be a string"},
    {R"("just a string")", "spec.endpoints[0]: must be an object"},
};

class DnsEndpointCases : public ::testing::TestWithParam<Case> {};

TEST_P(DnsEndpointCases, Verdict) {
  auto r = dnsendpoint_endpoints(dnsendpoint(GetParam().entry));
  ASSERT_TRUE(r) << r.error();
  ASSERT_EQ(r->entries.size(), 1u);
  const auto& e = r->entries[0];
  if (GetParam().message.empty()) {
    EXPECT_TRUE(e.valid()) << GetParam().entry << ": " << e.message;
    EXPECT_EQ(r->endpoints().size(), 1u);
  } else {
    EXPECT_EQ(e.reason, "Invalid") << GetParam().entry;
    EXPECT_NE(e.message.find(GetParam().message), std::string::npos) << e.message;
    EXPECT_EQ(e.message.rfind("spec.endpoints[0]", 0), 0u) << e.message;
    EXPECT_TRUE(r->endpoints().empty());
  }
}

INSTANTIATE_TEST_SUITE_P(DnsEndpoint, DnsEndpointCases, ::testing::ValuesIn(kCases));

TEST(DnsEndpoint, DecodesEveryField) {
  auto r = dnsendpoint_endpoints(dnsendpoint(
      R"({"dnsName":"w.example.com","recordType":"A","recordTTL":180,"targets":["192.0.2.1","192.0.2.2"],"labels":{"team":"a"},"providerSpecific":[{"name":"aws/weight","value":"10"}],"setIdentifier":"eu"})"));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->source, "crd/dns/records");
  const Endpoint& ep = r->entries.at(0).endpoint;
  EXPECT_EQ(ep.dns_name, "w.example.com");
  EXPECT_EQ(ep.record_type, "A");
  EXPECT_EQ(ep.ttl, 180);
  EXPECT_EQ(ep.targets, (std::vector<std::string>{"192.0.2.1", "192.0.2.2"}));
  EXPECT_EQ(ep.labels,
            (std::map<std::string, std::string>{{"resource", "crd/dns/records"}, {"team", "a"}}));
  EXPECT_EQ(ep.provider_specific,
            (std::vector<std::pair<std::string, std::string>>{{"aws/weight", "10"}}));
  EXPECT_EQ(ep.set_identifier, "eu");
  EXPECT_EQ(ep.source, "crd/dns/records");
}

TEST(DnsEndpoint, OneBadEntryDoesNotHideTheOthers) {
  auto r = dnsendpoint_endpoints(dnsendpoint(
      R"({"dnsName":"a.example.com","recordType":"A","targets":["192.0.2.1"]},
         {"dnsName":"b.example.com","recordType":"A","targets":["nope"]},
         {"dnsName":"c.example.com","recordType":"TXT","targets":["hello"]})"));
  ASSERT_TRUE(r) << r.error();
  ASSERT_EQ(r->entries.size(), 3u);
  EXPECT_TRUE(r->entries[0].valid());
  EXPECT_FALSE(r->entries[1].valid());
  EXPECT_EQ(r->entries[1].index, 1u);
  EXPECT_EQ(r->entries[1].message.rfind("spec.endpoints[1] (b.example.com A)", 0), 0u)
      << r->entries[1].message;
  EXPECT_TRUE(r->entries[2].valid());
  auto eps = r->endpoints();
  ASSERT_EQ(eps.size(), 2u);
  EXPECT_EQ(eps[1].dns_name, "c.example.com");
}

TEST(DnsEndpoint, EmptyAndBrokenObjects) {
  auto empty = dnsendpoint_endpoints(
      boost::json::parse(R"({"metadata":{"name":"e","namespace":"dns"},"spec":{}})"));
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->entries.empty());
  EXPECT_FALSE(dnsendpoint_endpoints(boost::json::parse(R"({"metadata":{"namespace":"dns"}})")));
  EXPECT_FALSE(dnsendpoint_endpoints(
      boost::json::parse(R"({"metadata":{"name":"e"},"spec":{"endpoints":{}}})")));
}

}  // namespace
}  // namespace zk::sources
