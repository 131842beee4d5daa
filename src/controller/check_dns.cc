// Controller::check_dns: finds the zone of a name (DNSZones and the sources' shared zones),
// what zonekeeper should serve there and from which objects, and asks every server of the zone.
#include <algorithm>

#include <fmt/format.h>

#include "controller/controller.h"
#include "sources/zone_source.h"

namespace zk::controller {

namespace asio = boost::asio;
using model::Name;
using model::RRsetKey;
using model::RRType;

asio::awaitable<tl::expected<DnsCheck, std::string>> Controller::check_dns(Name name, RRType type) {
  DnsCheck out;
  out.name = name.to_string();
  out.type = model::to_string(type);
  const RRsetKey key{name, type};

  // The closest enclosing zone: a DNSZone that is not in conflict, or a shared zone.
  const api::Zone* best_zone = nullptr;
  for (const auto& [ns, objs] : objects_.namespaces()) {
    for (const auto& [zname, e] : objs.zones) {
      if (!e.zone || !name.is_subdomain_of(e.zone->zone_name)) continue;
      if (objects_.conflicting_zone(*e.zone)) continue;
      if (!best_zone || e.zone->zone_name.label_count() > best_zone->zone_name.label_count()) {
        best_zone = &*e.zone;
      }
    }
  }
  const SharedZone* best_shared = nullptr;
  for (const Name& z : catalog_.zone_names()) {
    if (!name.is_subdomain_of(z)) continue;
    if (!best_shared || z.label_count() > best_shared->name.label_count()) {
      best_shared = catalog_.zone(z);
    }
  }
  if (best_shared && best_zone &&
      best_zone->zone_name.label_count() >= best_shared->name.label_count()) {
    best_shared = nullptr;
  }

  std::vector<api::Server> servers;  // copies: the catalog may change while we ask
  std::vector<model::Rdata> want;
  if (best_shared) {
    out.zone = best_shared->name.to_string();
    out.zone_source = "--zone";
    std::vector<std::string> ids = catalog_.sources_of(best_shared->name);
    sources::ZoneEndpoints ze = sources::endpoints_to_rrsets(
        best_shared->name, catalog_.endpoints_of(best_shared->name, ids),
        catalog_.options().default_ttl, sources::SourceOrder::AsGiven);
    if (auto it = ze.rrsets.find(key); it != ze.rrsets.end()) {
      want.assign(it->second.rdatas().begin(), it->second.rdatas().end());
      out.ttl = it->second.ttl();
      for (const auto& id : ze.sources[key]) {
        if (const SourceObject* o = catalog_.find(id)) {
          out.sources.push_back({o->ref.kind, o->ref.ns, o->ref.name});
        }
      }
    }
    for (const auto& skey : best_shared->servers) {
      auto slash = skey.find('/');
      const ServerEntry* e = objects_.server_entry(skey.substr(0, slash), skey.substr(slash + 1));
      if (e && e->server) servers.push_back(*e->server);
    }
  } else if (best_zone) {
    out.zone = best_zone->zone_name.to_string();
    out.zone_source = fmt::format("DNSZone {}", best_zone->key());
    const NamespaceObjects* objs = objects_.objects_in(best_zone->ns);
    std::vector<const api::RecordObject*> recs;
    for (const auto& [k, r] : objs->records) recs.push_back(&r);
    sources::ZoneDesired desired =
        sources::desired_zone_refs(*best_zone, recs, objects_.zones_in(best_zone->ns));
    if (auto it = desired.rrsets.find(key); it != desired.rrsets.end()) {
      want.assign(it->second.rdatas().begin(), it->second.rdatas().end());
      out.ttl = it->second.ttl();
    }
    const std::string fqdn = name.to_string();
    for (const auto& [rkey, o] : desired.outcomes) {
      auto r = objs->records.find(rkey);
      if (o.fqdn != fqdn || r == objs->records.end() || api::record_type(r->second.kind) != type) {
        continue;
      }
      if (o.reason != api::reasons::kPending) continue;  // not part of what is served
      out.sources.push_back(
          {std::string(api::to_string(r->second.kind)), r->second.ns, r->second.name});
    }
    for (const api::Server* s : objects_.servers_of(*best_zone)) servers.push_back(*s);
  } else {
    co_return tl::unexpected(fmt::format("{} is in no zone zonekeeper manages", out.name));
  }
  out.expected = sorted_values(want);

  out.agree = !servers.empty();
  for (const api::Server& server : servers) {
    DnsCheckServer s;
    s.server = server.key();
    s.role = server.role == api::ServerRole::Primary ? "Primary" : "Secondary";
    std::string problem, reason;
    std::shared_ptr<providers::Provider> p = provider_for(server, &problem, &reason);
    if (!p) {
      s.error = fmt::format("{}: {}", reason, problem);
    } else {
      s.endpoint = p->endpoint();
      auto a = co_await p->lookup(name, type);
      if (a) {
        judge(s, out.expected, *a);
      } else {
        s.error = fmt::format("{}: {}", a.error().reason, a.error().message);
      }
    }
    out.agree = out.agree && s.agrees;
    out.servers.push_back(std::move(s));
  }
  co_return out;
}

}  // namespace zk::controller
