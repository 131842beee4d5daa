#include "app/cluster_mode.h"

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <map>
#include <memory>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "api/api_credentials.h"
#include "api/kind.h"
#include "api/time.h"
#include "app/bind9_clusters.h"
#include "app/bind9_instances.h"
#include "app/certificates.h"
#include "app/change_notifier.h"
#include "app/ds_config_maps.h"
#include "app/kube_access.h"
#include "app/kube_status_writer.h"
#include "app/status_api.h"
#include "app/ui_api.h"
#include "controller/controller.h"
#include "dns/client.h"
#include "kube/client.h"
#include "kube/config.h"
#include "kube/event_recorder.h"
#include "kube/informer.h"
#include "kube/leader_election.h"
#include "kube/shard_assignment.h"
#include "kube/shard_leases.h"
#include "providers/backend_factory.h"
#include "providers/hosts_file_provider.h"
#include "server/http_server.h"
#include "telemetry/log_feed.h"
#include "telemetry/metrics.h"

namespace zk::app {

namespace asio = boost::asio;
namespace json = boost::json;
using controller::SecretState;

namespace {
kube::ShardLeaseConfig shard_config(const ClusterOptions& options) {
  kube::ShardLeaseConfig c;
  c.lease_namespace = options.lease_namespace;
  c.prefix = effective_lease_name(options);
  c.identity = options.identity;
  c.shards = options.shards;
  return c;
}

// The informer key of traefik.containo.us IngressRoutes (the kind is the same as traefik.io's).
constexpr const char* kLegacyIngressRoute = "IngressRoute.traefik.containo.us";

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : std::move(fallback);
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "zonekeeper";
  return buf;
}

kube::Resource our_resource(std::string_view plural, std::string_view kind) {
  return kube::Resource{std::string(api::kGroup), std::string(api::kVersion), std::string(plural),
                        std::string(kind), true};
}

SecretState secret_state(const kube::ObjectPtr& obj) {
  SecretState st;
  if (!obj) {
    st.kind = SecretState::Kind::Missing;
    return st;
  }
  auto object = obj->parse();
  // What the Secret is depends on the DNSServer naming it: a TSIG key or API credentials.
  if (auto creds = api::decode_api_credentials(object)) {
    st.credentials = std::move(*creds);
  } else {
    st.credentials_error = creds.error();
  }
  auto key = api::decode_tsig_secret(object);
  if (!key) {
    st.kind = SecretState::Kind::Invalid;
    st.message = key.error();
    return st;
  }
  st.kind = SecretState::Kind::Ok;
  st.key = std::move(*key);
  return st;
}

// --dry-run: statuses and Events are dropped (the plans are logged by the controller).
class DiscardingSink : public controller::StatusSink {
 public:
  void record_status(const controller::RecordStatus&) override {}
  void zone_status(const controller::ZoneStatus&) override {}
  void server_status(const controller::ServerStatus&) override {}
  void event(const controller::ObjectRef& ref, bool, std::string_view reason,
             std::string note) override {
    spdlog::debug("not recording Event {} on {} (--dry-run, or --hosts-file without --zone): {}",
                  reason, ref.key(), note);
  }
};

constexpr std::chrono::seconds kApiProbeInterval{5};
constexpr std::chrono::milliseconds kApiProbeTimeout{3000};

// One informer per kind, plus one per referenced Secret; the controller sees every event.
class Cluster {
 public:
  Cluster(asio::io_context& io, std::shared_ptr<kube::Client> client, const ClusterOptions& o)
      : io_(io),
        client_(std::move(client)),
        options_(o),
        events_(client_, events_options(o)),
        writer_(
            client_, [this](std::string_view kind) { return store_of(kind); },
            [this](std::string_view kind) { return resource_of(kind); }, events_, metrics_,
            o.status_writers),
        notifier_(io.get_executor(), writer_, metrics_, {}),
        ds_config_maps_(io.get_executor(), client_, notifier_),
        controller_(io.get_executor(), controller_options(o),
                    o.dry_run || o.hosts_only ? static_cast<controller::StatusSink&>(discard_)
                                              : ds_config_maps_,
                    metrics_, providers_) {
    notifier_.set_lookup([this](const std::string& key) { return controller_.record(key); });
    client_->observe_requests([this](std::string_view verb, std::string_view code) {
      metrics_.kube_request(verb, code);
    });
    if (o.hosts_only) return;  // only the sources are read (start_informers)
    for (api::Kind k : api::kAllKinds) {
      add_informer(our_resource(api::plural(k), api::to_string(k)));
    }
    add_informer(our_resource(api::kDNSZones, api::kDNSZone));
    add_informer(our_resource(api::kDNSServers, api::kDNSServer));
    // Namespaces: their labels and allow-lists, for DNSZones' recordsFrom[].namespaceSelector.
    add_informer(kube::resources::kNamespaces, "Namespace");
    controller_.on_secret_referenced(
        [this](const std::string& ns, const std::string& name) { watch_secret(ns, name); });
    if (o.watch_certificates) {
      CertificateOptions co = o.certificates;
      co.discovery_interval = o.discovery_interval;
      certificates_ = std::make_unique<Certificates>(io.get_executor(), client_, events_, metrics_,
                                                     std::move(co));
    }
  }

