// Client against the real kube-apiserver: CRUD, CRD discovery, status patch, server-side
// apply, 409 retry, pagination of 5,000 objects, RBAC with a real ServiceAccount token.
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include "record_crd.h"
#include "testbed.h"

namespace zk::kube::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

json::object configmap(const std::string& ns, const std::string& name, json::object data = {},
                       json::object labels = {}) {
  return json::object{
      {"apiVersion", "v1"},
      {"kind", "ConfigMap"},
      {"metadata", json::object{{"name", name}, {"namespace", ns}, {"labels", labels}}},
      {"data", data}};
}

// Installs the ARecord CRD (idempotent, server-side apply) and waits until it is served.
void ensure_arecord_crd(IoThread& io, Client& c) {
  static std::once_flag once;
  std::call_once(once, [&] {
    ApplyOptions force;
    force.force = true;
    auto applied = io.sync(c.apply(resources::kCustomResourceDefinitions, "",
                                   "arecords.dns.zonekeeper.test", arecord_crd(), force));
    ASSERT_TRUE(applied) << applied.error().to_string();
  });
  ASSERT_TRUE(eventually([&] { return io.sync(c.resolve(kARecords)).has_value(); }, 60s))
      << "CRD never became served";
}

TEST(KubeClient, CrudOnConfigMapsWithTypedErrors) {
  IoThread io;
  auto c = admin_client(io);
  std::string ns = create_namespace(io, *c, "zk-crud");
  auto created = io.sync(c->create(resources::kConfigMaps, ns, configmap(ns, "one", {{"k", "v"}})));
  ASSERT_TRUE(created) << created.error().to_string();
  auto again = io.sync(c->create(resources::kConfigMaps, ns, configmap(ns, "one")));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::AlreadyExists);

  auto got = io.sync(c->get(resources::kConfigMaps, ns, "one"));
  ASSERT_TRUE(got) << got.error().to_string();
  EXPECT_EQ(got->at("data").at("k").as_string(), "v");

  json::value patch = json::object{{"data", json::object{{"k", "w"}, {"n", "2"}}}};
  auto patched = io.sync(c->merge_patch(resources::kConfigMaps, ns, "one", patch));
  ASSERT_TRUE(patched) << patched.error().to_string();
  EXPECT_EQ(patched->at("data").at("k").as_string(), "w");

  // Optimistic concurrency: a PUT with a stale resourceVersion is a typed Conflict.
  json::object stale = *got;
  stale["data"] = json::object{{"k", "stale"}};
  auto conflict = io.sync(c->replace(resources::kConfigMaps, ns, "one", stale));
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().code, ErrorCode::Conflict);
  EXPECT_EQ(conflict.error().http_status, 409);

  auto removed = io.sync(c->remove(resources::kConfigMaps, ns, "one"));
  ASSERT_TRUE(removed) << removed.error().to_string();
  auto gone = io.sync(c->get(resources::kConfigMaps, ns, "one"));
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::NotFound);
  auto gone2 = io.sync(c->remove(resources::kConfigMaps, ns, "one"));
  ASSERT_FALSE(gone2);
  EXPECT_EQ(gone2.error().code, ErrorCode::NotFound);
}

