#include "kube/backoff.h"

#include <algorithm>
#include <cmath>

namespace zk::kube {

Backoff::Backoff(BackoffPolicy policy, uint64_t seed) : policy_(policy), rng_(seed) {}

std::chrono::milliseconds Backoff::next() {
  double base = double(policy_.initial.count()) * std::pow(policy_.factor, double(attempt_));
  base = std::min(base, double(policy_.max.count()));
  if (attempt_ < 64) ++attempt_;
  double jitter = std::clamp(policy_.jitter, 0.0, 1.0);
  // Jitter only shortens: delays stay spread even when capped, and never exceed max.
  std::uniform_real_distribution<double> dist(1.0 - jitter, 1.0);
  double d = base * dist(rng_);
  return std::chrono::milliseconds(int64_t(std::max(d, 0.0)));
}

}  // namespace zk::kube
