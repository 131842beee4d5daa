#include "api/bind9_instance.h"

#include <random>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace zk::api {
namespace {

model::Parsed<Bind9Instance> instance(std::string_view spec, std::string_view name = "dns-a") {
  return decode_bind9_instance(boost::json::parse(
      std::string(R"({"apiVersion":"dns.zonekeeper.io/v1alpha1","kind":"Bind9Instance",)") +
      R"("metadata":{"name":")" + std::string(name) +
      R"(","namespace":"dns","uid":"u-1","generation":3,"labels":{"tier":"edge"}},"spec":)" +
      std::string(spec) + "}"));
}

// A Secondary's spec with `extra` members added (",\"port\":0").
std::string secondary(std::string_view extra) {
  return std::string(R"({"role":"Secondary","primaryRef":{"name":"dns-p"})") + std::string(extra) +
         "}";
}

TEST(DecodeBind9Instance, PrimaryWithDefaults) {
  auto b = instance(R"({"role":"Primary"})");
  ASSERT_TRUE(b) << b.error();
  EXPECT_EQ(b->key(), "dns/dns-a");
  EXPECT_EQ(b->uid, "u-1");
  EXPECT_EQ(b->generation, 3);
  EXPECT_EQ(b->labels.at("tier"), "edge");
  EXPECT_EQ(b->role, ServerRole::Primary);
  EXPECT_EQ(b->replicas, 1);
  EXPECT_FALSE(b->primary_name);
  EXPECT_FALSE(b->image);
  EXPECT_EQ(b->image_pull_policy, "IfNotPresent");
  EXPECT_EQ(b->port, 53);
  EXPECT_EQ(b->storage.size, "1Gi");
  EXPECT_FALSE(b->storage.storage_class);
  EXPECT_FALSE(b->storage.delete_on_remove);
  EXPECT_TRUE(b->requests.empty());
  EXPECT_TRUE(b->limits.empty());
  EXPECT_EQ(b->allow_query, std::vector<std::string>{"any"});
  EXPECT_FALSE(b->responses_per_second);
  EXPECT_FALSE(b->log_queries);
  EXPECT_FALSE(b->allowed_namespaces);  // its DNSServers: its own namespace's DNSZones only
  // Empty objects are the defaults too, and so is what the CRD's defaulting writes.
  auto empty = instance(R"({"role":"Primary","storage":{},"resources":{},"rateLimit":{}})");
  ASSERT_TRUE(empty) << empty.error();
  EXPECT_EQ(*empty, *b);
  auto defaulted = instance(R"({"role":"Primary","replicas":1,"imagePullPolicy":"IfNotPresent",
      "port":53,"storage":{"size":"1Gi","deleteOnRemove":false},"allowQuery":["any"],
      "logQueries":false})");
  ASSERT_TRUE(defaulted) << defaulted.error();
  EXPECT_EQ(*defaulted, *b);
}

