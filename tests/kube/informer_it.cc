// Informers against the real kube-apiserver: list+watch of ConfigMaps and of a CRD, selectors
// and indexes, a watch that survives an apiserver restart without loss or duplicates, a real
// 410 after etcd compaction ending equal to the server's truth, bookmarks advancing the RV.
#include <map>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "kube/informer.h"
#include "record_crd.h"
#include "testbed.h"

namespace zk::kube::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

json::object configmap(const std::string& ns, const std::string& name, const std::string& value,
                       json::object labels = {}) {
  return json::object{
      {"apiVersion", "v1"},
      {"kind", "ConfigMap"},
      {"metadata", json::object{{"name", name}, {"namespace", ns}, {"labels", labels}}},
      {"data", json::object{{"v", value}}}};
}

// Runs an informer on the io thread; stops it and waits for run() on destruction.
class RunningInformer {
 public:
  RunningInformer(IoThread& io, std::shared_ptr<Client> c, Resource r, InformerOptions o)
      : io_(io), informer_(std::make_unique<Informer>(std::move(c), std::move(r), std::move(o))) {
    informer_->on_event(std::ref(log_));
  }
  ~RunningInformer() { stop(); }
  void start() { done_ = io_.spawn(informer_->run()); }
  void stop() {
    if (!done_.valid()) return;
    io_.call([this] { informer_->stop(); });
    EXPECT_EQ(done_.wait_for(30s), std::future_status::ready);
    done_ = {};
  }
  bool wait_synced() {
    return eventually([&] { return informer_->synced(); }, 60s);
  }
  Informer& operator*() { return *informer_; }
  Informer* operator->() { return informer_.get(); }
  DeltaLog& log() { return log_; }

 private:
  IoThread& io_;
  std::unique_ptr<Informer> informer_;
  DeltaLog log_;
  std::future<void> done_;
};

// The server's truth: key → resourceVersion.
std::map<std::string, std::string> server_truth(IoThread& io, Client& c, const Resource& r,
                                                const std::string& ns) {
  std::map<std::string, std::string> out;
  auto all = io.sync(c.list_all(r, ns));
  EXPECT_TRUE(all) << all.error().to_string();
  if (!all) return out;
  for (auto& item : all->items) {
    const auto& m = item.at("metadata").as_object();
    out[fmt::format("{}/{}", m.at("namespace").as_string().c_str(),
                    m.at("name").as_string().c_str())] =
        std::string(m.at("resourceVersion").as_string());
  }
  return out;
}

std::map<std::string, std::string> store_truth(const Store& s) {
  std::map<std::string, std::string> out;
  for (const auto& o : s.list()) out[std::string(o->key())] = std::string(o->resource_version());
  return out;
}

