// Jittered exponential backoff for reconnects and retries.
//
//   Backoff b({.initial = 200ms, .max = 30s});
//   co_await sleep(b.next());   // 160-200ms, 320-400ms ... capped at 30s (jitter shortens)
//   b.reset();                  // after a success
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace zk::kube {

struct BackoffPolicy {
  std::chrono::milliseconds initial{200};
  std::chrono::milliseconds max{std::chrono::seconds(30)};
  double factor = 2.0;
  double jitter = 0.2;  // each delay is scaled by a uniform factor in [1-jitter, 1]
};

class Backoff {
 public:
  explicit Backoff(BackoffPolicy policy = {}, uint64_t seed = std::random_device{}());
  std::chrono::milliseconds next();
  void reset() { attempt_ = 0; }
  int attempts() const { return attempt_; }

 private:
  BackoffPolicy policy_;
  std::mt19937_64 rng_;
  int attempt_ = 0;
};

}  // namespace zk::kube
