#include "app/local_catalog.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace zk::app {
namespace {

namespace json = boost::json;

std::map<std::string, ParsedManifests> files(std::string_view text) {
  return {{"dns.yaml", parse_manifests(text, "dns.yaml")}};
}

constexpr std::string_view kFolder = R"(apiVersion: dns.zonekeeper.io/v1alpha1
kind: DNSZone
metadata: {name: example}
spec:
  zoneName: example.test
  servers: {refs: [{name: somewhere-else}]}
status: {anything: 1}
---
apiVersion: dns.zonekeeper.io/v1alpha1
kind: ARecord
metadata: {name: www, namespace: web}
spec: {name: www, ttl: 60, ipv4Addresses: [192.0.2.1, 192.0.2.2]}
---
apiVersion: dns.zonekeeper.io/v1alpha1
kind: DNSServer
metadata: {name: bind}
spec: {role: Primary}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: unrelated}
---
apiVersion: dns.zonekeeper.io/v1beta9
kind: ARecord
metadata: {name: future}
---
apiVersion: dns.zonekeeper.io/v1alpha1
kind: SPFRecord
metadata: {name: spf}
---
apiVersion: dns.zonekeeper.io/v1alpha1
kind: ARecord
metadata: {}
---
apiVersion: dns.zonekeeper.io/v1alpha1
kind: ARecord
metadata: {name: www, namespace: web}
spec: {name: www, ipv4Addresses: [192.0.2.9]}
)";

TEST(LocalCatalog, ClassifiesEveryObjectAndSaysWhereProblemsAre) {
  LocalCatalog c = catalog_of(files(kFolder));
  ASSERT_EQ(c.objects.size(), 2u);
  const Declared& zone = c.objects.at("DNSZone/default/example");
  EXPECT_EQ(zone.category, Declared::Category::Zone);
  EXPECT_EQ(zone.location(), "dns.yaml:1");
  const json::object& z = zone.object.as_object();
  EXPECT_FALSE(z.contains("status"));
  EXPECT_EQ(z.at("metadata").at("namespace"), "default");
  EXPECT_EQ(z.at("metadata").at("uid"), "local:DNSZone/default/example");
  EXPECT_EQ(z.at("spec").at("servers"), json::parse(R"({"refs":[{"name":"zonekeeper-local"}]})"))
      << "served by the local named, whatever the manifest says";
  const Declared& www = c.objects.at("ARecord/web/www");
  EXPECT_EQ(www.kind, api::Kind::A);
  EXPECT_EQ(www.object.at("spec").at("ipv4Addresses").as_array().size(), 2u) << "the first wins";

  EXPECT_EQ(c.ignored, (std::vector<std::string>{"DNSServer default/bind", "ConfigMap unrelated"}));
  ASSERT_EQ(c.problems.size(), 4u);
  EXPECT_NE(c.problems[0].find("apiVersion dns.zonekeeper.io/v1beta9 is not served"),
            std::string::npos);
  EXPECT_NE(c.problems[1].find("unknown kind SPFRecord"), std::string::npos);
  EXPECT_NE(c.problems[2].find("ARecord without metadata.name"), std::string::npos);
  EXPECT_NE(c.problems[3].find("ARecord web/www is declared twice (also at dns.yaml:"),
            std::string::npos)
      << c.problems[3];
  EXPECT_EQ(c.problems[3].substr(0, 9), "dns.yaml:");
}

TEST(LocalCatalog, GenerationsMoveOnlyWhenWhatIsDeclaredChanges) {
  LocalCatalog first = catalog_of(files(kFolder));
  bump_generations(first, {});
  EXPECT_EQ(first.objects.at("ARecord/web/www").object.at("metadata").at("generation"), 1);

  LocalCatalog same = catalog_of(files(kFolder));
  bump_generations(same, first);
  EXPECT_EQ(same.objects.at("ARecord/web/www").object.at("metadata").at("generation"), 1);

  std::string edited(kFolder);
  edited.replace(edited.find("ttl: 60"), 7, "ttl: 90");
  LocalCatalog next = catalog_of(files(edited));
  bump_generations(next, same);
  EXPECT_EQ(next.objects.at("ARecord/web/www").object.at("metadata").at("generation"), 2);
  EXPECT_EQ(next.objects.at("DNSZone/default/example").object.at("metadata").at("generation"), 1);
}

TEST(LocalCatalog, ValueText) {
  EXPECT_EQ(value_text(json::parse(R"({"name":"www","ttl":60,"ipv4Addresses":["192.0.2.1",
                                       "192.0.2.2"]})")),
            "192.0.2.1 192.0.2.2");
  EXPECT_EQ(value_text(json::parse(R"({"name":"@","mailExchangers":[{"preference":10,
                                       "exchange":"mail"},{"preference":20,"exchange":"mx2"}]})")),
            "10 mail, 20 mx2");
  EXPECT_EQ(record_type_text(api::Kind::CNAME), "CNAME");
  EXPECT_EQ(record_type_text(api::Kind::AAAA), "AAAA");
}

}  // namespace
}  // namespace zk::app
