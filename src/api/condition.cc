#include "api/condition.h"

#include <algorithm>

#include <fmt/format.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/json_fields.h"

namespace zk::api {

bool set_condition(std::vector<Condition>& conditions, Condition c, std::string_view now) {
  auto it = std::find_if(conditions.begin(), conditions.end(),
                         [&](const Condition& x) { return x.type == c.type; });
  if (it == conditions.end()) {
    if (c.last_transition_time.empty()) c.last_transition_time = std::string(now);
    conditions.push_back(std::move(c));
    return true;
  }
  bool changed = false;
  if (it->status != c.status) {
    it->status = c.status;
    it->last_transition_time =
        c.last_transition_time.empty() ? std::string(now) : c.last_transition_time;
    changed = true;
  }
  auto update = [&](auto& field, auto& value) {
    if (field != value) {
      field = std::move(value);
      changed = true;
    }
  };
  update(it->reason, c.reason);
  update(it->message, c.message);
  update(it->observed_generation, c.observed_generation);
  return changed;
}

bool remove_condition(std::vector<Condition>& conditions, std::string_view type) {
  auto n = std::erase_if(conditions, [&](const Condition& x) { return x.type == type; });
  return n > 0;
}

const Condition* find_condition(const std::vector<Condition>& conditions, std::string_view type) {
  for (const auto& c : conditions) {
    if (c.type == type) return &c;
  }
  return nullptr;
}

boost::json::value conditions_to_json(const std::vector<Condition>& conditions) {
  boost::json::array out;
  for (const auto& c : conditions) {
    boost::json::object o;
    o["type"] = c.type;
    o["status"] = c.status;
    o["reason"] = c.reason;
    o["message"] = c.message;
    o["observedGeneration"] = c.observed_generation;
    o["lastTransitionTime"] = c.last_transition_time;
    out.push_back(std::move(o));
  }
  return out;
}

model::Parsed<std::vector<Condition>> conditions_from_json(const boost::json::value& v) {
  std::vector<Condition> out;
  if (v.is_null()) return out;
  auto arr = json::opt_array(&v, "status.conditions");
  if (!arr) return tl::unexpected(arr.error());
  for (size_t i = 0; i < (*arr)->size(); ++i) {
    const auto& item = (**arr)[i];
    std::string path = fmt::format("status.conditions[{}]", i);
    auto o = json::opt_object(&item, path);
    if (!o) return tl::unexpected(o.error());
    Condition c;
    auto type = json::req_string(json::member(&item, "type"), path + ".type");
    if (!type) return tl::unexpected(type.error());
    c.type = std::move(*type);
    for (auto [key, field] : {std::pair{"status", &c.status}, std::pair{"reason", &c.reason},
                              std::pair{"message", &c.message},
                              std::pair{"lastTransitionTime", &c.last_transition_time}}) {
      auto s = json::opt_string(json::member(&item, key), fmt::format("{}.{}", path, key));
      if (!s) return tl::unexpected(s.error());
      if (*s) *field = std::move(**s);
    }
    auto gen = json::opt_int(json::member(&item, "observedGeneration"),
                             path + ".observedGeneration", 0, INT64_MAX);
    if (!gen) return tl::unexpected(gen.error());
    c.observed_generation = gen->value_or(0);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace zk::api
