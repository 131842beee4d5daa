#include "kube/shard_assignment.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace zk::kube {
namespace {

std::vector<std::string> replicas(size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) out.push_back(fmt::format("zonekeeper-{}", i));
  return out;
}

TEST(ShardAssignment, EveryShardHasAnOwnerAndEveryMemberItsFairShare) {
  for (uint32_t shards = 1; shards <= 40; ++shards) {
    for (size_t m = 1; m <= 7; ++m) {
      auto owner = assign_shards(shards, replicas(m));
      ASSERT_EQ(owner.size(), shards);
      std::map<std::string, uint32_t> count;
      for (const auto& o : owner) {
        ASSERT_FALSE(o.empty()) << shards << " shards, " << m << " members";
        ++count[o];
      }
      for (const auto& id : replicas(m)) {
        uint32_t c = count[id];
        EXPECT_GE(c, shards / m) << id << " of " << m << " with " << shards << " shards";
        EXPECT_LE(c, (shards + m - 1) / m) << id << " of " << m << " with " << shards << " shards";
      }
    }
  }
}

TEST(ShardAssignment, TheSameOnEveryReplicaWhateverOrderItListedTheMembersIn) {
  auto a = assign_shards(16, {"b", "a", "c"});
  auto b = assign_shards(16, {"c", "a", "b", "a"});
  EXPECT_EQ(a, b);
}

TEST(ShardAssignment, NoMemberNoOwner) {
  EXPECT_EQ(assign_shards(3, {}), (std::vector<std::string>{"", "", ""}));
  EXPECT_TRUE(assign_shards(0, {"a"}).empty());
}

TEST(ShardAssignment, AMemberLeavingMovesMostlyItsOwnShards) {
  // Consistent: of the shards the remaining members held, few change hands (the bounded load
  // may move some to make room); a modulo assignment would move about three quarters.
  const uint32_t shards = 120;
  auto before = assign_shards(shards, replicas(4));
  auto rest = replicas(4);
  rest.erase(rest.begin() + 1);
  auto after = assign_shards(shards, rest);
  size_t kept = 0, moved = 0;
  for (uint32_t s = 0; s < shards; ++s) {
    if (before[s] == "zonekeeper-1") continue;
    (before[s] == after[s] ? kept : moved) += 1;
  }
  EXPECT_EQ(kept + moved, shards - shards / 4);
  EXPECT_LE(moved, shards / 8) << "kept " << kept;
}

TEST(ShardAssignment, TheHashIsPinned) {
  // Replicas of different builds must agree: the hash is part of the protocol.
  EXPECT_EQ(stable_hash(""), 0xf52a15e9a9b5e89bULL);
  EXPECT_EQ(stable_hash("z/team-a/www"), stable_hash("z/team-a/www"));
  EXPECT_NE(stable_hash("z/team-a/www"), stable_hash("z/team-a/wwx"));
}

}  // namespace
}  // namespace zk::kube
