#include "controller/controller.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "api/reasons.h"
#include "api/time.h"
#include "controller/converge.h"
#include "controller/status_ledger.h"
#include "controller/zone_dnssec.h"
#include "controller/zone_report.h"
#include "plan/zone_plan.h"
#include "providers/provider.h"
#include "sources/zone_source.h"
#include "sources/zone_state.h"
#include "telemetry/logging.h"
#include "telemetry/metrics.h"

namespace zk::controller {

namespace asio = boost::asio;
namespace json = boost::json;
namespace reasons = api::reasons;
using model::Name;
using model::RRsetKey;

// ------------------------------------------------------------------ state

struct Controller::ZoneRuntime {
  std::set<RRsetKey> declared;  // keys of the last desired state we applied
  // Its desired state, kept record by record; only its own reconciles touch it (the work queue
  // never runs one key twice at once).
  sources::ZoneState desired;
  std::optional<uint64_t> desired_revision;  // the catalog's revision at its last sync
  // The next reconcile plans the whole zone, not only the names that changed: at first, after a
  // failure, after drift or a resync.
  bool whole_plan_due = true;
  // The DNSZone status last handed to the sink, when, and a newer one waiting because it differs
  // only in serials (report_zone_status).
  std::optional<ZoneStatus> sent;
  std::chrono::steady_clock::time_point sent_at;
  std::optional<ZoneStatus> deferred;
  ZoneAcks acks;          // what its records' statuses rest on
  std::string zone_name;  // of the last valid generation ("" = none)
  bool dirty = true;      // catalog changed since the last full reconcile
  // When the oldest catalog change not yet applied reached the controller (none: nothing
  // pending): zonekeeper_change_apply_seconds.
  std::optional<std::chrono::steady_clock::time_point> changed_at;
  bool check_servers = false;  // resync(): the next full reconcile asks each server's serial first
  bool healthy = false;        // last full reconcile succeeded everywhere
  bool secondaries_behind = false;
  int propagation_checks = 0;  // re-checks since the last change (backoff)
  int unsigned_checks = 0;     // spec.dnssec, no DNSKEY served yet: re-checks (backoff)
  size_t served = 0;           // its records whose last status was Ready=True (Served)
  // Its last reported status, without the record list (zone_summaries()).
  ConditionSpec ready{"Ready", "Unknown", "", ""};
  size_t record_count = 0;
  std::vector<ServerSerial> servers;
};

namespace {

// Owner and description of every RRset a DNSZone declares (from the record object that declares
// it; none when no record object does): what a Technitium Primary keeps in its comments.
std::map<model::RRsetKey, model::RecordNotes> record_notes(const sources::ZoneDesired& desired,
                                                           const RecordLookup& records) {
  std::map<model::RRsetKey, model::RecordNotes> out;
  for (const auto& entry : desired.rrsets) out[entry.first];
  for (const auto& [rkey, outcome] : desired.outcomes) {
    if (outcome.reason != api::reasons::kPending || !outcome.fqdn) continue;
    const api::RecordObject* r = records(rkey);
    if (!r) continue;
    auto it = out.find(model::RRsetKey{*outcome.fqdn, api::record_type(r->kind)});
    if (it != out.end()) it->second = {r->notes->owner, r->notes->description};
  }
  return out;
}

// The kind label of zonekeeper_reconciles_total (telemetry::Metrics::kReconcileKinds).
std::string_view metric_kind(WorkItem::Kind kind) {
  switch (kind) {
    case WorkItem::Kind::Zone:
      return api::kDNSZone;
    case WorkItem::Kind::Server:
      return api::kDNSServer;
    case WorkItem::Kind::Namespace:
      return "Namespace";
    case WorkItem::Kind::SharedZone:
      return "SharedZone";
  }
  return "Unknown";
}

std::string ns_key(std::string_view ns, std::string_view name) {
  return fmt::format("{}/{}", ns, name);
}

}  // namespace

// ------------------------------------------------------------------ construction

Controller::Controller(asio::any_io_executor ex, const ControllerOptions& options, StatusSink& sink,
                       Metrics& metrics, providers::ProviderFactory& factory)
    : ex_(ex),
      options_(options),
      ledger_(std::make_unique<StatusLedger>(sink)),
      sink_(*ledger_),
      metrics_(metrics),
      queue_(ex, options.retry),
      objects_(options.sources.zones),
      providers_(factory, options.sources.registry.owner_id),
      catalog_(options.sources),
      generation_(std::make_shared<bool>(true)) {}

// NOLINTNEXTLINE(bugprone-exception-escape): a timer's cancel() cannot fail on Linux.
Controller::~Controller() {
  stop();
}

std::string Controller::now_rfc3339() const {
  return api::format_rfc3339(std::time(nullptr));
}

bool Controller::zone_healthy(const std::string& zone_key) const {
  auto it = zone_rt_.find(zone_key);
  return it != zone_rt_.end() && it->second->healthy;
}

std::shared_ptr<Controller::ZoneRuntime> Controller::runtime(const std::string& zone_key) {
  auto& rt = zone_rt_[zone_key];
  if (!rt) rt = std::make_shared<ZoneRuntime>();
  return rt;
}

size_t Controller::zone_count() const {
  return objects_.zone_count();
}

// ------------------------------------------------------------------ catalog

void Controller::apply(CatalogChange change) {
  if (!change.ignored.empty()) spdlog::warn("ignoring {}", change.ignored);
  if (change.forget) sink_.forget(*change.forget);
  if (change.secret_referenced && secret_referenced_) {
    secret_referenced_(change.secret_referenced->first, change.secret_referenced->second);
  }
  for (const WorkItem& w : change.work) enqueue(w);
}

void Controller::enqueue(const WorkItem& w) {
  ++view_version_;       // whatever changed the work may change what the views show
  if (!owns(w)) return;  // another replica's shard
  if (w.kind == WorkItem::Kind::Zone && w.dirty) {
    ZoneRuntime& rt = *runtime(w.object_key());
    rt.dirty = true;
    if (!rt.changed_at) rt.changed_at = std::chrono::steady_clock::now();
  }
  queue_.add(w.key());
}

void Controller::put_record(const json::value& object) {
  apply(objects_.put_record(object));
}

void Controller::remove_record(api::Kind kind, std::string_view ns, std::string_view name) {
  apply(objects_.remove_record(kind, ns, name));
}

void Controller::put_zone(const json::value& object) {
  apply(objects_.put_zone(object));
}

void Controller::remove_zone(std::string_view ns, std::string_view name) {
  if (objects_.zone_entry(ns, name)) {
    set_served(ns_key(ns, name), RecordCounts{});
    zone_rt_.erase(ns_key(ns, name));
  }
  apply(objects_.remove_zone(ns, name));
}

// zonekeeper_records_served: the record objects every zone last reported Served, kept as a
// running total (O(1) per zone reconcile); zonekeeper_records{zone,kind,state}: this zone's
// record objects by kind and Ready reason.
void Controller::set_served(const std::string& zone_key, const RecordCounts& counts) {
  auto it = zone_rt_.find(zone_key);
  if (it == zone_rt_.end()) return;  // a reconcile that outlived its zone's deletion
  ZoneRuntime& rt = *it->second;
  records_served_ = records_served_ - rt.served + counts.ready;
  rt.served = counts.ready;
  metrics_.set_records_served(records_served_);
  metrics_.set_records(zone_key, counts.by_kind_reason);
}

uint64_t Controller::view_version() const {
  return view_version_ + ledger_->changes();
}

void Controller::report_zone_status(ZoneRuntime& rt, const ZoneStatus& st) {
  ++view_version_;
  rt.ready = st.ready;
  rt.record_count = st.record_count;
  rt.servers = st.servers;
  // Serials and lastSyncTime alone move with every applied change: under a stream of changes
  // they are written at most every zone_serial_refresh (the latest then), not once per change.
  const auto now = std::chrono::steady_clock::now();
  if (rt.sent && !differs_beyond_serials(*rt.sent, st) &&
      now - rt.sent_at < options_.zone_serial_refresh) {
    if (!rt.deferred) {
      auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
          options_.zone_serial_refresh - (now - rt.sent_at));
      queue_.add_after(WorkItem::zone(st.ref.ns, st.ref.name, false).key(),
                       wait + std::chrono::milliseconds(1));
    }
    const bool synced = st.synced || (rt.deferred && rt.deferred->synced);
    rt.deferred = st;
    rt.deferred->synced = synced;
    return;
  }
  send_zone_status(rt, st);
}

