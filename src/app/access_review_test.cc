#include "app/access_review.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace zk::app {
namespace {

namespace json = boost::json;

TEST(AccessReview, BearerTokensOnly) {
  EXPECT_EQ(bearer_token("Bearer abc.def"), "abc.def");
  EXPECT_EQ(bearer_token("bearer  abc "), "abc");
  EXPECT_FALSE(bearer_token(""));
  EXPECT_FALSE(bearer_token("Bearer "));
  EXPECT_FALSE(bearer_token("Basic dXNlcjpwdw=="));
  EXPECT_FALSE(bearer_token("Bearer a b"));
}

TEST(AccessReview, PermissionsOfTheActions) {
  EXPECT_EQ(read_permission(), (Permission{"list", "dnszones", "", ""}));
  EXPECT_EQ(resync_permission(""), (Permission{"update", "dnszones", "", ""}));
  EXPECT_EQ(resync_permission("dns/example"), (Permission{"update", "dnszones", "dns", "example"}));
}

TEST(AccessReview, TheTokenReviewNamesTheSubjectOfTheAccessReview) {
  json::object tr = token_review("t0k");
  EXPECT_EQ(tr.at("kind"), "TokenReview");
  EXPECT_EQ(tr.at("spec").at("token"), "t0k");

  Verdict refused;
  auto who = reviewed_subject(json::parse(R"({"status":{"authenticated":true,"user":{
      "username":"system:serviceaccount:ops:viewer","uid":"u1",
      "groups":["system:serviceaccounts","system:authenticated"],
      "extra":{"authentication.kubernetes.io/pod-name":["p"]}}}})"),
                              refused);
  ASSERT_TRUE(who);
  EXPECT_EQ(who->username, "system:serviceaccount:ops:viewer");
  json::object sar = access_review(*who, {"update", "dnszones", "dns", "example"});
  EXPECT_EQ(sar.at("kind"), "SubjectAccessReview");
  const json::object& spec = sar.at("spec").as_object();
  EXPECT_EQ(spec.at("user"), "system:serviceaccount:ops:viewer");
  EXPECT_EQ(spec.at("uid"), "u1");
  EXPECT_EQ(spec.at("groups").as_array().size(), 2u);
  EXPECT_TRUE(spec.at("extra").as_object().contains("authentication.kubernetes.io/pod-name"));
  EXPECT_EQ(
      json::serialize(spec.at("resourceAttributes")),
      R"({"group":"dns.zonekeeper.io","resource":"dnszones","verb":"update","namespace":"dns","name":"example"})");
  // Cluster-wide: no namespace, no name.
  json::object all = access_review(*who, read_permission());
  EXPECT_FALSE(all.at("spec").at("resourceAttributes").as_object().contains("namespace"));

  Verdict yes =
      access_verdict(json::parse(R"({"status":{"allowed":true}})"), *who, read_permission());
  EXPECT_TRUE(yes.allowed());
  EXPECT_EQ(yes.user, "system:serviceaccount:ops:viewer");
  Verdict no = access_verdict(json::parse(R"({"status":{"allowed":false,"reason":"no rule"}})"),
                              *who, resync_permission("dns/example"));
  EXPECT_EQ(no.status, 403u);
  EXPECT_EQ(no.message,
            "system:serviceaccount:ops:viewer may not update dnszones.dns.zonekeeper.io example "
            "in namespace dns (no rule)");
}

TEST(AccessReview, AnUnauthenticatedTokenIs401WithoutTheToken) {
  Verdict v;
  EXPECT_FALSE(reviewed_subject(
      json::parse(R"({"status":{"authenticated":false,"error":"token expired"}})"), v));
  EXPECT_EQ(v.status, 401u);
  EXPECT_EQ(v.message, "the token was not accepted: token expired");
  Verdict w;
  EXPECT_FALSE(reviewed_subject(json::parse(R"({"status":{}})"), w));
  EXPECT_EQ(w.status, 401u);
}

}  // namespace
}  // namespace zk::app
