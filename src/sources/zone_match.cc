#include "sources/zone_match.h"

#include <cctype>

#include <fmt/format.h>

#include "model/ascii.h"

namespace zk::sources {

namespace {

std::string normalize(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  return model::ascii_lower(s);
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// external-dns' matchFilter for one entry (already normalized, non-empty).
bool entry_matches(const std::string& entry, const std::string& domain) {
  if (entry.front() == '.') return ends_with(domain, entry);
  return domain == entry || ends_with(domain, "." + entry);
}

bool any_matches(const std::vector<std::string>& entries, const std::string& domain, bool empty) {
  bool any = false;
  for (const auto& e : entries) {
    std::string n = normalize(e);
    if (n.empty()) continue;
    any = true;
    if (entry_matches(n, domain)) return true;
  }
  return any ? false : empty;
}

}  // namespace

bool DomainFilter::matches(std::string_view host) const {
  std::string d = normalize(host);
  return any_matches(include, d, true) && !any_matches(exclude, d, false);
}

std::optional<model::Name> zone_for(std::string_view host, const std::vector<model::Name>& zones) {
  auto name = parse_hostname(host);
  if (!name) return std::nullopt;
  const model::Name* best = nullptr;
  for (const auto& z : zones) {
    if (name->is_subdomain_of(z) && (!best || z.label_count() > best->label_count())) best = &z;
  }
  if (!best) return std::nullopt;
  return *best;
}

ZoneAssignment assign_zones(const std::vector<Endpoint>& endpoints,
                            const std::vector<model::Name>& zones, const DomainFilter& filter) {
  ZoneAssignment a;
  for (const auto& ep : endpoints) {
    auto name = parse_hostname(ep.dns_name);
    if (!name) {
      a.invalid.push_back({ep.source, ep.dns_name, ep.record_type, std::string(kEndpointInvalid),
                           fmt::format("dnsName: {}", name.error())});
      continue;
    }
    if (!filter.matches(ep.dns_name)) {
      a.filtered.push_back(ep);
      continue;
    }
    auto zone = zone_for(ep.dns_name, zones);
    if (!zone) {
      a.unmatched.push_back(ep);
      continue;
    }
    a.by_zone[*zone].push_back(ep);
  }
  return a;
}

}  // namespace zk::sources
