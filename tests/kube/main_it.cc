#include <gtest/gtest.h>

#include "testbed.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new zk::kube::testing::Testbed());
  return RUN_ALL_TESTS();
}
