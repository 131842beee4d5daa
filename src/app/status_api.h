// The document of GET /api/v1/status (docs/metrics.md "Status API"), the same in both modes: who
// leads, whether the desired state is read, the queue, every DNSZone as last reported with each
// server's serial, the last reconcile and the failures of the last five minutes. Pure.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "controller/activity.h"
#include "controller/controller.h"

namespace zk::app {

struct StatusInputs {
  std::string mode;      // "cluster" | "local"
  std::string identity;  // this replica (cluster) or "local"
  std::string version;
  bool leader = false;
  std::optional<std::string> unready;  // /readyz's reason line; nullopt = ready
  size_t queue_depth = 0;
  std::vector<controller::Controller::ZoneSummary> zones;
  const controller::Activity* activity = nullptr;
  std::chrono::system_clock::time_point now;
};

// The inputs as `controller` reports them now (both modes build the document this way).
StatusInputs status_inputs(const controller::Controller& controller, std::string mode,
                           std::string identity, std::optional<std::string> unready);

// One DNSZone of the document: namespace, name, zone, ready, recordCount, recordObjectsServed,
// servers (name, role, ready, serial).
boost::json::object zone_json(const controller::Controller::ZoneSummary& z);

// Compact JSON (application/json); at most 20 recent failures are listed, all are counted.
std::string status_document(const StatusInputs& in);

}  // namespace zk::app
