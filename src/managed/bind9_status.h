// A Bind9Instance's status from what its Pods say (seed 004's hierarchy): one condition per Pod
// (`Pod-0`, `Pod-1`, …) and `Ready` over them, with the messages users of Bindy know ("All 3
// pods are ready", "2/3 pods are ready", "Pod NAME is ready"). Pure: from the Pods' JSON.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "api/condition.h"
#include "managed/key_ring.h"

namespace zk::managed {

// What one Pod of the StatefulSet says.
struct PodState {
  std::string name;
  bool ready = false;
  bool deleting = false;                     // metadata.deletionTimestamp
  std::optional<std::string> unschedulable;  // the scheduler's message
  std::string waiting_reason;                // of a container (or init container) not running
  std::string waiting_message;
  std::vector<std::string> unready;  // containers that run but are not ready (a probe fails)
  std::string ip;                    // status.podIP
  std::string uid;                   // metadata.uid: a Pod deleted and made again has another
  std::map<std::string, std::string> annotations;  // metadata.annotations (string values)
  // Not from the Pod: the zones it has not served for a while (managed/zone_load), as the
  // ZoneLoadFailed message; "" when it serves every zone (or was not checked).
  std::string zones_not_served;
};

PodState read_pod(const boost::json::value& pod);

// A Primary's status.keys: `names` (the TSIG keys its servers accept, the signing one first),
// `rotation` (the rotate-keys value acted on last), `phase` and, while a rotation waits,
// `waitingFor`.
boost::json::object keys_status(const std::string& primary_instance, const KeyRing& ring,
                                const std::string& waiting_for);
// What a Secondary of this Primary Bind9Instance object runs with (secondary_key_names of its
// status.keys names and phase); empty when it has published none.
std::vector<std::string> published_key_names(const boost::json::value& instance);

// `Ready` over `total` children of which `ready` are: AllReady "All 3 pods are ready",
// PartiallyReady "2/3 pods are ready" or NotReady "No pods are ready" (`children`: "pods").
api::Condition ready_over(int32_t ready, int32_t total, std::string_view children,
                          int64_t generation);

// A condition of a report: status True when `ok`, no transition time (set_condition sets it).
api::Condition condition(std::string type, bool ok, std::string reason, std::string message,
                         int64_t generation);

struct InstanceReport {
  std::vector<api::Condition> conditions;  // Ready first, then Pod-0 … Pod-(replicas-1)
  int32_t ready_replicas = 0;
};

// `pods[i]`: the Pod of ordinal i, if it exists. Conditions carry `generation` and no time. A
// Ready Pod that does not serve every zone is ZoneLoadFailed, and not counted ready.
InstanceReport report_pods(const std::string& statefulset, int32_t replicas,
                           const std::vector<std::optional<PodState>>& pods, int64_t generation);

}  // namespace zk::managed
