#include "kube/config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace zk::kube {

namespace fs = std::filesystem;

namespace {

Result<std::string> read_file(const fs::path& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(ErrorCode::BadConfig, fmt::format("cannot read {} file {}", what, path.string()));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    return fail(ErrorCode::BadConfig, fmt::format("cannot read {} file {}", what, path.string()));
  }
  return ss.str();
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  size_t e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

Result<std::string> base64_decode(std::string_view in, std::string_view what) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  bool padding = false;
  for (char c : in) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') {
      padding = true;
      continue;
    }
    int v = value(c);
    if (v < 0 || padding) {
      return fail(ErrorCode::BadConfig, fmt::format("{} is not valid base64", what));
    }
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(char((acc >> bits) & 0xff));
    }
  }
  return out;
}

// A scalar entry of a map node, "" when absent. Throws YAML exceptions on type mismatch,
// which the caller turns into BadConfig.
std::string scalar(const YAML::Node& node, const char* key) {
  YAML::Node v = node[key];
  if (!v || v.IsNull()) return {};
  if (!v.IsScalar())
    throw YAML::Exception(YAML::Mark::null_mark(), fmt::format("{} is not a scalar", key));
  return v.as<std::string>();
}

bool boolean(const YAML::Node& node, const char* key) {
  YAML::Node v = node[key];
  if (!v || v.IsNull()) return false;
  return v.as<bool>();
}

YAML::Node find_named(const YAML::Node& list, const std::string& name, const char* inner) {
  if (!list || !list.IsSequence()) return YAML::Node();
  for (const YAML::Node& entry : list) {
    if (entry.IsMap() && entry["name"] && entry["name"].IsScalar() &&
        entry["name"].as<std::string>() == name) {
      YAML::Node n = entry[inner];
      return n ? n : YAML::Node(YAML::NodeType::Map);
    }
  }
  return YAML::Node();
}

fs::path resolve(const fs::path& base, const std::string& p) {
  fs::path path(p);
  return path.is_absolute() ? path : base / path;
}

// users[].user.exec: a client-go exec credential plugin (v1 or v1beta1).
Result<ExecConfig> exec_config(const YAML::Node& exec, const std::string& user_name) {
  std::string command = exec.IsMap() ? scalar(exec, "command") : std::string();
  auto bad = [&](std::string what) {
    return fail(
        ErrorCode::BadConfig,
        fmt::format("kubeconfig user \"{}\": exec plugin{}: {}", user_name,
                    command.empty() ? "" : fmt::format(" \"{}\"", command), std::move(what)));
  };
  if (!exec.IsMap()) return bad("not a mapping");
  ExecConfig c;
  c.api_version = scalar(exec, "apiVersion");
  if (c.api_version != "client.authentication.k8s.io/v1" &&
      c.api_version != "client.authentication.k8s.io/v1beta1") {
    return bad(fmt::format("apiVersion \"{}\" is not client.authentication.k8s.io/v1 or v1beta1",
                           c.api_version));
  }
  c.command = scalar(exec, "command");
  if (c.command.empty()) return bad("no command");
  if (const auto& args = exec["args"]; args && args.IsSequence()) {
    for (const auto& a : args) c.args.push_back(a.as<std::string>(""));
  }
  if (const auto& env = exec["env"]; env && env.IsSequence()) {
    for (const auto& e : env) {
      std::string name = scalar(e, "name");
      if (name.empty()) return bad("an env entry without a name");
      c.env.emplace_back(name, scalar(e, "value"));
    }
  }
  c.interactive_mode = scalar(exec, "interactiveMode");
  if (c.interactive_mode.empty()) {
    if (c.api_version.ends_with("/v1")) return bad("interactiveMode is required in v1");
    c.interactive_mode = "IfAvailable";
  }
  if (c.interactive_mode != "Never" && c.interactive_mode != "IfAvailable" &&
      c.interactive_mode != "Always") {
    return bad(fmt::format("interactiveMode \"{}\" is not Never, IfAvailable or Always",
                           c.interactive_mode));
  }
  c.provide_cluster_info = boolean(exec, "provideClusterInfo");
  c.install_hint = scalar(exec, "installHint");
  return c;
}

// PEM from a "-data" (base64) entry or a file entry.
Result<std::string> pem_from(const YAML::Node& node, const char* data_key, const char* file_key,
                             const fs::path& base, std::string_view what) {
  std::string data = scalar(node, data_key);
  if (!data.empty()) return base64_decode(data, data_key);
  std::string file = scalar(node, file_key);
  if (!file.empty()) return read_file(resolve(base, file), what);
  return std::string();
}

