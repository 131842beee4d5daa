// DNSServer: a BIND 9 server that already exists (spec.external), Primary or Secondary, or a
// Technitium DNS Server written through its HTTP API (spec.external.technitium, Primary).
//
//   auto server = decode_server(object->parse());
//   if (server->role == ServerRole::Primary) load_tsig(*server->tsig_secret_name);
//   serves(zone, *server);    // zone.spec.servers names it or selects it
//
// Decoding checks what the CRD's CEL rules check (so local mode, without an API server,
// refuses the same objects): a Primary has a TSIG Secret reference and no primary; a
// Secondary names its primary (not itself); port 1..65535; timeoutSeconds 1..300; the
// address is an IP address or a host name; a Technitium server is a Primary with an http(s)
// URL and a credentials Secret, and no TSIG key. A later `managed` alternative to `external` will
// be a new optional field, so v1alpha1 objects keep decoding unchanged.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <boost/json/value.hpp>

#include "api/object_meta.h"
#include "api/zone.h"
#include "model/error.h"

namespace zk::api {

enum class ServerRole { Primary, Secondary };
std::string_view to_string(ServerRole r);

// spec.external.technitium.
struct TechnitiumEndpoint {
  std::string url;
  std::string credentials_secret_name;  // .credentialsSecretRef.name
  std::string ca_bundle;                // PEM, may be empty
  bool insecure_skip_tls_verify = false;
  uint32_t requests_per_second = 10;  // 0: no limit
  bool create_zones = false;
  bool operator==(const TechnitiumEndpoint&) const = default;
};

struct Server : ObjectMeta {
  ServerRole role = ServerRole::Primary;
  std::string address;  // spec.external.address: IP address or host name
  uint16_t port = 53;
  std::optional<std::string> tsig_secret_name;     // spec.tsigKeySecretRef.name
  std::optional<std::string> primary_server_name;  // spec.primaryServerRef.name
  uint32_t timeout_seconds = 5;
  std::optional<TechnitiumEndpoint> technitium;
  // spec.catalogZone: the zones this (Primary) server serves are kept as members of this
  // catalog zone (RFC 9432) on it, so that its catalog consumers create and delete them.
  std::optional<model::Name> catalog_zone;
  // spec.allowedNamespaces: DNSZones of the Namespaces it matches (by their labels) may pick
  // this server with spec.servers.namespace; absent: only DNSZones of its own namespace.
  std::optional<LabelSelector> allowed_namespaces;

  std::string key() const;  // "ns/name"
  // May a DNSZone of namespace `ns` (whose Namespace has `labels`) use this server? Its own
  // namespace always; another when allowedNamespaces matches the labels.
  bool admits_zones_from(std::string_view ns, const Labels& labels) const;
  // The Secret it reads (TSIG key, or Technitium credentials), if any.
  std::optional<std::string> secret_name() const;
};

model::Parsed<Server> decode_server(const boost::json::value& object);

// The zone's spec.servers names the server (refs) or selects it (selector), in the namespace
// spec.servers picks (Zone::servers_ns). Whether the server admits the zone's namespace is
// Server::admits_zones_from's to say.
bool serves(const Zone& zone, const Server& server);

}  // namespace zk::api
