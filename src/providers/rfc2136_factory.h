// Builds Rfc2136Server providers from ProviderSpecs: the address, the timeout and the TSIG key
// decoded from its base64 secret (a key that does not decode is SecretInvalid).
//
//   providers::Rfc2136Factory factory(io.get_executor(), &metrics);
//   controller::Controller c(ex, options, sink, metrics, factory);
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include "providers/provider.h"

namespace zk::telemetry {
class Metrics;
}

namespace zk::providers {

class Rfc2136Factory final : public ProviderFactory {
 public:
  Rfc2136Factory(boost::asio::any_io_executor ex, telemetry::Metrics* metrics)
      : ex_(std::move(ex)), metrics_(metrics) {}
  Result<std::shared_ptr<Provider>> make(const ProviderSpec& spec) override;

 private:
  boost::asio::any_io_executor ex_;
  telemetry::Metrics* metrics_;
};

}  // namespace zk::providers
