// `zonekeeper controller`: cluster mode. Informers feed the Controller; the leader reconciles;
// statuses, annotations and Events go back to the API server; /healthz, /readyz and /metrics
// are served on --listen.
//
//   ClusterOptions o; o.kubeconfig = "/tmp/kube/kubeconfig"; o.listen = "127.0.0.1:8080";
//   return run_cluster(o);      // until SIGINT/SIGTERM; exit code
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "app/certificates.h"
#include "controller/object_catalog.h"
#include "controller/source_catalog.h"

namespace zk::app {

struct ClusterOptions {
  std::string kubeconfig;  // "" = $KUBECONFIG, else in-cluster
  std::string listen = "0.0.0.0:8080";
  bool leader_election = true;
  std::string lease_namespace;  // "" = $POD_NAMESPACE, else zonekeeper-system
  std::string lease_name = "zonekeeper-controller";
  std::string identity;  // "" = $POD_NAME, else the host name
  // --shards N: DNSZones, DNSServers and namespaces are divided among the live replicas in N
  // shards, one Lease each (kube::ShardLeases); 0: one leader does everything.
  uint32_t shards = 0;
  std::chrono::milliseconds drift_interval{std::chrono::seconds(60)};
  // How often the API of a source not served at start (its CRD not installed) is looked up
  // again.
  std::chrono::seconds discovery_interval{30};
  size_t workers = 4;
  size_t status_writers = 8;          // status and annotation PATCHes in flight at once
  controller::SourceOptions sources;  // --zone, --source, registry, policy, filters
  bool dry_run = false;
  bool sources_only = false;  // reconcile only the --zone shared zones
  // --hosts-file: the managed block of this hosts file is one more backend of every shared zone.
  std::string hosts_file;
  // --hosts-file without --zone (dev mode from a laptop): the hosts file is the only backend,
  // every name is in the one zone "."; no zonekeeper CRD is read, no Lease is taken, and no
  // status, annotation or Event is written — the cluster is only read.
  bool hosts_only = false;
  // --ui-anonymous-read: the UI and the /api/v1 reads answer without a token (actions still need
  // one). Anyone who reaches --listen then sees every record and zone (docs/ui.md).
  bool ui_anonymous_read = false;
  // Bind9Instance (docs/api.md): the images of the servers zonekeeper deploys (--bind9-image)
  // and of the agent beside a Primary's named (--agent-image: zonekeeper's own image).
  std::string bind9_image = "zonekeeper-bind9:dev";
  std::string agent_image = "zonekeeper:dev";
  // --watch-certificates (also set by --wildcard-certificate): cert-manager's Certificates, their
  // readiness and expiry as metrics and Warning Events; the wildcard Certificates it keeps.
  bool watch_certificates = false;
  CertificateOptions certificates;
};

// The Lease an instance contends for: --lease-name, or with --dry-run "<lease-name>-dry-run",
// so a dry run never takes (or even delays) the production leader's Lease.
std::string effective_lease_name(const ClusterOptions& options);

// The shard of a work item under --shards: a stable hash of its key; the shared zones of the
// sources all in shard 0 (one unit: controller::Controller::share).
uint32_t work_shard(const controller::WorkItem& item, uint32_t shards);

int run_cluster(const ClusterOptions& options);

}  // namespace zk::app
