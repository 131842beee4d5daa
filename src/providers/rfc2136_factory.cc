#include "providers/rfc2136_factory.h"

#include <chrono>

#include "api/reasons.h"
#include "dns/tsig.h"
#include "providers/rfc2136.h"

namespace zk::providers {

Result<std::shared_ptr<Provider>> Rfc2136Factory::make(const ProviderSpec& spec) {
  std::optional<dns::TsigKey> key;
  if (spec.key) {
    auto k = dns::TsigKey::from_base64(spec.key->name, spec.key->algorithm, spec.key->secret);
    if (!k) {
      std::string reason(api::reasons::kSecretInvalid);
      return tl::unexpected(Failure{reason, reason, k.error().message, false, false});
    }
    key = std::move(*k);
  }
  return std::make_shared<Rfc2136Server>(ex_, dns::ServerAddress{spec.address, spec.port},
                                         std::move(key), std::chrono::seconds(spec.timeout_seconds),
                                         metrics_, spec.label);
}

}  // namespace zk::providers
