#include "app/manifest_folder.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace zk::app {
namespace {

namespace json = boost::json;

TEST(ManifestFolder, MultiDocumentWithLines) {
  auto p = parse_manifests(R"(# a comment
apiVersion: dns.zonekeeper.io/v1alpha1
kind: ARecord
metadata: {name: www}
spec:
  name: www
  ttl: 60
  ipv4Addresses: [192.0.2.10]
---
# second
kind: TXTRecord
metadata:
  name: t
spec: {texts: ["yes", yes, on, "010", 010, 1.5, ~, 0x1F]}
)",
                           "d/r.yaml");
  ASSERT_TRUE(p.errors.empty()) << p.errors[0].to_string();
  ASSERT_EQ(p.objects.size(), 2u);
  EXPECT_EQ(p.objects[0].file, "d/r.yaml");
  EXPECT_EQ(p.objects[0].line, 2);
  EXPECT_EQ(p.objects[1].line, 11);
  const auto& spec0 = p.objects[0].object.at("spec");
  EXPECT_EQ(spec0.at("ttl"), json::value(60));
  EXPECT_EQ(spec0.at("ipv4Addresses").at(0), json::value("192.0.2.10"));
  EXPECT_EQ(json::serialize(p.objects[1].object.at("spec").at("texts")),
            R"(["yes",true,true,"010",8,1.5E0,null,31])");
}

TEST(ManifestFolder, SyntaxErrorCostsOnlyItsDocument) {
  auto p = parse_manifests(R"(kind: A
metadata: {name: a}
---
kind: B
metadata: {name: [unclosed
---
kind: C
)",
                           "f.yaml");
  ASSERT_EQ(p.objects.size(), 2u);
  EXPECT_EQ(p.objects[0].object.at("kind"), json::value("A"));
  EXPECT_EQ(p.objects[1].object.at("kind"), json::value("C"));
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].file, "f.yaml");
  EXPECT_GE(p.errors[0].line, 4);
  EXPECT_LE(p.errors[0].line, 6);
  EXPECT_NE(p.errors[0].to_string().find("f.yaml:"), std::string::npos);
}

TEST(ManifestFolder, NotAMappingAndDuplicateKeys) {
  auto p =
      parse_manifests("- a\n- b\n---\nkind: X\nkind: Y\n---\n\n# only comments\n---\n", "g.yml");
  EXPECT_TRUE(p.objects.empty());
  ASSERT_EQ(p.errors.size(), 2u);
  EXPECT_EQ(p.errors[0].to_string(),
            "g.yml:1: a manifest must be a mapping (apiVersion, kind, metadata, spec), not a list");
  EXPECT_EQ(p.errors[1].line, 5);
  EXPECT_NE(p.errors[1].message.find("duplicate key \"kind\""), std::string::npos);
}

TEST(ManifestFolder, ListItemsAndInlineDocumentStart) {
  auto p = parse_manifests("--- {kind: Z}\n---\nkind: List\nitems:\n- {kind: A}\n- {kind: B}\n",
                           "l.yaml");
  ASSERT_TRUE(p.errors.empty());
  ASSERT_EQ(p.objects.size(), 3u);
  EXPECT_EQ(p.objects[0].object.at("kind"), json::value("Z"));
  EXPECT_EQ(p.objects[0].line, 1);
  EXPECT_EQ(p.objects[2].object.at("kind"), json::value("B"));
  EXPECT_EQ(p.objects[2].line, 3);
}

TEST(ManifestFolder, QuotedAndTaggedStaysString) {
  auto p = parse_manifests("a: '1'\nb: !!str 2\nc: \"true\"\nd: 2001:db8::1\ne: 1e3\n", "q.yaml");
  ASSERT_EQ(p.objects.size(), 1u);
  EXPECT_EQ(json::serialize(p.objects[0].object),
            R"({"a":"1","b":"2","c":"true","d":"2001:db8::1","e":1E3})");
}

TEST(ManifestFolder, FileNames) {
  EXPECT_TRUE(is_manifest_file_name("a.yaml"));
  EXPECT_TRUE(is_manifest_file_name("a.yml"));
  EXPECT_FALSE(is_manifest_file_name(".a.yaml"));
  EXPECT_FALSE(is_manifest_file_name("a.yaml.swp"));
  EXPECT_FALSE(is_manifest_file_name("a.yaml~"));
  EXPECT_FALSE(is_manifest_file_name(".yaml"));
}

}  // namespace
}  // namespace zk::app
