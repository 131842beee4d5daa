#include "sources/endpoints.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <numeric>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace zk::sources {

using model::invalid;
using model::Name;
using model::Parsed;
using model::Rdata;
using model::RRset;
using model::RRType;

namespace {

constexpr int64_t kMaxTtl = 2147483647;

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Absolute name from a target host name ("mail.example.com" or "mail.example.com.").
Parsed<Name> target_name(std::string_view t) {
  if (t.empty()) return invalid("empty host name");
  if (t == ".") return invalid("the root is not a host name");
  auto n = parse_hostname(t);
  if (!n) return n;
  if (n->labels().front() == "*")
    return invalid(fmt::format("\"{}\": a target cannot be a wildcard", t));
  return n;
}

Parsed<Rdata> target_rdata(RRType type, const std::string& t) {
  static const Name root;
  switch (type) {
    case RRType::A:
      if (!is_ipv4(t)) return invalid(fmt::format("\"{}\" is not an IPv4 address", t));
      return Rdata::a(t);
    case RRType::AAAA:
      if (!is_ipv6(t)) return invalid(fmt::format("\"{}\" is not an IPv6 address", t));
      return Rdata::aaaa(t);
    case RRType::CNAME:
    case RRType::NS:
    case RRType::PTR:
    case RRType::DNAME: {
      auto n = target_name(t);
      if (!n) return invalid(fmt::format("target \"{}\": {}", t, n.error()));
      return Rdata::name_target(type, *n);
    }
    case RRType::TXT:
      return Rdata::txt_from_text(t);
    case RRType::MX:
    case RRType::SRV:
    case RRType::NAPTR:
    case RRType::SSHFP:
    case RRType::TLSA:
    case RRType::SVCB:
    case RRType::HTTPS:
    case RRType::CAA: {
      auto rd = Rdata::parse(type, t, root);
      if (!rd) return invalid(fmt::format("target \"{}\": {}", t, rd.error()));
      return rd;
    }
    default:
      return invalid(fmt::format("record type {} is not supported", model::to_string(type)));
  }
}

}  // namespace

bool is_ipv4(std::string_view s) {
  if (s.empty() || s.size() > 15) return false;
  std::string z(s);
  in_addr a{};
  return inet_pton(AF_INET, z.c_str(), &a) == 1;
}

bool is_ipv6(std::string_view s) {
  if (s.empty() || s.size() > 45) return false;
  std::string z(s);
  in6_addr a{};
  return inet_pton(AF_INET6, z.c_str(), &a) == 1;
}

Parsed<Name> parse_hostname(std::string_view host) {
  std::string_view h = host;
  if (h.empty()) return invalid("empty host name");
  if (h.back() == '.') h.remove_suffix(1);
  if (h.empty()) return invalid(fmt::format("\"{}\" is not a host name", host));
  std::vector<std::string> labels;
  size_t start = 0;
  for (;;) {
    size_t dot = h.find('.', start);
    std::string_view label = h.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty()) return invalid(fmt::format("\"{}\" has an empty label", host));
    if (label.size() > Name::kMaxLabel)
      return invalid(fmt::format("\"{}\": label \"{}\" is longer than 63 octets", host, label));
    if (label == "*") {
      if (!labels.empty())
        return invalid(fmt::format("\"{}\": '*' is allowed only as the leftmost label", host));
    } else {
      for (char c : label) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_')
          return invalid(fmt::format(
              "\"{}\": label \"{}\" may hold only letters, digits, '-' and '_'", host, label));
      }
    }
    labels.emplace_back(label);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (labels.size() == 1 && labels[0] == "*")
    return invalid(fmt::format("\"{}\": a wildcard needs a domain below it", host));
  auto n = Name::from_labels(labels);
  if (!n) return invalid(fmt::format("\"{}\": {}", host, n.error()));
  return n;
}