  const kube::Store* store_of(std::string_view kind) const {
    auto it = informers_.find(std::string(kind));
    return it == informers_.end() ? nullptr : &it->second->store();
  }
  const kube::Resource* resource_of(std::string_view kind) const {
    auto it = informers_.find(std::string(kind));
    return it == informers_.end() ? nullptr : &it->second->resource();
  }

  bool synced() const {
    for (const auto& [k, inf] : informers_) {
      if (!inf->synced()) return false;
    }
    return true;
  }

  // /readyz: nullopt when ready, else the reason line. Ready = every cache synced and the API
  // server answered the last probe (probe_api, every kApiProbeInterval).
  std::optional<std::string> unready() const {
    // Until discovery has decided which sources are watched, an empty or partly filled set of
    // informers would look synced.
    if (!informers_started_) return "discovering which sources are served";
    std::vector<std::string> pending;
    for (const auto& [k, inf] : informers_) {
      if (!inf->synced()) pending.push_back(k);
    }
    if (!pending.empty()) return fmt::format("caches not synced: {}", fmt::join(pending, ", "));
    if (!api_error_.empty()) {
      return fmt::format("API server unreachable since {}: {}",
                         api::format_rfc3339(api_down_since_), api_error_);
    }
    return std::nullopt;
  }

