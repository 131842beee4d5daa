#include "api/json_fields.h"

#include <cmath>

#include <fmt/format.h>
#include <boost/json/serialize.hpp>

namespace zk::api::json {

using model::invalid;
using model::Parsed;

const boost::json::value* member(const boost::json::value* obj, std::string_view key) {
  if (!obj || !obj->is_object()) return nullptr;
  const auto* v = obj->as_object().if_contains(key);
  if (!v || v->is_null()) return nullptr;
  return v;
}

std::string describe(const boost::json::value& v) {
  std::string s = boost::json::serialize(v);
  if (s.size() > 64) s = s.substr(0, 61) + "...";
  return s;
}

Parsed<std::optional<std::string>> opt_string(const boost::json::value* v, std::string_view path) {
  if (!v) return std::optional<std::string>();
  if (!v->is_string())
    return invalid(fmt::format("{}: must be a string, got {}", path, describe(*v)));
  return std::optional<std::string>(std::string(v->as_string()));
}

Parsed<std::string> req_string(const boost::json::value* v, std::string_view path) {
  if (!v) return invalid(fmt::format("{}: required", path));
  auto s = opt_string(v, path);
  if (!s) return tl::unexpected(s.error());
  return std::move(**s);
}

Parsed<std::optional<int64_t>> opt_int(const boost::json::value* v, std::string_view path,
                                       int64_t lo, int64_t hi) {
  if (!v) return std::optional<int64_t>();
  std::optional<int64_t> n;
  if (v->is_int64()) {
    n = v->as_int64();
  } else if (v->is_uint64()) {
    if (v->as_uint64() <= static_cast<uint64_t>(INT64_MAX))
      n = static_cast<int64_t>(v->as_uint64());
  } else if (v->is_double()) {
    double d = v->as_double();
    if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9.0e15)
      n = static_cast<int64_t>(d);
  }
  if (!n || *n < lo || *n > hi) {
    return invalid(
        fmt::format("{}: must be an integer from {} to {}, got {}", path, lo, hi, describe(*v)));
  }
  return n;
}

Parsed<int64_t> req_int(const boost::json::value* v, std::string_view path, int64_t lo,
                        int64_t hi) {
  if (!v) return invalid(fmt::format("{}: required", path));
  auto n = opt_int(v, path, lo, hi);
  if (!n) return tl::unexpected(n.error());
  return **n;
}

Parsed<std::optional<bool>> opt_bool(const boost::json::value* v, std::string_view path) {
  if (!v) return std::optional<bool>();
  if (!v->is_bool())
    return invalid(fmt::format("{}: must be true or false, got {}", path, describe(*v)));
  return std::optional<bool>(v->as_bool());
}

Parsed<const boost::json::array*> opt_array(const boost::json::value* v, std::string_view path) {
  if (!v) return static_cast<const boost::json::array*>(nullptr);
  if (!v->is_array()) return invalid(fmt::format("{}: must be a list, got {}", path, describe(*v)));
  return &v->as_array();
}

Parsed<const boost::json::object*> opt_object(const boost::json::value* v, std::string_view path) {
  if (!v) return static_cast<const boost::json::object*>(nullptr);
  if (!v->is_object()) {
    return invalid(fmt::format("{}: must be an object, got {}", path, describe(*v)));
  }
  return &v->as_object();
}

}  // namespace zk::api::json
