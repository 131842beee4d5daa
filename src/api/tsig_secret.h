// The TSIG key a DNSServer's spec.tsigKeySecretRef names: a Secret with data keys `name`,
// `algorithm` and `secret` (the base64 secret as tsig-keygen prints it).
//
//   auto key = decode_tsig_secret(secret_object->parse());
//   if (!key) server_status = {reasons::kSecretInvalid, key.error()};
//   TsigKey::from_base64(key->name, key->algorithm, key->secret);
//
// Secret `data` values arrive base64-encoded and are decoded here; `stringData` (plain
// values, as in local-mode manifests that never went through an API server) is read too and
// wins over `data`, as the API server would merge it. Errors name the Secret key and the
// problem, NEVER the secret's value (nor its decoded form).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "model/error.h"

namespace zk::api {

struct TsigSecret {
  std::string name;       // key name, absolute ("zonekeeper." — a trailing dot is added)
  std::string algorithm;  // "hmac-sha256" (lowercase, no trailing dot)
  std::string secret;     // base64 text, validated
};

model::Parsed<TsigSecret> decode_tsig_secret(const boost::json::value& secret_object);

}  // namespace zk::api
