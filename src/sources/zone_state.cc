#include "sources/zone_state.h"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

#include "api/reasons.h"

namespace zk::sources {

using model::Name;
using model::Rdata;
using model::RRset;
using model::RRsetKey;
using model::RRType;
namespace reasons = api::reasons;

RecordAge record_age(const api::RecordObject& r) {
  RecordAge age;
  if (auto t = r.created_at) {
    age.missing = 0;
    age.created = *t;
  }
  return age;
}

bool older_candidate(const RecordCandidate& a, const RecordCandidate& b) {
  if (a.age != b.age) return a.age < b.age;
  const api::RecordKeyParts x = api::split_record_key(*a.key), y = api::split_record_key(*b.key);
  return std::tie(x.ns, x.name, x.kind) < std::tie(y.ns, y.name, y.kind);
}

namespace {

std::string labels_text(const api::Labels& labels) {
  if (labels.empty()) return "it has no labels";
  std::vector<std::string> parts;
  for (const auto& [k, v] : labels) parts.push_back(k + "=" + v);
  return fmt::format("its labels: {}", fmt::join(parts, ","));
}

std::string zone_text(const api::Zone& z) {
  return fmt::format("DNSZone {} ({})", z.key(), z.zone_name.to_string());
}

void add_zone_data(std::map<RRsetKey, HeldRRset>& accepted, const api::Zone& zone) {
  const Name& zn = zone.zone_name;
  if (zone.soa) {
    const auto& s = *zone.soa;
    RRset soa(zn, RRType::SOA, zone.ttl,
              {Rdata::soa(s.primary_ns, s.admin_mailbox, kSoaSerialPlaceholder, s.refresh, s.retry,
                          s.expire, s.negative_ttl)});
    RRsetKey key = soa.key();  // before the move: `a[k] = v` evaluates v first (C++17)
    accepted[key] = {std::move(soa), "the DNSZone's spec.soaRecord"};
  }
  if (zone.name_servers.empty()) return;
  RRset ns(zn, RRType::NS, zone.ttl);
  for (const auto& n : zone.name_servers) {
    ns.add(Rdata::name_target(RRType::NS, n.name));
    // decode_zone validated the addresses and that glue names lie inside the zone.
    if (n.ipv4_address) {
      RRsetKey k{n.name, RRType::A};
      auto& e = accepted[k];
      if (e.set.empty()) e = {RRset(n.name, RRType::A, zone.ttl), "the DNSZone's spec.nameServers"};
      e.set.add(Rdata::a(*n.ipv4_address).value());
    }
    if (n.ipv6_address) {
      RRsetKey k{n.name, RRType::AAAA};
      auto& e = accepted[k];
      if (e.set.empty()) {
        e = {RRset(n.name, RRType::AAAA, zone.ttl), "the DNSZone's spec.nameServers"};
      }
      e.set.add(Rdata::aaaa(*n.ipv6_address).value());
    }
  }
  RRsetKey key = ns.key();
  accepted[key] = {std::move(ns), "the DNSZone's spec.nameServers"};
}

// The holder of any accepted data at `owner` other than `except` (lowest type first).
const HeldRRset* other_data_at(const std::map<RRsetKey, HeldRRset>& accepted, const Name& owner,
                               RRType except) {
  for (auto it = accepted.lower_bound(RRsetKey{owner, static_cast<RRType>(0)});
       it != accepted.end() && it->first.owner == owner; ++it) {
    if (it->first.type != except) return &it->second;
  }
  return nullptr;
}

// The accepted DNAME that hides `owner`, and accepted data a DNAME at `owner` would hide
// (model::dname_above, model::data_below).
const HeldRRset* dname_above(const std::map<RRsetKey, HeldRRset>& accepted, const Name& owner,
                             const Name& zone) {
  auto it = model::dname_above(accepted, owner, zone);
  return it == accepted.end() ? nullptr : &it->second;
}

const HeldRRset* data_below(const std::map<RRsetKey, HeldRRset>& accepted, const Name& owner) {
  auto it = model::data_below(accepted, owner);
  return it == accepted.end() ? nullptr : &it->second;
}

constexpr std::string_view kOldestWins =
    "the oldest object wins (creationTimestamp, then name); the zone's own data always wins";

// How `zone` sees `r`; `peers`: every zone that may select it, `zone` among them (by address),
// sorted by key.
RecordCandidate classify(const api::Zone& zone, const std::vector<const api::Zone*>& peers,
                         const api::RecordObject& r, const api::Labels* labels,
                         const NamespaceDirectory& namespaces) {
  RecordCandidate c;
  if (r.ns != zone.ns && !zone.reaches(r.ns, labels)) return c;
  std::vector<const api::Zone*> selecting, refusing;  // selecting: and admitting
  bool mine = false;
  for (const api::Zone* z : peers) {
    if (!z->selects(r, labels)) continue;
    bool admitted = admits(namespaces, *z, r.ns);
    (admitted ? selecting : refusing).push_back(z);
    mine = mine || (admitted && z == &zone);
  }
  bool report_refusal = selecting.empty() && !refusing.empty() &&
                        *std::min_element(refusing.begin(), refusing.end(), zone_older) == &zone;
  bool report_unselected = selecting.empty() && refusing.empty() && r.ns == zone.ns;
  if (!mine && !report_refusal && !report_unselected) return c;
  c.age = record_age(r);
  auto settle = [&](std::string_view reason, std::string message) {
    c.role = RecordCandidate::Role::Settled;
    c.outcome = std::make_unique<const RecordOutcome>(
        RecordOutcome{std::nullopt, std::string(reason), std::move(message), {}});
    return std::move(c);
  };
  if (selecting.empty() && !refusing.empty()) {
    return settle(
        reasons::kNamespaceNotAdmitted,
        fmt::format("selected by {} from namespace {}, but namespace {} does not admit records "
                    "from it: its annotation {} must list {} (or *)",
                    zone_text(zone), r.ns, zone.ns, api::kAllowRecordsFromAnnotation, r.ns));
  }
  if (selecting.empty()) {
    return settle(reasons::kNotSelected, fmt::format("no DNSZone in namespace {} selects it ({})",
                                                     r.ns, labels_text(r.labels)));
  }
  // Selected by several zones: served only by the oldest of them, which alone reports it
  // (MultipleZones), so a new zone with too broad a selector takes nothing away.
  if (selecting.size() > 1) {
    const api::Zone* owner = *std::min_element(selecting.begin(), selecting.end(), zone_older);
    if (owner != &zone) return c;
    std::vector<std::string> names;
    names.reserve(selecting.size());
    for (const auto* z : selecting) names.push_back(zone_text(*z));
    c.multiple = std::make_unique<const std::string>(fmt::format(
        "selected by {} DNSZones: {}; a record belongs to one zone, so only the oldest, {}, "
        "serves it (change its labels or the zones' recordsFrom)",
        selecting.size(), fmt::join(names, ", "), zone_text(zone)));
  }
  auto set = api::record_rrset(r, zone.zone_name, zone.ttl);
  if (!set) return settle(reasons::kInvalidSpec, set.error());
  c.role = RecordCandidate::Role::Contender;
  c.rrset = std::move(*set);
  return c;
}

// The contenders in age order over `accepted` (seeded with the zone's own data): each is
// accepted, merged with identical data, or loses (Conflict) to what an older one holds.
void accept(const api::Zone& zone, const std::vector<const RecordCandidate*>& ordered,
            std::map<RRsetKey, HeldRRset>& accepted,
            std::map<std::string, RecordOutcome>& outcomes) {
  const Name& zn = zone.zone_name;
  bool any_dname = false;  // DNAME occlusion is looked for only once one is accepted
  for (const RecordCandidate* c : ordered) {
    const RRset& set = *c->rrset;
    const std::string& key = *c->key;
    // Text for the messages of duplicates and conflicts only (most records have neither).
    auto fqdn = [&set] { return set.owner().to_string(); };
    auto type = [&set] { return model::to_string(set.type()); };
    auto conflict = [&](std::string message) {
      outcomes[key] = {set.owner(),
                       std::string(reasons::kConflict),
                       fmt::format("{}; {}", message, kOldestWins),
                       {}};
    };
    if (auto it = accepted.find(set.key()); it != accepted.end()) {
      if (it->second.set == set) {
        outcomes[key] = {
            set.owner(), std::string(reasons::kPending),
            fmt::format("selected by {}; its {} data equals that of {} and is served once",
                        zone_text(zone), type(), it->second.holder),
            model::canonical_digest(std::vector<RRset>{set})};
      } else {
        conflict(fmt::format(
            "{} {}: {} declares different data{}", fqdn(), type(), it->second.holder,
            it->second.set.ttl() != set.ttl() && it->second.set.rdatas() == set.rdatas()
                ? fmt::format(" (TTL {} instead of {})", it->second.set.ttl(), set.ttl())
                : ""));
      }
      continue;
    }
    if (const HeldRRset* d = any_dname ? dname_above(accepted, set.owner(), zn) : nullptr) {
      conflict(
          fmt::format("{}: {} declares a DNAME at {}, which hides every name below it (RFC "
                      "6672): this data would never be answered",
                      fqdn(), d->holder, d->set.owner().to_string()));
      continue;
    }
    if (set.type() == RRType::DNAME) {
      if (const HeldRRset* below = data_below(accepted, set.owner())) {
        conflict(
            fmt::format("{}: a DNAME hides every name below it (RFC 6672), and {} declares "
                        "{} {} there",
                        fqdn(), below->holder, below->set.owner().to_string(),
                        model::to_string(below->set.type())));
        continue;
      }
    }
    if (set.type() == RRType::CNAME) {
      if (const HeldRRset* other = other_data_at(accepted, set.owner(), RRType::CNAME)) {
        conflict(
            fmt::format("{}: a CNAME cannot coexist with other data, and {} declares {} "
                        "there",
                        fqdn(), other->holder, model::to_string(other->set.type())));
        continue;
      }
    } else if (auto it = accepted.find(RRsetKey{set.owner(), RRType::CNAME});
               it != accepted.end()) {
      conflict(fmt::format("{}: {} declares a CNAME there, which cannot coexist with {} data",
                           fqdn(), it->second.holder, type()));
      continue;
    }
    // A plain Pending outcome has no message (memory: one per record, and its report says
    // where it is served instead).
    outcomes[key] = {set.owner(),
                     std::string(c->multiple ? reasons::kMultipleZones : reasons::kPending),
                     c->multiple ? *c->multiple : std::string(),
                     model::canonical_digest(std::vector<RRset>{set})};
    any_dname = any_dname || set.type() == RRType::DNAME;
    accepted[set.key()] = {set, key};
  }
}

}  // namespace

void ZoneState::reset(const api::Zone& zone, ZoneSet peers, const NamespaceDirectory& namespaces) {
  ++rebuilds_;
  zone_ = zone;
  peers_ = std::move(peers);
  self_ = peers_->find(zone.ns, zone.name);
  namespaces_ = namespaces;
  entries_.clear();
  groups_.clear();
  dnames_ = 0;
  zone_data_.clear();
  add_zone_data(zone_data_, zone);
  problems_.clear();
  out_ = {};
}

void ZoneState::Group::insert(const RecordCandidate* c) {
  auto at = std::lower_bound(
      oldest_first_.begin(), oldest_first_.end(), c,
      [](const RecordCandidate* a, const RecordCandidate* b) { return older_candidate(*a, *b); });
  if (at == oldest_first_.end() || *at != c) oldest_first_.insert(at, c);
}

void ZoneState::Group::erase(const RecordCandidate* c) {
  auto at = std::find(oldest_first_.begin(), oldest_first_.end(), c);
  if (at != oldest_first_.end()) oldest_first_.erase(at);
}

void ZoneState::withdraw(const RecordCandidate& c, std::set<Name>& affected) {
  if (c.role == RecordCandidate::Role::Elsewhere) return;
  touched_records_.insert(*c.key);
  out_.outcomes.erase(*c.key);
  if (c.role != RecordCandidate::Role::Contender) return;
  const Name& owner = c.rrset->owner();
  affected.insert(owner);
  if (c.rrset->type() == RRType::DNAME) --dnames_;
  if (auto g = groups_.find(owner); g != groups_.end()) {
    g->second.erase(&c);
    if (g->second.empty()) groups_.erase(g);
  }
}

void ZoneState::enter(const RecordCandidate& c, std::set<Name>& affected) {
  if (c.role != RecordCandidate::Role::Elsewhere) touched_records_.insert(*c.key);
  if (c.role == RecordCandidate::Role::Settled) out_.outcomes[*c.key] = *c.outcome;
  if (c.role != RecordCandidate::Role::Contender) return;
  const Name& owner = c.rrset->owner();
  affected.insert(owner);
  if (c.rrset->type() == RRType::DNAME) ++dnames_;
  groups_[owner].insert(&c);
}

void ZoneState::resolve_all() {
  std::vector<const RecordCandidate*> ordered;  // oldest first: AgeKey orders them
  for (const auto& [owner, group] : groups_) {
    ordered.insert(ordered.end(), group.begin(), group.end());
  }
  std::sort(ordered.begin(), ordered.end(), [](const RecordCandidate* a, const RecordCandidate* b) {
    return older_candidate(*a, *b);
  });
  std::map<RRsetKey, HeldRRset> accepted = zone_data_;
  accept(*zone_, ordered, accepted, out_.outcomes);
  out_.rrsets.clear();
  problems_.clear();
  for (auto& [k, held] : accepted) out_.rrsets.emplace(k, std::move(held.set));
  for (auto it = out_.rrsets.begin(); it != out_.rrsets.end();) {
    auto [lo, hi] = model::at_owner(out_.rrsets, it->first.owner);
    model::RRsetMap at(lo, hi);
    auto p = model::validate_zone_data(zone_->zone_name, at);
    if (!p.empty()) problems_[it->first.owner] = std::move(p);
    it = hi;
  }
}

void ZoneState::resolve_owner(const Name& owner) {
  auto [lo, hi] = model::at_owner(out_.rrsets, owner);
  out_.rrsets.erase(lo, hi);
  std::map<RRsetKey, HeldRRset> accepted;
  auto [zlo, zhi] = model::at_owner(zone_data_, owner);
  accepted.insert(zlo, zhi);
  std::vector<const RecordCandidate*> ordered;
  if (auto g = groups_.find(owner); g != groups_.end()) {
    for (const RecordCandidate* c : g->second) {
      ordered.push_back(c);
      touched_records_.insert(*c->key);
    }
  }
  accept(*zone_, ordered, accepted, out_.outcomes);
  model::RRsetMap at;
  for (auto& [k, held] : accepted) at.emplace(k, std::move(held.set));
  auto p = model::validate_zone_data(zone_->zone_name, at);
  if (p.empty()) {
    problems_.erase(owner);
  } else {
    problems_[owner] = std::move(p);
  }
  out_.rrsets.merge(at);
}

void ZoneState::collect_problems() {
  out_.zone_problems.clear();
  for (const auto& [owner, p] : problems_) {
    out_.zone_problems.insert(out_.zone_problems.end(), p.begin(), p.end());
  }
  const Name& zn = zone_->zone_name;
  for (const auto& n : zone_->name_servers) {
    if (!n.name.is_subdomain_of(zn)) continue;
    if (out_.rrsets.count({n.name, RRType::A}) || out_.rrsets.count({n.name, RRType::AAAA})) {
      continue;
    }
    out_.zone_problems.push_back(fmt::format(
        "name server {} lies inside the zone but has no A or AAAA record: BIND refuses to load "
        "such a zone; set spec.nameServers[].ipv4Address/ipv6Address or declare an ARecord",
        n.name.to_string()));
  }
}

ZoneSet ZoneState::peers_of(const api::Zone& zone, const ZoneSet& zones) {
  // The zones that may select what this one selects (Zone::selects sorts out the rest).
  if (zones) {
    if (const api::Zone* self = zones->find(zone.ns, zone.name); self && *self == zone) {
      return zones;
    }
  }
  std::vector<api::ZoneRef> peers;
  if (zones) {
    for (const api::ZoneRef& z : zones->zones()) {
      if (z->ns != zone.ns || z->name != zone.name) peers.push_back(z);
    }
  }
  peers.push_back(std::make_shared<const api::Zone>(zone));
  return std::make_shared<const api::SelectingZones>(std::move(peers));
}

namespace {

bool same_zones(const ZoneSet& a, const ZoneSet& b) {
  return a == b || (a && b && *a == *b);
}

}  // namespace

bool ZoneState::may_concern(const api::RecordObject& r, const api::Labels* ns_labels) const {
  if (r.ns != self_->ns && !self_->reaches(r.ns, ns_labels)) return false;
  if (self_->selects(r, ns_labels)) return true;
  if (r.ns != self_->ns) return false;
  for (const api::Zone* z : peers_->candidates(r.labels)) {
    if (z->selects(r, ns_labels)) return false;
  }
  return true;
}

bool ZoneState::current_for(const api::Zone& zone, const ZoneSet& zones,
                            const NamespaceDirectory& namespaces) const {
  return zone_ && namespaces == namespaces_ && same_zones(peers_of(zone, zones), peers_);
}

const ZoneDesired& ZoneState::sync(const api::Zone& zone,
                                   const std::vector<const api::RecordObject*>& records,
                                   const ZoneSet& zones, const NamespaceDirectory& namespaces) {
  ZoneSet peers = peers_of(zone, zones);
  const bool rebuild = !zone_ || !same_zones(peers, peers_) || namespaces != namespaces_;
  if (rebuild) {
    reset(zone, std::move(peers), namespaces);
  } else if (peers != peers_) {  // the same zones in a new set: hold that one (the old may go)
    peers_ = std::move(peers);
    self_ = peers_->find(zone.ns, zone.name);
  }
  const size_t dnames_before = dnames_;
  ++epoch_;
  touched_records_.clear();

  // Which records are new or changed (their revision moved); the rest only say they are here.
  // One of no concern to this zone is passed by (the sweep below withdraws it if it was kept).
  Changed changed;
  std::string_view labels_ns;
  const api::Labels* labels = nullptr;
  for (const api::RecordObject* r : records) {
    if (r->ns != labels_ns) {  // records come grouped by namespace: one lookup per group
      labels_ns = r->ns;
      labels = namespace_labels(namespaces_, r->ns);
    }
    if (!may_concern(*r, labels)) continue;
    auto [it, fresh] = entries_.try_emplace(r->key());
    Entry& e = it->second;
    const bool same = !fresh && e.revision != 0 && e.revision == r->revision;
    e.epoch = epoch_;
    if (!same) changed.emplace_back(r, &*it);
  }
  // What left or changed steps out first (a new object may take the key of a gone one)…
  std::set<Name> affected;
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->second.epoch != epoch_) {
      withdraw(it->second.candidate, affected);
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& [r, e] : changed) withdraw(e->second.candidate, affected);
  return finish(rebuild, dnames_before, changed, affected);
}

