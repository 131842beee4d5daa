#include "controller/status.h"

#include <tuple>

#include <fmt/format.h>

#include "api/condition.h"
#include "api/kind.h"
#include "api/reasons.h"
#include "api/time.h"

namespace zk::controller {

ObjectRef object_ref(const api::ObjectMeta& m, std::string_view kind) {
  return {std::string(api::kApiVersion), std::string(kind), m.ns, m.name, m.uid, m.generation};
}

ConditionSpec ready_condition(std::string_view status, std::string_view reason,
                              std::string message) {
  return {std::string(api::kReady), std::string(status), std::string(reason), std::move(message)};
}

namespace json = boost::json;

bool differs_beyond_serials(const ZoneStatus& a, const ZoneStatus& b) {
  // A Secondary catching up (its row's ready, Propagated InSync or SecondaryBehind and its
  // serials) moves with every change as the serials do; SecondaryUnreachable does not.
  auto rows = [](const ZoneStatus& z) {
    std::vector<std::tuple<std::string, std::string, bool>> out;
    for (const auto& s : z.servers)
      out.emplace_back(s.name, s.role, s.role != "Secondary" && s.ready);
    return out;
  };
  auto catching_up = [](const std::optional<ConditionSpec>& p) {
    return p && (p->reason == api::reasons::kInSync || p->reason == api::reasons::kSecondaryBehind);
  };
  const bool same_propagation =
      a.propagated == b.propagated || (catching_up(a.propagated) && catching_up(b.propagated));
  return !(a.ref == b.ref && a.ready == b.ready && same_propagation &&
           a.record_count == b.record_count && a.records == b.records && rows(a) == rows(b) &&
           a.dnssec == b.dnssec && a.ds_config_map == b.ds_config_map);
}

std::string ObjectRef::key() const {
  return fmt::format("{}/{}/{}", kind, ns, name);
}

std::optional<ObjectKey> parse_object_key(std::string_view key) {
  // Neither a namespace nor a name holds a '/'.
  auto first = key.find('/');
  if (first == std::string_view::npos) return std::nullopt;
  auto second = key.find('/', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  return ObjectKey{key.substr(0, first), key.substr(first + 1, second - first - 1),
                   key.substr(second + 1)};
}

namespace {

const json::value* field(const json::value& status, std::string_view key) {
  if (!status.is_object()) return nullptr;
  return status.as_object().if_contains(key);
}

std::string string_field(const json::value& status, std::string_view key) {
  const json::value* v = field(status, key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// Conditions merged per SetStatusCondition; `keep_types` absent ones are removed.
json::value merged_conditions(const json::value& status, const ConditionSpec& ready,
                              const std::optional<ConditionSpec>& propagated, int64_t generation,
                              const std::string& now) {
  std::vector<api::Condition> conds;
  if (const json::value* c = field(status, "conditions")) {
    if (auto parsed = api::conditions_from_json(*c)) conds = std::move(*parsed);
  }
  auto set = [&](const ConditionSpec& s) {
    (void)api::set_condition(conds, {s.type, s.status, s.reason, s.message, generation, ""}, now);
  };
  set(ready);
  if (propagated) {
    set(*propagated);
  } else {
    api::remove_condition(conds, "Propagated");
  }
  return api::conditions_to_json(conds);
}

std::optional<json::object> changed(const json::value& current, json::object next) {
  if (current.is_object() && current.as_object() == next) return std::nullopt;
  return next;
}

// Copies fields of `current` that this controller does not set, so a merge never drops them.
json::object base(const json::value& current) {
  return current.is_object() ? current.as_object() : json::object();
}

// The entry of `status.providerStatus` for this server and zone, or null.
const json::object* old_entry(const json::value& status, const ProviderResult& r) {
  const json::value* list = field(status, "providerStatus");
  if (!list || !list->is_array()) return nullptr;
  for (const auto& e : list->as_array()) {
    if (!e.is_object()) continue;
    const auto& o = e.as_object();
    const auto* server = o.if_contains("server");
    const auto* zone = o.if_contains("zone");
    if (server && zone && server->is_string() && zone->is_string() &&
        server->as_string() == r.server && zone->as_string() == r.zone) {
      return &o;
    }
  }
  return nullptr;
}

json::array provider_status(const json::value& current, const std::vector<ProviderResult>& results,
                            const std::string& now) {
  json::array out;
  for (const auto& r : results) {
    if (out.size() >= kMaxProviderResults) break;
    json::object e{{"server", r.server}, {"zone", r.zone}, {"result", r.result}};
    if (!r.message.empty()) e["message"] = r.message;
    const json::object* old = old_entry(current, r);
    const json::value* old_serial = old ? old->if_contains("serial") : nullptr;
    const json::value* old_sync = old ? old->if_contains("lastSyncTime") : nullptr;
    bool first = !old_sync && r.result == api::reasons::kProgrammed;
    if (r.serial && (r.synced || first)) {
      e["serial"] = static_cast<int64_t>(*r.serial);
      e["lastSyncTime"] = now;
    } else {
      if (old_serial) e["serial"] = *old_serial;
      if (old_sync) e["lastSyncTime"] = *old_sync;
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

bool is_failure(const ConditionSpec& condition) {
  if (condition.status != api::kFalse) return false;
  namespace reasons = api::reasons;
  return condition.reason != reasons::kPending && condition.reason != reasons::kSecretPending &&
         condition.reason != reasons::kNotSelected;
}

namespace {

std::optional<ConditionSpec> stored_condition(const json::value& current, const std::string& type) {
  if (const json::value* c = field(current, "conditions")) {
    if (auto parsed = api::conditions_from_json(*c)) {
      if (const api::Condition* r = api::find_condition(*parsed, type)) {
        return ConditionSpec{r->type, r->status, r->reason, r->message};
      }
    }
  }
  return std::nullopt;
}

std::optional<VerdictEvent> verdict_between(const std::optional<ConditionSpec>& before,
                                            const ConditionSpec& ready) {
  if (before && before->status == ready.status && before->reason == ready.reason) {
    return std::nullopt;
  }
  if (is_failure(ready)) return VerdictEvent{true, ready.reason, ready.message};
  if (before && is_failure(*before) && ready.status == api::kTrue) {
    return VerdictEvent{false, ready.reason, ready.message};
  }
  return std::nullopt;
}

}  // namespace

std::optional<VerdictEvent> verdict_event(const json::value& current, const ConditionSpec& ready) {
  return verdict_between(stored_condition(current, ready.type), ready);
}

std::optional<VerdictEvent> record_verdict_event(const json::value& current,
                                                 const RecordStatus& s) {
  if (s.zone_wide) return std::nullopt;
  std::optional<ConditionSpec> before = stored_condition(current, s.ready.type);
  // A recovery from ZoneNotReady is the zone's own recovery Event to tell; the report cannot
  // flag this one (a blocked zone's report leaves the records' standings alone).
  if (before && before->reason == api::reasons::kZoneNotReady && !is_failure(s.ready)) {
    return std::nullopt;
  }
  return verdict_between(before, s.ready);
}

std::optional<json::object> merge_record_status(const json::value& current, const RecordStatus& s,
                                                const std::string& now) {
  json::object next = base(current);
  next["conditions"] = merged_conditions(current, s.ready, s.propagated, s.ref.generation, now);
  next["observedGeneration"] = s.ref.generation;
  next["zone"] = s.zone;
  next["fqdn"] = s.fqdn;
  if (!s.acknowledged_hash.empty() && string_field(current, "recordHash") != s.acknowledged_hash) {
    next["recordHash"] = s.acknowledged_hash;
    next["lastUpdated"] = now;
  }
  return changed(current, std::move(next));
}

std::optional<json::object> merge_zone_status(const json::value& current, const ZoneStatus& s,
                                              const std::string& now, int64_t /*now_seconds*/) {
  json::object next = base(current);
  next["conditions"] = merged_conditions(current, s.ready, s.propagated, s.ref.generation, now);
  next["observedGeneration"] = s.ref.generation;
  json::array records;
  for (const auto& r : s.records) {
    if (records.size() >= kMaxListedRecords) break;
    records.push_back(json::object{{"apiVersion", api::kApiVersion},
                                   {"kind", r.kind},
                                   {"name", r.name},
                                   {"namespace", r.ns},
                                   {"fqdn", r.fqdn}});
  }
  next["records"] = std::move(records);
  next["recordCount"] = static_cast<int64_t>(s.record_count);
  json::array servers;
  for (const auto& sv : s.servers) {
    json::object o{{"name", sv.name}, {"role", sv.role}, {"ready", sv.ready}};
    if (sv.serial) o["serial"] = static_cast<int64_t>(*sv.serial);
    servers.push_back(std::move(o));
  }
  next["servers"] = std::move(servers);
  if (s.dnssec) {
    json::array ds;
    const auto zone = model::Name::parse(s.dnssec->zone);
    for (const auto& d : s.dnssec->ds) {
      json::object o{{"keyTag", d.key_tag},
                     {"algorithm", d.algorithm},
                     {"digestType", d.digest_type},
                     {"digest", d.digest}};
      if (zone) o["record"] = managed::to_string(*zone, d);
      ds.push_back(std::move(o));
    }
    next["dnssec"] = json::object{{"signed", s.dnssec->is_signed}, {"ds", std::move(ds)}};
  } else if (field(current, "dnssec")) {
    next["dnssec"] = nullptr;  // a merge patch removes a field it sets to null
  } else {
    next.erase("dnssec");
  }
  if (s.synced || (!field(current, "lastSyncTime") && s.ready.status == "True")) {
    next["lastSyncTime"] = now;
  }
  return changed(current, std::move(next));
}

std::optional<json::object> merge_server_status(const json::value& current, const ServerStatus& s,
                                                const std::string& now, int64_t now_seconds) {
  json::object next = base(current);
  next["conditions"] = merged_conditions(current, s.ready, std::nullopt, s.ref.generation, now);
  next["observedGeneration"] = s.ref.generation;
  json::array zones;
  for (const auto& z : s.zones) zones.push_back(json::string(z));
  next["zones"] = std::move(zones);
  if (s.contacted) {
    auto last = api::parse_rfc3339(string_field(current, "lastContactTime"));
    bool stale = !last || now_seconds - last->seconds >= kContactRefreshSeconds;
    if (stale || changed(current, next)) next["lastContactTime"] = now;
  }
  return changed(current, std::move(next));
}

std::optional<json::object> merge_endpoint_status(const json::value& current,
                                                  const EndpointStatus& s, const std::string& now) {
  json::object next = base(current);
  next["conditions"] = merged_conditions(current, s.ready, std::nullopt, s.ref.generation, now);
  next["observedGeneration"] = s.ref.generation;
  if (s.synced || (!field(current, "lastSyncTime") && s.ready.status == "True")) {
    next["lastSyncTime"] = now;
  }
  if (s.providers.empty()) {
    next.erase("providerStatus");
  } else {
    next["providerStatus"] = provider_status(current, s.providers, now);
  }
  return changed(current, std::move(next));
}

}  // namespace zk::controller
