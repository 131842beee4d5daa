// The reconciler: declared objects in, served zones and truthful status out.
//
//   providers::Rfc2136Factory factory(ex, &metrics);
//   Controller c(ex, {.drift_interval = 60s}, sink, metrics, factory);
//   c.put_zone(json); c.put_record(json); c.put_server(json); c.put_secret(ns, name, state);
//   c.start();      // the leader reconciles; everyone else only keeps the catalog current
//   ...             // informer events (cluster) or file events (local) keep calling put_*/remove_*
//   c.stop();
//
// Work items (WorkQueue keys): "z/ns/name" a DNSZone, "s/ns/name" a DNSServer, "n/ns" the
// record objects of a namespace without any DNSZone (NotSelected), "x/<zone>" a shared zone
// (--zone) written by the Ingress/IngressRoute/HTTPRoute/DNSEndpoint sources (shared_zone.cc). A
// catalog change enqueues only what it affects: a record change its selecting zones (old and new
// labels), a zone or server change the zones of its namespace. A record update that changes neither
// spec, labels nor generation (our own status writes coming back) enqueues nothing.
//
// A zone reconcile: sources::desired_zone → for each Primary plan::plan_zone against the
// provider's copy → atomic UPDATEs (a refused batch is bisected) → NOTIFY and SOA checks of
// the Secondaries → statuses (StatusSink writes only what changed). Failures are retried
// with capped exponential backoff and jitter; other zones are unaffected. Every
// drift_interval each zone's servers get one SOA query; only a moved serial costs a transfer
// and a re-plan (Remediate) or a DriftDetected event (Report).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/value.hpp>
#include <tl/expected.hpp>

#include "api/kind.h"
#include "api/record.h"
#include "api/server.h"
#include "api/tsig_secret.h"
#include "api/zone.h"
#include "controller/activity.h"
#include "controller/dns_check.h"
#include "controller/object_catalog.h"
#include "controller/provider_pool.h"
#include "controller/source_catalog.h"
#include "controller/status.h"
#include "controller/work_queue.h"
#include "controller/zone_report.h"
#include "managed/zone_load.h"
#include "model/rrset.h"

namespace zk::providers {
class Provider;
class ProviderFactory;
}  // namespace zk::providers

namespace zk::telemetry {
class Metrics;
}

