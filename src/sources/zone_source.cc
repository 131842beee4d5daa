#include "sources/zone_source.h"

#include <tuple>

#include "sources/zone_state.h"

namespace zk::sources {

bool older(const api::RecordObject& a, const api::RecordObject& b) {
  const RecordAge aa = record_age(a), ab = record_age(b);
  const std::string_view ka = api::to_string(a.kind), kb = api::to_string(b.kind);
  return std::tie(aa, a.ns, a.name, ka, a.uid, a.generation) <
         std::tie(ab, b.ns, b.name, kb, b.uid, b.generation);
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

std::vector<RecordTarget> record_targets(const api::Zone& zone,
                                         const NamespaceDirectory& namespaces) {
  std::map<std::string, std::map<std::string, std::string>> found;  // by namespace
  for (const api::RecordsFrom& from : zone.records_from) {
    if (!from.namespace_selector) {
      found.try_emplace(zone.ns, from.selector.match_labels);
      continue;
    }
    for (const auto& [name, info] : namespaces) {
      if (from.namespace_selector->matches(info.labels) && admits(namespaces, zone, name)) {
        found.try_emplace(name, from.selector.match_labels);
      }
    }
  }
  std::vector<RecordTarget> out;
  if (auto own = found.find(zone.ns); own != found.end()) {
    out.push_back({own->first, own->second});
    found.erase(own);
  }
  for (auto& [name, labels] : found) out.push_back({name, std::move(labels)});
  return out;
}

bool zone_older(const api::Zone* a, const api::Zone* b) {
  const auto &ta = a->created_at, &tb = b->created_at;
  if (ta.has_value() != tb.has_value()) return ta.has_value();  // no timestamp = newest
  if (ta != tb) return *ta < *tb;
  return a->key() < b->key();
}

ZoneDesired desired_zone(const api::Zone& zone, const std::vector<api::RecordObject>& records,
                         const std::vector<api::Zone>& zones,
                         const NamespaceDirectory& namespaces) {
  std::vector<const api::RecordObject*> ptrs;
  ptrs.reserve(records.size());
  for (const auto& r : records) ptrs.push_back(&r);
  return desired_zone_refs(zone, ptrs, zone_set(zones), namespaces);
}

ZoneSet zone_set(const std::vector<api::Zone>& zones) {
  std::vector<api::ZoneRef> refs;
  refs.reserve(zones.size());
  for (const api::Zone& z : zones) refs.push_back(std::make_shared<const api::Zone>(z));
  return std::make_shared<const api::SelectingZones>(std::move(refs));
}

ZoneDesired desired_zone_refs(const api::Zone& zone,
                              const std::vector<const api::RecordObject*>& records,
                              const ZoneSet& zones, const NamespaceDirectory& namespaces) {
  // One object per key: of two with the same key, the older counts.
  std::map<std::string, const api::RecordObject*> by_key;
  for (const api::RecordObject* r : records) {
    auto [it, fresh] = by_key.emplace(r->key(), r);
    if (!fresh && older(*r, *it->second)) it->second = r;
  }
  std::vector<const api::RecordObject*> unique;
  unique.reserve(by_key.size());
  for (const api::RecordObject* r : records) {
    if (by_key.at(r->key()) == r) unique.push_back(r);
  }
  ZoneState state;
  state.sync(zone, unique, zones, namespaces);
  return state.take();
}

}  // namespace zk::sources
