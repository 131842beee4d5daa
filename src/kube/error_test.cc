#include "kube/error.h"

#include <gtest/gtest.h>

namespace zk::kube {
namespace {

TEST(ErrorMappingTest, ForbiddenNamesVerbAndResource) {
  Error e = error_from_response(403, R"({"kind":"Status","apiVersion":"v1","metadata":{},
    "status":"Failure","message":"secrets is forbidden: User \"system:serviceaccount:ns:sa\" cannot list resource \"secrets\" in API group \"\" in the namespace \"ns\"",
    "reason":"Forbidden","details":{"kind":"secrets"},"code":403})");
  EXPECT_EQ(e.code, ErrorCode::Forbidden);
  EXPECT_EQ(e.reason(), "Forbidden");
  EXPECT_EQ(e.verb, "list");
  EXPECT_EQ(e.resource, "secrets");
  EXPECT_EQ(e.http_status, 403);

  Error g = error_from_response(
      403,
      R"({"kind":"Status","message":"leases.coordination.k8s.io \"x\" is forbidden: User \"u\" cannot update resource \"leases\" in API group \"coordination.k8s.io\" in the namespace \"n\"","reason":"Forbidden","code":403})");
  EXPECT_EQ(g.verb, "update");
  EXPECT_EQ(g.resource, "leases.coordination.k8s.io");
}

TEST(ErrorMappingTest, InvalidCarriesCauses) {
  Error e = error_from_response(422, R"({"kind":"Status","status":"Failure",
    "message":"ARecord.dns.zonekeeper.dev \"x\" is invalid: spec.ttl: Invalid value: -1: spec.ttl in body should be greater than or equal to 0",
    "reason":"Invalid","details":{"name":"x","kind":"ARecord","causes":[
      {"reason":"FieldValueInvalid","message":"Invalid value: -1: should be >= 0","field":"spec.ttl"},
      {"reason":"FieldValueRequired","message":"Required value","field":"spec.addresses"}]},"code":422})");
  EXPECT_EQ(e.code, ErrorCode::Invalid);
  ASSERT_EQ(e.causes.size(), 2u);
  EXPECT_EQ(e.causes[0].field, "spec.ttl");
  EXPECT_EQ(e.causes[0].reason, "FieldValueInvalid");
  EXPECT_EQ(e.causes[1].field, "spec.addresses");
  EXPECT_NE(e.to_string().find("spec.addresses: Required value"), std::string::npos);
}

TEST(ErrorMappingTest, StatusCodes) {
  EXPECT_EQ(
      error_from_response(401, R"({"kind":"Status","reason":"Unauthorized","code":401})").code,
      ErrorCode::Unauthorized);
  EXPECT_EQ(error_from_response(404, "").code, ErrorCode::NotFound);
  EXPECT_EQ(error_from_response(409, R"({"kind":"Status","reason":"Conflict","code":409})").code,
            ErrorCode::Conflict);
  EXPECT_EQ(
      error_from_response(409, R"({"kind":"Status","reason":"AlreadyExists","code":409})").code,
      ErrorCode::AlreadyExists);
  EXPECT_EQ(error_from_response(410, R"({"kind":"Status","reason":"Expired","code":410})").code,
            ErrorCode::Gone);
  EXPECT_EQ(error_from_response(400, "bad").code, ErrorCode::BadRequest);
  EXPECT_EQ(error_from_response(500, "<html>").code, ErrorCode::ServerError);
  EXPECT_EQ(error_from_response(503, "").code, ErrorCode::ServerError);
  EXPECT_EQ(error_from_response(504, R"({"kind":"Status","reason":"Timeout","code":504})").code,
            ErrorCode::Timeout);
  Error t = error_from_response(429, R"({"kind":"Status","reason":"TooManyRequests","code":429,
                                         "details":{"retryAfterSeconds":3}})",
                                "7");
  EXPECT_EQ(t.code, ErrorCode::TooManyRequests);
  EXPECT_EQ(t.retry_after, std::chrono::seconds(7));
}

TEST(ErrorMappingTest, NonJsonBodiesStayPrintableAndShort) {
  std::string body(5000, 'x');
  body[3] = '\n';
  body[4] = '\x01';
  Error e = error_from_response(502, body);
  EXPECT_EQ(e.code, ErrorCode::ServerError);
  EXPECT_LT(e.message.size(), 260u);
  EXPECT_EQ(e.message.find('\n'), std::string::npos);
  EXPECT_EQ(e.message.find('\x01'), std::string::npos);
}

}  // namespace
}  // namespace zk::kube
