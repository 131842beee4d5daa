#include "app/bind9_instances.h"

#include <ctime>
#include <optional>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "api/bind9_instance.h"
#include "api/condition.h"
#include "api/time.h"
#include "app/bind9_clusters.h"
#include "app/deployer.h"
#include "app/primary_keys.h"
#include "controller/work_queue.h"
#include "managed/bind9_cluster.h"
#include "managed/bind9_objects.h"
#include "managed/bind9_status.h"

namespace zk::app {

namespace asio = boost::asio;
namespace json = boost::json;
using api::Bind9Instance;
using api::ServerRole;

namespace {

const kube::Resource kInstances{"dns.zonekeeper.io", "v1alpha1", "bind9instances", "Bind9Instance",
                                true};
const kube::Resource kStatefulSets{"apps", "v1", "statefulsets", "StatefulSet", true};
const kube::Resource kPods{"", "v1", "pods", "Pod", true};
const kube::Resource kServices{"", "v1", "services", "Service", true};
const kube::Resource kDNSServers{"dns.zonekeeper.io", "v1alpha1", "dnsservers", "DNSServer", true};

constexpr std::chrono::minutes kResync{5};
// How often a Primary in a key rotation looks again at what the rotation waits for.
constexpr std::chrono::seconds kRotationRecheck{2};

// What it deployed carries these labels: its informers watch only that.
constexpr std::string_view kDeployedSelector =
    "app.kubernetes.io/managed-by=zonekeeper,app.kubernetes.io/name=bind9";

std::string key_of(std::string_view ns, std::string_view name) {
  return fmt::format("{}/{}", ns, name);
}

// Queue keys of Bind9Clusters: "cluster:ns/name" (an object name has no ':').
constexpr std::string_view kClusterKey = "cluster:";

std::string cluster_key(std::string_view ns, std::string_view name) {
  return fmt::format("{}{}/{}", kClusterKey, ns, name);
}

// Of Bind9GlobalClusters (cluster-scoped): "global:name".
constexpr std::string_view kGlobalKey = "global:";

// The check of an instance's Pods' zones (ZoneLoadFailed): "zones:ns/name".
constexpr std::string_view kZonesKey = "zones:";

std::string zones_key(std::string_view ns, std::string_view name) {
  return fmt::format("{}{}/{}", kZonesKey, ns, name);
}

Owner owner_of(const Bind9Instance& i) {
  return Owner{std::string(api::kBind9Instance), i.ns, i.name, i.uid};
}

}  // namespace

struct Bind9Instances::Impl {
  asio::any_io_executor ex;
  std::shared_ptr<kube::Client> client;
  Bind9Options options;
  std::map<std::string, std::unique_ptr<kube::Informer>> informers;  // by kind
  controller::WorkQueue queue;
  bool running = false;
  bool stopping = false;
  uint64_t epoch = 0;  // one per start()
  int workers_running = 0;
  Deployer deployer;
  Bind9Clusters clusters{deployer};
  PrimaryKeys keys{ex, client, deployer};
  // DNSServers applied per instance ("ns/name"), to delete the ones no longer wanted.
  std::map<std::string, std::set<std::string>> servers_applied;
  std::set<std::string> servers_listed;  // instances whose DNSServers were listed once
  // The uid of each Primary's Pod last seen Ready ("ns/name" → uid), and whom to tell when
  // another Pod is Ready in its place.
  std::map<std::string, std::string> primary_pod;
  std::function<void(const std::string&, const std::string&)> primary_back;
  ZoneCheck zone_check;
  managed::ZoneLoadWatch zone_watch;  // by Pod "ns/name"

  Impl(asio::any_io_executor e, std::shared_ptr<kube::Client> c, Bind9Options o)
      : ex(e),
        client(std::move(c)),
        options(std::move(o)),
        queue(e),
        deployer(client),
        zone_watch(options.zone_load_grace) {
    add("Bind9Instance", kInstances, "");
    add("StatefulSet", kStatefulSets, std::string(kDeployedSelector));
    add("Pod", kPods, std::string(kDeployedSelector));
    add("Service", kServices, std::string(kDeployedSelector));
  }