TEST(DecodeBind9Instance, ReadsEveryField) {
  auto b = instance(R"({"role":"Secondary","replicas":16,"primaryRef":{"name":"dns-p"},
      "image":"registry.test/bind9@sha256:0123","imagePullPolicy":"Always","port":5353,
      "storage":{"size":"2.5Gi","storageClassName":"fast.ssd","deleteOnRemove":true},
      "resources":{"requests":{"cpu":"100m","memory":"64Mi"},"limits":{"cpu":2,"memory":"1G"}},
      "allowQuery":["!192.0.2.66","10.0.0.0/8","2001:db8::/32","localnets","!localhost","::1"],
      "rateLimit":{"responsesPerSecond":10000},"logQueries":true,
      "allowedNamespaces":{"matchLabels":{"dns.example/zones":"allowed"}}})");
  ASSERT_TRUE(b) << b.error();
  EXPECT_EQ(b->role, ServerRole::Secondary);
  EXPECT_EQ(b->replicas, 16);
  EXPECT_EQ(b->primary_name, "dns-p");
  EXPECT_EQ(b->image, "registry.test/bind9@sha256:0123");
  EXPECT_EQ(b->image_pull_policy, "Always");
  EXPECT_EQ(b->port, 5353);
  EXPECT_EQ(b->storage, (Bind9Storage{"2.5Gi", "fast.ssd", true}));
  EXPECT_EQ(b->requests, (std::map<std::string, std::string>{{"cpu", "100m"}, {"memory", "64Mi"}}));
  EXPECT_EQ(b->limits, (std::map<std::string, std::string>{{"cpu", "2"}, {"memory", "1G"}}));
  EXPECT_EQ(b->allow_query, (std::vector<std::string>{"!192.0.2.66", "10.0.0.0/8", "2001:db8::/32",
                                                      "localnets", "!localhost", "::1"}));
  EXPECT_EQ(b->responses_per_second, 10000u);
  EXPECT_TRUE(b->log_queries);
  EXPECT_EQ(b->allowed_namespaces, (LabelSelector{false, {{"dns.example/zones", "allowed"}}, {}}));

  // The edges of each range, and the other values of the enums.
  auto p = instance(R"({"role":"Primary","imagePullPolicy":"Never","port":1,
      "storage":{"size":"10G","storageClassName":""},"allowQuery":["none"],
      "rateLimit":{"responsesPerSecond":1},
      "resources":{"limits":{"ephemeral-storage":"1Ki","example.com/dongle":1}}})");
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->image_pull_policy, "Never");
  EXPECT_EQ(p->port, 1);
  EXPECT_EQ(p->storage.size, "10G");
  EXPECT_EQ(p->storage.storage_class, "");  // "": no class (pre-provisioned volumes)
  EXPECT_EQ(p->allow_query, std::vector<std::string>{"none"});
  EXPECT_EQ(p->responses_per_second, 1u);
  EXPECT_EQ(p->limits, (std::map<std::string, std::string>{{"ephemeral-storage", "1Ki"},
                                                           {"example.com/dongle", "1"}}));
  auto high = instance(secondary(R"(,"port":65535,"replicas":1)"));
  ASSERT_TRUE(high) << high.error();
  EXPECT_EQ(high->port, 65535);
  EXPECT_EQ(high->replicas, 1);
  EXPECT_TRUE(instance(R"({"role":"Primary"})", std::string(52, 'a')));
}

// The Pod's own ports are refused; their neighbours are not.
TEST(DecodeBind9Instance, PortIsNotOneThePodUses) {
  for (int port : {kBind9ControlPort, kBind9AgentNotifyPort}) {
    auto b = instance(R"({"role":"Primary","port":)" + std::to_string(port) + "}");
    ASSERT_FALSE(b) << port;
    EXPECT_EQ(b.error().find("spec.port: " + std::to_string(port) + " is "), 0u) << b.error();
  }
  for (int port : {952, 954, 5299, 5301}) {
    auto b = instance(secondary(R"(,"port":)" + std::to_string(port)));
    ASSERT_TRUE(b) << port << ": " << b.error();
    EXPECT_EQ(b->port, port);
  }
}

TEST(DecodeBind9Instance, AllowQueryForms) {
  for (const char* ok : {"any", "none", "localhost", "localnets", "!any", "0.0.0.0/0", "::/0",
                         "192.0.2.1", "192.0.2.1/32", "192.0.2.128/25", "!10.1.0.0/16",
                         "2001:DB8::1", "2001:db8::1/128", "fe80::/10", "::1.2.3.4"}) {
    auto b = instance(std::string(R"({"role":"Primary","allowQuery":[")") + ok + "\"]}");
    ASSERT_TRUE(b) << ok << ": " << b.error();
    EXPECT_EQ(b->allow_query, std::vector<std::string>{ok});
  }
}

// allowQuery goes verbatim into named.conf: anything but the listed forms is refused, so no
// statement, brace, quote, comment or space can reach the file.
TEST(DecodeBind9Instance, AllowQueryInjectionIsRefused) {
  constexpr std::string_view kNotAnElement =
      " is not any, none, localhost, localnets, an IP address or address/prefix (optionally "
      "after one \"!\")";
  constexpr std::string_view kNoPrefix = " has no prefix length from 0 to 32 after the \"/\"";
  struct Attempt {
    const char* json;  // the element as JSON string content
    std::string_view why;
  };
  for (const Attempt& a : std::vector<Attempt>{
           {R"(any; }; include \"/etc/passwd\")", kNotAnElement},
           {"any;}", kNotAnElement},
           {"any; };\\nallow-transfer { any", kNotAnElement},
           {"any }", kNotAnElement},
           {"{ any; }", kNotAnElement},
           {"any ", kNotAnElement},
           {" any", kNotAnElement},
           {"any\\t", kNotAnElement},
           {"192.0.2.1 /32", kNotAnElement},
           {"!!any", kNotAnElement},
           {"! any", kNotAnElement},
           {"any // comment", kNotAnElement},
           {"any # comment", kNotAnElement},
           {"any /* c */", kNotAnElement},
           {"\\\"any\\\"", kNotAnElement},
           {"key zonekeeper-dns-a", kNotAnElement},
           {"ANY", kNotAnElement},
           {"any\\u0000", kNotAnElement},
           {"192.0.2.1\\u0000; any", kNotAnElement},
           {"fe80::1%eth0", kNotAnElement},
           {"", kNotAnElement},
           {"10.0.0.0/8; any", kNoPrefix},
           {"192.0.2.1/32;", kNoPrefix},
           {"192.0.2.0/24\\u0000; any", kNoPrefix},
           {"10.0.0.0/8 }; allow-update { any", kNoPrefix},
       }) {
    std::string element = std::string("\"") + a.json + "\"";
    std::string spec =
        std::string(R"({"role":"Primary","allowQuery":["localhost",)") + element + "]}";
    auto b = instance(spec);
    ASSERT_FALSE(b) << spec;
    EXPECT_EQ(b.error(),
              "spec.allowQuery[1]: " + boost::json::serialize(boost::json::parse(element)) +
                  std::string(a.why))
        << spec;
  }
  // The value is shown as JSON (quotes escaped), cut when long.
  auto b = instance(R"({"role":"Primary","allowQuery":["any; }; include \"/etc/passwd\""]})");
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error(),
            R"(spec.allowQuery[0]: "any; }; include \"/etc/passwd\"" is not any, none, )"
            R"(localhost, localnets, an IP address or address/prefix (optionally after one "!"))");
}

