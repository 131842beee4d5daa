// The controller's read-only views for the HTTP API: every managed zone with what zonekeeper
// should serve there (managed_zones, for /api/v1/export), the records table (record_rows, for
// /api/v1/records), and check_dns (/api/v1/test-dns), which also asks every server of the name's
// zone.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "controller/controller.h"
#include "controller/status_ledger.h"
#include "sources/zone_source.h"

namespace zk::controller {

namespace asio = boost::asio;
using model::Name;
using model::RRsetKey;
using model::RRType;

Controller::ManagedZone Controller::view_of(const api::Zone& zone) const {
  ManagedZone out;
  out.zone = zone.zone_name;
  out.source = fmt::format("DNSZone {}", zone.key());
  ZoneInputs inputs = objects_.inputs_of(zone);
  sources::ZoneDesired desired = sources::desired_zone_refs(zone, inputs.records, inputs.zones,
                                                            objects_.namespace_directory());
  out.rrsets = std::move(desired.rrsets);
  for (const auto& [rkey, o] : desired.outcomes) {
    const api::RecordObject* r = objects_.find_record(rkey);
    if (!r || o.reason != api::reasons::kPending) continue;
    if (!o.fqdn) continue;
    out.sources[{*o.fqdn, api::record_type(r->kind)}].push_back(
        {std::string(api::to_string(r->kind)), r->ns, r->name});
  }
  for (const api::Server* s : objects_.servers_of(zone)) out.servers.push_back(*s);
  return out;
}

Controller::ManagedZone Controller::view_of(const SharedZone& zone) const {
  ManagedZone out;
  out.zone = zone.name;
  out.source = "--zone";
  std::vector<std::string> ids = catalog_.sources_of(zone.name);
  sources::ZoneEndpoints ze =
      sources::endpoints_to_rrsets(zone.name, catalog_.endpoints_of(zone.name, ids),
                                   catalog_.options().default_ttl, sources::SourceOrder::AsGiven);
  out.rrsets = std::move(ze.rrsets);
  for (const auto& [key, ids_of_key] : ze.sources) {
    for (const auto& id : ids_of_key) {
      if (const SourceObject* o = catalog_.find(id)) {
        out.sources[key].push_back({o->ref.kind, o->ref.ns, o->ref.name});
      }
    }
  }
  for (const auto& skey : zone.servers) {
    auto slash = skey.find('/');
    const ServerEntry* e = objects_.server_entry(skey.substr(0, slash), skey.substr(slash + 1));
    if (e && e->server) out.servers.push_back(*e->server);
  }
  return out;
}

std::vector<Controller::ManagedZone> Controller::managed_zones() const {
  std::vector<ManagedZone> out;
  for (const auto& [ns, objs] : objects_.namespaces()) {
    for (const auto& [zname, e] : objs.zones) {
      if (e.zone && !objects_.conflicting_zone(*e.zone)) out.push_back(view_of(*e.zone));
    }
  }
  for (const Name& z : catalog_.zone_names()) {
    if (const SharedZone* s = catalog_.zone(z)) out.push_back(view_of(*s));
  }
  return out;
}

std::optional<Controller::ManagedZone> Controller::zone_of(const Name& name) const {
  // The closest enclosing zone: a DNSZone that is not in conflict, or a shared zone (a DNSZone
  // wins a tie: the sources cannot write into a zone a DNSZone owns).
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
  if (best_shared &&
      (!best_zone || best_shared->name.label_count() > best_zone->zone_name.label_count())) {
    return view_of(*best_shared);
  }
  if (best_zone) return view_of(*best_zone);
  return std::nullopt;
}

std::vector<RecordRow> Controller::record_rows() const {
  // The object's owner and description (a record object, or a source object).
  auto note_of = [this](const std::string& okey, RecordRow& r) {
    const api::RecordAnnotations* notes = nullptr;
    if (const api::RecordObject* rec = objects_.find_record(okey)) {
      notes = &*rec->notes;
    } else if (auto kind = parse_source_kind(r.source.kind)) {
      if (const SourceObject* o = catalog_.find(source_id(*kind, r.source.ns, r.source.name))) {
        notes = &*o->notes;
      }
    }
    if (notes) {
      r.owner = notes->owner;
      r.description = notes->description;
    }
  };
  std::vector<RecordRow> rows;
  std::set<std::string> listed;  // ObjectRef keys with a row
  const auto& ledger = ledger_->entries();
  for (const ManagedZone& z : managed_zones()) {
    std::vector<std::string> servers;
    for (const api::Server& s : z.servers) servers.push_back(s.key());
    for (const auto& [key, rrset] : z.rrsets) {
      RecordRow row;
      row.name = key.owner.to_string();
      row.type = model::to_string(key.type);
      row.ttl = rrset.ttl();
      row.values = sorted_values({rrset.rdatas().begin(), rrset.rdatas().end()});
      row.zone = z.zone.to_string();
      row.zone_source = z.source;
      row.servers = servers;
      auto src = z.sources.find(key);
      if (src == z.sources.end() || src->second.empty()) {
        if (key.type == RRType::SOA) continue;  // its serial is the server's: see the zones
        // The apex NS and their glue come from the DNSZone itself.
        constexpr std::string_view kFromZone = "DNSZone ";
        if (z.source.starts_with(kFromZone)) {
          std::string zkey = z.source.substr(kFromZone.size());
          auto slash = zkey.find('/');
          row.source = {std::string(api::kDNSZone), zkey.substr(0, slash), zkey.substr(slash + 1)};
          row.ready = zone_ready(zkey);
        }
        rows.push_back(std::move(row));
        continue;
      }
      for (const DnsCheckSource& o : src->second) {
        RecordRow r = row;
        r.source = o;
        std::string okey = fmt::format("{}/{}/{}", o.kind, o.ns, o.name);
        if (auto e = ledger.find(okey); e != ledger.end()) r.ready = e->second.ready();
        note_of(okey, r);
        listed.insert(std::move(okey));
        rows.push_back(std::move(r));
      }
    }
  }
  // Objects that serve nothing: invalid, in no zone, in conflict, filtered out, ...
  for (const auto& [okey, e] : ledger) {
    if (listed.contains(okey) || e.is_ready()) continue;
    auto object = parse_object_key(okey);
    if (!object) continue;  // the ledger's keys are ObjectRef::key()s
    RecordRow r;
    if (e.unserved) r.name = e.unserved->fqdn;
    if (auto k = api::parse_kind(object->kind)) r.type = model::to_string(api::record_type(*k));
    if (e.unserved) r.zone = e.unserved->zone;
    r.source = {std::string(object->kind), std::string(object->ns), std::string(object->name)};
    r.ready = e.ready();
    note_of(okey, r);
    rows.push_back(std::move(r));
  }
  return rows;
}

asio::awaitable<tl::expected<DnsCheck, std::string>> Controller::check_dns(Name name, RRType type) {
  DnsCheck out;
  out.name = name.to_string();
  out.type = model::to_string(type);
  std::optional<ManagedZone> zone = zone_of(name);  // a copy: the catalog may change meanwhile
  if (!zone) co_return tl::unexpected(fmt::format("{} is in no zone zonekeeper manages", out.name));
  out.zone = zone->zone.to_string();
  out.zone_source = zone->source;
  const RRsetKey key{name, type};
  if (auto it = zone->rrsets.find(key); it != zone->rrsets.end()) {
    out.expected = sorted_values({it->second.rdatas().begin(), it->second.rdatas().end()});
    out.ttl = it->second.ttl();
  }
  if (auto it = zone->sources.find(key); it != zone->sources.end()) out.sources = it->second;

  out.agree = !zone->servers.empty();
  for (const api::Server& server : zone->servers) {
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
