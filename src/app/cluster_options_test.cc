#include <gtest/gtest.h>

#include "app/cluster_mode.h"

namespace zk::app {
namespace {

TEST(ClusterOptions, ADryRunNeverContendsForTheProductionLease) {
  ClusterOptions production;
  EXPECT_EQ(effective_lease_name(production), "zonekeeper-controller");
  ClusterOptions dry = production;
  dry.dry_run = true;
  EXPECT_EQ(effective_lease_name(dry), "zonekeeper-controller-dry-run");
  // Also with a Lease name of its own: never the name a real instance of that name uses.
  dry.lease_name = "blue";
  EXPECT_EQ(effective_lease_name(dry), "blue-dry-run");
  ClusterOptions blue;
  blue.lease_name = "blue";
  EXPECT_NE(effective_lease_name(dry), effective_lease_name(blue));
}

}  // namespace
}  // namespace zk::app