TEST(KubeClient, UpdateWithRetryResolvesConcurrentConflicts) {
  IoThread io;
  auto c1 = admin_client(io);
  auto c2 = admin_client(io);
  std::string ns = create_namespace(io, *c1, "zk-409");
  ASSERT_TRUE(
      io.sync(c1->create(resources::kConfigMaps, ns, configmap(ns, "counter", {{"n", "0"}}))));
  std::atomic<int> conflicts_seen{0};
  auto bump = [&](std::shared_ptr<Client> c, int times) -> asio::awaitable<int> {
    int ok = 0;
    for (int i = 0; i < times; ++i) {
      int attempts_here = 0;
      Client::Mutation increment = [&](json::object& o) -> Result<bool> {
        if (++attempts_here > 1) ++conflicts_seen;
        auto& data = o["data"].as_object();
        int n = std::stoi(std::string(data["n"].as_string()));
        data["n"] = std::to_string(n + 1);
        return true;
      };
      auto r = co_await c->update_with_retry(resources::kConfigMaps, ns, "counter", increment, 50);
      if (r) ++ok;
    }
    co_return ok;
  };
  auto f1 = asio::co_spawn(io.io(), bump(c1, 25), asio::use_future);
  auto f2 = asio::co_spawn(io.io(), bump(c2, 25), asio::use_future);
  EXPECT_EQ(f1.get(), 25);
  EXPECT_EQ(f2.get(), 25);
  auto final_obj = io.sync(c1->get(resources::kConfigMaps, ns, "counter"));
  ASSERT_TRUE(final_obj);
  EXPECT_EQ(final_obj->at("data").at("n").as_string(), "50");  // no lost update
  EXPECT_GT(conflicts_seen.load(), 0) << "the two writers never actually conflicted";
}

TEST(KubeClient, DiscoveryReportsMissingCrdClearly) {
  IoThread io;
  auto c = admin_client(io);
  Resource missing{"nope.zonekeeper.test", "v1", "widgets", "Widget", true};
  auto r = io.sync(c->resolve(missing));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::NotFound);
  EXPECT_NE(r.error().message.find("widgets.nope.zonekeeper.test"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("CustomResourceDefinition"), std::string::npos);
  Resource wrong_name = resources::kConfigMaps;
  wrong_name.resource = "configmapz";
  auto r2 = io.sync(c->resolve(wrong_name));
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error().code, ErrorCode::NotFound);
  auto ok = io.sync(c->resolve(resources::kLeases));
  ASSERT_TRUE(ok) << ok.error().to_string();
  EXPECT_EQ(ok->kind, "Lease");
  EXPECT_TRUE(ok->namespaced);
}

