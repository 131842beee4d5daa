#include "managed/ds_config_map.h"

#include <gtest/gtest.h>
#include <boost/json/serialize.hpp>

namespace zk::managed {
namespace {

namespace json = boost::json;

TEST(DsConfigMap, HoldsTheDsLinesOwnedAndLabelled) {
  const model::Name zone = model::Name::parse("shop.example.").value();
  const std::vector<DsRecord> ds{{12345, 13, 2, "ABCD"}, {54321, 13, 2, "EF01"}};
  const json::object cm = ds_config_map({"shop-ds", "web", "shop", "u-1"}, zone, ds);
  EXPECT_EQ(cm.at("apiVersion"), "v1");
  EXPECT_EQ(cm.at("kind"), "ConfigMap");
  const json::object& meta = cm.at("metadata").as_object();
  EXPECT_EQ(meta.at("name"), "shop-ds");
  EXPECT_EQ(meta.at("namespace"), "web");
  EXPECT_EQ(meta.at("labels"), (json::object{{"dns.zonekeeper.io/ds", "true"}}));
  EXPECT_EQ(json::serialize(meta.at("ownerReferences")),
            R"([{"apiVersion":"dns.zonekeeper.io/v1alpha1","kind":"DNSZone","name":"shop",)"
            R"("uid":"u-1","controller":true}])");
  EXPECT_EQ(cm.at("data"), (json::object{{"zone", "shop.example."},
                                         {"ds",
                                          "shop.example. IN DS 12345 13 2 ABCD\n"
                                          "shop.example. IN DS 54321 13 2 EF01\n"}}));
}

TEST(DsConfigMap, IsEmptyUntilSigned) {
  const json::object cm =
      ds_config_map({"x", "ns", "z", "u"}, model::Name::parse("z.example.").value(), {});
  EXPECT_EQ(cm.at("data").at("ds"), "");
  EXPECT_EQ(cm.at("data").at("zone"), "z.example.");
}

}  // namespace
}  // namespace zk::managed
