// RRsets, the unit in which DNS data is replaced, and the canonical hash of a set of them.
//
//   RRset www{www_name, RRType::A, 300, {}};
//   www.add(Rdata::a("192.0.2.1").value());
//   www.add(Rdata::a("192.0.2.2").value());      // kept sorted, duplicates dropped
//   std::string h = canonical_hash({www});       // SHA-256 hex, order-independent
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "model/name.h"
#include "model/rdata.h"

namespace zk::model {

struct RRsetKey {
  Name owner;
  RRType type = RRType::A;
  friend bool operator==(const RRsetKey&, const RRsetKey&) = default;
  friend std::strong_ordering operator<=>(const RRsetKey& a, const RRsetKey& b) {
    if (auto c = a.owner <=> b.owner; c != 0) return c;
    return static_cast<uint16_t>(a.type) <=> static_cast<uint16_t>(b.type);
  }
};

class RRset {
 public:
  RRset() = default;
  RRset(Name owner, RRType type, uint32_t ttl, std::vector<Rdata> rdatas = {});

  const Name& owner() const { return owner_; }
  RRType type() const { return type_; }
  uint32_t ttl() const { return ttl_; }
  void set_ttl(uint32_t ttl) { ttl_ = ttl; }
  const std::vector<Rdata>& rdatas() const { return rdatas_; }
  RRsetKey key() const { return {owner_, type_}; }
  bool empty() const { return rdatas_.empty(); }
  size_t size() const { return rdatas_.size(); }

  // Adds one record (kept sorted by canonical wire form; a duplicate is ignored).
  // Returns false for a duplicate or an rdata of another type.
  bool add(Rdata rd);
  bool contains(const Rdata& rd) const;

  // Checks RRset-level rules: every rdata of the set's type, singleton types
  // (CNAME, SOA) hold one record, TTL fits in 31 bits (RFC 2181 §8).
  Parsed<bool> validate() const;

  // Size in uncompressed wire form (owner + fixed fields + rdata) of all records.
  size_t wire_size() const;

  // Same records and TTL.
  friend bool operator==(const RRset&, const RRset&) = default;

 private:
  Name owner_;
  RRType type_ = RRType::A;
  uint32_t ttl_ = 0;
  std::vector<Rdata> rdatas_;
};

// RRsets of one zone keyed by (owner, type), in canonical order.
using RRsetMap = std::map<RRsetKey, RRset>;

// The entries of a map or set keyed by RRsetKey at one owner name (RRsetKey orders by owner
// first).
template <class Sorted>
auto at_owner(Sorted& m, const Name& owner) {
  return std::make_pair(m.lower_bound(RRsetKey{owner, static_cast<RRType>(0)}),
                        m.upper_bound(RRsetKey{owner, static_cast<RRType>(0xffff)}));
}

// The RRsets of `rrsets` at the given owner names.
RRsetMap at_owners(const RRsetMap& rrsets, const std::set<Name>& owners);

// Order-independent SHA-256 (lowercase hex) of RRsets in canonical form (owner lowercased,
// type, class IN, TTL, RDATA), sorted. Stable across runs and machines.
std::string canonical_hash(const std::vector<RRset>& rrsets);
std::string canonical_hash(const RRsetMap& rrsets);

// A canonical_hash as its 32 octets, for what is kept per record (memory: no allocation, and
// half the hex's size); hex() is the canonical_hash. Default: none ("" as hex).
class RRsetDigest {
 public:
  using Octets = std::array<uint8_t, 32>;
  RRsetDigest() = default;
  explicit RRsetDigest(const Octets& octets) : octets_(octets), set_(true) {}
  bool empty() const { return !set_; }
  std::string hex() const;
  // hex() read back: 64 hex digits (either case); nullopt for anything else.
  static std::optional<RRsetDigest> from_hex(std::string_view text);
  friend bool operator==(const RRsetDigest&, const RRsetDigest&) = default;

 private:
  Octets octets_{};
  bool set_ = false;
};
RRsetDigest canonical_digest(const std::vector<RRset>& rrsets);
RRsetDigest canonical_digest(const RRsetMap& rrsets);

// Zone-level rules for desired data (RFC 1034 §3.6.2, RFC 2181 §10.1): every owner inside
// the zone, no CNAME beside other data, no CNAME at the apex. Returns one message per
// violation, naming the owner.
std::vector<std::string> validate_zone_data(const Name& zone, const RRsetMap& rrsets);

// DNAME occlusion (RFC 6672 §2.3: a server answers with the DNAME, never with data below it),
// over any map keyed by RRsetKey. The entry of a DNAME strictly above `owner` and not above
// `zone`, or end().
template <class Map>
typename Map::const_iterator dname_above(const Map& m, const Name& owner, const Name& zone) {
  for (Name n = owner; !(n == zone) && !n.is_root() && n.is_subdomain_of(zone);) {
    n = n.parent();
    if (auto it = m.find(RRsetKey{n, RRType::DNAME}); it != m.end()) return it;
  }
  return m.end();
}

// An entry strictly below `owner` (which a DNAME at `owner` would hide), or end().
template <class Map>
typename Map::const_iterator data_below(const Map& m, const Name& owner) {
  for (auto it = m.begin(); it != m.end(); ++it) {
    if (!(it->first.owner == owner) && it->first.owner.is_subdomain_of(owner)) return it;
  }
  return m.end();
}

}  // namespace zk::model