TEST(KubeClient, CrdServerSideApplyStatusPatchAndValidation) {
  IoThread io;
  auto c = admin_client(io);
  ensure_arecord_crd(io, *c);
  std::string ns = create_namespace(io, *c, "zk-ssa");
  json::object desired = arecord(ns, "www", 1);

  auto applied = io.sync(c->apply(kARecords, ns, "www", desired));
  ASSERT_TRUE(applied) << applied.error().to_string();
  EXPECT_EQ(applied->at("spec").at("ttl").as_int64(), 300);
  int64_t generation = applied->at("metadata").at("generation").as_int64();
  bool managed_by_us = false;
  for (const auto& mf : applied->at("metadata").at("managedFields").as_array()) {
    managed_by_us |=
        mf.at("manager").as_string() == "zonekeeper" && mf.at("operation").as_string() == "Apply";
  }
  EXPECT_TRUE(managed_by_us);

  // Status subresource: merge patch writes status only; spec and generation unchanged.
  json::value status = json::object{
      {"status", json::object{{"observedGeneration", generation}, {"recordHash", "abc123"}}}};
  auto st = io.sync(c->patch_status(kARecords, ns, "www", status));
  ASSERT_TRUE(st) << st.error().to_string();
  auto got = io.sync(c->get(kARecords, ns, "www"));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->at("status").at("recordHash").as_string(), "abc123");
  EXPECT_EQ(got->at("metadata").at("generation").as_int64(), generation);
  // Status via apply on the status subresource, too. recordHash is owned by the merge patch
  // above (an Update operation, a different manager entry): apply conflicts unless forced.
  ApplyOptions status_apply;
  status_apply.subresource = "status";
  json::object status_obj{{"status", json::object{{"recordHash", "def456"}}}};
  auto st_conflict = io.sync(c->apply(kARecords, ns, "www", status_obj, status_apply));
  ASSERT_FALSE(st_conflict);
  EXPECT_EQ(st_conflict.error().code, ErrorCode::Conflict) << st_conflict.error().to_string();
  status_apply.force = true;
  auto st2 = io.sync(c->apply(kARecords, ns, "www", status_obj, status_apply));
  ASSERT_TRUE(st2) << st2.error().to_string();
  EXPECT_EQ(st2->at("status").at("recordHash").as_string(), "def456");

  // Re-apply with a change: generation moves.
  desired["spec"].as_object()["ttl"] = 60;
  auto reapplied = io.sync(c->apply(kARecords, ns, "www", desired));
  ASSERT_TRUE(reapplied) << reapplied.error().to_string();
  EXPECT_EQ(reapplied->at("spec").at("ttl").as_int64(), 60);
  EXPECT_EQ(reapplied->at("metadata").at("generation").as_int64(), generation + 1);

  // Another manager claiming the same field conflicts unless forced.
  ApplyOptions other;
  other.field_manager = "someone-else";
  json::object theirs = arecord(ns, "www", 1);
  theirs["spec"].as_object()["ttl"] = 5;
  auto clash = io.sync(c->apply(kARecords, ns, "www", theirs, other));
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().code, ErrorCode::Conflict);
  EXPECT_NE(clash.error().message.find("ttl"), std::string::npos) << clash.error().message;
  other.force = true;
  auto forced = io.sync(c->apply(kARecords, ns, "www", theirs, other));
  ASSERT_TRUE(forced) << forced.error().to_string();
  EXPECT_EQ(forced->at("spec").at("ttl").as_int64(), 5);

  // Schema validation: a typed Invalid with the field causes.
  json::object bad = arecord(ns, "bad", 2);
  bad["spec"].as_object()["ttl"] = -1;
  bad["spec"].as_object().erase("addresses");
  auto invalid = io.sync(c->create(kARecords, ns, bad));
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().code, ErrorCode::Invalid);
  std::set<std::string> fields;
  for (const auto& cause : invalid.error().causes) fields.insert(cause.field);
  EXPECT_TRUE(fields.contains("spec.ttl")) << invalid.error().to_string();
  EXPECT_TRUE(fields.contains("spec.addresses")) << invalid.error().to_string();
}

TEST(KubeClient, FiveThousandObjectsListedWithPagination) {
  IoThread io;
  auto c = admin_client(io);
  std::string ns = create_namespace(io, *c, "zk-page");
  constexpr int kObjects = 5000;
  auto create_range = [&](int from, int to) -> asio::awaitable<int> {
    int failed = 0;
    for (int i = from; i < to; ++i) {
      json::object obj = configmap(ns, fmt::format("cm-{:05}", i), {{"i", std::to_string(i)}});
      auto r = co_await c->create(resources::kConfigMaps, ns, obj);
      if (!r) ++failed;
    }
    co_return failed;
  };
  std::vector<std::future<int>> workers;
  constexpr int kWorkers = 32;
  workers.reserve(kWorkers);
  for (int w = 0; w < kWorkers; ++w) {
    workers.push_back(asio::co_spawn(
        io.io(), create_range(w * kObjects / kWorkers, (w + 1) * kObjects / kWorkers),
        asio::use_future));
  }
  for (auto& f : workers) ASSERT_EQ(f.get(), 0);

  // Page by page: exactly 10 pages of 500, no duplicates, consistent resourceVersion.
  ListOptions opts;
  opts.limit = 500;
  std::set<std::string> names;
  int pages = 0;
  std::string first_rv;
  while (true) {
    auto page = io.sync(c->list(resources::kConfigMaps, ns, opts));
    ASSERT_TRUE(page) << page.error().to_string();
    ++pages;
    if (first_rv.empty()) first_rv = page->resource_version;
    EXPECT_LE(page->items.size(), 500u);
    for (auto& item : page->items)
      names.insert(std::string(item.at("metadata").at("name").as_string()));
    if (page->continue_token.empty()) break;
    EXPECT_TRUE(page->remaining_item_count.has_value());
    opts.continue_token = page->continue_token;
  }
  EXPECT_EQ(pages, 10);
  EXPECT_EQ(names.size(), size_t(kObjects));
  ListOptions bigger_pages;
  bigger_pages.limit = 700;
  auto all = io.sync(c->list_all(resources::kConfigMaps, ns, bigger_pages));
  ASSERT_TRUE(all) << all.error().to_string();
  EXPECT_EQ(all->items.size(), size_t(kObjects));
}

