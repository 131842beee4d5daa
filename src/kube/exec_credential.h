// client-go exec credential plugins (client.authentication.k8s.io v1 and v1beta1): the
// kubeconfig's `users[].user.exec` runs a command that prints an ExecCredential with a bearer
// token (EKS `aws eks get-token`, GKE `gke-gcloud-auth-plugin`, AKS `kubelogin`).
//
//   auto plugin = parse_exec_config(user_exec_node_as_json).value();
//   Result<ExecCredential> c = run_exec_plugin(plugin, cluster);   // blocks while it runs
//   use(c->token); if (c->expiry) refresh_before(*c->expiry);
//
// The token never reaches a log or an error: errors carry the command's exit status and its
// stderr (capped), never its stdout.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kube/error.h"

namespace zk::kube {

struct ExecConfig {
  std::string api_version;  // client.authentication.k8s.io/v1 or …/v1beta1
  std::string command;
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  std::string interactive_mode;  // Never, IfAvailable (v1beta1 default), Always
  bool provide_cluster_info = false;
  std::string install_hint;
};

// What the plugin is told about the cluster (provideClusterInfo).
struct ExecClusterInfo {
  std::string server;
  std::string ca_pem;
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;
};

struct ExecCredential {
  std::string token;
  std::optional<std::chrono::system_clock::time_point> expiry;  // none: valid until a 401
};

// The ExecCredential a plugin printed: kind ExecCredential, the same apiVersion, status.token
// (client certificates from plugins are refused: not supported), status.expirationTimestamp.
Result<ExecCredential> parse_exec_credential(std::string_view text, std::string_view api_version);

// KUBERNETES_EXEC_INFO for the plugin: interactive false; the cluster when asked for.
std::string exec_info(const ExecConfig& config, const ExecClusterInfo& cluster);

// Runs the plugin (PATH lookup as execvp; environment inherited plus `env` and
// KUBERNETES_EXEC_INFO) and reads its credential. `timeout` bounds the whole run.
Result<ExecCredential> run_exec_plugin(
    const ExecConfig& config, const ExecClusterInfo& cluster,
    std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace zk::kube
