// Traefik IngressRoute JSON (traefik.io/v1alpha1; traefik.containo.us/v1alpha1 when enabled)
// → Endpoints (pure).
//
//   auto r = ingressroute_endpoints(boost::json::parse(json), {.default_targets = {"192.0.2.1"}});
//   r->endpoints; r->problems (one per rule that does not parse: for an Event); r->skipped
//
// Rules (each unit-tested in ingressroute_source_test.cc):
// - apiVersion traefik.io/v1alpha1 always; traefik.containo.us/v1alpha1 (Traefik v2's group,
//   removed in v3) only with `legacy_group`; any other apiVersion is skipped. An absent
//   apiVersion is accepted (the caller knows what it listed).
// - Opt-out and annotations: annotations.h (hostname adds hosts, ttl, target).
// - Host names: traefik_rule_hosts of every spec.routes[].match, in route order, de-duplicated
//   case-insensitively, then the hostname annotation. A rule that does not parse adds the
//   problem "spec.routes[i].match: at N: expected …" and the other routes still count.
// - Targets: the target annotation, else `default_targets`. IngressRoute has no status
//   address, so without either: no endpoints and a problem. Addresses win over host names when
//   mixed (as for Ingress).
// - Endpoints: source "ingressroute/ns/name", label "resource".
#pragma once

#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "model/error.h"
#include "sources/annotations.h"

namespace zk::sources {

struct IngressRouteOptions {
  std::vector<std::string> default_targets;
  bool legacy_group = false;  // also accept traefik.containo.us/v1alpha1
};

model::Parsed<ObjectEndpoints> ingressroute_endpoints(const boost::json::value& route,
                                                      const IngressRouteOptions& options);

}  // namespace zk::sources
