// The credentials of an HTTP-API backend (Technitium) that a DNSServer's
// external.technitium.credentialsSecretRef names: a Secret with data key `token` (an API
// token), or `username` and `password` (a session token is minted from them).
//
//   auto c = decode_api_credentials(secret_object->parse());
//   if (!c) server_status = {reasons::kSecretInvalid, c.error()};
//
// Values are trimmed of surrounding whitespace (a trailing newline from `echo` is common).
// Errors name the Secret key and the problem, NEVER a value.
#pragma once

#include <string>

#include <boost/json/value.hpp>

#include "model/error.h"

namespace zk::api {

struct ApiCredentials {
  std::string token;               // or:
  std::string username, password;  // both set
  bool operator==(const ApiCredentials&) const = default;
};

model::Parsed<ApiCredentials> decode_api_credentials(const boost::json::value& secret_object);

}  // namespace zk::api
