#include "managed/bind9_cluster.h"

#include <fmt/format.h>
#include <boost/json.hpp>

#include "api/kind.h"
#include "managed/bind9_objects.h"
#include "managed/bind9_status.h"

namespace zk::managed {

namespace json = boost::json;

namespace {

json::object string_map(const std::map<std::string, std::string>& m) {
  json::object out;
  for (const auto& [k, v] : m) out[k] = v;
  return out;
}

// The Bind9Instance spec of one role of the cluster, with the settings all of them share.
json::object instance_spec(const api::Bind9Cluster& c, const api::Bind9Role& role) {
  json::object storage{{"size", role.storage.size},
                       {"deleteOnRemove", role.storage.delete_on_remove}};
  if (role.storage.storage_class) storage["storageClassName"] = *role.storage.storage_class;
  json::array allow_query;
  for (const auto& a : c.allow_query) allow_query.emplace_back(a);
  json::object spec{{"imagePullPolicy", c.image_pull_policy},
                    {"port", c.port},
                    {"storage", std::move(storage)},
                    {"allowQuery", std::move(allow_query)},
                    {"logQueries", c.log_queries}};
  if (c.image) spec["image"] = *c.image;
  if (c.allowed_namespaces) spec["allowedNamespaces"] = label_selector_json(*c.allowed_namespaces);
  if (c.responses_per_second) {
    spec["rateLimit"] = json::object{{"responsesPerSecond", *c.responses_per_second}};
  }
  json::object resources;
  if (!role.requests.empty()) resources["requests"] = string_map(role.requests);
  if (!role.limits.empty()) resources["limits"] = string_map(role.limits);
  if (!resources.empty()) spec["resources"] = std::move(resources);
  return spec;
}

// Who makes the instances: its kind, the label naming it on them, where they live.
struct Maker {
  std::string_view kind;
  std::string_view label;
  const std::string& ns;
};

json::object instance(const api::Bind9Cluster& c, const Maker& by, const std::string& name,
                      json::object spec) {
  json::object labels;
  for (const auto& [k, v] : c.labels) labels[k] = v;  // they reach the instance's DNSServers
  labels[std::string(kManagedByLabel)] = "zonekeeper";
  labels[std::string(by.label)] = c.name;
  json::object owner{{"apiVersion", std::string(api::kApiVersion)},
                     {"kind", std::string(by.kind)},
                     {"name", c.name},
                     {"uid", c.uid},
                     {"controller", true}};
  json::object meta{{"name", name},
                    {"namespace", by.ns},
                    {"labels", std::move(labels)},
                    {"ownerReferences", json::array{owner}}};
  // The Primary holds the keys: a rotation asked of the cluster is asked of it.
  if (spec.at("role") == "Primary" && !c.rotate_keys.empty()) {
    meta["annotations"] = json::object{{std::string(api::kRotateKeysAnnotation), c.rotate_keys}};
  }
  return json::object{{"apiVersion", std::string(api::kApiVersion)},
                      {"kind", std::string(api::kBind9Instance)},
                      {"metadata", std::move(meta)},
                      {"spec", std::move(spec)}};
}

std::vector<json::object> instances_by(const api::Bind9Cluster& c, const Maker& by) {
  std::vector<json::object> out;
  json::object primary = instance_spec(c, c.primary);
  primary["role"] = "Primary";
  primary["replicas"] = 1;
  out.push_back(instance(c, by, primary_instance_name(c.name), std::move(primary)));
  for (int i = 0; i < c.secondaries.instances; ++i) {
    json::object spec = instance_spec(c, c.secondaries);
    spec["role"] = "Secondary";
    spec["replicas"] = c.secondaries.replicas;
    spec["primaryRef"] = json::object{{"name", primary_instance_name(c.name)}};
    out.push_back(instance(c, by, secondary_instance_name(c.name, i), std::move(spec)));
  }
  return out;
}

const json::value* at(const json::value& v, std::string_view key) {
  const json::object* o = v.if_object();
  return o ? o->if_contains(key) : nullptr;
}

int64_t integer(const json::value* v) {
  return v && v->is_int64() ? v->as_int64() : 0;
}

}  // namespace

std::string primary_instance_name(const std::string& cluster) {
  return cluster + "-primary";
}

std::string secondary_instance_name(const std::string& cluster, int ordinal) {
  return fmt::format("{}-secondary-{}", cluster, ordinal);
}

std::vector<std::string> instance_names(const api::Bind9Cluster& c) {
  std::vector<std::string> out{primary_instance_name(c.name)};
  for (int i = 0; i < c.secondaries.instances; ++i) {
    out.push_back(secondary_instance_name(c.name, i));
  }
  return out;
}

std::vector<json::object> cluster_instances(const api::Bind9Cluster& c) {
  return instances_by(c, Maker{api::kBind9Cluster, kClusterLabel, c.ns});
}

std::vector<json::object> cluster_instances(const api::Bind9GlobalCluster& c) {
  return instances_by(c,
                      Maker{api::kBind9GlobalCluster, kGlobalClusterLabel, c.instance_namespace});
}

InstanceState read_instance(const json::value& object) {
  InstanceState out;
  const json::value* meta = at(object, "metadata");
  const int64_t generation = integer(meta ? at(*meta, "generation") : nullptr);
  const json::value* status = at(object, "status");
  if (!status) return out;
  out.replicas = static_cast<int32_t>(integer(at(*status, "replicas")));
  out.ready_replicas = static_cast<int32_t>(integer(at(*status, "readyReplicas")));
  const json::value* conds = at(*status, "conditions");
  if (!conds) return out;
  auto parsed = api::conditions_from_json(*conds);
  if (!parsed) return out;
  const api::Condition* ready = api::find_condition(*parsed, "Ready");
  // A status about an earlier spec (e.g. before a scale-up) says nothing yet.
  if (!ready || ready->observed_generation < generation) return out;
  out.has_status = true;
  out.ready = ready->status == "True";
  out.reason = ready->reason;
  out.message = ready->message;
  return out;
}

ClusterReport report_instances(const std::vector<std::string>& names,
                               const std::vector<std::optional<InstanceState>>& states,
                               int64_t generation) {
  ClusterReport out;
  std::vector<api::Condition> children;
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string type = fmt::format("Bind9Instance-{}", i);
    const std::string& name = names[i];
    const std::optional<InstanceState>* s = i < states.size() ? &states[i] : nullptr;
    if (!s || !*s) {
      children.push_back(condition(
          type, false, "Missing", fmt::format("Instance {} does not exist yet", name), generation));
      continue;
    }
    const InstanceState& st = **s;
    if (!st.has_status) {
      children.push_back(condition(type, false, "NotReady",
                                   fmt::format("Instance {} has no status yet", name), generation));
    } else if (st.ready) {
      ++out.ready_instances;
      children.push_back(condition(
          type, true, "Ready",
          fmt::format("Instance {} is ready ({}/{} pods)", name, st.ready_replicas, st.replicas),
          generation));
    } else if (st.reason == "PartiallyReady") {
      children.push_back(condition(type, false, "PartiallyReady",
                                   fmt::format("Instance {} is progressing ({}/{} pods)", name,
                                               st.ready_replicas, st.replicas),
                                   generation));
    } else {
      children.push_back(condition(type, false, "NotReady",
                                   fmt::format("Instance {} is not ready: {}", name, st.message),
                                   generation));
    }
  }
  out.conditions.push_back(
      ready_over(out.ready_instances, static_cast<int32_t>(names.size()), "instances", generation));
  for (auto& c : children) out.conditions.push_back(std::move(c));
  return out;
}

}  // namespace zk::managed