namespace zk::controller {

using telemetry::Metrics;

struct ControllerOptions {
  std::chrono::milliseconds drift_interval{std::chrono::seconds(60)};
  // A DNSZone status that differs from the last one written only in serials and lastSyncTime
  // waits this long at most (one write per interval under a stream of changes, not one each).
  std::chrono::milliseconds zone_serial_refresh{std::chrono::seconds(5)};
  size_t workers = 4;
  RetryPolicy retry{};
  SourceOptions sources;  // shared zones and the Ingress/…/DNSEndpoint sources
  // Plans are logged ("dry-run: …"), never applied; the wiring also drops statuses and Events.
  bool dry_run = false;
  // False (--sources-only): only the shared zones are reconciled; DNSZones, records and
  // DNSServer statuses are left to another instance (DNSServer objects are still read).
  bool dnszones = true;
  // --hosts-file: one more backend of every shared zone, the managed block of a hosts file
  // (providers::HostsFileProvider, built by app/): their A and AAAA records, planned as a
  // whole (the block is ours: no TXT registry there).
  std::shared_ptr<providers::Provider> hosts_file;
};

// Where statuses and events go: the API server (cluster mode) or the terminal (local mode).
class StatusSink {
 public:
  virtual ~StatusSink() = default;
  virtual void record_status(const RecordStatus& s) = 0;
  virtual void zone_status(const ZoneStatus& s) = 0;
  virtual void server_status(const ServerStatus& s) = 0;
  virtual void endpoint_status(const EndpointStatus& /*s*/) {}
  virtual void event(const ObjectRef& ref, bool warning, std::string_view reason,
                     std::string note) = 0;
  // The object is gone; drop anything cached for it.
  virtual void forget(const ObjectRef& /*ref*/) {}
};

class StatusLedger;

// One row of the UI's records table (/api/v1/records): an RRset zonekeeper serves, or should,
// with one object that declares it; or a record object that is not served, with its reason.
struct RecordRow {
  std::string name;  // absolute owner name ("www.example.test.")
  std::string type;  // mnemonic; "" for a source object that declares nothing servable
  std::optional<uint32_t> ttl;
  std::vector<std::string> values;   // presentation form, sorted; empty when not served
  std::string zone;                  // the zone's DNS name; "" when none selects it
  std::string zone_source;           // "DNSZone ns/name" | "--zone" | ""
  std::vector<std::string> servers;  // DNSServers "ns/name"
  DnsCheckSource source;             // kind/ns/name of the object; kind "" when none is known
  ConditionSpec ready{"Ready", "Unknown", "", ""};  // the object's, as last reported
  std::string owner, description;  // a record object's dns.zonekeeper.io/owner, /description
};

class Controller {
 public:
  // `factory` builds the provider of each DNSServer (providers::Rfc2136Factory in the wiring).
  Controller(boost::asio::any_io_executor ex, const ControllerOptions& options, StatusSink& sink,
             Metrics& metrics, providers::ProviderFactory& factory);
  // NOLINTNEXTLINE(bugprone-exception-escape): its timers' cancel() cannot fail on Linux.
  ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  // The catalog. `object` is the full object (JSON); decoding problems become statuses.
  void put_zone(const boost::json::value& object);
  void remove_zone(std::string_view ns, std::string_view name);
  void put_record(const boost::json::value& object);
  void remove_record(api::Kind kind, std::string_view ns, std::string_view name);
  void put_server(const boost::json::value& object);
  void remove_server(std::string_view ns, std::string_view name);
  void put_secret(std::string_view ns, std::string_view name, SecretState state);
  // Source objects for the shared zones (ignored when no --zone is configured).
  void put_source(SourceKind kind, const boost::json::value& object);
  void remove_source(SourceKind kind, std::string_view ns, std::string_view name);
  void put_route_parent(RouteParent kind, const boost::json::value& object);
  void remove_route_parent(RouteParent kind, std::string_view ns, std::string_view name);
  void put_namespace(const boost::json::value& object);
  void remove_namespace(std::string_view name);
  const SourceCatalog& sources() const { return catalog_; }
  // A record object by "Kind/ns/name", as last read; nullptr when unknown.
  const api::RecordObject* record(std::string_view key) const { return objects_.find_record(key); }
  // Called for every Secret a DNSServer references ("ns", "name"), so the wiring can watch it.
  void on_secret_referenced(std::function<void(const std::string&, const std::string&)> f) {
    secret_referenced_ = std::move(f);
  }

  // Reconcile (the leader) from now on: every zone, server and namespace once, then events.
  void start();
  // Stop reconciling (leadership lost, shutdown). The catalog stays current.
  void stop();
  bool running() const { return running_; }
  // Sharding (--shards): only the work items `owns` says yes to are done here (all when unset).
  // The wiring must give every SharedZone item the same answer: the shared zones of the sources
  // and the source objects' statuses they decide are one unit. While running, the items it
  // newly owns are done in full at once (as start() does for all); those it no longer owns are
  // dropped from the queue (one in progress ends: see busy_with).
  using WorkFilter = std::function<bool(const WorkItem&)>;
  void share(WorkFilter filter);
  // Whether an item `which` says yes to is being reconciled now (a shard is handed over once
  // none is).
  bool busy_with(const WorkFilter& which) const;
  // Nothing queued or in progress (for tests and local mode's "converged").
  bool idle() const { return !queue_.busy(); }
  size_t queue_depth() const { return queue_.depth(); }
  size_t zone_count() const;

