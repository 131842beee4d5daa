#include "api/bind9_cluster.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace zk::api {
namespace {

model::Parsed<Bind9Cluster> cluster(std::string_view spec, std::string_view name = "dns") {
  return decode_bind9_cluster(boost::json::parse(
      std::string(R"({"apiVersion":"dns.zonekeeper.io/v1alpha1","kind":"Bind9Cluster",)") +
      R"("metadata":{"name":")" + std::string(name) +
      R"(","namespace":"dns","uid":"u-9","generation":2,)" +
      R"("labels":{"dns.example/serves":"example.test"}},"spec":)" + std::string(spec) + "}"));
}

using Quantities = std::map<std::string, std::string>;

TEST(DecodeBind9Cluster, Defaults) {
  auto c = cluster("{}");
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->key(), "dns/dns");
  EXPECT_EQ(c->uid, "u-9");
  EXPECT_EQ(c->generation, 2);
  EXPECT_EQ(c->labels.at("dns.example/serves"), "example.test");
  EXPECT_FALSE(c->image);
  EXPECT_EQ(c->image_pull_policy, "IfNotPresent");
  EXPECT_EQ(c->port, 53);
  EXPECT_EQ(c->allow_query, std::vector<std::string>{"any"});
  EXPECT_FALSE(c->responses_per_second);
  EXPECT_FALSE(c->log_queries);
  EXPECT_FALSE(c->allowed_namespaces);
  EXPECT_EQ(c->primary, Bind9Role{});
  EXPECT_EQ(c->primary.storage, (Bind9Storage{"1Gi", std::nullopt, false}));
  EXPECT_EQ(c->secondaries.instances, 1);
  EXPECT_EQ(c->secondaries.replicas, 1);
  EXPECT_EQ(static_cast<const Bind9Role&>(c->secondaries), Bind9Role{});
  // Empty objects are the defaults too, and so is what the CRD's defaulting writes.
  auto empty = cluster(R"({"primary":{},"secondaries":{"storage":{},"resources":{}},
      "rateLimit":{}})");
  ASSERT_TRUE(empty) << empty.error();
  EXPECT_EQ(*empty, *c);
  auto defaulted = cluster(R"({"imagePullPolicy":"IfNotPresent","port":53,"allowQuery":["any"],
      "logQueries":false,"primary":{"storage":{"size":"1Gi","deleteOnRemove":false}},
      "secondaries":{"instances":1,"replicas":1,
                     "storage":{"size":"1Gi","deleteOnRemove":false}}})");
  ASSERT_TRUE(defaulted) << defaulted.error();
  EXPECT_EQ(*defaulted, *c);
}

// The example of docs/api.md ("Bind9Cluster").
TEST(DecodeBind9Cluster, DocsExample) {
  auto c = cluster(R"({"allowQuery":["!192.0.2.66","10.0.0.0/8","localnets"],
      "rateLimit":{"responsesPerSecond":20},
      "primary":{"storage":{"size":"2Gi"},"resources":{"requests":{"cpu":"100m","memory":"128Mi"}}},
      "secondaries":{"instances":2,"replicas":3,"storage":{"size":"1Gi","deleteOnRemove":true}}})");
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->allow_query, (std::vector<std::string>{"!192.0.2.66", "10.0.0.0/8", "localnets"}));
  EXPECT_EQ(c->responses_per_second, 20u);
  EXPECT_EQ(c->primary.storage, (Bind9Storage{"2Gi", std::nullopt, false}));
  EXPECT_EQ(c->primary.requests, (Quantities{{"cpu", "100m"}, {"memory", "128Mi"}}));
  EXPECT_TRUE(c->primary.limits.empty());
  EXPECT_EQ(c->secondaries.instances, 2);
  EXPECT_EQ(c->secondaries.replicas, 3);
  EXPECT_EQ(c->secondaries.storage, (Bind9Storage{"1Gi", std::nullopt, true}));
  EXPECT_TRUE(c->secondaries.requests.empty());
  EXPECT_EQ(c->port, 53);
}

