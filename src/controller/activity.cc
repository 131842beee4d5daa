#include "controller/activity.h"

namespace zk::controller {

void Activity::record(Reconcile r) {
  ++total_;
  if (!r.ok()) {
    ++failed_;
    failures_.push_back(r);
  }
  const Clock::time_point horizon = r.at - window_;
  while (!failures_.empty() &&
         (failures_.front().at < horizon || failures_.size() > max_failures_)) {
    failures_.pop_front();
  }
  last_ = std::move(r);
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
