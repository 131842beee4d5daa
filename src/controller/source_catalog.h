// The Ingress, IngressRoute, HTTPRoute and DNSEndpoint objects the controller serves into its
// shared zones (--zone), decoded once per event into Endpoints assigned to zones (pure: no I/O).
//
//   SourceCatalog cat(options);                        // shared zones, filters, source options
//   auto zones = cat.put(SourceKind::Ingress, json);   // the zones whose data may have changed
//   auto eps = cat.endpoints_of(zone);                 // oldest object first (conflict winner)
//   auto v = source_verdict(*cat.find(id), outcomes);  // what its status / Event says
//
// Rules (each unit-tested in source_catalog_test.cc):
// - An object's endpoints come from the pure sources (src/sources); each lands in the longest
//   shared zone containing its name, after the domain filter (sources/zone_match.h).
// - HTTPRoutes are re-evaluated when a Gateway or a Namespace's labels change (listener
//   allowedRoutes and addresses live there).
// - Priority: the older object (creationTimestamp, then "kind/ns/name") wins a name two objects
//   want with different data; so a new object never takes a name away (no flapping).
// - put/remove return the zones that held or now hold the object's endpoints; an object that
//   changed nothing DNS-relevant (our own status writes coming back) returns none.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "api/label_selector.h"
#include "api/object_meta.h"
#include "api/reasons.h"
#include "api/record_annotations.h"
#include "controller/status.h"
#include "model/name.h"
#include "plan/owned_plan.h"
#include "sources/dnsendpoint_source.h"
#include "sources/endpoints.h"
#include "sources/httproute_source.h"
#include "sources/ingress_source.h"
#include "sources/ingressroute_source.h"
#include "sources/preview.h"
#include "sources/zone_match.h"

namespace zk::controller {

enum class SourceKind { Ingress, IngressRoute, HTTPRoute, GRPCRoute, TLSRoute, DNSEndpoint };
inline constexpr SourceKind kAllSourceKinds[] = {SourceKind::Ingress,   SourceKind::IngressRoute,
                                                 SourceKind::HTTPRoute, SourceKind::GRPCRoute,
                                                 SourceKind::TLSRoute,  SourceKind::DNSEndpoint};
// "Ingress", "IngressRoute", "HTTPRoute", "GRPCRoute", "TLSRoute", "DNSEndpoint"
std::string_view to_string(SourceKind k);
// "ingress", "ingressroute", "httproute", "grpcroute", "tlsroute", "crd"
std::string_view source_prefix(SourceKind k);
// The Gateway API route kind of a source kind (HTTPRoute, GRPCRoute, TLSRoute), if it is one.
std::optional<sources::RouteKind> route_kind(SourceKind k);
// "ingress/ns/name": the object's id, and its external-dns/resource label.
std::string source_id(SourceKind k, std::string_view ns, std::string_view name);
// "ingress", "ingressroute", "httproute", "grpcroute", "tlsroute", "dnsendpoint" (any case).
std::optional<SourceKind> parse_source_kind(std::string_view text);

// A zone the sources write into (--zone NAME=NS/DNSSERVER), shared with people and tools.
// The objects a Gateway API route attaches to (gateway.networking.k8s.io/v1).
enum class RouteParent { Gateway, ListenerSet };

struct SharedZone {
  model::Name name;
  std::vector<std::string> servers;  // "ns/name" of DNSServer objects (role Primary)
};

struct SourceOptions {
  SourceOptions() { registry.owner_id = "zonekeeper"; }
  std::vector<SharedZone> zones;
  std::set<SourceKind> kinds;     // enabled sources
  plan::RegistryConfig registry;  // owner id "zonekeeper" unless --txt-owner-id
  plan::Policy policy = plan::Policy::Sync;
  sources::DomainFilter filter;
  sources::IngressOptions ingress;
  sources::IngressRouteOptions ingressroute;
  uint32_t default_ttl = 300;
  // external-dns --namespace, --label-filter, --annotation-filter: only the source objects in
  // this namespace ("" = all) whose labels / annotations match are read; the others are
  // skipped (no records, no status, no Events). The wiring also filters its watches so.
  std::string only_namespace;
  api::LabelSelector label_filter = api::LabelSelector::everything();
  api::LabelSelector annotation_filter = api::LabelSelector::everything();
};

struct SourceObject {
  SourceKind kind{};
  ObjectRef ref;
  std::optional<api::Timestamp> created;  // metadata.creationTimestamp (none: absent or malformed)
  std::string id;                         // "ingress/ns/name" — external-dns/resource
  uint64_t version = 0;                   // bumped whenever its endpoints change
  std::string skipped;                    // not ours to serve (IngressClass, opt-out, apiVersion)
  std::string pending;  // waits for an address (an Ingress before its load balancer's)
  std::vector<std::string> problems;  // object-level: unparsable rule, no target, bad entry
  std::map<model::Name, std::vector<sources::Endpoint>> by_zone;
  // In one of our zones but refused by the domain filter.
  std::vector<sources::Endpoint> filtered;
  // In none of our zones (filtered or not): another instance's, or nobody's. Counted only.
  std::vector<sources::Endpoint> unmatched;
  // Invalid endpoints named in our zones (or whose name is no host name at all).
  std::vector<sources::EndpointProblem> invalid;
  api::HeldAnnotations notes;  // dns.zonekeeper.io/owner, /description (shown in the UI)
  size_t endpoint_count() const;
};

class SourceCatalog {
 public:
  explicit SourceCatalog(SourceOptions options);
  const SourceOptions& options() const { return options_; }
  bool enabled() const { return !options_.zones.empty() && !options_.kinds.empty(); }
  std::vector<model::Name> zone_names() const;
  const SharedZone* zone(const model::Name& name) const;

