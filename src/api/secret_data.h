// The value of one key of a Kubernetes Secret as JSON: `stringData` (plain, as local-mode
// manifests carry it) wins over `data` (base64, as the API server returns it). Errors name
// the key, never its value.
//
//   auto token = secret_value(secret_object, "token");   // "data.token: missing"
#pragma once

#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "model/error.h"

namespace zk::api {

model::Parsed<std::string> secret_value(const boost::json::value& secret, std::string_view key);
// True when the Secret has the key (in stringData or data).
bool has_secret_key(const boost::json::value& secret, std::string_view key);

}  // namespace zk::api