void Controller::send_zone_status(ZoneRuntime& rt, const ZoneStatus& st) {
  sink_.zone_status(st);
  rt.sent = st;
  rt.sent_at = std::chrono::steady_clock::now();
  rt.deferred.reset();
}

ConditionSpec Controller::zone_ready(const std::string& zone_key) const {
  auto it = zone_rt_.find(zone_key);
  return it == zone_rt_.end() ? ConditionSpec{"Ready", "Unknown", "", ""} : it->second->ready;
}

std::vector<Controller::ZoneSummary> Controller::zone_summaries() const {
  std::vector<ZoneSummary> out;
  for (const auto& [key, rt] : zone_rt_) {
    auto slash = key.find('/');
    ZoneSummary z;
    z.ns = key.substr(0, slash);
    z.name = key.substr(slash + 1);
    z.zone = rt->zone_name;
    z.ready = rt->ready;
    z.record_count = rt->record_count;
    z.served = rt->served;
    z.servers = rt->servers;
    if (const NamespaceObjects* objs = objects_.objects_in(z.ns)) {
      if (auto e = objs->zones.find(z.name);
          e != objs->zones.end() && e->second.zone && !e->second.zone->records_from.empty()) {
        z.record_labels = e->second.zone->records_from.front().selector.match_labels;
        z.record_targets = sources::record_targets(*e->second.zone, objects_.directory());
      }
    }
    out.push_back(std::move(z));
  }
  return out;  // zone_rt_ is ordered by "ns/name"
}

void Controller::put_server(const json::value& object) {
  apply(objects_.put_server(object));
}

void Controller::remove_server(std::string_view ns, std::string_view name) {
  if (objects_.server_entry(ns, name)) providers_.forget(ns_key(ns, name));
  apply(objects_.remove_server(ns, name));
}

void Controller::put_secret(std::string_view ns, std::string_view name, SecretState state) {
  apply(objects_.put_secret(ns, name, std::move(state)));
}

// ------------------------------------------------------------------ running

