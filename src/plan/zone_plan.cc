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

void add_diff(Plan& p, const RRset* before, const RRset* after) {
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

namespace {

RRset difference(const RRset& a, const RRset& b) {
  RRset out(a.owner(), a.type(), a.ttl());
  for (const auto& rd : a.rdatas()) {
    if (!b.contains(rd)) out.add(rd);
  }
  return out;
}

// Makes the served `have` (null: absent) into `want`: one guarded Replace; the apex NS as Add
// of the new records then Remove of the old ones (BIND ignores "delete all apex NS", and the
// zone must never be without NS).
void change_to(Plan& p, const Name& zone, const RRset& want, const RRset* have) {
  add_diff(p, have, &want);
  if (want.type() == RRType::NS && want.owner() == zone && have) {
    RRset add = want;  // re-adding existing records with the new TTL updates the TTL
    if (have->ttl() == want.ttl()) add = difference(want, *have);
    RRset remove = difference(*have, want);
    if (!add.empty()) p.changes.add(std::move(add));
    if (!remove.empty()) p.changes.remove(std::move(remove));
    return;
  }
  p.changes.replace(want, have ? *have : RRset(want.owner(), want.type(), 0));
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
    if (key.type == RRType::SOA || server_maintained(key.type)) continue;
    if (key.type == RRType::NS && key.owner == zone) {
      p.notes.push_back("the apex NS records are kept: a zone cannot lose all its name servers");
      continue;
    }
    add_diff(p, &set, nullptr);
    p.changes.remove_rrset(key, set);
  }

  bool dnssec_noted = false;
  for (const auto& [key, want] : desired) {
    if (key.type == RRType::SOA) {
      p.notes.push_back("the SOA record belongs to the server and is not changed");
      continue;
    }
    if (server_maintained(key.type)) {
      if (!dnssec_noted) {
        p.notes.push_back(
            "DNSSEC records (RRSIG, NSEC, NSEC3, DNSKEY, ...) belong to the signer and are not "
            "changed");
      }
      dnssec_noted = true;
      continue;
    }
    auto it = served.find(key);
    const RRset* have = it == served.end() ? nullptr : &it->second;
    if (have && *have == want) continue;
    change_to(p, zone, want, have);
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

// The desired SOA with the served serial + 1, when a field other than the serial (or the TTL)
// differs from the served one; nullopt when they are equal but for the serial.
std::optional<model::Rdata> soa_fields_differ(const RRset& want, const RRset& have) {
  if (want.rdatas().empty() || have.rdatas().empty()) return std::nullopt;
  const model::Rdata& served = have.rdatas().front();
  auto serial = served.soa_serial();
  if (!serial) return std::nullopt;
  auto same_serial = want.rdatas().front().with_soa_serial(*serial);
  if (!same_serial || (*same_serial == served && want.ttl() == have.ttl())) return std::nullopt;
  return want.rdatas().front().with_soa_serial(*serial + 1);  // RFC 1982 arithmetic: wraps
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
    if (!released || ownership.foreign.count(key)) p.undeclared.push_back(key);
    if (ownership.foreign.count(key)) continue;
    if (!ownership.remove_undeclared && !released) continue;
    add_diff(p, &set, nullptr);
    p.changes.remove_rrset(key, set);
  }

  for (const auto& [key, want] : desired) {
    auto it = served.find(key);
    const RRset* have = it == served.end() ? nullptr : &it->second;
    if (key.type == RRType::SOA) {
      if (!have) continue;  // a zone always has an SOA; nothing to guard against
      if (auto rd = soa_fields_differ(want, *have)) {
        RRset soa(key.owner, RRType::SOA, want.ttl(), {*rd});
        add_diff(p, have, &soa);
        p.changes.add(std::move(soa));  // SOA is a singleton: adding replaces it
      }
      continue;
    }
    if (have && *have == want) continue;
    change_to(p, zone, want, have);
  }
  return p;
}

void plan_notes(Plan& p, const std::map<RRsetKey, model::RecordNotes>& want,
                const RRsetMap& desired, const RRsetMap& served,
                const std::map<RRsetKey, model::RecordNotes>& served_notes,
                const std::set<RRsetKey>& skip) {
  std::set<RRsetKey> written;
  for (const auto& c : p.changes.changes) {
    if (c.op != model::Change::Op::Replace && c.op != model::Change::Op::Add) continue;
    RRsetKey k = c.rrset.key();
    written.insert(k);
    if (auto w = want.find(k); w != want.end() && !w->second.empty())
      p.changes.notes[k] = w->second;
  }
  for (const auto& [k, notes] : want) {
    if (written.count(k) || skip.count(k)) continue;
    auto d = desired.find(k);
    auto s = served.find(k);
    if (d == desired.end() || s == served.end() || !(d->second == s->second)) continue;
    auto have = served_notes.find(k);
    const model::RecordNotes none;
    if ((have == served_notes.end() ? none : have->second) == notes) continue;
    p.changes.replace(s->second, s->second);
    if (!notes.empty()) p.changes.notes[k] = notes;
    p.notes.push_back(fmt::format("{} {}: owner and description updated", k.owner.to_string(),
                                  model::to_string(k.type)));
  }
}

}  // namespace zk::plan
