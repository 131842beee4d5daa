#include "managed/catalog.h"

#include <map>

#include <fmt/format.h>

#include "managed/digest.h"

namespace zk::managed {

using model::Name;
using model::Rdata;
using model::RRset;
using model::RRsetKey;
using model::RRsetMap;
using model::RRType;

namespace {

Name zones_label(const Name& catalog) {
  return Name::parse("zones", &catalog).value();  // a catalog name short enough for members
}

}  // namespace

const Name& catalog_zone() {
  static const Name n = Name::parse("catalog.zonekeeper.invalid.").value();
  return n;
}

std::string member_id(const Name& zone) {
  return sha1_hex(zone.canonical().wire());
}

Name member_owner(const Name& catalog, const Name& zone) {
  return zones_label(catalog).prepend(member_id(zone)).value();
}

bool is_member_owner(const Name& catalog, const Name& owner) {
  return owner.label_count() == catalog.label_count() + 2 && owner.parent() == zones_label(catalog);
}

Name dnssec_property_owner(const Name& catalog, const Name& zone) {
  return member_owner(catalog, zone).prepend("ext").value().prepend("dnssec-policy").value();
}

bool is_member_property(const Name& catalog, const Name& owner) {
  if (owner.label_count() != catalog.label_count() + 4) return false;
  const Name ext = owner.parent();
  return ext.canonical().labels().front() == "ext" && is_member_owner(catalog, ext.parent());
}

RRsetMap catalog_records(const Name& catalog, const std::set<Name>& zones,
                         const std::map<Name, std::string>& dnssec_policies) {
  RRsetMap out = catalog_records(catalog, zones);
  for (const auto& [zone, text] : dnssec_policies) {
    if (!zones.contains(zone)) continue;
    RRset txt(dnssec_property_owner(catalog, zone), RRType::TXT, 0);
    auto rd = Rdata::txt({text});
    if (!rd) continue;  // policy texts are short, plain ASCII
    txt.add(std::move(*rd));
    out.emplace(txt.key(), std::move(txt));
  }
  return out;
}

RRsetMap catalog_records(const Name& catalog, const std::set<Name>& zones) {
  RRsetMap out;
  const Name& apex = catalog;
  RRset version(Name::parse("version", &apex).value(), RRType::TXT, 0);
  version.add(Rdata::txt({"2"}).value());
  out.emplace(version.key(), std::move(version));
  RRset ns(apex, RRType::NS, 0);
  ns.add(Rdata::name_target(RRType::NS, Name::parse("invalid.").value()));
  out.emplace(ns.key(), std::move(ns));
  for (const Name& zone : zones) {
    RRset ptr(member_owner(catalog, zone), RRType::PTR, 0);
    ptr.add(Rdata::name_target(RRType::PTR, zone));
    out.emplace(ptr.key(), std::move(ptr));
  }
  return out;
}

CatalogContent catalog_members(const Name& catalog, const RRsetMap& records) {
  CatalogContent out;
  const Name version_owner = Name::parse("version", &catalog).value();
  auto version = records.find(RRsetKey{version_owner, RRType::TXT});
  if (version == records.end() || version->second.size() != 1 ||
      version->second.rdatas().front().txt_strings() != std::vector<std::string>{"2"}) {
    out.problems.push_back(
        fmt::format("{} has no version TXT \"2\" (RFC 9432 §4.3): none of its members is acted on",
                    catalog.to_string()));
    return out;
  }
  out.known_version = true;
  // A zone named by two member labels is ambiguous (RFC 9432 §4.4.1): the consumer must not
  // pick one, so it is left out.
  std::map<Name, int> seen;
  for (const auto& [key, rrset] : records) {
    if (key.type != RRType::PTR || !is_member_owner(catalog, key.owner)) continue;
    if (rrset.size() != 1) {
      out.problems.push_back(fmt::format("member {} has {} PTR records (one is allowed)",
                                         key.owner.to_string(), rrset.size()));
      for (const Rdata& rd : rrset.rdatas()) {
        if (auto target = rd.target()) out.ambiguous.insert(target->canonical());
      }
      continue;
    }
    if (auto target = rrset.rdatas().front().target()) ++seen[target->canonical()];
  }
  for (const auto& [zone, count] : seen) {
    if (count == 1 && !out.ambiguous.contains(zone)) {
      out.members.insert(zone);
      auto policy = records.find(RRsetKey{dnssec_property_owner(catalog, zone), RRType::TXT});
      if (policy == records.end()) continue;
      const auto strings = policy->second.size() == 1
                               ? policy->second.rdatas().front().txt_strings()
                               : std::vector<std::string>{};
      if (strings.size() == 1) {
        out.dnssec_policies.emplace(zone, strings.front());
      } else {
        out.dnssec_unknown.insert(zone);
        out.problems.push_back(
            fmt::format("{} is not one TXT of one string: the DNSSEC of {} "
                        "is left as it is",
                        policy->first.owner.to_string(), zone.to_string()));
      }
    } else if (count > 1) {
      out.ambiguous.insert(zone);
      out.problems.push_back(
          fmt::format("{} is a member {} times (once is allowed)", zone.to_string(), count));
    }
  }
  return out;
}

}  // namespace zk::managed
