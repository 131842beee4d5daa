// Leader election on a coordination.k8s.io/v1 Lease, with client-go's timing semantics.
//
//   kube::LeaderElector elector(client, {.lease_namespace = "zonekeeper",
//                                        .lease_name = "zonekeeper-controller",
//                                        .identity = pod_name});
//   elector.on_started_leading([&] { start_reconciling(); });
//   elector.on_stopped_leading([&] { stop_reconciling(); });   // lost or released
//   co_await elector.run();     // returns after losing the lease or after stop()
//
// - A candidate takes the lease when it is free (no holder) or expired (renewTime +
//   leaseDurationSeconds in the past, judged by our clock from when we last saw it change,
//   like client-go), bumping leaseTransitions. Writes use resourceVersion (optimistic
//   concurrency), so two candidates can never both win the same round.
// - The leader renews every retry_period; if it cannot renew successfully for renew_deadline
//   it steps down (on_stopped_leading) and run() returns.
// - stop() while leading releases the lease (holderIdentity cleared, leaseDurationSeconds=1)
//   so a successor need not wait for expiry.
// Requirement: lease_duration > renew_deadline > retry_period.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "kube/client.h"

namespace zk::kube {

struct LeaderElectionConfig {
  std::string lease_namespace = "default";
  std::string lease_name{};
  std::string identity{};
  std::chrono::milliseconds lease_duration{std::chrono::seconds(15)};
  std::chrono::milliseconds renew_deadline{std::chrono::seconds(10)};
  std::chrono::milliseconds retry_period{std::chrono::seconds(2)};
  bool release_on_stop = true;
};

class LeaderElector {
 public:
  LeaderElector(std::shared_ptr<Client> client, LeaderElectionConfig config);
  ~LeaderElector();

  void on_started_leading(std::function<void()> f) { started_ = std::move(f); }
  void on_stopped_leading(std::function<void()> f) { stopped_ = std::move(f); }
  // Called with the holder's identity whenever we see it change (including ourselves).
  void on_new_leader(std::function<void(const std::string&)> f) { new_leader_ = std::move(f); }
  // Asked before taking a lease that is free, expired or not yet created (never before a
  // renewal): false = stay a candidate this round. Sharding (ShardLeases) takes only the shards
  // assigned to it this way.
  void may_acquire(std::function<bool()> f) { may_acquire_ = std::move(f); }

  // Validation of the timings etc. (BadConfig).
  Result<void> validate() const { return validate(config_); }
  static Result<void> validate(const LeaderElectionConfig& config);
  // Campaign, lead, renew. Returns when leadership was lost or stop() was called (after
  // releasing, if leading). Returns at once with the validation error if the config is bad.
  asio::awaitable<Result<void>> run();
  void stop();
  // Try again now rather than after the retry period (sharding: a shard just assigned to us).
  void poke();
  bool is_leader() const { return leading_; }
  const std::string& observed_leader() const { return observed_holder_; }

 private:
  struct Observed;
  asio::awaitable<Result<bool>> try_acquire_or_renew();
  asio::awaitable<void> release();
  asio::awaitable<void> sleep(std::chrono::milliseconds d);

  std::shared_ptr<Client> client_;
  LeaderElectionConfig config_;
  std::function<void()> started_;
  std::function<void()> stopped_;
  std::function<void(const std::string&)> new_leader_;
  std::function<bool()> may_acquire_;
  bool leading_ = false;
  bool stopping_ = false;
  std::string observed_holder_;
  std::string observed_record_;  // holder+renewTime+... as last seen, to detect change
  std::chrono::steady_clock::time_point observed_at_{};
  std::chrono::seconds observed_duration_{0};  // the holder's leaseDurationSeconds
  std::string observed_rv_;
  std::unique_ptr<Observed> timer_;
};

}  // namespace zk::kube
