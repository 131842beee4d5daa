#include "managed/bind9_cluster.h"
#include "managed/bind9_objects.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace zk::managed {
namespace {

namespace json = boost::json;

api::Bind9Cluster cluster() {
  api::Bind9Cluster c;
  c.ns = "dns";
  c.name = "prod";
  c.uid = "u-1";
  c.labels = {{"dns.example/serves", "example.test"}};
  c.image = "zonekeeper-bind9:1.2";
  c.port = 5353;
  c.allow_query = {"!192.0.2.66", "10.0.0.0/8"};
  c.responses_per_second = 20;
  c.primary.storage.size = "2Gi";
  c.primary.requests = {{"cpu", "100m"}};
  c.secondaries.instances = 2;
  c.secondaries.replicas = 3;
  c.secondaries.storage.storage_class = "fast";
  c.secondaries.storage.delete_on_remove = true;
  return c;
}

TEST(Bind9Cluster, NamesItsInstancesPrimaryFirst) {
  EXPECT_EQ(instance_names(cluster()),
            (std::vector<std::string>{"prod-primary", "prod-secondary-0", "prod-secondary-1"}));
  api::Bind9Cluster alone = cluster();
  alone.secondaries.instances = 0;
  EXPECT_EQ(instance_names(alone), std::vector<std::string>{"prod-primary"});
}

TEST(Bind9Cluster, AKeyRotationAskedOfTheClusterIsAskedOfItsPrimary) {
  api::Bind9Cluster c = cluster();
  EXPECT_FALSE(cluster_instances(c)[0].at("metadata").as_object().contains("annotations"));
  c.rotate_keys = "2026-12-06";
  auto objects = cluster_instances(c);
  EXPECT_EQ(objects[0].at("metadata").at("annotations"),
            json::parse(R"({"dns.zonekeeper.io/rotate-keys": "2026-12-06"})"));
  // The Secondaries' keys are the Primary's.
  EXPECT_FALSE(objects[1].at("metadata").as_object().contains("annotations"));
  // Decoded from the object's annotation.
  json::value object = json::parse(R"({"apiVersion": "dns.zonekeeper.io/v1alpha1",
      "kind": "Bind9Cluster", "metadata": {"name": "prod", "namespace": "dns",
      "annotations": {"dns.zonekeeper.io/rotate-keys": "r7"}}, "spec": {}})");
  auto decoded = api::decode_bind9_cluster(object);
  ASSERT_TRUE(decoded) << decoded.error();
  EXPECT_EQ(decoded->rotate_keys, "r7");
}

TEST(Bind9Cluster, ItsInstancesShareTheSettingsAndTakeTheirRolesOwn) {
  auto objects = cluster_instances(cluster());
  ASSERT_EQ(objects.size(), 3u);
  const json::value primary = objects[0];
  EXPECT_EQ(primary, json::parse(R"({
    "apiVersion": "dns.zonekeeper.io/v1alpha1", "kind": "Bind9Instance",
    "metadata": {"name": "prod-primary", "namespace": "dns",
      "labels": {"dns.example/serves": "example.test", "app.kubernetes.io/managed-by": "zonekeeper",
                 "dns.zonekeeper.io/bind9-cluster": "prod"},
      "ownerReferences": [{"apiVersion": "dns.zonekeeper.io/v1alpha1", "kind": "Bind9Cluster",
                           "name": "prod", "uid": "u-1", "controller": true}]},
    "spec": {"imagePullPolicy": "IfNotPresent", "port": 5353,
      "storage": {"size": "2Gi", "deleteOnRemove": false},
      "allowQuery": ["!192.0.2.66", "10.0.0.0/8"], "logQueries": false,
      "image": "zonekeeper-bind9:1.2", "rateLimit": {"responsesPerSecond": 20},
      "resources": {"requests": {"cpu": "100m"}}, "role": "Primary", "replicas": 1}})"));
  const json::value secondary = objects[2];
  EXPECT_EQ(secondary.at("metadata").at("name"), "prod-secondary-1");
  EXPECT_EQ(secondary.at("spec"), json::parse(R"({"imagePullPolicy": "IfNotPresent", "port": 5353,
      "storage": {"size": "1Gi", "deleteOnRemove": true, "storageClassName": "fast"},
      "allowQuery": ["!192.0.2.66", "10.0.0.0/8"], "logQueries": false,
      "image": "zonekeeper-bind9:1.2", "rateLimit": {"responsesPerSecond": 20},
      "role": "Secondary", "replicas": 3, "primaryRef": {"name": "prod-primary"}})"));
}

TEST(Bind9Cluster, AllowedNamespacesReachTheInstancesAndTheirDNSServers) {
  api::Bind9Cluster c = cluster();
  const json::value want = json::parse(R"({"matchLabels":{"dns.example/zones":"allowed"},
      "matchExpressions":[{"key":"tier","operator":"In","values":["a","b"]}]})");
  c.allowed_namespaces = api::LabelSelector::decode(&want, "spec.allowedNamespaces").value();
  for (const auto& instance : cluster_instances(c)) {
    EXPECT_EQ(instance.at("spec").at("allowedNamespaces"), want);
  }
  EXPECT_EQ(
      json::value(label_selector_json(api::LabelSelector::parse("!gone,x notin (y),z").value())),
      json::parse(R"({"matchExpressions":[{"key":"gone","operator":"DoesNotExist"},
                {"key":"x","operator":"NotIn","values":["y"]},{"key":"z","operator":"Exists"}]})"));
  EXPECT_EQ(json::value(label_selector_json(api::LabelSelector::everything())), json::parse("{}"));
}

