// Bind9Cluster: one Primary Bind9Instance and N Secondary Bind9Instances that transfer from it,
// sharing the Primary's generated keys and one set of server settings (issue 12; docs/api.md
// "Bind9Cluster"). zonekeeper creates and owns the instances `<name>-primary` and
// `<name>-secondary-<i>`; DNSZones select their DNSServers by the cluster's label.
//
//   auto cluster = decode_bind9_cluster(object);   // Parsed<Bind9Cluster>
//   for (int i = 0; i < cluster->secondaries.instances; ++i) ...
//
// Decoding checks what the CRD's schema and CEL rules check, so a refused spec says why in one
// line — including metadata.name: a DNS label of at most 39 characters starting with a letter
// (`<name>-secondary-15` must fit a Bind9Instance's 52).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "api/bind9_instance.h"
#include "api/object_meta.h"
#include "model/error.h"

namespace zk::api {

inline constexpr std::string_view kBind9Cluster = "Bind9Cluster";

// What one role's instances of a cluster get (spec.primary, spec.secondaries).
struct Bind9Role {
  Bind9Storage storage;
  std::map<std::string, std::string> requests, limits;  // spec.<role>.resources
  friend bool operator==(const Bind9Role&, const Bind9Role&) = default;
};

struct Bind9Secondaries : Bind9Role {
  int32_t instances = 1;  // Secondary Bind9Instances, 0..16
  int32_t replicas = 1;   // Pods of each, 1..16
  friend bool operator==(const Bind9Secondaries&, const Bind9Secondaries&) = default;
};

struct Bind9Cluster : ObjectMeta {
  // Server settings every instance gets, with Bind9Instance's meaning, defaults and checks.
  std::optional<std::string> image;
  std::string image_pull_policy = "IfNotPresent";
  uint16_t port = 53;
  std::vector<std::string> allow_query{"any"};
  std::optional<uint32_t> responses_per_second;
  bool log_queries = false;
  std::optional<LabelSelector> allowed_namespaces;  // as Bind9Instance's, for every instance

  Bind9Role primary;
  Bind9Secondaries secondaries;
  std::string rotate_keys;  // rotate_keys_value: passed to its Primary instance

  std::string key() const;  // "ns/name"
  friend bool operator==(const Bind9Cluster&, const Bind9Cluster&) = default;
};

model::Parsed<Bind9Cluster> decode_bind9_cluster(const boost::json::value& object);

inline constexpr std::string_view kBind9GlobalCluster = "Bind9GlobalCluster";

// Bind9GlobalCluster: a Bind9Cluster that is cluster-scoped (ns is ""): its instances live in
// spec.namespace, and DNSZones of every Namespace that spec.allowedNamespaces (required here)
// admits select their DNSServers with spec.servers.namespace. Decoding checks what the CRD
// checks: Bind9Cluster's name and spec, and spec.namespace and spec.allowedNamespaces required.
//
//   auto global = decode_bind9_global_cluster(object);   // Parsed<Bind9GlobalCluster>
//   global->instance_namespace;   // where <name>-primary and <name>-secondary-<i> are made
struct Bind9GlobalCluster : Bind9Cluster {
  std::string instance_namespace;  // spec.namespace: where its Bind9Instances are made

  std::string key() const;  // its name (cluster-scoped)
  friend bool operator==(const Bind9GlobalCluster&, const Bind9GlobalCluster&) = default;
};

model::Parsed<Bind9GlobalCluster> decode_bind9_global_cluster(const boost::json::value& object);

}  // namespace zk::api
