// StatusLedger: a StatusSink in front of the real one (API server or terminal) that remembers each
// record object's and source object's last Ready condition, for the UI's records table
// (Controller::record_rows), and forgets an object with it. Everything is passed on unchanged.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "api/reasons.h"
#include "controller/controller.h"

namespace zk::controller {

class StatusLedger final : public StatusSink {
 public:
  explicit StatusLedger(StatusSink& next) : next_(next) {}

  // A record object's zone and name as last reported, while it is not Ready.
  struct Unserved {
    std::string zone, fqdn;
  };
  // Memory: one per object, so only what the views read (the object is its key), and of its
  // Ready condition only what varies (the type is Ready; the status one of three).
  struct Entry {
    Entry(const ConditionSpec& ready, std::unique_ptr<const Unserved> unserved)
        : status(ready.status == api::kTrue    ? Status::True
                 : ready.status == api::kFalse ? Status::False
                                               : Status::Unknown),
          reason(ready.reason),
          message(ready.message),
          unserved(std::move(unserved)) {}
    bool is_ready() const { return status == Status::True; }
    ConditionSpec ready() const {
      return ready_condition(status == Status::True    ? api::kTrue
                             : status == Status::False ? api::kFalse
                                                       : api::kUnknown,
                             reason, message);
    }

    enum class Status : uint8_t { True, False, Unknown };
    Status status;
    std::string reason;
    std::string message;
    // Null for sources, and for served records (the views list them from the zones' data).
    std::unique_ptr<const Unserved> unserved;
  };
  // By ObjectRef::key() ("Kind/ns/name").
  const std::map<std::string, Entry>& entries() const { return entries_; }
  // How many times an entry was set or dropped (for Controller::view_version).
  uint64_t changes() const { return changes_; }

  // A source object's verdict (Ingress, IngressRoute, ...: they have no status of ours), or its
  // absence (no verdict: nothing of it is in a zone).
  void note_ready(const ObjectRef& ref, const ConditionSpec& ready) {
    entries_.insert_or_assign(ref.key(), Entry(ready, nullptr));
    ++changes_;
  }
  void drop(const ObjectRef& ref) {
    entries_.erase(ref.key());
    ++changes_;
  }

  void record_status(const RecordStatus& s) override {
    std::unique_ptr<const Unserved> unserved;
    if (s.ready.status != api::kTrue) {
      unserved = std::make_unique<const Unserved>(Unserved{s.zone, s.fqdn});
    }
    entries_.insert_or_assign(s.ref.key(), Entry(s.ready, std::move(unserved)));
    ++changes_;
    next_.record_status(s);
  }
  void zone_status(const ZoneStatus& s) override { next_.zone_status(s); }
  void server_status(const ServerStatus& s) override { next_.server_status(s); }
  void endpoint_status(const EndpointStatus& s) override {
    entries_.insert_or_assign(s.ref.key(), Entry(s.ready, nullptr));
    ++changes_;
    next_.endpoint_status(s);
  }
  void event(const ObjectRef& ref, bool warning, std::string_view reason,
             std::string note) override {
    next_.event(ref, warning, reason, std::move(note));
  }
  void forget(const ObjectRef& ref) override {
    entries_.erase(ref.key());
    ++changes_;
    next_.forget(ref);
  }

 private:
  StatusSink& next_;
  std::map<std::string, Entry> entries_;
  uint64_t changes_ = 0;
};

}  // namespace zk::controller
