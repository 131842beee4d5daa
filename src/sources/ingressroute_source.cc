#include "sources/ingressroute_source.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "api/json_fields.h"
#include "sources/host_list.h"
#include "sources/traefik_rule.h"

namespace zk::sources {

namespace json = api::json;

namespace {}  // namespace

model::Parsed<ObjectEndpoints> ingressroute_endpoints(const boost::json::value& route,
                                                      const IngressRouteOptions& options) {
  auto id = source_id("ingressroute", route);
  if (!id) return tl::unexpected(id.error());
  ObjectEndpoints out;
  if (const auto* av = json::member(&route, "apiVersion"); av && av->is_string()) {
    std::string_view v = av->as_string();
    bool ok =
        v == "traefik.io/v1alpha1" || (options.legacy_group && v == "traefik.containo.us/v1alpha1");
    if (!ok) {
      out.skipped = v == "traefik.containo.us/v1alpha1"
                        ? "apiVersion traefik.containo.us/v1alpha1 (Traefik v2) is not enabled"
                        : fmt::format("apiVersion {} is not a Traefik IngressRoute version", v);
      return out;
    }
  }
  Annotations ann = read_annotations(route);
  if (!ann.excluded.empty()) {
    out.skipped = ann.excluded;
    return out;
  }
  out.problems = ann.problems;

  std::vector<std::string> hosts;
  const auto* routes = json::member(json::member(&route, "spec"), "routes");
  if (routes && routes->is_array()) {
    const auto& arr = routes->as_array();
    for (size_t i = 0; i < arr.size(); ++i) {
      const auto* match = json::member(&arr[i], "match");
      if (!match || !match->is_string()) {
        out.problems.push_back(fmt::format("spec.routes[{}].match: missing or not a string", i));
        continue;
      }
      auto r = traefik_rule_hosts(match->as_string());
      if (!r) {
        out.problems.push_back(fmt::format("spec.routes[{}].match: {}", i, r.error().message()));
        continue;
      }
      for (const auto& h : *r) add_host(hosts, h);
    }
  }
  for (const auto& h : ann.hostnames) add_host(hosts, h);
  if (hosts.empty()) return out;

  std::vector<std::string> targets = ann.targets.empty() ? options.default_targets : ann.targets;
  if (targets.empty()) {
    out.problems.push_back(
        "no target: an IngressRoute has no status address; set a target annotation or a default "
        "target");
    return out;
  }
  auto is_ip = [](const std::string& t) { return is_ipv4(t) || is_ipv6(t); };
  if (std::any_of(targets.begin(), targets.end(), is_ip) &&
      !std::all_of(targets.begin(), targets.end(), is_ip)) {
    out.problems.push_back(
        "targets mix addresses and host names; only the addresses are used (a CNAME cannot "
        "coexist with A/AAAA records)");
    std::erase_if(targets, [&](const std::string& t) { return !is_ip(t); });
  }
  for (const auto& h : hosts) {
    for (auto& ep : endpoints_for_targets(h, targets, ann.ttl, *id)) {
      ep.labels["resource"] = *id;
      out.endpoints.push_back(std::move(ep));
    }
  }
  return out;
}

}  // namespace zk::sources
