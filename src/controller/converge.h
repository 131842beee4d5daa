// One converge step: bring one provider's copy of a zone to what a planner asks, the same way
// for DNSZones (plan_zone) and shared zones (plan_owned).
//
//   auto step = co_await converge(*provider, zone, {.check_first = true}, fields,
//                                 [&](const providers::ServedZone& s) { return plan(s); });
//   if (step.failure) status.reason = step.failure->reason;
//
// The copy is loaded when there is none (check_first: else its SOA serial is checked first);
// the plan is applied; a failed guard (our copy was stale) re-plans once on the refreshed copy.
// An empty plan with a provider that failed us before checks the serial again (is it back?)
// and re-plans once if the zone moved meanwhile. dry_run logs the plan instead of applying it.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "model/changeset.h"
#include "plan/zone_plan.h"
#include "providers/provider.h"
#include "telemetry/logging.h"

namespace zk::controller {

struct ConvergeOptions {
  bool check_first = false;  // an SOA check before planning even when there is a copy
  bool dry_run = false;
};

struct ConvergeStep {
  bool abandoned = false;  // leadership was lost while waiting: drop the result
  // Whole-backend failure (load, refresh or apply); `loading`: it was the zone transfer.
  std::optional<providers::Failure> failure;
  bool loading = false;
  providers::ApplyOutcome outcome;  // what the backend acknowledged and refused
  model::ChangeSet applied;         // the changes sent (empty: nothing to do, or dry-run)
};

using Planner = std::function<plan::Plan(const providers::ServedZone&)>;

// `fields` tag the log lines (zone, object, server). `*alive` turning false (leadership lost)
// ends the step after the operation in flight, with `abandoned`.
boost::asio::awaitable<ConvergeStep> converge(providers::Provider& provider,
                                              const model::Name& zone, ConvergeOptions options,
                                              std::vector<telemetry::LogField> fields, Planner plan,
                                              std::shared_ptr<bool> alive);

}  // namespace zk::controller
