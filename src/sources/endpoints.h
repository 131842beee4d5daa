// external-dns' Endpoint model, and Endpoints of one zone → RRsets (pure).
//
//   Endpoint ep{"www.example.com", "", {"192.0.2.1", "2001:db8::1"}, 60, {}, {},
//   "ingress/web/www"}; auto z = endpoints_to_rrsets(Name::parse("example.com.").value(), {ep},
//   300);
//   // z.rrsets: www A 192.0.2.1 and www AAAA 2001:db8::1 (TTL 60); z.problems: empty
//
// Rules (each unit-tested in endpoints_test.cc):
// - dns_name: a host name with or without the trailing dot ("www.example.com"), case kept;
//   labels of letters, digits, '-' and '_' (1–63 octets), "*" only as the whole leftmost label
//   ("*.example.com"); it must lie in the zone (the apex is allowed).
// - record_type: A, AAAA, CNAME, TXT, MX, NS, PTR, SRV, CAA (any case). Empty → inferred from
//   the targets: IPv4 → A, IPv6 → AAAA (both may come from one endpoint), one host name → CNAME;
//   host names mixed with addresses, or several host names, are invalid.
// - targets as external-dns writes them: A/AAAA an address; CNAME/NS/PTR a host name (trailing
//   dot optional: targets are always absolute); MX "10 mail.example.com"; SRV
//   "0 50 443 host"; CAA `0 issue "ca.example"`; TXT the raw text (split at 255 octets). At
//   least one target; CNAME exactly one (after removing duplicates).
// - ttl: nullopt or 0 (external-dns: "not configured") → default_ttl; otherwise 1..2^31-1.
// - labels, provider_specific, set_identifier are carried but do not change DNS data (the
//   RFC 2136 provider has no routing policies).
// Merging in endpoints_to_rrsets: endpoints are taken in (source, input position) order.
// Identical data for one (name, type) merges; different records or TTL → the later endpoint
// gets Conflict (the earlier source keeps the name); a CNAME beside other data at a name
// likewise. So the result depends on the endpoints, not on the order of the objects.
// (Ownership by object age and the TXT registry are the controller half of issue 6.)
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/error.h"
#include "model/name.h"
#include "model/rrset.h"

namespace zk::sources {

// Problem reasons of endpoints (DNSEndpoint status uses the same words as external-dns).
inline constexpr std::string_view kEndpointInvalid = "Invalid";
inline constexpr std::string_view kEndpointConflict = "Conflict";

struct Endpoint {
  std::string dns_name;
  std::string record_type;  // A, AAAA, CNAME, TXT, MX, NS, PTR, SRV, CAA; "" = infer
  std::vector<std::string> targets;
  std::optional<int64_t> ttl;
  std::map<std::string, std::string> labels;
  std::vector<std::pair<std::string, std::string>> provider_specific;
  std::string source;  // "kind/ns/name", e.g. "ingress/web/www", "crd/dns/records"
  std::string set_identifier;
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

struct EndpointProblem {
  std::string source;
  std::string dns_name;
  std::string record_type;
  std::string reason;   // kEndpointInvalid or kEndpointConflict
  std::string message;  // names the field or the winner
  friend bool operator==(const EndpointProblem&, const EndpointProblem&) = default;
};

struct ZoneEndpoints {
  model::RRsetMap rrsets;
  // Which sources contributed each RRset (sorted, unique): for Events and the zone status.
  std::map<model::RRsetKey, std::vector<std::string>> sources;
  std::vector<EndpointProblem> problems;
};

// A host name as Endpoints carry it (see rules above) → absolute Name. Error names the problem.
model::Parsed<model::Name> parse_hostname(std::string_view host);

// "A", "AAAA", ... (any case) → type; unsupported types (NAPTR, DNAME…) are an error.
model::Parsed<model::RRType> parse_endpoint_type(std::string_view type);

// Validates one endpoint (independent of any zone) and builds its RRsets: one, or an A and an
// AAAA set when record_type is empty and targets hold both families.
model::Parsed<std::vector<model::RRset>> endpoint_rrsets(const Endpoint& ep, uint32_t default_ttl);

// Endpoints of one zone → RRsets. Endpoints outside `zone` are Invalid ("not in zone").
// Who wins a name: ById — the smaller source id (the result does not depend on input order);
// AsGiven — the earlier endpoint (the caller orders by priority, e.g. object age).
enum class SourceOrder { ById, AsGiven };
ZoneEndpoints endpoints_to_rrsets(const model::Name& zone, const std::vector<Endpoint>& endpoints,
                                  uint32_t default_ttl, SourceOrder order = SourceOrder::ById);

// Targets → typed endpoints the way external-dns' sources do it: IPv4 → A, IPv6 → AAAA, other
// values → CNAME (one endpoint per non-empty type, targets de-duplicated, input order kept).
std::vector<Endpoint> endpoints_for_targets(const std::string& dns_name,
                                            const std::vector<std::string>& targets,
                                            std::optional<int64_t> ttl, const std::string& source);

bool is_ipv4(std::string_view s);
bool is_ipv6(std::string_view s);

}  // namespace zk::sources
