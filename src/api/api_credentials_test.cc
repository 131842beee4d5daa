#include "api/api_credentials.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace zk::api {
namespace {

model::Parsed<ApiCredentials> decode(std::string_view secret) {
  return decode_api_credentials(boost::json::parse(secret));
}

TEST(ApiCredentials, ATokenOrAUserAndPassword) {
  // data values are base64: "  tok3n\n" and "zk" / "pw".
  auto t = decode(R"({"data":{"token":"ICB0b2szbgo="}})");
  ASSERT_TRUE(t) << t.error();
  EXPECT_EQ(t->token, "tok3n");
  auto u = decode(R"({"data":{"username":"ems=","password":"cHc="}})");
  ASSERT_TRUE(u) << u.error();
  EXPECT_EQ(u->username, "zk");
  EXPECT_EQ(u->password, "pw");
  EXPECT_TRUE(u->token.empty());
  auto plain = decode(R"({"stringData":{"token":"abc"},"data":{"token":"eHl6"}})");
  EXPECT_EQ(plain->token, "abc");  // stringData wins, as the API server merges it
}

TEST(ApiCredentials, ErrorsNameTheKeyNeverTheValue) {
  struct Bad {
    const char* secret;
    const char* error;
  };
  for (const Bad& b : std::vector<Bad>{
           {R"({"data":{}})", "neither `token` nor `username` and `password` are set"},
           {R"({"data":{"token":"ICA="}})", "token: empty"},
           {R"({"stringData":{"token":"se cret"}})", "token: holds spaces or control characters"},
           {R"({"data":{"username":"ems="}})", "data.password: missing"},
           {R"({"stringData":{"username":"zk","password":" "}})", "password: empty"},
           {R"({"data":{"token":"!!"}})", "data.token: "},
       }) {
    auto r = decode(b.secret);
    ASSERT_FALSE(r) << b.secret;
    EXPECT_EQ(r.error().find(b.error), 0u) << r.error();
    EXPECT_EQ(r.error().find("se cret"), std::string::npos);
  }
}

}  // namespace
}  // namespace zk::api
