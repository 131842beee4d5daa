// What the Ingress, IngressRoute and HTTPRoute sources share: the annotations they read (ours
// and external-dns'), and the result of turning one object into Endpoints (pure).
//
// Annotation names, in precedence order (the first present wins):
//   dns.zonekeeper.io/X  >  external-dns.kubernetes.io/X  >  external-dns.alpha.kubernetes.io/X
// for X in hostname, ttl, target (external-dns renamed its prefix in v0.22.0; manifests use
// both). Opt-out: dns.zonekeeper.io/exclude: "true", or external-dns' own rule — a
// `controller` annotation (either external-dns prefix) with a value other than
// "dns-controller". external-dns has no "exclude" annotation.
//   hostname: comma-separated host names, added to those of the spec
//   target:   comma-separated targets replacing the object's addresses (IPv4 → A, IPv6 → AAAA,
//             anything else → CNAME)
//   ttl:      integer seconds or a Go duration ("90s", "1h30m"), 1..2147483647; "0" means
//             not configured (external-dns). An invalid value is a problem; the default applies.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "model/error.h"
#include "sources/endpoints.h"

namespace zk::sources {

inline constexpr std::string_view kZkPrefix = "dns.zonekeeper.io/";
inline constexpr std::string_view kExtDnsPrefix = "external-dns.kubernetes.io/";
inline constexpr std::string_view kExtDnsAlphaPrefix = "external-dns.alpha.kubernetes.io/";

// One object (Ingress, IngressRoute, HTTPRoute) → Endpoints.
struct ObjectEndpoints {
  std::vector<Endpoint> endpoints;
  // Problems worth an Event on the object ("spec.routes[1].match: at 4: expected ')'…", "no
  // target: status.loadBalancer.ingress is empty"); the other endpoints are still produced.
  std::vector<std::string> problems;
  // Non-empty when the object is not ours to serve, and why (IngressClass, opt-out, group).
  std::string skipped;
  // Non-empty when the object waits for something that normally comes by itself (an Ingress
  // whose load balancer has no address yet): not a problem, nothing to report.
  std::string pending;
  friend bool operator==(const ObjectEndpoints&, const ObjectEndpoints&) = default;
};

struct Annotations {
  std::vector<std::string> hostnames;
  std::vector<std::string> targets;
  std::optional<int64_t> ttl;
  std::string excluded;  // non-empty: why the object opted out
  std::vector<std::string> problems;
};

// Reads metadata.annotations of `object` (absent → all empty).
Annotations read_annotations(const boost::json::value& object);

// The value of annotation `name` ("hostname", "ttl"…) under the first prefix that has it.
std::optional<std::string> annotation(const boost::json::value& object, std::string_view name);

// "60", "90s", "1h30m", "1.5h" → seconds; 0 → nullopt (not configured). Errors name the value.
model::Parsed<std::optional<int64_t>> parse_ttl(std::string_view text);

// "a, b,,c " → {"a", "b", "c"}.
std::vector<std::string> split_list(std::string_view text);

// "kind/ns/name" from metadata (name required). `kind` lowercased by the caller.
model::Parsed<std::string> source_id(std::string_view kind, const boost::json::value& object);

}  // namespace zk::sources