// Every field set.
TEST(DecodeBind9Cluster, FullExample) {
  auto c = cluster(R"({
      "image":"registry.test/bind9:9.18","imagePullPolicy":"Always","port":5353,
      "allowQuery":["!192.0.2.66","10.0.0.0/8","2001:db8::/32"],
      "rateLimit":{"responsesPerSecond":50},"logQueries":true,
      "allowedNamespaces":{"matchExpressions":[{"key":"team","operator":"Exists"}]},
      "primary":{"storage":{"size":"2Gi","storageClassName":"fast","deleteOnRemove":true},
                 "resources":{"requests":{"cpu":"100m","memory":"128Mi"},"limits":{"memory":"512Mi"}}},
      "secondaries":{"instances":3,"replicas":2,
                     "storage":{"size":"512Mi","storageClassName":""},
                     "resources":{"requests":{"cpu":"50m"},"limits":{"cpu":1}}}})");
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->image, "registry.test/bind9:9.18");
  EXPECT_EQ(c->image_pull_policy, "Always");
  EXPECT_EQ(c->port, 5353);
  EXPECT_EQ(c->allow_query,
            (std::vector<std::string>{"!192.0.2.66", "10.0.0.0/8", "2001:db8::/32"}));
  EXPECT_EQ(c->responses_per_second, 50u);
  EXPECT_TRUE(c->log_queries);
  ASSERT_TRUE(c->allowed_namespaces);
  EXPECT_EQ(c->allowed_namespaces->to_string(), "team");
  EXPECT_EQ(c->primary.storage, (Bind9Storage{"2Gi", "fast", true}));
  EXPECT_EQ(c->primary.requests, (Quantities{{"cpu", "100m"}, {"memory", "128Mi"}}));
  EXPECT_EQ(c->primary.limits, (Quantities{{"memory", "512Mi"}}));
  EXPECT_EQ(c->secondaries.instances, 3);
  EXPECT_EQ(c->secondaries.replicas, 2);
  EXPECT_EQ(c->secondaries.storage, (Bind9Storage{"512Mi", "", false}));
  EXPECT_EQ(c->secondaries.requests, (Quantities{{"cpu", "50m"}}));
  EXPECT_EQ(c->secondaries.limits, (Quantities{{"cpu", "1"}}));
}

TEST(DecodeBind9Cluster, EdgesOfTheRanges) {
  auto none = cluster(R"({"secondaries":{"instances":0}})");
  ASSERT_TRUE(none) << none.error();
  EXPECT_EQ(none->secondaries.instances, 0);  // a Primary alone
  auto most = cluster(R"({"secondaries":{"instances":16,"replicas":16}})");
  ASSERT_TRUE(most) << most.error();
  EXPECT_EQ(most->secondaries.instances, 16);
  EXPECT_EQ(most->secondaries.replicas, 16);
  // 39 characters: "<name>-secondary-15" is 52, a Bind9Instance's longest name.
  EXPECT_TRUE(cluster("{}", "a" + std::string(38, '0')));
  EXPECT_TRUE(cluster("{}", "a-1"));
  for (int port : {1, 952, 954, 5299, 5301, 65535}) {
    auto c = cluster(R"({"port":)" + std::to_string(port) + "}");
    ASSERT_TRUE(c) << port << ": " << c.error();
    EXPECT_EQ(c->port, port);
  }
}

