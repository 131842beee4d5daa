// A DNSServer's catalog zone (spec.catalogZone, RFC 9432): the zones it serves, as members, so
// that its catalog consumers create and delete them (docs/api.md "Catalog zones").
#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/reasons.h"
#include "controller/controller.h"
#include "controller/converge.h"
#include "managed/catalog.h"
#include "managed/dnssec.h"
#include "plan/zone_plan.h"

namespace zk::controller {

namespace asio = boost::asio;
using model::Name;

asio::awaitable<std::optional<std::string>> Controller::keep_catalog(const api::Server& server,
                                                                     providers::Provider& provider,
                                                                     std::shared_ptr<bool> alive) {
  const Name& catalog = *server.catalog_zone;
  const NamespaceObjects* objs = objects_.objects_in(server.ns);
  std::set<Name> members;
  std::map<Name, std::string> dnssec_policies;  // the agent signs these (managed/dnssec.h)
  // A DNSZone whose spec does not decode names no zone: while one exists where the server's
  // zones may come from, members are added but none removed (a typo must not delete a zone
  // with all its data).
  bool keep_unknown = false;
  for (const auto& z : objects_.zones_of(server)) {
    if (!z.zone) {
      keep_unknown = true;
    } else {
      members.insert(z.zone->zone_name);
      if (z.zone->dnssec) {
        dnssec_policies.emplace(z.zone->zone_name, managed::policy_text(*z.zone->dnssec));
      }
    }
  }
  const std::string key = server.key();
  for (const SharedZone& z : options_.sources.zones) {
    if (std::find(z.servers.begin(), z.servers.end(), key) != z.servers.end()) {
      members.insert(z.name);
    }
  }
  const model::RRsetMap want = managed::catalog_records(catalog, members, dnssec_policies);
  std::vector<telemetry::LogField> fields{
      {"zone", catalog.to_string()}, {"object", "DNSServer/" + key}, {"server", key}};
  // Named before the co_await, not temporaries in its call (GCC 12 destroys those twice).
  const ConvergeOptions how{.check_first = true, .dry_run = options_.dry_run};
  const Planner planner = [&](const providers::ServedZone& served) {
    model::RRsetMap desired = want;
    if (keep_unknown) {
      std::set<Name> known;  // the member owners of the zones that do decode
      for (const Name& zone : members) known.insert(managed::member_owner(catalog, zone));
      for (const auto& [k, rrset] : served.rrsets) {
        // With the members' properties: an unknown zone's DNSSEC is left as it is too (but
        // a known member's properties are what its DNSZone says).
        if ((k.type == model::RRType::PTR && managed::is_member_owner(catalog, k.owner)) ||
            (managed::is_member_property(catalog, k.owner) &&
             !known.contains(k.owner.parent().parent()))) {
          desired.emplace(k, rrset);
        }
      }
    }
    plan::ZoneOwnership own;
    own.remove_undeclared = true;  // the catalog is zonekeeper's alone
    plan::ZonePlan zp = plan::plan_zone(catalog, desired, served.rrsets, own);
    return plan::Plan{std::move(zp.changes), std::move(zp.diff), std::move(zp.notes)};
  };
  ConvergeStep step = co_await converge(provider, catalog, how, fields, planner, alive);
  if (step.abandoned || !*alive) co_return std::nullopt;
  if (step.failure) {
    co_return fmt::format("catalog zone {}: {}", catalog.to_string(), step.failure->message);
  }
  if (!step.outcome.refused.empty()) {
    co_return fmt::format("catalog zone {}: {} change(s) refused: {}", catalog.to_string(),
                          step.outcome.refused.size(), step.outcome.refused.front().message);
  }
  if (step.applied.changes.empty()) co_return std::nullopt;
  // The consumers among the DNSServers: the Secondaries of this Primary learn at once.
  std::vector<api::Server> secondaries;
  if (objs) {
    for (const auto& [name, e] : objs->servers) {
      if (e.server && e.server->role == api::ServerRole::Secondary &&
          e.server->primary_server_name == server.name) {
        secondaries.push_back(*e.server);
      }
    }
  }
  for (const api::Server& s : secondaries) {
    std::string problem, reason;
    std::shared_ptr<providers::Provider> p = provider_for(s, &problem, &reason);
    if (!p) continue;
    auto n = co_await p->notify(catalog, std::nullopt);
    if (!*alive) co_return std::nullopt;
    if (!n)
      spdlog::debug("NOTIFY of {} to {}: {}", catalog.to_string(), s.key(), n.error().message);
  }
  // Members the catalog gained: zones the server creates now. A copy we hold of one is stale —
  // after a lost volume it still lists the records the new, empty zone lacks, and the zone
  // would look served until the next drift check. Dropped, and the zone reconciled in full.
  std::set<Name> gained;
  for (const model::Change& c : step.applied.changes) {
    if (c.rrset.key().type == model::RRType::PTR &&
        managed::is_member_owner(catalog, c.rrset.key().owner) &&
        (c.op == model::Change::Op::Replace || c.op == model::Change::Op::Add)) {
      gained.insert(c.rrset.key().owner);
    }
  }
  // Zones that wait for their zone to appear (not healthy: ZoneNotFound) are retried soon
  // rather than at their backoff: the consumers need a moment to create it.
  for (const auto& z : objects_.zones_of(server)) {
    if (!z.zone) continue;
    const WorkItem item = WorkItem::zone(z.ns, z.name, false);
    if (gained.contains(managed::member_owner(catalog, z.zone->zone_name)) &&
        provider.served(z.zone->zone_name)) {
      provider.forget(z.zone->zone_name);
      resync(item.object_key());
    } else if (!zone_healthy(item.object_key())) {
      queue_.add_after(item.key(), std::chrono::milliseconds(200));
    }
  }
  co_return std::nullopt;
}

}  // namespace zk::controller
