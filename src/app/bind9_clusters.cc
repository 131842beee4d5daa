#include "app/bind9_clusters.h"

#include <optional>
#include <set>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "api/bind9_cluster.h"
#include "app/bind9_instances.h"
#include "managed/bind9_cluster.h"

namespace zk::app {

namespace json = boost::json;

namespace {

const kube::Resource kClusters{"dns.zonekeeper.io", "v1alpha1", "bind9clusters", "Bind9Cluster",
                               true};
const kube::Resource kGlobalClusters{"dns.zonekeeper.io", "v1alpha1", "bind9globalclusters",
                                     "Bind9GlobalCluster", false};

}  // namespace

// The cluster decoded, where its instances live and how they name it.
struct Bind9Clusters::Made {
  const api::Bind9Cluster& cluster;
  std::vector<json::object> instances;  // managed::cluster_instances
  const kube::Resource& resource;       // of the cluster: its status
  std::string_view label;               // on its instances: the cluster's name
  Owner owner;                          // its kind and uid; ns: the instances' namespace
};

const kube::Resource& Bind9Clusters::resource() {
  return kClusters;
}

const kube::Resource& Bind9Clusters::global_resource() {
  return kGlobalClusters;
}

boost::asio::awaitable<bool> Bind9Clusters::reconcile(const kube::Store& clusters,
                                                      const kube::Store& instances,
                                                      const std::string& ns,
                                                      const std::string& name) {
  kube::ObjectPtr obj = clusters.get(ns, name);
  if (!obj) co_return true;  // deleted: its instances go with it (owner references)
  const json::value object = obj->parse();
  auto decoded = api::decode_bind9_cluster(object);
  if (!decoded) co_return co_await invalid(kClusters, object, decoded.error());
  const api::Bind9Cluster& c = *decoded;
  const Made made{c, managed::cluster_instances(c), kClusters, managed::kClusterLabel,
                  Owner{std::string(api::kBind9Cluster), c.ns, c.name, c.uid}};
  co_return co_await converge(made, object, instances);
}

boost::asio::awaitable<bool> Bind9Clusters::reconcile_global(const kube::Store& clusters,
                                                             const kube::Store& instances,
                                                             const std::string& name) {
  kube::ObjectPtr obj = clusters.get("", name);
  if (!obj) co_return true;  // deleted: its instances go with it (owner references)
  const json::value object = obj->parse();
  auto decoded = api::decode_bind9_global_cluster(object);
  if (!decoded) co_return co_await invalid(kGlobalClusters, object, decoded.error());
  const api::Bind9GlobalCluster& g = *decoded;
  const Made made{
      g, managed::cluster_instances(g), kGlobalClusters, managed::kGlobalClusterLabel,
      Owner{std::string(api::kBind9GlobalCluster), g.instance_namespace, g.name, g.uid}};
  co_return co_await converge(made, object, instances);
}

boost::asio::awaitable<bool> Bind9Clusters::invalid(const kube::Resource& r,
                                                    const json::value& object,
                                                    const std::string& why) {
  std::vector<api::Condition> conditions;
  conditions.push_back(
      api::Condition{"Ready", "False", "InvalidSpec", why, Deployer::generation(object), ""});
  co_return co_await deployer_.write_status(r, object, std::move(conditions), json::object());
}

boost::asio::awaitable<bool> Bind9Clusters::converge(const Made& made, const json::value& object,
                                                     const kube::Store& instances) {
  const api::Bind9Cluster& c = made.cluster;
  const std::string& ns = made.owner.ns;
  const std::vector<std::string> names = managed::instance_names(c);

  std::optional<Blocked> blocked;
  // A copy, named: GCC 12 mishandles temporaries across co_await.
  std::vector<json::object> wanted_instances = made.instances;
  for (json::object& instance : wanted_instances) {
    blocked = co_await deployer_.apply(made.owner, Bind9Instances::resource(), std::move(instance));
    if (blocked) break;
  }
  // Instances it made that it no longer wants: secondaries.instances was lowered.
  const std::set<std::string, std::less<>> wanted(names.begin(), names.end());
  const std::vector<kube::ObjectPtr> present = instances.by_namespace(ns);
  for (const kube::ObjectPtr& i : present) {
    if (blocked) break;
    if (wanted.contains(i->name()) || i->label(made.label) != c.name ||
        owner_uid(i->parse(), made.owner.kind) != c.uid) {
      continue;
    }
    const std::string unwanted(i->name());
    blocked = co_await deployer_.remove(made.owner, Bind9Instances::resource(), unwanted);
    if (!blocked)
      spdlog::info("bind9: {} {}: deleted instance {}/{}", made.owner.kind, c.name, ns, unwanted);
  }

  std::vector<std::optional<managed::InstanceState>> states;
  for (const std::string& n : names) {
    kube::ObjectPtr i = instances.get(ns, n);
    if (i && owner_uid(i->parse(), made.owner.kind) == c.uid) {
      states.emplace_back(managed::read_instance(i->parse()));
    } else {
      states.emplace_back();
    }
  }
  managed::ClusterReport report = managed::report_instances(names, states, c.generation);
  if (blocked) {  // Ready says why; the instances still say what they are
    report.conditions[0] =
        api::Condition{"Ready", "False", blocked->reason, blocked->message, c.generation, ""};
  }
  json::array listed;
  for (const std::string& n : names) listed.emplace_back(n);
  json::object fields{{"instanceCount", static_cast<int64_t>(names.size())},
                      {"readyInstances", report.ready_instances},
                      {"instances", std::move(listed)}};
  const bool written = co_await deployer_.write_status(
      made.resource, object, std::move(report.conditions), std::move(fields));
  co_return written && (!blocked || blocked->reason != "DeployFailed");
}

}  // namespace zk::app