void Controller::start() {
  if (running_) return;
  running_ = true;
  queue_.restart();
  metrics_.set_leader(true);
  for (size_t i = 0; i < std::max<size_t>(1, options_.workers); ++i) {
    asio::co_spawn(ex_, worker(), asio::detached);
  }
  drift_timer_ = std::make_unique<asio::steady_timer>(ex_);
  asio::co_spawn(ex_, drift_loop(generation_, drift_timer_.get()), asio::detached);
  // Everything once: the served state may have changed while we were not leading.
  take_over([](const WorkItem&) { return true; });
}

void Controller::share(WorkFilter filter) {
  WorkFilter before = std::move(owns_);
  owns_ = std::move(filter);
  if (!running_) return;
  take_over([&](const WorkItem& w) { return owns(w) && before && !before(w); });
}

bool Controller::busy_with(const WorkFilter& which) const {
  for (const std::string& key : busy_) {
    auto w = WorkItem::parse(key);
    if (w && which(*w)) return true;
  }
  return false;
}

bool Controller::owns_sources() const {
  return owns(WorkItem::shared_zone(Name::parse(".").value()));
}

void Controller::take_over(const WorkFilter& gained) {
  for (auto& [key, rt] : zone_rt_) {
    auto slash = key.find('/');
    if (slash == std::string::npos ||
        !gained(WorkItem::zone(key.substr(0, slash), key.substr(slash + 1), false))) {
      continue;
    }
    rt->dirty = true;
    rt->whole_plan_due = true;  // every name planned and every record reported again
    rt->sent.reset();           // and the DNSZone status written, whatever it holds
    rt->deferred.reset();
  }
  for (const WorkItem& w : objects_.everything()) {
    if (gained(w)) enqueue(w);
  }
  std::vector<std::string> troubled;  // report_namespace may forget one: iterate a copy
  for (const auto& [name, p] : namespace_problems_) {
    if (gained(WorkItem::namespace_records(name))) troubled.push_back(name);
  }
  for (const auto& name : troubled) report_namespace(name);
  if (catalog_.enabled() && gained(WorkItem::shared_zone(Name::parse(".").value()))) {
    auto names = catalog_.zone_names();
    enqueue_shared(std::set<Name>(names.begin(), names.end()));
    // Objects in no shared zone (filtered, unmatched, invalid) are reported once now.
    for (const auto& [id, o] : catalog_.objects()) {
      if (o.by_zone.empty()) report_source(id);
    }
  }
}

size_t Controller::check_zones_now(const std::function<bool(const std::string&)>& which) {
  size_t queued = 0;
  for (WorkItem w : objects_.drift_checks()) {
    if (!which(w.object_key()) || !owns(w)) continue;
    runtime(w.object_key())->check_servers = true;
    w.dirty = true;
    enqueue(w);
    ++queued;
  }
  return queued;
}

size_t Controller::resync(const std::string& zone_key) {
  if (!running_) return 0;
  size_t queued =
      check_zones_now([&](const std::string& key) { return zone_key.empty() || key == zone_key; });
  if (zone_key.empty() && catalog_.enabled() && owns_sources()) {
    auto names = catalog_.zone_names();
    enqueue_shared(std::set<Name>(names.begin(), names.end()));
    queued += names.size();
  }
  return queued;
}

size_t Controller::recheck_server(const std::string& ns, const std::string& name) {
  if (!running_) return 0;
  const ServerEntry* e = objects_.server_entry(ns, name);
  if (!e || !e->server) return 0;
  size_t queued = 0;
  const WorkItem server = WorkItem::server(ns, name);
  if (owns(server)) {
    enqueue(server);
    ++queued;
  }
  std::set<std::string> zones;
  for (const auto& z : objects_.zones_of(*e->server)) {
    if (z.zone) zones.insert(z.ns + "/" + z.name);
  }
  return queued + check_zones_now([&](const std::string& key) { return zones.contains(key); });
}

void Controller::stop() {
  if (!running_) return;
  running_ = false;
  *generation_ = false;
  generation_ = std::make_shared<bool>(true);
  queue_.shutdown();
  if (drift_timer_) drift_timer_->cancel();
  metrics_.set_leader(false);
}

asio::awaitable<void> Controller::worker() {
  auto alive = generation_;
  while (*alive) {
    auto item = co_await queue_.next();
    if (!item) co_return;
    if (!*alive) {
      // Woken in a later term (leadership lost and regained before this coroutine ran): the
      // item belongs to that term's workers. Marked dirty while processing, done() re-queues it.
      queue_.add(*item);
      queue_.done(*item);
      co_return;
    }
    std::optional<WorkItem> parsed = WorkItem::parse(*item);
    if (parsed && !owns(*parsed)) {  // its shard went to another replica while it waited
      queue_.forget(*item);
      queue_.done(*item);
      continue;
    }
    metrics_.queue_wait(parsed ? metric_kind(parsed->kind) : "Unknown",
                        std::chrono::duration<double>(queue_.waited(*item)).count());
    auto t0 = std::chrono::steady_clock::now();
    bool ok = false;
    std::string why;
    auto b = busy_.insert(*item);
    try {
      ok = co_await reconcile(*item, why);
    } catch (const std::exception& e) {
      spdlog::error("reconcile {} failed unexpectedly: {}", *item, e.what());
      why = "Exception";
    }
    busy_.erase(b);
    if (!*alive) co_return;
    if (!ok && why.empty()) why = reasons::kNotReady;
    std::string_view kind = parsed ? metric_kind(parsed->kind) : "Unknown";
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    metrics_.reconcile(kind, seconds, ok ? std::string_view() : std::string_view(why));
    activity_.record({*item, std::string(kind), ok ? std::string() : why,
                      std::chrono::system_clock::now(), seconds});
    if (ok) {
      queue_.forget(*item);
    } else {
      auto delay = queue_.retry(*item);
      metrics_.queue_retry();
      spdlog::debug("{}: retry in {} ms", *item, delay.count());
    }
    queue_.done(*item);
    metrics_.set_queue_depth(queue_.depth());
  }
}

