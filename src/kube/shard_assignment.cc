#include "kube/shard_assignment.h"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

namespace zk::kube {

uint64_t stable_hash(std::string_view text) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

std::vector<std::string> assign_shards(uint32_t shards, std::vector<std::string> members) {
  std::sort(members.begin(), members.end());
  members.erase(std::unique(members.begin(), members.end()), members.end());
  std::vector<std::string> owner(shards);
  if (members.empty() || shards == 0) return owner;
  const size_t m = members.size();
  // Room: floor(N/M) each, one more for the first N%M members by identity.
  std::vector<uint32_t> room(m, static_cast<uint32_t>(shards / m));
  for (size_t i = 0; i < shards % m; ++i) ++room[i];
  struct Pair {
    uint64_t score;
    uint32_t shard;
    uint32_t member;
  };
  std::vector<Pair> pairs;
  pairs.reserve(size_t(shards) * m);
  for (uint32_t s = 0; s < shards; ++s) {
    for (uint32_t i = 0; i < m; ++i) {
      pairs.push_back({stable_hash(fmt::format("{}|{}", s, members[i])), s, i});
    }
  }
  std::sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) {
    return std::tie(b.score, a.shard, a.member) < std::tie(a.score, b.shard, b.member);
  });
  for (const Pair& p : pairs) {
    if (!owner[p.shard].empty() || room[p.member] == 0) continue;
    owner[p.shard] = members[p.member];
    --room[p.member];
  }
  return owner;
}

}  // namespace zk::kube
