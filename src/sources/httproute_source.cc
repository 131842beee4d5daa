#include "sources/httproute_source.h"

#include <algorithm>

#include <fmt/format.h>

#include "api/json_fields.h"
#include "model/ascii.h"

namespace zk::sources {

namespace json = api::json;

namespace {

constexpr std::string_view kGatewayGroup = "gateway.networking.k8s.io";

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string str(const boost::json::value* obj, std::string_view key, std::string_view dflt = "") {
  const auto* v = json::member(obj, key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string(dflt);
}

std::optional<int64_t> integer(const boost::json::value* obj, std::string_view key) {
  const auto* v = json::member(obj, key);
  if (v && v->is_int64()) return v->as_int64();
  if (v && v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
  return std::nullopt;
}

const boost::json::array* arr(const boost::json::value* obj, std::string_view key) {
  const auto* v = json::member(obj, key);
  return v && v->is_array() ? &v->as_array() : nullptr;
}

bool accepted(const boost::json::value& parent) {
  if (const auto* conds = arr(&parent, "conditions")) {
    for (const auto& c : *conds) {
      if (str(&c, "type") == "Accepted" && str(&c, "status") == "True") return true;
    }
  }
  return false;
}

bool carries(std::string_view protocol, RouteKind kind) {
  if (kind == RouteKind::TLSRoute) return protocol == "TLS";
  return protocol == "HTTP" || protocol == "HTTPS";
}

// A Gateway API namespace admission (a listener's allowedRoutes.namespaces, a Gateway's
// spec.allowedListeners.namespaces): `from` All, Same, Selector or None (`default_from` when
// unset) of `member`s in other namespaces.
struct NamespaceAdmission {
  const boost::json::value* namespaces;  // the object holding from and selector; may be null
  std::string_view path;                 // its path, for messages
  std::string_view default_from;
  std::string_view member;  // "the route", "the ListenerSet"
};

// Does `a`, on an object in `owner_ns`, admit a member in `member_ns`? "" when it does, else
// why not. Error: a problem in the owner's spec (`where` names the owner).
model::Parsed<std::string> namespace_refusal(const NamespaceAdmission& a,
                                             const std::string& owner_ns,
                                             const std::string& member_ns,
                                             const std::map<std::string, api::Labels>& ns_labels,
                                             const std::string& where) {
  const std::string from = str(a.namespaces, "from", a.default_from);
  if (from == "All") return std::string();
  if (from == "None") {
    return fmt::format("{}: {}.from is None{}", where, a.path,
                       a.default_from == "None" ? " (the default)" : "");
  }
  if (from == "Same") {
    if (owner_ns == member_ns) return std::string();
    return fmt::format("{}: {}.from is Same (namespace {}) and {} is in {}", where, a.path,
                       owner_ns, a.member, member_ns);
  }
  if (from == "Selector") {
    auto sel = api::LabelSelector::decode(json::member(a.namespaces, "selector"),
                                          fmt::format("{}.{}.selector", where, a.path));
    if (!sel) return tl::unexpected(sel.error());
    auto it = ns_labels.find(member_ns);
    if (sel->matches(it == ns_labels.end() ? api::Labels{} : it->second)) return std::string();
    return fmt::format("{}: {}.selector does not match the labels of namespace {}", where, a.path,
                       member_ns);
  }
  return model::invalid(fmt::format("{}.{}.from: unknown value \"{}\"", where, a.path, from));
}

// Does `listener` of a Gateway in `gw_ns` admit a route of `kind` in `route_ns`? "" when it
// does, else why not (for the route's message). Error: a problem in the Gateway's spec.
model::Parsed<std::string> listener_refusal(RouteKind kind, const boost::json::value& listener,
                                            const std::string& gw_ns, const std::string& route_ns,
                                            const std::map<std::string, api::Labels>& ns_labels,
                                            const std::string& where) {
  std::string proto = str(&listener, "protocol");
  std::string_view kind_name = to_string(kind);
  if (!carries(proto, kind)) {
    return fmt::format("{}: protocol {} carries no {}s", where, proto, kind_name);
  }
  const auto* allowed = json::member(&listener, "allowedRoutes");
  if (const auto* kinds = arr(allowed, "kinds"); kinds && !kinds->empty()) {
    bool ok = std::any_of(kinds->begin(), kinds->end(), [&](const boost::json::value& k) {
      return str(&k, "kind") == kind_name && str(&k, "group", kGatewayGroup) == kGatewayGroup;
    });
    if (!ok) return fmt::format("{}: allowedRoutes.kinds does not include {}", where, kind_name);
  }
  return namespace_refusal(
      {json::member(allowed, "namespaces"), "allowedRoutes.namespaces", "Same", "the route"}, gw_ns,
      route_ns, ns_labels, where);
}

const boost::json::value* find_object(const std::vector<const boost::json::value*>& objects,
                                      const std::string& ns, const std::string& name) {
  for (const auto* o : objects) {
    const auto* md = json::member(o, "metadata");
    if (str(md, "name") == name && str(md, "namespace") == ns) return o;
  }
  return nullptr;
}

bool is_parent_kind(const boost::json::value* ref) {
  if (str(ref, "group", kGatewayGroup) != kGatewayGroup) return false;
  const std::string kind = str(ref, "kind", "Gateway");
  return kind == "Gateway" || kind == "ListenerSet";
}

// Does Gateway `gw` (in `gw_ns`) let ListenerSets of `ls_ns` attach (its
// spec.allowedListeners.namespaces.from: None by default, Same, All, Selector)? "" when it
// does, else why not. Error: a problem in the Gateway's spec.
model::Parsed<std::string> listener_set_refusal(const boost::json::value& gw,
                                                const std::string& gw_ns, const std::string& ls_ns,
                                                const std::map<std::string, api::Labels>& ns_labels,
                                                const std::string& where) {
  const auto* nss =
      json::member(json::member(json::member(&gw, "spec"), "allowedListeners"), "namespaces");
  return namespace_refusal({nss, "spec.allowedListeners.namespaces", "None", "the ListenerSet"},
                           gw_ns, ls_ns, ns_labels, where);
}

std::vector<std::string> gateway_targets(const boost::json::value& gw) {
  if (auto t = annotation(gw, "target")) return split_list(*t);
  std::vector<std::string> out;
  if (const auto* addrs = arr(json::member(&gw, "status"), "addresses")) {
    for (const auto& a : *addrs) {
      std::string type = str(&a, "type", "IPAddress");
      std::string value = str(&a, "value");
      if ((type == "IPAddress" || type == "Hostname") && !value.empty()) out.push_back(value);
    }
  }
  return out;
}

void add_unique(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

}  // namespace

std::optional<std::string> intersect_hostnames(std::string_view route_host,
                                               std::string_view listener_host) {
  if (listener_host.empty()) return std::string(route_host);
  std::string r = model::ascii_lower(route_host), l = model::ascii_lower(listener_host);
  if (r == l) return std::string(route_host);
  if (l.starts_with("*.") && ends_with(r, l.substr(1))) return std::string(route_host);
  if (r.starts_with("*.") && ends_with(l, r.substr(1))) return std::string(listener_host);
  return std::nullopt;
}

std::string_view to_string(RouteKind kind) {
  switch (kind) {
    case RouteKind::HTTPRoute:
      return "HTTPRoute";
    case RouteKind::GRPCRoute:
      return "GRPCRoute";
    case RouteKind::TLSRoute:
      return "TLSRoute";
  }
  return "";
}

model::Parsed<ObjectEndpoints> route_endpoints(
    RouteKind kind, const boost::json::value& route,
    const std::vector<const boost::json::value*>& gateways,
    const std::map<std::string, api::Labels>& namespace_labels,
    const std::vector<const boost::json::value*>& listener_sets) {
  auto id = source_id(model::ascii_lower(to_string(kind)), route);
  if (!id) return tl::unexpected(id.error());
  ObjectEndpoints out;
  Annotations ann = read_annotations(route);
  if (!ann.excluded.empty()) {
    out.skipped = ann.excluded;
    return out;
  }
  out.problems = ann.problems;
  std::string route_ns = str(json::member(&route, "metadata"), "namespace");

  std::vector<std::string> route_hosts;
  if (const auto* hs = arr(json::member(&route, "spec"), "hostnames")) {
    for (const auto& h : *hs)
      if (h.is_string() && !h.as_string().empty()) route_hosts.emplace_back(h.as_string());
  }
  for (const auto& h : ann.hostnames) route_hosts.push_back(h);

  // host (lowercased) → {spelling, targets}, in order of first appearance.
  std::vector<std::string> order;
  std::map<std::string, std::pair<std::string, std::vector<std::string>>> hosts;
  bool any_accepted = false;
  const auto* parents = arr(json::member(&route, "status"), "parents");
  for (size_t pi = 0; parents && pi < parents->size(); ++pi) {
    const auto& parent = (*parents)[pi];
    const auto* ref = json::member(&parent, "parentRef");
    if (!is_parent_kind(ref)) continue;
    if (!accepted(parent)) continue;
    any_accepted = true;
    const std::string parent_kind = str(ref, "kind", "Gateway");
    // The listeners' owner: the Gateway itself, or a ListenerSet attached to a Gateway (whose
    // addresses it uses). `Same` in a listener's allowedRoutes means the owner's namespace.
    std::string owner_ns = str(ref, "namespace", route_ns);
    std::string owner_name = str(ref, "name");
    const std::string owner = fmt::format("{} {}/{}", parent_kind, owner_ns, owner_name);
    const boost::json::value* listener_owner = nullptr;
    std::string gw_ns = owner_ns, gw_name = owner_name;
    if (parent_kind == "ListenerSet") {
      listener_owner = find_object(listener_sets, owner_ns, owner_name);
      if (!listener_owner) {
        out.problems.push_back(fmt::format("parent {} not found", owner));
        continue;
      }
      const auto* gw_ref = json::member(json::member(listener_owner, "spec"), "parentRef");
      if (str(gw_ref, "group", kGatewayGroup) != kGatewayGroup ||
          str(gw_ref, "kind", "Gateway") != "Gateway") {
        out.problems.push_back(fmt::format("{}: spec.parentRef is not a Gateway", owner));
        continue;
      }
      gw_ns = str(gw_ref, "namespace", owner_ns);
      gw_name = str(gw_ref, "name");
    }
    const boost::json::value* gw = find_object(gateways, gw_ns, gw_name);
    if (!gw) {
      out.problems.push_back(
          parent_kind == "ListenerSet"
              ? fmt::format("the Gateway {}/{} of {} not found", gw_ns, gw_name, owner)
              : fmt::format("parent Gateway {}/{} not found", gw_ns, gw_name));
      continue;
    }
    if (parent_kind == "ListenerSet") {
      auto refusal = listener_set_refusal(*gw, gw_ns, owner_ns, namespace_labels,
                                          fmt::format("Gateway {}/{}", gw_ns, gw_name));
      if (!refusal) {
        out.problems.push_back(refusal.error());
        continue;
      }
      if (!refusal->empty()) {
        out.problems.push_back(
            fmt::format("{} lists the route as Accepted, but {}", owner, *refusal));
        continue;
      }
    } else {
      listener_owner = gw;
    }
    std::string section = str(ref, "sectionName");
    auto port = integer(ref, "port");
    std::vector<std::string> produced;
    std::vector<std::string> refusals;  // listeners that would not take the route, and why
    bool admitted = false;
    const auto* listeners = arr(json::member(listener_owner, "spec"), "listeners");
    for (size_t li = 0; listeners && li < listeners->size(); ++li) {
      const auto& l = (*listeners)[li];
      if (!section.empty() && str(&l, "name") != section) continue;
      if (port && integer(&l, "port") != port) continue;
      auto where = fmt::format("{} spec.listeners[{}]", owner, li);
      auto refusal = listener_refusal(kind, l, owner_ns, route_ns, namespace_labels, where);
      if (!refusal) {
        out.problems.push_back(refusal.error());
        continue;
      }
      if (!refusal->empty()) {
        refusals.push_back(std::move(*refusal));
        continue;
      }
      admitted = true;
      std::string lh = str(&l, "hostname");
      if (route_hosts.empty()) {
        if (!lh.empty()) add_unique(produced, lh);
        continue;
      }
      for (const auto& rh : route_hosts) {
        if (auto h = intersect_hostnames(rh, lh)) add_unique(produced, *h);
      }
    }
    if (!admitted && !refusals.empty()) {
      // Its status says Accepted, yet by its spec no listener takes the route: say which
      // listener refused and why, rather than blaming the parent's acceptance.
      out.problems.push_back(
          fmt::format("{} lists the route as Accepted, but no listener admits it: {}", owner,
                      fmt::join(refusals, "; ")));
      continue;
    }
    if (produced.empty()) continue;
    auto targets = gateway_targets(*gw);
    if (targets.empty()) {
      out.problems.push_back(
          fmt::format("Gateway {}/{} has no address (status.addresses) and no target annotation",
                      gw_ns, gw_name));
      continue;
    }
    for (const auto& h : produced) {
      auto key = model::ascii_lower(h);
      auto [it, fresh] = hosts.try_emplace(key, h, std::vector<std::string>{});
      if (fresh) order.push_back(key);
      for (const auto& t : targets) add_unique(it->second.second, t);
    }
  }
  if (!any_accepted) {
    if (!parents || parents->empty()) {
      // Right after creation no Gateway controller has answered yet: the normal first moments
      // of every route, as an Ingress before its address.
      out.pending = "no parent Gateway has answered yet: status.parents is empty";
      return out;
    }
    std::vector<std::string> said;
    for (const auto& parent : *parents) {
      const auto* ref = json::member(&parent, "parentRef");
      if (!is_parent_kind(ref)) continue;  // another kind of parent: not ours to read
      std::string why = "no Accepted condition";
      if (const auto* conds = arr(&parent, "conditions")) {
        for (const auto& c : *conds) {
          if (str(&c, "type") == "Accepted") {
            why = fmt::format("Accepted={} {}", str(&c, "status"), str(&c, "reason"));
          }
        }
      }
      said.push_back(fmt::format("{} {}/{}: {}", str(ref, "kind", "Gateway"),
                                 str(ref, "namespace", route_ns), str(ref, "name"), why));
    }
    out.problems.push_back(
        said.empty() ? std::string("no parent in status.parents is a Gateway or ListenerSet")
                     : fmt::format("not accepted by any parent ({})", fmt::join(said, "; ")));
  }
  for (const auto& key : order) {
    auto& [host, targets] = hosts[key];
    auto is_ip = [](const std::string& t) { return is_ipv4(t) || is_ipv6(t); };
    if (std::any_of(targets.begin(), targets.end(), is_ip) &&
        !std::all_of(targets.begin(), targets.end(), is_ip)) {
      out.problems.push_back(fmt::format(
          "{}: targets mix addresses and host names; only the addresses are used", host));
      std::erase_if(targets, [&](const std::string& t) { return !is_ip(t); });
    }
    for (auto& ep : endpoints_for_targets(host, targets, ann.ttl, *id)) {
      ep.labels["resource"] = *id;
      out.endpoints.push_back(std::move(ep));
    }
  }
  return out;
}

}  // namespace zk::sources
