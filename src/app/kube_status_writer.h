// The StatusSink of cluster mode: writes status subresources, the record annotation
// dns.zonekeeper.io/zone and Events, only when they change.
//
//   KubeStatusWriter writer(client, stores, events, metrics);
//   Controller controller(ex, options, writer, metrics);     // the controller calls writer.*
//
// The current status of an object is what the informer cached, or — until the watch brings
// our own write back — what we wrote last (so a reconcile right after a write does not write
// the same thing again). Writes are merge patches of /status, coalesced per object (the
// latest wins) and sent by `concurrency` writers at once (--status-writers, 8 by default; each
// its own keep-alive connection); failures are retried with backoff.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include "controller/controller.h"
#include "kube/client.h"
#include "kube/event_recorder.h"
#include "kube/store.h"

namespace zk::telemetry {
class Metrics;
}

namespace zk::app {

class KubeStatusWriter : public controller::StatusSink {
 public:
  // `store_of(kind)` gives the informer store of "ARecord", "DNSZone", "DNSServer", …;
  // `resource_of(kind)` its API resource.
  KubeStatusWriter(std::shared_ptr<kube::Client> client,
                   std::function<const kube::Store*(std::string_view kind)> store_of,
                   std::function<const kube::Resource*(std::string_view kind)> resource_of,
                   kube::EventRecorder& events, telemetry::Metrics& metrics,
                   size_t concurrency = 8);
  ~KubeStatusWriter() override;

  void record_status(const controller::RecordStatus& s) override;
  void zone_status(const controller::ZoneStatus& s) override;
  void server_status(const controller::ServerStatus& s) override;
  void endpoint_status(const controller::EndpointStatus& s) override;
  void event(const controller::ObjectRef& ref, bool warning, std::string_view reason,
             std::string note) override;
  void forget(const controller::ObjectRef& ref) override;

  // Drops everything not yet written (leadership lost).
  void clear();
  size_t pending() const { return pending_.size(); }

  // What the informers of the record kinds and the sources keep of each object for this writer,
  // their stores' only reader (kube::InformerOptions::keep; the controller's catalogs decode the
  // whole object): name, namespace, resourceVersion, uid, the zone annotation and status.
  // Memory: the rest (spec, labels, creationTimestamp, …) is ≈ 85 B of a cached record's ≈ 660.
  static void keep_for_status(boost::json::object& object);

 private:
  // What we wrote to an object's /status, kept until the informer's cache shows it (memory:
  // compact JSON text, parsed only in that short window; settle() drops what the cache caught
  // up with every second, while the writers still run).
  struct Written {
    std::string status;            // compact JSON, packed (kube::pack_json)
    std::string resource_version;  // of the object our write produced
    bool in_flight = false;        // the PATCH has not returned yet
    // The status as the API server stored it, when it differs (a schema may prune fields: the
    // upstream DNSEndpoint CRD keeps only observedGeneration); "" otherwise. While the cache
    // still shows exactly this, `status` is what we consider written, so a pruned field is not
    // written again.
    std::string stored;
  };
  // Queued by its key, ObjectRef::key() (kind, namespace and name: all a write needs).
  struct Pending {
    // Merge into /status, as compact JSON packed (kube::pack_json; memory: at a cold start every
    // record's waits here, ≈ 300 B instead of a 1 KB object).
    std::optional<std::string> status;
    std::optional<std::string> annotation;  // "" = remove
    int attempts = 0;
  };
  // Our write is what counts: in flight, exactly what the cache holds (perhaps pruned), or newer
  // than the cached object.
  static bool ours_stands(const Written& w, const kube::Object& cached);
  // The cache holds our write unpruned, or something newer: `w` need not be remembered.
  static bool cache_shows(const Written& w, const kube::Object& cached);
  // The object's status as cached (or as we queued or wrote it, while the cache lags); `rv` its
  // resourceVersion ("" when not cached); `annotation` (when given) its zone annotation.
  boost::json::value current_status(const controller::ObjectRef& ref, std::string* rv,
                                    std::string* annotation = nullptr);
  void write(const controller::ObjectRef& ref, std::optional<boost::json::object> status,
             std::optional<std::string> annotation);
  void annotate(const controller::ObjectRef& ref, const std::string& zone);
  void kick();
  boost::asio::awaitable<void> drain(std::shared_ptr<bool> alive);
  // Every second while writes are queued or running, and once more when they have been idle for
  // a second: forgets what the cache shows (sweep).
  boost::asio::awaitable<void> settle(std::shared_ptr<bool> alive);
  // Forgets each write the cache shows now, and each annotation (`idle`: every one no longer
  // queued or in flight).
  void sweep(bool idle);

  std::shared_ptr<kube::Client> client_;
  std::function<const kube::Store*(std::string_view)> store_of_;
  std::function<const kube::Resource*(std::string_view)> resource_of_;
  kube::EventRecorder& events_;
  telemetry::Metrics& metrics_;
  size_t concurrency_;
  size_t running_ = 0;
  std::map<std::string, Pending> pending_;  // by ref key
  std::deque<std::string> order_;
  std::set<std::string> writing_;  // keys with a write in flight (one per object at a time)
  std::map<std::string, Written> written_;
  bool settling_ = false;  // a settle() is running
  uint64_t activity_ = 0;  // writes queued or ended so far (settle() sees whether any did)
  // ref key → the zone annotation we wrote, until the cache shows it or the writers are idle.
  std::map<std::string, std::string> annotated_;
  std::shared_ptr<bool> alive_;
};

}  // namespace zk::app
