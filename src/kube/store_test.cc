#include "kube/store.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "kube/backoff.h"

namespace zk::kube {
namespace {

ObjectPtr obj(std::string_view ns, std::string_view name, std::string_view rv,
              std::string_view labels = "{}", std::string_view uid = "u") {
  auto o = Object::from_text(fmt::format(
      R"({{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"namespace":"{}","name":"{}","resourceVersion":"{}","uid":"{}-{}","labels":{}}}}})",
      ns, name, rv, uid, name, labels));
  EXPECT_TRUE(o) << o.error().to_string();
  return *o;
}

std::set<std::string> names(const std::vector<ObjectPtr>& v) {
  std::set<std::string> out;
  for (const auto& o : v) out.emplace(o->key());
  return out;
}

TEST(ObjectTest, StripsManagedFieldsAndLastAppliedKeepsTheRest) {
  auto o = Object::from_text(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{
      "name":"x","namespace":"n","uid":"1234","resourceVersion":"77",
      "labels":{"app":"web","tier":"front"},
      "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{huge}","keep":"me"},
      "managedFields":[{"manager":"kubectl","operation":"Apply","fieldsV1":{"f:data":{}}}]},
      "data":{"k":"v"}})");
  ASSERT_TRUE(o) << o.error().to_string();
  const Object& x = **o;
  EXPECT_EQ(x.key(), "n/x");
  EXPECT_EQ(x.namespace_(), "n");
  EXPECT_EQ(x.name(), "x");
  EXPECT_EQ(x.resource_version(), "77");
  EXPECT_EQ(x.uid(), "1234");
  EXPECT_EQ(x.label("tier"), std::optional<std::string_view>("front"));
  EXPECT_EQ(x.label("nope"), std::nullopt);
  EXPECT_EQ(x.labels().size(), 2u);
  EXPECT_EQ(x.json().find("managedFields"), std::string_view::npos);
  EXPECT_EQ(x.json().find("last-applied"), std::string_view::npos);
  auto v = x.parse();
  EXPECT_EQ(v.at("data").at("k").as_string(), "v");
  EXPECT_EQ(v.at("metadata").at("annotations").at("keep").as_string(), "me");
}

TEST(ObjectTest, ClusterScopedKeyAndMissingName) {
  auto o = Object::from_text(R"({"metadata":{"name":"cluster-wide"}})");
  ASSERT_TRUE(o);
  EXPECT_EQ((*o)->key(), "cluster-wide");
  EXPECT_EQ((*o)->namespace_(), "");
  EXPECT_FALSE(Object::from_text(R"({"metadata":{}})"));
  EXPECT_FALSE(Object::from_text(R"({"kind":"x"})"));
  EXPECT_FALSE(Object::from_text("nope"));
}

// The cached text is packed (common keys one byte each): what the controller reads back is the
// object as it came, less managedFields and last-applied, whatever its strings hold — control
// characters, the packed fragments themselves inside values, non-ASCII text.
TEST(ObjectTest, PackedTextReadsBackExactlyAndIsSmaller) {
  const std::string record =
      R"({"apiVersion":"dns.zonekeeper.io/v1alpha1","kind":"ARecord","metadata":{"annotations":{"dns.zonekeeper.io/zone":"z0.bench.test."},"creationTimestamp":"2026-12-06T03:29:35Z","generation":1,"labels":{"bench-zone":"z0"},"name":"z0-h00000","namespace":"zk-bench","resourceVersion":"30413","uid":"336f7702-74f6-4a1d-91cb-1c5ba7de37ff"},"spec":{"ipv4Addresses":["10.0.0.0"],"name":"h00000"},"status":{"conditions":[{"lastTransitionTime":"2026-12-06T03:31:19Z","message":"served at h00000.z0.bench.test. by 1 Primary","observedGeneration":1,"reason":"Served","status":"True","type":"Ready"},{"lastTransitionTime":"2026-12-06T03:31:19Z","message":"the zone has no Secondary","observedGeneration":1,"reason":"InSync","status":"True","type":"Propagated"}],"fqdn":"h00000.z0.bench.test.","lastUpdated":"2026-12-06T03:31:19Z","observedGeneration":1,"recordHash":"6b86af25fe7bae39ec761a05f41b6635d3950e9b4103e896892c5f98bccc5e41","zone":"z0.bench.test."}})";
  auto o = Object::from_text(record);
  ASSERT_TRUE(o) << o.error().to_string();
  EXPECT_EQ((*o)->json(), record);
  EXPECT_EQ((*o)->parse(), boost::json::parse(record));
  EXPECT_LT((*o)->footprint(), record.size() * 6 / 10);  // packed: about half

  const std::string odd =
      R"({"kind":"ConfigMap","metadata":{"name":"\"name\":\"","namespace":"n","uid":"u",)"
      R"("resourceVersion":"1","labels":{"k":"\u0001\u001f\t"}},)"
      R"("data":{"a":"\"status\":\"True\",\"type\":\"Ready\"},","b":"üñï ☃","c":"\u0000"}})";
  auto p = Object::from_text(odd);
  ASSERT_TRUE(p) << p.error().to_string();
  EXPECT_EQ((*p)->parse(), boost::json::parse(odd));
  EXPECT_EQ((*p)->name(), R"("name":")");
  EXPECT_EQ((*p)->label("k"), std::optional<std::string_view>("\x01\x1f\t"));
}

