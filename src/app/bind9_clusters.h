// One Bind9Cluster reconciled (docs/api.md "Bind9Cluster"): its Bind9Instances applied as
// managed/bind9_cluster renders them, those it no longer wants (secondaries.instances lowered)
// deleted, and its status written over what its instances report. The Bind9Instance reconciler
// (app/bind9_instances) runs it from its queue, so both share one set of caches and workers.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "app/deployer.h"
#include "kube/client.h"
#include "kube/store.h"

namespace zk::app {

class Bind9Clusters {
 public:
  static const kube::Resource& resource();  // bind9clusters

  explicit Bind9Clusters(Deployer& deployer) : deployer_(deployer) {}

  // Reconciles the cluster `ns/name` from the caches; false when it should be retried.
  boost::asio::awaitable<bool> reconcile(const kube::Store& clusters, const kube::Store& instances,
                                         const std::string& ns, const std::string& name);

 private:
  Deployer& deployer_;
};

}  // namespace zk::app
