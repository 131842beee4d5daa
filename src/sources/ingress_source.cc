#include "sources/ingress_source.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "api/json_fields.h"
#include "sources/host_list.h"

namespace zk::sources {

namespace json = api::json;

namespace {

std::optional<std::string> string_member(const boost::json::value* obj, std::string_view key) {
  const auto* v = json::member(obj, key);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

const boost::json::array* array_member(const boost::json::value* obj, std::string_view key) {
  const auto* v = json::member(obj, key);
  return v && v->is_array() ? &v->as_array() : nullptr;
}

}  // namespace

model::Parsed<ObjectEndpoints> ingress_endpoints(const boost::json::value& ingress,
                                                 const IngressOptions& options) {
  auto id = source_id("ingress", ingress);
  if (!id) return tl::unexpected(id.error());
  ObjectEndpoints out;
  const auto* spec = json::member(&ingress, "spec");
  const auto* md = json::member(&ingress, "metadata");

  if (!options.ingress_classes.empty()) {
    auto cls = string_member(spec, "ingressClassName");
    if (!cls) cls = string_member(json::member(md, "annotations"), "kubernetes.io/ingress.class");
    if (!cls) {
      out.skipped =
          "no IngressClass (spec.ingressClassName or kubernetes.io/ingress.class) and a "
          "class filter is configured";
      return out;
    }
    if (!options.ingress_classes.contains(*cls)) {
      out.skipped = fmt::format("IngressClass \"{}\" is not one of the configured classes", *cls);
      return out;
    }
  }
  Annotations ann = read_annotations(ingress);
  if (!ann.excluded.empty()) {
    out.skipped = ann.excluded;
    return out;
  }
  out.problems = ann.problems;

  std::string host_source;
  for (auto prefix : {kExtDnsPrefix, kExtDnsAlphaPrefix}) {
    auto v = string_member(json::member(md, "annotations"),
                           fmt::format("{}ingress-hostname-source", prefix));
    if (v && host_source.empty()) host_source = *v;
  }
  bool use_spec = host_source != "annotation-only";
  bool use_annotation = host_source != "defined-hosts-only";

  std::vector<std::string> hosts;
  if (use_spec) {
    if (const auto* rules = array_member(spec, "rules")) {
      for (const auto& r : *rules) {
        if (auto h = string_member(&r, "host")) add_host(hosts, *h);
      }
    }
    if (const auto* tls = array_member(spec, "tls")) {
      for (const auto& t : *tls) {
        if (const auto* hs = array_member(&t, "hosts")) {
          for (const auto& h : *hs)
            if (h.is_string()) add_host(hosts, h.as_string());
        }
      }
    }
  }
  if (use_annotation) {
    for (const auto& h : ann.hostnames) add_host(hosts, h);
  }
  if (hosts.empty()) return out;

  std::vector<std::string> targets = ann.targets;
  if (targets.empty()) targets = options.default_targets;
  if (targets.empty()) {
    std::vector<std::string> ips, names;
    const auto* lb = json::member(json::member(&ingress, "status"), "loadBalancer");
    if (const auto* ing = array_member(lb, "ingress")) {
      for (const auto& e : *ing) {
        if (auto ip = string_member(&e, "ip"); ip && !ip->empty())
          ips.push_back(*ip);
        else if (auto h = string_member(&e, "hostname"); h && !h->empty())
          names.push_back(*h);
      }
    }
    targets = ips.empty() ? names : ips;
  }
  if (targets.empty()) {
    out.pending =
        "no target yet: status.loadBalancer.ingress is empty and neither a target annotation nor "
        "a default target is set";
    return out;
  }
  bool has_ip = std::any_of(targets.begin(), targets.end(),
                            [](const auto& t) { return is_ipv4(t) || is_ipv6(t); });
  bool has_name = std::any_of(targets.begin(), targets.end(),
                              [](const auto& t) { return !is_ipv4(t) && !is_ipv6(t); });
  if (has_ip && has_name) {
    out.problems.push_back(
        "targets mix addresses and host names; only the addresses are used (a CNAME cannot "
        "coexist with A/AAAA records)");
    std::erase_if(targets, [](const auto& t) { return !is_ipv4(t) && !is_ipv6(t); });
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
