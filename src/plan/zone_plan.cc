#include "plan/zone_plan.h"

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

}  // namespace zk::plan
