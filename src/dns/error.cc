#include "dns/error.h"

#include <fmt/format.h>

namespace zk::dns {

std::string_view reason(ErrorCode code) {
  switch (code) {
    case ErrorCode::Timeout:
      return "Timeout";
    case ErrorCode::ConnectionRefused:
      return "ConnectionRefused";
    case ErrorCode::Network:
      return "Network";
    case ErrorCode::Cancelled:
      return "Cancelled";
    case ErrorCode::Refused:
      return "Refused";
    case ErrorCode::NotAuth:
      return "NotAuth";
    case ErrorCode::NotZone:
      return "NotZone";
    case ErrorCode::BadKey:
      return "BadKey";
    case ErrorCode::BadSig:
      return "BadSig";
    case ErrorCode::BadTime:
      return "BadTime";
    case ErrorCode::Unsigned:
      return "UnsignedResponse";
    case ErrorCode::PrerequisiteFailed:
      return "PrerequisiteFailed";
    case ErrorCode::ServFail:
      return "ServFail";
    case ErrorCode::FormErr:
      return "FormErr";
    case ErrorCode::NotImplemented:
      return "NotImplemented";
    case ErrorCode::MalformedResponse:
      return "MalformedResponse";
    case ErrorCode::MessageTooLarge:
      return "MessageTooLarge";
    case ErrorCode::InvalidArgument:
      return "InvalidArgument";
    case ErrorCode::ControlUnreachable:
      return "ControlChannelUnreachable";
    case ErrorCode::ControlAuthFailed:
      return "ControlAuthFailed";
    case ErrorCode::ControlCommandFailed:
      return "ControlCommandFailed";
  }
  return "Unknown";
}

std::string Error::to_string() const {
  return fmt::format("{}: {}", reason(), message);
}

ErrorCode error_for_rcode(uint16_t rcode) {
  switch (rcode) {
    case 1:
      return ErrorCode::FormErr;
    case 2:
      return ErrorCode::ServFail;
    case 3:
      return ErrorCode::PrerequisiteFailed;  // NXDOMAIN (on UPDATE: name not in use)
    case 4:
      return ErrorCode::NotImplemented;
    case 5:
      return ErrorCode::Refused;
    case 6:  // YXDOMAIN
    case 7:  // YXRRSET
    case 8:
      return ErrorCode::PrerequisiteFailed;  // NXRRSET
    case 9:
      return ErrorCode::NotAuth;
    case 10:
      return ErrorCode::NotZone;
    default:
      return ErrorCode::MalformedResponse;
  }
}

std::string_view rcode_name(uint16_t rcode) {
  static constexpr std::string_view names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                               "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                               "NXRRSET", "NOTAUTH", "NOTZONE"};
  return rcode < std::size(names) ? names[rcode] : "RCODE?";
}

}  // namespace zk::dns