asio::awaitable<void> Controller::drift_loop(std::shared_ptr<bool> alive,
                                             asio::steady_timer* timer) {
  while (*alive) {
    timer->expires_after(options_.drift_interval);
    boost::system::error_code ec;
    co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (!*alive) co_return;
    // A drift check is part of the zone's work item, so it never overlaps an UPDATE.
    for (const WorkItem& w : objects_.drift_checks()) enqueue(w);
    if (catalog_.enabled()) {
      auto names = catalog_.zone_names();
      enqueue_shared(std::set<Name>(names.begin(), names.end()));
    }
  }
}

asio::awaitable<bool> Controller::reconcile(const std::string& key, std::string& why) {
  std::optional<WorkItem> item = WorkItem::parse(key);
  if (!item) co_return true;
  if (!options_.dnszones && item->kind != WorkItem::Kind::SharedZone) {
    co_return true;  // --sources-only
  }
  switch (item->kind) {
    case WorkItem::Kind::Namespace:
      co_return reconcile_namespace(item->ns);
    case WorkItem::Kind::SharedZone:
      co_return co_await reconcile_shared_zone(Name::parse(item->name).value(), why);
    case WorkItem::Kind::Zone: {
      auto rt = runtime(item->object_key());
      if (rt->deferred &&
          std::chrono::steady_clock::now() - rt->sent_at >= options_.zone_serial_refresh) {
        send_zone_status(*rt, *rt->deferred);
      }
      if (!rt->dirty && rt->healthy && !rt->secondaries_behind) {
        co_return co_await check_zone_drift(item->ns, item->name, why);
      }
      co_return co_await reconcile_zone(item->ns, item->name, why);
    }
    case WorkItem::Kind::Server:
      co_return co_await reconcile_server(item->ns, item->name);
  }
  co_return true;
}

// ------------------------------------------------------------------ servers

std::shared_ptr<providers::Provider> Controller::provider_for(const api::Server& server,
                                                              std::string* problem,
                                                              std::string* reason) {
  SecretState secret;
  if (auto name = server.secret_name()) secret = objects_.secret(server.ns, *name);
  ProviderPool::Lookup l = providers_.get(server, secret);
  *problem = std::move(l.problem);
  *reason = std::move(l.reason);
  return l.provider;
}

asio::awaitable<bool> Controller::reconcile_server(const std::string& ns, const std::string& name) {
  auto alive = generation_;  // false once leadership is lost (even if regained meanwhile)
  const NamespaceObjects* objs = objects_.objects_in(ns);
  if (!objs) co_return true;
  auto it = objs->servers.find(name);
  if (it == objs->servers.end()) co_return true;
  ServerStatus st;
  st.ref = object_ref(it->second.meta, api::kDNSServer);
  if (!it->second.server) {
    st.ready = ready_condition(api::kFalse, reasons::kInvalidSpec, it->second.error);
    sink_.server_status(st);
    co_return true;
  }
  api::Server server = *it->second.server;  // a copy: the catalog may change while we wait
  std::vector<std::string> zone_names;
  for (const auto& z : objects_.zones_of(server)) {
    if (z.zone) zone_names.push_back(z.zone->zone_name.to_string());
  }
  std::sort(zone_names.begin(), zone_names.end());
  zone_names.erase(std::unique(zone_names.begin(), zone_names.end()), zone_names.end());
  st.zones = zone_names;
  std::string problem, reason;
  std::shared_ptr<providers::Provider> p = provider_for(server, &problem, &reason);
  if (!p) {
    st.ready = ready_condition(api::kFalse, reason, problem);
    sink_.server_status(st);
    co_return true;
  }
  if (!p->health().known) {
    // Nothing asked it anything yet: one check (RFC 2136: an SOA query of a zone it serves,
    // else the root).
    Name probe = zone_names.empty()
                     ? Name::parse(".").value()
                     : Name::parse(zone_names.front()).value_or(Name::parse(".").value());
    auto r = co_await p->check(probe);
    (void)r;
    if (!*alive) co_return true;
  }
  std::optional<std::string> catalog_problem;
  if (server.catalog_zone) {
    catalog_problem = co_await keep_catalog(server, *p, alive);
    if (!*alive) co_return true;
  }
  const auto& h = p->health();
  if (server.role == api::ServerRole::Secondary && server.primary_server_name &&
      (h.ok || h.failure.answers)) {
    // A catalog consumer that answers is told to look at its primary's catalog now: the NOTIFY
    // sent when the catalog changed may have come before its named listened, and a first
    // refresh that failed before its primary answered leaves it a minute behind (BIND's retry).
    const ServerEntry* primary = objects_.server_entry(ns, *server.primary_server_name);
    if (primary && primary->server && primary->server->catalog_zone) {
      const Name catalog = *primary->server->catalog_zone;
      auto n = co_await p->notify(catalog, std::nullopt);
      if (!*alive) co_return true;
      if (!n)
        spdlog::debug("NOTIFY of {} to {}: {}", catalog.to_string(), server.key(),
                      n.error().message);
    }
  }
  if (catalog_problem) {
    st.ready = ready_condition(api::kFalse, reasons::kCatalogFailed, *catalog_problem);
    st.contacted = h.ok || h.failure.answers;
  } else if (h.ok) {
    st.ready =
        ready_condition(api::kTrue, reasons::kReachable, fmt::format("{} answers", p->endpoint()));
    st.contacted = true;
  } else if (h.failure.answers) {  // it answers, just not for the zone we asked about
    st.ready = ready_condition(api::kTrue, reasons::kReachable,
                               fmt::format("{} answers ({})", p->endpoint(), h.failure.message));
    st.contacted = true;
  } else {
    st.ready = ready_condition(api::kFalse, h.failure.server_reason, h.failure.message);
  }
  sink_.server_status(st);
  co_return !catalog_problem;
}