TEST(KubeClient, RbacForbiddenIsTypedWithVerbAndResource) {
  IoThread io;
  auto admin = admin_client(io);
  std::string ns = create_namespace(io, *admin, "zk-rbac");
  std::string sa = "narrow";
  std::string role = "zk-it-cm-reader-" + ns;
  json::object sa_obj{{"apiVersion", "v1"},
                      {"kind", "ServiceAccount"},
                      {"metadata", json::object{{"name", sa}, {"namespace", ns}}}};
  ASSERT_TRUE(io.sync(admin->create(resources::kServiceAccounts, ns, sa_obj)));
  json::object cr =
      json::parse(fmt::format(R"({{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole",
      "metadata":{{"name":"{}"}},
      "rules":[{{"apiGroups":[""],"resources":["configmaps"],"verbs":["get","list","watch"]}}]}})",
                              role))
          .as_object();
  ASSERT_TRUE(io.sync(admin->create(resources::kClusterRoles, "", cr)));
  json::object crb =
      json::parse(
          fmt::format(R"({{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding",
      "metadata":{{"name":"{}"}},
      "roleRef":{{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"{}"}},
      "subjects":[{{"kind":"ServiceAccount","name":"{}","namespace":"{}"}}]}})",
                      role, role, sa, ns))
          .as_object();
  ASSERT_TRUE(io.sync(admin->create(resources::kClusterRoleBindings, "", crb)));

  // A real token from the TokenRequest API.
  json::value token_request = json::object{{"apiVersion", "authentication.k8s.io/v1"},
                                           {"kind", "TokenRequest"},
                                           {"spec", json::object{{"expirationSeconds", 600}}}};
  auto tr = io.sync(admin->request("POST", resources::kServiceAccounts.object_path(ns, sa, "token"),
                                   token_request));
  ASSERT_TRUE(tr) << tr.error().to_string();
  std::string token(tr->at("status").at("token").as_string());
  ASSERT_FALSE(token.empty());

  Config narrow_cfg = Testbed::admin_config();
  narrow_cfg.token = TokenSource::fixed(token);
  auto narrow = make_client(io, narrow_cfg);
  ASSERT_TRUE(eventually(
      [&] { return io.sync(narrow->list(resources::kConfigMaps, ns)).has_value(); }, 20s))
      << "the binding never took effect";

  auto secrets = io.sync(narrow->list(resources::kSecrets, ns));
  ASSERT_FALSE(secrets);
  EXPECT_EQ(secrets.error().code, ErrorCode::Forbidden);
  EXPECT_EQ(secrets.error().verb, "list");
  EXPECT_EQ(secrets.error().resource, "secrets");

  auto create = io.sync(narrow->create(resources::kConfigMaps, ns, configmap(ns, "nope")));
  ASSERT_FALSE(create);
  EXPECT_EQ(create.error().code, ErrorCode::Forbidden);
  EXPECT_EQ(create.error().verb, "create");
  EXPECT_EQ(create.error().resource, "configmaps");

  auto lease_watch = io.sync(narrow->watch(resources::kLeases, ns));
  ASSERT_FALSE(lease_watch);
  EXPECT_EQ(lease_watch.error().code, ErrorCode::Forbidden);
  EXPECT_EQ(lease_watch.error().verb, "watch");
  EXPECT_EQ(lease_watch.error().resource, "leases.coordination.k8s.io");
  // The token never appears in an error.
  EXPECT_EQ(lease_watch.error().to_string().find(token), std::string::npos);

  Config bad_cfg = Testbed::admin_config();
  bad_cfg.token = TokenSource::fixed("not-a-valid-token");
  auto bad = make_client(io, bad_cfg);
  auto unauth = io.sync(bad->list(resources::kConfigMaps, ns));
  ASSERT_FALSE(unauth);
  EXPECT_EQ(unauth.error().code, ErrorCode::Unauthorized);
  EXPECT_EQ(unauth.error().to_string().find("not-a-valid-token"), std::string::npos);
}

