// DNSZone: the zone, its SOA fields, apex name servers (with glue), which records belong to
// it and which servers serve it.
//
//   auto zone = decode_zone(object->parse());
//   if (!zone) status = {kInvalidSpec, zone.error()};   // "spec.nameServers[0].ipv4Address: ..."
//   zone->selects(record, &ns_labels);  // some recordsFrom entry matches record and namespace
//   serves(*zone, server);      // the server is in spec.servers (refs ∪ selector)
//
// Everything DNS needs is validated at decode time, so a decoded Zone always yields a valid
// apex: zoneName (trailing dot optional) is a valid name; primaryNs and nameServers[].name
// are host names relative to the zone unless they end with a dot; adminEmail
// "hostmaster@example.test" becomes the RNAME hostmaster.example.test. (dots in the local
// part are escaped; a value without '@' is taken as an RNAME in DNS form); glue addresses
// are valid and only given for names inside the zone; no name server is listed twice.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "api/label_selector.h"
#include "api/object_meta.h"
#include "model/error.h"
#include "model/name.h"

namespace zk::api {

struct Soa {
  model::Name primary_ns;     // MNAME
  model::Name admin_mailbox;  // RNAME
  uint32_t refresh = 3600;
  uint32_t retry = 600;
  uint32_t expire = 604800;
  uint32_t negative_ttl = 300;  // MINIMUM (RFC 2308)
  friend bool operator==(const Soa&, const Soa&) = default;
};

struct ZoneNameServer {
  model::Name name;
  std::optional<std::string> ipv4_address;  // glue, validated, only inside the zone
  std::optional<std::string> ipv6_address;
  friend bool operator==(const ZoneNameServer&, const ZoneNameServer&) = default;
};

// One spec.recordsFrom entry: records whose labels match `selector`, in this DNSZone's namespace
// or — with a namespaceSelector — in the namespaces whose labels match it (whether those records
// are admitted is the zone Namespace's say: api/namespace_admission.h).
struct RecordsFrom {
  LabelSelector selector;
  std::optional<LabelSelector> namespace_selector;  // absent: this DNSZone's namespace only
  friend bool operator==(const RecordsFrom&, const RecordsFrom&) = default;
};

// spec.dnssec: the zone is signed on its managed Primaries by BIND's dnssec-policy (docs/api.md
// "DNSSEC"). One algorithm for every key (DNSSEC algorithm numbers: RSASHA256 8,
// ECDSAP256SHA256 13, ECDSAP384SHA384 14, ED25519 15, ED448 16). Both lifetimes unlimited: one
// combined signing key (CSK); otherwise a KSK and a ZSK, rolled by named at their lifetimes.
struct Dnssec {
  uint8_t algorithm = 13;
  std::optional<uint64_t> ksk_lifetime;  // seconds, >= 30 days; nullopt: unlimited
  std::optional<uint64_t> zsk_lifetime;
  bool nsec3 = false;  // denial of existence: NSEC3 (iterations 0, no salt, no opt-out) or NSEC
  // spec.dnssec.dsConfigMap: the ConfigMap of the zone's namespace that also holds the DS
  // records (an object name); "": none.
  std::string ds_config_map;
  friend bool operator==(const Dnssec&, const Dnssec&) = default;
};

// "ECDSAP256SHA256" → 13; nullopt for a name not in the list above.
std::optional<uint8_t> dnssec_algorithm(std::string_view mnemonic);
std::string_view dnssec_algorithm_name(uint8_t algorithm);  // "" when not in the list
// "unlimited" → nullopt-in-optional; an ISO 8601 duration ("P1Y", "P90D", "PT720H", "P1Y2M";
// Y = 365 days, M = 30 days, W = 7 days) of at least 30 days (named's minimum) and at most 100
// years → its seconds; an error otherwise.
model::Parsed<std::optional<uint64_t>> parse_key_lifetime(std::string_view text);

enum class DriftPolicy { Remediate, Report };
std::string_view to_string(DriftPolicy p);

struct Zone : ObjectMeta {
  model::Name zone_name;                     // absolute
  uint32_t ttl = 300;                        // default TTL of its records
  std::optional<Soa> soa;                    // absent: the server's SOA is left alone
  std::vector<ZoneNameServer> name_servers;  // empty: the server's apex NS are left alone
  std::vector<RecordsFrom> records_from;     // empty: selects no record
  std::vector<std::string> server_refs;      // spec.servers.refs[].name
  LabelSelector server_selector = LabelSelector::nothing();  // spec.servers.selector
  // spec.servers.namespace: the namespace of the DNSServers refs and selector pick (absent: the
  // zone's own). A DNSServer of another namespace serves the zone only when its
  // allowedNamespaces admits the zone's namespace (Server::admits_zones_from).
  std::optional<std::string> servers_namespace;
  DriftPolicy drift_policy = DriftPolicy::Remediate;
  std::optional<Dnssec> dnssec;  // spec.dnssec; absent: unsigned

  // "ns/name".
  std::string key() const;
  friend bool operator==(const Zone&, const Zone&) = default;
  // Some recordsFrom entry matches the record's labels and its namespace (this zone's own for
  // an entry without namespaceSelector). `namespace_labels`: the labels of the record's
  // Namespace; nullptr when not known (taken as no labels).
  bool selects(const ObjectMeta& record, const Labels* namespace_labels = nullptr) const;
  // Some entry's namespaceSelector matches a Namespace with these labels.
  bool reaches(std::string_view ns, const Labels* namespace_labels) const;
  // Some entry has a namespaceSelector.
  bool reaches_other_namespaces() const;
  // The namespace whose DNSServers spec.servers picks: servers_namespace or its own.
  const std::string& servers_ns() const { return servers_namespace ? *servers_namespace : ns; }
};

model::Parsed<Zone> decode_zone(const boost::json::value& object);

}  // namespace zk::api
