#include "kube/leader_election.h"
#include "kube/json_field.h"

#include <algorithm>
#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "kube/microtime.h"

namespace zk::kube {

namespace json = boost::json;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

int64_t int_at(const json::object& o, std::string_view k) {
  auto it = o.find(k);
  return it != o.end() && it->value().is_int64() ? it->value().get_int64() : 0;
}

json::object& spec_of(json::object& lease) {
  json::value& s = lease["spec"];
  if (!s.is_object()) s = json::object();
  return s.get_object();
}

}  // namespace

struct LeaderElector::Observed {
  explicit Observed(asio::any_io_executor ex) : timer(ex) {}
  asio::steady_timer timer;
  std::mt19937_64 rng{std::random_device{}()};
};

LeaderElector::LeaderElector(std::shared_ptr<Client> client, LeaderElectionConfig config)
    : client_(std::move(client)),
      config_(std::move(config)),
      timer_(std::make_unique<Observed>(client_->executor())) {}

LeaderElector::~LeaderElector() = default;

Result<void> LeaderElector::validate(const LeaderElectionConfig& config) {
  if (config.lease_name.empty())
    return fail(ErrorCode::BadConfig, "leader election: no lease name");
  if (config.identity.empty()) return fail(ErrorCode::BadConfig, "leader election: no identity");
  if (!(config.lease_duration > config.renew_deadline)) {
    return fail(ErrorCode::BadConfig, "leader election: lease duration must exceed renew deadline");
  }
  if (!(config.renew_deadline > config.retry_period)) {
    return fail(ErrorCode::BadConfig, "leader election: renew deadline must exceed retry period");
  }
  if (config.retry_period.count() <= 0 || config.lease_duration < std::chrono::seconds(1)) {
    return fail(ErrorCode::BadConfig, "leader election: lease duration must be at least 1 s");
  }
  return {};
}

void LeaderElector::stop() {
  stopping_ = true;
  timer_->timer.cancel();
}

void LeaderElector::poke() {
  timer_->timer.cancel();
}

