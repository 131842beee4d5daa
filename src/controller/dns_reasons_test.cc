#include "controller/dns_reasons.h"

#include <gtest/gtest.h>

namespace zk::controller {
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

}  // namespace
}  // namespace zk::controller