// Property: whatever is accepted is made only of the characters of keywords, addresses and
// prefixes — valid elements with one random character inserted, and random strings.
TEST(DecodeBind9Instance, AcceptedAllowQueryIsOnlyAddressCharacters) {
  const std::string alphabet = "0123456789abcdefxyn:./!; {}\"'#\n\t\\%*@-_";
  const std::vector<std::string> valid = {"any",           "!localnets", "10.0.0.0/8",
                                          "2001:db8::/32", "192.0.2.1",  "!::1"};
  std::mt19937 rng(12);
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string e;
    if (i % 2 == 0) {
      e = valid[rng() % valid.size()];
      e.insert(e.begin() + static_cast<std::ptrdiff_t>(rng() % (e.size() + 1)),
               alphabet[rng() % alphabet.size()]);
    } else {
      for (size_t n = rng() % 12; n > 0; --n) e += alphabet[rng() % alphabet.size()];
    }
    boost::json::object spec{{"role", "Primary"}, {"allowQuery", boost::json::array{e.c_str()}}};
    auto b = instance(boost::json::serialize(spec));
    if (!b) continue;
    ++accepted;
    EXPECT_EQ(e.find_first_not_of("0123456789abcdefABCDEFlocahstnyu:./!"), std::string::npos) << e;
  }
  EXPECT_GT(accepted, 100);  // the property was exercised
}