TEST(DecodeBind9Cluster, RefusesWhatTheSchemaRefuses) {
  struct Bad {
    std::string spec;
    const char* error;
  };
  for (const Bad& b : std::vector<Bad>{
           {R"([])", "spec: must be an object"},
           {R"({"secondaries":{"instances":-1}})",
            "spec.secondaries.instances: must be an integer from 0 to 16, got -1"},
           {R"({"secondaries":{"instances":17}})",
            "spec.secondaries.instances: must be an integer from 0 to 16, got 17"},
           {R"({"secondaries":{"instances":"2"}})",
            "spec.secondaries.instances: must be an integer from 0 to 16"},
           {R"({"secondaries":{"replicas":0}})",
            "spec.secondaries.replicas: must be an integer from 1 to 16, got 0"},
           {R"({"secondaries":{"replicas":17}})",
            "spec.secondaries.replicas: must be an integer from 1 to 16, got 17"},
           {R"({"secondaries":3})", "spec.secondaries: must be an object"},
           {R"({"primary":[]})", "spec.primary: must be an object"},
           {R"({"primary":{"storage":[]}})", "spec.primary.storage: must be an object"},
           {R"({"primary":{"storage":{"size":"1GB"}}})",
            "spec.primary.storage.size: \"1GB\" is not a quantity of bytes (e.g. 512Mi, 1Gi, "
            "10G)"},
           {R"({"primary":{"storage":{"size":"0Mi"}}})",
            "spec.primary.storage.size: must be more than zero"},
           {R"({"secondaries":{"storage":{"size":"100m"}}})",
            "spec.secondaries.storage.size: \"100m\" is not a quantity of bytes"},
           {R"({"secondaries":{"storage":{"size":"0"}}})",
            "spec.secondaries.storage.size: must be more than zero"},
           {R"({"primary":{"storage":{"storageClassName":"Fast SSD"}}})",
            "spec.primary.storage.storageClassName: \"Fast SSD\" is not a StorageClass name"},
           {R"({"secondaries":{"storage":{"storageClassName":"-x"}}})",
            "spec.secondaries.storage.storageClassName: \"-x\" is not a StorageClass name"},
           {R"({"secondaries":{"storage":{"deleteOnRemove":"yes"}}})",
            "spec.secondaries.storage.deleteOnRemove: must be true or false"},
           {R"({"primary":{"resources":{"requests":{"cpu":"lots"}}}})",
            "spec.primary.resources.requests.cpu: \"lots\" is not a quantity (e.g. 100m, 0.5, "
            "256Mi, 1Gi)"},
           {R"({"secondaries":{"resources":{"limits":{"memory":-1}}}})",
            "spec.secondaries.resources.limits.memory: -1 is not a quantity"},
           {R"({"secondaries":{"resources":{"requests":{"cpu; x":"1"}}}})",
            "spec.secondaries.resources.requests: \"cpu; x\" is not a resource name"},
           {R"({"primary":{"resources":[]}})", "spec.primary.resources: must be an object"},
           // The server settings: Bind9Instance's checks (bind9_instance_test.cc has them all).
           {R"({"image":"bind 9"})", "spec.image: must be an image reference of 1 to 512"},
           {R"({"imagePullPolicy":"Sometimes"})",
            "spec.imagePullPolicy: \"Sometimes\" is not Always, IfNotPresent or Never"},
           {R"({"port":0})", "spec.port: must be an integer from 1 to 65535, got 0"},
           {R"({"port":65536})", "spec.port: must be an integer from 1 to 65535"},
           {R"({"port":953})", "spec.port: 953 is named's control channel inside the Pod"},
           {R"({"port":5300})", "spec.port: 5300 is the agent's NOTIFY listener inside the Pod"},
           {R"({"allowQuery":[]})", "spec.allowQuery: 1 to 32 elements"},
           {R"({"allowQuery":["any","any; }; include \"/etc/passwd\""]})",
            "spec.allowQuery[1]: \"any; }; include \\\"/etc/passwd\\\"\" is not any, none"},
           {R"({"allowQuery":["10.0.0.1/8"]})",
            "spec.allowQuery[0]: \"10.0.0.1/8\" has bits set beyond the prefix length /8"},
           {R"({"rateLimit":{"responsesPerSecond":0}})",
            "spec.rateLimit.responsesPerSecond: must be an integer from 1 to 10000, got 0"},
           {R"({"logQueries":1})", "spec.logQueries: must be true or false, got 1"},
           {R"({"allowedNamespaces":{"matchLabels":[]}})",
            "spec.allowedNamespaces.matchLabels: must be an object"},
       }) {
    auto c = cluster(b.spec);
    ASSERT_FALSE(c) << b.spec;
    EXPECT_EQ(c.error().find(b.error), 0u) << b.spec << " → " << c.error();
  }
}