  std::set<model::Name> put(SourceKind kind, const boost::json::value& object);
  std::set<model::Name> remove(SourceKind kind, std::string_view ns, std::string_view name);
  // The parents routes read: Gateways and ListenerSets (their spec, status and annotations).
  std::set<model::Name> put_route_parent(RouteParent kind, const boost::json::value& object);
  std::set<model::Name> remove_route_parent(RouteParent kind, std::string_view ns,
                                            std::string_view name);
  // Namespaces: their labels (HTTPRoute allowedRoutes selectors) and preview annotations.
  std::set<model::Name> put_namespace(const boost::json::value& object);
  std::set<model::Name> remove_namespace(std::string_view name);
  // The preview state of each Namespace that has one (sources/preview.h).
  const std::map<std::string, sources::Preview>& previews() const { return previews_; }

  const SourceObject* find(const std::string& id) const;
  const std::map<std::string, SourceObject>& objects() const { return objects_; }
  // Ids of the objects with endpoints in `zone`, oldest first; not those of a preview
  // Namespace that is being deleted (their records go now, not when the objects do).
  std::vector<std::string> sources_of(const model::Name& zone) const;
  // The endpoints in `zone` of those objects (ids from sources_of), in that order: the input
  // of sources::endpoints_to_rrsets with SourceOrder::AsGiven. Those of a preview Namespace
  // carry its TTL.
  std::vector<sources::Endpoint> endpoints_of(const model::Name& zone,
                                              const std::vector<std::string>& ids) const;
  bool older(const std::string& a, const std::string& b) const;

 private:
  std::set<model::Name> store(SourceObject obj);
  std::set<model::Name> drop(const std::string& id);
  std::set<model::Name> reevaluate_routes();
  std::set<model::Name> set_preview(const std::string& ns, const sources::Preview& preview);
  std::set<model::Name> touch_namespace(const std::string& ns);
  bool withdrawn(const SourceObject& obj) const;
  std::optional<SourceObject> decode(SourceKind kind, const boost::json::value& object) const;
  // Why an object is not read (--namespace, --label-filter, --annotation-filter), if it is not.
  std::optional<std::string> filtered_out(const api::ObjectMeta& meta,
                                          const boost::json::value& object) const;

  SourceOptions options_;
  std::vector<model::Name> zone_names_;
  std::map<std::string, SourceObject> objects_;           // by id
  std::map<model::Name, std::set<std::string>> by_zone_;  // zone → ids
  // Gateway API routes by id (re-read when a Gateway or a Namespace's labels change).
  std::map<std::string, std::pair<SourceKind, boost::json::value>> routes_;
  std::map<std::string, boost::json::value> gateways_;       // "ns/name"
  std::map<std::string, boost::json::value> listener_sets_;  // "ns/name"
  std::map<std::string, boost::json::value>& parents(RouteParent kind) {
    return kind == RouteParent::Gateway ? gateways_ : listener_sets_;
  }
  std::map<std::string, api::Labels> namespace_labels_;
  std::map<std::string, sources::Preview> previews_;  // namespaces with preview annotations
  std::set<std::string> deleted_previews_;  // gone from the API; kept until their objects are
  uint64_t next_version_ = 1;
};

// What one endpoint became in its zone's last reconcile.
struct EndpointOutcome {
  std::string dns_name;
  std::string record_type;
  std::string zone;
  std::string state;  // kProgrammed, kConflict, kFailed, kInvalid
  std::string message;
  friend bool operator==(const EndpointOutcome&, const EndpointOutcome&) = default;
};

// Reasons of a source object's Ready condition (DNSEndpoint) and Events (the others): the
// contract lives with every other reason in api/reasons.h.
using api::reasons::kConflict;
using api::reasons::kFailed;
using api::reasons::kFiltered;
using api::reasons::kInvalid;
using api::reasons::kNoEndpoints;
using api::reasons::kProgrammed;

struct SourceVerdict {
  // False when nothing of the object is ours to speak about (only names outside our zones):
  // several instances with disjoint --zone sets must not overwrite each other's status.
  bool report = true;
  ConditionSpec ready;  // type Ready
  bool warning = false;
  // How many endpoints ended in each state ("served", "conflict", "failed", "invalid",
  // "filtered", "unmatched"): the zonekeeper_source_endpoints gauge.
  std::map<std::string, size_t> counts;
};

// The object's Ready condition from its decoding and the outcomes of its endpoints in every
// zone. Worst first: Failed > Conflict > Invalid > Filtered (nothing servable) > Programmed.
// nullopt when there is nothing to say (skipped objects, objects without host names, an
// Ingress waiting for its address); report=false when only other zones are concerned.
std::optional<SourceVerdict> source_verdict(const SourceObject& obj,
                                            const std::vector<EndpointOutcome>& outcomes);

}  // namespace zk::controller
