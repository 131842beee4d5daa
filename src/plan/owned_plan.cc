#include "plan/owned_plan.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace zk::plan {

using model::Name;
using model::Rdata;
using model::RRset;
using model::RRsetKey;
using model::RRsetMap;
using model::RRType;

std::string_view to_string(Policy p) {
  switch (p) {
    case Policy::Sync:
      return "sync";
    case Policy::UpsertOnly:
      return "upsert-only";
    case Policy::CreateOnly:
      return "create-only";
  }
  return "sync";
}

std::optional<Policy> parse_policy(std::string_view text) {
  for (Policy p : {Policy::Sync, Policy::UpsertOnly, Policy::CreateOnly}) {
    if (text == to_string(p)) return p;
  }
  return std::nullopt;
}

namespace {

// Data we never manage in a shared zone.
bool untouchable(const Name& zone, const RRsetKey& k) {
  return k.type == RRType::SOA || server_maintained(k.type) ||
         (k.type == RRType::NS && k.owner == zone);
}

enum class Act { Create, Update, Keep };

struct Item {
  RRsetKey key;
  const DesiredRecord* want = nullptr;
  const RRset* have = nullptr;
  Act act = Act::Keep;
  std::optional<Name> new_name;  // set when the new-format TXT is written there
  std::optional<Name> old_name;  // set when an old-format TXT is written there
};

class Planner {
 public:
  Planner(const Name& zone, const DesiredRecords& desired, const RRsetMap& served,
          const RegistryConfig& cfg, Policy policy)
      : zone_(zone),
        desired_(desired),
        served_(served),
        cfg_(cfg),
        policy_(policy),
        reg_(Registry::read(zone, served, cfg)) {}

  OwnedPlan run();

 private:
  const RRset* served_at(const Name& n, RRType t) const {
    auto it = served_.find({n, t});
    return it == served_.end() ? nullptr : &it->second;
  }
  const RRset* data_at(const RRsetKey& k) const {
    auto it = reg_.data().find(k);
    return it == reg_.data().end() ? nullptr : &it->second;
  }
  bool ours(const RRsetKey& k) const {
    auto c = reg_.claim(k);
    return c && !c->contested && c->owner == cfg_.owner_id;
  }
  std::optional<std::string> foreign_owner(const Name& n) const {
    for (const auto& o : reg_.owners_at(n)) {
      if (o != cfg_.owner_id) return o;
    }
    return std::nullopt;
  }
  // Every heritage TXT at `n` is ours.
  bool registry_all_ours(const Name& n) const {
    for (const auto* rec : reg_.at(n)) {
      if (rec->owner() != cfg_.owner_id) return false;
    }
    return true;
  }
  bool has_heritage(const Name& n) const { return !reg_.at(n).empty(); }
  bool cname_at(const Name& n) const {
    RRsetKey k{n, RRType::CNAME};
    return (data_at(k) && !deleting_.count(k)) || desired_.count(k);
  }
  // A registry TXT may be written (replaced) at `n`: only our heritage records there, no
  // other TXT data, no CNAME, no desired TXT.
  bool new_name_free(const Name& n) const {
    return n.is_subdomain_of(zone_) && !data_at({n, RRType::TXT}) && registry_all_ours(n) &&
           !cname_at(n) && !desired_.count({n, RRType::TXT});
  }
  // An old-format TXT record may be added at `n` for `k` (other TXT data there is left as is).
  bool old_name_usable(const RRsetKey& k, const Name& n) const {
    if (!cfg_.legacy_types.count(k.type) || !n.is_subdomain_of(zone_)) return false;
    if (n == k.owner && k.type == RRType::CNAME) return false;  // never a TXT beside a CNAME
    if (cname_at(n)) return false;
    RRsetKey txt{n, RRType::TXT};
    if (desired_.count(txt)) return false;  // its Replace would drop our record
    if (data_at(txt) && ours(txt)) return false;
    return true;
  }

