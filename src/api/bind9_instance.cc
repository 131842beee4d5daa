#include "api/bind9_instance.h"

#include <fmt/format.h>

#include "api/bind9_spec.h"
#include "api/json_fields.h"

namespace zk::api {

using model::invalid;
using model::Parsed;

std::string Bind9Instance::key() const {
  return ns + "/" + name;
}

std::string rotate_keys_value(const boost::json::value& object) {
  const auto* ann = json::member(json::member(&object, "metadata"), "annotations");
  const auto* v = json::member(ann, kRotateKeysAnnotation);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

Parsed<Bind9Instance> decode_bind9_instance(const boost::json::value& object) {
  auto meta = decode_object_meta(object, kBind9Instance);
  if (!meta) return tl::unexpected(meta.error());
  Bind9Instance b;
  static_cast<ObjectMeta&>(b) = std::move(*meta);
  b.rotate_keys = rotate_keys_value(object);
  // It names the StatefulSet and the Services: a DNS label (RFC 1035: a Service name starts
  // with a letter), ≤ 52 so that "<name>-<revision hash>" still fits a label value.
  auto named = check_bind9_name(b.name, 52, "it names the StatefulSet, its Services and Pods");
  if (!named) return tl::unexpected(named.error());
  const auto* spec = json::member(&object, "spec");
  if (!spec) return invalid("spec: required");
  auto so = json::opt_object(spec, "spec");
  if (!so) return tl::unexpected(so.error());

  auto role = json::req_string(json::member(spec, "role"), "spec.role");
  if (!role) return tl::unexpected(role.error());
  if (*role == "Primary") {
    b.role = ServerRole::Primary;
  } else if (*role == "Secondary") {
    b.role = ServerRole::Secondary;
  } else {
    return invalid(fmt::format("spec.role: \"{}\" is not Primary or Secondary", *role));
  }

  auto replicas = json::opt_int(json::member(spec, "replicas"), "spec.replicas", 1, 16);
  if (!replicas) return tl::unexpected(replicas.error());
  b.replicas = static_cast<int32_t>(replicas->value_or(1));

  if (const auto* ref = json::member(spec, "primaryRef")) {
    auto ro = json::opt_object(ref, "spec.primaryRef");
    if (!ro) return tl::unexpected(ro.error());
    auto n = json::req_string(json::member(ref, "name"), "spec.primaryRef.name");
    if (!n) return tl::unexpected(n.error());
    if (!k8s_object_name(*n)) {
      return invalid(
          fmt::format("spec.primaryRef.name: \"{}\" is not an object name", n->substr(0, 80)));
    }
    b.primary_name = std::move(*n);
  }

  auto settings = decode_bind9_server_settings(*spec, b);
  if (!settings) return tl::unexpected(settings.error());
  auto pod = decode_bind9_role(spec, "spec");
  if (!pod) return tl::unexpected(pod.error());
  b.storage = std::move(pod->storage);
  b.requests = std::move(pod->requests);
  b.limits = std::move(pod->limits);

  if (b.role == ServerRole::Primary) {
    if (b.replicas != 1) {
      return invalid(
          "spec.replicas: a Primary is one Pod (RFC 2136 needs one writer); scale reads with a "
          "Secondary instance");
    }
    if (b.primary_name) {
      return invalid("spec.primaryRef: only allowed when role is Secondary");
    }
  } else {
    if (!b.primary_name) {
      return invalid(
          "spec.primaryRef: required when role is Secondary (the Primary Bind9Instance it "
          "transfers from)");
    }
    if (*b.primary_name == b.name) {
      return invalid("spec.primaryRef.name: a Secondary cannot be its own primary");
    }
  }
  return b;
}

}  // namespace zk::api
