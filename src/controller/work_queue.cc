#include "controller/work_queue.h"

#include <algorithm>
#include <cmath>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace zk::controller {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

WorkQueue::WorkQueue(asio::any_io_executor ex, RetryPolicy policy)
    : ex_(ex), policy_(policy), signal_(ex), delay_timer_(ex) {
  signal_.expires_at(Clock::time_point::max());
}

WorkQueue::~WorkQueue() = default;

void WorkQueue::wake() {
  signal_.cancel();
}

void WorkQueue::add(const std::string& key) {
  if (shut_down_) return;
  if (!dirty_.insert(key).second) return;
  added_at_[key] = Clock::now();
  if (processing_.count(key)) return;  // done() re-queues it
  queue_.push_back(key);
  wake();
}

void WorkQueue::add_after(const std::string& key, std::chrono::milliseconds delay) {
  if (shut_down_) return;
  if (delay <= std::chrono::milliseconds(0)) {
    add(key);
    return;
  }
  auto at = Clock::now() + delay;
  if (auto it = delayed_at_.find(key); it != delayed_at_.end()) {
    if (it->second <= at) return;
    auto [lo, hi] = delayed_.equal_range(it->second);
    for (auto d = lo; d != hi; ++d) {
      if (d->second == key) {
        delayed_.erase(d);
        break;
      }
    }
  }
  delayed_at_[key] = at;
  delayed_.emplace(at, key);
  arm_delay_timer();
}

void WorkQueue::arm_delay_timer() {
  if (delayed_.empty()) return;
  auto at = delayed_.begin()->first;
  if (delay_timer_.expiry() == at) return;
  delay_timer_.expires_at(at);
  delay_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || shut_down_) return;
    auto now = Clock::now();
    while (!delayed_.empty() && delayed_.begin()->first <= now) {
      std::string key = delayed_.begin()->second;
      delayed_.erase(delayed_.begin());
      delayed_at_.erase(key);
      add(key);
    }
    arm_delay_timer();
  });
}

int WorkQueue::failures(const std::string& key) const {
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

std::chrono::milliseconds WorkQueue::retry(const std::string& key) {
  int n = failures_[key]++;
  double base = static_cast<double>(policy_.initial.count()) * std::pow(2.0, std::min(n, 30));
  base = std::min(base, static_cast<double>(policy_.max.count()));
  std::uniform_real_distribution<double> u(1.0 - policy_.jitter, 1.0);
  auto delay = std::chrono::milliseconds(static_cast<int64_t>(base * u(rng_)));
  add_after(key, delay);
  return delay;
}

asio::awaitable<std::optional<std::string>> WorkQueue::next() {
  for (;;) {
    if (shut_down_) co_return std::nullopt;
    if (!queue_.empty()) {
      std::string key = std::move(queue_.front());
      queue_.pop_front();
      dirty_.erase(key);
      auto at = added_at_.find(key);
      const Clock::duration waited =
          at == added_at_.end() ? Clock::duration::zero() : Clock::now() - at->second;
      if (at != added_at_.end()) added_at_.erase(at);
      processing_[key] = waited;
      co_return key;
    }
    boost::system::error_code ec;
    if (signal_.expiry() != Clock::time_point::max()) signal_.expires_at(Clock::time_point::max());
    co_await signal_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

Clock::duration WorkQueue::waited(const std::string& key) const {
  auto it = processing_.find(key);
  return it == processing_.end() ? Clock::duration::zero() : it->second;
}

void WorkQueue::done(const std::string& key) {
  processing_.erase(key);
  if (shut_down_) return;
  if (dirty_.count(key)) {
    queue_.push_back(key);
    wake();
  }
}

void WorkQueue::shutdown() {
  shut_down_ = true;
  queue_.clear();
  dirty_.clear();
  added_at_.clear();
  delayed_.clear();
  delayed_at_.clear();
  delay_timer_.cancel();
  wake();
}

void WorkQueue::restart() {
  shut_down_ = false;
  processing_.clear();
  signal_.expires_at(Clock::time_point::max());
}

}  // namespace zk::controller
