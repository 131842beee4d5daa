// The Controller's catalog entries (private to src/controller: controller.cc and
// shared_zone.cc both read them).
#pragma once

#include <map>
#include <optional>
#include <string>

#include "api/object_meta.h"
#include "api/record.h"
#include "api/server.h"
#include "api/zone.h"
#include "controller/controller.h"

namespace zk::controller {

struct Controller::ZoneEntry {
  api::ObjectMeta meta;
  std::optional<api::Zone> zone;  // decoded
  std::string error;              // InvalidSpec message when not
};

struct Controller::ServerEntry {
  api::ObjectMeta meta;
  std::optional<api::Server> server;
  std::string error;
};

struct Controller::NamespaceObjects {
  std::map<std::string, api::RecordObject> records;  // by "Kind/ns/name"
  std::map<std::string, ZoneEntry> zones;            // by name
  std::map<std::string, ServerEntry> servers;        // by name
  bool empty() const { return records.empty() && zones.empty() && servers.empty(); }
};

}  // namespace zk::controller
