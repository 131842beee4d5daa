#include "app/dns_check_api.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace zk::app {
namespace {

namespace json = boost::json;

TEST(DnsCheckApi, ReadsHostnameAndType) {
  auto q = parse_dns_check_query({{"hostname", "www.example.test"}});
  ASSERT_TRUE(q) << q.error();
  EXPECT_EQ(q->name.to_string(), "www.example.test.");
  EXPECT_EQ(q->type, model::RRType::A);
  q = parse_dns_check_query({{"hostname", "Mail.Example.Test."}, {"type", "mx"}});
  ASSERT_TRUE(q) << q.error();
  EXPECT_EQ(q->type, model::RRType::MX);
  q = parse_dns_check_query({{"hostname", "hw.example.test"}, {"type", "TYPE13"}});
  ASSERT_TRUE(q) << q.error();
  EXPECT_EQ(static_cast<int>(q->type), 13);
}

TEST(DnsCheckApi, BadInputSaysWhat) {
  EXPECT_EQ(parse_dns_check_query({}).error(), "hostname is required: ?hostname=www.example.com");
  EXPECT_NE(parse_dns_check_query({{"hostname", "a..b"}}).error().find("hostname: "),
            std::string::npos);
  EXPECT_NE(parse_dns_check_query({{"hostname", std::string(70, 'a') + ".test"}})
                .error()
                .find("hostname: "),
            std::string::npos);
  EXPECT_NE(parse_dns_check_query({{"hostname", "www.example.test"}, {"type", "BOGUS"}})
                .error()
                .find("type: "),
            std::string::npos);
  EXPECT_EQ(parse_dns_check_query({{"hostname", "x.test"}, {"tpye", "A"}}).error(),
            "unknown parameter \"tpye\" (expected hostname and type)");
  EXPECT_EQ(json::parse(json_error("no \"zone\"")).at("error"), "no \"zone\"");
}

TEST(DnsCheckApi, DocumentCarriesExpectationsAndEveryServer) {
  controller::DnsCheck c;
  c.name = "www.example.test.";
  c.type = "A";
  c.zone = "example.test.";
  c.zone_source = "DNSZone dns/example";
  c.expected = {"192.0.2.1"};
  c.ttl = 300;
  c.sources = {{"ARecord", "dns", "www"}};
  controller::DnsCheckServer ok{
      "dns/primary", "Primary", "127.0.0.1:53", "NOERROR", {"192.0.2.1"}, 300, "", true};
  controller::DnsCheckServer down{"dns/secondary",
                                  "Secondary",
                                  "127.0.0.1:54",
                                  "",
                                  {},
                                  std::nullopt,
                                  "ServerUnreachable: timeout",
                                  false};
  c.servers = {ok, down};
  c.agree = false;
  json::object doc = json::parse(dns_check_document(c)).as_object();
  EXPECT_EQ(doc.at("hostname"), "www.example.test.");
  EXPECT_EQ(doc.at("zoneSource"), "DNSZone dns/example");
  EXPECT_EQ(doc.at("expected").at("values").at(0), "192.0.2.1");
  EXPECT_EQ(doc.at("expected").at("ttl"), 300);
  EXPECT_EQ(doc.at("expected").at("sources").at(0).at("kind"), "ARecord");
  EXPECT_EQ(doc.at("servers").at(0).at("agrees"), true);
  EXPECT_EQ(doc.at("servers").at(0).at("rcode"), "NOERROR");
  EXPECT_EQ(doc.at("servers").at(1).at("error"), "ServerUnreachable: timeout");
  EXPECT_FALSE(doc.at("servers").at(1).as_object().contains("values"));
  EXPECT_EQ(doc.at("agree"), false);
}

}  // namespace
}  // namespace zk::app