  void add(const std::string& kind, const kube::Resource& r, std::string selector) {
    kube::InformerOptions o;
    o.label_selector = std::move(selector);
    auto inf = std::make_unique<kube::Informer>(client, r, o);
    inf->on_event([this, kind](kube::DeltaType, const kube::ObjectPtr& old_obj,
                               const kube::ObjectPtr& new_obj) {
      const kube::ObjectPtr& obj = new_obj ? new_obj : old_obj;
      if (!obj) return;
      if (kind == "Bind9Cluster") {
        if (running) queue.add(cluster_key(obj->namespace_(), obj->name()));
      } else if (kind == "Bind9GlobalCluster") {
        if (running) queue.add(fmt::format("{}{}", kGlobalKey, obj->name()));
      } else if (kind == "Bind9Instance") {
        enqueue_with_secondaries(obj->namespace_(), obj->name());
        // Its cluster reports over it.
        auto cluster = obj->label(managed::kClusterLabel);
        if (cluster && running && informers.contains("Bind9Cluster")) {
          queue.add(cluster_key(obj->namespace_(), *cluster));
        }
        auto global = obj->label(managed::kGlobalClusterLabel);
        if (global && running && informers.contains("Bind9GlobalCluster")) {
          queue.add(fmt::format("{}{}", kGlobalKey, *global));
        }
      } else if (auto owner = obj->label(managed::kInstanceLabel)) {
        enqueue_with_secondaries(obj->namespace_(), *owner);
      }
    });
    informers.emplace(kind, std::move(inf));
  }

  // An instance, and the Secondaries whose primary it is (they follow its Service's address).
  void enqueue_with_secondaries(std::string_view ns, std::string_view name) {
    if (!running) return;
    queue.add(key_of(ns, name));
    for (const Bind9Instance& secondary : secondaries_named(ns, name)) {
      queue.add(key_of(ns, secondary.name));
    }
  }

  // The Secondary instances of namespace `ns` whose primaryRef names `primary`, decoded.
  std::vector<Bind9Instance> secondaries_named(std::string_view ns,
                                               std::string_view primary) const {
    std::vector<Bind9Instance> out;
    for (const kube::ObjectPtr& o : informers.at("Bind9Instance")->store().by_namespace(ns)) {
      auto d = api::decode_bind9_instance(o->parse());
      if (d && d->role == ServerRole::Secondary && d->primary_name == primary) {
        out.push_back(std::move(*d));
      }
    }
    return out;
  }

  const kube::Store& store(const std::string& kind) const { return informers.at(kind)->store(); }

  // --------------------------------------------------------------------------- reconcile

  asio::awaitable<void> worker() {
    const uint64_t mine = epoch;  // a worker of an earlier term ends with it
    ++workers_running;
    for (const auto& [kind, inf] : informers) {
      while (running && !co_await inf->wait_synced(std::chrono::seconds(5))) {
        spdlog::info("bind9: waiting for the {} cache", kind);
      }
    }
    if (running) {
      for (const kube::ObjectPtr& o : store("Bind9Instance").list()) {
        queue.add(key_of(o->namespace_(), o->name()));
      }
      if (informers.contains("Bind9Cluster")) {
        for (const kube::ObjectPtr& o : store("Bind9Cluster").list()) {
          queue.add(cluster_key(o->namespace_(), o->name()));
        }
      }
      if (informers.contains("Bind9GlobalCluster")) {
        for (const kube::ObjectPtr& o : store("Bind9GlobalCluster").list()) {
          queue.add(fmt::format("{}{}", kGlobalKey, o->name()));
        }
      }
    }
    while (running && epoch == mine) {
      auto key = co_await queue.next();
      if (!key) break;
      bool ok = false;
      try {
        ok = co_await reconcile(*key);
      } catch (const std::exception& e) {
        spdlog::error("bind9: reconcile of {} threw: {}", *key, e.what());
      }
      if (ok) {
        queue.forget(*key);
        // Objects nothing watches here (ConfigMap, Secret, DNSServer) changed by someone else
        // are put back at the latest by this look. (A zones check queues its next itself.)
        if (running && epoch == mine && !key->starts_with(kZonesKey)) {
          queue.add_after(*key, kResync);
        }
      } else if (running && epoch == mine) {
        queue.retry(*key);
      }
      queue.done(*key);
    }
    --workers_running;
  }