TEST(KubeInformer, ConfigMapsListWatchSelectorsAndIndexes) {
  IoThread io;
  auto c = admin_client(io);
  std::string ns = create_namespace(io, *c, "zk-inf");
  ASSERT_TRUE(
      io.sync(c->create(resources::kConfigMaps, ns, configmap(ns, "pre", "0", {{"app", "dns"}}))));
  InformerOptions all_opts;
  all_opts.namespace_ = ns;
  RunningInformer all(io, c, resources::kConfigMaps, all_opts);
  InformerOptions sel_opts;
  sel_opts.namespace_ = ns;
  sel_opts.label_selector = "app=dns";
  RunningInformer selected(io, c, resources::kConfigMaps, sel_opts);
  InformerOptions field_opts;
  field_opts.namespace_ = ns;
  field_opts.field_selector = "metadata.name=a";
  RunningInformer by_field(io, c, resources::kConfigMaps, field_opts);
  all.start();
  selected.start();
  by_field.start();
  ASSERT_TRUE(all.wait_synced());
  ASSERT_TRUE(selected.wait_synced());
  ASSERT_TRUE(by_field.wait_synced());

  auto a =
      io.sync(c->create(resources::kConfigMaps, ns, configmap(ns, "a", "1", {{"app", "dns"}})));
  ASSERT_TRUE(a);
  auto b =
      io.sync(c->create(resources::kConfigMaps, ns, configmap(ns, "b", "1", {{"app", "web"}})));
  ASSERT_TRUE(b);
  json::value patch = json::object{{"data", json::object{{"v", "2"}}}};
  auto a2 = io.sync(c->merge_patch(resources::kConfigMaps, ns, "a", patch));
  ASSERT_TRUE(a2);
  ASSERT_TRUE(io.sync(c->remove(resources::kConfigMaps, ns, "pre")));

  ASSERT_TRUE(eventually([&] { return all.log().size() >= 5 && selected.log().size() >= 4; }));
  std::string rv_a1(a->at("metadata").at("resourceVersion").as_string());
  std::string rv_a2(a2->at("metadata").at("resourceVersion").as_string());
  std::string rv_b(b->at("metadata").at("resourceVersion").as_string());
  auto entries = all.log().entries();
  ASSERT_EQ(entries.size(), 5u);
  EXPECT_TRUE(entries[0].starts_with("Added " + ns + "/pre@"));
  EXPECT_EQ(entries[1], "Added " + ns + "/a@" + rv_a1);
  EXPECT_EQ(entries[2], "Added " + ns + "/b@" + rv_b);
  EXPECT_EQ(entries[3], "Updated " + ns + "/a@" + rv_a2);
  EXPECT_TRUE(entries[4].starts_with("Deleted " + ns + "/pre@"));
  auto sel = selected.log().entries();
  ASSERT_EQ(sel.size(), 4u);  // b (app=web) is filtered out by the server
  EXPECT_EQ(sel[2], "Updated " + ns + "/a@" + rv_a2);

  EXPECT_EQ(all->store().size(), 2u);
  EXPECT_EQ(all->store().by_namespace(ns).size(), 2u);
  ASSERT_EQ(all->store().by_label("app", "web").size(), 1u);
  EXPECT_EQ(all->store().by_label("app", "web")[0]->name(), "b");
  auto cached = all->store().get(ns, "a");
  ASSERT_TRUE(cached);
  EXPECT_EQ(cached->parse().at("data").at("v").as_string(), "2");
  EXPECT_EQ(cached->json().find("managedFields"), std::string_view::npos);
  EXPECT_EQ(selected->store().size(), 1u);
  ASSERT_TRUE(eventually([&] { return by_field.log().size() >= 2; }));
  EXPECT_EQ(by_field.log().entries(), (std::vector<std::string>{"Added " + ns + "/a@" + rv_a1,
                                                                "Updated " + ns + "/a@" + rv_a2}));
}

TEST(KubeInformer, CustomResourceListWatch) {
  IoThread io;
  auto c = admin_client(io);
  ApplyOptions force;
  force.force = true;
  ASSERT_TRUE(io.sync(c->apply(resources::kCustomResourceDefinitions, "",
                               "arecords.dns.zonekeeper.test", arecord_crd(), force)));
  ASSERT_TRUE(eventually([&] { return io.sync(c->resolve(kARecords)).has_value(); }, 60s));
  std::string ns = create_namespace(io, *c, "zk-crd");
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(io.sync(c->create(kARecords, ns, arecord(ns, fmt::format("r{}", i), i))));
  }
  InformerOptions o;
  o.namespace_ = ns;
  RunningInformer inf(io, c, kARecords, o);
  inf.start();
  ASSERT_TRUE(inf.wait_synced());
  EXPECT_EQ(inf->store().size(), 3u);
  ASSERT_TRUE(io.sync(c->create(kARecords, ns, arecord(ns, "r3", 3))));
  json::value st = json::object{{"status", json::object{{"recordHash", "h"}}}};
  ASSERT_TRUE(io.sync(c->patch_status(kARecords, ns, "r0", st)));
  ASSERT_TRUE(io.sync(c->remove(kARecords, ns, "r1")));
  ASSERT_TRUE(eventually([&] { return inf.log().size() >= 6; }));
  EXPECT_EQ(inf.log().count("Added"), 4u);
  EXPECT_EQ(inf.log().count("Updated " + ns + "/r0@"), 1u);
  EXPECT_EQ(inf.log().count("Deleted " + ns + "/r1@"), 1u);
  EXPECT_EQ(inf->store().get(ns, "r0")->parse().at("status").at("recordHash").as_string(), "h");
  EXPECT_EQ(inf->store().by_label("zonekeeper.dev/zone", "example.test").size(), 3u);
  EXPECT_EQ(store_truth(inf->store()), server_truth(io, *c, kARecords, ns));
}

