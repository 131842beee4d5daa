// Shards of work divided among the live replicas, each shard guarded by its own Lease.
//
//   kube::ShardLeases shards(client, {.lease_namespace = "zonekeeper-system",
//                                     .prefix = "zonekeeper-controller", .identity = pod,
//                                     .shards = 12});
//   shards.on_held([&](const std::set<uint32_t>& held) { controller.hold_shards(held); });
//   shards.on_handover([&](uint32_t s) -> asio::awaitable<void> { co_await quiet(s); });
//   co_await shards.run();       // until stop(): releases what it holds on the way out
//
// - Membership: every replica renews its own Lease "<prefix>-member-<identity>"; a member is
//   live while its Lease has a holder and changed within its leaseDurationSeconds (judged by
//   our clock from when we saw it change, as leader election judges expiry).
// - Assignment: assign_shards(shards, live members) says which member should hold each shard;
//   every replica computes the same answer.
// - Shard i is the Lease "<prefix>-shard-<i>", taken and renewed with LeaderElector's
//   semantics (a shard is held by at most one replica: writes are optimistic on
//   resourceVersion, a holder that cannot renew within renew_deadline lets it go, and another
//   takes it only after lease_duration without change). A replica campaigns only for the shards
//   assigned to it, and hands over a shard assigned to another live member: on_held without it
//   first, then on_handover (to finish the work in progress), then the Lease is released.
// - A replica takes part only once it has been a member for a retry period (replicas started
//   together see each other first, rather than all grabbing every shard).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "kube/client.h"
#include "kube/leader_election.h"

namespace zk::kube {

struct ShardLeaseConfig {
  std::string lease_namespace = "default";
  std::string prefix{};  // Lease names: "<prefix>-member-<identity>", "<prefix>-shard-<i>"
  std::string identity{};
  uint32_t shards = 1;
  std::chrono::milliseconds lease_duration{std::chrono::seconds(15)};
  std::chrono::milliseconds renew_deadline{std::chrono::seconds(10)};
  std::chrono::milliseconds retry_period{std::chrono::seconds(2)};
  // false: stop() leaves the Leases to expire (tests simulate a crash with it).
  bool release_on_stop = true;
};

class ShardLeases {
 public:
  ShardLeases(std::shared_ptr<Client> client, ShardLeaseConfig config);
  ~ShardLeases();
  ShardLeases(const ShardLeases&) = delete;
  ShardLeases& operator=(const ShardLeases&) = delete;

  // Every change of the shards held (gained or lost), with the whole set.
  void on_held(std::function<void(const std::set<uint32_t>&)> f) { held_changed_ = std::move(f); }
  // Before a shard held is handed over to the member it is assigned to (after on_held without
  // it): returns when the work of the shard in progress is done.
  void on_handover(std::function<boost::asio::awaitable<void>(uint32_t)> f) {
    handover_ = std::move(f);
  }

  Result<void> validate() const { return validate(config_); }
  static Result<void> validate(const ShardLeaseConfig& config);
  // Membership, assignment and the shard Leases, until stop(). Returns at once with the
  // validation error when the config is bad.
  boost::asio::awaitable<Result<void>> run();
  void stop();

  const std::set<uint32_t>& held() const { return held_; }
  // Live members as last seen (sorted), and the assignment made from them.
  const std::vector<std::string>& members() const { return members_; }
  const std::vector<std::string>& assignment() const { return assignment_; }
  std::string member_lease() const;
  std::string shard_lease(uint32_t shard) const;

 private:
  struct Seen {
    std::string record;  // holder|renewTime|duration as last seen
    std::chrono::steady_clock::time_point at;
    std::string holder;
    std::chrono::milliseconds duration{0};
  };
  static LeaderElectionConfig lease_config(const ShardLeaseConfig& config, std::string name);
  LeaderElectionConfig lease_config(std::string name) const {
    return lease_config(config_, std::move(name));
  }
  // Runs `lease` (a shard's or the member Lease) again after each term, until stop().
  boost::asio::awaitable<void> campaign(LeaderElector& lease, std::string what);
  // One LIST of the namespace's Leases: who is live.
  boost::asio::awaitable<void> observe_members();
  boost::asio::awaitable<void> hand_over(uint32_t shard);
  // When to list the members again: the retry period, or sooner when a member's Lease expires.
  std::chrono::milliseconds next_look() const;
  void set_held(uint32_t shard, bool held);
  boost::asio::awaitable<void> sleep(std::chrono::milliseconds d);

  std::shared_ptr<Client> client_;
  ShardLeaseConfig config_;
  std::function<void(const std::set<uint32_t>&)> held_changed_;
  std::function<boost::asio::awaitable<void>(uint32_t)> handover_;
  std::unique_ptr<LeaderElector> member_;
  std::vector<std::unique_ptr<LeaderElector>> electors_;  // one per shard
  std::set<uint32_t> held_;
  std::set<uint32_t> handing_over_;
  std::map<std::string, Seen> seen_;  // member Leases by identity
  std::vector<std::string> members_;
  std::vector<std::string> assignment_;
  bool joined_ = false;  // a member for a retry period: campaign from now on
  std::optional<std::chrono::steady_clock::time_point> member_since_;
  bool stopping_ = false;
  size_t running_ = 0;  // campaign and member loops and handovers still running
  std::unique_ptr<boost::asio::steady_timer> timer_;
};

}  // namespace zk::kube
