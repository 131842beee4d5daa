// networking.k8s.io/v1 Ingress JSON → Endpoints (pure).
//
//   IngressOptions opt{.ingress_classes = {"nginx"}};
//   auto r = ingress_endpoints(boost::json::parse(ingress_json), opt);
//   if (!r) ...;                       // not an identifiable object (no metadata.name)
//   r->skipped / r->problems / r->endpoints
//
// Rules (each unit-tested in ingress_source_test.cc):
// - Class: when `ingress_classes` is non-empty, the Ingress's class must be in it — the class
//   is spec.ingressClassName, else the kubernetes.io/ingress.class annotation (external-dns'
//   order); an Ingress without a class is skipped. Empty set: every Ingress.
// - Opt-out: see annotations.h (dns.zonekeeper.io/exclude, external-dns' controller).
// - Host names: spec.rules[].host, then spec.tls[].hosts[], then the hostname annotation,
//   de-duplicated case-insensitively, first spelling kept; wildcards stay ("*.example.com").
//   external-dns.alpha.kubernetes.io/ingress-hostname-source (either external-dns prefix):
//   "defined-hosts-only" ignores the annotation, "annotation-only" ignores the spec.
// - Targets, first non-empty of: the target annotation; `default_targets`;
//   status.loadBalancer.ingress[] (ip, else hostname). When targets mix addresses and host
//   names, only the addresses are used (A/AAAA beside a CNAME is invalid DNS; external-dns
//   would emit both) and, for annotation or default targets, a problem says so. No target → no
//   endpoints and `pending` ("no target yet": the load balancer has not given an address).
// - Endpoints: one per (host, type) via endpoints_for_targets; TTL from the ttl annotation;
//   source "ingress/ns/name"; label "resource" = the source.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "model/error.h"
#include "sources/annotations.h"

namespace zk::sources {

struct IngressOptions {
  std::set<std::string> ingress_classes;     // empty: all Ingresses
  std::vector<std::string> default_targets;  // replaces status addresses when non-empty
};

model::Parsed<ObjectEndpoints> ingress_endpoints(const boost::json::value& ingress,
                                                 const IngressOptions& options);

}  // namespace zk::sources