TEST(KubeInformer, WatchSurvivesApiserverRestartWithoutLossOrDuplicates) {
  IoThread io;
  auto c = admin_client(io);
  std::string ns = create_namespace(io, *c, "zk-restart");
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(io.sync(
        c->create(resources::kConfigMaps, ns, configmap(ns, fmt::format("before-{}", i), "1"))));
  }
  InformerOptions o;
  o.namespace_ = ns;
  o.backoff.initial = 100ms;
  o.backoff.max = 1s;
  RunningInformer inf(io, c, resources::kConfigMaps, o);
  inf.start();
  ASSERT_TRUE(inf.wait_synced());
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(io.sync(
        c->create(resources::kConfigMaps, ns, configmap(ns, fmt::format("watched-{}", i), "1"))));
  }
  ASSERT_TRUE(eventually([&] { return inf->store().size() == 20; }));

  ASSERT_EQ(Testbed::script("restart-apiserver"), 0);

  // Changes after the restart: creates, updates and deletes.
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(io.sync(
        c->create(resources::kConfigMaps, ns, configmap(ns, fmt::format("after-{}", i), "1"))));
  }
  for (int i = 0; i < 5; ++i) {
    json::value p = json::object{{"data", json::object{{"v", "2"}}}};
    ASSERT_TRUE(
        io.sync(c->merge_patch(resources::kConfigMaps, ns, fmt::format("before-{}", i), p)));
    ASSERT_TRUE(io.sync(c->remove(resources::kConfigMaps, ns, fmt::format("watched-{}", i))));
  }
  auto truth = server_truth(io, *c, resources::kConfigMaps, ns);
  ASSERT_EQ(truth.size(), 25u);
  ASSERT_TRUE(eventually([&] { return store_truth(inf->store()) == truth; }, 60s))
      << "store never converged after the restart";

  // Every change delivered exactly once.
  std::map<std::string, int> per_entry;
  for (const auto& e : inf.log().entries()) ++per_entry[e];
  for (const auto& [e, n] : per_entry) EXPECT_EQ(n, 1) << "duplicate delta: " << e;
  EXPECT_EQ(inf.log().count("Added"), 30u);
  EXPECT_EQ(inf.log().count("Updated"), 5u);
  EXPECT_EQ(inf.log().count("Deleted"), 5u);
  auto st = inf->stats();
  EXPECT_GE(st.watch_errors + st.relists_after_gone, 1u) << "the watch never noticed the restart";
  EXPECT_GE(st.watches, 2u);
}

