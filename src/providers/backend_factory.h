// Builds the provider a ProviderSpec names: a Technitium DNS Server (spec.technitium set) or an
// RFC 2136 server (BIND 9), the default. app/ hands one to the controller.
//
//   providers::BackendFactory factory(io.get_executor(), &metrics);
//   controller::Controller c(ex, options, sink, metrics, factory);
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include "providers/provider.h"
#include "providers/rfc2136_factory.h"

namespace zk::providers {

class BackendFactory final : public ProviderFactory {
 public:
  BackendFactory(boost::asio::any_io_executor ex, telemetry::Metrics* metrics)
      : ex_(ex), metrics_(metrics), rfc2136_(ex, metrics) {}
  // A Technitium spec whose URL or CA bundle cannot be used fails with InvalidSpec.
  Result<std::shared_ptr<Provider>> make(const ProviderSpec& spec) override;

 private:
  boost::asio::any_io_executor ex_;
  telemetry::Metrics* metrics_;
  Rfc2136Factory rfc2136_;
};

}  // namespace zk::providers