  asio::awaitable<bool> reconcile(const std::string& key) {
    if (key.starts_with(kGlobalKey)) {
      const std::string global = key.substr(kGlobalKey.size());
      co_return co_await clusters.reconcile_global(store("Bind9GlobalCluster"),
                                                   store("Bind9Instance"), global);
    }
    if (key.starts_with(kClusterKey)) {
      const std::string rest = key.substr(kClusterKey.size());
      const auto slash = rest.find('/');
      const std::string cluster_ns = rest.substr(0, slash), cluster = rest.substr(slash + 1);
      co_return co_await clusters.reconcile(store("Bind9Cluster"), store("Bind9Instance"),
                                            cluster_ns, cluster);
    }
    if (key.starts_with(kZonesKey)) {
      const std::string rest = key.substr(kZonesKey.size());
      const auto slash = rest.find('/');
      co_return co_await check_zones(rest.substr(0, slash), rest.substr(slash + 1));
    }
    const auto slash = key.find('/');
    const std::string ns = key.substr(0, slash), name = key.substr(slash + 1);
    kube::ObjectPtr obj = store("Bind9Instance").get(ns, name);
    if (!obj) {  // deleted: its objects go with it (owner references)
      servers_applied.erase(key);
      primary_pod.erase(key);
      servers_listed.erase(key);
      co_return true;
    }
    const json::value object = obj->parse();
    auto decoded = api::decode_bind9_instance(object);
    if (!decoded) {
      const std::optional<Blocked> invalid = Blocked{"InvalidSpec", decoded.error()};
      const std::vector<std::optional<managed::PodState>> no_pods;
      co_return co_await write_status(object, nullptr, invalid, no_pods);
    }
    managed::Deployment d;
    d.instance = std::move(*decoded);
    d.bind9_image = options.bind9_image;
    d.agent_image = options.agent_image;
    d.service_address = cluster_ip(ns, name);
    std::vector<std::optional<managed::PodState>> pods;
    for (int i = 0; i < d.instance.replicas; ++i) {
      kube::ObjectPtr pod = store("Pod").get(ns, fmt::format("{}-{}", name, i));
      if (!pod) {
        pods.emplace_back();
        continue;
      }
      managed::PodState st = managed::read_pod(pod->parse());
      if (!st.ip.empty() && !st.deleting) d.pod_ips[i] = st.ip;
      if (d.instance.role == ServerRole::Primary && st.ready && !st.uid.empty()) {
        std::string& seen = primary_pod[key];
        if (!seen.empty() && seen != st.uid && primary_back) {
          spdlog::info("bind9: {}: a new Primary Pod {} is Ready: its zones are checked now", key,
                       st.name);
          primary_back(ns, name);  // the Primary's DNSServer has the instance's name
        }
        seen = st.uid;
      }
      if (st.ready) st.zones_not_served = zone_watch.verdict(key_of(ns, st.name));
      pods.emplace_back(std::move(st));
    }
    if (zone_check) queue.add_after(zones_key(ns, name), options.zone_check_interval);
    if (d.instance.role == ServerRole::Secondary) {
      if (const std::optional<Blocked> missing = find_primary(d)) {
        co_return co_await write_status(object, &d, missing, pods);
      }
    }
    std::optional<Blocked> blocked;
    std::optional<KeptKeys> kept;
    if (d.instance.role == ServerRole::Primary) {
      std::vector<SecondarySet> secondaries = secondaries_of(d);
      auto k = co_await keys.keep(d, d.instance.rotate_keys, std::move(secondaries));
      if (k) {
        kept = std::move(*k);
        if (kept->stepped && options.events) {
          options.events->record(kube::ObjectReference::of(object.as_object()),
                                 kube::EventSeverity::Normal, "KeyRotation", "RotateKeys",
                                 managed::step_message(d.instance.name, kept->ring));
        }
        if (kept->ring.phase != managed::RotationPhase::Done) {
          queue.add_after(key, kRotationRecheck);
        }
      } else {
        blocked = k.error();
      }
    }
    if (!blocked) blocked = co_await deploy(d);
    const bool ok = co_await write_status(object, &d, blocked, pods, kept ? &*kept : nullptr);
    co_return ok && (!blocked || blocked->reason != "DeployFailed");
  }