  // What the workers did lately (/api/v1/status).
  const Activity& activity() const { return activity_; }
  // Each DNSZone as last reported: its Ready condition, record counts and every server's serial
  // (nothing reported yet: ready.status "Unknown"). Sorted by namespace/name.
  struct ZoneSummary {
    std::string ns, name, zone;  // zone: the DNS name of its last valid generation, or ""
    ConditionSpec ready{"Ready", "Unknown", "", ""};
    size_t record_count = 0;  // status.recordCount: records served
    size_t served = 0;        // record objects whose Ready is True
    std::vector<ServerSerial> servers;
    // The matchLabels of its first recordsFrom selector: what a new record needs to be selected.
    std::map<std::string, std::string> record_labels;
    // Every namespace where a new record may be created for it, with those labels.
    std::vector<sources::RecordTarget> record_targets;
  };
  std::vector<ZoneSummary> zone_summaries() const;
  // A zone zonekeeper manages (a DNSZone not in conflict, or a shared zone of the sources) and
  // what it should serve there now: the desired RRsets, the objects behind each, its servers.
  struct ManagedZone {
    model::Name zone;
    std::string source;  // "DNSZone ns/name" | "--zone"
    model::RRsetMap rrsets;
    std::map<model::RRsetKey, std::vector<DnsCheckSource>> sources;
    std::vector<api::Server> servers;
  };
  // Every managed zone (DNSZones by namespace/name, then the shared zones), for /api/v1/export.
  std::vector<ManagedZone> managed_zones() const;
  // The closest managed zone enclosing `name`.
  std::optional<ManagedZone> zone_of(const model::Name& name) const;
  // /api/v1/test-dns: what should be served for name/type and what every server of its zone
  // answers now (zone_views.cc). Unexpected: the name is in no zone zonekeeper manages.
  boost::asio::awaitable<tl::expected<DnsCheck, std::string>> check_dns(model::Name name,
                                                                        model::RRType type);
  // The records table: every RRset of every managed zone but the SOA, once per object declaring
  // it (the apex NS and glue: the DNSZone), then the record and source objects that serve
  // nothing (each with its last Ready condition: why not).
  std::vector<RecordRow> record_rows() const;
  // The UI's resync: every DNSZone (or only `zone_key`, "ns/name") reconciled in full now, its
  // servers asked for their serial first (so a change made around zonekeeper is seen and put
  // back or reported); every shared zone too when `zone_key` is empty. Returns the work items
  // queued: 0 when not leading, or when no such DNSZone exists.
  size_t resync(const std::string& zone_key = "");
  // DNSServer ns/name may have lost what it held (a managed Primary's Pod came back, perhaps on
  // an empty volume): its catalog and every zone it serves are checked against it now, not at
  // the next drift check. Returns the work items queued (0 when not leading).
  size_t recheck_server(const std::string& ns, const std::string& name);
  // Of the zones DNSServer ns/name should serve (the valid DNSZones that select it, not in
  // conflict), those it does not answer the SOA query of now, with its answer (SERVFAIL,
  // REFUSED, NOTAUTH) — for a managed Pod's ZoneLoadFailed (served_zones.cc). Nullopt when the
  // server is unknown, has no usable credentials, or does not answer at all (not a zone's
  // trouble). Asks from any replica: the catalog and the providers are everywhere.
  boost::asio::awaitable<std::optional<managed::ServedZones>> unserved_zones(std::string ns,
                                                                             std::string name);
  // Moves whenever what zone_summaries(), managed_zones() or record_rows() return may have
  // changed (a catalog change that queued work, a status reported): views may be cached by it.
  uint64_t view_version() const;

 private:
  // resync() and recheck_server(): the DNSZones `which` accepts (by "ns/name") reconciled in
  // full now, their servers asked for their serial first. Returns how many were queued.
  size_t check_zones_now(const std::function<bool(const std::string&)>& which);
  struct ZoneRuntime;
  struct SharedRuntime;