Parsed<RRType> parse_endpoint_type(std::string_view type) {
  std::string u = upper(type);
  static const std::set<std::string> kSupported = {"A",     "AAAA",  "CNAME", "TXT",   "MX",
                                                   "NS",    "PTR",   "SRV",   "NAPTR", "CAA",
                                                   "DNAME", "SSHFP", "TLSA",  "SVCB",  "HTTPS"};
  if (!kSupported.contains(u)) {
    return invalid(
        fmt::format("record type \"{}\" is not supported (A, AAAA, CNAME, TXT, MX, NS, "
                    "PTR, SRV, NAPTR, CAA, DNAME, SSHFP, TLSA, SVCB, HTTPS)",
                    type));
  }
  return model::parse_rrtype(u);
}

Parsed<std::vector<RRset>> endpoint_rrsets(const Endpoint& ep, uint32_t default_ttl) {
  auto owner = parse_hostname(ep.dns_name);
  if (!owner) return invalid(fmt::format("dnsName: {}", owner.error()));
  uint32_t ttl = default_ttl;
  if (ep.ttl && *ep.ttl != 0) {
    if (*ep.ttl < 0 || *ep.ttl > kMaxTtl)
      return invalid(fmt::format("TTL {} is outside 0..{}", *ep.ttl, kMaxTtl));
    ttl = static_cast<uint32_t>(*ep.ttl);
  }
  // Unique targets, input order kept.
  std::vector<std::string> targets;
  for (const auto& t : ep.targets) {
    if (std::find(targets.begin(), targets.end(), t) == targets.end()) targets.push_back(t);
  }
  if (targets.empty()) return invalid("no targets");

  std::vector<std::pair<RRType, std::vector<std::string>>> groups;
  if (ep.record_type.empty()) {
    std::vector<std::string> v4, v6, names;
    for (const auto& t : targets) (is_ipv4(t) ? v4 : is_ipv6(t) ? v6 : names).push_back(t);
    if (!names.empty() && (!v4.empty() || !v6.empty())) {
      return invalid(
          fmt::format("targets mix addresses and host names ({}): a name cannot hold a "
                      "CNAME beside other data",
                      fmt::join(targets, ", ")));
    }
    if (!names.empty()) groups.emplace_back(RRType::CNAME, names);
    if (!v4.empty()) groups.emplace_back(RRType::A, v4);
    if (!v6.empty()) groups.emplace_back(RRType::AAAA, v6);
  } else {
    auto type = parse_endpoint_type(ep.record_type);
    if (!type) return invalid(type.error());
    groups.emplace_back(*type, targets);
  }

  std::vector<RRset> out;
  for (auto& [type, values] : groups) {
    if (type == RRType::CNAME && values.size() > 1) {
      return invalid(fmt::format("a CNAME has exactly one target, got {} ({})", values.size(),
                                 fmt::join(values, ", ")));
    }
    if (type == RRType::CNAME && owner->labels().size() >= 1 && values.size() == 1) {
      auto t = target_name(values[0]);
      if (t && *t == *owner) return invalid(fmt::format("CNAME {} points to itself", ep.dns_name));
    }
    RRset set(*owner, type, ttl);
    for (const auto& v : values) {
      auto rd = target_rdata(type, v);
      if (!rd) return invalid(fmt::format("{} target: {}", model::to_string(type), rd.error()));
      set.add(std::move(*rd));
    }
    if (auto ok = set.validate(); !ok) return invalid(ok.error());
    out.push_back(std::move(set));
  }
  return out;
}