  void conflict(const RRsetKey& k, std::string owner, std::string reason) {
    p_.conflicts.push_back({k, std::move(owner), std::move(reason)});
  }
  void plan_deletions();
  void plan_desired();
  void plan_registry_removals();
  void emit();
  void write_notes();

  const Name& zone_;
  const DesiredRecords& desired_;
  const RRsetMap& served_;
  const RegistryConfig& cfg_;
  Policy policy_;
  Registry reg_;
  OwnedPlan p_;
  std::vector<RRsetKey> deletions_;
  std::set<RRsetKey> deleting_;
  std::vector<Item> items_;
  std::map<Name, std::vector<Rdata>> registry_removals_;  // TXT name → our records to remove
  std::map<Name, std::vector<Rdata>> old_adds_;
  std::vector<std::string> kept_;
};

void Planner::plan_deletions() {
  for (const auto& [k, have] : reg_.data()) {
    if (desired_.count(k) || untouchable(zone_, k) || !ours(k)) continue;
    if (policy_ != Policy::Sync) {
      kept_.push_back(fmt::format("{} {}", k.owner.to_string(), model::to_string(k.type)));
      continue;
    }
    if (k.type == RRType::TXT && has_heritage(k.owner)) {
      conflict(k, "", "ours, but its RRset also holds registry records, so it is not deleted");
      continue;
    }
    deletions_.push_back(k);
    deleting_.insert(k);
  }
}

void Planner::plan_desired() {
  const std::string& me = cfg_.owner_id;
  for (const auto& [k, want] : desired_) {
    std::string name = k.owner.to_string();
    std::string type = model::to_string(k.type);
    if (untouchable(zone_, k)) {
      p_.notes.push_back(
          fmt::format("{} {} is not managed in a shared zone (SOA, apex NS and DNSSEC data belong "
                      "to the zone's owner)",
                      name, type));
      continue;
    }
    if (!k.owner.is_subdomain_of(zone_)) {
      conflict(k, "", fmt::format("outside the zone {}", zone_.to_string()));
      continue;
    }
    if (auto other = foreign_owner(k.owner)) {
      conflict(k, *other, fmt::format("the name has registry records of owner \"{}\"", *other));
      continue;
    }
    auto claim = reg_.claim(k);
    if (claim && (claim->contested || claim->owner != me)) {
      conflict(k, claim->contested ? "" : claim->owner,
               claim->contested ? std::string("claimed by several owners")
                                : fmt::format("claimed by owner \"{}\"", claim->owner));
      continue;
    }
    const RRset* have = data_at(k);
    if (!claim && have) {
      conflict(k, "", "exists without an ownership record");
      continue;
    }
    if (k.type == RRType::TXT && has_heritage(k.owner)) {
      conflict(k, "", "its TXT RRset holds registry records (use a registry prefix or suffix)");
      continue;
    }
    // A CNAME stands alone at its name (RFC 1034 §3.6.2).
    bool clash = false;
    if (k.type == RRType::CNAME) {
      for (auto it = reg_.data().lower_bound({k.owner, static_cast<RRType>(0)});
           it != reg_.data().end() && it->first.owner == k.owner; ++it) {
        if (it->first != k && !deleting_.count(it->first)) clash = true;
      }
      // Heritage TXT at the CNAME's name: only ours, old format, going away, may be there.
      for (const auto* rec : reg_.at(k.owner)) {
        if (rec->owner() != me || !rec->legacy()) clash = true;
      }
    } else if (RRsetKey c{k.owner, RRType::CNAME}; data_at(c) && !deleting_.count(c)) {
      clash = true;
    }
    if (clash) {
      conflict(k, "", "a CNAME cannot share its name with other data");
      continue;
    }

    Item item{k, &want, have, Act::Keep, std::nullopt, std::nullopt};
    if (!have) {
      item.act = Act::Create;
    } else if (!(*have == want.rrset)) {
      if (policy_ == Policy::CreateOnly) {
        p_.notes.push_back(
            fmt::format("{} {} differs but is not updated (policy create-only)", name, type));
      } else {
        item.act = Act::Update;
      }
    }
    auto new_name = registry_name(k.owner, k.type, cfg_);
    bool new_ok = new_name && *new_name != k.owner && new_name_free(*new_name);
    auto old_name = legacy_registry_name(k.owner, cfg_);
    bool old_ok = old_name && old_name_usable(k, *old_name);
    if (new_ok) item.new_name = new_name;
    if (old_ok && (cfg_.write_old_format || !new_ok)) item.old_name = old_name;
    if (!item.new_name && !item.old_name && !claim) {
      conflict(k, "",
               fmt::format("no place for its registry TXT ({} is outside the zone or holds other "
                           "data); use a registry prefix ending in '.'",
                           new_name ? new_name->to_string() : "the registry name"));
      continue;
    }
    items_.push_back(std::move(item));
  }
}

// Our registry TXT records that no record we keep needs any more.
void Planner::plan_registry_removals() {
  std::set<RegistryKey> owned_after;  // new format keys
  std::map<Name, bool> legacy_covered;
  std::map<Name, std::set<Rdata>> old_needed;
  auto cover = [&](const RRsetKey& k) {
    owned_after.insert(registry_key(k, cfg_));
    if (auto n = legacy_registry_name(k.owner, cfg_); n && old_name_usable(k, *n)) {
      legacy_covered[*n] = true;
    }
  };
  for (const auto& it : items_) {
    cover(it.key);
    if (it.old_name && !(it.act == Act::Keep && policy_ == Policy::CreateOnly)) {
      old_needed[*it.old_name].insert(
          registry_rdata(cfg_.owner_id, it.want->resource, it.want->notes));
    }
  }
  for (const auto& [k, set] : reg_.data()) {
    if (!desired_.count(k) && !deleting_.count(k) && !untouchable(zone_, k) && ours(k)) cover(k);
  }
  // Records a registry TXT may still stand for: served (and not deleted by us) or desired,
  // ours or not (a conflict leaves our registry record as it is).
  std::set<RegistryKey> present;
  std::set<std::string> legacy_present;
  auto mark = [&](const RRsetKey& k) {
    auto rk = registry_key(k, cfg_);
    present.insert(rk);
    if (cfg_.legacy_types.count(k.type)) legacy_present.insert(rk.name);
  };
  for (const auto& [k, set] : reg_.data()) {
    if (!deleting_.count(k)) mark(k);
  }
  for (const auto& [k, d] : desired_) mark(k);
  bool sync = policy_ == Policy::Sync;
  for (const auto& rec : reg_.records()) {
    if (rec.owner() != cfg_.owner_id || !rec.key) continue;
    if (!rec.legacy()) {
      if (owned_after.count(*rec.key) || present.count(*rec.key) || !sync) continue;
      registry_removals_[rec.txt_name].push_back(rec.rdata);
      continue;
    }
    const auto& needed = old_needed[rec.txt_name];
    if (needed.count(rec.rdata)) continue;
    // A CNAME we create here cannot have our old-format TXT beside it (checked in
    // plan_desired: only ours may be there).
    bool cname_coming = std::any_of(items_.begin(), items_.end(), [&](const Item& it) {
      return it.key.type == RRType::CNAME && it.key.owner == rec.txt_name && it.act != Act::Keep;
    });
    if (cname_coming) {
      registry_removals_[rec.txt_name].push_back(rec.rdata);
      continue;
    }
    bool superseded = !needed.empty();
    if (!superseded && (legacy_covered[rec.txt_name] || legacy_present.count(rec.key->name))) {
      continue;  // still stands for a record
    }
    if (policy_ == Policy::CreateOnly || (!sync && !superseded)) continue;
    registry_removals_[rec.txt_name].push_back(rec.rdata);
  }
  for (const auto& [n, rds] : old_needed) {
    const RRset* have = served_at(n, RRType::TXT);
    for (const auto& rd : rds) {
      if (!have || !have->contains(rd)) old_adds_[n].push_back(rd);
    }
  }
}

void Planner::emit() {
  auto& cs = p_.changes;
  // 1. Records of ours nothing desires (Sync), then their registry TXT.
  for (const auto& k : deletions_) {
    const RRset& have = served_.at(k);
    add_diff(p_, &have, nullptr);
    cs.remove_rrset(k, have);
  }
  for (const auto& [n, rds] : registry_removals_) {
    const RRset* have = served_at(n, RRType::TXT);
    if (!have) continue;
    RRset gone(n, RRType::TXT, have->ttl(), rds);
    add_diff(p_, &gone, nullptr);
    if (gone == *have) {
      cs.remove_rrset({n, RRType::TXT}, *have);
    } else {
      cs.remove(std::move(gone));  // exact records: other TXT data at the name stays
    }
  }
  // 2. Registry TXT before the records they own.
  for (const auto& it : items_) {
    if (!it.new_name) continue;
    if (it.act == Act::Keep && policy_ == Policy::CreateOnly) continue;
    RRset want(*it.new_name, RRType::TXT, cfg_.ttl,
               {registry_rdata(cfg_.owner_id, it.want->resource, it.want->notes)});
    const RRset* have = served_at(*it.new_name, RRType::TXT);
    if (have && have->rdatas() == want.rdatas()) continue;  // the TTL is not ours to fight over
    add_diff(p_, have, &want);
    cs.replace(want, have ? *have : RRset(*it.new_name, RRType::TXT, 0));
  }
  for (const auto& [n, rds] : old_adds_) {
    // Beside other TXT data, keep its TTL: BIND gives a whole RRset the TTL of an added record.
    const RRset* have = served_at(n, RRType::TXT);
    RRset add(n, RRType::TXT, have ? have->ttl() : cfg_.ttl, rds);
    add_diff(p_, nullptr, &add);
    cs.add(std::move(add));
  }
  // 3. The records.
  for (const auto& it : items_) {
    if (it.act == Act::Keep) continue;
    const RRset& want = it.want->rrset;
    add_diff(p_, it.have, &want);
    cs.replace(want, it.have ? *it.have : RRset(it.key.owner, it.key.type, 0));
  }
}

void Planner::write_notes() {
  // One note per name and reason.
  std::map<std::pair<Name, std::string>, std::vector<std::string>> grouped;
  for (const auto& c : p_.conflicts) {
    grouped[{c.key.owner, c.reason}].push_back(model::to_string(c.key.type));
  }
  for (const auto& [key, types] : grouped) {
    p_.notes.push_back(fmt::format("conflict at {} ({}): {}; not changed", key.first.to_string(),
                                   fmt::join(types, ", "), key.second));
  }
  if (!kept_.empty()) {
    p_.notes.push_back(fmt::format("kept (policy {}): {} owned RRset(s) no longer desired, e.g. {}",
                                   to_string(policy_), kept_.size(), kept_.front()));
  }
}

OwnedPlan Planner::run() {
  p_.changes.zone = zone_;
  if (auto ok = cfg_.validate(); !ok) {
    p_.notes.push_back(ok.error());
    return std::move(p_);
  }
  plan_deletions();
  plan_desired();
  plan_registry_removals();
  emit();
  write_notes();
  return std::move(p_);
}

}  // namespace

OwnedPlan plan_owned(const Name& zone, const DesiredRecords& desired, const RRsetMap& served,
                     const RegistryConfig& cfg, Policy policy) {
  return Planner(zone, desired, served, cfg, policy).run();
}

}  // namespace zk::plan
