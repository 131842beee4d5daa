#include "api/selecting_zones.h"

#include <algorithm>
#include <tuple>

namespace zk::api {

namespace {

bool before(const ZoneRef& a, const ZoneRef& b) {
  return std::tie(a->ns, a->name) < std::tie(b->ns, b->name);
}

}  // namespace

std::optional<std::vector<LabelPair>> required_labels(const LabelSelector& s) {
  std::vector<LabelPair> out;
  if (s.is_null) return out;
  if (!s.match_labels.empty()) {
    out.emplace_back(s.match_labels.begin()->first, s.match_labels.begin()->second);
    return out;
  }
  auto in =
      std::find_if(s.match_expressions.begin(), s.match_expressions.end(),
                   [](const LabelRequirement& r) { return r.op == LabelRequirement::Op::In; });
  if (in == s.match_expressions.end()) return std::nullopt;
  for (const std::string& value : in->values) out.emplace_back(in->key, value);
  return out;
}

SelectingZones::SelectingZones(std::vector<ZoneRef> zones) : zones_(std::move(zones)) {
  std::sort(zones_.begin(), zones_.end(), before);
  for (uint32_t i = 0; i < zones_.size(); ++i) {
    for (const RecordsFrom& from : zones_[i]->records_from) {
      auto labels = required_labels(from.selector);
      if (!labels) {
        always_.push_back(i);
        continue;
      }
      for (const auto& [key, value] : *labels) {
        auto k = by_label_.try_emplace(std::string(key)).first;
        k->second[std::string(value)].push_back(i);
      }
    }
  }
}

std::vector<const Zone*> SelectingZones::candidates(const Labels& labels) const {
  std::vector<uint32_t> found = always_;
  if (!by_label_.empty()) {
    for (const auto& [key, value] : labels) {
      auto k = by_label_.find(key);
      if (k == by_label_.end()) continue;
      auto v = k->second.find(value);
      if (v == k->second.end()) continue;
      found.insert(found.end(), v->second.begin(), v->second.end());
    }
  }
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  std::vector<const Zone*> out;
  out.reserve(found.size());
  for (uint32_t i : found) out.push_back(zones_[i].get());
  return out;
}

const Zone* SelectingZones::find(std::string_view ns, std::string_view name) const {
  auto it = std::lower_bound(zones_.begin(), zones_.end(), ns, [&](const ZoneRef& z, auto) {
    const std::string_view zns = z->ns, zname = z->name;
    return zns < ns || (zns == ns && zname < name);
  });
  return it != zones_.end() && (*it)->ns == ns && (*it)->name == name ? it->get() : nullptr;
}

bool operator==(const SelectingZones& a, const SelectingZones& b) {
  return std::equal(a.zones_.begin(), a.zones_.end(), b.zones_.begin(), b.zones_.end(),
                    [](const ZoneRef& x, const ZoneRef& y) { return x == y || *x == *y; });
}

}  // namespace zk::api
