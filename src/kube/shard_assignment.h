// Which live replica should hold each shard: rendezvous hashing with bounded load.
//
//   std::vector<std::string> owner = assign_shards(12, {"zk-0", "zk-1", "zk-2"});
//   owner[5];   // the replica that should hold shard 5 ("" only when there is no member)
//
// Every member gets floor(N/M) or ceil(N/M) shards (balanced), the same inputs always give the
// same answer on every replica (no coordination beyond the member list), and a member leaving
// moves mostly its own shards: each (shard, member) pair has a score, and pairs are taken
// best-first while the member has room.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace zk::kube {

// `members`: identities, in any order (duplicates count once).
std::vector<std::string> assign_shards(uint32_t shards, std::vector<std::string> members);

// A stable 64-bit hash (FNV-1a, then a splitmix64 finaliser): the same on every replica and
// build, unlike std::hash.
uint64_t stable_hash(std::string_view text);

}  // namespace zk::kube
