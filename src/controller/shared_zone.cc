// The shared zones (--zone): Ingress, IngressRoute, HTTPRoute and DNSEndpoint endpoints written
// into zones others write too, owned through the external-dns TXT registry (plan_owned).
// Part of Controller; see controller.h and docs/architecture.md "Sources and shared zones".
#include <algorithm>
#include <optional>
#include <tuple>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/use_awaitable.hpp>

#include "api/reasons.h"
#include "controller/controller.h"
#include "controller/converge.h"
#include "controller/status_ledger.h"
#include "plan/owned_plan.h"
#include "providers/hosts_file_provider.h"
#include "providers/provider.h"
#include "telemetry/logging.h"
#include "telemetry/metrics.h"

namespace zk::controller {

namespace asio = boost::asio;
namespace json = boost::json;
using model::Name;
using model::RRsetKey;

struct Controller::SharedRuntime {
  // Per source id: the catalog version the outcomes describe, and the outcomes in this zone.
  std::map<std::string, std::pair<uint64_t, std::vector<EndpointOutcome>>> outcomes;
  std::set<std::string> synced;  // ids whose data the last reconcile changed on the servers
  // Per DNSEndpoint id: what each server made of its data here (status.providerStatus).
  std::map<std::string, std::vector<ProviderResult>> providers;
  std::string failure;  // the last zone-wide failure logged (logged once per change)
};

namespace {

std::string type_text(model::RRType t) {
  return std::string(model::to_string(t));
}

// The backend name of --hosts-file in providerStatus and logs.
constexpr std::string_view kHostsFileServer = "hosts-file";

// One server's part of a shared zone's reconcile.
struct ServerRun {
  std::string server;          // "namespace/name"
  std::string state, message;  // a failure of the whole server ("" state: it converged)
  std::optional<uint32_t> serial;
  std::map<RRsetKey, std::pair<std::string, std::string>> failed;  // key: state, message
  std::set<RRsetKey> applied;  // desired keys it acknowledged a change of just now
};

// What each server made of one object's keys in this zone.
std::vector<ProviderResult> provider_results(const std::vector<ServerRun>& runs,
                                             const std::string& zone,
                                             const std::vector<RRsetKey>& keys) {
  std::vector<ProviderResult> out;
  for (const auto& run : runs) {
    ProviderResult r{run.server, zone, std::string(kProgrammed), "", run.serial, false};
    if (!run.state.empty()) {
      r.result = run.state;
      r.message = run.message;
    }
    for (const auto& k : keys) {
      if (r.result != kProgrammed) break;
      if (auto f = run.failed.find(k); f != run.failed.end()) {
        std::string name = k.owner.to_string();
        if (!name.empty() && name.back() == '.') name.pop_back();
        r.result = f->second.first;
        r.message = fmt::format("{} {}: {}", name, type_text(k.type), f->second.second);
      }
    }
    for (const auto& k : keys) r.synced = r.synced || run.applied.count(k) > 0;
    r.synced = r.synced && r.result == kProgrammed;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

// ------------------------------------------------------------------ catalog

void Controller::enqueue_shared(const std::set<Name>& zones) {
  for (const auto& z : zones) enqueue(WorkItem::shared_zone(z));
}

void Controller::put_source(SourceKind kind, const json::value& object) {
  if (!catalog_.enabled()) return;
  auto meta = api::decode_meta(object);
  if (!meta) return;
  std::string id = source_id(kind, meta->ns, meta->name);
  const SourceObject* before = catalog_.find(id);
  int64_t old_generation = before ? before->ref.generation : -1;
  auto zones = catalog_.put(kind, object);
  enqueue_shared(zones);
  const SourceObject* now = catalog_.find(id);
  if (!now) return;
  // Created while we lead: its first Programmed verdict is told even when nothing had to be
  // written (an older object already serves the same data).
  if (running_ && !before) fresh_.insert(id);
  // Objects in no zone are reported now; the others after their zones' reconciles. A new
  // generation with the same data still needs its observedGeneration written.
  if (running_ &&
      (now->by_zone.empty() || (zones.empty() && old_generation != now->ref.generation))) {
    report_source(id);
  }
}

void Controller::remove_source(SourceKind kind, std::string_view ns, std::string_view name) {
  std::string id = source_id(kind, ns, name);
  if (const SourceObject* o = catalog_.find(id)) sink_.forget(o->ref);
  enqueue_shared(catalog_.remove(kind, ns, name));
  reported_.erase(id);
  fresh_.erase(id);
  set_source_counts(id, {});
  for (auto& [z, rt] : shared_rt_) {
    rt->outcomes.erase(id);
    rt->synced.erase(id);
  }
  report_source_metrics();
}

void Controller::put_route_parent(RouteParent kind, const json::value& object) {
  if (!catalog_.enabled()) return;
  enqueue_shared(catalog_.put_route_parent(kind, object));
  report_zoneless_routes();
}
void Controller::remove_route_parent(RouteParent kind, std::string_view ns, std::string_view name) {
  if (!catalog_.enabled()) return;
  enqueue_shared(catalog_.remove_route_parent(kind, ns, name));
  report_zoneless_routes();
}
void Controller::report_zoneless_routes() {
  if (!running_) return;
  for (const auto& [id, o] : catalog_.objects()) {
    const bool route = o.kind == SourceKind::HTTPRoute || o.kind == SourceKind::GRPCRoute ||
                       o.kind == SourceKind::TLSRoute;
    if (route && o.by_zone.empty()) report_source(id);  // repeats nothing already told
  }
}
void Controller::report_previews() {
  std::set<std::string> active;
  for (const auto& [ns, p] : catalog_.previews()) {
    if (p.active()) active.insert(ns);
  }
  metrics_.set_preview_environments(active);
}

// ------------------------------------------------------------------ reporting

void Controller::report_source(const std::string& id) {
  const SourceObject* obj = catalog_.find(id);
  if (!obj || !owns_sources()) return;
  std::vector<EndpointOutcome> outcomes;
  std::vector<ProviderResult> providers;
  bool synced = false;
  for (const auto& [zone, eps] : obj->by_zone) {
    auto rt = shared_rt_.find(zone);
    if (rt == shared_rt_.end()) return;  // not reconciled yet: say nothing before we know
    auto it = rt->second->outcomes.find(id);
    if (it == rt->second->outcomes.end() || it->second.first != obj->version) return;
    outcomes.insert(outcomes.end(), it->second.second.begin(), it->second.second.end());
    if (auto p = rt->second->providers.find(id); p != rt->second->providers.end()) {
      providers.insert(providers.end(), p->second.begin(), p->second.end());
    }
  }
  auto verdict = source_verdict(*obj, outcomes);
  if (!verdict) {
    ledger_->drop(obj->ref);
    reported_.erase(id);
    set_source_counts(id, {});
    report_source_metrics();
    return;
  }
  set_source_counts(id, verdict->counts);
  report_source_metrics();
  ledger_->note_ready(obj->ref, verdict->ready);
  if (!verdict->report) {
    reported_.erase(id);
    return;
  }
  // lastSyncTime: the servers acknowledged a change of this object's data just now.
  // Consumed here: another zone's later reconcile must not count it again.
  for (const auto& [zone, eps] : obj->by_zone) {
    synced = shared_rt_[zone]->synced.erase(id) || synced;
  }
  if (obj->kind == SourceKind::DNSEndpoint) {
    std::sort(providers.begin(), providers.end(), [](const auto& a, const auto& b) {
      return std::tie(a.zone, a.server) < std::tie(b.zone, b.server);
    });
    // The sink writes only changes.
    sink_.endpoint_status({obj->ref, verdict->ready, synced, std::move(providers)});
    for (const auto& [zone, eps] : obj->by_zone) {  // consumed, like `synced`
      if (auto p = shared_rt_[zone]->providers.find(id); p != shared_rt_[zone]->providers.end()) {
        for (auto& r : p->second) r.synced = false;
      }
    }
  }
  // Events: a problem once per change of the verdict (and once after a controller restart);
  // "Programmed" only when its data was written now, the object is new, or a problem went
  // away — a restart that finds everything in place records nothing.
  std::string key = verdict->ready.reason + "|" + verdict->ready.message;
  std::string& last = reported_[id];
  bool fresh = fresh_.erase(id) > 0;
  bool tell = verdict->warning ? last != key : (synced || fresh || (!last.empty() && last != key));
  last = key;
  if (!tell) return;
  sink_.event(obj->ref, verdict->warning, verdict->ready.reason, verdict->ready.message);
  telemetry::log(verdict->warning ? spdlog::level::warn : spdlog::level::debug,
                 {{"object", obj->ref.key()}, {"reason", verdict->ready.reason}},
                 verdict->ready.message);
}

void Controller::set_source_counts(const std::string& id, std::map<std::string, size_t> counts) {
  auto it = source_counts_.find(id);
  if (it != source_counts_.end()) {
    for (const auto& [state, n] : it->second) source_totals_[state] -= n;
    source_counts_.erase(it);
  }
  for (const auto& [state, n] : counts) source_totals_[state] += n;
  if (!counts.empty()) source_counts_.emplace(id, std::move(counts));
}

void Controller::report_source_metrics() {
  metrics_.set_source_endpoints(source_totals_);  // O(states): totals are kept incrementally
}

// ------------------------------------------------------------------ reconcile

asio::awaitable<bool> Controller::reconcile_shared_zone(const Name& zone, std::string& why) {
  auto alive = generation_;
  const SharedZone* cfg = catalog_.zone(zone);
  if (!cfg) co_return true;
  std::string zone_text = zone.to_string();
  auto& rt_slot = shared_rt_[zone];
  if (!rt_slot) rt_slot = std::make_shared<SharedRuntime>();
  std::shared_ptr<SharedRuntime> rt = rt_slot;

  // Desired state: the endpoints of every object in the zone, oldest object first.
  std::vector<std::string> ids = catalog_.sources_of(zone);
  std::map<std::string, uint64_t> versions;
  for (const auto& id : ids) versions[id] = catalog_.find(id)->version;
  sources::ZoneEndpoints ze =
      sources::endpoints_to_rrsets(zone, catalog_.endpoints_of(zone, ids),
                                   catalog_.options().default_ttl, sources::SourceOrder::AsGiven);
  plan::DesiredRecords desired;
  for (const auto& [key, rrset] : ze.rrsets) {
    const auto& srcs = ze.sources[key];
    std::string winner = srcs.empty() ? std::string() : srcs.front();
    for (const auto& s : srcs) {
      if (catalog_.older(s, winner)) winner = s;
    }
    // The winner's owner and description go into the registry TXT.
    model::RecordNotes notes;
    if (const SourceObject* o = catalog_.find(winner)) {
      notes = {o->notes->owner, o->notes->description};
    }
    desired.emplace(key, plan::DesiredRecord{rrset, winner, std::move(notes)});
  }
  std::map<RRsetKey, model::RecordNotes> desired_notes;
  model::RRsetMap desired_rrsets;
  std::set<RRsetKey> all_keys;
  for (const auto& [key, d] : desired) {
    desired_notes.emplace(key, d.notes);
    desired_rrsets.emplace(key, d.rrset);
    all_keys.insert(key);
  }

  std::set<RRsetKey> applied;  // desired keys the servers acknowledged a change of just now
  // Per key, what happened: "" served, else state + message.
  std::map<RRsetKey, std::pair<std::string, std::string>> failed;
  std::string zone_failure;  // every key failed for this reason (server problem)
  std::string zone_failure_state = std::string(kFailed);
  bool all_ok = true;
  bool dry = options_.dry_run;
  std::vector<ServerRun> runs;  // one per server of the zone, in its order
  auto add_run = [&runs](std::string server) -> ServerRun& {
    runs.emplace_back().server = std::move(server);
    return runs.back();  // valid until the next add_run
  };
  // The whole server failed: every key fails with it.
  auto server_failed = [&](ServerRun& run, std::string_view state, std::string message) {
    zone_failure = message;
    zone_failure_state = std::string(state);
    all_ok = false;
    why = state;
    run.state = state;
    run.message = std::move(message);
  };

  // The servers.
  std::vector<api::Server> servers;
  for (const auto& skey : cfg->servers) {
    auto slash = skey.find('/');
    const ServerEntry* entry = objects_.server_entry(skey.substr(0, slash), skey.substr(slash + 1));
    const api::Server* s = entry && entry->server ? &*entry->server : nullptr;
    if (!s) {
      server_failed(add_run(skey), kFailed,
                    fmt::format("DNSServer {} does not exist (or is invalid)", skey));
      continue;
    }
    if (s->role != api::ServerRole::Primary) {
      server_failed(add_run(skey), kFailed, fmt::format("DNSServer {} is not a Primary", skey));
      continue;
    }
    servers.push_back(*s);
  }

  for (const api::Server& server : servers) {
    ServerRun& run = add_run(server.key());
    if (const api::Zone* owner = objects_.remediating_zone(zone, server)) {
      server_failed(run, kConflict,
                    fmt::format("DNSZone {} owns {} on {} with driftPolicy Remediate; the sources "
                                "change nothing there",
                                owner->key(), zone_text, server.key()));
      continue;
    }
    std::string problem, reason;
    std::shared_ptr<providers::Provider> p = provider_for(server, &problem, &reason);
    if (!p && reason == api::reasons::kSecretPending) {
      why = api::reasons::kSecretPending;
      co_return false;  // the Secret is not read yet: soon
    }
    if (!p) {
      server_failed(run, kFailed, fmt::format("{}: {}", reason, problem));
      continue;
    }
    std::string where = fmt::format("{} ({})", server.key(), p->endpoint());
    plan::OwnedPlan last;  // the plan of the last attempt: its conflicts
    std::vector<telemetry::LogField> fields{{"zone", zone_text}, {"server", server.key()}};
    // Named, not temporaries of the co_await expression: GCC 12 may destroy those twice.
    const ConvergeOptions how{.check_first = true, .dry_run = dry};
    const Planner planner = [&](const providers::ServedZone& served) {
      last = plan::plan_owned(zone, desired, served.rrsets, catalog_.options().registry,
                              catalog_.options().policy);
      plan::Plan out{last.changes, last.diff, last.notes};
      if (served.keeps_notes) {  // Technitium: owner and description in the comments
        std::set<RRsetKey> skip(served.foreign);
        for (const auto& c : last.conflicts) skip.insert(c.key);
        if (catalog_.options().policy == plan::Policy::CreateOnly) skip = all_keys;
        plan::plan_notes(out, desired_notes, desired_rrsets, served.rrsets, served.notes, skip);
      }
      return out;
    };
    ConvergeStep step = co_await converge(*p, zone, how, fields, planner, alive);
    if (step.abandoned) co_return true;
    if (const providers::ServedZone* copy = p->served(zone)) run.serial = copy->serial;
    for (const auto& c : last.conflicts) {
      run.failed[c.key] = {std::string(kConflict),
                           c.owner.empty()
                               ? fmt::format("{} on {}", c.reason, where)
                               : fmt::format("{} on {} (owner {})", c.reason, where, c.owner)};
    }
    if (step.failure) {  // the zone-wide failure decides every key: run.failed is not needed
      server_failed(run, kFailed, fmt::format("{}: {}", where, step.failure->message));
      why = step.failure->reason;
      continue;
    }
    for (const auto& c : step.applied.changes) {
      if (desired.count(c.rrset.key())) run.applied.insert(c.rrset.key());
    }
    applied.insert(run.applied.begin(), run.applied.end());
    for (const auto& f : step.outcome.refused) {
      RRsetKey k = f.change.rrset.key();
      std::string why = fmt::format("{} refused the change: {}", where, f.message);
      if (desired.count(k)) {
        run.failed[k] = {std::string(kFailed), why};
        continue;
      }
      // A registry TXT: the record it owns failed with it.
      auto rk = plan::parse_registry_name(k.owner, catalog_.options().registry);
      for (const auto& [dk, d] : desired) {
        if (rk && plan::registry_key(dk, catalog_.options().registry) == *rk) {
          run.failed[dk] = {std::string(kFailed), why};
        }
      }
    }
    for (const auto& [k, f] : run.failed) failed[k] = f;
  }
  if (options_.hosts_file) {
    providers::Provider& p = *options_.hosts_file;
    ServerRun& run = add_run(std::string(kHostsFileServer));
    std::string where = fmt::format("hosts file {}", p.endpoint());
    model::RRsetMap all;
    for (const auto& [key, d] : desired) all.emplace(key, d.rrset);
    std::vector<RRsetKey> left_out;
    model::RRsetMap want = providers::hosts_records(all, &left_out);
    for (const auto& k : left_out) {
      run.failed[k] = {std::string(kFailed),
                       fmt::format("{}: a hosts file holds only A and AAAA records", where)};
    }
    std::vector<telemetry::LogField> fields{{"zone", zone_text}, {"server", run.server}};
    const ConvergeOptions how{.check_first = true, .dry_run = dry};
    const Planner planner = [&](const providers::ServedZone& served) -> plan::Plan {
      return plan::plan_zone(zone, want, served.rrsets, {});  // the block is ours
    };
    ConvergeStep step = co_await converge(p, zone, how, fields, planner, alive);
    if (step.abandoned) co_return true;
    if (step.failure) {
      server_failed(run, kFailed, fmt::format("{}: {}", where, step.failure->message));
      why = step.failure->reason;
    } else {
      for (const auto& c : step.applied.changes) {
        if (desired.count(c.rrset.key())) run.applied.insert(c.rrset.key());
      }
      applied.insert(run.applied.begin(), run.applied.end());
      for (const auto& f : step.outcome.refused) {
        run.failed[f.change.rrset.key()] = {std::string(kFailed),
                                            fmt::format("{}: {}", where, f.message)};
      }
      for (const auto& [k, f] : run.failed) failed[k] = f;
    }
  }
  if (servers.empty() && !options_.hosts_file && zone_failure.empty()) {
    zone_failure = "no DNSServer is configured for this zone";
    why = api::reasons::kNoServers;
    all_ok = false;
  }

  // Outcomes per object: its endpoints in this zone.
  std::map<std::string, std::vector<EndpointOutcome>> outcomes;
  for (const auto& id : ids) outcomes[id];
  for (const auto& p : ze.problems) {
    outcomes[p.source].push_back(
        {p.dns_name, p.record_type, zone_text,
         p.reason == sources::kEndpointConflict ? std::string(kConflict) : std::string(kInvalid),
         p.message});
  }
  for (const auto& [key, d] : desired) {
    EndpointOutcome o{key.owner.to_string(), type_text(key.type), zone_text, "", ""};
    if (!o.dns_name.empty() && o.dns_name.back() == '.') o.dns_name.pop_back();
    auto f = failed.find(key);
    if (!zone_failure.empty()) {
      o.state = zone_failure_state;
      o.message = zone_failure;
    } else if (f != failed.end()) {
      o.state = f->second.first;
      o.message = f->second.second;
    } else {
      o.state = std::string(kProgrammed);
      o.message = zone_text;
    }
    // Every object that wants this data (identical data merges) gets the outcome.
    for (const auto& s : ze.sources[key]) outcomes[s].push_back(o);
  }
  if (dry) co_return all_ok;  // nothing was written: nothing to report
  for (auto& [id, list] : outcomes) {
    auto v = versions.find(id);
    if (v == versions.end()) continue;
    rt->outcomes[id] = {v->second, std::move(list)};
  }
  for (auto it = rt->outcomes.begin(); it != rt->outcomes.end();) {
    it = versions.count(it->first) ? std::next(it) : rt->outcomes.erase(it);
  }
  rt->synced.clear();
  for (const auto& k : applied) {
    if (failed.count(k) || !zone_failure.empty()) continue;
    for (const auto& s : ze.sources[k]) rt->synced.insert(s);
  }
  // Per DNSEndpoint: what each server made of its keys here.
  std::map<std::string, std::vector<RRsetKey>> keys_of;
  for (const auto& [key, d] : desired) {
    for (const auto& s : ze.sources[key]) {
      const SourceObject* o = catalog_.find(s);
      if (o && o->kind == SourceKind::DNSEndpoint) keys_of[s].push_back(key);
    }
  }
  std::string zone_name = zone_text;
  if (!zone_name.empty() && zone_name.back() == '.') zone_name.pop_back();
  rt->providers.clear();
  for (const auto& [id, keys] : keys_of)
    rt->providers[id] = provider_results(runs, zone_name, keys);
  for (const auto& id : ids) report_source(id);
  if (zone_failure != rt->failure) {
    rt->failure = zone_failure;
    if (!zone_failure.empty()) {
      telemetry::log(spdlog::level::warn, {{"zone", zone_text}, {"reason", zone_failure_state}},
                     zone_failure);
    }
  }
  co_return all_ok;
}

}  // namespace zk::controller