  boost::asio::awaitable<void> worker();
  // `alive` and `timer` are this term's, taken when it starts: a loop that first runs after a
  // stop() must see that term's end, not the next one's.
  boost::asio::awaitable<void> drift_loop(std::shared_ptr<bool> alive,
                                          boost::asio::steady_timer* timer);
  void apply(CatalogChange change);
  void enqueue(const WorkItem& item);
  bool owns(const WorkItem& item) const { return !owns_ || owns_(item); }
  // The shared zones and source statuses are done here (one unit: see share()).
  bool owns_sources() const;
  // Everything `gained` says yes to, once in full: the served state may have changed while
  // another replica (or nobody) did it.
  void take_over(const WorkFilter& gained);
  // Each reconcile_* says whether it succeeded (false: retried with backoff) and, when not, sets
  // `why` to the reason (for zonekeeper_reconcile_errors_total).
  boost::asio::awaitable<bool> reconcile(const std::string& key, std::string& why);
  boost::asio::awaitable<bool> reconcile_zone(const std::string& ns, const std::string& name,
                                              std::string& why);
  boost::asio::awaitable<bool> check_zone_drift(const std::string& ns, const std::string& name,
                                                std::string& why);
  boost::asio::awaitable<bool> reconcile_server(const std::string& ns, const std::string& name);
  // spec.catalogZone (server_catalog.cc): the catalog's members made the zones the server
  // serves; the Secondaries NOTIFYed. Why it failed, if it did.
  boost::asio::awaitable<std::optional<std::string>> keep_catalog(const api::Server& server,
                                                                  providers::Provider& provider,
                                                                  std::shared_ptr<bool> alive);
  bool reconcile_namespace(const std::string& ns);
  // Shared zones (work item "x/<zone>"): the sources' endpoints, owned via the TXT registry.
  boost::asio::awaitable<bool> reconcile_shared_zone(const model::Name& zone, std::string& why);
  void enqueue_shared(const std::set<model::Name>& zones);
  void report_source(const std::string& id);
  // After a Gateway, ListenerSet or Namespace changed: the routes it left in no shared zone are
  // reported now (no zone's reconcile will), e.g. a Gateway that stopped admitting them.
  void report_zoneless_routes();
  void set_source_counts(const std::string& id, std::map<std::string, size_t> counts);
  void report_source_metrics();
  void report_previews();  // zonekeeper_preview_environments
  void report_namespace(const std::string& name);
  std::string namespace_problem(const std::string& name) const;

  std::shared_ptr<ZoneRuntime> runtime(const std::string& zone_key);
  // Its last reconcile succeeded on every Primary.
  bool zone_healthy(const std::string& zone_key) const;
  void set_served(const std::string& zone_key, const RecordCounts& counts);
  // Remembered for zone_summaries() and handed to sink_.zone_status — at once, unless it
  // differs from the last one sent only in serials (then within zone_serial_refresh).
  void report_zone_status(ZoneRuntime& rt, const ZoneStatus& st);
  void send_zone_status(ZoneRuntime& rt, const ZoneStatus& st);
  std::shared_ptr<providers::Provider> provider_for(const api::Server& server, std::string* problem,
                                                    std::string* reason);

  std::string now_rfc3339() const;
  // A DNSZone's ("ns/name") Ready condition as last reported (Unknown before).
  ConditionSpec zone_ready(const std::string& zone_key) const;
  ManagedZone view_of(const api::Zone& zone) const;
  ManagedZone view_of(const SharedZone& zone) const;

  boost::asio::any_io_executor ex_;
  ControllerOptions options_;
  std::unique_ptr<StatusLedger> ledger_;  // in front of the wiring's sink
  StatusSink& sink_;                      // *ledger_
  Metrics& metrics_;
  WorkQueue queue_;
  ObjectCatalog objects_;
  std::map<std::string, std::shared_ptr<ZoneRuntime>> zone_rt_;  // "ns/name" of the DNSZone
  size_t records_served_ = 0;  // the sum of every ZoneRuntime's `served`
  ProviderPool providers_;
  std::function<void(const std::string&, const std::string&)> secret_referenced_;
  SourceCatalog catalog_;
  std::map<model::Name, std::shared_ptr<SharedRuntime>> shared_rt_;
  std::map<std::string, std::string> reported_;  // source id → last verdict reported
  std::set<std::string> fresh_;  // source ids created while leading, not reported yet
  struct NamespaceProblem {
    ObjectRef ref;
    std::string told;  // the preview problem last told ("" = not yet)
  };
  std::map<std::string, NamespaceProblem> namespace_problems_;          // Namespaces with a problem
  std::map<std::string, std::map<std::string, size_t>> source_counts_;  // id → state → n
  std::map<std::string, size_t> source_totals_;                         // state → n
  bool running_ = false;
  WorkFilter owns_;                  // null: everything
  std::multiset<std::string> busy_;  // work item keys being reconciled
  uint64_t view_version_ = 0;        // see view_version()
  Activity activity_;
  std::shared_ptr<bool> generation_;  // replaced on stop(): ends the loops of the last start()
  std::unique_ptr<boost::asio::steady_timer> drift_timer_;
};

}  // namespace zk::controller
