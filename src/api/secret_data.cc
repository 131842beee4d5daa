#include "api/secret_data.h"

#include <fmt/format.h>

#include "api/json_fields.h"
#include "model/base64.h"

namespace zk::api {

using model::invalid;
using model::Parsed;

Parsed<std::string> secret_value(const boost::json::value& secret, std::string_view key) {
  const auto* sd = json::member(json::member(&secret, "stringData"), key);
  if (sd) {
    if (!sd->is_string()) return invalid(fmt::format("stringData.{}: must be a string", key));
    return std::string(sd->as_string());
  }
  const auto* d = json::member(json::member(&secret, "data"), key);
  if (!d) return invalid(fmt::format("data.{}: missing", key));
  if (!d->is_string()) return invalid(fmt::format("data.{}: must be a base64 string", key));
  auto bytes = model::decode_base64(d->as_string());
  if (!bytes) return invalid(fmt::format("data.{}: {}", key, bytes.error()));
  return std::string(bytes->begin(), bytes->end());
}

bool has_secret_key(const boost::json::value& secret, std::string_view key) {
  return json::member(json::member(&secret, "stringData"), key) ||
         json::member(json::member(&secret, "data"), key);
}

}  // namespace zk::api
