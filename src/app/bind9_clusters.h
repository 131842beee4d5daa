// One Bind9Cluster or Bind9GlobalCluster reconciled (docs/api.md "Bind9Cluster",
// "Bind9GlobalCluster"): its Bind9Instances applied as managed/bind9_cluster renders them,
// those it no longer wants (secondaries.instances lowered) deleted, and its status written over
// what its instances report. The Bind9Instance reconciler (app/bind9_instances) runs it from its
// queue, so all of them share one set of caches and workers.
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
  static const kube::Resource& resource();         // bind9clusters
  static const kube::Resource& global_resource();  // bind9globalclusters (cluster-scoped)

  explicit Bind9Clusters(Deployer& deployer) : deployer_(deployer) {}

  // Reconciles the cluster `ns/name` from the caches; false when it should be retried.
  boost::asio::awaitable<bool> reconcile(const kube::Store& clusters, const kube::Store& instances,
                                         const std::string& ns, const std::string& name);
  // The same for the Bind9GlobalCluster `name`, whose instances live in its spec.namespace.
  boost::asio::awaitable<bool> reconcile_global(const kube::Store& clusters,
                                                const kube::Store& instances,
                                                const std::string& name);

 private:
  struct Made;  // what the instances' maker is: its kind, label, status resource
  boost::asio::awaitable<bool> converge(const Made& made, const boost::json::value& object,
                                        const kube::Store& instances);
  boost::asio::awaitable<bool> invalid(const kube::Resource& r, const boost::json::value& object,
                                       const std::string& why);

  Deployer& deployer_;
};

}  // namespace zk::app
