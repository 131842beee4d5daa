// Gateway API routes (gateway.networking.k8s.io/v1 HTTPRoute, GRPCRoute, TLSRoute) + their parent
// Gateways → Endpoints (pure).
//
//   auto r = route_endpoints(RouteKind::HTTPRoute, route, {&gateway}, {{"shop", {{"team", "a"}}}});
//   r->endpoints; r->problems; r->skipped
//
// Rules (each unit-tested in httproute_source_test.cc; external-dns docs/sources/gateway.md and
// the Gateway API spec's hostname rules):
// - Parents: status.parents[] whose parentRef is a Gateway (or a ListenerSet, below; group
// gateway.networking.k8s.io,
//   kind Gateway, both defaulted; namespace defaults to the route's) with condition
//   Accepted=True. A Gateway missing from `gateways` is a problem.
// - Listeners of that Gateway: the one named parentRef.sectionName when set; port ==
//   parentRef.port when set; a protocol that carries the kind (HTTPRoute and GRPCRoute: HTTP or
//   HTTPS; TLSRoute: TLS); allowedRoutes.kinds (when non-empty) must list the kind (group
//   defaulted); allowedRoutes.namespaces.from Same (default: the route's
//   namespace is the Gateway's), All, or Selector (the label selector matched against
//   `namespace_labels[route namespace]`; unknown namespace = no labels).
// - Host names: spec.hostnames plus the hostname annotation. For each matching listener, each
//   route host name is intersected with the listener's hostname (Gateway API): no listener
//   hostname → the route's; equal → it; listener "*.example.com" matches any name strictly
//   below example.com at any depth (a.example.com, a.b.example.com, *.a.example.com) but not
//   example.com → the route's name; route "*.example.com" over listener "a.example.com" → the
//   listener's (the more specific). A route without host names takes the listener's hostname
//   (nothing when the listener has none either).
// - Targets per host name: the union over the Gateways that produced it of the Gateway's
//   target annotation, else its status.addresses[] of type IPAddress (the default) or Hostname.
//   Addresses win over host names when mixed (a problem says so).
// - ListenerSet parents (gateway.networking.k8s.io/v1 ListenerSet, GEP-1713): parentRef kind
//   ListenerSet, Accepted=True. Its spec.listeners are matched exactly as a Gateway's (`Same`
//   is the ListenerSet's namespace); the targets are those of its spec.parentRef Gateway, which
//   must admit the ListenerSet's namespace (spec.allowedListeners.namespaces.from: None by
//   default, Same, All, Selector) — else, or when either is missing, a problem.
// - Route annotations: ttl, hostname, opt-out (annotations.h); the Gateway's only target.
// - Endpoints: source "httproute/ns/name" ("grpcroute/…", "tlsroute/…"), label "resource".
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "api/label_selector.h"
#include "model/error.h"
#include "sources/annotations.h"

namespace zk::sources {

// The Gateway API hostname intersection of a route host name and a listener hostname ("" =
// none): the host name to serve, or nullopt when they do not intersect.
std::optional<std::string> intersect_hostnames(std::string_view route_host,
                                               std::string_view listener_host);

enum class RouteKind { HTTPRoute, GRPCRoute, TLSRoute };
std::string_view to_string(RouteKind kind);  // "HTTPRoute", …

// `listener_sets`: the ListenerSets the route names as parents (their Gateways in `gateways`).
model::Parsed<ObjectEndpoints> route_endpoints(
    RouteKind kind, const boost::json::value& route,
    const std::vector<const boost::json::value*>& gateways,
    const std::map<std::string, api::Labels>& namespace_labels,
    const std::vector<const boost::json::value*>& listener_sets = {});

inline model::Parsed<ObjectEndpoints> httproute_endpoints(
    const boost::json::value& route, const std::vector<const boost::json::value*>& gateways,
    const std::map<std::string, api::Labels>& namespace_labels) {
  return route_endpoints(RouteKind::HTTPRoute, route, gateways, namespace_labels);
}

}  // namespace zk::sources