// ------------------------------------------------------------------ namespaces without zones

bool Controller::reconcile_namespace(const std::string& ns) {
  const NamespaceObjects* objs = objects_.objects_in(ns);
  if (!objs) return true;
  bool has_zone = false;
  for (const auto& [name, e] : objs->zones) has_zone = has_zone || e.zone != nullptr;
  if (has_zone) return true;  // the zones report their namespace's unselected records
  for (const auto& [key, rec] : objs->records) {
    if (objects_.selected_from_elsewhere(rec)) continue;  // that zone reports it
    RecordStatus st;
    st.ref = object_ref(rec, api::to_string(rec.kind));
    st.ready = ready_condition(api::kFalse, reasons::kNotSelected,
                               fmt::format("no DNSZone in namespace {} selects it", ns));
    sink_.record_status(st);
  }
  return true;
}

// ------------------------------------------------------------------ zones

asio::awaitable<bool> Controller::check_zone_drift(const std::string& ns, const std::string& name,
                                                   std::string& why) {
  auto alive = generation_;  // false once leadership is lost (even if regained meanwhile)
  std::string key = ns_key(ns, name);
  const NamespaceObjects* objs = objects_.objects_in(ns);
  if (!objs) co_return true;
  auto zit = objs->zones.find(name);
  if (zit == objs->zones.end() || !zit->second.zone) co_return true;
  api::Zone zone = *zit->second.zone;
  bool needs_reconcile = false;
  std::vector<api::Server> secondaries;
  std::optional<uint32_t> primary_serial;
  std::vector<api::Server> servers;  // copies: the catalog may change while we wait
  for (const api::Server* sp : objects_.servers_of(zone)) servers.push_back(*sp);
  for (api::Server& server : servers) {
    std::string problem, reason;
    std::shared_ptr<providers::Provider> p = provider_for(server, &problem, &reason);
    if (!p) {
      needs_reconcile = true;
      continue;
    }
    metrics_.drift_check(server.key());
    if (server.role == api::ServerRole::Secondary) {
      secondaries.push_back(std::move(server));
      continue;
    }
    bool was_ok = p->health().ok;
    auto r = co_await p->refresh(zone.zone_name);
    if (!*alive) co_return true;
    if (!r) {
      needs_reconcile = true;
      enqueue(WorkItem::server(server.ns, server.name));
      continue;
    }
    if (!was_ok) enqueue(WorkItem::server(server.ns, server.name));
    if (const providers::ServedZone* z = p->served(zone.zone_name); z && !primary_serial) {
      primary_serial = z->serial;
    }
    if (r->moved && !r->changed.empty()) {
      metrics_.drift_found(zone.zone_name.to_string(), r->changed.size());
      std::vector<std::string> what;
      for (size_t i = 0; i < r->changed.size() && i < 10; ++i) {
        what.push_back(fmt::format("{} {}", r->changed[i].owner.to_string(),
                                   model::to_string(r->changed[i].type)));
      }
      std::string note =
          fmt::format("{} changed on {} outside zonekeeper: {}{}", zone.zone_name.to_string(),
                      p->endpoint(), fmt::join(what, ", "),
                      r->changed.size() > what.size()
                          ? fmt::format(" and {} more", r->changed.size() - what.size())
                          : "");
      telemetry::log(spdlog::level::info,
                     {{"zone", zone.zone_name.to_string()},
                      {"object", "DNSZone/" + zone.key()},
                      {"server", server.key()},
                      {"drift_policy", std::string(api::to_string(zone.drift_policy))}},
                     note);
      if (zone.drift_policy == api::DriftPolicy::Report) {
        sink_.event(object_ref(zone, api::kDNSZone), true, reasons::kDriftDetected, note);
      }
      needs_reconcile = true;
    }
  }
  // Secondaries: one SOA query each; a serial other than the primary's means re-check.
  for (const api::Server& server : secondaries) {
    if (needs_reconcile) break;
    std::string problem, reason;
    std::shared_ptr<providers::Provider> p = provider_for(server, &problem, &reason);
    if (!p) break;
    auto s = co_await p->soa_serial(zone.zone_name);
    if (!*alive) co_return true;
    if (!s || !primary_serial || *s != *primary_serial) needs_reconcile = true;
  }
  if (needs_reconcile) {
    runtime(key)->dirty = true;
    runtime(key)->whole_plan_due = true;  // the servers moved: every name is looked at
    co_return co_await reconcile_zone(ns, name, why);
  }
  co_return true;
}

