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
  // The agent is ready while named's control channel answers one of the mounted rndc keys.
  const json::array probe = c[1].at("readinessProbe").at("exec").at("command").as_array();
  EXPECT_EQ(json::value(probe),
            json::parse(R"(["/usr/bin/zonekeeper", "bind9-agent", "--probe", "--control",
      "127.0.0.1:953", "--rndc-key-file", "/etc/bind/keys/rndc.conf", "--timeout-ms", "2000"])"));
  EXPECT_FALSE(c[0].at("readinessProbe").as_object().contains("exec"));  // named: its port
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
  // No key by name: the included access file says which are accepted.
  EXPECT_NE(conf.find("include \"/etc/bind/keys/access.conf\";"), std::string::npos);
  EXPECT_EQ(conf.find("zonekeeper-primary"), std::string::npos) << conf;
  EXPECT_EQ(at(service(d), {"spec", "ports"}).as_array().at(0).at("port"), 5353);
  EXPECT_EQ(at(headless_service(d), {"spec", "clusterIP"}), "None");
  // The only writer is reached whether or not its agent is ready.
  EXPECT_EQ(at(service(d), {"spec", "publishNotReadyAddresses"}), true);
  // Secondaries: the Service reaches the ready Pods only.
  EXPECT_FALSE(
      at(service(secondary(2)), {"spec"}).as_object().contains("publishNotReadyAddresses"));
  EXPECT_EQ(at(service(d), {"spec", "selector"}), json::value(pod_selector(d.instance)));
  const json::object keys = keys_secret(d, new_key_ring({0, "dHNpZw==", "cm5kYw=="}));
  EXPECT_EQ(at(keys, {"metadata", "name"}), "primary-keys");
  EXPECT_EQ(at(keys, {"stringData", "name"}), "zonekeeper-primary");
  EXPECT_EQ(at(keys, {"stringData", "secret"}), "dHNpZw==");
  EXPECT_EQ(at(keys, {"stringData", "tsig.conf"}),
            "key \"zonekeeper-primary\" {\n\talgorithm hmac-sha256;\n\tsecret \"dHNpZw==\";\n};\n");
  EXPECT_EQ(at(keys, {"stringData", "rndc.conf"}),
            "key \"rndc-key\" {\n\talgorithm hmac-sha256;\n\tsecret \"cm5kYw==\";\n};\n");
  EXPECT_EQ(
      at(keys, {"stringData", "access.conf"}),
      "acl \"zonekeeper-keys\" { key \"zonekeeper-primary\"; };\ncontrols {\n  inet * port 953 "
      "allow { any; } keys { \"rndc-key\"; };\n};\n");
  EXPECT_EQ(parse_key_ring(at(keys, {"stringData", "keys"}).as_string()).value(),
            new_key_ring({0, "dHNpZw==", "cm5kYw=="}));
}

TEST(Bind9Objects, DuringARotationTheSecretHasBothKeysAndTheSigningOneFirst) {
  const Deployment d = primary();
  KeyRing ring = *rotation_step(new_key_ring({0, "T0", "R0"}), "r", {}, 7, {0, "T1", "R1"}).next;
  json::object keys = keys_secret(d, ring);
  EXPECT_EQ(at(keys, {"stringData", "name"}), "zonekeeper-primary");  // Adding: the old signs
  std::string tsig(at(keys, {"stringData", "tsig.conf"}).as_string());
  EXPECT_LT(tsig.find("key \"zonekeeper-primary\""), tsig.find("key \"zonekeeper-primary-1\""));
  EXPECT_EQ(at(keys, {"stringData", "access.conf"}),
            "acl \"zonekeeper-keys\" { key \"zonekeeper-primary\"; key \"zonekeeper-primary-1\"; "
            "};\ncontrols {\n  inet * port 953 allow { any; } keys { \"rndc-key\"; \"rndc-key-1\"; "
            "};\n};\n");
  RotationObservation all{true, true, true, true};
  ring = *rotation_step(ring, "r", all, 8, {}).next;  // Switching
  keys = keys_secret(d, ring);
  EXPECT_EQ(at(keys, {"stringData", "name"}), "zonekeeper-primary-1");
  EXPECT_EQ(at(keys, {"stringData", "secret"}), "T1");
  tsig = std::string(at(keys, {"stringData", "tsig.conf"}).as_string());
  EXPECT_LT(tsig.find("key \"zonekeeper-primary-1\""), tsig.find("key \"zonekeeper-primary\""));
  ring = *rotation_step(ring, "r", all, 100, {}).next;  // Dropping: the old key is in no file
  keys = keys_secret(d, ring);
  EXPECT_EQ(std::string(at(keys, {"stringData", "tsig.conf"}).as_string()).find("T0"),
            std::string::npos);
  EXPECT_EQ(std::string(at(keys, {"stringData", "rndc.conf"}).as_string()).find("R0"),
            std::string::npos);
  // … only in the ring's text, to see the servers refuse it.
  EXPECT_EQ(parse_key_ring(at(keys, {"stringData", "keys"}).as_string())->retired->tsig_secret,
            "T0");
}

TEST(Bind9Objects, KeysRollASecondaryNotAPrimary) {
  Deployment p = primary();
  const json::object before = pod_annotations(p);
  p.key_names = {"zonekeeper-primary-1", "zonekeeper-primary"};
  EXPECT_EQ(pod_annotations(p), before);
  EXPECT_FALSE(before.contains(kKeysAnnotation));

  Deployment s = secondary(1);
  const json::object plain = pod_annotations(s);
  EXPECT_EQ(plain.at(kKeysAnnotation), "zonekeeper-primary");
  s.key_names = {"zonekeeper-primary",
                 "zonekeeper-primary-1"};  // Adding: more keys, same transfers
  const json::object adding = pod_annotations(s);
  EXPECT_EQ(adding.at(kKeysAnnotation), "zonekeeper-primary zonekeeper-primary-1");
  EXPECT_EQ(adding.at("dns.zonekeeper.io/config-hash"), plain.at("dns.zonekeeper.io/config-hash"));
  s.key_names = {"zonekeeper-primary-1", "zonekeeper-primary"};  // Switching: transfers move
  EXPECT_NE(pod_annotations(s).at("dns.zonekeeper.io/config-hash"),
            plain.at("dns.zonekeeper.io/config-hash"));
  const std::string conf = at(config_map(s), {"data", "named.conf"}).as_string().c_str();
  EXPECT_NE(conf.find("key \"zonekeeper-primary-1\";"), std::string::npos) << conf;
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
