// Planning: desired RRsets vs what the server serves → the minimal ChangeSet and a diff.
//
//   auto plan = plan_names(zone, desired, served.rrsets);   // names in `desired` only
//   for (auto& line : plan.diff) std::cout << line.to_string() << "\n";
//   client.apply(plan.changes);
//
// Rules (documented in docs/architecture.md):
// - Only owner names present in `desired` are touched; every other name is left alone.
// - At those names, RRsets that differ become one atomic Replace, guarded by a prerequisite
//   that the server still holds what we planned against; RRsets absent from `desired` are
//   deleted (also guarded).
// - plan_names (names only, the CLI's import): the SOA belongs to the server — desired SOA
//   data is ignored (noted), the served SOA never deleted. plan_zone (a whole zone, a DNSZone)
//   writes the desired SOA's MNAME, RNAME and timers (see below).
// - Apex NS: BIND ignores "delete all apex NS", so an apex NS change is an Add of the new
//   records followed by a Remove of the old ones, never a delete of the whole RRset.
// Pure: no I/O.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "model/changeset.h"
#include "model/record_notes.h"
#include "model/rrset.h"

namespace zk::plan {

struct DiffLine {
  char sign = '+';  // '+' added, '-' removed
  model::Name owner;
  model::RRType type = model::RRType::A;
  uint32_t ttl = 0;
  model::Rdata rdata;
  std::string to_string() const;  // "+ www.example.test. 300 IN A 192.0.2.1"
};

struct Plan {
  model::ChangeSet changes;
  std::vector<DiffLine> diff;
  std::vector<std::string> notes;  // things deliberately not done, for the user
  bool empty() const { return changes.empty(); }
};

Plan plan_names(const model::Name& zone, const model::RRsetMap& desired,
                const model::RRsetMap& served);

// Appends to p.diff the lines between two versions of one RRset (either may be null); a TTL
// change shows every record as removed and added.
void add_diff(Plan& p, const model::RRset* before, const model::RRset* after);

// A whole zone as a DNSZone owns it (docs/api.md "Ownership and drift"):
// - every desired RRset is made exactly so (guarded Replace; apex NS as Add + Remove);
// - desired SOA (serial ignored): when MNAME, RNAME or a timer differs, the SOA is written
//   with the served serial + 1 (BIND keeps an explicitly raised serial);
// - served RRsets nothing declares are `undeclared`; they are deleted (guarded) when
//   `remove_undeclared` (driftPolicy Remediate) or when their key is in `released` (data the
//   controller itself declared before and no longer does: deleted or unselected objects);
// - never touched, never undeclared: the SOA, the apex NS when `desired` has none, DNSSEC
//   data the server maintains (RRSIG, NSEC, NSEC3, NSEC3PARAM, DNSKEY, CDS, CDNSKEY) and
//   BIND's private signing records (TYPE65534).
// - `foreign`: RRsets the backend marks as someone else's (Technitium: no record of the RRset
//   carries our claim in its comments): listed as undeclared, never deleted, even released.
struct ZoneOwnership {
  bool remove_undeclared = true;
  std::set<model::RRsetKey> released;
  std::set<model::RRsetKey> foreign;
};

struct ZonePlan : Plan {
  std::vector<model::RRsetKey> undeclared;  // served, declared by nothing (drift), sorted
};

ZonePlan plan_zone(const model::Name& zone, const model::RRsetMap& desired,
                   const model::RRsetMap& served, const ZoneOwnership& ownership);

// Owner and description for backends that keep them with each record (Technitium's comments;
// ServedZone::keeps_notes). `want`: the notes of every desired RRset (empty notes included, so
// notes removed from an object are removed from the server too). Each Replace or Add the plan
// already makes of a wanted key carries its notes (ChangeSet::notes); a wanted key served with
// exactly the desired data but other notes (`served_notes`; absent: none) gets a Replace with
// that same data, guarded, carrying the notes, and a line in p.notes. Keys in `skip`
// (conflicts, someone else's) and keys not served as desired are left alone.
void plan_notes(Plan& p, const std::map<model::RRsetKey, model::RecordNotes>& want,
                const model::RRsetMap& desired, const model::RRsetMap& served,
                const std::map<model::RRsetKey, model::RecordNotes>& served_notes,
                const std::set<model::RRsetKey>& skip);

// True for types the server maintains itself (DNSSEC, BIND's TYPE65534).
bool server_maintained(model::RRType type);

}  // namespace zk::plan
