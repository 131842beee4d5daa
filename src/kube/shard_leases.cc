#include "kube/shard_leases.h"
#include "kube/json_field.h"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "kube/shard_assignment.h"

namespace zk::kube {

namespace json = boost::json;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

// A lease name part: lower-case alphanumerics, '-' and '.', as object names allow.
bool name_part(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

}  // namespace

ShardLeases::ShardLeases(std::shared_ptr<Client> client, ShardLeaseConfig config)
    : client_(std::move(client)),
      config_(std::move(config)),
      timer_(std::make_unique<asio::steady_timer>(client_->executor())) {}

ShardLeases::~ShardLeases() = default;

std::string ShardLeases::member_lease() const {
  return fmt::format("{}-member-{}", config_.prefix, config_.identity);
}

std::string ShardLeases::shard_lease(uint32_t shard) const {
  return fmt::format("{}-shard-{}", config_.prefix, shard);
}

LeaderElectionConfig ShardLeases::lease_config(const ShardLeaseConfig& config, std::string name) {
  LeaderElectionConfig c;
  c.lease_namespace = config.lease_namespace;
  c.lease_name = std::move(name);
  c.identity = config.identity;
  c.lease_duration = config.lease_duration;
  c.renew_deadline = config.renew_deadline;
  c.retry_period = config.retry_period;
  c.release_on_stop = config.release_on_stop;
  return c;
}

Result<void> ShardLeases::validate(const ShardLeaseConfig& config) {
  if (config.shards == 0 || config.shards > 1024) {
    return fail(ErrorCode::BadConfig, "the number of shards must be 1 to 1024");
  }
  if (!name_part(config.prefix)) {
    return fail(ErrorCode::BadConfig, "the lease name must be a lower-case DNS name");
  }
  if (!name_part(config.identity)) {
    return fail(ErrorCode::BadConfig,
                fmt::format("identity \"{}\" must be lower-case letters, digits, '-' or "
                            "'.' (it names the replica's member Lease)",
                            config.identity));
  }
  return LeaderElector::validate(lease_config(config, config.prefix + "-member"));
}

asio::awaitable<void> ShardLeases::sleep(milliseconds d) {
  timer_->expires_after(d);
  co_await timer_->async_wait(asio::as_tuple(asio::use_awaitable));
}

void ShardLeases::set_held(uint32_t shard, bool held) {
  bool changed = held ? held_.insert(shard).second : held_.erase(shard) > 0;
  if (!changed) return;
  spdlog::info("sharding: {} {} shard {} ({} held)", config_.identity, held ? "holds" : "let go of",
               shard, held_.size());
  if (held_changed_) held_changed_(held_);
}

asio::awaitable<void> ShardLeases::campaign(LeaderElector& lease, std::string what) {
  asio::steady_timer pause(client_->executor());
  while (!stopping_) {
    auto r = co_await lease.run();
    if (!r) spdlog::warn("sharding: {}: {}", what, r.error().to_string());
    if (stopping_) break;
    pause.expires_after(config_.retry_period);
    co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  --running_;
}

asio::awaitable<void> ShardLeases::observe_members() {
  const std::string prefix = config_.prefix + "-member-";
  auto list =
      co_await client_->request("GET", resources::kLeases.collection_path(config_.lease_namespace),
                                std::nullopt, "application/json", config_.renew_deadline);
  if (!list) {
    spdlog::warn("sharding: cannot list the Leases of namespace {}: {}", config_.lease_namespace,
                 list.error().to_string());
    co_return;  // the members stay as last seen
  }
  const auto now = Clock::now();
  std::set<std::string> present;
  const json::value* items = list->is_object() ? list->as_object().if_contains("items") : nullptr;
  if (items && items->is_array()) {
    for (const json::value& item : items->get_array()) {
      if (!item.is_object()) continue;
      const json::value* meta = item.as_object().if_contains("metadata");
      const json::value* spec = item.as_object().if_contains("spec");
      if (!meta || !meta->is_object() || !spec || !spec->is_object()) continue;
      std::string name = string_at(meta->get_object(), "name");
      if (name.substr(0, prefix.size()) != prefix) continue;
      const json::object& s = spec->get_object();
      const json::value* d = s.if_contains("leaseDurationSeconds");
      int64_t duration = d && d->is_int64() ? std::max<int64_t>(1, d->get_int64()) : 1;
      std::string record = fmt::format("{}|{}|{}", string_at(s, "holderIdentity"),
                                       string_at(s, "renewTime"), duration);
      auto [it, fresh] = seen_.try_emplace(name);
      Seen& seen = it->second;
      if (fresh || seen.record != record) {
        seen.record = std::move(record);
        seen.at = now;  // judged by our clock from when it changed, like leader election
      }
      seen.holder = string_at(s, "holderIdentity");
      seen.duration = std::chrono::seconds(duration);
      present.insert(std::move(name));
    }
  }
  std::set<std::string> live;
  for (auto it = seen_.begin(); it != seen_.end();) {
    if (!present.count(it->first)) {
      it = seen_.erase(it);
      continue;
    }
    const Seen& s = it->second;
    if (!s.holder.empty() && now - s.at < s.duration) live.insert(s.holder);
    // A replica gone for long (a Deployment's old Pod): its Lease is removed, by whoever sees it.
    if (now - s.at > std::max<Clock::duration>(10 * s.duration, std::chrono::minutes(5))) {
      auto gone = co_await client_->request(
          "DELETE", resources::kLeases.object_path(config_.lease_namespace, it->first),
          std::nullopt, "application/json", config_.renew_deadline);
      if (gone) spdlog::info("sharding: removed the Lease {} of a replica gone", it->first);
      it = seen_.erase(it);
      continue;
    }
    ++it;
  }
  if (member_ && member_->is_leader()) live.insert(config_.identity);
  std::vector<std::string> members(live.begin(), live.end());
  if (members != members_) {
    spdlog::info("sharding: live replicas: {}", fmt::join(members, ", "));
    members_ = std::move(members);
  }
}

milliseconds ShardLeases::next_look() const {
  // A member's Lease expiring before the retry period: look again right then (its shards are
  // reassigned without waiting a further round).
  milliseconds wait = config_.retry_period;
  const auto now = Clock::now();
  for (const auto& [name, seen] : seen_) {
    if (seen.holder.empty() || seen.holder == config_.identity) continue;
    auto left = std::chrono::duration_cast<milliseconds>(seen.at + seen.duration - now);
    if (left.count() >= 0 && left + milliseconds(20) < wait) wait = left + milliseconds(20);
  }
  return wait;
}

asio::awaitable<void> ShardLeases::hand_over(uint32_t shard) {
  handing_over_.insert(shard);
  set_held(shard, false);
  if (handover_) co_await handover_(shard);
  electors_[shard]->stop();  // releases the Lease; its campaign waits for the assignment
  asio::steady_timer pause(client_->executor());
  for (auto waited = milliseconds(0);
       electors_[shard]->is_leader() && waited < config_.renew_deadline;
       waited += milliseconds(50)) {
    pause.expires_after(milliseconds(50));
    co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  spdlog::info("sharding: {} handed shard {} over to {}", config_.identity, shard,
               shard < assignment_.size() ? assignment_[shard] : std::string());
  handing_over_.erase(shard);
  --running_;
}

asio::awaitable<Result<void>> ShardLeases::run() {
  if (auto v = validate(); !v) co_return v;
  stopping_ = false;
  joined_ = false;
  member_ = std::make_unique<LeaderElector>(client_, lease_config(member_lease()));
  member_since_.reset();
  member_->on_started_leading([this] { member_since_ = Clock::now(); });
  electors_.clear();
  for (uint32_t i = 0; i < config_.shards; ++i) {
    auto e = std::make_unique<LeaderElector>(client_, lease_config(shard_lease(i)));
    e->may_acquire([this, i] {
      return joined_ && !stopping_ && !handing_over_.count(i) && i < assignment_.size() &&
             assignment_[i] == config_.identity;
    });
    e->on_started_leading([this, i] { set_held(i, true); });
    e->on_stopped_leading([this, i] { set_held(i, false); });
    electors_.push_back(std::move(e));
  }
  auto ex = client_->executor();
  ++running_;
  asio::co_spawn(ex, campaign(*member_, "member lease"), asio::detached);
  for (uint32_t i = 0; i < config_.shards; ++i) {
    ++running_;
    asio::co_spawn(ex, campaign(*electors_[i], fmt::format("shard {}", i)), asio::detached);
  }
  while (!stopping_) {
    co_await observe_members();
    if (stopping_) break;
    std::vector<std::string> before = std::move(assignment_);
    assignment_ = assign_shards(config_.shards, members_);
    // Campaign once this replica has been a member for a retry period: replicas started
    // together have seen each other by then.
    const bool joining = !joined_;
    if (member_->is_leader() && member_since_ &&
        Clock::now() - *member_since_ >= config_.retry_period) {
      joined_ = true;
    }
    for (uint32_t shard = 0; joined_ && shard < config_.shards; ++shard) {
      bool newly = assignment_[shard] == config_.identity &&
                   (joining || shard >= before.size() || before[shard] != config_.identity);
      if (newly && !held_.count(shard)) electors_[shard]->poke();  // not after a retry period
    }
    for (uint32_t shard : std::set<uint32_t>(held_)) {
      if (assignment_[shard] != config_.identity && !handing_over_.count(shard)) {
        ++running_;  // run() returns only once the handover ended (it uses this object)
        asio::co_spawn(ex, hand_over(shard), asio::detached);
      }
    }
    milliseconds wait = next_look();
    if (!joined_ && member_since_) {  // look again right when it may join
      auto join = std::chrono::duration_cast<milliseconds>(*member_since_ + config_.retry_period -
                                                           Clock::now());
      wait = std::clamp(join + milliseconds(10), milliseconds(10), wait);
    }
    co_await sleep(wait);
  }
  // Stopping: every elector releases what it holds (release_on_stop) and its loop ends.
  member_->stop();
  for (auto& e : electors_) e->stop();
  asio::steady_timer pause(ex);
  while (running_ > 0) {
    pause.expires_after(milliseconds(20));
    co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  co_return Result<void>();
}

void ShardLeases::stop() {
  stopping_ = true;
  timer_->cancel();
  if (member_) member_->stop();
  for (auto& e : electors_) e->stop();
}

}  // namespace zk::kube