TEST(Bind9Cluster, AGlobalClustersInstancesLiveInItsNamespaceAndCarryItsOwnLabel) {
  api::Bind9GlobalCluster g;
  static_cast<api::Bind9Cluster&>(g) = cluster();
  g.ns = "";
  g.instance_namespace = "dns-shared";
  g.allowed_namespaces = api::LabelSelector::everything();
  auto objects = cluster_instances(g);
  ASSERT_EQ(objects.size(), 3u);
  const json::value meta = objects[1].at("metadata");
  EXPECT_EQ(meta.at("namespace"), "dns-shared");
  EXPECT_EQ(meta.at("labels").at("dns.zonekeeper.io/bind9-global-cluster"), "prod");
  EXPECT_FALSE(meta.at("labels").as_object().contains("dns.zonekeeper.io/bind9-cluster"));
  EXPECT_EQ(meta.at("ownerReferences").at(0).at("kind"), "Bind9GlobalCluster");
  EXPECT_EQ(objects[1].at("spec").at("allowedNamespaces"), json::parse("{}"));
}

TEST(Bind9Cluster, AbsentSettingsStayAbsentSoTheInstanceDefaultsApply) {
  api::Bind9Cluster c;
  c.ns = "dns";
  c.name = "x";
  const json::object spec = cluster_instances(c)[0].at("spec").as_object();
  EXPECT_FALSE(spec.contains("image"));  // the controller's --bind9-image
  EXPECT_FALSE(spec.contains("rateLimit"));
  EXPECT_FALSE(spec.contains("resources"));
  EXPECT_FALSE(spec.at("storage").as_object().contains("storageClassName"));
}

InstanceState instance(std::string_view text) {
  return read_instance(json::parse(text));
}

TEST(Bind9Cluster, ReadsAnInstanceStatusOnlyWhenItDescribesTheCurrentSpec) {
  InstanceState s = instance(R"({"metadata":{"generation":2},"status":{"replicas":3,
      "readyReplicas":2,"conditions":[{"type":"Ready","status":"False","reason":"PartiallyReady",
      "message":"2/3 pods are ready","observedGeneration":2,"lastTransitionTime":"2026-01-01T00:00:00Z"}]}})");
  EXPECT_TRUE(s.has_status);
  EXPECT_FALSE(s.ready);
  EXPECT_EQ(s.reason, "PartiallyReady");
  EXPECT_EQ(s.replicas, 3);
  EXPECT_EQ(s.ready_replicas, 2);
  // Ready about generation 1 while the spec is at 2 (scaled meanwhile): no status yet.
  EXPECT_FALSE(instance(R"({"metadata":{"generation":2},"status":{"conditions":[{"type":"Ready",
      "status":"True","reason":"AllReady","message":"m","observedGeneration":1,
      "lastTransitionTime":"2026-01-01T00:00:00Z"}]}})")
                   .has_status);
  EXPECT_FALSE(instance(R"({"metadata":{"generation":1}})").has_status);
  EXPECT_FALSE(instance(R"({"status":{"conditions":7}})").has_status);
  EXPECT_FALSE(instance(R"("garbage")").has_status);
}

TEST(Bind9Cluster, ReadyOverTheInstancesInSeed004sWords) {
  const std::vector<std::string> names{"prod-primary", "prod-secondary-0", "prod-secondary-1"};
  InstanceState ready{true, true, "AllReady", "All 1 pods are ready", 1, 1};
  InstanceState partly{true, false, "PartiallyReady", "1/2 pods are ready", 2, 1};
  InstanceState forbidden{true, false, "DeployForbidden", "apply ConfigMap: forbidden", 0, 0};
  InstanceState fresh;

  auto all = report_instances(names, {ready, ready, ready}, 4);
  ASSERT_EQ(all.conditions.size(), 4u);
  EXPECT_EQ(all.ready_instances, 3);
  EXPECT_EQ(all.conditions[0],
            (api::Condition{"Ready", "True", "AllReady", "All 3 instances are ready", 4, ""}));
  EXPECT_EQ(all.conditions[1],
            (api::Condition{"Bind9Instance-0", "True", "Ready",
                            "Instance prod-primary is ready (1/1 pods)", 4, ""}));

  auto some = report_instances(names, {ready, partly, std::nullopt}, 4);
  EXPECT_EQ(some.ready_instances, 1);
  EXPECT_EQ(some.conditions[0],
            (api::Condition{"Ready", "False", "PartiallyReady", "1/3 instances are ready", 4, ""}));
  EXPECT_EQ(some.conditions[2],
            (api::Condition{"Bind9Instance-1", "False", "PartiallyReady",
                            "Instance prod-secondary-0 is progressing (1/2 pods)", 4, ""}));
  EXPECT_EQ(some.conditions[3],
            (api::Condition{"Bind9Instance-2", "False", "Missing",
                            "Instance prod-secondary-1 does not exist yet", 4, ""}));

  auto none = report_instances(names, {forbidden, fresh}, 4);  // the last one not even known
  EXPECT_EQ(none.ready_instances, 0);
  EXPECT_EQ(none.conditions[0],
            (api::Condition{"Ready", "False", "NotReady", "No instances are ready", 4, ""}));
  EXPECT_EQ(none.conditions[1].message,
            "Instance prod-primary is not ready: apply ConfigMap: forbidden");
  EXPECT_EQ(none.conditions[2].message, "Instance prod-secondary-0 has no status yet");
  EXPECT_EQ(none.conditions[3].reason, "Missing");
}

}  // namespace
}  // namespace zk::managed