asio::awaitable<bool> Controller::reconcile_zone(const std::string& ns, const std::string& name,
                                                 std::string& why) {
  auto alive = generation_;  // false once leadership is lost (even if regained meanwhile)
  std::string key = ns_key(ns, name);
  const NamespaceObjects* objs = objects_.objects_in(ns);
  if (!objs) co_return true;
  auto zit = objs->zones.find(name);
  if (zit == objs->zones.end()) co_return true;
  ObjectRef zref = object_ref(zit->second.meta, api::kDNSZone);
  std::shared_ptr<ZoneRuntime> rt = runtime(key);  // shared: survives a delete meanwhile
  rt->dirty = false;
  // The changes this reconcile takes up; put back below unless it applied them everywhere.
  const std::optional<std::chrono::steady_clock::time_point> changed_at =
      std::exchange(rt->changed_at, std::nullopt);
  rt->healthy = false;
  const bool check_servers = std::exchange(rt->check_servers, false);
  if (!zit->second.zone) {
    ZoneStatus st;
    st.ref = zref;
    st.ready = ready_condition(api::kFalse, reasons::kInvalidSpec, zit->second.error);
    report_zone_status(*rt, st);
    // The records its last valid generation served keep their data on the servers (nothing is
    // removed for an invalid spec), but no longer "Served" as if all were well.
    std::map<std::string, api::RecordObject> acked;  // they may live in other namespaces
    for (const auto& [rkey, ack] : rt->acks.records) {
      if (!ack.fqdn) continue;
      if (const api::RecordObject* r = objects_.find_record(rkey)) acked.emplace(rkey, *r);
    }
    std::vector<RecordStatus> invalid =
        report_invalid_zone(key, zit->second.error, rt->zone_name, rt->acks, acked);
    for (const auto& rs : invalid) sink_.record_status(rs);
    set_served(key, count_records(invalid));
    co_return true;  // nothing to retry: a new generation brings a new event
  }
  // Copies: the catalog may change while this coroutine waits on the network.
  api::Zone zone = *zit->second.zone;
  // The desired state: from the catalog's journal of record changes when it reaches back to the
  // last sync and nothing else changed, else from every record the zone may select.
  const uint64_t seen_revision = objects_.revision();
  ZoneInputs inputs = objects_.inputs_of(zone, false);
  std::optional<std::vector<std::string>> changed;
  if (rt->desired_revision &&
      rt->desired.current_for(zone, inputs.zones, objects_.namespace_directory())) {
    changed = objects_.records_changed_since(*rt->desired_revision);
  }
  const sources::ZoneDesired& desired =
      changed ? rt->desired.sync_changes(
                    *changed, [this](const std::string& k) { return objects_.find_record(k); })
              : rt->desired.sync(zone, objects_.inputs_of(zone).records, inputs.zones,
                                 objects_.namespace_directory());
  rt->desired_revision = seen_revision;
  // Only the names whose data may have changed are planned, unless the whole zone is due.
  const std::optional<std::set<Name>> touched =
      rt->whole_plan_due || check_servers ? std::nullopt : rt->desired.touched();
  rt->whole_plan_due = true;  // until this reconcile succeeds everywhere (the state moved on)
  // The records to report (those that changed, when only names are planned), looked up when the
  // report is made: one changed meanwhile is left to the reconcile its change queued.
  const std::set<std::string>* report_only = touched ? &rt->desired.touched_records() : nullptr;
  const RecordLookup records_seen = [this, seen_revision](const std::string& rkey) {
    const api::RecordObject* r = objects_.find_record(rkey);
    return r && r->revision <= seen_revision ? r : nullptr;
  };
  std::vector<api::Server> primaries, secondaries;
  for (const api::Server* s : objects_.servers_of(zone)) {
    (s->role == api::ServerRole::Primary ? primaries : secondaries).push_back(*s);
  }
  std::string zone_text = zone.zone_name.to_string();
  rt->zone_name = zone_text;

  // Zone-level blockers: the records cannot be served at all.
  std::optional<ConditionSpec> blocked;
  if (const api::Zone* winner = objects_.conflicting_zone(zone)) {
    blocked = ready_condition(
        api::kFalse, reasons::kConflict,
        fmt::format("DNSZone {} is older and declares {} on the same server; this one "
                    "changes nothing there",
                    winner->key(), zone_text));
  } else if (primaries.empty()) {
    std::vector<std::string> refusing;
    for (const api::Server* s : objects_.servers_refusing(zone)) {
      if (s->role == api::ServerRole::Primary) refusing.push_back(s->key());
    }
    blocked = refusing.empty()
                  ? ready_condition(api::kFalse, reasons::kNoServers,
                                    "spec.servers matches no DNSServer with role Primary in "
                                    "namespace " +
                                        zone.servers_ns())
                  : ready_condition(api::kFalse, reasons::kNamespaceNotAllowed,
                                    fmt::format("DNSServer {} does not admit DNSZones of "
                                                "namespace {} (its spec.allowedNamespaces)",
                                                fmt::join(refusing, ", "), ns));
  } else if (auto unsigned_only = dnssec_unsupported(zone, primaries)) {
    blocked = std::move(unsigned_only);
  } else if (!desired.zone_problems.empty()) {
    blocked = ready_condition(api::kFalse, reasons::kNotReady,
                              fmt::format("{}", fmt::join(desired.zone_problems, "; ")));
  }

  if (blocked) {
    const std::vector<PrimaryOutcome> no_primaries;
    const std::vector<SecondaryOutcome> no_secondaries;
    ZoneReport rep = report_blocked_zone(
        {zone, zref, desired, records_seen, no_primaries, no_secondaries}, *blocked);
    rep.zone.ds_config_map = zone.dnssec ? zone.dnssec->ds_config_map : "";
    report_zone_status(*rt, rep.zone);
    for (const auto& st : rep.records) sink_.record_status(st);
    set_served(key, rep.counts);
    co_return true;
  }

  // Ownership: what we declared before and no longer declare is released (removed even
  // under driftPolicy Report).
  plan::ZoneOwnership own;
  own.remove_undeclared = zone.drift_policy == api::DriftPolicy::Remediate;
  auto release = [&](auto lo, auto hi) {
    for (; lo != hi; ++lo) {
      if (!desired.rrsets.count(*lo)) own.released.insert(*lo);
    }
  };
  if (touched) {
    for (const Name& owner : *touched) {
      auto [lo, hi] = model::at_owner(rt->declared, owner);
      release(lo, hi);
    }
  } else {
    release(rt->declared.begin(), rt->declared.end());
  }

  // Primaries: plan against each one's copy, apply.
  std::vector<PrimaryOutcome> results;
  std::optional<DnssecStatus> dnssec;  // spec.dnssec: from the first Primary that took the zone
  std::set<std::pair<std::string, std::string>> involved;  // servers: ns, name
  for (const api::Server& server : primaries) {
    PrimaryOutcome res;
    res.server = server.name;
    involved.insert({server.ns, server.name});
    std::string problem, reason;
    std::shared_ptr<providers::Provider> p = provider_for(server, &problem, &reason);
    if (!p && reason == reasons::kSecretPending) {
      why = reasons::kSecretPending;
      co_return false;  // the Secret is not read yet: soon
    }
    if (!p) {
      res.server_reason = reason;
      // No usable credentials: TSIG for RFC 2136, the API token for Technitium.
      const bool no_credentials = reason == reasons::kSecretNotFound ||
                                  reason == reasons::kSecretInvalid ||
                                  reason == reasons::kSecretForbidden;
      res.reason = !no_credentials     ? reason
                   : server.technitium ? std::string(reasons::kAuthenticationFailed)
                                       : std::string(reasons::kTsigAuthFailed);
      res.message = problem;
      results.push_back(std::move(res));
      continue;
    }
    std::vector<telemetry::LogField> fields{
        {"zone", zone_text}, {"object", "DNSZone/" + zone.key()}, {"server", server.key()}};
    // Named, not temporaries of the co_await expression: GCC 12 may destroy those twice.
    const ConvergeOptions how{.check_first = check_servers, .dry_run = options_.dry_run};
    const Planner planner = [&](const providers::ServedZone& served) {
      plan::ZoneOwnership mine = own;
      mine.foreign = served.foreign;
      plan::ZonePlan zp =
          touched ? plan::plan_zone(zone.zone_name, model::at_owners(desired.rrsets, *touched),
                                    model::at_owners(served.rrsets, *touched), mine)
                  : plan::plan_zone(zone.zone_name, desired.rrsets, served.rrsets, mine);
      if (!own.remove_undeclared && !zp.undeclared.empty() && rt->declared.empty()) {
        metrics_.drift_found(zone_text, zp.undeclared.size());
      }
      plan::Plan out{std::move(zp.changes), std::move(zp.diff), std::move(zp.notes)};
      if (served.keeps_notes) {  // Technitium: owner and description in the comments
        plan::plan_notes(out, record_notes(desired, records_seen), desired.rrsets, served.rrsets,
                         served.notes, served.foreign);
      }
      return out;
    };
    ConvergeStep step = co_await converge(*p, zone.zone_name, how, fields, planner, alive);
    if (step.abandoned) co_return true;
    if (step.failure) {
      res.reason = step.failure->reason;
      res.message = step.loading ? fmt::format("{} ({}): zone transfer of {}: {}", server.key(),
                                               p->endpoint(), zone_text, step.failure->message)
                                 : fmt::format("{} ({}): {}", server.key(), p->endpoint(),
                                               step.failure->message);
      fields.push_back({"reason", res.reason});
      telemetry::log(spdlog::level::warn, fields, res.message);
    } else {
      res.ok = true;
      for (const auto& f : step.outcome.refused) {
        std::string why = fmt::format("{} ({}) refused the change of {} {}: {}", server.key(),
                                      p->endpoint(), f.change.rrset.owner().to_string(),
                                      model::to_string(f.change.rrset.type()), f.message);
        telemetry::log(spdlog::level::warn,
                       {{"zone", zone_text},
                        {"server", server.key()},
                        {"reason", std::string(reasons::kUpdateRefused)}},
                       why);
        res.refused[f.change.rrset.key()] = std::move(why);
      }
    }
    bool applied_any = step.outcome.applied > 0;
    res.applied = applied_any;
    if (const providers::ServedZone* s = p->served(zone.zone_name)) {
      res.serial = s->serial;
      if (zone.dnssec && res.ok && !dnssec) dnssec = dnssec_status(zone.zone_name, *s);
    }
    results.push_back(std::move(res));
  }

  const PrimariesSummary sum = summarize(results);
  const size_t ok_count = sum.ok;
  const bool any_applied = sum.any_applied;
  const std::optional<uint32_t> primary_serial = sum.serial;
  // What we declare now: replaced when every Primary took it, added to when some did.
  if (touched) {
    for (const Name& owner : *touched) {
      if (ok_count == results.size()) {
        auto [lo, hi] = model::at_owner(rt->declared, owner);
        rt->declared.erase(lo, hi);
      }
      if (ok_count == 0) continue;
      auto [lo, hi] = model::at_owner(desired.rrsets, owner);
      for (; lo != hi; ++lo) rt->declared.insert(lo->first);
    }
  } else if (ok_count > 0) {
    if (ok_count == results.size()) rt->declared.clear();
    for (const auto& [k, s] : desired.rrsets) rt->declared.insert(k);
  }

  // Secondaries: NOTIFY after a change, then compare serials.
  std::vector<SecondaryOutcome> seconds;
  for (const api::Server& server : secondaries) {
    involved.insert({server.ns, server.name});
    SecondaryOutcome so{server.name, server.key(), std::nullopt, primary_serial, ""};
    for (const auto& r : results) {
      if (server.primary_server_name && r.server == *server.primary_server_name) so.want = r.serial;
    }
    std::string problem, reason;
    std::shared_ptr<providers::Provider> p = provider_for(server, &problem, &reason);
    if (p) {
      if ((any_applied || rt->secondaries_behind) && so.want) {
        (void)co_await p->notify(zone.zone_name, so.want);
      }
      auto serial = co_await p->soa_serial(zone.zone_name);
      if (!*alive) co_return true;
      if (serial) {
        so.serial = *serial;
      } else {
        so.why = serial.error().message;
      }
    } else {
      so.why = problem;
    }
    seconds.push_back(std::move(so));
  }

  ZoneReport rep =
      report_zone({zone, zref, desired, records_seen, results, seconds, report_only}, rt->acks);
  rt->secondaries_behind = rep.secondaries_behind;
  rep.zone.ds_config_map = zone.dnssec ? zone.dnssec->ds_config_map : "";
  // No Primary took the zone now: its DS is not known, and the ConfigMap keeps what it holds
  // (an outage must not read as "unsigned" to whatever updates the parent).
  if (zone.dnssec && !dnssec) rep.zone.ds_config_map = std::nullopt;
  if (zone.dnssec) {
    rep.zone.dnssec = dnssec ? *dnssec : DnssecStatus{zone_text, false, {}};
    if (rep.zone.dnssec->is_signed) {
      rt->unsigned_checks = 0;
    } else {
      // named signs a new zone a moment after the agent adds it (its serial moves then): look
      // at the Primaries' serials again soon rather than at the next drift check; less and less
      // often if nothing signs it (a catalog consumer that is not zonekeeper's agent).
      rt->check_servers = true;
      const auto delay = std::min<std::chrono::milliseconds>(
          std::chrono::seconds(1) * (1 << std::min(rt->unsigned_checks, 10)),
          std::max<std::chrono::milliseconds>(options_.drift_interval, std::chrono::seconds(1)));
      ++rt->unsigned_checks;
      queue_.add_after(WorkItem::zone(ns, name, true).key(), delay);
    }
  }
  for (const auto& st : rep.records) sink_.record_status(st);
  report_zone_status(*rt, rep.zone);
  set_served(key, rep.counts);
  // Only now may the next reconcile plan and report only what changes after this one.
  rt->whole_plan_due = ok_count < results.size() ||
                       std::any_of(results.begin(), results.end(),
                                   [](const PrimaryOutcome& r) { return !r.refused.empty(); });

  // The servers' own statuses follow what we just learned about them (deduplicated by the
  // queue; unchanged statuses are not written).
  for (const auto& [sns, sname] : involved) enqueue(WorkItem::server(sns, sname));

  bool all_ok = ok_count == results.size();
  rt->healthy = all_ok;
  if (changed_at && all_ok && any_applied) {
    metrics_.change_applied(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - *changed_at).count());
  } else if (changed_at && !all_ok && (!rt->changed_at || *changed_at < *rt->changed_at)) {
    rt->changed_at = changed_at;  // the retry applies them: timed from the first change
  }
  for (const auto& r : results) {
    if (!r.ok && why.empty()) why = r.reason.empty() ? reasons::kNotReady : r.reason;
  }
  if (any_applied) rt->propagation_checks = 0;
  if (all_ok && rt->secondaries_behind) {
    // Nothing tells us when a Secondary caught up: look again soon, then less and less often.
    auto delay = std::min<std::chrono::milliseconds>(
        std::chrono::milliseconds(200) * (1 << std::min(rt->propagation_checks, 10)),
        options_.drift_interval);
    ++rt->propagation_checks;
    queue_.add_after(WorkItem::zone(ns, name, false).key(), delay);
  }
  metrics_.set_zones(zone_count());
  co_return all_ok;
}

}  // namespace zk::controller
