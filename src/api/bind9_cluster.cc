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

Parsed<Bind9Cluster> decode_bind9_cluster(const boost::json::value& object) {
  auto meta = decode_object_meta(object, kBind9Cluster);
  if (!meta) return tl::unexpected(meta.error());
  Bind9Cluster c;
  static_cast<ObjectMeta&>(c) = std::move(*meta);
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
  return c;
}

}  // namespace zk::api
