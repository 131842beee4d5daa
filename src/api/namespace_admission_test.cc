#include "api/namespace_admission.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace zk::api {
namespace {

TEST(NamespaceAdmission, OwnRecordsAlwaysOthersOnlyWhenListed) {
  auto info = decode_namespace(boost::json::parse(R"({"kind": "Namespace", "metadata": {
      "name": "platform", "labels": {"kubernetes.io/metadata.name": "platform"},
      "annotations": {"dns.zonekeeper.io/allow-records-from": "team-a, team-b team-a"}}})"));
  ASSERT_TRUE(info) << info.error();
  EXPECT_EQ(info->name, "platform");
  EXPECT_EQ(info->labels.at("kubernetes.io/metadata.name"), "platform");
  EXPECT_EQ(info->allow_records_from, (std::vector<std::string>{"team-a", "team-b"}));
  EXPECT_EQ(info->problem, "");
  EXPECT_TRUE(info->admits_records_from("platform"));
  EXPECT_TRUE(info->admits_records_from("team-a"));
  EXPECT_TRUE(info->admits_records_from("team-b"));
  EXPECT_FALSE(info->admits_records_from("team-c"));
  EXPECT_FALSE(info->admits_records_from("team"));  // whole names, no prefixes
}

TEST(NamespaceAdmission, NoAnnotationAdmitsOnlyItsOwn) {
  auto info = decode_namespace(boost::json::parse(R"({"metadata": {"name": "dns"}})"));
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->admits_records_from("dns"));
  EXPECT_FALSE(info->admits_records_from("other"));
  EXPECT_TRUE(info->allow_records_from.empty());
}

TEST(NamespaceAdmission, StarAdmitsEveryNamespace) {
  NamespaceInfo info = parse_allow_records_from("dns", {}, "*");
  EXPECT_TRUE(info.admits_records_from("anything"));
  EXPECT_EQ(info.problem, "");
}

TEST(NamespaceAdmission, EntriesThatAreNotNamespaceNamesAreIgnoredAndNamed) {
  NamespaceInfo info = parse_allow_records_from("dns", {}, "Team-A,ok,-x,team_b,,a*");
  EXPECT_EQ(info.allow_records_from, (std::vector<std::string>{"ok"}));
  EXPECT_EQ(info.problem,
            "dns.zonekeeper.io/allow-records-from: not namespace names, ignored: Team-A, -x, "
            "team_b, a*");
  EXPECT_FALSE(info.admits_records_from("Team-A"));
  auto not_string = decode_namespace(boost::json::parse(
      R"({"metadata": {"name": "dns", "annotations": {"dns.zonekeeper.io/allow-records-from": 1}}})"));
  ASSERT_TRUE(not_string);
  EXPECT_EQ(not_string->problem, "dns.zonekeeper.io/allow-records-from: not a string");
  EXPECT_FALSE(not_string->admits_records_from("x"));
}

TEST(NamespaceAdmission, ANamespaceWithoutNameIsRefused) {
  EXPECT_FALSE(decode_namespace(boost::json::parse(R"({"metadata": {}})")));
}

}  // namespace
}  // namespace zk::api
