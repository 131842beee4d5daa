// The configuration zonekeeper gives the BIND 9 servers it runs: named.conf for a Primary and
// for a Secondary, the options of each member zone it adds to a Primary at run time (`rndc
// addzone`), which keys it accepts, and the first content of such a zone's file. Text only: the
// keys' secrets are never in it (named.conf includes the key files that the keys Secret is
// mounted as). No statement but the included ones names a key, so a key rotation changes no
// named.conf and no zone's options: the zones take updates and transfers from the ACL
// kKeysAcl, which the included access file defines.
//
//   managed::ServerSettings s{.role = managed::Role::Primary, .tsig_key_name = "zk-dns"};
//   std::string conf = managed::named_conf(s);
//   std::string body = managed::member_zone_options(zone);  // "{ type primary; … }"
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/name.h"

namespace zk::managed {

enum class Role { Primary, Secondary };

// Where things are inside the server's container.
struct ServerPaths {
  std::string directory = "/var/cache/bind";  // the volume: catalog, zones/, NZD, journals
  std::string tsig_key_file = "/etc/bind/keys/tsig.conf";  // key "NAME" { algorithm; secret; };
  std::string rndc_key_file = "/etc/bind/keys/rndc.conf";
  // The keys named accepts (key_access: the ACL kKeysAcl and the `controls` statement),
  // included after the key files. Empty: named.conf defines them itself for tsig_key_name and
  // rndc_key_name (one key each).
  std::string access_file;
};

struct ServerSettings {
  Role role = Role::Primary;
  uint16_t port = 53;  // DNS, UDP and TCP
  // `listen-on` / `listen-on-v6` address match lists ("any" in a Pod; tests: 127.0.0.1, none).
  std::string listen_on = "any";
  std::string listen_on_v6 = "any";
  uint16_t control_port = 953;  // rndc, key-authenticated
  // The control channel also on every address (still only with the rndc key): for the
  // controller's health probe. false: 127.0.0.1 only (the agent beside named).
  bool control_on_every_address = true;
  // The TSIG key a Secondary transfers from its Primary with (and, without an access file, the
  // one key of kKeysAcl); the rndc key (without an access file, the one `controls` takes).
  std::string tsig_key_name;
  std::string rndc_key_name = "rndc-key";
  // `allow-query` elements, written as given (validated before: CIDRs, any, none, localhost,
  // localnets).
  std::vector<std::string> allow_query{"any"};
  std::optional<uint32_t> responses_per_second;  // response rate limiting (RRL), per client
  bool log_queries = false;
  // Primary: where named NOTIFYs changes of the catalog zone (the agent's listener).
  uint16_t agent_notify_port = 5300;
  // Secondary: the Primary's addresses (BIND takes addresses, not host names) and DNS port.
  std::vector<std::string> primary_addresses;
  uint16_t primary_port = 53;
  ServerPaths paths;
};

// The ACL of the TSIG keys a server accepts: updates (catalog and member zones) and transfers.
inline constexpr std::string_view kKeysAcl = "zonekeeper-keys";

// The statements that say which keys named accepts: `acl kKeysAcl { key …; }` over
// `tsig_keys` and the `controls` channel (settings' control_port and control_on_every_address)
// over `rndc_keys`. The keys themselves are in the key files.
std::string key_access(const std::vector<std::string>& tsig_keys,
                       const std::vector<std::string>& rndc_keys, const ServerSettings& settings);

// The file in the server's directory that holds the `dnssec-policy` statements of the signed
// member zones (written by the agent; a Primary's named.conf includes it, so it must exist:
// seed_bind9_directory makes it empty).
inline constexpr std::string_view kDnssecPoliciesFile = "dnssec-policies.conf";

// named.conf for the server. A Primary serves the catalog zone (dynamic, writable only with
// the TSIG key) and accepts new zones at run time; a Secondary consumes the catalog.
std::string named_conf(const ServerSettings& settings);

// The file (relative to the server's directory) of a member zone on a Primary:
// "zones/example.test.db". Only for names whose labels are letters, digits, '-' and '_'
// (what a DNSZone's zoneName allows); nullopt for any other name.
std::optional<std::string> member_zone_file(const model::Name& zone);

// The `{ … }` block of `rndc addzone ZONE { … }` for a member zone on a Primary: dynamic
// (allow-update for kKeysAcl only), transfers only with those keys, no NOTIFY of its own
// (zonekeeper NOTIFYs the Secondaries after each change). Requires member_zone_file(zone).
// `dnssec_policy` (a policy of kDnssecPoliciesFile, or "insecure"; empty: none): named signs
// the zone itself as a dynamic zone (`inline-signing no`: one zone, one serial; written out
// because 9.20 changes the default).
std::string member_zone_options(const model::Name& zone, std::string_view dnssec_policy = {});

// A member zone's first content: SOA and NS under `invalid.` (the DNSZone's soaRecord and
// nameServers replace them) and `serial`. Names are relative, so it fits any zone.
std::string initial_zone_file(uint32_t serial);

// The catalog zone's first content (SOA, NS invalid., version "2").
std::string initial_catalog_file(uint32_t serial);

}  // namespace zk::managed
