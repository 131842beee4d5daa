#include "providers/zone_copy.h"

namespace zk::providers {

using model::Change;
using model::RRset;
using model::RRsetKey;
using model::RRsetMap;
using model::RRType;

void apply_changes(RRsetMap& zone, const std::vector<Change>& changes) {
  for (const Change& c : changes) {
    RRsetKey key = c.rrset.key();
    switch (c.op) {
      case Change::Op::Replace:
        if (c.rrset.empty()) {
          zone.erase(key);
        } else {
          zone[key] = c.rrset;
        }
        break;
      case Change::Op::DeleteRRset:
        if (key.type != RRType::SOA) zone.erase(key);
        break;
      case Change::Op::Add: {
        auto it = zone.find(key);
        if (it == zone.end() || key.type == RRType::SOA || key.type == RRType::CNAME) {
          zone[key] = c.rrset;  // singletons are replaced
          break;
        }
        for (const auto& rd : c.rrset.rdatas()) it->second.add(rd);
        it->second.set_ttl(c.rrset.ttl());  // BIND gives the whole RRset the new TTL
        break;
      }
      case Change::Op::Remove: {
        auto it = zone.find(key);
        if (it == zone.end()) break;
        RRset kept(it->second.owner(), it->second.type(), it->second.ttl());
        for (const auto& rd : it->second.rdatas()) {
          if (!c.rrset.contains(rd)) kept.add(rd);
        }
        if (kept.empty()) {
          zone.erase(it);
        } else {
          it->second = std::move(kept);
        }
        break;
      }
    }
  }
}

std::vector<RRsetKey> differences(const RRsetMap& before, const RRsetMap& after) {
  std::vector<RRsetKey> out;
  auto a = before.begin(), b = after.begin();
  while (a != before.end() || b != after.end()) {
    if (b == after.end() || (a != before.end() && a->first < b->first)) {
      out.push_back(a->first);
      ++a;
    } else if (a == before.end() || b->first < a->first) {
      out.push_back(b->first);
      ++b;
    } else {
      if (!(a->second == b->second)) out.push_back(a->first);
      ++a;
      ++b;
    }
  }
  std::erase_if(out, [](const RRsetKey& k) { return k.type == RRType::SOA; });
  return out;
}

LookupAnswer answer_from(const model::RRsetMap& zone, const model::Name& name, model::RRType type) {
  LookupAnswer out;
  bool owned = false;
  for (const auto& [key, set] : zone) {
    if (!(key.owner == name)) continue;
    owned = true;
    if (key.type != type) continue;
    out.ttl = set.ttl();
    out.rdatas.assign(set.rdatas().begin(), set.rdatas().end());
  }
  if (!owned) {
    for (const auto& [key, set] : zone) {
      if (key.owner.is_subdomain_of(name)) owned = true;  // an empty non-terminal: NODATA
    }
  }
  out.rcode = owned ? "NOERROR" : "NXDOMAIN";
  return out;
}

}  // namespace zk::providers
