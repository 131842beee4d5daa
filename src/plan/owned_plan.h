// Planning for zones zonekeeper shares with others (Ingress, IngressRoute, HTTPRoute and
// DNSEndpoint sources write into zones people and other tools also write): only RRsets whose
// ownership the registry (plan/registry.h) gives to our owner id are ever changed.
//
//   auto plan = plan_owned(zone, desired, served, cfg, Policy::Sync);
//   for (auto& line : plan.diff) std::cout << line.to_string() << "\n";   // --dry-run
//   for (auto& c : plan.conflicts) report(c);                             // Conflict reasons
//   client.apply(plan.changes);
//
// Rules (docs/architecture.md "Ownership registry (shared zones)"):
// - A desired RRset is created when its (name, type) is absent and unclaimed, updated when it
//   is ours; anything else is a Conflict (never touched): data without a registry record,
//   any claim of another owner id at the name, a CNAME beside other data, no place for the
//   registry TXT.
// - Policy Sync also deletes our RRsets nothing desires and our registry TXT whose record is
//   gone; UpsertOnly never deletes; CreateOnly never updates or deletes (not even the
//   registry TXT of a record it keeps).
// - Order inside the ChangeSet: record deletions, then their registry TXT; registry TXT
//   writes, then the records they own. A record is never served without its registry TXT.
//   Every Replace/DeleteRRset is guarded (`expect`) by what was planned against.
// - SOA, apex NS and DNSSEC data are never touched here.
// Pure: no I/O.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plan/registry.h"
#include "plan/zone_plan.h"

namespace zk::plan {

enum class Policy {
  Sync,        // create, update, delete
  UpsertOnly,  // create, update
  CreateOnly,  // create
};
std::string_view to_string(Policy p);                       // "sync", "upsert-only", "create-only"
std::optional<Policy> parse_policy(std::string_view text);  // the same spellings

// One desired RRset and the resource that wants it ("ingress/<ns>/<name>", "crd/<ns>/<name>"
// for a DNSEndpoint, as external-dns writes external-dns/resource).
// `notes`: the object's owner and description, written into the registry TXT (a change of
// them alone rewrites the registry TXT, never the record).
struct DesiredRecord {
  model::RRset rrset;
  std::string resource;
  model::RecordNotes notes;
};
using DesiredRecords = std::map<model::RRsetKey, DesiredRecord>;

struct Conflict {
  model::RRsetKey key;
  std::string owner;   // the other owner id; empty when the data is unowned or contested
  std::string reason;  // why, without the name (plan notes add name and types)
};

struct OwnedPlan : Plan {
  std::vector<Conflict> conflicts;  // desired RRsets left alone, in canonical order
};

OwnedPlan plan_owned(const model::Name& zone, const DesiredRecords& desired,
                     const model::RRsetMap& served, const RegistryConfig& cfg, Policy policy);

}  // namespace zk::plan