  // Asks each Ready Pod of instance ns/name, through its DNSServer, for the zones it should
  // serve; when what a Pod's Pod-N condition should say changed, the instance is reconciled
  // (its status written). Queues the next check while the instance exists.
  asio::awaitable<bool> check_zones(const std::string& ns, const std::string& name) {
    kube::ObjectPtr obj = store("Bind9Instance").get(ns, name);
    auto decoded = obj ? api::decode_bind9_instance(obj->parse())
                       : model::Parsed<Bind9Instance>(tl::unexpected(std::string("absent")));
    if (!decoded || !zone_check) {
      zone_watch.forget_instance(ns, name, 0);  // gone: nothing of its Pods is kept
      co_return true;
    }
    // Pods beyond the replicas (scaled down) are not checked, nor remembered.
    zone_watch.forget_instance(ns, name, static_cast<size_t>(decoded->replicas));
    bool changed = false;
    for (int i = 0; i < decoded->replicas; ++i) {
      const std::string pod_name = fmt::format("{}-{}", name, i);
      const std::string pod_key = key_of(ns, pod_name);
      kube::ObjectPtr pod = store("Pod").get(ns, pod_name);
      const managed::PodState st = pod ? managed::read_pod(pod->parse()) : managed::PodState{};
      const std::string before = zone_watch.verdict(pod_key);
      if (!st.ready) {  // its other conditions say what is wrong with it
        zone_watch.forget(pod_key);
        changed = changed || !before.empty();
        continue;
      }
      const std::string server = decoded->role == ServerRole::Primary ? name : pod_name;
      std::optional<managed::ServedZones> served = co_await zone_check(ns, server);
      if (!running) co_return true;
      if (!served) continue;  // not known now: what was said stays
      const std::string after =
          zone_watch.observe(pod_key, st.uid, pod_name, served->failing, served->asked,
                             managed::ZoneLoadWatch::Clock::now());
      if (after != before) {
        spdlog::info("bind9: {}: {}", pod_key,
                     after.empty() ? std::string("serves every zone again") : after);
        changed = true;
      }
    }
    if (changed) queue.add(key_of(ns, name));
    queue.add_after(zones_key(ns, name), options.zone_check_interval);
    co_return true;
  }

  // The Secondary instances whose Primary `primary` is, as their own reconcile deploys them
  // (but for the keys: PrimaryKeys sets them from the ring), with their Pods.
  std::vector<SecondarySet> secondaries_of(const managed::Deployment& primary) const {
    std::vector<SecondarySet> out;
    const std::string& ns = primary.instance.ns;
    for (Bind9Instance& secondary : secondaries_named(ns, primary.instance.name)) {
      SecondarySet s;
      s.deployment.instance = std::move(secondary);
      s.deployment.bind9_image = options.bind9_image;
      s.deployment.agent_image = options.agent_image;
      s.deployment.primary_name = primary.instance.name;
      s.deployment.primary_port = primary.instance.port;
      s.deployment.primary_address = primary.service_address;
      for (int i = 0; i < s.deployment.instance.replicas; ++i) {
        kube::ObjectPtr pod =
            store("Pod").get(ns, fmt::format("{}-{}", s.deployment.instance.name, i));
        if (pod) {
          s.pods.emplace_back(managed::read_pod(pod->parse()));
        } else {
          s.pods.emplace_back();
        }
      }
      out.push_back(std::move(s));
    }
    return out;
  }

  std::string cluster_ip(const std::string& ns, const std::string& name) const {
    kube::ObjectPtr svc = store("Service").get(ns, name);
    if (!svc) return "";
    json::value v = svc->parse();
    const json::object* spec =
        v.as_object().if_contains("spec") ? v.at("spec").if_object() : nullptr;
    if (!spec || !spec->if_contains("clusterIP") || !spec->at("clusterIP").is_string()) return "";
    std::string ip(spec->at("clusterIP").get_string());
    return ip == "None" ? "" : ip;
  }

