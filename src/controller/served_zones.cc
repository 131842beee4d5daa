// Controller::unserved_zones: of the zones a DNSServer should serve, those it does not answer
// for now (each asked for its SOA), for a managed Pod's ZoneLoadFailed (app/bind9_instances).
#include <set>

#include <fmt/format.h>

#include "controller/controller.h"

namespace zk::controller {

namespace asio = boost::asio;
using model::Name;

asio::awaitable<std::optional<managed::ServedZones>> Controller::unserved_zones(std::string ns,
                                                                                std::string name) {
  const ServerEntry* e = objects_.server_entry(ns, name);
  if (!e || !e->server) co_return std::nullopt;
  const api::Server server = *e->server;  // a copy: the catalog may change meanwhile
  std::set<Name> zones;
  for (const auto& z : objects_.zones_of(server)) {
    if (z.zone && !objects_.conflicting_zone(*z.zone)) zones.insert(z.zone->zone_name);
  }
  std::string problem, reason;
  std::shared_ptr<providers::Provider> p = provider_for(server, &problem, &reason);
  if (!p) co_return std::nullopt;
  managed::ServedZones out;
  out.asked = zones.size();
  for (const Name& zone : zones) {
    auto serial = co_await p->soa_serial(zone);
    if (serial) continue;
    const providers::Failure& f = serial.error();
    const std::string why = f.server_reason == api::reasons::kServerFailure   ? "SERVFAIL"
                            : f.server_reason == api::reasons::kServerRefused ? "REFUSED"
                            : f.answers                                       ? "NOTAUTH"
                                                                              : "";
    // No answer at all, or not to our key: the server's own trouble (its DNSServer's status
    // says so), not a zone it failed to load.
    if (why.empty()) co_return std::nullopt;
    out.failing.push_back({zone.to_string(), why});
  }
  co_return out;
}

}  // namespace zk::controller
