// Typed DNS errors with stable reason strings (later surfaced as status condition reasons).
//
//   Result<uint32_t> serial = co_await client.soa_serial(zone);
//   if (!serial) log("{}: {}", serial.error().reason(), serial.error().message);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace zk::dns {

enum class ErrorCode {
  Timeout,             // no answer within the configured time
  ConnectionRefused,   // nothing listens at the server's address
  Network,             // other socket errors (reset, unreachable, ...)
  Cancelled,           // the caller cancelled the operation
  Refused,             // RCODE REFUSED (policy, or zone not allowed)
  NotAuth,             // RCODE NOTAUTH: server not authoritative for the zone
  NotZone,             // RCODE NOTZONE: a name outside the zone
  BadKey,              // TSIG error BADKEY: the server does not know the key
  BadSig,              // TSIG error BADSIG, or the response's MAC did not verify
  BadTime,             // TSIG error BADTIME, or the response's time is outside the fudge
  Unsigned,            // a key is configured but the response carries no TSIG
  PrerequisiteFailed,  // RCODE YXDOMAIN / YXRRSET / NXRRSET / NXDOMAIN on UPDATE
  ServFail,            // RCODE SERVFAIL
  FormErr,             // RCODE FORMERR
  NotImplemented,      // RCODE NOTIMP
  MalformedResponse,   // the response could not be parsed or does not match the query
  MessageTooLarge,     // one atomic change does not fit a 64 KiB message
  InvalidArgument,     // caller error (bad key file, bad address, ...)
  // BIND's control channel (control_client.h, what rndc speaks):
  ControlUnreachable,    // no connection to the control port (refused, unreachable, unresolved)
  ControlAuthFailed,     // named closed the connection at our first message (its answer to a
                         // wrong key or algorithm; also to an address outside `allow` or clocks
                         // more than 300 s apart), or an answer is unsigned or does not verify
  ControlCommandFailed,  // named ran the command and it failed: result != 0, named's text kept
};

// Stable reason string, e.g. "BadSig".
std::string_view reason(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::Network;
  std::string message;
  uint16_t rcode = 0;           // DNS RCODE when the server answered
  uint16_t tsig_error = 0;      // TSIG error field when present (16 BADSIG, 17 BADKEY, 18 BADTIME)
  size_t changes_applied = 0;   // UPDATE: changes acknowledged before the failure
  uint32_t control_result = 0;  // control channel: named's result code (isc_result_t) of a
                                // failed command, e.g. 18 "already exists", 38 "file not found"

  std::string_view reason() const { return dns::reason(code); }
  std::string to_string() const;  // "BadSig: ..."
};

template <class T>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> fail(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

// Maps an RCODE (non-zero) to its ErrorCode.
ErrorCode error_for_rcode(uint16_t rcode);
std::string_view rcode_name(uint16_t rcode);

}  // namespace zk::dns
