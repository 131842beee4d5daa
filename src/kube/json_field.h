// One string field of a JSON object as the API server sends it: "" when absent or not a string
// (list metadata, Status errors, discovery entries, Lease specs).
#pragma once

#include <string>
#include <string_view>

#include <boost/json/object.hpp>

namespace zk::kube {

inline std::string string_at(const boost::json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string(it->value().get_string())
                                                  : std::string();
}

}  // namespace zk::kube
