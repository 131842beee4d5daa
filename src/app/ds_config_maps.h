// DsConfigMaps: a StatusSink in front of the status writer that keeps the ConfigMap a DNSZone's
// spec.dnssec.dsConfigMap names equal to the zone's DS records, and deletes the ones it made for
// a DNSZone that no longer names them (docs/api.md "DNSSEC", "The DS in a ConfigMap").
//
//   DsConfigMaps ds(io.get_executor(), client, notifier);
//   Controller controller(ex, options, ds, ...);   // zone_status(s) also keeps s.ds_config_map
//
// Writes run in the background, one at a time, never holding up a reconcile. The ConfigMaps it
// made are found once per term by their label (managed::kDsConfigMapLabel) and their owner
// reference, so one made before a restart still goes when its DNSZone stops naming it; until
// that LIST succeeds (tried again 10 s later, then less often) nothing is written or deleted. A
// refusal (no right to write ConfigMaps there, a ConfigMap of that name that is not the DNSZone's)
// is a Warning Event on the DNSZone, tried again 10 s later (then less and less often, up to every
// 5 min).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include "app/deployer.h"
#include "app/forwarding_sink.h"
#include "controller/controller.h"
#include "kube/client.h"

namespace zk::app {

class DsConfigMaps final : public ForwardingSink {
 public:
  DsConfigMaps(boost::asio::any_io_executor ex, std::shared_ptr<kube::Client> client,
               controller::StatusSink& next);
  ~DsConfigMaps() override;
  DsConfigMaps(const DsConfigMaps&) = delete;
  DsConfigMaps& operator=(const DsConfigMaps&) = delete;

  void zone_status(const controller::ZoneStatus& s) override;
  // A deleted DNSZone: its ConfigMaps go with it (owner reference), and what we knew of them.
  void forget(const controller::ObjectRef& ref) override;

  // Leadership lost: forget what was written and found (another replica may change it).
  void clear();

 private:
  // What one DNSZone wants: its ConfigMap `name` holding `config_map` ("" name: none).
  struct Want {
    controller::ObjectRef zone;
    std::string name;
    boost::json::object config_map;
    std::string text;  // config_map serialized: what was applied, when it was
  };
  // Shared with the background writer, which may outlive this object's last call.
  struct State {
    State(boost::asio::any_io_executor e, std::shared_ptr<kube::Client> c,
          controller::StatusSink* n)
        : ex(std::move(e)), client(c), next(n), deployer(std::move(c)) {}
    boost::asio::any_io_executor ex;
    std::shared_ptr<kube::Client> client;
    controller::StatusSink* next = nullptr;  // null once this object is gone
    Deployer deployer;
    bool listed = false;  // the labelled ConfigMaps were listed into `made`
    std::map<std::string, std::set<std::string>> made;  // DNSZone uid → its ConfigMaps
    std::map<std::string, std::string> written;         // DNSZone uid → Want::text applied
    std::map<std::string, Want> pending;                // by DNSZone uid, the latest
    // After a refusal the same want is tried again by a timer at `until` (10 s, doubled after
    // each refusal up to 5 min); a different want is tried at once.
    struct Refusal {
      std::chrono::steady_clock::time_point until;
      std::string want;  // Want::name + '\n' + Want::text
      int attempts = 0;
    };
    std::map<std::string, Refusal> refused;  // by DNSZone uid
    bool draining = false;
    bool list_retry = false;  // a timer will try the list again
    int list_failures = 0;
    uint64_t epoch = 0;  // moved by clear(): a write begun before it is not remembered
  };
  static bool needs_work(const State& st, const Want& w);
  static void enqueue(const std::shared_ptr<State>& st, Want w);
  static void refuse(const std::shared_ptr<State>& st, const Want& w);
  static boost::asio::awaitable<void> retry(std::shared_ptr<State> st, Want w, uint64_t epoch);
  static boost::asio::awaitable<void> drain(std::shared_ptr<State> st);
  static boost::asio::awaitable<bool> list_made(std::shared_ptr<State> st);
  static void retry_list(const std::shared_ptr<State>& st);  // 10 s, doubled up to 5 min
  static boost::asio::awaitable<void> list_again(std::shared_ptr<State> st,
                                                 std::chrono::seconds after, uint64_t epoch);
  static boost::asio::awaitable<void> keep(std::shared_ptr<State> st, Want w);

  std::shared_ptr<State> state_;
};

}  // namespace zk::app