const ZoneDesired& ZoneState::sync_changes(const std::vector<std::string>& changed_keys,
                                           const RecordFinder& find) {
  const size_t dnames_before = dnames_;
  touched_records_.clear();
  std::set<Name> affected;
  Changed changed;
  std::set<std::string_view> seen;
  for (const std::string& key : changed_keys) {
    if (!seen.insert(key).second) continue;
    auto it = entries_.find(key);
    if (it != entries_.end()) withdraw(it->second.candidate, affected);
    const api::RecordObject* r = find(key);
    if (!r || !may_concern(*r, namespace_labels(namespaces_, r->ns))) {
      if (it != entries_.end()) entries_.erase(it);
      continue;
    }
    if (it == entries_.end()) it = entries_.try_emplace(key).first;
    it->second.epoch = epoch_;
    changed.emplace_back(r, &*it);
  }
  return finish(false, dnames_before, changed, affected);
}

const ZoneDesired& ZoneState::finish(bool rebuild, size_t dnames_before, Changed& changed,
                                     std::set<Name>& affected) {
  // …then what is new steps in.
  std::string_view labels_ns;
  const api::Labels* labels = nullptr;
  for (auto& [r, node] : changed) {
    if (r->ns != labels_ns) {  // records come grouped by namespace: one lookup per group
      labels_ns = r->ns;
      labels = namespace_labels(namespaces_, r->ns);
    }
    Entry& e = node->second;
    e.revision = r->revision;
    e.candidate = classify(*self_, peers_->candidates(r->labels), *r, labels, namespaces_);
    e.candidate.key = &node->first;
    enter(e.candidate, affected);
  }
  // A record of no concern to this zone is not kept (memory: a caller may show every zone of a
  // namespace all its records, so keeping them would cost zones × records).
  for (auto& [r, node] : changed) {
    if (node->second.candidate.role == RecordCandidate::Role::Elsewhere) {
      entries_.erase(entries_.find(node->first));  // by iterator: the key dies with the entry
    }
  }

  if (rebuild || dnames_ > 0 || dnames_before > 0) {
    resolve_all();
    touched_.reset();
  } else {
    for (const Name& owner : affected) resolve_owner(owner);
    touched_ = std::move(affected);
  }
  collect_problems();
  return out_;
}

ZoneDesired ZoneState::take() {
  ZoneDesired out = std::move(out_);
  *this = ZoneState{};
  return out;
}

}  // namespace zk::sources
