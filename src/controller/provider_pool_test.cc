#include "controller/provider_pool.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "support/fake_provider.h"

namespace zk::controller {
namespace {

api::Server server(int port = 5353) {
  return api::decode_server(
             boost::json::parse(R"({"kind":"DNSServer","metadata":{"name":"p","namespace":"dns"},
                 "spec":{"role":"Primary","external":{"address":"127.0.0.1","port":)" +
                                std::to_string(port) + R"(},"tsigKeySecretRef":{"name":"tsig"}}})"))
      .value();
}

SecretState ok(const std::string& secret) {
  return {SecretState::Kind::Ok, api::TsigSecret{"zk.", "hmac-sha256", secret}, "", {}, ""};
}

TEST(ProviderPool, OneProviderPerSpecRebuiltWhenItChanges) {
  testing::FakeProviderFactory factory;
  ProviderPool pool(factory, "zk-test");
  auto a = pool.get(server(), ok("c2VjcmV0"));
  ASSERT_TRUE(a.provider);
  EXPECT_EQ(pool.get(server(), ok("c2VjcmV0")).provider, a.provider);
  EXPECT_EQ(factory.made.size(), 1u) << "the same spec: the same provider (and its copies)";
  pool.get(server(), ok("b3RoZXI="));      // a new key
  pool.get(server(5354), ok("b3RoZXI="));  // a new port
  EXPECT_EQ(factory.made.size(), 3u);
  EXPECT_EQ(factory.made.back().port, 5354);
  pool.forget("dns/p");
  pool.get(server(5354), ok("b3RoZXI="));
  EXPECT_EQ(factory.made.size(), 4u);
}

TEST(ProviderPool, TheSecretsStateIsTheReason) {
  testing::FakeProviderFactory factory;
  ProviderPool pool(factory, "zk-test");
  auto l = pool.get(server(), {});
  EXPECT_FALSE(l.provider);
  EXPECT_EQ(l.reason, "SecretPending");
  EXPECT_EQ(l.problem, "DNSServer dns/p: Secret dns/tsig has not been read yet");
  EXPECT_EQ(pool.get(server(), {SecretState::Kind::Missing, std::nullopt, "", {}, ""}).reason,
            "SecretNotFound");
  EXPECT_EQ(pool.get(server(), {SecretState::Kind::Forbidden, std::nullopt, "no", {}, ""}).reason,
            "SecretForbidden");
  EXPECT_EQ(pool.get(server(), {SecretState::Kind::Invalid, std::nullopt, "no", {}, ""}).reason,
            "SecretInvalid");
  l = pool.get(server(), ok("not base64!"));  // the factory cannot use it
  EXPECT_EQ(l.reason, "SecretInvalid");
  EXPECT_EQ(l.problem.find("not base64!"), std::string::npos) << "never the secret";
  EXPECT_TRUE(factory.made.size() == 1u);
}

TEST(ProviderPool, TechnitiumServersUseTheirCredentialsSecret) {
  auto t = api::decode_server(boost::json::parse(R"({"kind":"DNSServer",
      "metadata":{"name":"t","namespace":"dns"},
      "spec":{"role":"Primary","external":{"address":"127.0.0.1","port":5300,
        "technitium":{"url":"https://dns.example.test:5380/","createZones":true,
                      "credentialsSecretRef":{"name":"api"},"requestsPerSecond":5}}}})"))
               .value();
  EXPECT_EQ(t.secret_name(), "api");
  testing::FakeProviderFactory factory;
  ProviderPool pool(factory, "zk-test");
  EXPECT_EQ(pool.get(t, {}).reason, "SecretPending");
  SecretState tsig_only = ok("c2VjcmV0");
  tsig_only.credentials_error = "neither `token` nor `username` and `password` are set";
  auto l = pool.get(t, tsig_only);
  EXPECT_EQ(l.reason, "SecretInvalid");
  EXPECT_EQ(l.problem,
            "DNSServer dns/t: Secret dns/api: not Technitium API credentials: neither `token` "
            "nor `username` and `password` are set");
  SecretState creds{SecretState::Kind::Invalid, std::nullopt, "not a TSIG key",
                    api::ApiCredentials{"tok", "", ""}, ""};
  l = pool.get(t, creds);
  ASSERT_TRUE(l.provider);
  const auto& spec = factory.made.back();
  ASSERT_TRUE(spec.technitium.has_value());
  EXPECT_EQ(spec.technitium->url, "https://dns.example.test:5380");
  EXPECT_EQ(spec.technitium->token, "tok");
  EXPECT_EQ(spec.technitium->requests_per_second, 5);
  EXPECT_TRUE(spec.technitium->create_zones);
  EXPECT_EQ(spec.owner_id, "zk-test");
  EXPECT_FALSE(spec.key.has_value());
}

}  // namespace
}  // namespace zk::controller
