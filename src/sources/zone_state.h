// One DNSZone's desired state kept up to date record by record: desired_zone, incremental.
//
//   ZoneState state;                                          // one per DNSZone, kept
//   const ZoneDesired& d = state.sync(zone, records, zones, namespaces);   // each reconcile
//   if (state.touched()) plan only the owner names in *state.touched(); else the whole zone
//
// sync() gives exactly desired_zone_refs(zone, records, zones, namespaces) (a property test holds
// it to that over thousands of random operation sequences) at the cost of what changed. While the
// DNSZone, the zones that may select its records and the Namespaces are those the last sync saw,
// only the records whose revision moved (api::RecordObject::revision, stamped by the catalog; 0:
// unknown, looked at every time) are classified again (those of no concern to this zone — it
// neither selects them nor reports them NotSelected — are passed by and not kept, so a caller
// may show it every record of its namespace; the catalog shows it only those it may select;
// each record is checked only against the zones indexed under its labels) — or only those the
// caller names (sync_changes, from the catalog's journal: no walk over every record) — and only the
// owner names they leave or join are resolved again: conflicts never cross owner names, except
// under a DNAME, so a zone holding a DNAME resolves all its names together. Anything else rebuilds.
// Pure.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "api/record.h"
#include "api/selecting_zones.h"
#include "api/time.h"
#include "api/zone.h"
#include "model/name.h"
#include "model/rrset.h"
#include "sources/zone_source.h"

namespace zk::sources {

// When a record was made (creationTimestamp; none = newest): the first part of the age order
// (sources::older), in which the older wins a conflict.
struct RecordAge {
  int missing = 1;  // 0 when the timestamp is valid
  api::Timestamp created{};
  friend auto operator<=>(const RecordAge&, const RecordAge&) = default;
};
RecordAge record_age(const api::RecordObject& record);

// How the rules see one record for one zone: its outcome when it does not depend on other
// records, or its RRset when it contends for its owner name.
struct RecordCandidate {
  enum class Role {
    Elsewhere,  // another zone reports it, or no zone of this one's concern
    Settled,    // NotSelected, NamespaceNotAdmitted or InvalidSpec: `outcome`
    Contender,  // valid and this zone's to serve: `rrset`, unless an older one holds the name
  };
  Role role = Role::Elsewhere;
  // "Kind/ns/name": ZoneState points it at its own copy, the key of its entry (memory).
  const std::string* key = nullptr;
  RecordAge age;  // with the key's namespace, name and kind: the age order (older_candidate)
  std::unique_ptr<const RecordOutcome> outcome;  // Settled (memory: Contenders are the many)
  std::optional<model::RRset> rrset;             // Contender
  // Contender selected by several zones: MultipleZones, this message (memory: rare, so not a
  // string in every candidate).
  std::unique_ptr<const std::string> multiple;
};

// The age order of two candidates of one zone: sources::older's, which their keys decide after
// their ages (uid and generation never do: a zone holds one candidate per key).
bool older_candidate(const RecordCandidate& a, const RecordCandidate& b);

// An RRset and what holds it: a record's key, or the DNSZone's own data.
struct HeldRRset {
  model::RRset set;
  std::string holder;  // "ARecord/ns/name" or "the DNSZone's spec.nameServers"
};

class ZoneState {
 public:
  // `records`: one object per key (the catalog's are); see desired_zone_refs for the rest.
  const ZoneDesired& sync(const api::Zone& zone,
                          const std::vector<const api::RecordObject*>& records,
                          const ZoneSet& zones, const NamespaceDirectory& namespaces);
  // Whether sync_changes() may be used: the DNSZone, the zones that may select its records and
  // the Namespaces are those the last sync saw (else everything is looked at again).
  bool current_for(const api::Zone& zone, const ZoneSet& zones,
                   const NamespaceDirectory& namespaces) const;
  // What sync() would give, told which records changed since the last sync instead of given
  // them all: `changed` keys ("Kind/ns/name", put or removed), their objects by `find`
  // (nullptr: gone). Only while current_for() holds.
  using RecordFinder = std::function<const api::RecordObject*(const std::string& key)>;
  const ZoneDesired& sync_changes(const std::vector<std::string>& changed,
                                  const RecordFinder& find);
  const ZoneDesired& desired() const { return out_; }
  // The result, leaving the state empty (for a one-off computation).
  ZoneDesired take();
  // The owner names whose RRsets the last sync may have changed; nullopt: any (it rebuilt, or
  // resolved the whole zone).
  const std::optional<std::set<model::Name>>& touched() const { return touched_; }
  // With touched(): the record keys whose outcome the last sync may have changed (those that
  // came, went or changed, and those sharing an owner name with them).
  const std::set<std::string>& touched_records() const { return touched_records_; }
  // How many syncs rebuilt everything (for tests and metrics).
  uint64_t rebuilds() const { return rebuilds_; }
  // How many records it keeps: those it serves or reports (for tests; memory).
  size_t kept() const { return entries_.size(); }

