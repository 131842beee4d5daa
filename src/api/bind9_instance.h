// Bind9Instance: a BIND 9 server set zonekeeper deploys and runs itself (issue 12) — a Primary
// (one Pod: RFC 2136 needs one writer) or Secondaries (N Pods transferring from a Primary
// instance), each a StatefulSet with a volume, served to DNSZones through DNSServer objects the
// instance owns (docs/api.md "Bind9Instance", docs/architecture.md "Managed BIND 9").
//
//   auto instance = decode_bind9_instance(object);   // Parsed<Bind9Instance>
//   if (instance->role == ServerRole::Secondary) look_up(*instance->primary_name);
//
// Decoding checks what the CRD's schema and CEL rules check, so a refused spec says why in one
// line — including metadata.name: a DNS label of at most 52 characters starting with a letter
// (it names the StatefulSet, its Services and, with a revision hash, its Pods' labels).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "api/label_selector.h"
#include "api/object_meta.h"
#include "api/server.h"
#include "model/error.h"

namespace zk::api {

inline constexpr std::string_view kBind9Instance = "Bind9Instance";
// The annotation (on a Primary Bind9Instance, or a Bind9Cluster / Bind9GlobalCluster, which
// passes it to its Primary) whose every new value asks for one key rotation.
inline constexpr std::string_view kRotateKeysAnnotation = "dns.zonekeeper.io/rotate-keys";

// metadata.annotations[kRotateKeysAnnotation] of an object ("" when absent or not a string).
std::string rotate_keys_value(const boost::json::value& object);

// Ports the Pod of a Bind9Instance (or of a Bind9Cluster's instances) uses itself, so spec.port
// may be neither: named's control channel (rndc) and the bind9-agent's NOTIFY listener. The
// same numbers as kControlPort and kAgentNotifyPort of managed/bind9_objects.h (api does not
// depend on managed; keep them equal).
inline constexpr uint16_t kBind9ControlPort = 953;
inline constexpr uint16_t kBind9AgentNotifyPort = 5300;

struct Bind9Storage {
  std::string size = "1Gi";  // a resource quantity
  // storageClassName; absent: the cluster's default class; "": none (pre-provisioned volumes).
  std::optional<std::string> storage_class;
  bool delete_on_remove = false;  // PVCs deleted with the instance (else kept)
  friend bool operator==(const Bind9Storage&, const Bind9Storage&) = default;
};

struct Bind9Instance : ObjectMeta {
  ServerRole role = ServerRole::Primary;
  int32_t replicas = 1;                     // 1 for a Primary
  std::optional<std::string> primary_name;  // spec.primaryRef.name (Secondary)
  std::optional<std::string> image;         // absent: the controller's --bind9-image
  std::string image_pull_policy = "IfNotPresent";
  uint16_t port = 53;  // DNS port of the Pods and of the Service; not 953 or 5300
  Bind9Storage storage;
  // spec.resources as given ({requests, limits}: resource name → quantity); empty: none. A
  // quantity written as a JSON integer is kept as its decimal text ("2").
  std::map<std::string, std::string> requests, limits;
  // allow-query elements, each any|none|localhost|localnets, an address or address/prefix
  // (no bit beyond the prefix), optionally after "!": safe to write into named.conf verbatim.
  std::vector<std::string> allow_query{"any"};
  std::optional<uint32_t> responses_per_second;  // spec.rateLimit.responsesPerSecond
  bool log_queries = false;
  // spec.allowedNamespaces: DNSZones of the Namespaces it matches may use the instance's
  // DNSServers (they get it as their allowedNamespaces); absent: only its own namespace.
  std::optional<LabelSelector> allowed_namespaces;
  std::string rotate_keys;  // rotate_keys_value: a Primary's keys are rotated once per value

  std::string key() const;  // "ns/name"
  friend bool operator==(const Bind9Instance&, const Bind9Instance&) = default;
};

model::Parsed<Bind9Instance> decode_bind9_instance(const boost::json::value& object);

}  // namespace zk::api
