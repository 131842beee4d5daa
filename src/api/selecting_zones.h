// Which of a set of DNSZones may select a record, found through the record's labels instead of
// asking every zone (a record change costs the zones that name one of its labels, not all).
//
//   SelectingZones index(zones);                   // pointers; they must outlive the index
//   for (const Zone* z : index.candidates(record.labels)) if (z->selects(record, ns_labels)) …
//
// Each recordsFrom entry is filed under one label its selector requires: a matchLabels pair, or
// each value of an `In` expression; an entry that requires none (empty selector, Exists, NotIn,
// DoesNotExist only) is asked for every record, and a null selector (matches nothing) never.
// candidates() is a superset of the zones that select: Zone::selects still decides. Pure.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "api/label_selector.h"
#include "api/zone.h"

namespace zk::api {

class SelectingZones {
 public:
  SelectingZones() = default;
  explicit SelectingZones(std::vector<const Zone*> zones);

  // The zones that may select a record with `labels`, in the order they were given, each once.
  std::vector<const Zone*> candidates(const Labels& labels) const;
  const std::vector<const Zone*>& zones() const { return zones_; }

 private:
  std::vector<const Zone*> zones_;
  std::vector<uint32_t> always_;  // zones_ indexes: an entry that requires no label
  // label key → value → zones_ indexes.
  std::map<std::string, std::map<std::string, std::vector<uint32_t>, std::less<>>, std::less<>>
      by_label_;
};

}  // namespace zk::api
