// GET /api/v1/export[?zone=NAME]: what zonekeeper serves, as zone documents
// (docs/zone-document.md) that `zonekeeper import` accepts — one zone, or every managed zone as a
// multi-document YAML stream — and the route's handler (application/yaml; 400 with a JSON error).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "controller/controller.h"
#include "server/http_server.h"

namespace zk::app {

// `zone`: nullopt = all of them, in the controller's order; else the one whose name it is.
// Unexpected: not a name, or no managed zone has it.
tl::expected<std::string, std::string> export_document(
    const std::vector<controller::Controller::ManagedZone>& zones,
    const std::optional<std::string>& zone);

server::AsyncHandler export_handler(controller::Controller& controller);

}  // namespace zk::app
