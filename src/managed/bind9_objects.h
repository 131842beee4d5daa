// What zonekeeper deploys for a Bind9Instance (docs/api.md "Bind9Instance"): the Kubernetes
// objects as JSON for server-side apply — ConfigMap (named.conf), Services, StatefulSet, the
// keys Secret of a Primary and the DNSServer objects DNSZones select — each labelled and owned
// by the instance. Pure: what the cluster must hold, from the instance and what was observed.
//
//   managed::Deployment d{.instance = i, .bind9_image = "zonekeeper-bind9:1.0", ...};
//   for (auto& o : managed::objects(d)) apply(o);   // in dependency order
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "api/bind9_instance.h"
#include "managed/key_ring.h"

namespace zk::managed {

inline constexpr std::string_view kInstanceLabel = "dns.zonekeeper.io/bind9-instance";
inline constexpr std::string_view kManagedByLabel = "app.kubernetes.io/managed-by";
inline constexpr std::string_view kCatalogZoneName = "catalog.zonekeeper.invalid";
inline constexpr uint16_t kAgentNotifyPort = 5300;
inline constexpr uint16_t kControlPort = 953;

// The annotation of a Secondary's Pods that names the keys they were started with.
inline constexpr std::string_view kKeysAnnotation = "dns.zonekeeper.io/keys";

struct Deployment {
  api::Bind9Instance instance;
  std::string bind9_image;  // default when spec.image is absent
  std::string agent_image;  // zonekeeper's own image: the agent beside a Primary's named
  // This instance's Service cluster IP, once the API server gave it one ("" before).
  std::string service_address;
  // Secondary: its Primary instance (its name, its Service's cluster IP, its DNS port).
  std::string primary_name;
  std::string primary_address;
  uint16_t primary_port = 53;
  // Secondary: the IP of each Pod that has one (ordinal → IP), for its DNSServer.
  std::map<int, std::string> pod_ips;
  // Secondary: the TSIG keys it runs with (published_key_names of its Primary's status): it
  // transfers with the first and, started with them, accepts them all. Empty: generation 0's
  // key alone.
  std::vector<std::string> key_names;
};

// Names of what an instance owns.
std::string keys_secret_name(const std::string& primary_instance);  // "<primary>-keys"
std::string config_map_name(const std::string& instance);           // "<name>-config"
std::string headless_service_name(const std::string& instance);     // "<name>-pods"

// The labels every object of the instance carries, and the Pods' selector (a subset: stable).
boost::json::object instance_labels(const api::Bind9Instance& instance);
boost::json::object pod_selector(const api::Bind9Instance& instance);

// A label selector as metav1.LabelSelector JSON (matchLabels, matchExpressions), to pass an
// instance's or cluster's allowedNamespaces on to the objects it makes.
boost::json::object label_selector_json(const api::LabelSelector& selector);

// named.conf for the instance (managed::named_conf with its settings).
std::string instance_named_conf(const Deployment& d);

// Each object, complete for server-side apply (apiVersion, kind, metadata with labels and the
// owner reference, spec/data).
boost::json::object config_map(const Deployment& d);
boost::json::object service(const Deployment& d);
boost::json::object headless_service(const Deployment& d);
boost::json::object stateful_set(const Deployment& d);
// The annotations of the instance's Pod template: the hash of named.conf (a new configuration
// rolls the Pods: named reads it only at start) and, for a Secondary, kKeysAnnotation (a
// Secondary reads its keys only at start; a Primary's agent has named re-read them in place).
boost::json::object pod_annotations(const Deployment& d);
// Primary only: the keys Secret holding `ring` (managed/key_ring): its text (`keys`), the key
// files named includes (`tsig.conf`, `rndc.conf`: every accepted key, the signing one first;
// `access.conf`: managed::key_access) and the signing TSIG key as a DNSServer's Secret has it
// (`name`, `algorithm`, `secret`).
boost::json::object keys_secret(const Deployment& d, const KeyRing& ring);
// The DNSServer objects (name → object): a Primary's once its Service has an address; a
// Secondary's one per Pod with an IP.
std::map<std::string, boost::json::object> dns_servers(const Deployment& d);

}  // namespace zk::managed