asio::awaitable<void> LeaderElector::sleep(milliseconds d) {
  timer_->timer.expires_after(d);
  co_await timer_->timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

// One round: read the lease, and take or renew it if we may. true = we hold it now.
asio::awaitable<Result<bool>> LeaderElector::try_acquire_or_renew() {
  const Resource& leases = resources::kLeases;
  const std::string path = leases.object_path(config_.lease_namespace, config_.lease_name);
  const milliseconds timeout = config_.renew_deadline;
  auto now = std::chrono::system_clock::now();
  const int64_t duration_s = std::max<int64_t>(
      1, std::chrono::duration_cast<std::chrono::seconds>(config_.lease_duration).count());

  auto got = co_await client_->request("GET", path, std::nullopt, "application/json", timeout);
  if (!got && got.error().code == ErrorCode::NotFound) {
    if (may_acquire_ && !may_acquire_()) co_return false;
    json::object lease{{"apiVersion", "coordination.k8s.io/v1"},
                       {"kind", "Lease"},
                       {"metadata", json::object{{"name", config_.lease_name},
                                                 {"namespace", config_.lease_namespace}}},
                       {"spec", json::object{{"holderIdentity", config_.identity},
                                             {"leaseDurationSeconds", duration_s},
                                             {"acquireTime", format_micro_time(now)},
                                             {"renewTime", format_micro_time(now)},
                                             {"leaseTransitions", 0}}}};
    auto created =
        co_await client_->request("POST", leases.collection_path(config_.lease_namespace),
                                  json::value(std::move(lease)), "application/json", timeout);
    if (!created) {
      if (created.error().code == ErrorCode::AlreadyExists ||
          created.error().code == ErrorCode::Conflict) {
        co_return false;  // someone else created it first
      }
      co_return tl::unexpected(created.error());
    }
    observed_holder_ = config_.identity;
    observed_at_ = Clock::now();
    if (new_leader_) new_leader_(observed_holder_);
    co_return true;
  }
  if (!got) co_return tl::unexpected(got.error());
  if (!got->is_object()) co_return fail(ErrorCode::Decode, "lease is not an object");
  json::object lease = std::move(got->get_object());
  json::object& spec = spec_of(lease);
  std::string holder = string_at(spec, "holderIdentity");
  int64_t their_duration = int_at(spec, "leaseDurationSeconds");
  // Expiry is judged by our clock from when we saw the record change (clocks may differ).
  std::string record =
      fmt::format("{}|{}|{}|{}|{}", holder, string_at(spec, "renewTime"),
                  string_at(spec, "acquireTime"), their_duration, int_at(spec, "leaseTransitions"));
  observed_duration_ = std::chrono::seconds(std::max<int64_t>(their_duration, 1));
  if (record != observed_record_) {
    observed_record_ = record;
    observed_at_ = Clock::now();
    if (holder != observed_holder_) {
      observed_holder_ = holder;
      if (new_leader_ && !holder.empty()) new_leader_(holder);
    }
  }
  bool held_by_other = !holder.empty() && holder != config_.identity;
  if (held_by_other &&
      observed_at_ + std::chrono::seconds(std::max<int64_t>(their_duration, 1)) > Clock::now()) {
    co_return false;
  }
  if (holder != config_.identity && may_acquire_ && !may_acquire_()) co_return false;
  if (holder != config_.identity) {
    spec["acquireTime"] = format_micro_time(now);
    spec["leaseTransitions"] = int_at(spec, "leaseTransitions") + 1;
  }
  spec["holderIdentity"] = config_.identity;
  spec["leaseDurationSeconds"] = duration_s;
  spec["renewTime"] = format_micro_time(now);
  auto put = co_await client_->request("PUT", path, json::value(std::move(lease)),
                                       "application/json", timeout);
  if (!put) {
    if (put.error().code == ErrorCode::Conflict) co_return false;  // lost the race this round
    co_return tl::unexpected(put.error());
  }
  if (observed_holder_ != config_.identity) {
    observed_holder_ = config_.identity;
    if (new_leader_) new_leader_(observed_holder_);
  }
  observed_at_ = Clock::now();
  co_return true;
}

asio::awaitable<void> LeaderElector::release() {
  const std::string path =
      resources::kLeases.object_path(config_.lease_namespace, config_.lease_name);
  auto got = co_await client_->request("GET", path, std::nullopt, "application/json",
                                       config_.renew_deadline);
  if (!got || !got->is_object()) co_return;
  json::object lease = std::move(got->get_object());
  json::object& spec = spec_of(lease);
  if (string_at(spec, "holderIdentity") != config_.identity) co_return;
  auto now = format_micro_time(std::chrono::system_clock::now());
  spec["holderIdentity"] = "";
  spec["leaseDurationSeconds"] = 1;
  spec["renewTime"] = now;
  spec["acquireTime"] = now;
  auto put = co_await client_->request("PUT", path, json::value(std::move(lease)),
                                       "application/json", config_.renew_deadline);
  if (!put) {
    spdlog::warn("kube leader election: release of lease {}/{} failed: {}", config_.lease_namespace,
                 config_.lease_name, put.error().to_string());
  } else {
    spdlog::info("kube leader election: {} released lease {}/{}", config_.identity,
                 config_.lease_namespace, config_.lease_name);
  }
}

asio::awaitable<Result<void>> LeaderElector::run() {
  if (auto v = validate(); !v) co_return v;
  stopping_ = false;
  std::uniform_real_distribution<double> jitter(1.0, 1.2);
  // Campaign.
  while (!stopping_) {
    auto r = co_await try_acquire_or_renew();
    if (r && *r) break;
    if (!r) {
      spdlog::warn("kube leader election: {} cannot read/take lease {}/{}: {}", config_.identity,
                   config_.lease_namespace, config_.lease_name, r.error().to_string());
    }
    // Held by another: try again when it expires, if that comes before the retry period.
    auto wait = milliseconds(int64_t(double(config_.retry_period.count()) * jitter(timer_->rng)));
    if (!observed_holder_.empty() && observed_holder_ != config_.identity) {
      auto expiry = std::chrono::duration_cast<milliseconds>(observed_at_ + observed_duration_ -
                                                             Clock::now());
      if (expiry.count() >= 0 && expiry + milliseconds(20) < wait) wait = expiry + milliseconds(20);
    }
    co_await sleep(wait);
  }
  if (stopping_) co_return Result<void>();
  leading_ = true;
  spdlog::info("kube leader election: {} leads lease {}/{}", config_.identity,
               config_.lease_namespace, config_.lease_name);
  if (started_) started_();
  // Lead: renew every retry period; give up when no renewal succeeded within renew_deadline.
  auto last_renew = Clock::now();
  while (!stopping_) {
    co_await sleep(config_.retry_period);
    if (stopping_) break;
    auto r = co_await try_acquire_or_renew();
    if (r && *r) {
      last_renew = Clock::now();
      continue;
    }
    if (r && !*r) {
      // Someone else holds it now (we must have been considered expired): step down at once.
      spdlog::warn("kube leader election: {} lost lease {}/{} to {}", config_.identity,
                   config_.lease_namespace, config_.lease_name, observed_holder_);
      leading_ = false;
      if (stopped_) stopped_();
      co_return Result<void>();
    }
    spdlog::warn("kube leader election: {} failed to renew lease {}/{}: {}", config_.identity,
                 config_.lease_namespace, config_.lease_name, r.error().to_string());
    if (Clock::now() - last_renew >= config_.renew_deadline) {
      spdlog::error("kube leader election: {} could not renew for {} ms; stepping down",
                    config_.identity, config_.renew_deadline.count());
      leading_ = false;
      if (stopped_) stopped_();
      co_return Result<void>();
    }
  }
  if (config_.release_on_stop) co_await release();
  leading_ = false;
  if (stopped_) stopped_();
  co_return Result<void>();
}

}  // namespace zk::kube