TEST(KubeClient, TlsVerificationIsReal) {
  IoThread io;
  // Wrong CA: the handshake must fail (typed Network), not silently succeed.
  Config wrong = Testbed::admin_config();
  wrong.ca_pem = R"(-----BEGIN CERTIFICATE-----
MIIBhTCCASugAwIBAgIUQ6t4Qv0P0wB1d4cO3YcQm0Cz6ugwCgYIKoZIzj0EAwIw
GDEWMBQGA1UEAwwNbm90LXRoZS1yZWFsLWNhMB4XDTI0MDEwMTAwMDAwMFoXDTM0
MDEwMTAwMDAwMFowGDEWMBQGA1UEAwwNbm90LXRoZS1yZWFsLWNhMFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAE7rrvOPcTx27r+bUsDYbGow22vK0AR4+ld8RYafm7
Xh6F1QTMhbPsW+CYNdL0N8igcA/eYAM+GfuU3XSL0YWUDqNTMFEwHQYDVR0OBBYE
FDcLV4/qEb6eDPlnuq7KmsvN1nZrMB8GA1UdIwQYMBaAFDcLV4/qEb6eDPlnuq7K
msvN1nZrMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIgWX2enGzR
30dpx35+aUwLUpK2X6YxhsdnYPUAdl7ZOY4CIQCWumXplapsM0YMxxfs5tU5dCFB
lhWe7hEA7FExKwmmew==
-----END CERTIFICATE-----
)";
  auto c = Client::create(io.executor(), wrong);
  if (c) {
    auto r = io.sync((*c)->list(resources::kNamespaces, ""));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::Network) << r.error().to_string();
  } else {
    EXPECT_EQ(c.error().code, ErrorCode::BadConfig);  // unparsable CA is also a refusal
  }
  // The right CA from the kubeconfig works.
  auto ok = admin_client(io);
  auto r = io.sync(ok->list(resources::kNamespaces, ""));
  EXPECT_TRUE(r) << r.error().to_string();
}