TEST(DecodeBind9Cluster, RefusesWhatCannotNameItsInstances) {
  // "<name>-secondary-15" must be a Bind9Instance name: a DNS label of at most 52 characters
  // that starts with a letter.
  for (const std::string& name : {"a" + std::string(39, '0'), std::string("1dns"),
                                  std::string("dns.a"), std::string("Dns"), std::string("dns-")}) {
    auto c = cluster("{}", name);
    ASSERT_FALSE(c) << name;
    EXPECT_EQ(c.error(), "metadata.name: \"" + name +
                             "\" must be a DNS label of at most 39 characters that starts with a "
                             "letter (its Bind9Instances are <name>-secondary-<i>, at most 52)");
  }
  auto no_spec = decode_bind9_cluster(
      boost::json::parse(R"({"kind":"Bind9Cluster","metadata":{"name":"a"}})"));
  ASSERT_FALSE(no_spec);
  EXPECT_EQ(no_spec.error(), "spec: required");
  auto other = decode_bind9_cluster(
      boost::json::parse(R"({"kind":"Bind9Instance","metadata":{"name":"a"},"spec":{}})"));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().find("kind: expected Bind9Cluster"), 0u) << other.error();
  auto nameless = decode_bind9_cluster(boost::json::parse(R"({"spec":{}})"));
  ASSERT_FALSE(nameless);
  EXPECT_EQ(nameless.error(), "metadata.name: required");
  EXPECT_FALSE(decode_bind9_cluster(boost::json::parse("[]")));
}

model::Parsed<Bind9GlobalCluster> global(std::string_view spec, std::string_view name = "shared",
                                         std::string_view extra_meta = "") {
  return decode_bind9_global_cluster(boost::json::parse(
      std::string(R"({"apiVersion":"dns.zonekeeper.io/v1alpha1","kind":"Bind9GlobalCluster",)") +
      R"("metadata":{"name":")" + std::string(name) + R"(","uid":"u-7","generation":4,)" +
      std::string(extra_meta) + R"("labels":{"dns.example/tier":"shared"}},"spec":)" +
      std::string(spec) + "}"));
}

TEST(DecodeBind9GlobalCluster, Defaults) {
  auto g = global(R"({"namespace":"dns","allowedNamespaces":{}})");
  ASSERT_TRUE(g) << g.error();
  EXPECT_EQ(g->ns, "");  // cluster-scoped
  EXPECT_EQ(g->key(), "shared");
  EXPECT_EQ(g->name, "shared");
  EXPECT_EQ(g->uid, "u-7");
  EXPECT_EQ(g->generation, 4);
  EXPECT_EQ(g->labels.at("dns.example/tier"), "shared");
  EXPECT_EQ(g->instance_namespace, "dns");
  EXPECT_EQ(g->allowed_namespaces, LabelSelector::everything());  // {}: every namespace
  // The rest is a Bind9Cluster's, with its defaults.
  Bind9Cluster defaults = cluster("{}", "shared").value();
  Bind9Cluster rest = *g;
  EXPECT_EQ(rest.allowed_namespaces, LabelSelector::everything());
  rest.allowed_namespaces.reset();
  static_cast<ObjectMeta&>(rest) = static_cast<const ObjectMeta&>(defaults);
  EXPECT_EQ(rest, defaults);
}

// The example of docs/api.md ("Bind9GlobalCluster").
TEST(DecodeBind9GlobalCluster, DocsExample) {
  auto g = global(R"({"namespace":"shared-dns",
      "allowedNamespaces":{"matchLabels":{"dns.example/zones":"allowed"}},
      "primary":{"storage":{"size":"2Gi"}},
      "secondaries":{"instances":2,"replicas":2}})");
  ASSERT_TRUE(g) << g.error();
  EXPECT_EQ(g->instance_namespace, "shared-dns");
  ASSERT_TRUE(g->allowed_namespaces);
  EXPECT_TRUE(g->allowed_namespaces->matches({{"dns.example/zones", "allowed"}}));
  EXPECT_FALSE(g->allowed_namespaces->matches({}));
  EXPECT_EQ(g->primary.storage.size, "2Gi");
  EXPECT_EQ(g->secondaries.instances, 2);
  EXPECT_EQ(g->secondaries.replicas, 2);
}