TEST(KubeInformer, GoneAfterCompactionRelistsToTheServersTruth) {
  // The watch cache serves recent history from memory even after an etcd compaction, so
  // this test runs its own control plane with --watch-cache=false: watches go to etcd, and a
  // compacted resourceVersion is answered with a real 410.
  PrivateControlPlane cp("--watch-cache=false");
  ASSERT_TRUE(cp.ok()) << "could not start a private control plane in " << cp.dir();
  IoThread io;
  auto c = make_client(io, cp.admin_config());
  std::string ns = create_namespace(io, *c, "zk-410");
  for (const char* n : {"kept", "changed", "vanished"}) {
    ASSERT_TRUE(io.sync(c->create(resources::kConfigMaps, ns, configmap(ns, n, "1"))));
  }
  InformerOptions o;
  o.namespace_ = ns;
  RunningInformer inf(io, c, resources::kConfigMaps, o);
  inf.start();
  ASSERT_TRUE(inf.wait_synced());
  ASSERT_EQ(inf->store().size(), 3u);
  std::string stale_rv = inf->stats().resource_version;
  std::string vanished_rv(inf->store().get(ns, "vanished")->resource_version());
  inf.stop();  // the informer is now "asleep" at stale_rv

  // Meanwhile: create, update, delete — then compact etcd past all of it.
  ASSERT_TRUE(io.sync(c->create(resources::kConfigMaps, ns, configmap(ns, "born", "1"))));
  json::value p = json::object{{"data", json::object{{"v", "2"}}}};
  ASSERT_TRUE(io.sync(c->merge_patch(resources::kConfigMaps, ns, "changed", p)));
  ASSERT_TRUE(io.sync(c->remove(resources::kConfigMaps, ns, "vanished")));
  ASSERT_EQ(Testbed::script("compact", cp.dir()), 0);

  // A raw watch from the stale resourceVersion is refused with 410 (HTTP or in-stream).
  WatchOptions wo;
  wo.resource_version = stale_rv;
  wo.timeout = 5s;
  auto raw = io.sync([&]() -> asio::awaitable<std::optional<Error>> {
    auto w = co_await c->watch(resources::kConfigMaps, ns, wo);
    if (!w) co_return w.error();
    while (true) {
      auto ev = co_await (*w)->next();
      if (!ev) co_return ev.error();
      if (!*ev) co_return std::nullopt;
    }
  }());
  ASSERT_TRUE(raw.has_value()) << "watch from a compacted resourceVersion was not refused";
  EXPECT_EQ(raw->code, ErrorCode::Gone) << raw->to_string();

  // The informer resumes from the stale RV, gets 410, re-lists and delivers the difference.
  size_t before = inf.log().size();
  inf.start();
  auto truth = server_truth(io, *c, resources::kConfigMaps, ns);
  ASSERT_TRUE(eventually([&] { return store_truth(inf->store()) == truth; }, 60s));
  ASSERT_TRUE(eventually([&] { return inf.log().size() >= before + 3; }));
  auto entries = inf.log().entries();
  std::set<std::string> after(entries.begin() + long(before), entries.end());
  EXPECT_EQ(after, (std::set<std::string>{
                       "Added " + ns + "/born@" + truth[ns + "/born"],
                       "Updated " + ns + "/changed@" + truth[ns + "/changed"],
                       "Deleted " + ns + "/vanished@" + vanished_rv,
                   }));
  EXPECT_EQ(inf->stats().relists_after_gone, 1u);
  EXPECT_EQ(store_truth(inf->store()), truth);
}

TEST(KubeInformer, BookmarksAdvanceTheResourceVersion) {
  IoThread io;
  auto c = admin_client(io);
  std::string quiet = create_namespace(io, *c, "zk-bm-quiet");
  std::string busy = create_namespace(io, *c, "zk-bm-busy");
  InformerOptions o;
  o.namespace_ = quiet;
  o.watch_timeout = 6s;  // the apiserver sends a bookmark shortly before the timeout
  RunningInformer inf(io, c, resources::kConfigMaps, o);
  inf.start();
  ASSERT_TRUE(inf.wait_synced());
  uint64_t listed_rv = std::stoull(inf->stats().resource_version);
  // Changes elsewhere move the global resourceVersion; our watch sees no event for them.
  uint64_t busy_rv = 0;
  for (int i = 0; i < 5; ++i) {
    auto r = io.sync(
        c->create(resources::kConfigMaps, busy, configmap(busy, fmt::format("x{}", i), "1")));
    ASSERT_TRUE(r);
    busy_rv = std::stoull(std::string(r->at("metadata").at("resourceVersion").as_string()));
  }
  ASSERT_TRUE(eventually([&] { return inf->stats().bookmarks > 0; }, 30s)) << "no bookmark arrived";
  ASSERT_TRUE(
      eventually([&] { return std::stoull(inf->stats().resource_version) >= busy_rv; }, 30s));
  EXPECT_GT(std::stoull(inf->stats().resource_version), listed_rv);
  EXPECT_EQ(inf->stats().events, 0u);
  EXPECT_EQ(inf.log().size(), 0u);
}

}  // namespace
}  // namespace zk::kube::testing