// Client-certificate authentication for real: a certificate signed by the apiserver's client
// CA, loaded from a kubeconfig that names the files (no token).
TEST(KubeClient, ClientCertificateFromKubeconfigFiles) {
  IoThread io;
  namespace fs = std::filesystem;
  fs::path pki = Testbed::dir() / "pki";
  ASSERT_TRUE(fs::exists(pki / "ca.key"))
      << "the test bed's CA key is needed to sign a client cert";
  fs::path dir = fs::temp_directory_path() / ("zk-cert-" + unique_suffix());
  fs::create_directories(dir);
  auto issue = [&](const std::string& name, const std::string& subject) {
    std::string cmd = fmt::format(
        "cd '{0}' && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
        "-keyout {1}.key -out {1}.csr -subj '{2}' >/dev/null 2>&1 && "
        "openssl x509 -req -in {1}.csr -CA '{3}/ca.crt' -CAkey '{3}/ca.key' -CAcreateserial "
        "-CAserial {1}.srl -out {1}.crt -days 1 >/dev/null 2>&1",
        dir.string(), name, subject, pki.string());
    return std::system(cmd.c_str()) == 0;
  };
  ASSERT_TRUE(issue("admin", "/O=system:masters/CN=zk-cert-admin"));
  ASSERT_TRUE(issue("nobody", "/CN=zk-cert-nobody"));
  auto write_kubeconfig = [&](const std::string& name) {
    std::ofstream(dir / (name + ".kubeconfig"))
        << fmt::format(R"(apiVersion: v1
kind: Config
current-context: c
clusters: [{{name: tb, cluster: {{server: "{}", certificate-authority: "{}"}}}}]
contexts: [{{name: c, context: {{cluster: tb, user: u}}}}]
users: [{{name: u, user: {{client-certificate: {}.crt, client-key: {}.key}}}}]
)",
                       Testbed::var("ZK_APISERVER_URL"), (pki / "ca.crt").string(), name, name);
    return dir / (name + ".kubeconfig");
  };
  auto admin_cfg = load_kubeconfig(write_kubeconfig("admin"));
  ASSERT_TRUE(admin_cfg) << admin_cfg.error().to_string();
  EXPECT_FALSE(admin_cfg->token);
  auto admin = make_client(io, *admin_cfg);
  auto listed = io.sync(admin->list(resources::kNamespaces, ""));
  EXPECT_TRUE(listed) << listed.error().to_string();

  auto nobody_cfg = load_kubeconfig(write_kubeconfig("nobody"));
  ASSERT_TRUE(nobody_cfg) << nobody_cfg.error().to_string();
  auto nobody = make_client(io, *nobody_cfg);
  auto refused = io.sync(nobody->list(resources::kNamespaces, ""));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::Forbidden);  // authenticated as zk-cert-nobody
  EXPECT_NE(refused.error().message.find("zk-cert-nobody"), std::string::npos)
      << refused.error().message;
  EXPECT_EQ(refused.error().verb, "list");
  EXPECT_EQ(refused.error().resource, "namespaces");
  std::error_code ec;
  fs::remove_all(dir, ec);
}

