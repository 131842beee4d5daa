#include "app/export_api.h"

#include <gtest/gtest.h>

#include "app/zone_document.h"

namespace zk::app {
namespace {

using model::Name;
using model::Rdata;
using model::RRset;
using model::RRType;

controller::Controller::ManagedZone zone(std::string_view name, std::string source,
                                         std::string_view owner, std::string_view address) {
  controller::Controller::ManagedZone z;
  z.zone = Name::parse(name).value();
  z.source = std::move(source);
  RRset a(Name::parse(owner).value(), RRType::A, 300, {Rdata::a(address).value()});
  z.rrsets[a.key()] = a;
  return z;
}

TEST(ExportApi, OneZoneIsADocumentImportAccepts) {
  std::vector<controller::Controller::ManagedZone> zones{
      zone("example.test.", "DNSZone dns/example", "www.example.test.", "192.0.2.1"),
      zone("apps.test.", "--zone", "web.apps.test.", "192.0.2.2")};
  auto doc = export_document(zones, std::string("example.test"));
  ASSERT_TRUE(doc) << doc.error();
  EXPECT_EQ(doc->rfind("# DNSZone dns/example\n", 0), 0u) << *doc;
  auto parsed = parse_zone_document(*doc, "export.yaml", zones[0].zone);
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_EQ(parsed->rrsets, zones[0].rrsets);

  auto all = export_document(zones, std::nullopt);
  ASSERT_TRUE(all);
  EXPECT_NE(all->find("---\n# --zone\nzone: apps.test."), std::string::npos) << *all;

  EXPECT_EQ(export_document(zones, std::string("other.test")).error(),
            "zonekeeper manages no zone other.test.");
  EXPECT_EQ(export_document(zones, std::string("a..b")).error().rfind("zone: ", 0), 0u);
}

}  // namespace
}  // namespace zk::app
