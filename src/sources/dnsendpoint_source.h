// externaldns.k8s.io/v1alpha1 DNSEndpoint JSON → Endpoints, with a verdict per spec.endpoints[]
// entry so the controller can write the DNSEndpoint's status (pure).
//
//   auto r = dnsendpoint_endpoints(boost::json::parse(json));
//   for (auto& e : r->entries) if (!e.valid()) ...;   // reason "Invalid", message names the field
//
// The spec is external-dns' (endpoint.Endpoint): dnsName, targets, recordType, recordTTL,
// labels, providerSpecific [{name, value}], setIdentifier — existing manifests work unchanged.
// Rules (each unit-tested in dnsendpoint_source_test.cc):
// - An entry is Invalid when endpoint_rrsets (endpoints.h) refuses it, or when a field has the
//   wrong JSON type. As in external-dns, A/AAAA/CNAME need at least one target, and A/AAAA
//   targets must not end in '.'; name targets (CNAME, NS, PTR, MX, SRV) may (external-dns
//   accepts the trailing dot for CNAME since 2025). recordTTL 0 or absent = not configured.
// - recordType empty → inferred from the targets (endpoints.h). external-dns has no inference;
//   we chose it over Invalid because the result is the only sensible reading.
// - Unsupported types (NAPTR, DNAME…) are Invalid naming the supported ones.
// - The other entries are still served; the source is "crd/ns/name" (external-dns' resource
//   label) and every endpoint carries label "resource" = that source.
// - spec.endpoints absent or empty: no entries (valid).
#pragma once

#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "model/error.h"
#include "sources/endpoints.h"

namespace zk::sources {

struct DnsEndpointEntry {
  size_t index = 0;     // position in spec.endpoints
  Endpoint endpoint;    // as decoded (as far as decoding got)
  std::string reason;   // "" when valid, else kEndpointInvalid
  std::string message;  // "spec.endpoints[2]: recordType \"NAPTR\" is not supported…"
  bool valid() const { return reason.empty(); }
  friend bool operator==(const DnsEndpointEntry&, const DnsEndpointEntry&) = default;
};

struct DnsEndpointResult {
  std::string source;                       // "crd/ns/name"
  std::vector<DnsEndpointEntry> entries;    // one per spec.endpoints[] element
  std::vector<Endpoint> endpoints() const;  // the valid ones
};

// Fails only when the object cannot be identified (no metadata.name, not an object) or
// spec.endpoints is not a list.
model::Parsed<DnsEndpointResult> dnsendpoint_endpoints(const boost::json::value& object);

}  // namespace zk::sources