  std::optional<Blocked> find_primary(managed::Deployment& d) const {
    const std::string& ns = d.instance.ns;
    const std::string primary = *d.instance.primary_name;
    kube::ObjectPtr p = store("Bind9Instance").get(ns, primary);
    const json::value object = p ? p->parse() : json::value();
    auto decoded = p ? api::decode_bind9_instance(object)
                     : model::Parsed<Bind9Instance>(tl::unexpected(std::string("absent")));
    if (!decoded || decoded->role != ServerRole::Primary) {
      return Blocked{"PrimaryNotFound",
                     fmt::format("spec.primaryRef names {}/{}, which is not a Primary "
                                 "Bind9Instance{}",
                                 ns, primary, p ? "" : " (it does not exist)")};
    }
    d.primary_name = primary;
    d.primary_port = decoded->port;
    d.primary_address = cluster_ip(ns, primary);
    if (d.primary_address.empty()) {
      return Blocked{"PrimaryNotFound", fmt::format("the Primary {}/{} has no Service address "
                                                    "yet",
                                                    ns, primary)};
    }
    // The keys to run with, the one to transfer with first: from what the Primary published.
    d.key_names = managed::published_key_names(object);
    if (d.key_names.empty()) {
      return Blocked{"PrimaryNotFound", fmt::format("the Primary {}/{} has not published its "
                                                    "keys yet (status.keys)",
                                                    ns, primary)};
    }
    return std::nullopt;
  }

  asio::awaitable<std::optional<Blocked>> deploy(const managed::Deployment& d) {
    const Bind9Instance& i = d.instance;
    const Owner owner = owner_of(i);
    if (auto b =
            co_await deployer.apply(owner, kube::resources::kConfigMaps, managed::config_map(d))) {
      co_return b;
    }
    if (auto b = co_await deployer.apply(owner, kServices, managed::headless_service(d))) {
      co_return b;
    }
    if (auto b = co_await deployer.apply(owner, kServices, managed::service(d))) co_return b;
    if (auto b = co_await deployer.apply(owner, kStatefulSets, managed::stateful_set(d))) {
      co_return b;
    }
    const std::string key = key_of(i.ns, i.name);
    std::set<std::string>& applied = servers_applied[key];
    if (!servers_listed.contains(key)) {  // after a restart: what an earlier run created
      kube::ListOptions lo;
      lo.label_selector = fmt::format("{}={}", managed::kInstanceLabel, i.name);
      auto list = co_await client->list(kDNSServers, i.ns, lo);
      if (list) {
        for (const auto& item : list->items) {
          if (owner_uid(json::value(item), api::kBind9Instance) == i.uid) {
            applied.insert(std::string(item.at("metadata").at("name").as_string()));
          }
        }
        servers_listed.insert(key);
      }
    }
    std::map<std::string, json::object> servers = managed::dns_servers(d);
    for (auto& [name, server] : servers) {
      if (auto b = co_await deployer.apply(owner, kDNSServers, std::move(server))) co_return b;
      applied.insert(name);
    }
    // A Secondary Pod without an IP (restarting) keeps its DNSServer and last address: the
    // zone then says that Secondary is unreachable, which is true, instead of forgetting it.
    auto kept = [&](const std::string& server) {
      if (i.role != ServerRole::Secondary) return false;
      for (int ordinal = 0; ordinal < i.replicas; ++ordinal) {
        if (server == fmt::format("{}-{}", i.name, ordinal)) return true;
      }
      return false;
    };
    for (auto it = applied.begin(); it != applied.end();) {
      if (servers.contains(*it) || kept(*it)) {
        ++it;
        continue;
      }
      if (auto b = co_await deployer.remove(owner, kDNSServers, *it)) co_return b;
      it = applied.erase(it);
    }
    co_return std::nullopt;
  }

  static const json::value* status_keys(const json::value& object) {
    const json::object* status =
        object.as_object().if_contains("status") ? object.at("status").if_object() : nullptr;
    return status ? status->if_contains("keys") : nullptr;
  }

