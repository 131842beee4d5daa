// Cluster mode's Bind9Instance reconciler (docs/api.md "Bind9Instance"), which also runs the
// Bind9Cluster reconciler (app/bind9_clusters) on its queue: watches the instances
// and what they deployed (StatefulSets, Services, Pods), server-side-applies the objects
// src/managed/bind9_objects renders (field manager zonekeeper, forced: a field of ours changed by
// someone else is put back), generates a Primary's keys once, and writes each instance's status
// (src/managed/bind9_status) only when it changed. Runs while this replica leads (or holds
// shard 0); DNSZones then reach the servers through the DNSServer objects it owns.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "kube/client.h"
#include "kube/event_recorder.h"
#include "kube/informer.h"
#include "managed/zone_load.h"

namespace zk::app {

struct Bind9Options {
  std::string bind9_image = "zonekeeper-bind9:dev";  // --bind9-image
  std::string agent_image = "zonekeeper:dev";        // --agent-image (the controller's own)
  kube::EventRecorder* events = nullptr;  // each key rotation step: a Normal Event (KeyRotation)
  std::chrono::milliseconds zone_check_interval{std::chrono::seconds(30)};
  std::chrono::milliseconds zone_load_grace{std::chrono::seconds(60)};
};

class Bind9Instances {
 public:
  Bind9Instances(boost::asio::any_io_executor executor, std::shared_ptr<kube::Client> client,
                 Bind9Options options);
  ~Bind9Instances();
  Bind9Instances(const Bind9Instances&) = delete;
  Bind9Instances& operator=(const Bind9Instances&) = delete;

  // The resources it watches, for discovery: the Bind9Instance CRD must be served.
  static const kube::Resource& resource();
  // Called with a Primary instance's DNSServer ("ns", "name") when its Pod is Ready again as a
  // new Pod (another uid than the one last seen Ready): it may have come back on an empty
  // volume, and what it serves should be checked now.
  void on_primary_back(std::function<void(const std::string&, const std::string&)> f);
  // How it asks whether a DNSServer serves its zones (Controller::unserved_zones): every Ready
  // Pod of an instance is checked each `zone_check_interval` through its DNSServer (the
  // Primary's has the instance's name, Secondary Pod i's `<instance>-i`); a zone unserved for
  // `zone_load_grace` makes the Pod ZoneLoadFailed. Unset: Pods are not checked.
  using ZoneCheck = std::function<boost::asio::awaitable<std::optional<managed::ServedZones>>(
      std::string ns, std::string server)>;
  void check_zones_with(ZoneCheck f);
  // Its informers run until shutdown() (their caches are kept across leadership changes).
  void run_informers();
  // Bind9Clusters (or, `global`, Bind9GlobalClusters) are reconciled too, from now on: their
  // CRD is served (at start or later). Idempotent.
  void watch_clusters(bool global);
  // Reconciling starts (caches synced first) and stops with leadership; idempotent.
  void start();
  void stop();
  bool running() const;
  boost::asio::awaitable<void> shutdown();
  // Objects in its caches, by kind (for zonekeeper_watched_objects).
  std::map<std::string, size_t> cached() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace zk::app
