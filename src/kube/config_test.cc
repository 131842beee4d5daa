#include "kube/config.h"

#include <cstdlib>
#include <fstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace zk::kube {
namespace {

namespace fs = std::filesystem;

// "hello" / "-----BEGIN..." are not real secrets; just bytes to round-trip through base64.
constexpr const char* kBase = R"(apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: c1
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: aGVsbG8tY2E=
contexts:
- name: dev
  context: {cluster: c1, user: u1, namespace: team-a}
- name: other
  context: {cluster: c1, user: u2}
users:
- name: u1
  user: {token: " abc123 "}
- name: u2
  user:
    client-certificate-data: Y2VydA==
    client-key-data: a2V5
)";

fs::path temp_dir() {
  char tmpl[] = "/tmp/zk-kube-config-XXXXXX";
  return fs::path(mkdtemp(tmpl));
}

void write(const fs::path& p, std::string_view text) {
  std::ofstream(p, std::ios::binary) << text;
}

TEST(KubeconfigTest, CurrentContextTokenAndCaData) {
  auto cfg = parse_kubeconfig(kBase, "/nonexistent");
  ASSERT_TRUE(cfg) << cfg.error().to_string();
  EXPECT_EQ(cfg->server, "https://127.0.0.1:6443");
  EXPECT_EQ(cfg->ca_pem, "hello-ca");
  EXPECT_EQ(cfg->default_namespace, "team-a");
  ASSERT_TRUE(cfg->token);
  EXPECT_EQ(cfg->token->token().value(), "abc123");
  EXPECT_FALSE(cfg->insecure_skip_tls_verify);
  EXPECT_EQ(cfg->describe().find("abc123"), std::string::npos);
}

TEST(KubeconfigTest, NamedContextClientCertificateData) {
  auto cfg = parse_kubeconfig(kBase, "/nonexistent", "other");
  ASSERT_TRUE(cfg) << cfg.error().to_string();
  EXPECT_EQ(cfg->client_cert_pem, "cert");
  EXPECT_EQ(cfg->client_key_pem, "key");
  EXPECT_FALSE(cfg->token);
  EXPECT_EQ(cfg->default_namespace, "default");
  EXPECT_EQ(cfg->describe().find("key"), std::string::npos);
}

TEST(KubeconfigTest, FilesRelativeToKubeconfigAndTokenFileRotation) {
  fs::path dir = temp_dir();
  write(dir / "ca.pem", "CA-PEM");
  write(dir / "tok", "first\n");
  write(dir / "kubeconfig", R"(current-context: x
clusters: [{name: c, cluster: {server: "https://h:1", certificate-authority: ca.pem, insecure-skip-tls-verify: true, tls-server-name: api.internal}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
users: [{name: u, user: {tokenFile: tok}}]
)");
  auto cfg = load_kubeconfig(dir / "kubeconfig");
  ASSERT_TRUE(cfg) << cfg.error().to_string();
  EXPECT_EQ(cfg->ca_pem, "CA-PEM");
  EXPECT_TRUE(cfg->insecure_skip_tls_verify);
  EXPECT_EQ(cfg->tls_server_name, "api.internal");
  EXPECT_EQ(cfg->token->token().value(), "first");
  fs::remove_all(dir);
}

TEST(KubeconfigTest, ExecPluginsAreReadAsClientGoDoes) {
  auto with_exec = [](std::string_view exec) {
    return parse_kubeconfig(fmt::format(R"(current-context: x
clusters: [{{name: c, cluster: {{server: "https://h:1"}}}}]
contexts: [{{name: x, context: {{cluster: c, user: u}}}}]
users: [{{name: u, user: {{exec: {}}}}}]
)",
                                        exec),
                            "/");
  };
  auto ok = with_exec(
      "{command: aws, args: [eks, get-token], env: [{name: AWS_PROFILE, value: dev}], "
      "apiVersion: client.authentication.k8s.io/v1, interactiveMode: Never}");
  ASSERT_TRUE(ok) << ok.error().to_string();
  ASSERT_TRUE(ok->token);
  EXPECT_TRUE(ok->token->from_exec());
  EXPECT_NE(ok->describe().find("exec plugin"), std::string::npos);
  // v1beta1 defaults interactiveMode to IfAvailable; v1 requires it.
  EXPECT_TRUE(
      with_exec("{command: gke-gcloud-auth-plugin, "
                "apiVersion: client.authentication.k8s.io/v1beta1}"));
  auto e =
      with_exec("{command: aws-iam-authenticator, apiVersion: client.authentication.k8s.io/v1}");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, ErrorCode::BadConfig);
  EXPECT_NE(e.error().message.find("exec plugin \"aws-iam-authenticator\""), std::string::npos);
  EXPECT_NE(e.error().message.find("interactiveMode is required"), std::string::npos);
  for (std::string_view bad :
       {"{command: x, apiVersion: client.authentication.k8s.io/v1alpha1}",
        "{apiVersion: client.authentication.k8s.io/v1, interactiveMode: Never}",
        "{command: x, apiVersion: client.authentication.k8s.io/v1, interactiveMode: Sometimes}",
        // NOLINTNEXTLINE(bugprone-suspicious-missing-comma): one entry in two literals
        "{command: x, apiVersion: client.authentication.k8s.io/v1, interactiveMode: Never, "
        "env: [{value: v}]}",
        "[not, a, map]"}) {
    auto r = with_exec(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::BadConfig) << bad;
    }
  }
}

