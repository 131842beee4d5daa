// Which zone an endpoint's host name lands in, and external-dns' domain filters (pure).
//
//   DomainFilter f{{"example.com"}, {"internal.example.com"}};
//   auto a = assign_zones(endpoints, {Name::parse("example.com.").value(),
//                                     Name::parse("eu.example.com.").value()}, f);
//   a.by_zone[eu]  — endpoints under eu.example.com (the longest matching zone)
//   a.unmatched    — in no zone (count them); a.filtered — removed by the filter
//
// Rules (each unit-tested in zone_match_test.cc):
// - Zone: the longest configured zone of which the host name is a label-wise suffix (or equal),
//   case-insensitively, trailing dots ignored: "a.eu.example.com" → eu.example.com, not
//   example.com; "myexample.com" is not in example.com. "*.example.com" is in example.com.
// - DomainFilter (external-dns --domain-filter / --exclude-domains, endpoint/domain_filter.go):
//   entries are trimmed, lowercased, trailing dot removed. An entry "example.com" matches
//   example.com and every name below it; ".example.com" (leading dot) only names strictly below.
//   A name passes when `include` is empty or an include entry matches, and no exclude entry
//   matches. (external-dns' regex filters are not supported.)
// - Order: filter first (filtered endpoints are not counted as unmatched), then zones.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/name.h"
#include "sources/endpoints.h"

namespace zk::sources {

struct DomainFilter {
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  bool matches(std::string_view host) const;
};

// The longest zone containing `host` (a host name as Endpoints carry it); nullopt when none
// does or `host` is not a valid host name.
std::optional<model::Name> zone_for(std::string_view host, const std::vector<model::Name>& zones);

struct ZoneAssignment {
  std::map<model::Name, std::vector<Endpoint>> by_zone;  // input order kept within a zone
  std::vector<Endpoint> unmatched;                       // valid names in no zone
  std::vector<Endpoint> filtered;                        // refused by the DomainFilter
  std::vector<EndpointProblem> invalid;                  // dns_name is not a host name
};

ZoneAssignment assign_zones(const std::vector<Endpoint>& endpoints,
                            const std::vector<model::Name>& zones, const DomainFilter& filter);

}  // namespace zk::sources