  // Asks the API server for /version every kApiProbeInterval (the same client, token and TLS
  // as every other call); /readyz says when it does not answer. Transitions are logged.
  asio::awaitable<void> probe_api() {
    while (!stopping_) {
      auto r = co_await client_->request("GET", "/version", std::nullopt, "application/json",
                                         kApiProbeTimeout);
      if (stopping_) co_return;
      if (r && !api_error_.empty()) {
        spdlog::info("API server answers again");
        api_error_.clear();
      } else if (!r) {
        if (api_error_.empty()) {
          api_down_since_ = std::time(nullptr);
          spdlog::warn("API server does not answer: {}", r.error().to_string());
        }
        api_error_ = r.error().to_string();
      }
      probe_timer_.expires_after(kApiProbeInterval);
      boost::system::error_code ec;
      co_await probe_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  ~Cluster() { client_->observe_requests(nullptr); }

  telemetry::Metrics& metrics() { return metrics_; }
  // The gauges and followed totals read at scrape time: queue depth, Events written and
  // dropped, objects in each informer cache (every referenced Secret together).
  void refresh_metrics() {
    metrics_.set_queue_depth(controller_.queue_depth());
    kube::EventRecorderStats ev = events_.stats();
    metrics_.set_events_dropped(ev.not_written());
    metrics_.set_events_written(ev.created + ev.aggregated);
    for (const auto& [kind, inf] : informers_)
      metrics_.set_watched_objects(kind, inf->store().size());
    size_t secrets = 0;
    for (const auto& [key, inf] : secret_informers_) secrets += inf->store().size();
    if (!secret_informers_.empty()) metrics_.set_watched_objects("Secret", secrets);
    if (bind9_) {
      for (const auto& [kind, n] : bind9_->cached()) metrics_.set_watched_objects(kind, n);
    }
    if (certificates_) metrics_.set_watched_objects("Certificate", certificates_->cached());
  }
  controller::Controller& controller() { return controller_; }

  // Informers for the enabled sources whose API resource is served (discovery), then every
  // informer runs.
  asio::awaitable<void> start_informers() {
    const auto& so = options_.sources;
    std::vector<std::pair<std::string, kube::Resource>> missing;  // not served yet
    if (!so.zones.empty()) {
      std::vector<std::pair<std::string, kube::Resource>> wanted;
      auto want = [&](controller::SourceKind k, std::string key, kube::Resource r) {
        if (so.kinds.count(k)) wanted.emplace_back(std::move(key), std::move(r));
      };
      using controller::SourceKind;
      want(SourceKind::Ingress, "Ingress",
           {"networking.k8s.io", "v1", "ingresses", "Ingress", true});
      want(SourceKind::IngressRoute, "IngressRoute",
           {"traefik.io", "v1alpha1", "ingressroutes", "IngressRoute", true});
      if (so.ingressroute.legacy_group) {
        want(SourceKind::IngressRoute, kLegacyIngressRoute,
             {"traefik.containo.us", "v1alpha1", "ingressroutes", "IngressRoute", true});
      }
      want(SourceKind::HTTPRoute, "HTTPRoute",
           {"gateway.networking.k8s.io", "v1", "httproutes", "HTTPRoute", true});
      want(SourceKind::GRPCRoute, "GRPCRoute",
           {"gateway.networking.k8s.io", "v1", "grpcroutes", "GRPCRoute", true});
      want(SourceKind::TLSRoute, "TLSRoute",
           {"gateway.networking.k8s.io", "v1", "tlsroutes", "TLSRoute", true});
      // The routes' parents.
      if (so.kinds.count(SourceKind::HTTPRoute) || so.kinds.count(SourceKind::GRPCRoute) ||
          so.kinds.count(SourceKind::TLSRoute)) {
        wanted.emplace_back("Gateway", kube::Resource{"gateway.networking.k8s.io", "v1", "gateways",
                                                      "Gateway", true});
        // ListenerSets (Gateway API v1.5+, GEP-1713): watched once their CRD is served.
        wanted.emplace_back("ListenerSet", kube::Resource{"gateway.networking.k8s.io", "v1",
                                                          "listenersets", "ListenerSet", true});
      }
      // Namespaces: HTTPRoutes' allowedRoutes selectors and every source's preview environments.
      if (!so.kinds.empty() && !informers_.count("Namespace")) {
        wanted.emplace_back("Namespace", kube::resources::kNamespaces);
      }
      want(SourceKind::DNSEndpoint, "DNSEndpoint",
           {"externaldns.k8s.io", "v1alpha1", "dnsendpoints", "DNSEndpoint", true});
      for (auto& [key, r] : wanted) {
        auto served = co_await client_->resolve(r);
        // NotFound: the CRD is not installed. Anything else (the API server restarting, a
        // timeout) is retried, so a hiccup at start does not drop a source until a restart.
        for (int attempt = 1; !served && served.error().code != kube::ErrorCode::NotFound &&
                              attempt < 6 && !stopping_;
             ++attempt) {
          spdlog::warn("discovery of {}: {}; retrying", key, served.error().to_string());
          asio::steady_timer t(io_);
          t.expires_after(std::chrono::seconds(attempt));
          co_await t.async_wait(asio::use_awaitable);
          served = co_await client_->resolve(r);
        }
        if (stopping_) co_return;
        if (!served) {
          spdlog::warn("source {} is not watched yet: {}; discovery again every {} s", key,
                       served.error().to_string(), options_.discovery_interval.count());
          missing.emplace_back(key, r);
          continue;
        }
        spdlog::info("watching {} ({})", key, r.api_version());
        add_informer(r, key);
      }
    }
    if (!options_.hosts_only && !options_.sources_only) {
      // The servers zonekeeper deploys (Bind9Instance, and the clusters that make instances),
      // when their CRDs are installed: now, or later without a restart.
      std::vector<kube::Resource> managed_missing;
      // Named, not an initializer list of the range-for: GCC 12 and co_await.
      const std::vector<const kube::Resource*> kinds{&Bind9Instances::resource(),
                                                     &Bind9Clusters::resource(),
                                                     &Bind9Clusters::global_resource()};
      for (const kube::Resource* r : kinds) {
        auto served = co_await client_->resolve(*r);
        if (stopping_) co_return;
        if (served) continue;
        spdlog::info("{} is not served ({}): discovery again every {} s", r->kind,
                     served.error().to_string(), options_.discovery_interval.count());
        managed_missing.push_back(*r);
      }
      watch_managed(managed_missing);
      if (!managed_missing.empty()) {
        asio::co_spawn(io_, discover_managed_later(std::move(managed_missing)), asio::detached);
      }
    }
    for (auto& [kind, inf] : informers_) asio::co_spawn(io_, inf->run(), asio::detached);
    // cert-manager's Certificates: looked up until served; not a cache /readyz waits for.
    if (certificates_) asio::co_spawn(io_, certificates_->run(), asio::detached);
    informers_started_ = true;
    if (!missing.empty()) {
      asio::co_spawn(io_, discover_later(std::move(missing)), asio::detached);
    }
  }

  // Sources whose API was not served at start (their CRD not installed: Gateway API, Traefik,
  // external-dns): discovery again every interval, so a CRD installed later is watched
  // without a restart. Its first list feeds the controller like any informer event.
  asio::awaitable<void> discover_later(
      std::vector<std::pair<std::string, kube::Resource>> missing) {
    while (!missing.empty() && !stopping_) {
      discovery_timer_.expires_after(options_.discovery_interval);
      boost::system::error_code ec;
      co_await discovery_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      for (auto it = missing.begin(); it != missing.end() && !stopping_;) {
        auto served = co_await client_->resolve(it->second);
        if (stopping_) co_return;
        if (!served) {  // still not installed (or a hiccup): the next round
          ++it;
          continue;
        }
        spdlog::info("watching {} ({}): its API is served now", it->first,
                     it->second.api_version());
        add_informer(it->second, it->first);
        asio::co_spawn(io_, informers_.at(it->first)->run(), asio::detached);
        it = missing.erase(it);
      }
    }
  }

  // The managed kinds served now (all but `missing`): the Bind9Instance reconciler made once
  // its CRD is served, the cluster kinds added to it as theirs are.
  void watch_managed(const std::vector<kube::Resource>& missing) {
    auto served = [&](const kube::Resource& r) {
      return std::none_of(missing.begin(), missing.end(),
                          [&](const kube::Resource& m) { return m.resource == r.resource; });
    };
    if (!served(Bind9Instances::resource())) return;
    if (!bind9_) {
      bind9_ = std::make_unique<Bind9Instances>(io_.get_executor(), client_,
                                                Bind9Options{.bind9_image = options_.bind9_image,
                                                             .agent_image = options_.agent_image,
                                                             .events = &events_});
      bind9_->on_primary_back([this](const std::string& ns, const std::string& name) {
        controller_.recheck_server(ns, name);
      });
      bind9_->check_zones_with([this](std::string ns, std::string server) {
        return controller_.unserved_zones(std::move(ns), std::move(server));
      });
      bind9_->run_informers();
      if (controller_.running() && (options_.shards == 0 || holds_first_shard_)) bind9_->start();
    }
    if (served(Bind9Clusters::resource())) bind9_->watch_clusters(false);
    if (served(Bind9Clusters::global_resource())) bind9_->watch_clusters(true);
  }

  asio::awaitable<void> discover_managed_later(std::vector<kube::Resource> missing) {
    while (!missing.empty() && !stopping_) {
      managed_discovery_timer_.expires_after(options_.discovery_interval);
      boost::system::error_code ec;
      co_await managed_discovery_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      bool found = false;
      for (auto it = missing.begin(); it != missing.end() && !stopping_;) {
        auto served = co_await client_->resolve(*it);
        if (stopping_) co_return;
        if (!served) {
          ++it;
          continue;
        }
        spdlog::info("{} is served now: watching it", it->kind);
        it = missing.erase(it);
        found = true;
      }
      if (found) watch_managed(missing);
    }
  }

  // Reconcile only with complete caches: a half-listed cache would look like deletions.
  asio::awaitable<void> lead_when_synced(std::shared_ptr<bool> alive) {
    for (auto& [kind, inf] : informers_) {
      while (*alive && !co_await inf->wait_synced(std::chrono::seconds(5))) {
        spdlog::info("waiting for the {} cache", kind);
      }
    }
    if (!*alive) co_return;
    metrics_.set_synced(true);
    spdlog::info("caches synced: {} zones", controller_.zone_count());
    if (!options_.leader_election) {
      start_leading();
      co_return;
    }
    if (options_.shards > 0) {
      co_await share_work(alive);
      co_return;
    }
    kube::LeaderElectionConfig cfg;
    cfg.lease_namespace = options_.lease_namespace;
    cfg.lease_name = effective_lease_name(options_);
    cfg.identity = options_.identity;
    elector_ = std::make_unique<kube::LeaderElector>(client_, cfg);
    elector_->on_started_leading([this] { start_leading(); });
    elector_->on_stopped_leading([this] { stop_leading(); });
    elector_->on_new_leader([](const std::string& who) { spdlog::info("leader: {}", who); });
    while (*alive) {
      auto r = co_await elector_->run();
      if (!r) spdlog::error("leader election: {}", r.error().to_string());
      if (!*alive || stopping_) break;
      asio::steady_timer t(io_);
      t.expires_after(std::chrono::seconds(1));
      co_await t.async_wait(asio::use_awaitable);
    }
  }

  // --shards: the work is divided among the live replicas; the shards this one holds decide
  // what it reconciles (kube::ShardLeases).
  asio::awaitable<void> share_work(std::shared_ptr<bool> alive) {
    shards_ = std::make_unique<kube::ShardLeases>(client_, shard_config(options_));
    shards_->on_held([this](const std::set<uint32_t>& held) { hold_shards(held); });
    shards_->on_handover([this](uint32_t shard) { return quiet(shard); });
    // Until shutdown() stops it (its config was validated at start: run() does not end before).
    if (!*alive || stopping_) co_return;
    auto r = co_await shards_->run();
    if (!r) spdlog::error("sharding: {}", r.error().to_string());
  }

  void hold_shards(const std::set<uint32_t>& held) {
    metrics_.set_shards_held(held.size());
    if (stopping_) return;
    const uint32_t shards = options_.shards;
    controller_.share([held, shards](const controller::WorkItem& w) {
      return held.count(work_shard(w, shards)) > 0;
    });
    holds_first_shard_ = held.count(0) > 0;  // Bind9Instances are shard 0's
    if (held.empty()) {
      stop_leading();
    } else if (!controller_.running()) {
      start_leading();
    }
    if (bind9_ && !holds_first_shard_) bind9_->stop();
    if (bind9_ && holds_first_shard_ && controller_.running()) bind9_->start();
    if (certificates_ && !holds_first_shard_) certificates_->stop();
    if (certificates_ && holds_first_shard_ && controller_.running()) certificates_->start();
  }

  // Before a shard is handed over: its reconciles in progress end, and the status writes queued
  // go out (each wait bounded: the Lease is released in any case).
  asio::awaitable<void> quiet(uint32_t shard) {
    const uint32_t shards = options_.shards;
    auto in_shard = [shard, shards](const controller::WorkItem& w) {
      return work_shard(w, shards) == shard;
    };
    asio::steady_timer t(io_);
    for (int i = 0; i < 250 && (controller_.busy_with(in_shard) || writer_.pending() > 0); ++i) {
      t.expires_after(std::chrono::milliseconds(20));
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }

  asio::awaitable<void> shutdown() {
    stopping_ = true;
    discovery_timer_.cancel();
    managed_discovery_timer_.cancel();
    probe_timer_.cancel();
    stop_leading();
    if (elector_) elector_->stop();
    if (shards_) shards_->stop();
    // The watches and workers end first: an informer that keeps re-listing would compete with
    // the last Events for the API server (a soak's SIGTERM waited minutes for them).
    for (auto& [k, inf] : informers_) inf->stop();
    for (auto& [k, inf] : secret_informers_) inf->stop();
    if (bind9_) co_await bind9_->shutdown();
    if (certificates_) certificates_->shutdown();
    if (const size_t dropped = co_await events_.flush(kEventsFlushDeadline); dropped > 0) {
      spdlog::warn("shutting down: {} queued Event(s) not written within {} s", dropped,
                   kEventsFlushDeadline.count() / 1000);
    }
  }

 private:
  static constexpr std::chrono::milliseconds kEventsFlushDeadline{5000};
  static kube::EventRecorderOptions events_options(const ClusterOptions& o) {
    kube::EventRecorderOptions e;
    e.reporting_instance = o.identity;
    // A cold start that writes thousands of new Ingress hosts records one Programmed Event
    // each; they are written one at a time, so the queue must hold them (about 300 bytes each).
    e.max_queue = 50000;
    return e;
  }
  static controller::ControllerOptions controller_options(const ClusterOptions& o) {
    controller::ControllerOptions c;
    c.drift_interval = o.drift_interval;
    c.workers = o.workers;
    c.sources = o.sources;
    c.dry_run = o.dry_run;
    c.dnszones = !o.sources_only && !o.hosts_only;
    if (!o.hosts_file.empty()) {
      c.hosts_file = std::make_shared<providers::HostsFileProvider>(
          o.hosts_file, "zonekeeper controller --hosts-file");
    }
    return c;
  }

  void start_leading() {
    if (stopping_) return;
    spdlog::info("leading: reconciling");
    controller_.start();
    if (bind9_ && (options_.shards == 0 || holds_first_shard_)) bind9_->start();
    if (certificates_ && (options_.shards == 0 || holds_first_shard_)) certificates_->start();
  }
  void stop_leading() {
    if (bind9_) bind9_->stop();
    if (certificates_) certificates_->stop();
    if (!controller_.running()) return;
    spdlog::info("not leading: reconciling stopped");
    controller_.stop();
    writer_.clear();
    ds_config_maps_.clear();
  }

  void add_informer(const kube::Resource& r, std::string_view key = {}) {
    std::string kind(key.empty() ? std::string_view(r.kind) : key);
    kube::InformerOptions o;
    if (source_kind(kind)) {
      // --namespace and --label-filter narrow the watches themselves (the catalog checks
      // them again); --annotation-filter cannot be said to the API server.
      o.namespace_ = options_.sources.only_namespace;
      o.label_selector = options_.sources.label_filter.to_string();
    }
    // The stores of the record kinds and of the sources are read by the status writer alone
    // (store_of); the controller's catalogs decode the whole objects.
    if (api::parse_kind(kind) || source_kind(kind)) o.keep = KubeStatusWriter::keep_for_status;
    auto inf = std::make_unique<kube::Informer>(client_, r, o);
    inf->on_event(
        [this, kind](kube::DeltaType t, const kube::ObjectPtr& old_obj,
                     const kube::ObjectPtr& new_obj) { on_event(kind, t, old_obj, new_obj); });
    informers_.emplace(kind, std::move(inf));
  }

  static std::optional<controller::SourceKind> source_kind(const std::string& kind) {
    if (kind == kLegacyIngressRoute) return controller::SourceKind::IngressRoute;
    for (auto k : controller::kAllSourceKinds) {
      if (controller::to_string(k) == kind) return k;
    }
    return std::nullopt;
  }

  static std::optional<controller::RouteParent> route_parent(std::string_view kind) {
    if (kind == "Gateway") return controller::RouteParent::Gateway;
    if (kind == "ListenerSet") return controller::RouteParent::ListenerSet;
    return std::nullopt;
  }

  void on_event(const std::string& kind, kube::DeltaType t, const kube::ObjectPtr& old_obj,
                const kube::ObjectPtr& new_obj) {
    auto source = source_kind(kind);
    if (t == kube::DeltaType::Deleted) {
      std::string ns(old_obj->namespace_()), name(old_obj->name());
      if (source) {
        controller_.remove_source(*source, ns, name);
      } else if (auto parent = route_parent(kind)) {
        controller_.remove_route_parent(*parent, ns, name);
      } else if (kind == "Namespace") {
        controller_.remove_namespace(name);
      } else if (kind == api::kDNSZone) {
        controller_.remove_zone(ns, name);
      } else if (kind == api::kDNSServer) {
        controller_.remove_server(ns, name);
      } else if (auto k = api::parse_kind(kind)) {
        controller_.remove_record(*k, ns, name);
      }
      return;
    }
    json::value v = new_obj->parse();
    if (source) {
      controller_.put_source(*source, v);
    } else if (auto parent = route_parent(kind)) {
      controller_.put_route_parent(*parent, v);
    } else if (kind == "Namespace") {
      controller_.put_namespace(v);
    } else if (kind == api::kDNSZone) {
      controller_.put_zone(v);
    } else if (kind == api::kDNSServer) {
      controller_.put_server(v);
    } else {
      controller_.put_record(v);
    }
  }

  void watch_secret(const std::string& ns, const std::string& name) {
    std::string key = ns + "/" + name;
    if (secret_informers_.count(key)) return;
    kube::InformerOptions o;
    o.namespace_ = ns;
    o.field_selector = "metadata.name=" + name;
    auto inf = std::make_unique<kube::Informer>(client_, kube::resources::kSecrets, o);
    inf->on_event([this, ns, name](kube::DeltaType t, const kube::ObjectPtr&,
                                   const kube::ObjectPtr& new_obj) {
      controller_.put_secret(ns, name,
                             secret_state(t == kube::DeltaType::Deleted ? nullptr : new_obj));
    });
    auto* raw = inf.get();
    inf->on_synced([this, ns, name, raw] {
      if (!raw->store().get(ns, name)) controller_.put_secret(ns, name, secret_state(nullptr));
    });
    secret_informers_.emplace(key, std::move(inf));
    // Forbidden never syncs: find out with one GET, so the server can say why.
    asio::co_spawn(
        io_,
        [this, ns, name]() -> asio::awaitable<void> {
          auto r = co_await client_->get(kube::resources::kSecrets, ns, name);
          if (!r && r.error().code == kube::ErrorCode::Forbidden) {
            SecretState st;
            st.kind = SecretState::Kind::Forbidden;
            st.message = fmt::format(
                "the controller may not read Secrets in namespace {}: bind ClusterRole "
                "zonekeeper-tsig-secret-reader there",
                ns);
            controller_.put_secret(ns, name, st);
          } else if (!r && r.error().code == kube::ErrorCode::NotFound) {
            controller_.put_secret(ns, name, secret_state(nullptr));
          }
        },
        asio::detached);
    asio::co_spawn(io_, raw->run(), asio::detached);
  }

  asio::io_context& io_;
  std::shared_ptr<kube::Client> client_;
  ClusterOptions options_;
  telemetry::Metrics metrics_;
  providers::BackendFactory providers_{io_.get_executor(), &metrics_};
  kube::EventRecorder events_;
  KubeStatusWriter writer_;
  DiscardingSink discard_;       // --dry-run: no status, annotation or Event is written
  ChangeNotifier notifier_;      // in front of writer_: the notify-url webhooks
  DsConfigMaps ds_config_maps_;  // in front of notifier_: DNSZones' spec.dnssec.dsConfigMap
  std::map<std::string, std::unique_ptr<kube::Informer>> informers_;
  std::map<std::string, std::unique_ptr<kube::Informer>> secret_informers_;
  controller::Controller controller_;
  std::unique_ptr<kube::LeaderElector> elector_;
  std::unique_ptr<kube::ShardLeases> shards_;
  std::unique_ptr<Bind9Instances> bind9_;       // when the Bind9Instance CRD is served
  std::unique_ptr<Certificates> certificates_;  // --watch-certificates
  bool holds_first_shard_ = false;
  asio::steady_timer discovery_timer_{io_};          // discover_later's wait
  asio::steady_timer managed_discovery_timer_{io_};  // discover_managed_later's
  asio::steady_timer probe_timer_{io_};              // probe_api's wait
  std::string api_error_;                            // the last probe's error ("" = it answered)
  std::time_t api_down_since_ = 0;
  bool stopping_ = false;
  bool informers_started_ = false;  // start_informers() has run every informer it found
};

}  // namespace

std::string effective_lease_name(const ClusterOptions& options) {
  return options.dry_run ? options.lease_name + "-dry-run" : options.lease_name;
}

uint32_t work_shard(const controller::WorkItem& item, uint32_t shards) {
  if (shards <= 1 || item.kind == controller::WorkItem::Kind::SharedZone) return 0;
  return static_cast<uint32_t>(kube::stable_hash(item.key()) % shards);
}

int run_cluster(const ClusterOptions& given) {
  ClusterOptions o = given;
  const std::string own_namespace = env_or("POD_NAMESPACE", "zonekeeper-system");
  if (o.lease_namespace.empty()) o.lease_namespace = own_namespace;
  if (o.certificates.wildcard_namespace.empty()) o.certificates.wildcard_namespace = own_namespace;
  if (o.identity.empty()) o.identity = env_or("POD_NAME", host_name());

  if (o.shards > 0) {
    if (!o.leader_election) {
      fmt::print(stderr, "zonekeeper: --shards needs leader election (not --no-leader-election)\n");
      return 2;
    }
    if (auto v = kube::ShardLeases::validate(shard_config(o)); !v) {
      fmt::print(stderr, "zonekeeper: --shards: {}\n", v.error().message);
      return 2;
    }
  }
  auto listen = dns::ServerAddress::parse(o.listen);
  if (!listen) {
    fmt::print(stderr, "zonekeeper: --listen {}: {}\n", o.listen, listen.error());
    return 2;
  }
  auto cfg =
      o.kubeconfig.empty() ? kube::load_default_config() : kube::load_kubeconfig(o.kubeconfig);
  if (!cfg) {
    fmt::print(stderr, "zonekeeper: {}\n", cfg.error().to_string());
    return 1;
  }
  asio::io_context io(1);
  kube::TransportOptions topts;
  topts.max_idle_connections = 16;  // the status writers' keep-alive connections, and some
  auto client = kube::Client::create(io.get_executor(), *cfg, topts);
  if (!client) {
    fmt::print(stderr, "zonekeeper: {}\n", client.error().to_string());
    return 1;
  }
  auto cluster = std::make_unique<Cluster>(io, *client, o);

  server::HttpServerOptions hopts;
  hopts.address = listen->host;
  hopts.port = listen->port;
  server::HttpServer http(io.get_executor(), hopts);
  Cluster* c = cluster.get();
  http.route("/healthz", [] { return server::Response{200, "text/plain; charset=utf-8", "ok\n"}; });
  http.route("/readyz", [c] {
    auto why = c->unready();
    if (!why) return server::Response{200, "text/plain; charset=utf-8", "ok\n"};
    return server::Response{503, "text/plain; charset=utf-8", *why + "\n"};
  });
  auto feed = std::make_shared<telemetry::LogFeed>();
  telemetry::attach_log_feed(feed);
  app::UiRoutes ui(http, c->controller(),
                   {.anonymous_read = o.ui_anonymous_read,
                    .gate = app::kube_gate(*client),
                    .write_record = app::kube_record_writer(*client),
                    .status_document =
                        [c, &o] {
                          return app::status_document(app::status_inputs(c->controller(), "cluster",
                                                                         o.identity, c->unready()));
                        },
                    .feed = feed});
  http.route("/metrics", [c] {
    c->refresh_metrics();
    return server::Response{200, std::string(telemetry::Metrics::kContentType),
                            c->metrics().render()};
  });
  if (auto started = http.start(); !started) {
    fmt::print(stderr, "zonekeeper: {}\n", started.error());
    return 1;
  }
  spdlog::info("zonekeeper controller {} serving /healthz /readyz /metrics /ui /api/v1 on {}:{}",
               o.identity, listen->host, http.port());

  auto alive = std::make_shared<bool>(true);
  asio::co_spawn(
      io,
      [c, alive]() -> asio::awaitable<void> {
        co_await c->start_informers();
        co_await c->lead_when_synced(alive);
      },
      asio::detached);
  asio::co_spawn(io, c->probe_api(), asio::detached);

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: shutting down", sig);
    *alive = false;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          co_await cluster->shutdown();
          http.stop();
          io.stop();
        },
        asio::detached);
  });
  io.run();
  // Let every coroutine that shutdown() cancelled unwind while the objects it refers to still
  // exist: destroying the io_context with frames still suspended would run their destructors
  // after the informers and clients are gone (found by ASan).
  io.restart();
  io.run_for(std::chrono::seconds(5));
  spdlog::info("stopped");
  return 0;
}

}  // namespace zk::app
