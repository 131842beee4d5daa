// The controller's work queue: keys (a zone, a server, a namespace) waiting to be reconciled.
//
//   WorkQueue q(ex);
//   q.add("z/dns/example-test");                 // deduplicated while waiting
//   auto key = co_await q.next();                // nullopt after shutdown()
//   bool ok = co_await reconcile(*key);
//   ok ? q.forget(*key) : q.retry(*key);         // capped exponential backoff with jitter
//   q.done(*key);                                // re-queued if it was added meanwhile
//
// Like client-go's rate-limited queue: a key is never processed by two workers at once (one
// zone is never updated by two UPDATEs at once), a key added while it is processed runs again
// afterwards (nothing is lost), and different keys run in parallel. Single-threaded: every
// call on the executor's thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

namespace zk::controller {

struct RetryPolicy {
  std::chrono::milliseconds initial{250};
  std::chrono::milliseconds max{std::chrono::seconds(60)};
  double jitter = 0.2;  // each delay scaled by a uniform factor in [1-jitter, 1]
};

class WorkQueue {
 public:
  WorkQueue(boost::asio::any_io_executor ex, RetryPolicy policy = {});
  ~WorkQueue();

  void add(const std::string& key);
  // Adds `key` after `delay` (the earliest of several pending delays wins).
  void add_after(const std::string& key, std::chrono::milliseconds delay);
  // Adds `key` after the backoff for its number of failures so far, and counts one more.
  // Returns the delay chosen.
  std::chrono::milliseconds retry(const std::string& key);
  // Resets the failure count (after a success).
  void forget(const std::string& key) { failures_.erase(key); }
  int failures(const std::string& key) const;

  // Waits for the next key; nullopt once shut down.
  boost::asio::awaitable<std::optional<std::string>> next();
  // How long the key next() just returned waited: from add() (a delayed key: from when it was
  // due; one added while it was processed: from that add) until next() took it. Zero after
  // done().
  std::chrono::steady_clock::duration waited(const std::string& key) const;
  void done(const std::string& key);
  // Wakes every waiter with nullopt and drops everything queued or delayed.
  void shutdown();
  // Back to a working queue after shutdown() (leadership regained).
  void restart();

  size_t depth() const { return queue_.size(); }
  size_t delayed() const { return delayed_.size(); }
  bool busy() const { return !queue_.empty() || !processing_.empty(); }

 private:
  void wake();
  void arm_delay_timer();

  boost::asio::any_io_executor ex_;
  RetryPolicy policy_;
  std::deque<std::string> queue_;
  std::set<std::string> dirty_;  // queued or to be re-queued after processing
  std::map<std::string, std::chrono::steady_clock::duration> processing_;  // → how long it waited
  std::map<std::string, std::chrono::steady_clock::time_point> added_at_;  // keys in dirty_
  std::map<std::string, int> failures_;
  std::multimap<std::chrono::steady_clock::time_point, std::string> delayed_;
  std::map<std::string, std::chrono::steady_clock::time_point> delayed_at_;
  boost::asio::steady_timer signal_;
  boost::asio::steady_timer delay_timer_;
  std::mt19937_64 rng_{std::random_device{}()};
  bool shut_down_ = false;
};

}  // namespace zk::controller
