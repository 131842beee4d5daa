#include "controller/provider_pool.h"

#include <fmt/format.h>

#include "api/reasons.h"

namespace zk::controller {

namespace reasons = api::reasons;

ProviderPool::Lookup ProviderPool::get(const api::Server& server, const SecretState& secret) {
  Lookup out;
  providers::ProviderSpec spec;
  spec.label = server.key();
  spec.address = server.address;
  spec.port = server.port;
  spec.timeout_seconds = server.timeout_seconds;
  spec.owner_id = owner_id_;
  std::string what = "DNSServer " + server.key();
  auto fail = [&](std::string_view reason, std::string problem) {
    out.reason = std::string(reason);
    out.problem = std::move(problem);
    return out;
  };
  if (auto name = server.secret_name()) {
    what = fmt::format("DNSServer {}: Secret {}/{}", server.key(), server.ns, *name);
    switch (secret.kind) {
      case SecretState::Kind::Unknown:
        return fail(reasons::kSecretPending, what + " has not been read yet");
      case SecretState::Kind::Missing:
        return fail(reasons::kSecretNotFound, what + " does not exist");
      case SecretState::Kind::Forbidden:
        return fail(reasons::kSecretForbidden, what + ": " + secret.message);
      case SecretState::Kind::Invalid:  // not a TSIG key: fine for a Technitium server
      case SecretState::Kind::Ok:
        break;
    }
  }
  if (server.technitium) {
    const auto& t = *server.technitium;
    if (!secret.credentials) {
      return fail(reasons::kSecretInvalid,
                  what + ": not Technitium API credentials: " + secret.credentials_error);
    }
    providers::ProviderSpec::Technitium ts;
    ts.url = t.url;
    ts.ca_pem = t.ca_bundle;
    ts.insecure_skip_tls_verify = t.insecure_skip_tls_verify;
    ts.token = secret.credentials->token;
    ts.username = secret.credentials->username;
    ts.password = secret.credentials->password;
    ts.requests_per_second = t.requests_per_second;
    ts.create_zones = t.create_zones;
    spec.technitium = std::move(ts);
  } else if (server.tsig_secret_name) {
    if (secret.kind == SecretState::Kind::Invalid) {
      return fail(reasons::kSecretInvalid, what + ": " + secret.message);
    }
    spec.key =
        providers::ProviderSpec::Key{secret.key->name, secret.key->algorithm, secret.key->secret};
  }
  auto& slot = slots_[server.key()];
  if (!slot.provider || !(slot.spec == spec)) {
    auto made = factory_.make(spec);
    if (!made) {
      slots_.erase(server.key());
      out.reason = made.error().reason;
      out.problem = what + ": " + made.error().message;
      return out;
    }
    slot.spec = std::move(spec);
    slot.provider = std::move(*made);
  }
  out.provider = slot.provider;
  return out;
}

}  // namespace zk::controller
