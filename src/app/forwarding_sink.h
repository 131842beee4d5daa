// ForwardingSink: a StatusSink that hands everything to the next one — the base of the sinks in
// front of the status writer (ChangeNotifier, DsConfigMaps), which override what they act on
// and call the base for the rest.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "controller/controller.h"

namespace zk::app {

class ForwardingSink : public controller::StatusSink {
 public:
  explicit ForwardingSink(controller::StatusSink& next) : next_(next) {}

  void record_status(const controller::RecordStatus& s) override { next_.record_status(s); }
  void zone_status(const controller::ZoneStatus& s) override { next_.zone_status(s); }
  void server_status(const controller::ServerStatus& s) override { next_.server_status(s); }
  void endpoint_status(const controller::EndpointStatus& s) override { next_.endpoint_status(s); }
  void event(const controller::ObjectRef& ref, bool warning, std::string_view reason,
             std::string note) override {
    next_.event(ref, warning, reason, std::move(note));
  }
  void forget(const controller::ObjectRef& ref) override { next_.forget(ref); }

 protected:
  controller::StatusSink& next_;
};

}  // namespace zk::app
