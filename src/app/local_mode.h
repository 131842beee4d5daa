// `zonekeeper local`: local mode. Manifests from a folder (the same DNSZone and record objects
// one would `kubectl apply`) feed the same Controller as cluster mode; a BIND 9 `named` that
// zonekeeper configures and runs serves them; the folder is watched (inotify).
//
//   LocalOptions o;
//   o.manifests = "examples/cluster"; o.listen = "127.0.0.1:5353";
//   return run_local(o);          // until SIGINT/SIGTERM (stops named); exit code
//
// What is taken from the folder (*.yaml / *.yml directly in it, multi-document):
// - DNSZone and the fifteen record kinds of dns.zonekeeper.io/v1alpha1, decoded and validated by
//   src/api exactly as in a cluster. A missing metadata.namespace means "default".
// - Each DNSZone's spec.servers is replaced by a reference to the local named: zonekeeper
//   synthesizes, in every namespace that holds a DNSZone, a DNSServer "zonekeeper-local"
//   (Primary, the --listen address) and its TSIG key (fresh at every start).
// - DNSServer objects and kinds of other API groups (Namespace, Secret, RoleBinding, ...) are
//   ignored (listed once in the log), so a cluster folder such as examples/cluster works as is.
// - A document that cannot be read or identified is reported as file:line and skipped.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace zk::app {

struct LocalOptions {
  std::string manifests;
  std::string listen = "127.0.0.1:5353";
  std::string state_dir;   // "" = $XDG_STATE_HOME (or ~/.local/state)/zonekeeper/local-HASH
  std::string hosts_file;  // "" = none
  std::string http;        // "" = no HTTP endpoints; else ADDRESS:PORT (/healthz /readyz /metrics)
  std::optional<bool> table;  // nullopt: a live table when standard output is a terminal
  std::chrono::milliseconds coalesce{10};  // file events closer than this are one batch
  std::chrono::milliseconds drift_interval{std::chrono::seconds(60)};
};

int run_local(const LocalOptions& options);

}  // namespace zk::app
