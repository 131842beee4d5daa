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
  return {SecretState::Kind::Ok, api::TsigSecret{"zk.", "hmac-sha256", secret}, ""};
}

TEST(ProviderPool, OneProviderPerSpecRebuiltWhenItChanges) {
  testing::FakeProviderFactory factory;
  ProviderPool pool(factory);
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
  ProviderPool pool(factory);
  auto l = pool.get(server(), {});
  EXPECT_FALSE(l.provider);
  EXPECT_EQ(l.reason, "SecretPending");
  EXPECT_EQ(l.problem, "DNSServer dns/p: Secret dns/tsig has not been read yet");
  EXPECT_EQ(pool.get(server(), {SecretState::Kind::Missing, std::nullopt, ""}).reason,
            "SecretNotFound");
  EXPECT_EQ(pool.get(server(), {SecretState::Kind::Forbidden, std::nullopt, "no"}).reason,
            "SecretForbidden");
  EXPECT_EQ(pool.get(server(), {SecretState::Kind::Invalid, std::nullopt, "no"}).reason,
            "SecretInvalid");
  l = pool.get(server(), ok("not base64!"));  // the factory cannot use it
  EXPECT_EQ(l.reason, "SecretInvalid");
  EXPECT_EQ(l.problem.find("not base64!"), std::string::npos) << "never the secret";
  EXPECT_TRUE(factory.made.size() == 1u);
}

}  // namespace
}  // namespace zk::controller
