#include "plan/zone_plan.h"

#include <algorithm>
#include <optional>
#include <set>

#include <fmt/format.h>

namespace zk::plan {

using model::Name;
using model::RRset;
using model::RRsetKey;
using model::RRsetMap;
using model::RRType;

std::string DiffLine::to_string() const {
  return fmt::format("{} {} {} IN {} {}", sign, owner.to_string(), ttl, model::to_string(type),
                     rdata.to_text());
}

namespace {

void diff_rrsets(Plan& p, const RRset* before, const RRset* after) {
  bool ttl_changed = before && after && before->ttl() != after->ttl();
  if (before) {
    for (const auto& rd : before->rdatas()) {
      if (ttl_changed || !after || !after->contains(rd)) {
        p.diff.push_back({'-', before->owner(), before->type(), before->ttl(), rd});
      }
    }
  }
  if (after) {
    for (const auto& rd : after->rdatas()) {
      if (ttl_changed || !before || !before->contains(rd)) {
        p.diff.push_back({'+', after->owner(), after->type(), after->ttl(), rd});
      }
    }
  }
}

RRset difference(const RRset& a, const RRset& b) {
  RRset out(a.owner(), a.type(), a.ttl());
  for (const auto& rd : a.rdatas()) {
    if (!b.contains(rd)) out.add(rd);
  }
  return out;
}

}  // namespace

Plan plan_names(const Name& zone, const RRsetMap& desired, const RRsetMap& served) {
  Plan p;
  p.changes.zone = zone;
  std::set<Name> owners;
  for (const auto& [key, set] : desired) owners.insert(key.owner);

  // Deletions first (RRsets at our names that the desired state lacks).
  for (const auto& [key, set] : served) {
    if (!owners.count(key.owner) || desired.count(key)) continue;
    if (key.type == RRType::SOA) continue;
    if (key.type == RRType::NS && key.owner == zone) {
      p.notes.push_back("the apex NS records are kept: a zone cannot lose all its name servers");
      continue;
    }
    diff_rrsets(p, &set, nullptr);
    p.changes.remove_rrset(key, set);
  }

  for (const auto& [key, want] : desired) {
    if (key.type == RRType::SOA) {
      p.notes.push_back("the SOA record belongs to the server and is not changed");
      continue;
    }
    auto it = served.find(key);
    const RRset* have = it == served.end() ? nullptr : &it->second;
    if (have && *have == want) continue;
    diff_rrsets(p, have, &want);
    if (key.type == RRType::NS && key.owner == zone && have) {
      RRset add = want;  // re-adding existing records with the new TTL updates the TTL
      if (have->ttl() == want.ttl()) add = difference(want, *have);
      RRset remove = difference(*have, want);
      if (!add.empty()) p.changes.add(std::move(add));
      if (!remove.empty()) p.changes.remove(std::move(remove));
      continue;
    }
    p.changes.replace(want, have ? *have : RRset(key.owner, key.type, 0));
  }
  return p;
}

bool server_maintained(RRType type) {
  switch (static_cast<uint16_t>(type)) {
    case 43:  // DS is the parent's business, but a signed child may hold it for its children
      return false;
    case 46:     // RRSIG
    case 47:     // NSEC
    case 48:     // DNSKEY
    case 50:     // NSEC3
    case 51:     // NSEC3PARAM
    case 59:     // CDS
    case 60:     // CDNSKEY
    case 65534:  // BIND's private signing state
      return true;
    default:
      return false;
  }
}

namespace {

// The SOA as desired, but with the served serial: equal when only the serial differs.
std::optional<model::Rdata> soa_fields_differ(const RRset& want, const RRset& have) {
  if (want.rdatas().empty() || have.rdatas().empty()) return std::nullopt;
  auto serial = have.rdatas().front().soa_serial();
  if (!serial) return std::nullopt;
  // SOA RDATA ends with serial, refresh, retry, expire, minimum (5 x 32 bits).
  auto w = want.rdatas().front().wire();
  auto h = have.rdatas().front().wire();
  if (w.size() < 20 || h.size() < 20) return std::nullopt;
  std::vector<uint8_t> same(w.begin(), w.end());
  uint32_t next = *serial + 1;  // RFC 1982 arithmetic: wraps
  size_t at = same.size() - 20;
  bool differs = w.size() != h.size() ||
                 !std::equal(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(at), h.begin()) ||
                 !std::equal(w.end() - 16, w.end(), h.end() - 16) || want.ttl() != have.ttl();
  if (!differs) return std::nullopt;
  for (int i = 0; i < 4; ++i) same[at + i] = static_cast<uint8_t>(next >> (24 - 8 * i));
  auto rd = model::Rdata::from_wire(RRType::SOA, same);
  if (!rd) return std::nullopt;
  return *rd;
}

}  // namespace

ZonePlan plan_zone(const Name& zone, const RRsetMap& desired, const RRsetMap& served,
                   const ZoneOwnership& ownership) {
  ZonePlan p;
  p.changes.zone = zone;
  bool manage_apex_ns = desired.count(RRsetKey{zone, RRType::NS}) > 0;
  // Without declared name servers, the server's apex NS set and the addresses of its in-zone
  // targets are the server's (BIND refuses to lose them anyway).
  std::set<Name> server_ns_hosts;
  if (!manage_apex_ns) {
    if (auto ns = served.find(RRsetKey{zone, RRType::NS}); ns != served.end()) {
      for (const auto& rd : ns->second.rdatas()) {
        if (auto t = rd.target()) server_ns_hosts.insert(*t);
      }
    }
  }

  // Deletions first: served RRsets nothing declares.
  for (const auto& [key, set] : served) {
    if (desired.count(key)) continue;
    if (key.type == RRType::SOA || server_maintained(key.type)) continue;
    if (key.type == RRType::NS && key.owner == zone) {
      if (!manage_apex_ns) continue;
    }
    if ((key.type == RRType::A || key.type == RRType::AAAA) && server_ns_hosts.count(key.owner)) {
      continue;
    }
    bool released = ownership.released.count(key) > 0;
    if (!released) p.undeclared.push_back(key);
    if (!ownership.remove_undeclared && !released) continue;
    diff_rrsets(p, &set, nullptr);
    p.changes.remove_rrset(key, set);
  }

  for (const auto& [key, want] : desired) {
    auto it = served.find(key);
    const RRset* have = it == served.end() ? nullptr : &it->second;
    if (key.type == RRType::SOA) {
      if (!have) continue;  // a zone always has an SOA; nothing to guard against
      if (auto rd = soa_fields_differ(want, *have)) {
        RRset soa(key.owner, RRType::SOA, want.ttl(), {*rd});
        diff_rrsets(p, have, &soa);
        p.changes.add(std::move(soa));  // SOA is a singleton: adding replaces it
      }
      continue;
    }
    if (have && *have == want) continue;
    diff_rrsets(p, have, &want);
    if (key.type == RRType::NS && key.owner == zone && have) {
      RRset add = want;
      if (have->ttl() == want.ttl()) add = difference(want, *have);
      RRset remove = difference(*have, want);
      if (!add.empty()) p.changes.add(std::move(add));
      if (!remove.empty()) p.changes.remove(std::move(remove));
      continue;
    }
    p.changes.replace(want, have ? *have : RRset(key.owner, key.type, 0));
  }
  return p;
}

}  // namespace zk::plan
