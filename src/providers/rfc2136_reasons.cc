#include "providers/rfc2136_reasons.h"

#include "api/reasons.h"

namespace zk::providers {

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

Failure failure_of(const dns::Error& e, Operation op) {
  Failure f;
  f.reason = op == Operation::Transfer ? transfer_reason(e) : record_reason(e);
  f.server_reason = server_reason(e);
  f.message = e.to_string();
  f.answers = e.code == ErrorCode::NotAuth;  // it answered, just not for this zone
  f.stale_copy = e.code == ErrorCode::PrerequisiteFailed;
  return f;
}

}  // namespace zk::providers
