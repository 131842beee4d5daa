// The provider of each DNSServer: its ProviderSpec (address, port, timeout, and the TSIG key or
// the Technitium endpoint and credentials) made from the DNSServer and the state of the Secret
// it names, built by the factory the wiring hands in, kept while the spec stays the same and
// rebuilt when it changes. `owner_id` (--txt-owner-id) is the claim Technitium records carry.
//
//   ProviderPool pool(factory);
//   ProviderPool::Lookup l = pool.get(server, objects.secret(server.ns, *server.tsig_secret_name));
//   if (!l.provider) status = {l.reason, l.problem};   // SecretNotFound, SecretInvalid, …
#pragma once

#include <map>
#include <memory>
#include <string>

#include "api/server.h"
#include "controller/object_catalog.h"
#include "providers/provider.h"

namespace zk::controller {

class ProviderPool {
 public:
  ProviderPool(providers::ProviderFactory& factory, std::string owner_id)
      : factory_(factory), owner_id_(std::move(owner_id)) {}

  struct Lookup {
    std::shared_ptr<providers::Provider> provider;  // shared: an operation in flight keeps it
    std::string reason;   // when there is none: SecretPending, SecretNotFound, SecretInvalid, …
    std::string problem;  // … and why, naming the DNSServer and its Secret (never the secret)
  };
  // `secret`: the state of the Secret the server names (tsigKeySecretRef or the Technitium
  // credentialsSecretRef; ignored without one).
  Lookup get(const api::Server& server, const SecretState& secret);
  // The DNSServer is gone.
  void forget(const std::string& server_key) { slots_.erase(server_key); }

 private:
  struct Slot {
    providers::ProviderSpec spec;
    std::shared_ptr<providers::Provider> provider;
  };
  providers::ProviderFactory& factory_;
  std::string owner_id_;
  std::map<std::string, Slot> slots_;  // "ns/name" of the DNSServer
};

}  // namespace zk::controller