TEST(ExecCredential, ParsedAsClientGoDefinesIt) {
  constexpr std::string_view v1 = "client.authentication.k8s.io/v1";
  auto c = parse_exec_credential(
      R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",
          "status":{"token":"t0k","expirationTimestamp":"2030-01-02T03:04:05Z"}})",
      v1);
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->token, "t0k");
  ASSERT_TRUE(c->expiry);
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*c->expiry), 1893553445);
  auto offset = parse_exec_credential(
      R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",
          "status":{"token":"t","expirationTimestamp":"2030-01-02T05:04:05.5+02:00"}})",
      v1);
  ASSERT_TRUE(offset);
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*offset->expiry), 1893553445);
  auto forever = parse_exec_credential(
      R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",
          "status":{"token":"t"}})",
      v1);
  ASSERT_TRUE(forever);
  EXPECT_FALSE(forever->expiry);
  for (std::string_view bad :
       {R"(not json)", R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"Other"})",
        R"({"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential",
            "status":{"token":"t"}})",
        R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}})",
        R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",
            "status":{"clientCertificateData":"x","clientKeyData":"y"}})",
        R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",
            "status":{"token":"t","expirationTimestamp":"soon"}})"}) {
    auto r = parse_exec_credential(bad, v1);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().message.find("\"t\""), std::string::npos) << "never the token";
    }
  }
}

TEST(ExecCredential, PluginRunsAreBoundedAndTheirFailuresSaid) {
  ExecConfig always{"client.authentication.k8s.io/v1", "/bin/true", {}, {}, "Always", false, ""};
  auto a = run_exec_plugin(always, {});
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().message.find("never runs it at a terminal"), std::string::npos);
  ExecConfig missing{"client.authentication.k8s.io/v1",
                     "zk-no-such-plugin",
                     {},
                     {},
                     "Never",
                     false,
                     "install it with: apt install zk-no-such-plugin"};
  auto m = run_exec_plugin(missing, {});
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("exit 127"), std::string::npos) << m.error().message;
  EXPECT_NE(m.error().message.find("apt install zk-no-such-plugin"), std::string::npos);
  ExecConfig slow{"client.authentication.k8s.io/v1", "/bin/sleep", {"10"}, {}, "Never", false, ""};
  auto s = run_exec_plugin(slow, {}, std::chrono::milliseconds(200));
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("did not finish"), std::string::npos);
  ExecConfig env{"client.authentication.k8s.io/v1",
                 "/bin/sh",
                 {"-c", R"(printf '{"apiVersion":"%s","kind":"ExecCredential",)"
                        R"("status":{"token":"%s"}}' client.authentication.k8s.io/v1 "$ZK_T")"},
                 {{"ZK_T", "from-env"}},
                 "Never",
                 false,
                 ""};
  auto e = run_exec_plugin(env, {});
  ASSERT_TRUE(e) << e.error().to_string();
  EXPECT_EQ(e->token, "from-env");
}

TEST(KubeconfigTest, AuthProvidersAreRefusedByName) {
  std::string provider = R"(current-context: x
clusters: [{name: c, cluster: {server: "https://h:1"}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
users: [{name: u, user: {auth-provider: {name: gcp}}}]
)";
  auto p = parse_kubeconfig(provider, "/");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, ErrorCode::BadConfig);
  EXPECT_NE(p.error().message.find("auth-provider \"gcp\""), std::string::npos);
}

