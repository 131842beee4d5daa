// The documents of GET /api/v1/records (the UI's records table) and GET /api/v1/zones (each
// DNSZone as last reported, with the labels a new record needs to be selected by it). Pure.
#pragma once

#include <string>
#include <vector>

#include "controller/controller.h"

namespace zk::app {

// {"count": n, "records": [{name, type, ttl, values, zone, zoneSource, servers,
//   source: {kind, namespace, name} | null, status, reason, message, owner, description}]}
std::string records_document(const std::vector<controller::RecordRow>& rows);

// {"zones": [... as in /api/v1/status, plus recordLabels]}
std::string zones_document(const std::vector<controller::Controller::ZoneSummary>& zones);

}  // namespace zk::app