Result<Config> parse_kubeconfig_node(const YAML::Node& root, const fs::path& base_dir,
                                     std::string_view context_name) {
  if (!root.IsMap()) return fail(ErrorCode::BadConfig, "kubeconfig is not a YAML mapping");
  std::string ctx_name(context_name);
  if (ctx_name.empty()) ctx_name = scalar(root, "current-context");
  if (ctx_name.empty()) return fail(ErrorCode::BadConfig, "kubeconfig has no current-context");
  YAML::Node ctx = find_named(root["contexts"], ctx_name, "context");
  if (!ctx) {
    return fail(ErrorCode::BadConfig, fmt::format("kubeconfig has no context \"{}\"", ctx_name));
  }
  std::string cluster_name = scalar(ctx, "cluster");
  std::string user_name = scalar(ctx, "user");
  YAML::Node cluster = find_named(root["clusters"], cluster_name, "cluster");
  if (!cluster) {
    return fail(ErrorCode::BadConfig,
                fmt::format("kubeconfig context \"{}\" names cluster \"{}\", which is not defined",
                            ctx_name, cluster_name));
  }
  Config cfg;
  cfg.server = scalar(cluster, "server");
  if (cfg.server.empty()) {
    return fail(ErrorCode::BadConfig,
                fmt::format("kubeconfig cluster \"{}\" has no server", cluster_name));
  }
  if (!scalar(cluster, "proxy-url").empty()) {
    return fail(ErrorCode::BadConfig, "kubeconfig proxy-url is not supported");
  }
  cfg.insecure_skip_tls_verify = boolean(cluster, "insecure-skip-tls-verify");
  cfg.tls_server_name = scalar(cluster, "tls-server-name");
  auto ca = pem_from(cluster, "certificate-authority-data", "certificate-authority", base_dir,
                     "certificate-authority");
  if (!ca) return tl::unexpected(ca.error());
  cfg.ca_pem = std::move(*ca);
  std::string ns = scalar(ctx, "namespace");
  if (!ns.empty()) cfg.default_namespace = ns;

  if (!user_name.empty()) {
    YAML::Node user = find_named(root["users"], user_name, "user");
    if (!user) {
      return fail(ErrorCode::BadConfig,
                  fmt::format("kubeconfig context \"{}\" names user \"{}\", which is not defined",
                              ctx_name, user_name));
    }
    if (user["exec"] && !user["exec"].IsNull()) {
      auto plugin = exec_config(user["exec"], user_name);
      if (!plugin) return tl::unexpected(plugin.error());
      cfg.token = TokenSource::exec(
          std::move(*plugin), ExecClusterInfo{cfg.server, cfg.ca_pem, cfg.insecure_skip_tls_verify,
                                              cfg.tls_server_name});
    }
    if (user["auth-provider"] && !user["auth-provider"].IsNull()) {
      std::string name =
          user["auth-provider"].IsMap() ? scalar(user["auth-provider"], "name") : std::string();
      return fail(ErrorCode::BadConfig,
                  fmt::format("kubeconfig user \"{}\" uses auth-provider \"{}\"; auth-provider "
                              "plugins are not supported",
                              user_name, name));
    }
    if (!scalar(user, "username").empty() || !scalar(user, "password").empty()) {
      return fail(
          ErrorCode::BadConfig,
          fmt::format("kubeconfig user \"{}\" uses basic auth, which is not supported", user_name));
    }
    std::string token = scalar(user, "token");
    std::string token_file = scalar(user, "tokenFile");
    if (!token.empty()) {
      cfg.token = TokenSource::fixed(trim(token));
    } else if (!token_file.empty()) {
      cfg.token = TokenSource::file(resolve(base_dir, token_file));
      if (auto t = cfg.token->token(); !t) return tl::unexpected(t.error());
    }
    auto cert = pem_from(user, "client-certificate-data", "client-certificate", base_dir,
                         "client-certificate");
    if (!cert) return tl::unexpected(cert.error());
    auto key = pem_from(user, "client-key-data", "client-key", base_dir, "client-key");
    if (!key) return tl::unexpected(key.error());
    if (cert->empty() != key->empty()) {
      return fail(ErrorCode::BadConfig,
                  fmt::format("kubeconfig user \"{}\" has a client certificate without a key "
                              "or a key without a certificate",
                              user_name));
    }
    cfg.client_cert_pem = std::move(*cert);
    cfg.client_key_pem = std::move(*key);
  }
  if (!cfg.server.starts_with("https://") && !cfg.server.starts_with("http://")) {
    return fail(ErrorCode::BadConfig,
                fmt::format("kubeconfig server \"{}\" is not an http(s) URL", cfg.server));
  }
  return cfg;
}

}  // namespace

std::shared_ptr<TokenSource> TokenSource::fixed(std::string token) {
  std::shared_ptr<TokenSource> t(new TokenSource());
  t->token_ = std::move(token);
  t->loaded_ = true;
  return t;
}

std::shared_ptr<TokenSource> TokenSource::exec(ExecConfig plugin, ExecClusterInfo cluster) {
  std::shared_ptr<TokenSource> t(new TokenSource());
  t->exec_ = std::move(plugin);
  t->cluster_ = std::move(cluster);
  return t;
}

bool TokenSource::invalidate() {
  std::lock_guard lock(mu_);
  if (!exec_) return false;
  loaded_ = false;
  return true;
}

std::shared_ptr<TokenSource> TokenSource::file(fs::path path, std::chrono::milliseconds recheck) {
  std::shared_ptr<TokenSource> t(new TokenSource());
  t->path_ = std::move(path);
  t->recheck_ = recheck;
  return t;
}

