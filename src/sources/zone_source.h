// Objects → desired RRsets of one zone, with an outcome for every record object (pure).
//
//   ZoneDesired d = desired_zone(zone, records_in_namespace, zones_in_namespace);
//   plan::plan_names(zone.zone_name, d.rrsets, served);      // what to change
//   for (auto& [key, o] : d.outcomes) status_of(key) = {o.reason, o.message, o.fqdn_text(),
//   o.hash};
//
// Rules (see README.md; each is unit-tested in zone_source_test.cc):
// - Apex from the DNSZone: SOA from spec.soaRecord with serial 0 (kSoaSerialPlaceholder: the
//   server owns the serial, and plan ignores desired SOA data), apex NS from
//   spec.nameServers, glue A/AAAA for name servers inside the zone. Zone data always wins
//   over record objects at the same (name, type); identical record data merges with it.
// - Selection: a record is the zone's when a recordsFrom entry matches its labels and its
//   namespace (the zone's own; with a namespaceSelector, any Namespace whose labels match). A
//   record of another namespace is admitted only when the zone's Namespace lists its namespace
//   in dns.zonekeeper.io/allow-records-from (api/namespace_admission.h). Selected and admitted
//   by two or more DNSZones → MultipleZones: served by the oldest of them (zone_older), which
//   alone reports it. Selected only by zones that do not admit it → NamespaceNotAdmitted,
//   reported by the oldest of those. Selected by none → NotSelected (every zone of the record's
//   namespace reports the same NotSelected entries), so each record ends up with exactly one
//   outcome across all zones.
// - Validity: record_rrset (api/record.h) failures → InvalidSpec (name outside the zone,
//   CNAME/NS at the apex, values DNS refuses…).
// - Conflicts, decided in age order (creationTimestamp, then name, then kind; a missing or
//   malformed timestamp counts as newest): an object is accepted unless an accepted one
//   already holds (a) the same (name, type) with different data — different records OR a
//   different TTL; disjoint or overlapping record sets are NOT unioned — or (b) a CNAME at its
//   name, or (c) any data at its name when it is a CNAME. Losers get Conflict naming the
//   winner; identical data (same records and TTL) merges and both are Pending. Losers never
//   block anyone, so the result depends only on the set of objects, never on input order,
//   and it changes only when objects change (no flapping).
// - TTL: spec.ttl, else the zone's spec.ttl.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/namespace_admission.h"
#include "api/record.h"
#include "api/selecting_zones.h"
#include "api/zone.h"
#include "model/rrset.h"

namespace zk::sources {

inline constexpr uint32_t kSoaSerialPlaceholder = 0;

struct RecordOutcome {
  // Owner served at; none when not resolved for this zone (memory: a name is held inline, where
  // its text took a string and an allocation).
  std::optional<model::Name> fqdn;
  std::string reason;       // api::reasons::kPending (to be served) or the failure reason
  std::string message;      // for the Ready condition; "" when plainly Pending (nothing to explain)
  model::RRsetDigest hash;  // of the RRset it contributes; none unless Pending or MultipleZones
  std::string fqdn_text() const { return fqdn ? fqdn->to_string() : std::string(); }  // "" if none
  friend bool operator==(const RecordOutcome&, const RecordOutcome&) = default;
};

struct ZoneDesired {
  model::RRsetMap rrsets;
  // Key "Kind/ns/name" (api::record_key). Records of the namespace this zone selects, plus
  // the namespace's NotSelected records.
  std::map<std::string, RecordOutcome> outcomes;
  // Zone-level problems (e.g. an in-zone name server without an address).
  std::vector<std::string> zone_problems;
  friend bool operator==(const ZoneDesired&, const ZoneDesired&) = default;
};

// The Namespaces by name (labels and allow-lists); one not listed has no labels and admits only
// its own records.
using NamespaceDirectory = std::map<std::string, api::NamespaceInfo, std::less<>>;

// Zones shared by those that plan with them (the controller's catalog keeps one per namespace);
// nullptr: none.
using ZoneSet = std::shared_ptr<const api::SelectingZones>;
ZoneSet zone_set(const std::vector<api::Zone>& zones);  // copies

// `records`: those of the zone's namespace and of the namespaces it reaches (others are
// ignored). `zones`: every zone that may select them — those of the same namespaces and every
// zone that reaches other namespaces (more do no harm); `zone` may or may not be part of it
// (matched by namespace/name).
ZoneDesired desired_zone(const api::Zone& zone, const std::vector<api::RecordObject>& records,
                         const std::vector<api::Zone>& zones,
                         const NamespaceDirectory& namespaces = {});
// The same over pointers (the controller's catalog keeps the objects; nothing is copied).
ZoneDesired desired_zone_refs(const api::Zone& zone,
                              const std::vector<const api::RecordObject*>& records,
                              const ZoneSet& zones, const NamespaceDirectory& namespaces = {});

// The labels of a namespace, nullptr when it is not known.
const api::Labels* namespace_labels(const NamespaceDirectory& namespaces, std::string_view ns);
// Whether `zone`'s Namespace admits records from `ns`.
bool admits(const NamespaceDirectory& namespaces, const api::Zone& zone, std::string_view ns);

// Where a new record object for `zone` may be created and the labels that get it selected (the
// UI's create form): the zone's own namespace for a recordsFrom entry without namespaceSelector,
// and each known Namespace that another entry's namespaceSelector matches and the zone's
// Namespace admits. One per namespace (the first entry that reaches it gives the labels: its
// selector's matchLabels); the zone's own namespace first, the others by name.
struct RecordTarget {
  std::string ns;
  std::map<std::string, std::string> labels;
  friend bool operator==(const RecordTarget&, const RecordTarget&) = default;
};
std::vector<RecordTarget> record_targets(const api::Zone& zone,
                                         const NamespaceDirectory& namespaces);

// The age order of zones (creationTimestamp, then namespace/name; no timestamp = newest): a
// record selected by several zones is served by the oldest.
bool zone_older(const api::Zone* a, const api::Zone* b);

// The age order of conflict resolution: true when `a` wins over `b` (creationTimestamp, none =
// newest; then namespace, name, kind, uid, generation).
bool older(const api::RecordObject& a, const api::RecordObject& b);

}  // namespace zk::sources
