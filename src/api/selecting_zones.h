// A set of DNSZones, shared and immutable, indexed by the labels they select: which of them may
// select a record is found through the record's labels instead of asking every zone.
//
//   auto zones = std::make_shared<const SelectingZones>(std::move(shared_zones));
//   for (const Zone* z : zones->candidates(record.labels)) if (z->selects(record, ns_labels)) …
//
// Each recordsFrom entry is filed under one label its selector requires: a matchLabels pair, or
// each value of an `In` expression; an entry that requires none (empty selector, Exists, NotIn,
// DoesNotExist only) is asked for every record, and a null selector (matches nothing) never.
// candidates() is a superset of the zones that select: Zone::selects still decides. The zones are
// kept in (namespace, name) order, so two sets of the same zones compare equal. Pure.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/label_selector.h"
#include "api/zone.h"

namespace zk::api {

using ZoneRef = std::shared_ptr<const Zone>;

// The labels under which a selector is filed, one of which a record must carry to match: its
// first matchLabels pair, or each value of its first `In` expression. nullopt: it requires
// none (asked for every record); empty: it matches nothing (a null selector).
using LabelPair = std::pair<std::string_view, std::string_view>;
std::optional<std::vector<LabelPair>> required_labels(const LabelSelector& selector);

class SelectingZones {
 public:
  SelectingZones() = default;
  explicit SelectingZones(std::vector<ZoneRef> zones);

  // The zones that may select a record with `labels`, in (namespace, name) order, each once.
  std::vector<const Zone*> candidates(const Labels& labels) const;
  const std::vector<ZoneRef>& zones() const { return zones_; }
  const Zone* find(std::string_view ns, std::string_view name) const;
  // The same zones (by content).
  friend bool operator==(const SelectingZones& a, const SelectingZones& b);

 private:
  std::vector<ZoneRef> zones_;
  std::vector<uint32_t> always_;  // zones_ indexes: an entry that requires no label
  // label key → value → zones_ indexes.
  std::map<std::string, std::map<std::string, std::vector<uint32_t>, std::less<>>, std::less<>>
      by_label_;
};

}  // namespace zk::api
