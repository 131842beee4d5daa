#include "controller/dns_reasons.h"

#include "api/reasons.h"

namespace zk::controller {

namespace reasons = api::reasons;
using dns::ErrorCode;

namespace {

bool unreachable(ErrorCode c) {
  return c == ErrorCode::Timeout || c == ErrorCode::ConnectionRefused || c == ErrorCode::Network ||
         c == ErrorCode::Cancelled;
}

bool tsig(ErrorCode c) {
  return c == ErrorCode::BadKey || c == ErrorCode::BadSig || c == ErrorCode::BadTime ||
         c == ErrorCode::Unsigned;
}

}  // namespace

std::string record_reason(const dns::Error& e) {
  if (unreachable(e.code)) return std::string(reasons::kServerUnreachable);
  if (tsig(e.code)) return std::string(reasons::kTsigAuthFailed);
  if (e.code == ErrorCode::NotAuth) return std::string(reasons::kZoneNotFound);
  return std::string(reasons::kUpdateRefused);
}

std::string transfer_reason(const dns::Error& e) {
  if (e.code == ErrorCode::Refused) return std::string(reasons::kTransferRefused);
  return record_reason(e);
}

std::string server_reason(const dns::Error& e) {
  if (tsig(e.code)) return std::string(reasons::kTsigAuthFailed);
  switch (e.code) {
    case ErrorCode::Refused:
      return std::string(reasons::kServerRefused);
    case ErrorCode::ServFail:
      return std::string(reasons::kServerFailure);
    case ErrorCode::FormErr:
    case ErrorCode::NotImplemented:
      return std::string(reasons::kQueryRejected);
    case ErrorCode::MalformedResponse:
      return std::string(reasons::kMalformedResponse);
    default:
      return std::string(reasons::kServerUnreachable);
  }
}

}  // namespace zk::controller