TEST(DecodeBind9Instance, RefusesWhatTheSchemaRefuses) {
  struct Bad {
    std::string spec;
    const char* error;
  };
  for (const Bad& b : std::vector<Bad>{
           {R"({})", "spec.role: required"},
           {R"({"role":"Leader"})", "spec.role: \"Leader\" is not Primary or Secondary"},
           {R"({"role":"Primary","replicas":2})",
            "spec.replicas: a Primary is one Pod (RFC 2136 needs one writer); scale reads with a "
            "Secondary instance"},
           {secondary(R"(,"replicas":0)"), "spec.replicas: must be an integer from 1 to 16, got 0"},
           {secondary(R"(,"replicas":17)"),
            "spec.replicas: must be an integer from 1 to 16, got 17"},
           {secondary(R"(,"replicas":"2")"), "spec.replicas: must be an integer from 1 to 16"},
           {R"({"role":"Secondary"})", "spec.primaryRef: required when role is Secondary"},
           {R"({"role":"Primary","primaryRef":{"name":"dns-p"}})",
            "spec.primaryRef: only allowed when role is Secondary"},
           {R"({"role":"Secondary","primaryRef":{"name":"dns-a"}})",
            "spec.primaryRef.name: a Secondary cannot be its own primary"},
           {R"({"role":"Secondary","primaryRef":{}})", "spec.primaryRef.name: required"},
           {R"({"role":"Secondary","primaryRef":"dns-p"})", "spec.primaryRef: must be an object"},
           {R"({"role":"Secondary","primaryRef":{"name":"Dns_P"}})",
            "spec.primaryRef.name: \"Dns_P\" is not an object name"},
           {R"({"role":"Secondary","primaryRef":{"name":""}})",
            "spec.primaryRef.name: \"\" is not an object name"},
           {R"({"role":"Secondary","primaryRef":{"name":"-p"}})",
            "spec.primaryRef.name: \"-p\" is not an object name"},
           {secondary(R"(,"image":"")"), "spec.image: must be an image reference of 1 to 512"},
           {secondary(R"(,"image":"bind 9")"), "spec.image: must be an image reference"},
           {secondary(R"(,"image":")" + std::string(513, 'a') + "\""),
            "spec.image: must be an image reference of 1 to 512 characters"},
           {secondary(R"(,"image":9)"), "spec.image: must be a string, got 9"},
           {secondary(R"(,"imagePullPolicy":"Sometimes")"),
            "spec.imagePullPolicy: \"Sometimes\" is not Always, IfNotPresent or Never"},
           {secondary(R"(,"port":0)"), "spec.port: must be an integer from 1 to 65535, got 0"},
           {secondary(R"(,"port":65536)"), "spec.port: must be an integer from 1 to 65535"},
           {secondary(R"(,"port":953)"),
            "spec.port: 953 is named's control channel inside the Pod (rndc); choose another "
            "port"},
           {R"({"role":"Primary","port":5300})",
            "spec.port: 5300 is the agent's NOTIFY listener inside the Pod; choose another port"},
           {secondary(R"(,"storage":[])"), "spec.storage: must be an object"},
           {secondary(R"(,"storage":{"size":"1GB"})"),
            "spec.storage.size: \"1GB\" is not a quantity of bytes (e.g. 512Mi, 1Gi, 10G)"},
           {secondary(R"(,"storage":{"size":"100m"})"), "spec.storage.size: \"100m\" is not"},
           {secondary(R"(,"storage":{"size":"1.Gi"})"), "spec.storage.size: \"1.Gi\" is not"},
           {secondary(R"(,"storage":{"size":"-1Gi"})"), "spec.storage.size: \"-1Gi\" is not"},
           {secondary(R"(,"storage":{"size":"Gi"})"), "spec.storage.size: \"Gi\" is not"},
           {secondary(R"(,"storage":{"size":1})"), "spec.storage.size: must be a string"},
           {secondary(R"(,"storage":{"size":"0.0Gi"})"),
            "spec.storage.size: must be more than zero"},
           {secondary(R"(,"storage":{"storageClassName":"Fast SSD"})"),
            "spec.storage.storageClassName: \"Fast SSD\" is not a StorageClass name"},
           {secondary(R"(,"storage":{"storageClassName":")" + std::string(254, 'a') + "\"}"),
            "spec.storage.storageClassName: \"aaaa"},
           {secondary(R"(,"storage":{"deleteOnRemove":"yes"})"),
            "spec.storage.deleteOnRemove: must be true or false"},
           {secondary(R"(,"resources":{"requests":{"cpu":"lots"}})"),
            "spec.resources.requests.cpu: \"lots\" is not a quantity (e.g. 100m, 0.5, 256Mi, "
            "1Gi)"},
           {secondary(R"(,"resources":{"limits":{"memory":-1}})"),
            "spec.resources.limits.memory: -1 is not a quantity"},
           {secondary(R"(,"resources":{"limits":{"memory":0.5}})"),
            "spec.resources.limits.memory: 5E-1 is not a quantity"},
           {secondary(R"(,"resources":{"limits":{"memory":["1Gi"]}})"),
            "spec.resources.limits.memory: [\"1Gi\"] is not a quantity"},
           {secondary(R"(,"resources":{"requests":{"cpu; x":"1"}})"),
            "spec.resources.requests: \"cpu; x\" is not a resource name (e.g. cpu, memory)"},
           {secondary(R"(,"resources":{"requests":{"/cpu":"1"}})"),
            "spec.resources.requests: \"/cpu\" is not a resource name"},
           {secondary(R"(,"resources":{"requests":[]})"),
            "spec.resources.requests: must be an object"},
           {secondary(R"(,"allowQuery":[])"),
            "spec.allowQuery: 1 to 32 elements (\"none\" refuses every query)"},
           {secondary(R"(,"allowQuery":"any")"), "spec.allowQuery: must be a list"},
           {secondary(R"(,"allowQuery":[1])"), "spec.allowQuery[0]: must be a string, got 1"},
           {secondary(R"(,"allowQuery":["192.0.2.300"])"),
            "spec.allowQuery[0]: \"192.0.2.300\" is not any, none"},
           {secondary(R"(,"allowQuery":["192.0.2.010"])"),
            "spec.allowQuery[0]: \"192.0.2.010\" is not any, none"},
           {secondary(R"(,"allowQuery":["10.0.0.1/8"])"),
            "spec.allowQuery[0]: \"10.0.0.1/8\" has bits set beyond the prefix length /8 (named "
            "refuses it)"},
           {secondary(R"(,"allowQuery":["2001:db8::1/32"])"),
            "spec.allowQuery[0]: \"2001:db8::1/32\" has bits set beyond the prefix length /32"},
           {secondary(R"(,"allowQuery":["10.0.0.0/33"])"),
            "spec.allowQuery[0]: \"10.0.0.0/33\" has no prefix length from 0 to 32 after the "
            "\"/\""},
           {secondary(R"(,"allowQuery":["::/129"])"),
            "spec.allowQuery[0]: \"::/129\" has no prefix length from 0 to 128 after the \"/\""},
           {secondary(R"(,"allowQuery":["10.0.0.0/08"])"),
            "spec.allowQuery[0]: \"10.0.0.0/08\" has no prefix length from 0 to 32"},
           {secondary(R"(,"allowQuery":["10.0.0.0/"])"),
            "spec.allowQuery[0]: \"10.0.0.0/\" has no prefix length"},
           {secondary(R"(,"allowQuery":["10.0.0.0/8/8"])"),
            "spec.allowQuery[0]: \"10.0.0.0/8/8\" has no prefix length"},
           {secondary(R"(,"allowQuery":["10.0.0.0/+8"])"),
            "spec.allowQuery[0]: \"10.0.0.0/+8\" has no prefix length"},
           {secondary(R"(,"allowQuery":["::ffff:192.0.2.1"])"),
            "spec.allowQuery[0]: \"::ffff:192.0.2.1\" is an IPv4-mapped IPv6 address (write the "
            "IPv4 address)"},
           {secondary(R"(,"allowQuery":["any","any","any","any","any","any","any","any","any",
                "any","any","any","any","any","any","any","any","any","any","any","any","any",
                "any","any","any","any","any","any","any","any","any","any","any"])"),
            "spec.allowQuery: 1 to 32 elements"},
           {secondary(R"(,"rateLimit":{"responsesPerSecond":0})"),
            "spec.rateLimit.responsesPerSecond: must be an integer from 1 to 10000, got 0"},
           {secondary(R"(,"rateLimit":{"responsesPerSecond":10001})"),
            "spec.rateLimit.responsesPerSecond: must be an integer from 1 to 10000"},
           {secondary(R"(,"rateLimit":5)"), "spec.rateLimit: must be an object"},
           {secondary(R"(,"logQueries":1)"), "spec.logQueries: must be true or false, got 1"},
           {secondary(R"(,"allowedNamespaces":[])"), "spec.allowedNamespaces: must be an object"},
           {secondary(R"(,"allowedNamespaces":{"matchExpressions":[{"key":"a","operator":"Exists",
                "values":["b"]}]})"),
            "spec.allowedNamespaces.matchExpressions[0].values: must be empty for operator "
            "Exists"},
       }) {
    auto i = instance(b.spec);
    ASSERT_FALSE(i) << b.spec;
    EXPECT_EQ(i.error().find(b.error), 0u) << b.spec << " → " << i.error();
  }
}

