#include "managed/bind9_objects.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace zk::managed {
namespace {

namespace json = boost::json;

api::Bind9Instance instance(api::ServerRole role, int replicas = 1) {
  api::Bind9Instance i;
  i.ns = "dns";
  i.name = role == api::ServerRole::Primary ? "primary" : "secondary";
  i.uid = "uid-1";
  i.role = role;
  i.replicas = replicas;
  i.labels = {{"tier", "edge"}};
  if (role == api::ServerRole::Secondary) i.primary_name = "primary";
  return i;
}

Deployment primary() {
  Deployment d;
  d.instance = instance(api::ServerRole::Primary);
  d.bind9_image = "zonekeeper-bind9:dev";
  d.agent_image = "zonekeeper:dev";
  return d;
}

Deployment secondary(int replicas) {
  Deployment d = primary();
  d.instance = instance(api::ServerRole::Secondary, replicas);
  d.primary_name = "primary";
  d.primary_address = "10.0.0.53";
  return d;
}

const json::value& at(const json::value& v, std::initializer_list<std::string_view> path) {
  const json::value* p = &v;
  for (auto key : path) p = &p->as_object().at(key);
  return *p;
}

json::array containers(const json::object& sts, std::string_view which = "containers") {
  return at(sts, {"spec", "template", "spec", which}).as_array();
}

TEST(Bind9Objects, APrimaryRunsNamedAndTheAgentOnOneClaim) {
  Deployment d = primary();
  d.instance.storage.delete_on_remove = true;
  d.instance.storage.storage_class = "fast";
  d.instance.requests = {{"cpu", "100m"}};
  const json::object sts = stateful_set(d);
  EXPECT_EQ(at(sts, {"metadata", "ownerReferences"}).as_array().at(0).at("uid"), "uid-1");
  EXPECT_EQ(at(sts, {"metadata", "ownerReferences"}).as_array().at(0).at("kind"), "Bind9Instance");
  EXPECT_EQ(at(sts, {"metadata", "labels", "dns.zonekeeper.io/bind9-instance"}), "primary");
  EXPECT_EQ(at(sts, {"spec", "replicas"}), 1);
  EXPECT_EQ(at(sts, {"spec", "serviceName"}), "primary-pods");
  EXPECT_EQ(at(sts, {"spec", "persistentVolumeClaimRetentionPolicy", "whenDeleted"}), "Delete");
  EXPECT_EQ(
      at(sts, {"spec", "volumeClaimTemplates"}).as_array().at(0).at("spec").at("storageClassName"),
      "fast");
  const json::array c = containers(sts);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].at("name"), "named");
  EXPECT_EQ(c[0].at("image"), "zonekeeper-bind9:dev");
  EXPECT_EQ(c[0].at("resources").at("requests").at("cpu"), "100m");
  EXPECT_EQ(c[1].at("name"), "agent");
  EXPECT_EQ(c[1].at("image"), "zonekeeper:dev");
  const json::array cmd = c[1].at("command").as_array();
  EXPECT_EQ(cmd.at(1), "bind9-agent");
  EXPECT_NE(std::find(cmd.begin(), cmd.end(), json::value("127.0.0.1:53")), cmd.end());
  const json::array init = containers(sts, "initContainers");
  ASSERT_EQ(init.size(), 1u);
  EXPECT_EQ(init[0].at("command").as_array().back(), "--seed-only");
  EXPECT_EQ(at(sts, {"spec", "template", "spec", "securityContext", "runAsNonRoot"}), true);
  EXPECT_EQ(at(sts, {"spec", "template", "spec", "volumes"})
                .as_array()
                .at(1)
                .at("secret")
                .at("secretName"),
            "primary-keys");
  // Pods roll when the configuration changes, and only then.
  const json::value hash =
      at(sts, {"spec", "template", "metadata", "annotations", "dns.zonekeeper.io/config-hash"});
  EXPECT_EQ(at(stateful_set(d),
               {"spec", "template", "metadata", "annotations", "dns.zonekeeper.io/config-hash"}),
            hash);
  d.instance.log_queries = true;
  EXPECT_NE(at(stateful_set(d),
               {"spec", "template", "metadata", "annotations", "dns.zonekeeper.io/config-hash"}),
            hash);
}

