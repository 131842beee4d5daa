// A Provider without a network: a "server" (its zones, serials and failures, set by the test)
// and the copy a real provider keeps of it. For driving the controller in unit tests.
//
//   FakeProviderFactory factory;
//   auto& primary = factory.server("dns/primary");     // the DNSServer's provider, made early
//   primary.add_zone(zone, soa_and_ns);                 // the zone exists on the server
//   primary.fail_all = providers::Failure{"ServerUnreachable", "ServerUnreachable", "timeout"};
//   Controller c(ex, options, sink, metrics, factory);
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "providers/provider.h"

namespace zk::testing {

class FakeProvider final : public providers::Provider {
 public:
  explicit FakeProvider(std::string endpoint) : endpoint_(std::move(endpoint)) {}

  // The server's side.
  void add_zone(const model::Name& zone, model::RRsetMap rrsets, uint32_t serial = 1);
  const providers::ServedZone* truth(const model::Name& zone) const;
  void set_serial(const model::Name& zone, uint32_t serial);  // a secondary lagging or catching up
  std::optional<providers::Failure> fail_all;                 // every operation fails so
  std::set<model::RRsetKey> refuse;             // changes of these RRsets are refused alone
  size_t applies = 0, loads = 0, notifies = 0;  // operations seen

  std::string endpoint() const override { return endpoint_; }
  const providers::ServedZone* served(const model::Name& zone) const override;
  void forget(const model::Name& zone) override { copies_.erase(zone); }
  const providers::Health& health() const override { return health_; }
  boost::asio::awaitable<providers::Result<void>> load(const model::Name& zone) override;
  boost::asio::awaitable<providers::Result<providers::RefreshOutcome>> refresh(
      const model::Name& zone) override;
  boost::asio::awaitable<providers::Result<providers::ApplyOutcome>> apply(
      const model::ChangeSet& changes) override;
  boost::asio::awaitable<providers::Result<uint32_t>> soa_serial(const model::Name& zone) override;
  boost::asio::awaitable<providers::Result<void>> check(const model::Name& zone) override;
  boost::asio::awaitable<providers::Result<void>> notify(const model::Name& zone,
                                                         std::optional<uint32_t> serial) override;
  // From the "server" (truth): the zone that holds `name`.
  boost::asio::awaitable<providers::Result<providers::LookupAnswer>> lookup(
      const model::Name& name, model::RRType type) override;

 private:
  std::optional<providers::Failure> failing(const model::Name& zone);

  std::string endpoint_;
  std::map<model::Name, providers::ServedZone> truth_, copies_;
  providers::Health health_;
};

class FakeProviderFactory final : public providers::ProviderFactory {
 public:
  // The provider a DNSServer "ns/name" gets (made now if it does not exist yet).
  FakeProvider& server(const std::string& label);
  providers::Result<std::shared_ptr<providers::Provider>> make(
      const providers::ProviderSpec& spec) override;
  std::vector<providers::ProviderSpec> made;  // every spec a provider was made for

 private:
  std::map<std::string, std::shared_ptr<FakeProvider>> servers_;
};

}  // namespace zk::testing