TEST(DecodeBind9GlobalCluster, MetadataNamespaceIsIgnored) {
  // The API server clears metadata.namespace of a cluster-scoped object; so does decoding.
  auto g = global(R"({"namespace":"dns","allowedNamespaces":{}})", "shared",
                  R"("namespace":"default",)");
  ASSERT_TRUE(g) << g.error();
  EXPECT_EQ(g->ns, "");
  EXPECT_EQ(g->instance_namespace, "dns");
}

TEST(DecodeBind9GlobalCluster, RefusesWhatTheSchemaRefuses) {
  struct Bad {
    std::string spec;
    const char* error;
  };
  for (const Bad& b : std::vector<Bad>{
           {R"({"allowedNamespaces":{}})",
            "spec.namespace: required (the namespace its Bind9Instances are made in)"},
           {R"({"namespace":null,"allowedNamespaces":{}})", "spec.namespace: required"},
           {R"({"namespace":"dns"})",
            "spec.allowedNamespaces: required (the Namespaces whose DNSZones may use its "
            "servers; {} admits every namespace)"},
           {R"({"namespace":"dns","allowedNamespaces":null})", "spec.allowedNamespaces: required"},
           {R"({"namespace":"Shared_DNS","allowedNamespaces":{}})",
            "spec.namespace: \"Shared_DNS\" is not a namespace name"},
           {R"({"namespace":"","allowedNamespaces":{}})",
            "spec.namespace: \"\" is not a namespace name"},
           {R"({"namespace":")" + std::string(64, 'd') + R"(","allowedNamespaces":{}})",
            "spec.namespace: \"dddd"},
           {R"({"namespace":["dns"],"allowedNamespaces":{}})", "spec.namespace: must be a string"},
           {R"({"namespace":"dns","allowedNamespaces":"*"})",
            "spec.allowedNamespaces: must be an object"},
           {R"({"namespace":"dns","allowedNamespaces":{"matchExpressions":[{"key":"a",
                "operator":"NotIn","values":[]}]}})",
            "spec.allowedNamespaces.matchExpressions[0].values: must be non-empty for operator "
            "NotIn"},
           // Bind9Cluster's checks.
           {R"({"namespace":"dns","allowedNamespaces":{},"secondaries":{"instances":17}})",
            "spec.secondaries.instances: must be an integer from 0 to 16, got 17"},
           {R"({"namespace":"dns","allowedNamespaces":{},"port":953})",
            "spec.port: 953 is named's control channel inside the Pod"},
           {R"([])", "spec: must be an object"},
       }) {
    auto g = global(b.spec);
    ASSERT_FALSE(g) << b.spec;
    EXPECT_EQ(g.error().find(b.error), 0u) << b.spec << " → " << g.error();
  }
  const std::string ok = R"({"namespace":"dns","allowedNamespaces":{}})";
  EXPECT_TRUE(global(ok, "a" + std::string(38, '0')));
  EXPECT_TRUE(global(R"({"namespace":")" + std::string(63, 'd') + R"(","allowedNamespaces":{}})"));
  auto long_name = global(ok, "a" + std::string(39, '0'));
  ASSERT_FALSE(long_name);
  EXPECT_EQ(long_name.error().find("metadata.name: \"a0"), 0u) << long_name.error();
  EXPECT_NE(long_name.error().find("at most 39 characters"), std::string::npos);
  auto other = decode_bind9_global_cluster(boost::json::parse(
      R"({"kind":"Bind9Cluster","metadata":{"name":"a"},"spec":{"namespace":"dns",
          "allowedNamespaces":{}}})"));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error(), "kind: expected Bind9GlobalCluster, got \"Bind9Cluster\"");
  auto no_spec = decode_bind9_global_cluster(
      boost::json::parse(R"({"kind":"Bind9GlobalCluster","metadata":{"name":"a"}})"));
  ASSERT_FALSE(no_spec);
  EXPECT_EQ(no_spec.error(), "spec: required");
}

}  // namespace
}  // namespace zk::api
