// List+watch cache of one resource, with change notifications.
//
//   kube::Informer records(client, arecords, {.label_selector = "zonekeeper.dev/managed=true"});
//   records.on_event([](DeltaType t, const ObjectPtr& old_obj, const ObjectPtr& new_obj) {...});
//   records.on_synced([] { spdlog::info("records cached"); });
//   asio::co_spawn(io, records.run(), asio::detached);   // until records.stop()
//   ... records.store().by_namespace("team-a") ...
//
// Behaviour (see docs/kube.md):
// - LIST in pages (limit/continue), then WATCH from the list's resourceVersion with
//   allowWatchBookmarks=true and timeoutSeconds; every event and bookmark advances the
//   resume point, so a reconnect (network error, stream end, apiserver restart) resumes
//   without loss or duplicates.
// - 410 Gone (HTTP or an in-stream ERROR event with code 410) → a fresh LIST, and the
//   handlers get the exact difference to the cache: adds, updates and deletes of objects that
//   vanished meanwhile.
// - Failures reconnect with jittered exponential backoff (reset after a healthy watch).
// - Handlers run on the client's executor, after the store was updated; they must not block.
// - `keep` (client-go's transform) trims what the store holds of each object; the handlers still
//   get the whole object (the Deleted event's old_object too; an Updated event's old_object is the
//   store's, trimmed).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include "kube/backoff.h"
#include "kube/client.h"
#include "kube/store.h"

namespace zk::kube {

struct InformerOptions {
  std::string namespace_{};  // "" = all namespaces (or cluster-scoped)
  std::string label_selector{};
  std::string field_selector{};
  // LIST limit of the first page; later pages hold about `page_bytes` of JSON, up to
  // `max_page_size` items (ListOptions::max_limit). Small objects thus come in pages of
  // thousands: a page of a long list costs the API server far more than one of a short list
  // (bench/informer, 100,000 ARecords: 10.5 s in pages of 500, 5.7 s in pages of 5,000,
  // 5.2 s unpaged), while a page of large objects stays a few MB (an unpaged LIST would hold
  // the whole list's JSON at once).
  uint32_t page_size = 500;
  uint32_t max_page_size = 5000;
  size_t page_bytes = ListOptions{}.page_bytes;
  std::chrono::seconds watch_timeout{300};  // timeoutSeconds of each watch request
  BackoffPolicy backoff{};
  // What the store keeps of each object, applied after the handlers' copy was made: only what
  // the store's readers look at, when the handlers decode the whole object into a catalog of
  // their own (memory). It must leave metadata's name, namespace, resourceVersion and uid. Empty:
  // the whole object.
  std::function<void(boost::json::object&)> keep{};
};

struct InformerStats {
  uint64_t lists = 0;  // full LISTs done (initial + re-lists)
  uint64_t relists_after_gone = 0;
  uint64_t watches = 0;       // watch requests opened
  uint64_t watch_errors = 0;  // watches ended by an error (not a clean server timeout)
  uint64_t events = 0;        // ADDED/MODIFIED/DELETED received
  uint64_t bookmarks = 0;
  std::string resource_version{};  // current resume point
};

class Informer {
 public:
  using Handler =
      std::function<void(DeltaType, const ObjectPtr& old_object, const ObjectPtr& new_object)>;

  Informer(std::shared_ptr<Client> client, Resource resource, InformerOptions options = {});
  ~Informer();
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // Register before run().
  void on_event(Handler handler) { handlers_.push_back(std::move(handler)); }
  void on_synced(std::function<void()> callback) {
    synced_callbacks_.push_back(std::move(callback));
  }

  // Runs until stop(). Never throws; errors are logged and retried with backoff. After
  // stop() has returned control, run() may be called again: it resumes the watch from the
  // last resourceVersion (re-listing only if that has expired).
  asio::awaitable<void> run();
  // Ends run() soon (from the client's executor).
  void stop();

  const Store& store() const { return store_; }
  // True once the first LIST has been fully stored (stays true across re-lists).
  bool synced() const { return synced_.load(); }
  // Waits (on the executor) until synced or the timeout passed; returns synced().
  asio::awaitable<bool> wait_synced(std::chrono::milliseconds timeout);
  InformerStats stats() const;
  const Resource& resource() const { return resource_; }

 private:
  struct Loop;
  // An object as the handlers get it, and as the store keeps it (`keep`; else the same).
  struct Decoded {
    ObjectPtr whole, stored;
  };
  Result<Decoded> decode(boost::json::object& object) const;
  asio::awaitable<Result<void>> list_and_replace(bool after_gone);
  asio::awaitable<Result<void>> watch_once();
  void deliver(const Delta& delta);
  void set_synced();

  std::shared_ptr<Client> client_;
  Resource resource_;
  InformerOptions options_;
  Store store_;
  std::vector<Handler> handlers_;
  std::vector<std::function<void()>> synced_callbacks_;
  std::atomic<bool> synced_{false};
  bool stopping_ = false;
  std::unique_ptr<Loop> loop_;  // timers and the current watch (cancellation)
  mutable std::mutex stats_mu_;
  InformerStats stats_;
};

}  // namespace zk::kube
