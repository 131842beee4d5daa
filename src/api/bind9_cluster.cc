#include "api/bind9_cluster.h"

#include <fmt/format.h>

#include "api/bind9_spec.h"
#include "api/json_fields.h"

namespace zk::api {

using model::invalid;
using model::Parsed;

std::string Bind9Cluster::key() const {
  return ns + "/" + name;
}

std::string Bind9GlobalCluster::key() const {
  return name;
}

namespace {

// What Bind9Cluster and Bind9GlobalCluster share: the metadata (the name checked) and the spec's
// server settings and roles, read into `c`. Returns the spec (a JSON object).
Parsed<const boost::json::value*> decode_cluster_parts(const boost::json::value& object,
                                                       std::string_view kind, Scope scope,
                                                       Bind9Cluster& c) {
  auto meta = decode_object_meta(object, kind, scope);
  if (!meta) return tl::unexpected(meta.error());
  static_cast<ObjectMeta&>(c) = std::move(*meta);
  c.rotate_keys = rotate_keys_value(object);
  // Its instances are "<name>-primary" and "<name>-secondary-<i>" (i ≤ 15): Bind9Instance
  // names, at most 52 characters.
  auto named =
      check_bind9_name(c.name, 39, "its Bind9Instances are <name>-secondary-<i>, at most 52");
  if (!named) return tl::unexpected(named.error());
  const auto* spec = json::member(&object, "spec");
  if (!spec) return invalid("spec: required");
  auto so = json::opt_object(spec, "spec");
  if (!so) return tl::unexpected(so.error());

  auto settings = decode_bind9_server_settings(*spec, c);
  if (!settings) return tl::unexpected(settings.error());

  auto primary = decode_bind9_role(json::member(spec, "primary"), "spec.primary");
  if (!primary) return tl::unexpected(primary.error());
  c.primary = std::move(*primary);

  const auto* secondaries = json::member(spec, "secondaries");
  auto role = decode_bind9_role(secondaries, "spec.secondaries");
  if (!role) return tl::unexpected(role.error());
  static_cast<Bind9Role&>(c.secondaries) = std::move(*role);
  auto instances =
      json::opt_int(json::member(secondaries, "instances"), "spec.secondaries.instances", 0, 16);
  if (!instances) return tl::unexpected(instances.error());
  c.secondaries.instances = static_cast<int32_t>(instances->value_or(1));
  auto replicas =
      json::opt_int(json::member(secondaries, "replicas"), "spec.secondaries.replicas", 1, 16);
  if (!replicas) return tl::unexpected(replicas.error());
  c.secondaries.replicas = static_cast<int32_t>(replicas->value_or(1));
  return spec;
}

}  // namespace

Parsed<Bind9Cluster> decode_bind9_cluster(const boost::json::value& object) {
  Bind9Cluster c;
  auto spec = decode_cluster_parts(object, kBind9Cluster, Scope::Namespaced, c);
  if (!spec) return tl::unexpected(spec.error());
  return c;
}

Parsed<Bind9GlobalCluster> decode_bind9_global_cluster(const boost::json::value& object) {
  Bind9GlobalCluster g;
  auto spec = decode_cluster_parts(object, kBind9GlobalCluster, Scope::Cluster, g);
  if (!spec) return tl::unexpected(spec.error());
  auto ns = opt_namespace_name(json::member(*spec, "namespace"), "spec.namespace");
  if (!ns) return tl::unexpected(ns.error());
  if (!*ns) {
    return invalid("spec.namespace: required (the namespace its Bind9Instances are made in)");
  }
  g.instance_namespace = std::move(**ns);
  if (!g.allowed_namespaces) {
    return invalid(
        "spec.allowedNamespaces: required (the Namespaces whose DNSZones may use its servers; "
        "{} admits every namespace)");
  }
  return g;
}

}  // namespace zk::api
