// Activity: what the controller's workers did lately — the last reconcile, running totals and the
// failures of a recent window — for /api/v1/status. Pure: the caller passes the time.
//
//   Activity a;                          // window 5 min, at most 1000 failures kept
//   a.record({.key = "z/dns/example", .kind = "DNSZone", .reason = "ServerUnreachable",
//             .at = now, .seconds = 0.02});
//   a.failures_since(now - 5min);        // 1
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace zk::controller {

class Activity {
 public:
  using Clock = std::chrono::system_clock;
  struct Reconcile {
    std::string key;     // the work item ("z/ns/name", "s/ns/name", "n/ns", "x/zone")
    std::string kind;    // DNSZone, DNSServer, Namespace, SharedZone
    std::string reason;  // "" = success
    Clock::time_point at;
    double seconds = 0;
    bool ok() const { return reason.empty(); }
  };

  explicit Activity(std::chrono::seconds window = std::chrono::minutes(5),
                    size_t max_failures = 1000)
      : window_(window), max_failures_(max_failures) {}

  // One finished reconcile. Failures older than the window (from r.at) are forgotten; beyond
  // max_failures the oldest go first.
  void record(Reconcile r);

  const std::optional<Reconcile>& last() const { return last_; }
  uint64_t total() const { return total_; }
  uint64_t failed() const { return failed_; }
  std::chrono::seconds window() const { return window_; }
  // Reconciles (successes and failures) from the second of `since` on, within the window kept.
  uint64_t reconciles_since(Clock::time_point since) const;
  // Failures at or after `since` (within the window kept), newest first, at most `max`.
  std::vector<Reconcile> failures_since(Clock::time_point since, size_t max = SIZE_MAX) const;

 private:
  std::chrono::seconds window_;
  size_t max_failures_;
  std::optional<Reconcile> last_;
  uint64_t total_ = 0, failed_ = 0;
  std::deque<Reconcile> failures_;  // oldest first
  // Reconciles per second (seconds without any are absent), oldest first, within the window.
  std::deque<std::pair<Clock::time_point, uint32_t>> per_second_;
};

}  // namespace zk::controller
