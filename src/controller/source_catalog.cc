#include "controller/source_catalog.h"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

#include "api/json_fields.h"
#include "api/object_meta.h"
#include "model/ascii.h"
#include "sources/httproute_source.h"

namespace zk::controller {

namespace json = boost::json;
namespace jf = api::json;
using model::Name;

std::string_view to_string(SourceKind k) {
  switch (k) {
    case SourceKind::Ingress:
      return "Ingress";
    case SourceKind::IngressRoute:
      return "IngressRoute";
    case SourceKind::HTTPRoute:
      return "HTTPRoute";
    case SourceKind::GRPCRoute:
      return "GRPCRoute";
    case SourceKind::TLSRoute:
      return "TLSRoute";
    case SourceKind::DNSEndpoint:
      return "DNSEndpoint";
  }
  return "";
}

std::string_view source_prefix(SourceKind k) {
  switch (k) {
    case SourceKind::Ingress:
      return "ingress";
    case SourceKind::IngressRoute:
      return "ingressroute";
    case SourceKind::HTTPRoute:
      return "httproute";
    case SourceKind::GRPCRoute:
      return "grpcroute";
    case SourceKind::TLSRoute:
      return "tlsroute";
    case SourceKind::DNSEndpoint:
      return "crd";
  }
  return "";
}

std::string source_id(SourceKind k, std::string_view ns, std::string_view name) {
  return fmt::format("{}/{}/{}", source_prefix(k), ns, name);
}

std::optional<SourceKind> parse_source_kind(std::string_view text) {
  const std::string t = model::ascii_lower(text);
  if (t == "ingress") return SourceKind::Ingress;
  if (t == "ingressroute") return SourceKind::IngressRoute;
  if (t == "httproute") return SourceKind::HTTPRoute;
  if (t == "grpcroute") return SourceKind::GRPCRoute;
  if (t == "tlsroute") return SourceKind::TLSRoute;
  if (t == "dnsendpoint") return SourceKind::DNSEndpoint;
  return std::nullopt;
}

std::optional<sources::RouteKind> route_kind(SourceKind k) {
  switch (k) {
    case SourceKind::HTTPRoute:
      return sources::RouteKind::HTTPRoute;
    case SourceKind::GRPCRoute:
      return sources::RouteKind::GRPCRoute;
    case SourceKind::TLSRoute:
      return sources::RouteKind::TLSRoute;
    default:
      return std::nullopt;
  }
}

size_t SourceObject::endpoint_count() const {
  size_t n = filtered.size() + unmatched.size();
  for (const auto& [z, eps] : by_zone) n += eps.size();
  return n;
}

namespace {

std::string api_version_of(SourceKind kind, const json::value& object) {
  if (const auto* av = jf::member(&object, "apiVersion"); av && av->is_string()) {
    return std::string(av->as_string());
  }
  switch (kind) {
    case SourceKind::Ingress:
      return "networking.k8s.io/v1";
    case SourceKind::IngressRoute:
      return "traefik.io/v1alpha1";
    case SourceKind::HTTPRoute:
    case SourceKind::GRPCRoute:
    case SourceKind::TLSRoute:
      return "gateway.networking.k8s.io/v1";
    case SourceKind::DNSEndpoint:
      return "externaldns.k8s.io/v1alpha1";
  }
  return "";
}

std::string string_at(const json::value* v, std::string_view key) {
  const auto* f = jf::member(v, key);
  return f && f->is_string() ? std::string(f->as_string()) : std::string();
}

// Same endpoints, problems and verdict inputs: nothing DNS-relevant changed.
bool same_data(const SourceObject& a, const SourceObject& b) {
  auto same_eps = [](const std::vector<sources::Endpoint>& x,
                     const std::vector<sources::Endpoint>& y) { return x == y; };
  return a.skipped == b.skipped && a.pending == b.pending && a.problems == b.problems &&
         a.by_zone == b.by_zone && same_eps(a.filtered, b.filtered) &&
         same_eps(a.unmatched, b.unmatched) && a.invalid == b.invalid && a.created == b.created &&
         a.ref.uid == b.ref.uid;
}

}  // namespace

SourceCatalog::SourceCatalog(SourceOptions options) : options_(std::move(options)) {
  for (const auto& z : options_.zones) zone_names_.push_back(z.name);
}

std::vector<Name> SourceCatalog::zone_names() const {
  return zone_names_;
}

const SharedZone* SourceCatalog::zone(const Name& name) const {
  for (const auto& z : options_.zones) {
    if (z.name == name) return &z;
  }
  return nullptr;
}

std::optional<std::string> SourceCatalog::filtered_out(const api::ObjectMeta& meta,
                                                       const json::value& object) const {
  if (!options_.only_namespace.empty() && meta.ns != options_.only_namespace) {
    return fmt::format("not in namespace {} (--namespace)", options_.only_namespace);
  }
  if (!options_.label_filter.matches(meta.labels)) {
    return fmt::format("labels do not match --label-filter {}", options_.label_filter.to_string());
  }
  if (!options_.annotation_filter.match_expressions.empty() ||
      !options_.annotation_filter.match_labels.empty()) {
    api::Labels annotations;
    if (const auto* a = jf::member(jf::member(&object, "metadata"), "annotations");
        a && a->is_object()) {
      for (const auto& [k, v] : a->as_object()) {
        if (v.is_string()) annotations.emplace(std::string(k), std::string(v.as_string()));
      }
    }
    if (!options_.annotation_filter.matches(annotations)) {
      return fmt::format("annotations do not match --annotation-filter {}",
                         options_.annotation_filter.to_string());
    }
  }
  return std::nullopt;
}

std::optional<SourceObject> SourceCatalog::decode(SourceKind kind,
                                                  const json::value& object) const {
  auto meta = api::decode_meta(object);
  if (!meta) return std::nullopt;
  SourceObject obj;
  obj.kind = kind;
  obj.ref = {api_version_of(kind, object),
             std::string(to_string(kind)),
             meta->ns,
             meta->name,
             meta->uid,
             meta->generation};
  obj.created = meta->created_at;
  obj.id = source_id(kind, meta->ns, meta->name);
  obj.notes = api::read_record_annotations(object);
  if (auto why = filtered_out(*meta, object)) {
    obj.skipped = *why;
    return obj;
  }
  std::vector<sources::Endpoint> endpoints;
  switch (kind) {
    case SourceKind::Ingress:
    case SourceKind::IngressRoute:
    case SourceKind::HTTPRoute:
    case SourceKind::GRPCRoute:
    case SourceKind::TLSRoute: {
      model::Parsed<sources::ObjectEndpoints> r = [&]() -> model::Parsed<sources::ObjectEndpoints> {
        if (kind == SourceKind::Ingress)
          return sources::ingress_endpoints(object, options_.ingress);
        if (kind == SourceKind::IngressRoute) {
          return sources::ingressroute_endpoints(object, options_.ingressroute);
        }
        // The parents the route names: its Gateways, its ListenerSets and their Gateways.
        std::vector<const json::value*> gateways, listener_sets;
        auto gateway = [&](const json::value* ref, const std::string& dflt_ns) {
          std::string gns = string_at(ref, "namespace");
          if (gns.empty()) gns = dflt_ns;
          auto g = gateways_.find(gns + "/" + string_at(ref, "name"));
          if (g != gateways_.end()) gateways.push_back(&g->second);
        };
        if (const auto* parents = jf::member(jf::member(&object, "status"), "parents");
            parents && parents->is_array()) {
          for (const auto& p : parents->as_array()) {
            const auto* ref = jf::member(&p, "parentRef");
            if (string_at(ref, "kind") != "ListenerSet") {
              gateway(ref, meta->ns);
              continue;
            }
            std::string lns = string_at(ref, "namespace");
            if (lns.empty()) lns = meta->ns;
            auto l = listener_sets_.find(lns + "/" + string_at(ref, "name"));
            if (l == listener_sets_.end()) continue;
            listener_sets.push_back(&l->second);
            gateway(jf::member(jf::member(&l->second, "spec"), "parentRef"), lns);
          }
        }
        return sources::route_endpoints(*route_kind(kind), object, gateways, namespace_labels_,
                                        listener_sets);
      }();
      if (!r) return std::nullopt;
      obj.skipped = r->skipped;
      obj.pending = r->pending;
      obj.problems = r->problems;
      endpoints = std::move(r->endpoints);
      break;
    }
    case SourceKind::DNSEndpoint: {
      auto r = sources::dnsendpoint_endpoints(object);
      if (!r) {
        obj.problems.push_back(r.error());
        break;
      }
      for (const auto& e : r->entries) {
        if (!e.valid()) {
          obj.invalid.push_back({obj.id, e.endpoint.dns_name, e.endpoint.record_type,
                                 std::string(sources::kEndpointInvalid), e.message});
        }
      }
      endpoints = r->endpoints();
      break;
    }
  }
  if (!obj.skipped.empty()) return obj;
  auto a = sources::assign_zones(endpoints, zone_names_, options_.filter);
  obj.by_zone = std::move(a.by_zone);
  obj.unmatched = std::move(a.unmatched);
  // Only what lies in our zones is ours to report on: with several instances (disjoint --zone
  // sets, external-dns style), the others' names are neither Filtered nor Invalid here.
  auto ours = [this](const std::string& host) {
    return sources::zone_for(host, zone_names_).has_value() || !sources::parse_hostname(host);
  };
  for (auto& e : a.filtered) {
    (ours(e.dns_name) ? obj.filtered : obj.unmatched).push_back(std::move(e));
  }
  for (auto& p : a.invalid) obj.invalid.push_back(std::move(p));
  std::erase_if(obj.invalid, [&](const auto& p) { return !ours(p.dns_name); });
  return obj;
}

std::set<Name> SourceCatalog::store(SourceObject obj) {
  std::set<Name> touched;
  auto it = objects_.find(obj.id);
  if (it != objects_.end()) {
    // Same data: nothing to do (a new owner or description is shown in the UI: it counts).
    if (same_data(it->second, obj) && it->second.notes == obj.notes) {
      it->second.ref = obj.ref;  // generation may have moved (a DNSEndpoint's status shows it)
      return touched;
    }
    for (const auto& [z, eps] : it->second.by_zone) {
      touched.insert(z);
      by_zone_[z].erase(obj.id);
    }
  }
  obj.version = next_version_++;
  for (const auto& [z, eps] : obj.by_zone) {
    touched.insert(z);
    by_zone_[z].insert(obj.id);
  }
  objects_[obj.id] = std::move(obj);
  return touched;
}

std::set<Name> SourceCatalog::drop(const std::string& id) {
  std::set<Name> touched;
  auto it = objects_.find(id);
  if (it == objects_.end()) return touched;
  for (const auto& [z, eps] : it->second.by_zone) {
    touched.insert(z);
    by_zone_[z].erase(id);
  }
  std::string ns = it->second.ref.ns;
  objects_.erase(it);
  // The last object of a deleted preview Namespace is gone: forget the Namespace too.
  if (deleted_previews_.count(ns) &&
      std::none_of(objects_.begin(), objects_.end(),
                   [&](const auto& o) { return o.second.ref.ns == ns; })) {
    deleted_previews_.erase(ns);
    previews_.erase(ns);
  }
  return touched;
}

std::set<Name> SourceCatalog::put(SourceKind kind, const json::value& object) {
  if (!options_.kinds.count(kind)) return {};
  auto obj = decode(kind, object);
  if (!obj) return {};
  if (route_kind(kind)) routes_[obj->id] = {kind, object};
  return store(std::move(*obj));
}

std::set<Name> SourceCatalog::remove(SourceKind kind, std::string_view ns, std::string_view name) {
  std::string id = source_id(kind, ns, name);
  routes_.erase(id);
  return drop(id);
}

std::set<Name> SourceCatalog::reevaluate_routes() {
  std::set<Name> touched;
  for (const auto& [id, route] : routes_) {
    if (auto obj = decode(route.first, route.second)) touched.merge(store(std::move(*obj)));
  }
  return touched;
}

std::set<Name> SourceCatalog::put_route_parent(RouteParent kind, const json::value& object) {
  auto meta = api::decode_meta(object);
  if (!meta) return {};
  std::string key = meta->ns + "/" + meta->name;
  auto& known = parents(kind);
  auto it = known.find(key);
  if (it != known.end()) {
    // Routes read the parent's spec, status and annotations only.
    auto same = [](const json::value* a, const json::value* b) {
      return (a == nullptr && b == nullptr) || (a && b && *a == *b);
    };
    const json::value& old = it->second;
    if (same(jf::member(&old, "spec"), jf::member(&object, "spec")) &&
        same(jf::member(&old, "status"), jf::member(&object, "status")) &&
        same(jf::member(jf::member(&old, "metadata"), "annotations"),
             jf::member(jf::member(&object, "metadata"), "annotations"))) {
      return {};
    }
  }
  known[key] = object;
  return reevaluate_routes();
}

std::set<Name> SourceCatalog::remove_route_parent(RouteParent kind, std::string_view ns,
                                                  std::string_view name) {
  if (!parents(kind).erase(std::string(ns) + "/" + std::string(name))) return {};
  return reevaluate_routes();
}

std::set<Name> SourceCatalog::put_namespace(const json::value& object) {
  auto meta = api::decode_meta(object);
  if (!meta) return {};
  std::set<Name> touched;
  auto& labels = namespace_labels_[meta->name];
  if (labels != meta->labels) {
    labels = meta->labels;
    touched.merge(reevaluate_routes());
  }
  deleted_previews_.erase(meta->name);
  touched.merge(set_preview(meta->name, sources::preview_of(object)));
  return touched;
}

std::set<Name> SourceCatalog::remove_namespace(std::string_view name) {
  std::set<Name> touched;
  std::string ns(name);
  if (namespace_labels_.erase(ns)) touched.merge(reevaluate_routes());
  if (auto it = previews_.find(ns); it != previews_.end() && it->second.preview) {
    // Gone (its deletion may reach us before its objects' deletions do): served no more.
    sources::Preview gone = it->second;
    gone.terminating = true;
    touched.merge(set_preview(ns, gone));
    deleted_previews_.insert(ns);
    bool empty = std::none_of(objects_.begin(), objects_.end(),
                              [&](const auto& o) { return o.second.ref.ns == ns; });
    if (empty) {
      deleted_previews_.erase(ns);
      previews_.erase(ns);
    }
  } else {
    previews_.erase(ns);
  }
  return touched;
}

std::set<Name> SourceCatalog::set_preview(const std::string& ns, const sources::Preview& p) {
  auto it = previews_.find(ns);
  sources::Preview old = it == previews_.end() ? sources::Preview{} : it->second;
  if (p == sources::Preview{}) {
    previews_.erase(ns);
  } else {
    previews_[ns] = p;
  }
  // What the records depend on: preview or not, its TTL, terminating or not.
  bool same = old.preview == p.preview &&
              (!p.preview || (old.ttl == p.ttl && old.terminating == p.terminating));
  return same ? std::set<Name>{} : touch_namespace(ns);
}

std::set<Name> SourceCatalog::touch_namespace(const std::string& ns) {
  std::set<Name> touched;
  for (auto& [id, o] : objects_) {
    if (o.ref.ns != ns) continue;
    o.version = next_version_++;  // its outcomes are to be found again
    for (const auto& [z, eps] : o.by_zone) touched.insert(z);
  }
  return touched;
}

bool SourceCatalog::withdrawn(const SourceObject& obj) const {
  if (previews_.empty()) return false;
  auto it = previews_.find(obj.ref.ns);
  return it != previews_.end() && it->second.preview && it->second.terminating;
}

const SourceObject* SourceCatalog::find(const std::string& id) const {
  auto it = objects_.find(id);
  return it == objects_.end() ? nullptr : &it->second;
}

bool SourceCatalog::older(const std::string& a, const std::string& b) const {
  const SourceObject* x = find(a);
  const SourceObject* y = find(b);
  std::optional<api::Timestamp> ca = x ? x->created : std::nullopt,
                                cb = y ? y->created : std::nullopt;
  // An object without a timestamp sorts last (it is the odd one).
  if (ca.has_value() != cb.has_value()) return ca.has_value();
  return std::tie(ca, a) < std::tie(cb, b);
}

std::vector<std::string> SourceCatalog::sources_of(const Name& zone) const {
  // (no timestamp last, timestamp, id): the order of older(), with one lookup per object.
  std::vector<std::tuple<bool, api::Timestamp, std::string_view>> keyed;
  if (auto it = by_zone_.find(zone); it != by_zone_.end()) {
    keyed.reserve(it->second.size());
    for (const auto& id : it->second) {
      const SourceObject& o = objects_.at(id);
      if (withdrawn(o)) continue;
      keyed.emplace_back(!o.created, o.created.value_or(api::Timestamp{}), id);
    }
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<std::string> ids;
  ids.reserve(keyed.size());
  for (const auto& k : keyed) ids.emplace_back(std::get<2>(k));
  return ids;
}

std::vector<sources::Endpoint> SourceCatalog::endpoints_of(
    const Name& zone, const std::vector<std::string>& ids) const {
  std::vector<sources::Endpoint> out;
  for (const auto& id : ids) {
    const SourceObject* o = find(id);
    auto it = o->by_zone.find(zone);
    if (it == o->by_zone.end()) continue;
    size_t first = out.size();
    out.insert(out.end(), it->second.begin(), it->second.end());
    if (auto p = previews_.find(o->ref.ns); p != previews_.end() && p->second.active()) {
      for (size_t i = first; i < out.size(); ++i) out[i].ttl = p->second.ttl;
    }
  }
  return out;
}

// ------------------------------------------------------------------ verdicts

namespace {

std::string listed(const std::vector<std::string>& items, size_t max = 5) {
  std::string out;
  for (size_t i = 0; i < items.size() && i < max; ++i) out += (i ? "; " : "") + items[i];
  if (items.size() > max) out += fmt::format("; and {} more", items.size() - max);
  return out;
}

// A name as served and as every other message spells it: lower case (DNS compares names
// case-insensitively; an object may write UPPER.Example.COM), without the trailing dot.
std::string what(const std::string& name, const std::string& type) {
  std::string served = model::ascii_lower(name);
  if (served.size() > 1 && served.back() == '.') served.pop_back();
  return type.empty() ? served : served + " " + type;
}

}  // namespace

std::optional<SourceVerdict> source_verdict(const SourceObject& obj,
                                            const std::vector<EndpointOutcome>& outcomes) {
  if (!obj.skipped.empty()) return std::nullopt;
  SourceVerdict v;
  std::vector<std::string> served, conflicts, failures, invalid, filtered;
  std::set<std::string> zones;
  for (const auto& o : outcomes) {
    if (o.state == kProgrammed) {
      served.push_back(what(o.dns_name, o.record_type));
      zones.insert(o.zone);
      ++v.counts["served"];
    } else if (o.state == kConflict) {
      conflicts.push_back(what(o.dns_name, o.record_type) + ": " + o.message);
      ++v.counts["conflict"];
    } else if (o.state == kFailed) {
      failures.push_back(what(o.dns_name, o.record_type) + ": " + o.message);
      ++v.counts["failed"];
    } else {
      invalid.push_back(what(o.dns_name, o.record_type) + ": " + o.message);
      ++v.counts["invalid"];
    }
  }
  for (const auto& p : obj.invalid) {
    invalid.push_back(p.message);
    ++v.counts["invalid"];
  }
  for (const auto& p : obj.problems) invalid.push_back(p);
  for (const auto& e : obj.filtered) {
    filtered.push_back(e.dns_name + ": excluded by the domain filter");
    ++v.counts["filtered"];
  }
  for (const auto& e : obj.unmatched) {
    filtered.push_back(e.dns_name + ": in no zone this controller serves (--zone)");
    ++v.counts["unmatched"];
  }
  if (served.empty() && conflicts.empty() && failures.empty() && invalid.empty() &&
      obj.filtered.empty()) {
    if (!obj.pending.empty()) return std::nullopt;  // an Ingress before its address: normal
    if (!obj.unmatched.empty()) {
      v.report = false;  // only names outside our zones: someone else's to report
      return v;
    }
  }
  auto dedup = [](std::vector<std::string>& xs) {
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (auto& x : xs) {
      if (seen.insert(x).second) out.push_back(std::move(x));
    }
    xs = std::move(out);
  };
  dedup(served);
  dedup(filtered);
  std::string served_msg =
      served.empty()
          ? std::string()
          : fmt::format("served: {} (zone {})", listed(served, 10),
                        fmt::join(std::vector<std::string>(zones.begin(), zones.end()), ", "));
  auto with_served = [&](const std::string& msg) {
    return served_msg.empty() ? msg : msg + "; " + served_msg;
  };
  v.warning = true;
  if (!failures.empty()) {
    v.ready = {"Ready", "False", std::string(kFailed), with_served(listed(failures))};
  } else if (!conflicts.empty()) {
    v.ready = {"Ready", "False", std::string(kConflict), with_served(listed(conflicts))};
  } else if (!invalid.empty()) {
    v.ready = {"Ready", "False", std::string(kInvalid), with_served(listed(invalid))};
  } else if (served.empty() && !filtered.empty()) {
    v.ready = {"Ready", "False", std::string(kFiltered), listed(filtered)};
  } else if (served.empty()) {
    if (obj.kind != SourceKind::DNSEndpoint) return std::nullopt;  // no host names: nothing to say
    v.ready = {"Ready", "True", std::string(kNoEndpoints), "spec.endpoints is empty"};
    v.warning = false;
  } else {
    v.ready = {"Ready", "True", std::string(kProgrammed),
               filtered.empty() ? served_msg : served_msg + "; ignored: " + listed(filtered)};
    v.warning = false;
  }
  return v;
}

}  // namespace zk::controller
