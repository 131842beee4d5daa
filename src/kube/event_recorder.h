// Kubernetes Events (events.k8s.io/v1), rate-limited and aggregated.
//
//   kube::EventRecorder events(client, {.reporting_instance = pod_name});
//   events.record(ref, EventSeverity::Warning, "UpdateRejected", "Reconcile",
//                 "BIND refused the UPDATE: REFUSED");      // fire and forget
//   co_await events.flush(std::chrono::seconds(5));           // before shutdown
//
// - Aggregation: the same object + reason + note within `aggregation_window` does not create
//   a new Event: the existing one gets series {count, lastObservedTime} bumped (a merge patch).
// - Rate limit: a token bucket per object (burst, then one token per refill_interval); an
//   event over the limit is dropped and counted, so a failing object cannot flood the API.
// - Writes are serialized on the client's executor; failures are logged, never thrown.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "kube/client.h"

namespace zk::kube {

struct ObjectReference {
  std::string api_version{};
  std::string kind{};
  std::string namespace_{};
  std::string name{};
  std::string uid{};
  std::string resource_version{};

  static ObjectReference of(const boost::json::object& object);
};

enum class EventSeverity { Normal, Warning };

struct EventRecorderOptions {
  std::string reporting_controller = "zonekeeper.dev/controller";
  std::string reporting_instance = "zonekeeper";
  std::chrono::seconds aggregation_window{std::chrono::minutes(10)};
  int burst = 25;                                                      // per object
  std::chrono::milliseconds refill_interval{std::chrono::minutes(5)};  // one token per interval
  size_t max_queue = 1000;  // pending records beyond this are dropped (logged, counted)
};

enum class EventOutcome { Created, Aggregated, RateLimited, Failed };
std::string_view to_string(EventOutcome outcome);

struct EventRecorderStats {
  uint64_t created = 0;
  uint64_t aggregated = 0;
  uint64_t rate_limited = 0;  // per-object token bucket empty, or the queue full
  uint64_t dropped = 0;       // of those: the queue was full (logged)
  uint64_t failed = 0;        // the API server refused the write or could not be reached (logged)
  uint64_t abandoned = 0;     // still queued when flush() reached its deadline
  // Events (or series increments) that never reached the API server, for whatever reason:
  // what zonekeeper_events_dropped_total counts.
  uint64_t not_written() const { return rate_limited + failed + abandoned; }
};

class EventRecorder {
 public:
  EventRecorder(std::shared_ptr<Client> client, EventRecorderOptions options = {});
  ~EventRecorder();

  // Queues the event; never blocks. Call from the client's executor.
  void record(const ObjectReference& regarding, EventSeverity severity, std::string_view reason,
              std::string_view action, std::string_view note);
  // Writes the event now and says what happened (for tests and callers that care).
  asio::awaitable<EventOutcome> emit(const ObjectReference& regarding, EventSeverity severity,
                                     std::string_view reason, std::string_view action,
                                     std::string_view note);
  // Waits until everything queued by record() has been written, or until `deadline` has
  // passed: then what is still queued is dropped, counted in stats().abandoned and returned
  // (at shutdown, an API server that answers slowly must not hold the process for ever).
  asio::awaitable<size_t> flush(std::chrono::milliseconds deadline);
  EventRecorderStats stats() const { return stats_; }

 private:
  struct Pending;
  struct Series {
    std::string event_namespace{};
    std::string event_name{};
    int32_t count = 1;
    std::chrono::system_clock::time_point last_seen;
  };
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point updated;
  };
  bool take_token(const std::string& object_key);
  asio::awaitable<void> drain();

  std::shared_ptr<Client> client_;
  EventRecorderOptions options_;
  std::map<std::string, Series> series_;   // object uid/key + reason + note → event
  std::map<std::string, Bucket> buckets_;  // object key → token bucket
  std::deque<Pending> queue_;
  bool draining_ = false;
  EventRecorderStats stats_;
  std::shared_ptr<bool> alive_;
};

}  // namespace zk::kube
