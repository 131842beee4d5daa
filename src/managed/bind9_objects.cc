#include "managed/bind9_objects.h"

#include <fmt/format.h>
#include <boost/json/array.hpp>

#include "api/kind.h"
#include "managed/digest.h"
#include "managed/named_config.h"

namespace zk::managed {

namespace json = boost::json;
using api::ServerRole;

namespace {

constexpr std::string_view kConfigDir = "/etc/bind";
constexpr std::string_view kKeysDir = "/etc/bind/keys";
constexpr std::string_view kDataDir = "/var/cache/bind";

bool is_primary(const api::Bind9Instance& i) {
  return i.role == ServerRole::Primary;
}

// The Primary whose keys the instance uses: itself, or its primaryRef.
std::string key_owner(const Deployment& d) {
  return is_primary(d.instance) ? d.instance.name : d.primary_name;
}

json::object metadata(const api::Bind9Instance& i, std::string name) {
  json::object owner{{"apiVersion", std::string(api::kApiVersion)},
                     {"kind", std::string(api::kBind9Instance)},
                     {"name", i.name},
                     {"uid", i.uid},
                     {"controller", true}};
  return json::object{{"name", std::move(name)},
                      {"namespace", i.ns},
                      {"labels", instance_labels(i)},
                      {"ownerReferences", json::array{std::move(owner)}}};
}

json::object object(std::string_view api_version, std::string_view kind, json::object meta) {
  return json::object{{"apiVersion", api_version}, {"kind", kind}, {"metadata", std::move(meta)}};
}

json::array dns_ports(uint16_t port, bool container) {
  json::array out;
  for (const char* proto : {"UDP", "TCP"}) {
    json::object p{{"name", std::string_view(proto) == "UDP" ? "dns" : "dns-tcp"},
                   {"protocol", proto}};
    if (container) {
      p["containerPort"] = port;
    } else {
      p["port"] = port;
      p["targetPort"] = port;
    }
    out.push_back(std::move(p));
  }
  return out;
}

// Pod Security "restricted" for every container.
json::object restricted() {
  return json::object{{"allowPrivilegeEscalation", false},
                      {"readOnlyRootFilesystem", true},
                      {"runAsNonRoot", true},
                      {"capabilities", json::object{{"drop", json::array{"ALL"}}}}};
}

json::object mount(std::string_view name, std::string_view path) {
  return json::object{{"name", name}, {"mountPath", path}};
}

json::object resources(const api::Bind9Instance& i) {
  json::object out;
  auto map = [](const std::map<std::string, std::string>& m) {
    json::object o;
    for (const auto& [k, v] : m) o[k] = v;
    return o;
  };
  if (!i.requests.empty()) out["requests"] = map(i.requests);
  if (!i.limits.empty()) out["limits"] = map(i.limits);
  return out;
}

json::array agent_command(const Deployment& d, bool seed_only) {
  json::array a{"/usr/bin/zonekeeper", "bind9-agent", "--directory", kDataDir,
                "--log-format",        "json"};
  if (seed_only) {
    a.emplace_back("--seed-only");
    return a;
  }
  for (const std::string& s :
       {std::string("--server"), fmt::format("127.0.0.1:{}", d.instance.port),
        std::string("--control"), fmt::format("127.0.0.1:{}", kControlPort),
        std::string("--tsig-key-file"), fmt::format("{}/tsig.conf", kKeysDir),
        std::string("--rndc-key-file"), fmt::format("{}/rndc.conf", kKeysDir),
        std::string("--notify-port"), std::to_string(kAgentNotifyPort)}) {
    a.emplace_back(s);
  }
  return a;
}

// The agent is ready while named's control channel answers it (`bind9-agent --probe`): a
// Primary whose agent cannot add or delete zones says so (Pod-N ControlChannelUnreachable).
json::object agent_readiness_probe() {
  json::array command{"/usr/bin/zonekeeper",
                      "bind9-agent",
                      "--probe",
                      "--control",
                      fmt::format("127.0.0.1:{}", kControlPort),
                      "--rndc-key-file",
                      fmt::format("{}/rndc.conf", kKeysDir),
                      "--timeout-ms",
                      "2000"};
  return json::object{{"exec", json::object{{"command", std::move(command)}}},
                      {"periodSeconds", 5},
                      {"timeoutSeconds", 3},
                      {"failureThreshold", 2}};
}

}  // namespace

std::string keys_secret_name(const std::string& primary_instance) {
  return primary_instance + "-keys";
}
std::string config_map_name(const std::string& instance) {
  return instance + "-config";
}
std::string headless_service_name(const std::string& instance) {
  return instance + "-pods";
}
json::object pod_selector(const api::Bind9Instance& i) {
  return json::object{{"app.kubernetes.io/name", "bind9"},
                      {"app.kubernetes.io/instance", i.name},
                      {std::string(kInstanceLabel), i.name}};
}

json::object instance_labels(const api::Bind9Instance& i) {
  json::object l = pod_selector(i);
  l[std::string(kManagedByLabel)] = "zonekeeper";
  l["app.kubernetes.io/component"] = is_primary(i) ? "primary" : "secondary";
  return l;
}

std::string instance_named_conf(const Deployment& d) {
  const api::Bind9Instance& i = d.instance;
  ServerSettings s;
  s.role = is_primary(i) ? Role::Primary : Role::Secondary;
  s.port = i.port;
  s.control_port = kControlPort;
  s.tsig_key_name = d.key_names.empty() ? tsig_key_name(key_owner(d), 0) : d.key_names.front();
  s.allow_query = i.allow_query;
  s.responses_per_second = i.responses_per_second;
  s.log_queries = i.log_queries;
  s.agent_notify_port = kAgentNotifyPort;
  if (!is_primary(i)) {
    s.primary_addresses = {d.primary_address};
    s.primary_port = d.primary_port;
  }
  s.paths.directory = std::string(kDataDir);
  s.paths.tsig_key_file = fmt::format("{}/tsig.conf", kKeysDir);
  s.paths.rndc_key_file = fmt::format("{}/rndc.conf", kKeysDir);
  s.paths.access_file = fmt::format("{}/access.conf", kKeysDir);
  return named_conf(s);
}

json::object config_map(const Deployment& d) {
  json::object o =
      object("v1", "ConfigMap", metadata(d.instance, config_map_name(d.instance.name)));
  o["data"] = json::object{{"named.conf", instance_named_conf(d)}};
  return o;
}

json::object service(const Deployment& d) {
  json::object o = object("v1", "Service", metadata(d.instance, d.instance.name));
  o["spec"] = json::object{{"type", "ClusterIP"},
                           {"selector", pod_selector(d.instance)},
                           {"ports", dns_ports(d.instance.port, false)}};
  // The Primary is one Pod and the only writer: its Service reaches it whether or not it is
  // ready, so an agent that cannot reach the control channel (the Pod not ready) costs no
  // UPDATE of the zones it already serves.
  if (is_primary(d.instance)) o["spec"].as_object()["publishNotReadyAddresses"] = true;
  return o;
}

json::object headless_service(const Deployment& d) {
  json::object o =
      object("v1", "Service", metadata(d.instance, headless_service_name(d.instance.name)));
  o["spec"] = json::object{{"clusterIP", "None"},
                           {"publishNotReadyAddresses", true},
                           {"selector", pod_selector(d.instance)},
                           {"ports", dns_ports(d.instance.port, false)}};
  return o;
}

json::object stateful_set(const Deployment& d) {
  const api::Bind9Instance& i = d.instance;
  const std::string image = i.image.value_or(d.bind9_image);
  json::object named{
      {"name", "named"},
      {"image", image},
      {"imagePullPolicy", i.image_pull_policy},
      {"ports", dns_ports(i.port, true)},
      {"readinessProbe",
       json::object{{"tcpSocket", json::object{{"port", i.port}}}, {"periodSeconds", 2}}},
      {"securityContext", restricted()},
      {"volumeMounts",
       json::array{mount("config", kConfigDir), mount("keys", kKeysDir), mount("data", kDataDir)}}};
  if (json::object r = resources(i); !r.empty()) named["resources"] = std::move(r);
  json::array containers{std::move(named)};
  json::array init;
  if (is_primary(i)) {
    containers.push_back(json::object{
        {"name", "agent"},
        {"image", d.agent_image},
        {"imagePullPolicy", i.image_pull_policy},
        {"command", agent_command(d, false)},
        {"readinessProbe", agent_readiness_probe()},
        {"securityContext", restricted()},
        {"volumeMounts", json::array{mount("keys", kKeysDir), mount("data", kDataDir)}}});
    init.push_back(json::object{{"name", "seed"},
                                {"image", d.agent_image},
                                {"imagePullPolicy", i.image_pull_policy},
                                {"command", agent_command(d, true)},
                                {"securityContext", restricted()},
                                {"volumeMounts", json::array{mount("data", kDataDir)}}});
  }
  json::object pod_spec{
      {"automountServiceAccountToken", false},
      {"enableServiceLinks", false},
      {"securityContext",
       json::object{{"runAsNonRoot", true},
                    {"runAsUser", 65532},
                    {"runAsGroup", 65532},
                    {"fsGroup", 65532},
                    {"seccompProfile", json::object{{"type", "RuntimeDefault"}}}}},
      {"containers", std::move(containers)},
      {"volumes",
       json::array{json::object{{"name", "config"},
                                {"configMap", json::object{{"name", config_map_name(i.name)}}}},
                   json::object{
                       {"name", "keys"},
                       {"secret", json::object{{"secretName", keys_secret_name(key_owner(d))}}}}}}};
  if (!init.empty()) pod_spec["initContainers"] = std::move(init);
  json::object pod_labels = instance_labels(i);
  json::object claim_spec{
      {"accessModes", json::array{"ReadWriteOnce"}},
      {"resources", json::object{{"requests", json::object{{"storage", i.storage.size}}}}}};
  if (i.storage.storage_class) claim_spec["storageClassName"] = *i.storage.storage_class;
  json::object o = object("apps/v1", "StatefulSet", metadata(i, i.name));
  o["spec"] = json::object{
      {"serviceName", headless_service_name(i.name)},
      {"replicas", i.replicas},
      {"podManagementPolicy", "Parallel"},
      {"selector", json::object{{"matchLabels", pod_selector(i)}}},
      {"persistentVolumeClaimRetentionPolicy",
       json::object{{"whenDeleted", i.storage.delete_on_remove ? "Delete" : "Retain"},
                    {"whenScaled", "Retain"}}},
      {"template", json::object{{"metadata", json::object{{"labels", std::move(pod_labels)},
                                                          {"annotations", pod_annotations(d)}}},
                                {"spec", std::move(pod_spec)}}},
      {"volumeClaimTemplates",
       json::array{json::object{{"metadata", json::object{{"name", "data"}}},
                                {"spec", std::move(claim_spec)}}}}};
  return o;
}

json::object pod_annotations(const Deployment& d) {
  json::object out{{"dns.zonekeeper.io/config-hash", sha256_hex(instance_named_conf(d))}};
  if (!is_primary(d.instance)) {
    std::vector<std::string> names = d.key_names;
    if (names.empty()) names.push_back(tsig_key_name(key_owner(d), 0));
    out[std::string(kKeysAnnotation)] = fmt::format("{}", fmt::join(names, " "));
  }
  return out;
}

json::object keys_secret(const Deployment& d, const KeyRing& ring) {
  const std::string& primary = d.instance.name;
  std::string tsig, rndc;
  std::vector<std::string> rndc_names;
  for (const KeyGeneration& g : ring.accepted) {
    tsig += fmt::format("key \"{}\" {{\n\talgorithm hmac-sha256;\n\tsecret \"{}\";\n}};\n",
                        tsig_key_name(primary, g.number), g.tsig_secret);
    rndc += fmt::format("key \"{}\" {{\n\talgorithm hmac-sha256;\n\tsecret \"{}\";\n}};\n",
                        rndc_key_name(g.number), g.rndc_secret);
    rndc_names.push_back(rndc_key_name(g.number));
  }
  ServerSettings control;  // the control channel as every managed named.conf has it
  control.control_port = kControlPort;
  json::object o = object("v1", "Secret", metadata(d.instance, keys_secret_name(primary)));
  o["type"] = "Opaque";
  const KeyGeneration& signing = ring.accepted.front();
  o["stringData"] =
      json::object{{"keys", key_ring_text(ring)},
                   {"tsig.conf", std::move(tsig)},
                   {"rndc.conf", std::move(rndc)},
                   {"access.conf", key_access(tsig_key_names(primary, ring), rndc_names, control)},
                   // A DNSServer's TSIG Secret (docs/api.md): the signing key.
                   {"name", tsig_key_name(primary, signing.number)},
                   {"algorithm", "hmac-sha256"},
                   {"secret", signing.tsig_secret}};
  return o;
}

json::object label_selector_json(const api::LabelSelector& selector) {
  json::object out;
  if (!selector.match_labels.empty()) {
    json::object labels;
    for (const auto& [k, v] : selector.match_labels) labels[k] = v;
    out["matchLabels"] = std::move(labels);
  }
  json::array expressions;
  for (const api::LabelRequirement& r : selector.match_expressions) {
    using Op = api::LabelRequirement::Op;
    json::object e{{"key", r.key},
                   {"operator", r.op == Op::In       ? "In"
                                : r.op == Op::NotIn  ? "NotIn"
                                : r.op == Op::Exists ? "Exists"
                                                     : "DoesNotExist"}};
    if (r.op == Op::In || r.op == Op::NotIn) {
      json::array values;
      for (const auto& v : r.values) values.emplace_back(v);
      e["values"] = std::move(values);
    }
    expressions.emplace_back(std::move(e));
  }
  if (!expressions.empty()) out["matchExpressions"] = std::move(expressions);
  return out;
}

std::map<std::string, json::object> dns_servers(const Deployment& d) {
  const api::Bind9Instance& i = d.instance;
  std::map<std::string, json::object> out;
  auto server = [&](std::string name, std::string address, const json::object& role_fields) {
    json::object meta = metadata(i, name);
    json::object& labels = meta["labels"].as_object();
    for (const auto& [k, v] : i.labels) labels.emplace(k, v);  // the instance's labels too
    json::object o = object(api::kApiVersion, api::kDNSServer, std::move(meta));
    json::object spec{{"role", is_primary(i) ? "Primary" : "Secondary"},
                      {"external", json::object{{"address", std::move(address)}, {"port", i.port}}},
                      {"tsigKeySecretRef", json::object{{"name", keys_secret_name(key_owner(d))}}}};
    for (const auto& [k, v] : role_fields) spec[k] = v;
    if (i.allowed_namespaces)
      spec["allowedNamespaces"] = label_selector_json(*i.allowed_namespaces);
    o["spec"] = std::move(spec);
    out.emplace(std::move(name), std::move(o));
  };
  if (is_primary(i)) {
    if (!d.service_address.empty()) {
      server(i.name, d.service_address, json::object{{"catalogZone", kCatalogZoneName}});
    }
  } else {
    for (const auto& [ordinal, ip] : d.pod_ips) {
      if (ordinal >= i.replicas) continue;
      server(fmt::format("{}-{}", i.name, ordinal), ip,
             json::object{{"primaryServerRef", json::object{{"name", d.primary_name}}}});
    }
  }
  return out;
}

}  // namespace zk::managed
