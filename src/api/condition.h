// Status conditions in the Kubernetes convention (metav1.Condition), set without clocks.
//
//   std::vector<Condition> conds = conditions_from_json(status["conditions"]).value();
//   bool changed = set_condition(conds, {std::string(kReady), "True", "Served", "", gen, ""},
//                                format_rfc3339(now_seconds));
//   if (changed) write_status(conditions_to_json(conds));   // no write when nothing changed
//
// set_condition follows apimachinery's meta.SetStatusCondition: a new type is appended with
// lastTransitionTime = now (or the one given); for an existing type, lastTransitionTime
// changes only when status changes, while reason, message and observedGeneration are
// updated in place. It reports whether anything at all changed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "model/error.h"

namespace zk::api {

struct Condition {
  std::string type;
  std::string status;  // "True" | "False" | "Unknown"
  std::string reason;
  std::string message;
  int64_t observed_generation = 0;
  std::string last_transition_time;  // RFC 3339; "" = let set_condition use `now`
  friend bool operator==(const Condition&, const Condition&) = default;
};

// Returns true when `conditions` changed. `now` is RFC 3339 (see api/time.h).
[[nodiscard]] bool set_condition(std::vector<Condition>& conditions, Condition condition,
                                 std::string_view now);
// Removes the condition of `type`; true when one was removed.
bool remove_condition(std::vector<Condition>& conditions, std::string_view type);
const Condition* find_condition(const std::vector<Condition>& conditions, std::string_view type);

boost::json::value conditions_to_json(const std::vector<Condition>& conditions);
// `v` may be null (no conditions yet).
model::Parsed<std::vector<Condition>> conditions_from_json(const boost::json::value& v);

}  // namespace zk::api
