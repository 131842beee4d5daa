#include "api/server.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace zk::api {
namespace {

model::Parsed<Server> server(std::string_view spec, std::string_view name = "bind-a") {
  return decode_server(boost::json::parse(
      std::string(R"({"apiVersion":"dns.zonekeeper.io/v1alpha1","kind":"DNSServer",)") +
      R"("metadata":{"name":")" + std::string(name) +
      R"(","namespace":"dns","labels":{"tier":"edge"}},"spec":)" + std::string(spec) + "}"));
}

TEST(DecodeServer, PrimaryWithDefaults) {
  auto s = server(R"({"role":"Primary","external":{"address":"192.0.2.53"},
                      "tsigKeySecretRef":{"name":"tsig"}})");
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s->key(), "dns/bind-a");
  EXPECT_EQ(s->role, ServerRole::Primary);
  EXPECT_EQ(s->address, "192.0.2.53");
  EXPECT_EQ(s->port, 53);
  EXPECT_EQ(s->tsig_secret_name, "tsig");
  EXPECT_FALSE(s->primary_server_name);
  EXPECT_EQ(s->timeout_seconds, 5u);
  EXPECT_FALSE(s->catalog_zone);
  EXPECT_FALSE(s->allowed_namespaces);  // its own namespace's DNSZones only
  auto c = server(R"({"role":"Primary","external":{"address":"192.0.2.53"},
                      "tsigKeySecretRef":{"name":"tsig"},"catalogZone":"catalog.zonekeeper.invalid"})");
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->catalog_zone, model::Name::parse("catalog.zonekeeper.invalid.").value());
}

TEST(DecodeServer, AllowedNamespaces) {
  const std::string primary =
      R"({"role":"Primary","external":{"address":"192.0.2.53"},"tsigKeySecretRef":{"name":"tsig"})";
  auto s = server(primary + R"(,"allowedNamespaces":{"matchLabels":{"dns.example/zones":"allowed"},
      "matchExpressions":[{"key":"tier","operator":"NotIn","values":["test"]}]}})");
  ASSERT_TRUE(s) << s.error();
  ASSERT_TRUE(s->allowed_namespaces);
  EXPECT_EQ(s->allowed_namespaces->to_string(), "dns.example/zones=allowed,tier notin (test)");
  EXPECT_TRUE(s->admits_zones_from("dns", {}));  // its own, always
  EXPECT_TRUE(s->admits_zones_from("team-a", {{"dns.example/zones", "allowed"}}));
  EXPECT_FALSE(
      s->admits_zones_from("team-b", {{"dns.example/zones", "allowed"}, {"tier", "test"}}));
  EXPECT_FALSE(s->admits_zones_from("team-c", {}));
  // {}: every namespace; null: as absent (its own only).
  auto every = server(primary + R"(,"allowedNamespaces":{}})");
  ASSERT_TRUE(every) << every.error();
  EXPECT_EQ(every->allowed_namespaces, LabelSelector::everything());
  EXPECT_TRUE(every->admits_zones_from("team-c", {}));
  auto null = server(primary + R"(,"allowedNamespaces":null})");
  ASSERT_TRUE(null) << null.error();
  EXPECT_FALSE(null->allowed_namespaces);
  EXPECT_TRUE(null->admits_zones_from("dns", {}));
  EXPECT_FALSE(null->admits_zones_from("team-a", {{"dns.example/zones", "allowed"}}));
  // A Secondary may admit other namespaces too.
  auto secondary = server(R"({"role":"Secondary","external":{"address":"192.0.2.54"},
      "primaryServerRef":{"name":"bind-a"},"allowedNamespaces":{}})",
                          "bind-b");
  ASSERT_TRUE(secondary) << secondary.error();
  EXPECT_TRUE(secondary->allowed_namespaces);
}

TEST(DecodeServer, SecondaryWithHostNameAndPort) {
  auto s = server(R"({"role":"Secondary","external":{"address":"bind-b.dns.svc","port":5353},
                      "primaryServerRef":{"name":"bind-a"},"timeoutSeconds":2})",
                  "bind-b");
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s->role, ServerRole::Secondary);
  EXPECT_EQ(s->address, "bind-b.dns.svc");
  EXPECT_EQ(s->port, 5353);
  EXPECT_EQ(s->primary_server_name, "bind-a");
  EXPECT_EQ(s->timeout_seconds, 2u);
  auto v6 = server(R"({"role":"Secondary","external":{"address":"2001:db8::53"},
                       "primaryServerRef":{"name":"bind-a"}})",
                   "b");
  EXPECT_TRUE(v6) << v6.error();
}

