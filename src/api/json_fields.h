// Typed access to JSON fields with errors that name the field's path (used by the decoders).
//
//   const boost::json::value* spec = member(&object, "spec");
//   auto ttl = opt_int(member(spec, "ttl"), "spec.ttl", 0, 2147483647);
//   if (!ttl) return tl::unexpected(ttl.error());   // "spec.ttl: must be an integer ..."
//
// Absent and JSON null are treated alike (Kubernetes drops nulls from stored objects).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "model/error.h"

namespace zk::api::json {

// `obj[key]`, or nullptr when obj is null/not an object or the key is absent or null.
const boost::json::value* member(const boost::json::value* obj, std::string_view key);

// A short rendering of a value for error messages (strings quoted, long values cut).
std::string describe(const boost::json::value& v);

model::Parsed<std::optional<std::string>> opt_string(const boost::json::value* v,
                                                     std::string_view path);
model::Parsed<std::string> req_string(const boost::json::value* v, std::string_view path);
// Integers (JSON numbers with an integral value) within [lo, hi].
model::Parsed<std::optional<int64_t>> opt_int(const boost::json::value* v, std::string_view path,
                                              int64_t lo, int64_t hi);
model::Parsed<int64_t> req_int(const boost::json::value* v, std::string_view path, int64_t lo,
                               int64_t hi);
model::Parsed<std::optional<bool>> opt_bool(const boost::json::value* v, std::string_view path);
// An array (nullptr when absent) or an error when the value has another type.
model::Parsed<const boost::json::array*> opt_array(const boost::json::value* v,
                                                   std::string_view path);
model::Parsed<const boost::json::object*> opt_object(const boost::json::value* v,
                                                     std::string_view path);

}  // namespace zk::api::json
