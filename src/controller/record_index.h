// The catalog's records by label, per namespace, and those no DNSZone selects: what a zone may
// select is found through the labels its recordsFrom entries require (api::required_labels)
// instead of walking every record of its namespace. Pure.
//
//   index.add(record);  …  index.remove(record);               // before it changes or goes
//   index.set_unselected(record, !any_zone_selects);
//   auto some = index.may_select(zone, ns);  // nullopt: any record of ns may be (walk them all)
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "api/record.h"
#include "api/zone.h"

namespace zk::controller {

class RecordIndex {
 public:
  void add(const api::RecordObject& record);
  void remove(const api::RecordObject& record);  // also from the unselected
  void set_unselected(const api::RecordObject& record, bool unselected);

  // The records of namespace `ns` that `zone` may select (a superset: Zone::selects decides) and,
  // in the zone's own namespace, those no zone selects (it reports them NotSelected), in name
  // order, each once. nullopt: an entry of the zone requires no label, so any record may be.
  std::optional<std::vector<const api::RecordObject*>> may_select(const api::Zone& zone,
                                                                  std::string_view ns) const;
  // The records of `ns` that carry one of the labels `zone`'s entries require; nullopt as above.
  std::optional<std::vector<const api::RecordObject*>> labelled_for(const api::Zone& zone,
                                                                    std::string_view ns) const;

 private:
  using Records = std::set<const api::RecordObject*>;
  struct Namespace {
    std::map<std::string, std::map<std::string, Records, std::less<>>, std::less<>> by_label;
    Records unselected;
  };
  std::map<std::string, Namespace, std::less<>> namespaces_;
};

}  // namespace zk::controller
