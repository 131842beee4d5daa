#include "providers/backend_factory.h"

#include <chrono>

#include "api/reasons.h"
#include "providers/technitium.h"

namespace zk::providers {

Result<std::shared_ptr<Provider>> BackendFactory::make(const ProviderSpec& spec) {
  if (!spec.technitium) return rfc2136_.make(spec);
  const auto& t = *spec.technitium;
  TechnitiumApi::Options o;
  o.url = t.url;
  o.ca_pem = t.ca_pem;
  o.insecure_skip_tls_verify = t.insecure_skip_tls_verify;
  o.token = t.token;
  o.username = t.username;
  o.password = t.password;
  o.requests_per_second = t.requests_per_second;
  o.timeout = std::chrono::seconds(spec.timeout_seconds);
  auto api = TechnitiumApi::make(ex_, o);
  if (!api) {
    std::string reason(api::reasons::kInvalidSpec);
    return tl::unexpected(Failure{reason, reason, api.error().message, false, false});
  }
  return std::make_shared<TechnitiumServer>(
      ex_, std::move(*api), dns::ServerAddress{spec.address, spec.port},
      "zonekeeper:" + spec.owner_id, TechnitiumServer::Options{t.url, t.create_zones}, metrics_,
      spec.label);
}

}  // namespace zk::providers
