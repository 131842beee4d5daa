#include "controller/record_index.h"

#include <algorithm>
#include <tuple>

#include "api/selecting_zones.h"

namespace zk::controller {

void RecordIndex::add(const api::RecordObject& r) {
  Namespace& n = namespaces_[r.ns];
  for (const auto& [key, value] : r.labels) n.by_label[key][value].insert(&r);
}

void RecordIndex::remove(const api::RecordObject& r) {
  auto nit = namespaces_.find(r.ns);
  if (nit == namespaces_.end()) return;
  Namespace& n = nit->second;
  for (const auto& [key, value] : r.labels) {
    auto k = n.by_label.find(key);
    if (k == n.by_label.end()) continue;
    auto v = k->second.find(value);
    if (v == k->second.end()) continue;
    v->second.erase(&r);
    if (v->second.empty()) k->second.erase(v);
    if (k->second.empty()) n.by_label.erase(k);
  }
  n.unselected.erase(&r);
  if (n.by_label.empty() && n.unselected.empty()) namespaces_.erase(nit);
}

void RecordIndex::set_unselected(const api::RecordObject& r, bool unselected) {
  if (unselected) {
    namespaces_[r.ns].unselected.insert(&r);
    return;
  }
  auto nit = namespaces_.find(r.ns);
  if (nit != namespaces_.end()) nit->second.unselected.erase(&r);
}

std::optional<std::vector<const api::RecordObject*>> RecordIndex::labelled_for(
    const api::Zone& zone, std::string_view ns) const {
  std::vector<const api::RecordObject*> out;
  auto nit = namespaces_.find(ns);
  for (const api::RecordsFrom& from : zone.records_from) {
    auto labels = api::required_labels(from.selector);
    if (!labels) return std::nullopt;
    if (nit == namespaces_.end()) continue;
    for (const auto& [key, value] : *labels) {
      auto k = nit->second.by_label.find(key);
      if (k == nit->second.by_label.end()) continue;
      auto v = k->second.find(value);
      if (v != k->second.end()) out.insert(out.end(), v->second.begin(), v->second.end());
    }
  }
  return out;
}

std::optional<std::vector<const api::RecordObject*>> RecordIndex::may_select(
    const api::Zone& zone, std::string_view ns) const {
  auto out = labelled_for(zone, ns);
  if (!out) return std::nullopt;
  if (ns == zone.ns) {
    if (auto nit = namespaces_.find(ns); nit != namespaces_.end()) {
      out->insert(out->end(), nit->second.unselected.begin(), nit->second.unselected.end());
    }
  }
  auto by_name = [](const api::RecordObject* a, const api::RecordObject* b) {
    return std::tie(a->name, a->kind, a) < std::tie(b->name, b->kind, b);
  };
  std::sort(out->begin(), out->end(), by_name);
  out->erase(std::unique(out->begin(), out->end()), out->end());
  return out;
}

}  // namespace zk::controller