TEST(DecodeServer, RefusesWhatTheSchemaRefuses) {
  struct Bad {
    const char* spec;
    const char* error;
  };
  for (
      const Bad& b : std::vector<Bad>{
          {R"({"external":{"address":"a"}})", "spec.role: required"},
          {R"({"role":"Leader","external":{"address":"a"}})",
           "spec.role: \"Leader\" is not Primary or Secondary"},
          {R"({"role":"Primary","tsigKeySecretRef":{"name":"t"}})", "spec.external: required"},
          {R"({"role":"Primary","external":{"address":"bad host"},"tsigKeySecretRef":{"name":"t"}})",
           "spec.external.address: \"bad host\" is not an IPv4 or IPv6 address or a host name"},
          {R"({"role":"Primary","external":{"address":"192.0.2.300"},"tsigKeySecretRef":{"name":"t"}})",
           "spec.external.address: \"192.0.2.300\" is not"},
          {R"({"role":"Primary","external":{"address":"a","port":0},"tsigKeySecretRef":{"name":"t"}})",
           "spec.external.port: must be an integer from 1 to 65535, got 0"},
          {R"({"role":"Primary","external":{"address":"a"}})",
           "spec.tsigKeySecretRef: required when role is Primary"},
          {R"({"role":"Primary","external":{"address":"a"},"tsigKeySecretRef":{"name":"t"},"primaryServerRef":{"name":"x"}})",
           "spec.primaryServerRef: only allowed when role is Secondary"},
          {R"({"role":"Secondary","external":{"address":"a"}})",
           "spec.primaryServerRef: required when role is Secondary"},
          {R"({"role":"Secondary","external":{"address":"a"},"primaryServerRef":{"name":"bind-a"}})",
           "spec.primaryServerRef.name: a Secondary cannot be its own primary"},
          {R"({"role":"Primary","external":{"address":"a"},"tsigKeySecretRef":{}})",
           "spec.tsigKeySecretRef.name: required"},
          {R"({"role":"Primary","external":{"address":"a"},"tsigKeySecretRef":{"name":"t"},"timeoutSeconds":301})",
           "spec.timeoutSeconds: must be an integer from 1 to 300"},
          {R"({"role":"Primary","external":{"address":"a"},"tsigKeySecretRef":{"name":"t"},"catalogZone":"a..b"})",
           "spec.catalogZone: \"a..b\" is not a zone name"},
          {R"({"role":"Primary","external":{"address":"a"},"tsigKeySecretRef":{"name":"t"},"catalogZone":"."})",
           "spec.catalogZone: \".\" is not a zone name"},
          {R"({"role":"Secondary","external":{"address":"a"},"primaryServerRef":{"name":"p"},"catalogZone":"c.invalid"})",
           "spec.catalogZone: only for a Primary written with RFC 2136"},
          {R"({"role":"Primary","external":{"address":"a"},"tsigKeySecretRef":{"name":"t"},"allowedNamespaces":"*"})",
           "spec.allowedNamespaces: must be an object"},
          {R"({"role":"Primary","external":{"address":"a"},"tsigKeySecretRef":{"name":"t"},"allowedNamespaces":{"matchExpressions":[{"key":"a","operator":"Is"}]}})",
           "spec.allowedNamespaces.matchExpressions[0].operator: \"Is\" is not In, NotIn"},
          {R"({"role":"Primary","external":{"address":"a"},"tsigKeySecretRef":{"name":"t"},"allowedNamespaces":{"matchExpressions":[{"key":"a","operator":"In"}]}})",
           "spec.allowedNamespaces.matchExpressions[0].values: must be non-empty"},
          {R"({"role":"Primary","external":{"address":"a"},"tsigKeySecretRef":{"name":"t"},"allowedNamespaces":{"matchLabels":{"a":true}}})",
           "spec.allowedNamespaces.matchLabels.a: must be a string"},
      }) {
    auto s = server(b.spec);
    ASSERT_FALSE(s) << b.spec;
    EXPECT_EQ(s.error().find(b.error), 0u) << b.spec << " → " << s.error();
  }
}

