#include "sources/zone_source.h"

#include <algorithm>
#include <set>
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

bool older(const api::RecordObject& a, const api::RecordObject& b) {
  auto ta = a.created(), tb = b.created();
  // Objects without a valid timestamp count as the newest.
  auto rank = [](const std::optional<api::Timestamp>& t) {
    return std::make_pair(t ? 0 : 1, t.value_or(api::Timestamp{}));
  };
  auto ka = rank(ta), kb = rank(tb);
  if (ka != kb) return ka < kb;
  return std::forward_as_tuple(a.ns, a.name, api::to_string(a.kind), a.uid, a.generation) <
         std::forward_as_tuple(b.ns, b.name, api::to_string(b.kind), b.uid, b.generation);
}

const api::Labels* namespace_labels(const NamespaceDirectory& namespaces, std::string_view ns) {
  auto it = namespaces.find(ns);
  return it == namespaces.end() ? nullptr : &it->second.labels;
}

bool admits(const NamespaceDirectory& namespaces, const api::Zone& zone, std::string_view ns) {
  if (ns == zone.ns) return true;
  auto it = namespaces.find(zone.ns);
  return it != namespaces.end() && it->second.admits_records_from(ns);
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

struct Accepted {
  RRset set;
  std::string holder;  // "ARecord/ns/name" or "the DNSZone's spec.nameServers"
};

void add_zone_data(std::map<RRsetKey, Accepted>& accepted, const api::Zone& zone) {
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
const Accepted* other_data_at(const std::map<RRsetKey, Accepted>& accepted, const Name& owner,
                              RRType except) {
  for (auto it = accepted.lower_bound(RRsetKey{owner, static_cast<RRType>(0)});
       it != accepted.end() && it->first.owner == owner; ++it) {
    if (it->first.type != except) return &it->second;
  }
  return nullptr;
}

// The accepted DNAME that hides `owner`, and accepted data a DNAME at `owner` would hide
// (model::dname_above, model::data_below).
const Accepted* dname_above(const std::map<RRsetKey, Accepted>& accepted, const Name& owner,
                            const Name& zone) {
  auto it = model::dname_above(accepted, owner, zone);
  return it == accepted.end() ? nullptr : &it->second;
}

const Accepted* data_below(const std::map<RRsetKey, Accepted>& accepted, const Name& owner) {
  auto it = model::data_below(accepted, owner);
  return it == accepted.end() ? nullptr : &it->second;
}

}  // namespace

bool zone_older(const api::Zone* a, const api::Zone* b) {
  auto ta = a->created(), tb = b->created();
  if (ta.has_value() != tb.has_value()) return ta.has_value();  // no timestamp = newest
  if (ta != tb) return *ta < *tb;
  return a->key() < b->key();
}

namespace {

constexpr std::string_view kOldestWins =
    "the oldest object wins (creationTimestamp, then name); the zone's own data always wins";

}  // namespace

ZoneDesired desired_zone(const api::Zone& zone, const std::vector<api::RecordObject>& records,
                         const std::vector<api::Zone>& zones,
                         const NamespaceDirectory& namespaces) {
  std::vector<const api::RecordObject*> ptrs;
  ptrs.reserve(records.size());
  for (const auto& r : records) ptrs.push_back(&r);
  return desired_zone_refs(zone, ptrs, zones, namespaces);
}

ZoneDesired desired_zone_refs(const api::Zone& zone,
                              const std::vector<const api::RecordObject*>& records,
                              const std::vector<api::Zone>& zones,
                              const NamespaceDirectory& namespaces) {
  ZoneDesired out;
  const Name& zn = zone.zone_name;

  // The zones that may select what this one selects (Zone::selects sorts out the rest);
  // `zone` itself stands for any entry with its key.
  std::vector<const api::Zone*> peers;
  for (const auto& z : zones) {
    if (z.key() != zone.key()) peers.push_back(&z);
  }
  peers.push_back(&zone);
  std::sort(peers.begin(), peers.end(),
            [](const api::Zone* a, const api::Zone* b) { return a->key() < b->key(); });

  // The records that concern this zone — those it selects and admits, those it is the oldest
  // to select without admitting when no zone admits them, and those of its namespace no zone
  // selects — oldest first, one per key. The age key is computed once per record.
  struct Candidate {
    const api::RecordObject* rec;
    std::vector<const api::Zone*> selecting;  // and admitting
    std::vector<const api::Zone*> refusing;   // selecting, not admitting
    std::optional<api::Timestamp> created;
  };
  std::vector<Candidate> cands;
  std::string_view labels_ns;
  const api::Labels* labels = nullptr;
  for (const api::RecordObject* rp : records) {
    const api::RecordObject& r = *rp;
    if (r.ns != labels_ns) {  // records come grouped by namespace: one lookup per group
      labels_ns = r.ns;
      labels = namespace_labels(namespaces, r.ns);
    }
    if (r.ns != zone.ns && !zone.reaches(r.ns, labels)) continue;
    std::vector<const api::Zone*> selecting, refusing;
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
    if (mine || report_refusal || report_unselected) {
      cands.push_back({&r, std::move(selecting), std::move(refusing), r.created()});
    }
  }
  std::sort(cands.begin(), cands.end(), [](const Candidate& a, const Candidate& b) {
    if (a.created.has_value() != b.created.has_value()) return a.created.has_value();
    if (a.created != b.created) return *a.created < *b.created;
    return older(*a.rec, *b.rec);
  });

  std::map<RRsetKey, Accepted> accepted;
  bool any_dname = false;  // DNAME occlusion is looked for only once one is accepted
  add_zone_data(accepted, zone);

  std::set<std::string> seen;
  for (const Candidate& cand : cands) {
    const api::RecordObject* rec = cand.rec;
    const auto& selecting = cand.selecting;
    std::string key = rec->key();
    if (!seen.insert(key).second) continue;  // duplicate key: the older copy counts
    if (selecting.empty() && !cand.refusing.empty()) {
      out.outcomes[key] = {
          "", std::string(reasons::kNamespaceNotAdmitted),
          fmt::format("selected by {} from namespace {}, but namespace {} does not admit records "
                      "from it: its annotation {} must list {} (or *)",
                      zone_text(zone), rec->ns, zone.ns, api::kAllowRecordsFromAnnotation, rec->ns),
          ""};
      continue;
    }
    if (selecting.empty()) {
      out.outcomes[key] = {"", std::string(reasons::kNotSelected),
                           fmt::format("no DNSZone in namespace {} selects it ({})", rec->ns,
                                       labels_text(rec->labels)),
                           ""};
      continue;
    }
    // Selected by several zones: served only by the oldest of them, which alone reports it
    // (MultipleZones), so a new zone with too broad a selector takes nothing away.
    std::string multiple;
    if (selecting.size() > 1) {
      const api::Zone* owner = *std::min_element(selecting.begin(), selecting.end(), zone_older);
      if (owner != &zone) continue;
      std::vector<std::string> names;
      for (const auto* z : selecting) names.push_back(zone_text(*z));
      multiple = fmt::format(
          "selected by {} DNSZones: {}; a record belongs to one zone, so only the oldest, {}, "
          "serves it (change its labels or the zones' recordsFrom)",
          selecting.size(), fmt::join(names, ", "), zone_text(zone));
    }
    auto set = api::record_rrset(*rec, zn, zone.ttl);
    if (!set) {
      out.outcomes[key] = {"", std::string(reasons::kInvalidSpec), set.error(), ""};
      continue;
    }
    std::string fqdn = set->owner().to_string();
    std::string type = model::to_string(set->type());
    auto conflict = [&](std::string message) {
      out.outcomes[key] = {fqdn, std::string(reasons::kConflict),
                           fmt::format("{}; {}", message, kOldestWins), ""};
    };
    if (auto it = accepted.find(set->key()); it != accepted.end()) {
      if (it->second.set == *set) {
        out.outcomes[key] = {
            fqdn, std::string(reasons::kPending),
            fmt::format("selected by {}; its {} data equals that of {} and is served once",
                        zone_text(zone), type, it->second.holder),
            model::canonical_hash(std::vector<RRset>{*set})};
      } else {
        conflict(fmt::format(
            "{} {}: {} declares different data{}", fqdn, type, it->second.holder,
            it->second.set.ttl() != set->ttl() && it->second.set.rdatas() == set->rdatas()
                ? fmt::format(" (TTL {} instead of {})", it->second.set.ttl(), set->ttl())
                : ""));
      }
      continue;
    }
    if (const Accepted* d = any_dname ? dname_above(accepted, set->owner(), zn) : nullptr) {
      conflict(
          fmt::format("{}: {} declares a DNAME at {}, which hides every name below it (RFC "
                      "6672): this data would never be answered",
                      fqdn, d->holder, d->set.owner().to_string()));
      continue;
    }
    if (set->type() == RRType::DNAME) {
      if (const Accepted* below = data_below(accepted, set->owner())) {
        conflict(
            fmt::format("{}: a DNAME hides every name below it (RFC 6672), and {} declares "
                        "{} {} there",
                        fqdn, below->holder, below->set.owner().to_string(),
                        model::to_string(below->set.type())));
        continue;
      }
    }
    if (set->type() == RRType::CNAME) {
      if (const Accepted* other = other_data_at(accepted, set->owner(), RRType::CNAME)) {
        conflict(
            fmt::format("{}: a CNAME cannot coexist with other data, and {} declares {} "
                        "there",
                        fqdn, other->holder, model::to_string(other->set.type())));
        continue;
      }
    } else if (auto it = accepted.find(RRsetKey{set->owner(), RRType::CNAME});
               it != accepted.end()) {
      conflict(fmt::format("{}: {} declares a CNAME there, which cannot coexist with {} data", fqdn,
                           it->second.holder, type));
      continue;
    }
    out.outcomes[key] = {
        fqdn, std::string(multiple.empty() ? reasons::kPending : reasons::kMultipleZones),
        multiple.empty() ? fmt::format("selected by {}", zone_text(zone)) : multiple,
        model::canonical_hash(std::vector<RRset>{*set})};
    RRsetKey k = set->key();
    any_dname = any_dname || k.type == RRType::DNAME;
    accepted[k] = {std::move(*set), key};
  }

  for (auto& [k, a] : accepted) out.rrsets.emplace(k, std::move(a.set));

  // Safety net: the rules above make these impossible; report rather than serve silently.
  for (auto& p : model::validate_zone_data(zn, out.rrsets)) out.zone_problems.push_back(p);
  for (const auto& n : zone.name_servers) {
    if (!n.name.is_subdomain_of(zn)) continue;
    if (out.rrsets.count({n.name, RRType::A}) || out.rrsets.count({n.name, RRType::AAAA})) {
      continue;
    }
    out.zone_problems.push_back(fmt::format(
        "name server {} lies inside the zone but has no A or AAAA record: BIND refuses to load "
        "such a zone; set spec.nameServers[].ipv4Address/ipv6Address or declare an ARecord",
        n.name.to_string()));
  }
  return out;
}

}  // namespace zk::sources