  // The status, written only when it changed. False when the write failed (retried).
  asio::awaitable<bool> write_status(const json::value& object, const managed::Deployment* d,
                                     const std::optional<Blocked>& blocked,
                                     const std::vector<std::optional<managed::PodState>>& pods,
                                     const KeptKeys* kept = nullptr) {
    const json::object& meta = object.at("metadata").as_object();
    const std::string name(meta.at("name").as_string());
    const int64_t generation = Deployer::generation(object);
    const int32_t replicas = d ? d->instance.replicas : 0;
    managed::InstanceReport report = managed::report_pods(name, replicas, pods, generation);
    if (blocked) {  // Ready says why; the Pods still say what they are
      report.conditions[0] =
          api::Condition{"Ready", "False", blocked->reason, blocked->message, generation, ""};
    }
    json::object fields{{"replicas", replicas}, {"readyReplicas", report.ready_replicas}};
    if (d && !d->service_address.empty()) fields["serviceAddress"] = d->service_address;
    if (d) {
      json::array servers;
      for (const auto& [n, _] : managed::dns_servers(*d)) servers.emplace_back(n);
      if (!servers.empty()) fields["dnsServers"] = std::move(servers);
    }
    if (d && kept) {
      fields["keys"] = managed::keys_status(d->instance.name, kept->ring, kept->waiting_for);
    } else if (const json::value* old = status_keys(object)) {
      fields["keys"] = *old;  // not read this time: what the Secondaries follow stays
    }
    co_return co_await deployer.write_status(kInstances, object, std::move(report.conditions),
                                             std::move(fields));
  }
};

Bind9Instances::Bind9Instances(asio::any_io_executor executor, std::shared_ptr<kube::Client> client,
                               Bind9Options options)
    : impl_(std::make_unique<Impl>(executor, std::move(client), std::move(options))) {}
Bind9Instances::~Bind9Instances() = default;

const kube::Resource& Bind9Instances::resource() {
  return kInstances;
}

void Bind9Instances::run_informers() {
  for (auto& [kind, inf] : impl_->informers) asio::co_spawn(impl_->ex, inf->run(), asio::detached);
}

void Bind9Instances::on_primary_back(
    std::function<void(const std::string&, const std::string&)> f) {
  impl_->primary_back = std::move(f);
}

void Bind9Instances::check_zones_with(ZoneCheck f) {
  impl_->zone_check = std::move(f);
}

void Bind9Instances::watch_clusters(bool global) {
  const std::string kind = global ? "Bind9GlobalCluster" : "Bind9Cluster";
  if (impl_->informers.contains(kind) || impl_->stopping) return;
  impl_->add(kind, global ? Bind9Clusters::global_resource() : Bind9Clusters::resource(), "");
  // Its first list's events queue every cluster when reconciling.
  asio::co_spawn(impl_->ex, impl_->informers.at(kind)->run(), asio::detached);
}

void Bind9Instances::start() {
  if (impl_->running || impl_->stopping) return;
  impl_->running = true;
  ++impl_->epoch;
  impl_->queue.restart();
  spdlog::info("bind9: reconciling Bind9Instances");
  for (int i = 0; i < 2; ++i) asio::co_spawn(impl_->ex, impl_->worker(), asio::detached);
}

void Bind9Instances::stop() {
  if (!impl_->running) return;
  impl_->running = false;
  impl_->queue.shutdown();
  impl_->deployer.forget_all();
}

bool Bind9Instances::running() const {
  return impl_->running;
}

asio::awaitable<void> Bind9Instances::shutdown() {
  impl_->stopping = true;
  stop();
  for (auto& [kind, inf] : impl_->informers) inf->stop();
  asio::steady_timer t(impl_->ex);
  for (int i = 0; i < 250 && impl_->workers_running > 0; ++i) {
    t.expires_after(std::chrono::milliseconds(20));
    boost::system::error_code ec;
    co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

std::map<std::string, size_t> Bind9Instances::cached() const {
  std::map<std::string, size_t> out;
  for (const auto& [kind, inf] : impl_->informers) out[kind] = inf->store().size();
  return out;
}

}  // namespace zk::app