TEST(DecodeBind9Instance, RefusesWhatCannotBeNamedOrIsNotOne) {
  // The name names a StatefulSet and Services (RFC 1035 labels) and "<name>-<hash>" labels.
  for (const std::string& name :
       {std::string(53, 'a'), std::string("1dns"), std::string("dns.a"), std::string("Dns")}) {
    auto b = instance(R"({"role":"Primary"})", name);
    ASSERT_FALSE(b) << name;
    EXPECT_EQ(b.error().find("metadata.name: \"" + name +
                             "\" must be a DNS label of at most 52 characters that starts with "
                             "a letter"),
              0u)
        << b.error();
  }
  auto no_spec = decode_bind9_instance(
      boost::json::parse(R"({"kind":"Bind9Instance","metadata":{"name":"a"}})"));
  ASSERT_FALSE(no_spec);
  EXPECT_EQ(no_spec.error(), "spec: required");
  auto other = decode_bind9_instance(
      boost::json::parse(R"({"kind":"DNSServer","metadata":{"name":"a"},"spec":{}})"));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().find("kind: expected Bind9Instance"), 0u) << other.error();
  auto nameless = decode_bind9_instance(boost::json::parse(R"({"spec":{"role":"Primary"}})"));
  ASSERT_FALSE(nameless);
  EXPECT_EQ(nameless.error(), "metadata.name: required");
  EXPECT_FALSE(decode_bind9_instance(boost::json::parse("[]")));
}

}  // namespace
}  // namespace zk::api
