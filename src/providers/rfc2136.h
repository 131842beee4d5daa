// A BIND 9 (RFC 2136) server as a Provider (provider.h): applies ChangeSets and keeps its own
// copy of every zone it writes, so planning never waits on the network.
//
//   Rfc2136Server primary(ex, {"127.0.0.1", 5353}, key, 5s, &metrics, "dns/bind-primary");
//   co_await primary.load(zone);                        // AXFR once (or after a reset)
//   auto plan = plan::plan_zone(zone, desired, primary.served(zone)->rrsets, ownership);
//   auto outcome = co_await primary.apply(plan.changes); // atomic UPDATEs, bisected on refusal
//   auto drift = co_await primary.refresh(zone);        // SOA; IXFR/AXFR only if it moved
//
// The copy follows the server exactly: after our own UPDATEs the SOA serial must have moved
// by exactly the number of messages (then the acknowledged changes are applied locally);
// otherwise someone else wrote too and an IXFR since our serial (AXFR when the server went
// backwards, e.g. it lost its journal) brings the copy up to date.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "dns/client.h"
#include "model/changeset.h"
#include "model/rrset.h"
#include "providers/provider.h"

namespace zk::telemetry {
class Metrics;
}

namespace zk::providers {

class Rfc2136Server final : public Provider {
 public:
  Rfc2136Server(boost::asio::any_io_executor ex, dns::ServerAddress address,
                std::optional<dns::TsigKey> key, std::chrono::milliseconds timeout,
                telemetry::Metrics* metrics, std::string label);
  ~Rfc2136Server() override;

  const dns::ServerAddress& address() const { return address_; }
  const std::string& label() const { return label_; }
  std::string endpoint() const override { return address_.to_string(); }
  const ServedZone* served(const model::Name& zone) const override;
  void forget(const model::Name& zone) override { zones_.erase(zone); }
  const Health& health() const override { return health_; }

  // AXFR into the copy.
  boost::asio::awaitable<Result<void>> load(const model::Name& zone) override;
  // SOA serial check; when it moved, IXFR (or AXFR) into the copy and report what changed.
  // Loads the zone when there is no copy yet.
  boost::asio::awaitable<Result<RefreshOutcome>> refresh(const model::Name& zone) override;
  // Applies the changes. A refused batch is bisected, so every change the server accepts is
  // applied and each one it refuses is reported in `refused`. Errors that concern the whole
  // server (unreachable, TSIG, zone not found, a failed prerequisite meaning our copy was
  // stale) fail the call; the copy is then refreshed or dropped so the next plan is right.
  boost::asio::awaitable<Result<ApplyOutcome>> apply(const model::ChangeSet& changes) override;
  boost::asio::awaitable<Result<uint32_t>> soa_serial(const model::Name& zone) override;
  boost::asio::awaitable<Result<void>> check(const model::Name& zone) override;
  boost::asio::awaitable<Result<LookupAnswer>> lookup(const model::Name& name,
                                                      model::RRType type) override;
  boost::asio::awaitable<Result<void>> notify(const model::Name& zone,
                                              std::optional<uint32_t> serial) override;

 private:
  struct Refused {
    model::Change change;
    dns::Error error;
  };
  struct Sent {
    size_t applied = 0;
    size_t messages = 0;
    std::vector<Refused> refused;
  };
  boost::asio::awaitable<dns::Result<void>> load_copy(const model::Name& zone);
  boost::asio::awaitable<dns::Result<RefreshOutcome>> refresh_copy(const model::Name& zone);
  boost::asio::awaitable<dns::Result<Sent>> apply_changes_to(const model::ChangeSet& changes);
  boost::asio::awaitable<dns::Result<Sent>> apply_bisect(const model::Name& zone,
                                                         std::vector<model::Change> part);
  boost::asio::awaitable<dns::Result<size_t>> send(const model::Name& zone,
                                                   const std::vector<model::Change>& part,
                                                   size_t* applied);
  // Health from the outcome of one operation, and its zonekeeper_dns_operations_total and
  // duration (since t0).
  void note(const dns::Result<void>& r, std::string_view operation,
            std::chrono::steady_clock::time_point t0);
  template <typename T>
  void note(const dns::Result<T>& r, std::string_view operation,
            std::chrono::steady_clock::time_point t0) {
    note(r ? dns::Result<void>{} : dns::Result<void>(tl::unexpected(r.error())), operation, t0);
  }

  dns::ServerAddress address_;
  std::unique_ptr<dns::Client> client_;
  telemetry::Metrics* metrics_;
  std::string label_;
  std::map<model::Name, ServedZone> zones_;
  Health health_;
};

// True when the error is about one change rather than the server (REFUSED, SERVFAIL, …):
// bisecting can find the culprit.
bool change_specific(const dns::Error& e);
// True when the error says the server cannot be used at all right now.
bool server_wide(const dns::Error& e);

}  // namespace zk::providers
