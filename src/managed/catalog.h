// The catalog zone (RFC 9432) of a managed BIND 9 server set: the one list of the zones that
// exist on it. zonekeeper writes it on the Primary with RFC 2136; the Primary's agent adds and
// deletes the member zones there (rndc addzone/delzone), and the Secondaries, as catalog
// consumers, create and drop their secondary zones by themselves (BIND 9.18 catalog-zones).
//
//   auto want = managed::catalog_records(catalog_zone(), {example, shop});  // what zonekeeper
//   writes auto members = managed::catalog_members(catalog_zone(), axfr.rrsets);  // what the agent
//   reads
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "model/name.h"
#include "model/rrset.h"

namespace zk::managed {

// "catalog.zonekeeper.invalid.", the catalog of the servers zonekeeper runs (under the reserved
// .invalid TLD: it is never delegated, so it cannot clash with a zone users serve). A DNSServer's
// spec.catalogZone may name another one.
const model::Name& catalog_zone();

// RFC 9432 §4.1: the member's unique label, stable for a zone (the lower-case SHA-1 of its
// canonical wire form, in hex), so a zone re-added keeps its identity on the consumers.
std::string member_id(const model::Name& zone);

// <member_id>.zones.<catalog>
model::Name member_owner(const model::Name& catalog, const model::Name& zone);

// Every RRset of the catalog but its SOA: `version TXT "2"`, the apex NS (`invalid.`, as RFC
// 9432 §4.2 suggests), and one PTR per member zone. TTL 0: the records are never resolved.
model::RRsetMap catalog_records(const model::Name& catalog, const std::set<model::Name>& zones);

// True for a member's PTR owner (<label>.zones.<catalog>).
bool is_member_owner(const model::Name& catalog, const model::Name& owner);

// A member's DNSSEC policy (managed/dnssec.h policy_text), an RFC 9432 §4.4.3 custom property
// zonekeeper's agent reads: TXT at dnssec-policy.ext.<label>.zones.<catalog>. Catalog
// consumers ignore properties under ext they do not know (BIND 9.18's Secondaries do).
model::Name dnssec_property_owner(const model::Name& catalog, const model::Name& zone);
// True for an owner under some member's ext. (<property>.ext.<label>.zones.<catalog>).
bool is_member_property(const model::Name& catalog, const model::Name& owner);

// catalog_records, and for each zone in `dnssec_policies` (a member) its policy property.
model::RRsetMap catalog_records(const model::Name& catalog, const std::set<model::Name>& zones,
                                const std::map<model::Name, std::string>& dnssec_policies);

struct CatalogContent {
  bool known_version = false;  // version TXT "2"; otherwise nothing below may be acted on
  std::set<model::Name> members;
  // Zones named ambiguously (by two member labels, or in a member label with several PTRs): a
  // consumer neither adds nor deletes them until the catalog says one thing.
  std::set<model::Name> ambiguous;
  // The members' DNSSEC policy texts (one TXT string; not checked further here).
  std::map<model::Name, std::string> dnssec_policies;
  // Members whose policy property is malformed: their DNSSEC state is left alone.
  std::set<model::Name> dnssec_unknown;
  // What is wrong, one sentence each.
  std::vector<std::string> problems;
};

// The members of a catalog as transferred (SOA included or not). A catalog whose version is
// not "2" has no members and one problem: acting on a format we do not know could delete zones.
CatalogContent catalog_members(const model::Name& catalog, const model::RRsetMap& records);

}  // namespace zk::managed
