// A managed Primary's keys Secret (docs/api.md "Key rotation"): made once with fresh keys,
// brought to today's format, and moved one step of a rotation (managed/key_ring) at a time,
// after looking at what that step must wait for — queries signed with the new or the old key
// to the Primary's Service and to each Secondary Pod, and the Secondary Pods' annotations.
//
//   PrimaryKeys keys(executor, client, deployer);
//   auto kept = co_await keys.keep(primary, requested, secondaries);
//   if (!kept) report(kept.error());   // else kept->ring: what the Secret now holds
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <tl/expected.hpp>

#include "app/deployer.h"
#include "kube/client.h"
#include "managed/bind9_objects.h"
#include "managed/bind9_status.h"
#include "managed/key_ring.h"

namespace zk::app {

// One Secondary instance of the Primary: its deployment as the reconciler built it (its
// key_names are set here, from the ring) and its Pods by ordinal.
struct SecondarySet {
  managed::Deployment deployment;
  std::vector<std::optional<managed::PodState>> pods;
};

struct KeptKeys {
  managed::KeyRing ring;    // as the Secret holds it now
  std::string waiting_for;  // a rotation not moving: what it waits for
  bool stepped = false;     // a rotation step was written now (an Event says it)
};

class PrimaryKeys {
 public:
  PrimaryKeys(boost::asio::any_io_executor executor, std::shared_ptr<kube::Client> client,
              Deployer& deployer);

  // The keys of `primary`, created or moved a step when `requested` (its rotate-keys value, ""
  // none) or the rotation in progress says so. Blocked: DeployForbidden / DeployFailed /
  // NameTaken as for any object it deploys, KeysInvalid when the Secret cannot be read.
  boost::asio::awaitable<tl::expected<KeptKeys, Blocked>> keep(
      const managed::Deployment& primary, std::string requested,
      std::vector<SecondarySet> secondaries);

 private:
  boost::asio::any_io_executor executor_;
  std::shared_ptr<kube::Client> client_;
  Deployer& deployer_;
};

}  // namespace zk::app