// client-go exec credential plugins (EKS, GKE, AKS kubeconfigs): a plugin of ours prints an
// ExecCredential (v1) with a token from the TokenRequest API. Its first answer is a token the
// API server refuses: the 401 makes the client run it again and the request succeed. A plugin
// that fails puts its stderr in the error — never its stdout (where a token would be).
TEST(KubeClient, ExecCredentialPluginTokensRefreshedOn401) {
  IoThread io;
  namespace fs = std::filesystem;
  auto admin = admin_client(io);
  std::string ns = create_namespace(io, *admin, "zk-exec");
  json::object sa_obj{{"apiVersion", "v1"},
                      {"kind", "ServiceAccount"},
                      {"metadata", json::object{{"name", "exec-user"}, {"namespace", ns}}}};
  ASSERT_TRUE(io.sync(admin->create(resources::kServiceAccounts, ns, sa_obj)));
  // A Role of its own: the test bed runs no aggregation controller, so "view" is empty.
  const Resource roles{"rbac.authorization.k8s.io", "v1", "roles", "Role", true};
  const Resource role_bindings{"rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding",
                               true};
  json::object role = json::parse(R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role",
      "metadata":{"name":"exec-cm-reader"},
      "rules":[{"apiGroups":[""],"resources":["configmaps"],"verbs":["list"]}]})")
                          .as_object();
  ASSERT_TRUE(io.sync(admin->create(roles, ns, role)));
  json::object rb = json::parse(R"({"apiVersion":"rbac.authorization.k8s.io/v1",
      "kind":"RoleBinding","metadata":{"name":"exec-cm-reader"},
      "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"exec-cm-reader"},
      "subjects":[{"kind":"ServiceAccount","name":"exec-user"}]})")
                        .as_object();
  rb["subjects"].as_array()[0].as_object()["namespace"] = ns;
  ASSERT_TRUE(io.sync(admin->create(role_bindings, ns, rb)));
  json::value token_request = json::object{{"apiVersion", "authentication.k8s.io/v1"},
                                           {"kind", "TokenRequest"},
                                           {"spec", json::object{{"expirationSeconds", 600}}}};
  auto tr = io.sync(admin->request(
      "POST", resources::kServiceAccounts.object_path(ns, "exec-user", "token"), token_request));
  ASSERT_TRUE(tr) << tr.error().to_string();
  std::string token(tr->at("status").at("token").as_string());

  fs::path dir = fs::temp_directory_path() / ("zk-exec-" + unique_suffix());
  fs::create_directories(dir);
  std::ofstream(dir / "token") << token;
  // Counts its runs; the first one answers with a token the API server does not know.
  std::ofstream(dir / "plugin.sh") << fmt::format(
      R"(#!/bin/sh
n=$(cat '{0}/runs' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '{0}/runs'
echo "$KUBERNETES_EXEC_INFO" > '{0}/exec-info'
if [ $n -eq 1 ]; then t=stale-token; else t=$(cat '{0}/token'); fi
printf '{{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{{"token":"%s","expirationTimestamp":"2099-01-01T00:00:00Z"}}}}' "$t"
)",
      dir.string());
  std::ofstream(dir / "failing.sh") << "#!/bin/sh\necho 'secret-in-stdout'\n"
                                       "echo 'no credentials: run sso login first' >&2\nexit 3\n";
  fs::permissions(dir / "plugin.sh", fs::perms::owner_all);
  fs::permissions(dir / "failing.sh", fs::perms::owner_all);
  auto write_kubeconfig = [&](const std::string& script) {
    fs::path p = dir / (script + ".kubeconfig");
    std::ofstream(p) << fmt::format(R"(apiVersion: v1
kind: Config
current-context: c
clusters: [{{name: tb, cluster: {{server: "{}", certificate-authority: "{}"}}}}]
contexts: [{{name: c, context: {{cluster: tb, user: u}}}}]
users:
- name: u
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: {}
      args: [--region, test]
      env: [{{name: ZK_EXEC_TEST, value: "1"}}]
      interactiveMode: Never
      provideClusterInfo: true
)",
                                    Testbed::var("ZK_APISERVER_URL"),
                                    (Testbed::dir() / "pki" / "ca.crt").string(),
                                    (dir / script).string());
    return p;
  };
  auto cfg = load_kubeconfig(write_kubeconfig("plugin.sh"));
  ASSERT_TRUE(cfg) << cfg.error().to_string();
  EXPECT_NE(cfg->describe().find("exec plugin"), std::string::npos) << cfg->describe();
  auto client = make_client(io, *cfg);
  auto listed = io.sync(client->list(resources::kConfigMaps, ns));
  ASSERT_TRUE(listed) << listed.error().to_string();
  auto runs = [&] {
    std::ifstream in(dir / "runs");
    int n = 0;
    in >> n;
    return n;
  };
  EXPECT_EQ(runs(), 2) << "a 401 on the first token, then a new one";
  ASSERT_TRUE(io.sync(client->list(resources::kConfigMaps, ns)));
  EXPECT_EQ(runs(), 2) << "cached until it expires";
  std::ifstream info_in(dir / "exec-info");
  std::string info((std::istreambuf_iterator<char>(info_in)), std::istreambuf_iterator<char>());
  EXPECT_NE(info.find(R"("interactive":false)"), std::string::npos) << info;
  EXPECT_NE(info.find(Testbed::var("ZK_APISERVER_URL")), std::string::npos) << info;
  EXPECT_NE(info.find("certificate-authority-data"), std::string::npos) << info;

  auto failing_cfg = load_kubeconfig(write_kubeconfig("failing.sh"));
  ASSERT_TRUE(failing_cfg) << failing_cfg.error().to_string();
  auto failing = make_client(io, *failing_cfg);
  auto refused = io.sync(failing->list(resources::kConfigMaps, ns));
  ASSERT_FALSE(refused);
  std::string msg = refused.error().to_string();
  EXPECT_NE(msg.find("no credentials: run sso login first"), std::string::npos) << msg;
  EXPECT_NE(msg.find("exit 3"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("secret-in-stdout"), std::string::npos) << msg;
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace zk::kube::testing