 private:
  struct Entry {
    uint64_t revision = 0;
    uint64_t epoch = 0;  // the last walk (sync()) that saw it
    RecordCandidate candidate;
  };
  // Records to classify again, with their entries (by key).
  using Changed =
      std::vector<std::pair<const api::RecordObject*, std::pair<const std::string, Entry>*>>;
  // Contenders at one owner, oldest first (memory: nearly every owner has one, held inline,
  // where a std::set took a node of its own per contender).
  class Group {
   public:
    void insert(const RecordCandidate* c);  // once: a second insert of `c` changes nothing
    void erase(const RecordCandidate* c);
    bool empty() const { return oldest_first_.empty(); }
    auto begin() const { return oldest_first_.begin(); }
    auto end() const { return oldest_first_.end(); }

   private:
    boost::container::small_vector<const RecordCandidate*, 1> oldest_first_;
  };

  void reset(const api::Zone& zone, ZoneSet peers, const NamespaceDirectory& namespaces);
  void withdraw(const RecordCandidate& c, std::set<model::Name>& affected);
  void enter(const RecordCandidate& c, std::set<model::Name>& affected);
  // `zones` with `zone` standing for the entry with its key: the set itself when it holds it.
  static ZoneSet peers_of(const api::Zone& zone, const ZoneSet& zones);
  // Whether classify() may say other than Elsewhere: the zone selects `r`, or `r` lies in its
  // namespace and no zone selects it (NotSelected). `ns_labels`: those of r's Namespace.
  bool may_concern(const api::RecordObject& r, const api::Labels* ns_labels) const;
  // Classifies `changed` (their old candidates withdrawn already) and resolves what they touch.
  const ZoneDesired& finish(bool rebuild, size_t dnames_before, Changed& changed,
                            std::set<model::Name>& affected);
  void resolve_all();
  void resolve_owner(const model::Name& owner);
  void collect_problems();

  // What the last rebuild saw.
  std::optional<api::Zone> zone_;
  // Every zone that may select its records, itself included (shared with the other zones of its
  // namespace while the catalog's set is current: not a copy per zone).
  ZoneSet peers_;
  const api::Zone* self_ = nullptr;  // in peers_
  NamespaceDirectory namespaces_;

  std::unordered_map<std::string, Entry> entries_;  // by record key
  std::map<model::Name, Group> groups_;             // contenders by owner name
  size_t dnames_ = 0;                               // DNAME contenders
  std::map<model::RRsetKey, HeldRRset> zone_data_;  // the DNSZone's own (SOA, apex NS, glue)
  std::map<model::Name, std::vector<std::string>> problems_;  // safety net, by owner
  ZoneDesired out_;
  std::optional<std::set<model::Name>> touched_;
  std::set<std::string> touched_records_;
  uint64_t epoch_ = 0;
  uint64_t rebuilds_ = 0;
};

}  // namespace zk::sources
