// DNSServer: a BIND 9 server that already exists (spec.external), Primary or Secondary.
//
//   auto server = decode_server(object->parse());
//   if (server->role == ServerRole::Primary) load_tsig(*server->tsig_secret_name);
//   serves(zone, *server);    // zone.spec.servers names it or selects it
//
// Decoding checks what the CRD's CEL rules check (so local mode, without an API server,
// refuses the same objects): a Primary has a TSIG Secret reference and no primary; a
// Secondary names its primary (not itself); port 1..65535; timeoutSeconds 1..300; the
// address is an IP address or a host name. A later `managed` alternative to `external` will
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

struct Server : ObjectMeta {
  ServerRole role = ServerRole::Primary;
  std::string address;  // spec.external.address: IP address or host name
  uint16_t port = 53;
  std::optional<std::string> tsig_secret_name;     // spec.tsigKeySecretRef.name
  std::optional<std::string> primary_server_name;  // spec.primaryServerRef.name
  uint32_t timeout_seconds = 5;

  std::string key() const;  // "ns/name"
};

model::Parsed<Server> decode_server(const boost::json::value& object);

// The zone's spec.servers names the server (refs) or selects it (selector), same namespace.
bool serves(const Zone& zone, const Server& server);

}  // namespace zk::api