TEST(DecodeServer, Technitium) {
  auto s = server(R"({"role":"Primary","external":{"address":"127.0.0.1","port":5300,
                      "technitium":{"url":"http://127.0.0.1:5380/","credentialsSecretRef":{"name":"api"},
                                    "caBundle":"PEM","insecureSkipTLSVerify":true,
                                    "requestsPerSecond":0,"createZones":true}}})");
  ASSERT_TRUE(s) << s.error();
  ASSERT_TRUE(s->technitium.has_value());
  EXPECT_EQ(s->technitium->url, "http://127.0.0.1:5380");
  EXPECT_EQ(s->technitium->credentials_secret_name, "api");
  EXPECT_EQ(s->technitium->ca_bundle, "PEM");
  EXPECT_TRUE(s->technitium->insecure_skip_tls_verify);
  EXPECT_EQ(s->technitium->requests_per_second, 0u);
  EXPECT_TRUE(s->technitium->create_zones);
  EXPECT_EQ(s->secret_name(), "api");
  EXPECT_FALSE(s->tsig_secret_name);
  auto defaults = server(R"({"role":"Primary","external":{"address":"127.0.0.1",
      "technitium":{"url":"https://dns.example.test","credentialsSecretRef":{"name":"api"}}}})");
  ASSERT_TRUE(defaults) << defaults.error();
  EXPECT_EQ(defaults->technitium->requests_per_second, 10u);
  EXPECT_FALSE(defaults->technitium->create_zones);

  struct Bad {
    const char* technitium;
    const char* extra;
    const char* error;
  };
  for (const Bad& b : std::vector<Bad>{
           {R"({"credentialsSecretRef":{"name":"api"}})", "",
            "spec.external.technitium.url: required"},
           {R"({"url":"ftp://x","credentialsSecretRef":{"name":"api"}})", "",
            "spec.external.technitium.url: \"ftp://x\" is not an http(s) URL"},
           {R"({"url":"http://admin:pw@x:5380","credentialsSecretRef":{"name":"api"}})", "",
            "spec.external.technitium.url: must be http(s)://host[:port][/path], without "
            "credentials"},
           {R"({"url":"http://x/api?token=t","credentialsSecretRef":{"name":"api"}})", "",
            "spec.external.technitium.url: must be"},
           {R"({"url":"http://x"})", "", "spec.external.technitium.credentialsSecretRef: required"},
           {R"({"url":"http://x","credentialsSecretRef":{}})", "",
            "spec.external.technitium.credentialsSecretRef.name: required"},
           {R"({"url":"http://x","credentialsSecretRef":{"name":"a"},"requestsPerSecond":5000})",
            "", "spec.external.technitium.requestsPerSecond: must be an integer from 0 to 1000"},
           {R"({"url":"http://x","credentialsSecretRef":{"name":"a"},"createZones":"yes"})", "",
            "spec.external.technitium.createZones: must be true or false"},
           {R"({"url":"http://x","credentialsSecretRef":{"name":"a"}})",
            R"(,"tsigKeySecretRef":{"name":"t"})",
            "spec.tsigKeySecretRef: not used with external.technitium"},
       }) {
    std::string spec = std::string(R"({"role":"Primary","external":{"address":"a","technitium":)") +
                       b.technitium + "}" + b.extra + "}";
    auto bad = server(spec);
    ASSERT_FALSE(bad) << spec;
    EXPECT_EQ(bad.error().find(b.error), 0u) << spec << " → " << bad.error();
  }
  auto secondary = server(R"({"role":"Secondary","external":{"address":"a",
      "technitium":{"url":"http://x","credentialsSecretRef":{"name":"a"}}},
      "primaryServerRef":{"name":"p"}})");
  ASSERT_FALSE(secondary);
  EXPECT_EQ(secondary.error().find("spec.role: a Technitium server is a Primary"), 0u);
}

TEST(Serves, RefsOrSelectorInTheSameNamespace) {
  auto s =
      server(R"({"role":"Primary","external":{"address":"a"},"tsigKeySecretRef":{"name":"t"}})")
          .value();
  Zone z;
  z.ns = "dns";
  EXPECT_FALSE(serves(z, s));  // no spec.servers: none
  z.server_refs = {"bind-a"};
  EXPECT_TRUE(serves(z, s));
  z.server_refs = {"other"};
  EXPECT_FALSE(serves(z, s));
  z.server_selector = LabelSelector{false, {{"tier", "edge"}}, {}};
  EXPECT_TRUE(serves(z, s));
  z.ns = "elsewhere";
  EXPECT_FALSE(serves(z, s));
  // spec.servers.namespace picks the namespace; whether the server admits the zone's is
  // admits_zones_from's say, not serves'.
  z.servers_namespace = "dns";
  EXPECT_TRUE(serves(z, s));
  EXPECT_FALSE(s.admits_zones_from(z.ns, {}));
  z.servers_namespace = "other";
  EXPECT_FALSE(serves(z, s));
}

}  // namespace
}  // namespace zk::api
