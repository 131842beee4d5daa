// Where the API server is and how to authenticate to it.
//
//   auto cfg = kube::load_default_config();                    // in-cluster, else $KUBECONFIG,
//   if (!cfg) die(cfg.error().to_string());                    // else ~/.kube/config
//   auto cfg2 = kube::load_kubeconfig("/tmp/tb/kubeconfig");   // a given file, current-context
//   auto cfg3 = kube::load_in_cluster_config("/tmp/fake-sa");  // base dir overridable for tests
//
// Supported: current-context (or a named context), cluster.server, certificate-authority (file)
// or certificate-authority-data, insecure-skip-tls-verify, tls-server-name, user.token,
// user.tokenFile, client-certificate / client-key (file or -data), user.exec (client-go exec
// credential plugins, v1 and v1beta1: exec_credential.h). auth-provider and basic auth fail
// with ErrorCode::BadConfig naming them.
// The bearer token is held by a TokenSource, which re-reads a token file when it changes (the
// in-cluster token rotates) or runs the exec plugin again before its token expires or after a
// 401; it is never printed by describe() or any error.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "kube/error.h"
#include "kube/exec_credential.h"

namespace zk::kube {

// Supplies the current bearer token. Either a fixed token or a file that is re-read when its
// modification time or size changes (checked at most once per `recheck`).
class TokenSource {
 public:
  static std::shared_ptr<TokenSource> fixed(std::string token);
  static std::shared_ptr<TokenSource> file(
      std::filesystem::path path, std::chrono::milliseconds recheck = std::chrono::seconds(1));
  // A client-go exec credential plugin, run when a token is first needed, again within
  // kExecRefreshMargin of its expiry, and after invalidate(). It blocks the caller while it
  // runs (once per token lifetime, typically 15 minutes or more).
  static std::shared_ptr<TokenSource> exec(ExecConfig plugin, ExecClusterInfo cluster);
  static constexpr std::chrono::seconds kExecRefreshMargin{30};

  // The token to send now; empty when there is none. Error only when a token file cannot be
  // read at all (after having been readable, the last good token is kept).
  Result<std::string> token();
  bool from_file() const { return !path_.empty(); }
  bool from_exec() const { return exec_.has_value(); }
  // The API server refused the token (401): an exec plugin's is fetched anew on the next
  // token(); true when that may help (an exec plugin), so the request is worth one retry.
  bool invalidate();

 private:
  TokenSource() = default;
  std::mutex mu_;
  std::string token_;
  std::filesystem::path path_;
  std::chrono::milliseconds recheck_{1000};
  std::chrono::steady_clock::time_point next_check_{};
  std::filesystem::file_time_type mtime_{};
  std::uintmax_t size_ = 0;
  bool loaded_ = false;
  std::optional<ExecConfig> exec_;
  ExecClusterInfo cluster_;
  std::optional<std::chrono::system_clock::time_point> expiry_;
};

struct Config {
  std::string server{};  // "https://127.0.0.1:6443" or "http://..."
  std::string ca_pem{};  // PEM bundle to verify the server; empty = system roots
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name{};       // SNI / verification name override
  std::shared_ptr<TokenSource> token;  // may be null (client-certificate auth or none)
  std::string client_cert_pem{};
  std::string client_key_pem{};  // secret
  std::string default_namespace = "default";
  std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};
  std::string user_agent = "zonekeeper/0.1";

  // One line for logs: server, auth kind, TLS mode. Never includes secrets.
  std::string describe() const;
};

// Parses a kubeconfig document. Relative file paths are resolved against `base_dir`.
// `context` empty = current-context.
Result<Config> parse_kubeconfig(std::string_view yaml_text, const std::filesystem::path& base_dir,
                                std::string_view context = {});
// Reads and parses a kubeconfig file.
Result<Config> load_kubeconfig(const std::filesystem::path& path, std::string_view context = {});

inline constexpr std::string_view kServiceAccountDir =
    "/var/run/secrets/kubernetes.io/serviceaccount";

// In-cluster: KUBERNETES_SERVICE_HOST / KUBERNETES_SERVICE_PORT plus `sa_dir`/{token, ca.crt,
// namespace}. The token is re-read when the file changes.
Result<Config> load_in_cluster_config(const std::filesystem::path& sa_dir = kServiceAccountDir);

// In-cluster when KUBERNETES_SERVICE_HOST is set, else $KUBECONFIG (first entry of a ':' list),
// else ~/.kube/config.
Result<Config> load_default_config();

}  // namespace zk::kube