TEST(StoreTest, IndexesFollowUpdatesAndDeletes) {
  Store s;
  s.upsert(obj("a", "one", "1", R"({"zone":"ex.test"})"));
  s.upsert(obj("a", "two", "2", R"({"zone":"other.test"})"));
  s.upsert(obj("b", "three", "3", R"({"zone":"ex.test"})"));
  EXPECT_EQ(s.size(), 3u);
  EXPECT_EQ(names(s.by_namespace("a")), (std::set<std::string>{"a/one", "a/two"}));
  EXPECT_EQ(names(s.by_label("zone", "ex.test")), (std::set<std::string>{"a/one", "b/three"}));
  // Same resourceVersion: no change.
  EXPECT_FALSE(s.upsert(obj("a", "one", "1", R"({"zone":"ex.test"})")));
  // Relabel.
  auto d = s.upsert(obj("a", "one", "4", R"({"zone":"other.test"})"));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->type, DeltaType::Updated);
  EXPECT_EQ(d->old_object->resource_version(), "1");
  EXPECT_EQ(names(s.by_label("zone", "ex.test")), (std::set<std::string>{"b/three"}));
  EXPECT_EQ(names(s.by_label("zone", "other.test")), (std::set<std::string>{"a/one", "a/two"}));
  auto del = s.erase("b/three");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->type, DeltaType::Deleted);
  EXPECT_TRUE(s.by_namespace("b").empty());
  EXPECT_TRUE(s.by_label("zone", "ex.test").empty());
  EXPECT_FALSE(s.erase("b/three"));
  EXPECT_EQ(s.get("a", "two")->resource_version(), "2");
  EXPECT_EQ(s.get("a/nope"), nullptr);
}

TEST(StoreTest, ReplaceDeliversTheExactDifference) {
  Store s;
  s.upsert(obj("n", "kept", "1"));
  s.upsert(obj("n", "changed", "2"));
  s.upsert(obj("n", "vanished", "3", R"({"x":"y"})"));
  s.upsert(obj("n", "recreated", "4", "{}", "old"));
  std::vector<ObjectPtr> fresh{obj("n", "kept", "1"), obj("n", "changed", "9"),
                               obj("n", "recreated", "4", "{}", "new"), obj("n", "born", "10")};
  auto deltas = s.replace(fresh);
  std::map<std::string, DeltaType> got;
  for (const auto& d : deltas) {
    auto key = d.new_object ? d.new_object->key() : d.old_object->key();
    EXPECT_FALSE(got.contains(std::string(key))) << "two deltas for " << key;
    got[std::string(key)] = d.type;
  }
  EXPECT_EQ(got, (std::map<std::string, DeltaType>{{"n/changed", DeltaType::Updated},
                                                   {"n/vanished", DeltaType::Deleted},
                                                   {"n/recreated", DeltaType::Updated},
                                                   {"n/born", DeltaType::Added}}));
  EXPECT_EQ(names(s.list()),
            (std::set<std::string>{"n/kept", "n/changed", "n/recreated", "n/born"}));
  EXPECT_TRUE(s.by_label("x", "y").empty());
  EXPECT_TRUE(s.replace({}).size() == 4u);
  EXPECT_EQ(s.size(), 0u);
  EXPECT_TRUE(s.by_namespace("n").empty());
}

TEST(BackoffTest, GrowsCapsJittersAndResets) {
  Backoff b({.initial = std::chrono::milliseconds(100),
             .max = std::chrono::milliseconds(1000),
             .factor = 2.0,
             .jitter = 0.2},
            42);
  std::vector<int64_t> ms;
  ms.reserve(8);
  for (int i = 0; i < 8; ++i) ms.push_back(b.next().count());
  EXPECT_GE(ms[0], 80);
  EXPECT_LE(ms[0], 100);
  EXPECT_GE(ms[1], 160);
  EXPECT_LE(ms[1], 200);
  EXPECT_GE(ms[2], 320);
  EXPECT_LE(ms[2], 400);
  std::set<int64_t> capped;
  for (size_t i = 4; i < ms.size(); ++i) {
    EXPECT_LE(ms[i], 1000);
    EXPECT_GE(ms[i], 800);
    capped.insert(ms[i]);
  }
  EXPECT_GT(capped.size(), 1u);  // jitter keeps spreading reconnects once capped
  b.reset();
  EXPECT_LE(b.next().count(), 100);
}

}  // namespace
}  // namespace zk::kube
