// Domain names as written in our specs: relative to the zone unless they end with a dot, "@"
// for the apex. Beyond DNS's own limits (no empty label, ≤ 63-octet labels, ≤ 255-octet
// names) the characters follow the CRD schema, so local mode (no API server, no schema)
// refuses exactly what the cluster refuses:
//   - labels: letters, digits, '-' and '_', not starting or ending with '-';
//   - host names (A/AAAA owners, NS/MX/SRV targets, name servers): no '_' (BIND's default
//     `check-names primary fail` refuses them in UPDATEs);
//   - '*' only as the whole leftmost label of an owner (a wildcard);
//   - "." (the root) only where DNS gives it a meaning (null MX, SRV "no service").
//
//   auto www = parse_spec_name("www", zone, NameRule::HostOwner);   // www.example.test.
//   parse_spec_name("a..b", zone, NameRule::Domain).error();   // "\"a..b\": empty label ..."
#pragma once

#include <string_view>

#include "model/error.h"
#include "model/name.h"

namespace zk::api {

enum class NameRule {
  Owner,       // record owner: wildcard allowed, '_' allowed
  HostOwner,   // A/AAAA owner: wildcard allowed, no '_'
  Domain,      // CNAME/PTR target: '_' allowed
  Host,        // NS target, name server, SOA MNAME: no '_'
  HostOrRoot,  // MX exchange, SRV target: a host name or "."
};

// The error names the value, not the field: callers prefix "spec.target: ".
model::Parsed<model::Name> parse_spec_name(std::string_view text, const model::Name& zone,
                                           NameRule rule);

// Checks the characters of every label of `name` against `rule` (used for names that did not
// come from presentation text, e.g. a zone name).
model::Parsed<bool> check_name_labels(const model::Name& name, NameRule rule,
                                      std::string_view shown_as);

}  // namespace zk::api
