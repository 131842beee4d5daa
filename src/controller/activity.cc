#include "controller/activity.h"

namespace zk::controller {

void Activity::record(Reconcile r) {
  ++total_;
  if (!r.ok()) {
    ++failed_;
    failures_.push_back(r);
  }
  const Clock::time_point horizon = r.at - window_;
  const auto second = std::chrono::floor<std::chrono::seconds>(r.at);
  if (per_second_.empty() || per_second_.back().first != second) {
    per_second_.emplace_back(second, 0);
  }
  ++per_second_.back().second;
  while (!per_second_.empty() && per_second_.front().first < horizon - std::chrono::seconds(1)) {
    per_second_.pop_front();
  }
  while (!failures_.empty() &&
         (failures_.front().at < horizon || failures_.size() > max_failures_)) {
    failures_.pop_front();
  }
  last_ = std::move(r);
}

uint64_t Activity::reconciles_since(Clock::time_point since) const {
  uint64_t n = 0;
  for (auto it = per_second_.rbegin(); it != per_second_.rend(); ++it) {
    if (it->first < std::chrono::floor<std::chrono::seconds>(since)) break;
    n += it->second;
  }
  return n;
}

std::vector<Activity::Reconcile> Activity::failures_since(Clock::time_point since,
                                                          size_t max) const {
  std::vector<Reconcile> out;
  for (auto it = failures_.rbegin(); it != failures_.rend() && out.size() < max; ++it) {
    if (it->at < since) break;
    out.push_back(*it);
  }
  return out;
}

}  // namespace zk::controller