TEST(KubeconfigTest, GarbageNeverCrashes) {
  const char* inputs[] = {
      "",
      "}}}{{{",
      "- just\n- a list\n",
      "current-context: x\n",
      "current-context: x\ncontexts: 7\n",
      "current-context: x\ncontexts: [{name: x, context: {cluster: nope}}]\n",
      "current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\nclusters: [{name: c, "
      "cluster: {server: [1,2]}}]\n",
      "current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\nclusters: [{name: c, "
      "cluster: {server: ftp://x}}]\n",
      "current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\nclusters: "
      "[{name: c, cluster: {server: https://x, certificate-authority-data: '!!!'}}]\nusers: "
      "[{name: u, user: {}}]\n",
      "current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\nclusters: "
      "[{name: c, cluster: {server: https://x}}]\nusers: [{name: u, user: "
      "{client-certificate-data: Y2VydA==}}]\n",
      "current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\nclusters: "
      "[{name: c, cluster: {server: https://x}}]\nusers: [{name: u, user: {tokenFile: "
      "/nonexistent/token}}]\n",
      "current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\nclusters: [{name: c, "
      "cluster: {server: https://x, insecure-skip-tls-verify: maybe}}]\n",
      "\x01\x02\x03\xff\xfe",
      "a: &a [*a]\n",
  };
  for (const char* in : inputs) {
    auto cfg = parse_kubeconfig(in, "/");
    ASSERT_FALSE(cfg) << "accepted: " << in;
    EXPECT_EQ(cfg.error().code, ErrorCode::BadConfig) << in;
    EXPECT_FALSE(cfg.error().message.empty());
  }
  auto missing = load_kubeconfig("/nonexistent/kubeconfig");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::BadConfig);
}

class InClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_dir();
    setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1", 1);
    setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  }
  void TearDown() override {
    unsetenv("KUBERNETES_SERVICE_HOST");
    unsetenv("KUBERNETES_SERVICE_PORT");
    fs::remove_all(dir_);
  }
  fs::path dir_;
};

TEST_F(InClusterTest, ReadsServiceAccountAndRereadsRotatedToken) {
  write(dir_ / "token", "token-one");
  write(dir_ / "ca.crt", "CLUSTER-CA");
  write(dir_ / "namespace", "zonekeeper\n");
  auto cfg = load_in_cluster_config(dir_);
  ASSERT_TRUE(cfg) << cfg.error().to_string();
  EXPECT_EQ(cfg->server, "https://10.0.0.1:443");
  EXPECT_EQ(cfg->ca_pem, "CLUSTER-CA");
  EXPECT_EQ(cfg->default_namespace, "zonekeeper");
  EXPECT_EQ(cfg->token->token().value(), "token-one");

  // Rotation: a new file (new mtime/size) is picked up after the recheck interval.
  auto rotating = TokenSource::file(dir_ / "token", std::chrono::milliseconds(0));
  EXPECT_EQ(rotating->token().value(), "token-one");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  write(dir_ / "token.new", "token-two-rotated");
  fs::rename(dir_ / "token.new", dir_ / "token");
  EXPECT_EQ(rotating->token().value(), "token-two-rotated");
  // A vanished file keeps the last good token.
  fs::remove(dir_ / "token");
  EXPECT_EQ(rotating->token().value(), "token-two-rotated");
}

TEST_F(InClusterTest, MissingFilesAreBadConfig) {
  auto cfg = load_in_cluster_config(dir_);
  ASSERT_FALSE(cfg);
  EXPECT_EQ(cfg.error().code, ErrorCode::BadConfig);
  unsetenv("KUBERNETES_SERVICE_HOST");
  write(dir_ / "token", "t");
  write(dir_ / "ca.crt", "c");
  auto no_env = load_in_cluster_config(dir_);
  ASSERT_FALSE(no_env);
  EXPECT_NE(no_env.error().message.find("KUBERNETES_SERVICE_HOST"), std::string::npos);
}

TEST_F(InClusterTest, Ipv6HostIsBracketed) {
  setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
  write(dir_ / "token", "t");
  write(dir_ / "ca.crt", "c");
  auto cfg = load_in_cluster_config(dir_);
  ASSERT_TRUE(cfg) << cfg.error().to_string();
  EXPECT_EQ(cfg->server, "https://[fd00::1]:443");
}

}  // namespace
}  // namespace zk::kube