Result<std::string> TokenSource::token() {
  std::lock_guard lock(mu_);
  if (exec_) {
    auto now = std::chrono::system_clock::now();
    if (loaded_ && (!expiry_ || now + kExecRefreshMargin < *expiry_)) return token_;
    auto c = run_exec_plugin(*exec_, cluster_);
    if (!c) {
      // Keep a token that is still valid through a failed early refresh.
      if (loaded_ && expiry_ && now < *expiry_) return token_;
      return tl::unexpected(c.error());
    }
    token_ = std::move(c->token);
    expiry_ = c->expiry;
    loaded_ = true;
    return token_;
  }
  if (path_.empty()) return token_;
  auto now = std::chrono::steady_clock::now();
  if (loaded_ && now < next_check_) return token_;
  next_check_ = now + recheck_;
  std::error_code ec;
  auto mtime = fs::last_write_time(path_, ec);
  auto size = ec ? 0 : fs::file_size(path_, ec);
  if (ec) {
    if (loaded_) return token_;  // keep the last good token through a rotation hiccup
    return fail(ErrorCode::BadConfig, fmt::format("cannot read token file {}", path_.string()));
  }
  if (loaded_ && mtime == mtime_ && size == size_) return token_;
  auto text = read_file(path_, "token");
  if (!text) {
    if (loaded_) return token_;
    return tl::unexpected(text.error());
  }
  token_ = trim(*text);
  mtime_ = mtime;
  size_ = size;
  loaded_ = true;
  return token_;
}

std::string Config::describe() const {
  std::string auth = "no credentials";
  if (token) {
    auth = token->from_file()   ? "bearer token (file)"
           : token->from_exec() ? "bearer token (exec plugin)"
                                : "bearer token";
  }
  if (!client_cert_pem.empty())
    auth = token ? auth + " + client certificate" : "client certificate";
  std::string tls = server.starts_with("http://") ? "plain HTTP"
                    : insecure_skip_tls_verify    ? "TLS (verification DISABLED)"
                    : ca_pem.empty()              ? "TLS (system roots)"
                                                  : "TLS (given CA)";
  return fmt::format("server {} · {} · {} · namespace {}", server, auth, tls, default_namespace);
}

Result<Config> parse_kubeconfig(std::string_view yaml_text, const fs::path& base_dir,
                                std::string_view context) {
  try {
    YAML::Node root = YAML::Load(std::string(yaml_text));
    return parse_kubeconfig_node(root, base_dir, context);
  } catch (const YAML::Exception& e) {
    // The YAML message names a position and a problem, not the content: safe to show.
    return fail(ErrorCode::BadConfig, fmt::format("kubeconfig is not valid: {}", e.what()));
  } catch (const std::exception& e) {
    return fail(ErrorCode::BadConfig, fmt::format("kubeconfig is not valid: {}", e.what()));
  }
}

Result<Config> load_kubeconfig(const fs::path& path, std::string_view context) {
  auto text = read_file(path, "kubeconfig");
  if (!text) return tl::unexpected(text.error());
  auto cfg = parse_kubeconfig(*text, path.parent_path(), context);
  if (!cfg) cfg.error().message = fmt::format("{}: {}", path.string(), cfg.error().message);
  return cfg;
}

Result<Config> load_in_cluster_config(const fs::path& sa_dir) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (host == nullptr || *host == '\0' || port == nullptr || *port == '\0') {
    return fail(ErrorCode::BadConfig,
                "not running in a cluster: KUBERNETES_SERVICE_HOST / KUBERNETES_SERVICE_PORT "
                "are not set");
  }
  Config cfg;
  std::string h(host);
  if (h.find(':') != std::string::npos) h = "[" + h + "]";  // IPv6 literal
  cfg.server = fmt::format("https://{}:{}", h, port);
  cfg.token = TokenSource::file(sa_dir / "token");
  if (auto t = cfg.token->token(); !t) return tl::unexpected(t.error());
  auto ca = read_file(sa_dir / "ca.crt", "service account CA");
  if (!ca) return tl::unexpected(ca.error());
  cfg.ca_pem = std::move(*ca);
  if (auto ns = read_file(sa_dir / "namespace", "namespace"); ns && !trim(*ns).empty()) {
    cfg.default_namespace = trim(*ns);
  }
  return cfg;
}

Result<Config> load_default_config() {
  if (const char* h = std::getenv("KUBERNETES_SERVICE_HOST"); h != nullptr && *h != '\0') {
    return load_in_cluster_config();
  }
  if (const char* kc = std::getenv("KUBECONFIG"); kc != nullptr && *kc != '\0') {
    std::string first(kc);
    if (auto colon = first.find(':'); colon != std::string::npos) first.resize(colon);
    return load_kubeconfig(first);
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return load_kubeconfig(fs::path(home) / ".kube" / "config");
  }
  return fail(ErrorCode::BadConfig, "no kubeconfig: KUBECONFIG and HOME are not set");
}

}  // namespace zk::kube
