#include "providers/rfc2136_reasons.h"

#include <gtest/gtest.h>

namespace zk::providers {
namespace {

dns::Error error(dns::ErrorCode code) {
  dns::Error e;
  e.code = code;
  return e;
}

TEST(DnsReasons, AServerThatAnswersBadlyIsNotCalledUnreachable) {
  using dns::ErrorCode;
  EXPECT_EQ(server_reason(error(ErrorCode::Timeout)), "ServerUnreachable");
  EXPECT_EQ(server_reason(error(ErrorCode::ConnectionRefused)), "ServerUnreachable");
  EXPECT_EQ(server_reason(error(ErrorCode::Network)), "ServerUnreachable");
  EXPECT_EQ(server_reason(error(ErrorCode::Refused)), "ServerRefused");
  EXPECT_EQ(server_reason(error(ErrorCode::ServFail)), "ServerFailure");
  EXPECT_EQ(server_reason(error(ErrorCode::FormErr)), "QueryRejected");
  EXPECT_EQ(server_reason(error(ErrorCode::NotImplemented)), "QueryRejected");
  EXPECT_EQ(server_reason(error(ErrorCode::MalformedResponse)), "MalformedResponse");
  for (auto c : {ErrorCode::BadKey, ErrorCode::BadSig, ErrorCode::BadTime, ErrorCode::Unsigned}) {
    EXPECT_EQ(server_reason(error(c)), "TsigAuthFailed");
  }
}

TEST(DnsReasons, ARefusedTransferIsNotAMissingZone) {
  using dns::ErrorCode;
  EXPECT_EQ(transfer_reason(error(ErrorCode::Refused)), "TransferRefused");
  EXPECT_EQ(transfer_reason(error(ErrorCode::NotAuth)), "ZoneNotFound");
  EXPECT_EQ(transfer_reason(error(ErrorCode::Timeout)), "ServerUnreachable");
  EXPECT_EQ(transfer_reason(error(ErrorCode::BadSig)), "TsigAuthFailed");
}

TEST(DnsReasons, RecordReasons) {
  using dns::ErrorCode;
  EXPECT_EQ(record_reason(error(ErrorCode::Refused)), "UpdateRefused");
  EXPECT_EQ(record_reason(error(ErrorCode::PrerequisiteFailed)), "UpdateRefused");
  EXPECT_EQ(record_reason(error(ErrorCode::NotAuth)), "ZoneNotFound");
  EXPECT_EQ(record_reason(error(ErrorCode::Cancelled)), "ServerUnreachable");
  EXPECT_EQ(record_reason(error(ErrorCode::Unsigned)), "TsigAuthFailed");
}

TEST(DnsReasons, FailureCarriesEveryContext) {
  dns::Error notauth{dns::ErrorCode::NotAuth, "not authoritative"};
  Failure f = failure_of(notauth, Operation::Update);
  EXPECT_EQ(f.reason, "ZoneNotFound");
  EXPECT_TRUE(f.answers);
  EXPECT_FALSE(f.stale_copy);
  EXPECT_EQ(f.message, notauth.to_string());
  dns::Error refused{dns::ErrorCode::Refused, "no"};
  EXPECT_EQ(failure_of(refused, Operation::Transfer).reason, "TransferRefused");
  EXPECT_EQ(failure_of(refused, Operation::Update).reason, "UpdateRefused");
  EXPECT_EQ(failure_of(refused, Operation::Update).server_reason, "ServerRefused");
  EXPECT_FALSE(failure_of(refused, Operation::Update).answers);
  dns::Error guard{dns::ErrorCode::PrerequisiteFailed, "NXRRSET"};
  EXPECT_TRUE(failure_of(guard, Operation::Update).stale_copy);
}

}  // namespace
}  // namespace zk::providers
