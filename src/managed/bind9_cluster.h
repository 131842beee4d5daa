// What zonekeeper makes for a Bind9Cluster or a Bind9GlobalCluster (docs/api.md): its
// Bind9Instance objects as JSON for server-side apply — `<name>-primary` and
// `<name>-secondary-<i>`, labelled and owned by the cluster — and its status over them in seed
// 004's formats (`Ready` and `Bind9Instance-N`). Pure: from the cluster and the instances seen.
//
//   for (auto& instance : managed::cluster_instances(cluster)) apply(instance);
//   auto report = managed::report_instances(names, states, generation);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "api/bind9_cluster.h"
#include "api/condition.h"

namespace zk::managed {

inline constexpr std::string_view kClusterLabel = "dns.zonekeeper.io/bind9-cluster";
inline constexpr std::string_view kGlobalClusterLabel = "dns.zonekeeper.io/bind9-global-cluster";

std::string primary_instance_name(const std::string& cluster);  // "<c>-primary"
std::string secondary_instance_name(const std::string& cluster,
                                    int ordinal);  // "<c>-secondary-<i>"
// Every instance the cluster wants, the Primary first, then the Secondaries in order.
std::vector<std::string> instance_names(const api::Bind9Cluster& cluster);

// The Bind9Instance objects of the cluster, in instance_names' order: in its namespace, or a
// Bind9GlobalCluster's in its spec.namespace (labelled kGlobalClusterLabel, not kClusterLabel).
std::vector<boost::json::object> cluster_instances(const api::Bind9Cluster& cluster);
std::vector<boost::json::object> cluster_instances(const api::Bind9GlobalCluster& cluster);

// What an instance's status says.
struct InstanceState {
  bool has_status = false;  // its Ready condition describes its current generation
  bool ready = false;       // Ready is True
  std::string reason;       // of its Ready condition
  std::string message;
  int32_t replicas = 0;
  int32_t ready_replicas = 0;
};

InstanceState read_instance(const boost::json::value& instance);

struct ClusterReport {
  std::vector<api::Condition> conditions;  // Ready first, then Bind9Instance-0 … -(N-1)
  int32_t ready_instances = 0;
};

// `states[i]`: the instance names[i], if it exists. Conditions carry `generation` and no time.
ClusterReport report_instances(const std::vector<std::string>& names,
                               const std::vector<std::optional<InstanceState>>& states,
                               int64_t generation);

}  // namespace zk::managed