TEST(Bind9Objects, ConfigServicesAndKeys) {
  Deployment d = primary();
  d.instance.port = 5353;
  const std::string conf = at(config_map(d), {"data", "named.conf"}).as_string().c_str();
  EXPECT_NE(conf.find("listen-on port 5353"), std::string::npos);
  EXPECT_NE(conf.find("include \"/etc/bind/keys/tsig.conf\";"), std::string::npos);
  EXPECT_NE(conf.find("update-policy { grant \"zonekeeper-primary\" zonesub ANY; };"),
            std::string::npos);
  EXPECT_EQ(at(service(d), {"spec", "ports"}).as_array().at(0).at("port"), 5353);
  EXPECT_EQ(at(headless_service(d), {"spec", "clusterIP"}), "None");
  EXPECT_EQ(at(service(d), {"spec", "selector"}), json::value(pod_selector(d.instance)));
  const json::object keys = keys_secret(d, {"dHNpZw==", "cm5kYw=="});
  EXPECT_EQ(at(keys, {"metadata", "name"}), "primary-keys");
  EXPECT_EQ(at(keys, {"stringData", "name"}), "zonekeeper-primary");
  EXPECT_EQ(at(keys, {"stringData", "secret"}), "dHNpZw==");
  EXPECT_NE(std::string(at(keys, {"stringData", "tsig.conf"}).as_string())
                .find("key \"zonekeeper-primary\""),
            std::string::npos);
  EXPECT_NE(std::string(at(keys, {"stringData", "rndc.conf"}).as_string()).find("cm5kYw=="),
            std::string::npos);
}

TEST(Bind9Objects, APrimarysDnsServerWaitsForItsServiceAddress) {
  Deployment d = primary();
  EXPECT_TRUE(dns_servers(d).empty());
  d.service_address = "10.0.0.53";
  auto servers = dns_servers(d);
  ASSERT_EQ(servers.size(), 1u);
  const json::object& s = servers.at("primary");
  EXPECT_EQ(at(s, {"spec", "role"}), "Primary");
  EXPECT_EQ(at(s, {"spec", "external", "address"}), "10.0.0.53");
  EXPECT_EQ(at(s, {"spec", "catalogZone"}), "catalog.zonekeeper.invalid");
  EXPECT_EQ(at(s, {"spec", "tsigKeySecretRef", "name"}), "primary-keys");
  EXPECT_EQ(at(s, {"metadata", "labels", "tier"}), "edge");  // the instance's own labels
  EXPECT_EQ(at(s, {"metadata", "labels", "dns.zonekeeper.io/bind9-instance"}), "primary");
  EXPECT_FALSE(at(s, {"spec"}).as_object().contains("allowedNamespaces"));  // its namespace only

  // Shared with other namespaces: the DNSServer admits what the instance admits.
  d.instance.allowed_namespaces = api::LabelSelector::everything();
  EXPECT_EQ(at(dns_servers(d).at("primary"), {"spec", "allowedNamespaces"}), json::object());
}

TEST(Bind9Objects, SecondariesTransferFromTheirPrimaryAndGetADnsServerPerPod) {
  Deployment d = secondary(3);
  d.pod_ips = {{0, "10.250.0.20"}, {2, "10.250.0.22"}, {5, "10.250.0.99"}};  // 5: scaled away
  const std::string conf = at(config_map(d), {"data", "named.conf"}).as_string().c_str();
  EXPECT_NE(conf.find("default-primaries { 10.0.0.53 port 53 key \"zonekeeper-primary\"; }"),
            std::string::npos)
      << conf;
  const json::object sts = stateful_set(d);
  EXPECT_EQ(containers(sts).size(), 1u);  // named only: BIND consumes the catalog itself
  EXPECT_FALSE(at(sts, {"spec", "template", "spec"}).as_object().contains("initContainers"));
  EXPECT_EQ(at(sts, {"spec", "template", "spec", "volumes"})
                .as_array()
                .at(1)
                .at("secret")
                .at("secretName"),
            "primary-keys");
  auto servers = dns_servers(d);
  ASSERT_EQ(servers.size(), 2u);
  EXPECT_EQ(at(servers.at("secondary-0"), {"spec", "external", "address"}), "10.250.0.20");
  EXPECT_EQ(at(servers.at("secondary-2"), {"spec", "primaryServerRef", "name"}), "primary");
  EXPECT_EQ(at(servers.at("secondary-2"), {"spec", "role"}), "Secondary");
  EXPECT_FALSE(at(servers.at("secondary-2"), {"spec"}).as_object().contains("catalogZone"));
}

}  // namespace
}  // namespace zk::managed