ZoneEndpoints endpoints_to_rrsets(const Name& zone, const std::vector<Endpoint>& endpoints,
                                  uint32_t default_ttl, SourceOrder source_order) {
  ZoneEndpoints z;
  std::vector<size_t> order(endpoints.size());
  std::iota(order.begin(), order.end(), 0);
  if (source_order == SourceOrder::ById) {
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return endpoints[a].source < endpoints[b].source; });
  }
  // For conflict messages: which source holds each key / each CNAME owner.
  std::map<model::RRsetKey, std::string> holder;
  bool any_dname = false;  // DNAME occlusion is looked for only once one is accepted
  auto problem = [&](const Endpoint& ep, std::string_view reason, std::string message) {
    z.problems.push_back(
        {ep.source, ep.dns_name, ep.record_type, std::string(reason), std::move(message)});
  };
  for (size_t i : order) {
    const Endpoint& ep = endpoints[i];
    auto sets = endpoint_rrsets(ep, default_ttl);
    if (!sets) {
      problem(ep, kEndpointInvalid, sets.error());
      continue;
    }
    const Name& owner = sets->front().owner();
    if (!owner.is_subdomain_of(zone)) {
      problem(ep, kEndpointInvalid,
              fmt::format("{} is not in zone {}", ep.dns_name, zone.to_string()));
      continue;
    }
    if (owner == zone && sets->front().type() == RRType::CNAME) {
      problem(ep, kEndpointInvalid,
              fmt::format("a CNAME cannot be at the zone apex {}", zone.to_string()));
      continue;
    }
    // Check every set first: an endpoint is taken whole or not at all.
    std::string conflict;
    if (auto d = any_dname ? model::dname_above(z.rrsets, owner, zone) : z.rrsets.end();
        d != z.rrsets.end()) {
      conflict = fmt::format(
          "{} is below the DNAME at {} declared by {}, which hides every name "
          "below it (RFC 6672)",
          ep.dns_name, d->first.owner.to_string(), holder[d->first]);
    } else if (sets->front().type() == RRType::DNAME) {
      if (auto b = model::data_below(z.rrsets, owner); b != z.rrsets.end()) {
        conflict = fmt::format("a DNAME at {} would hide {} {} declared by {} (RFC 6672)",
                               ep.dns_name, b->first.owner.to_string(),
                               model::to_string(b->first.type), holder[b->first]);
      }
    }
    for (const auto& s : *sets) {
      if (!conflict.empty()) break;
      auto it = z.rrsets.find(s.key());
      if (it != z.rrsets.end() && !(it->second == s)) {
        conflict = fmt::format("{} {} is already declared by {} with other data", ep.dns_name,
                               model::to_string(s.type()), holder[s.key()]);
        break;
      }
      auto lo = z.rrsets.lower_bound(model::RRsetKey{owner, RRType::A});
      for (auto jt = lo; jt != z.rrsets.end() && jt->first.owner == owner; ++jt) {
        bool cname_clash = (jt->first.type == RRType::CNAME) != (s.type() == RRType::CNAME);
        if (cname_clash) {
          conflict = fmt::format("{} {} cannot coexist with {} {} declared by {}", ep.dns_name,
                                 model::to_string(s.type()), ep.dns_name,
                                 model::to_string(jt->first.type), holder[jt->first]);
          break;
        }
      }
      if (!conflict.empty()) break;
    }
    if (!conflict.empty()) {
      problem(ep, kEndpointConflict, conflict);
      continue;
    }
    for (auto& s : *sets) {
      auto key = s.key();
      any_dname = any_dname || key.type == RRType::DNAME;
      z.rrsets.emplace(key, std::move(s));
      holder.emplace(key, ep.source);
      auto& srcs = z.sources[key];
      if (std::find(srcs.begin(), srcs.end(), ep.source) == srcs.end()) srcs.push_back(ep.source);
      std::sort(srcs.begin(), srcs.end());
    }
  }
  return z;
}

std::vector<Endpoint> endpoints_for_targets(const std::string& dns_name,
                                            const std::vector<std::string>& targets,
                                            std::optional<int64_t> ttl, const std::string& source) {
  Endpoint a{dns_name, "A", {}, ttl, {}, {}, source, {}};
  Endpoint aaaa{dns_name, "AAAA", {}, ttl, {}, {}, source, {}};
  Endpoint cname{dns_name, "CNAME", {}, ttl, {}, {}, source, {}};
  for (const auto& t : targets) {
    if (t.empty()) continue;
    auto& dst = is_ipv4(t) ? a.targets : is_ipv6(t) ? aaaa.targets : cname.targets;
    if (std::find(dst.begin(), dst.end(), t) == dst.end()) dst.push_back(t);
  }
  std::vector<Endpoint> out;
  for (auto* e : {&a, &aaaa, &cname}) {
    if (!e->targets.empty()) out.push_back(std::move(*e));
  }
  return out;
}

}  // namespace zk::sources
