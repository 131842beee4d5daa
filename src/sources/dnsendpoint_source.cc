#include "sources/dnsendpoint_source.h"

#include <fmt/format.h>

#include "api/json_fields.h"
#include "sources/annotations.h"

namespace zk::sources {

namespace json = api::json;
using model::invalid;
using model::Parsed;

namespace {

// Decodes one spec.endpoints[] element; errors name the field under `path`.
Parsed<bool> decode_entry(const boost::json::value& v, const std::string& path, Endpoint& ep) {
  if (!v.is_object())
    return invalid(fmt::format("{}: must be an object, got {}", path, json::describe(v)));
  auto name = json::opt_string(json::member(&v, "dnsName"), path + ".dnsName");
  if (!name) return tl::unexpected(name.error());
  ep.dns_name = name->value_or("");
  auto type = json::opt_string(json::member(&v, "recordType"), path + ".recordType");
  if (!type) return tl::unexpected(type.error());
  ep.record_type = type->value_or("");
  auto targets = json::opt_array(json::member(&v, "targets"), path + ".targets");
  if (!targets) return tl::unexpected(targets.error());
  if (*targets) {
    for (size_t i = 0; i < (*targets)->size(); ++i) {
      auto t = json::req_string(&(**targets)[i], fmt::format("{}.targets[{}]", path, i));
      if (!t) return tl::unexpected(t.error());
      ep.targets.push_back(std::move(*t));
    }
  }
  auto ttl = json::opt_int(json::member(&v, "recordTTL"), path + ".recordTTL", 0, 2147483647);
  if (!ttl) return tl::unexpected(ttl.error());
  if (*ttl && **ttl != 0) ep.ttl = **ttl;
  auto labels = json::opt_object(json::member(&v, "labels"), path + ".labels");
  if (!labels) return tl::unexpected(labels.error());
  if (*labels) {
    for (const auto& kv : **labels) {
      auto s = json::req_string(&kv.value(),
                                fmt::format("{}.labels.{}", path, std::string_view(kv.key())));
      if (!s) return tl::unexpected(s.error());
      ep.labels[std::string(kv.key())] = std::move(*s);
    }
  }
  auto ps = json::opt_array(json::member(&v, "providerSpecific"), path + ".providerSpecific");
  if (!ps) return tl::unexpected(ps.error());
  if (*ps) {
    for (size_t i = 0; i < (*ps)->size(); ++i) {
      const auto& p = (**ps)[i];
      auto ppath = fmt::format("{}.providerSpecific[{}]", path, i);
      auto pn = json::opt_string(json::member(&p, "name"), ppath + ".name");
      if (!pn) return tl::unexpected(pn.error());
      auto pv = json::opt_string(json::member(&p, "value"), ppath + ".value");
      if (!pv) return tl::unexpected(pv.error());
      ep.provider_specific.emplace_back(pn->value_or(""), pv->value_or(""));
    }
  }
  auto sid = json::opt_string(json::member(&v, "setIdentifier"), path + ".setIdentifier");
  if (!sid) return tl::unexpected(sid.error());
  ep.set_identifier = sid->value_or("");
  return true;
}

// external-dns' own checks (source/crd.go) beyond what endpoint_rrsets enforces.
std::string external_dns_checks(const Endpoint& ep) {
  std::string t;
  for (char c : ep.record_type) t += static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  if ((t == "A" || t == "AAAA" || t == "CNAME") && ep.targets.empty())
    return fmt::format("targets: a {} record needs at least one target", t);
  if (t == "A" || t == "AAAA") {
    for (const auto& target : ep.targets) {
      if (!target.empty() && target.back() == '.')
        return fmt::format("targets: \"{}\" must not end with '.'", target);
    }
  }
  return "";
}

}  // namespace

std::vector<Endpoint> DnsEndpointResult::endpoints() const {
  std::vector<Endpoint> out;
  for (const auto& e : entries) {
    if (e.valid()) out.push_back(e.endpoint);
  }
  return out;
}

Parsed<DnsEndpointResult> dnsendpoint_endpoints(const boost::json::value& object) {
  auto id = source_id("crd", object);
  if (!id) return tl::unexpected(id.error());
  DnsEndpointResult r;
  r.source = *id;
  auto list =
      json::opt_array(json::member(json::member(&object, "spec"), "endpoints"), "spec.endpoints");
  if (!list) return tl::unexpected(list.error());
  if (!*list) return r;
  for (size_t i = 0; i < (*list)->size(); ++i) {
    DnsEndpointEntry e;
    e.index = i;
    e.endpoint.source = r.source;
    std::string path = fmt::format("spec.endpoints[{}]", i);
    auto ok = decode_entry((**list)[i], path, e.endpoint);
    e.endpoint.labels["resource"] = r.source;
    std::string message;
    if (!ok) {
      message = ok.error();
    } else if (auto m = external_dns_checks(e.endpoint); !m.empty()) {
      message = fmt::format("{}.{}", path, m);
    } else if (auto sets = endpoint_rrsets(e.endpoint, 0); !sets) {
      message =
          fmt::format("{} ({} {}): {}", path, e.endpoint.dns_name,
                      e.endpoint.record_type.empty() ? "?" : e.endpoint.record_type, sets.error());
    }
    if (!message.empty()) {
      e.reason = std::string(kEndpointInvalid);
      e.message = std::move(message);
    }
    r.entries.push_back(std::move(e));
  }
  return r;
}

}  // namespace zk::sources
