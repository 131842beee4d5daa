// ChangeNotifier: a StatusSink in front of the status writer that tells a record object's
// webhook (annotation dns.zonekeeper.io/notify-url) each time new data of it is served, and once
// when the object is deleted — a JSON POST in the background, with a timeout and retries, never
// holding up a reconcile (docs/api.md "Owner, description and change webhooks").
//
//   ChangeNotifier notifier(io.get_executor(), status_writer, metrics);
//   Controller controller(ex, options, notifier, ...);
//   notifier.set_lookup([&](const std::string& key) { return controller.record(key); });
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "api/record.h"
#include "app/forwarding_sink.h"
#include "controller/controller.h"

namespace zk::telemetry {
class Metrics;
}

namespace zk::app {

// The message: {"event": "served"|"deleted", "object": {apiVersion, kind, namespace, name,
// uid, generation}, "zone", "fqdn", "type", "recordHash", "owner", "description", "time"}.
std::string change_message(std::string_view event, const controller::ObjectRef& ref,
                           std::string_view type, std::string_view zone, std::string_view fqdn,
                           std::string_view hash, const api::RecordAnnotations& notes,
                           int64_t now_seconds);

class ChangeNotifier final : public ForwardingSink {
 public:
  struct Options {
    std::chrono::milliseconds timeout{std::chrono::seconds(5)};  // per attempt
    int attempts = 3;
    std::chrono::milliseconds backoff{std::chrono::seconds(1)};  // doubled after each attempt
    size_t max_in_flight = 64;  // beyond: dropped (counted, logged)
  };
  // The record object by "Kind/ns/name" (the controller's copy), nullptr when unknown.
  using Lookup = std::function<const api::RecordObject*(const std::string& key)>;

  ChangeNotifier(boost::asio::any_io_executor ex, controller::StatusSink& next,
                 telemetry::Metrics& metrics, Options options);
  ~ChangeNotifier() override;
  ChangeNotifier(const ChangeNotifier&) = delete;
  ChangeNotifier& operator=(const ChangeNotifier&) = delete;
  void set_lookup(Lookup lookup) { lookup_ = std::move(lookup); }

  void record_status(const controller::RecordStatus& s) override;
  void forget(const controller::ObjectRef& ref) override;

 private:
  struct Told {  // what the webhook of one object last heard
    std::string url, hash, zone, fqdn, type;
    api::RecordAnnotations notes;
  };
  struct Shared;
  void send(const controller::ObjectRef& ref, const std::string& url, std::string body);
  // The URL is usable; else a Warning Event once per object and URL.
  bool usable(const controller::ObjectRef& ref, const std::string& url);

  Lookup lookup_;
  std::map<std::string, Told> told_;  // by "Kind/ns/name"
  std::set<std::string> refused_;     // "Kind/ns/name url" told InvalidNotifyURL
  std::shared_ptr<Shared> shared_;
};

}  // namespace zk::app
