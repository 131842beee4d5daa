#include "api/server.h"

#include <arpa/inet.h>

#include <algorithm>

#include <fmt/format.h>

#include "api/json_fields.h"
#include "api/kind.h"
#include "api/spec_name.h"

namespace zk::api {

using model::invalid;
using model::Parsed;

std::string_view to_string(ServerRole r) {
  return r == ServerRole::Primary ? "Primary" : "Secondary";
}

std::string Server::key() const {
  return ns + "/" + name;
}

std::optional<std::string> Server::secret_name() const {
  if (technitium) return technitium->credentials_secret_name;
  return tsig_secret_name;
}

bool Server::admits_zones_from(std::string_view zone_ns, const Labels& labels) const {
  if (zone_ns == ns) return true;
  return allowed_namespaces && allowed_namespaces->matches(labels);
}

bool serves(const Zone& zone, const Server& server) {
  if (zone.servers_ns() != server.ns) return false;
  if (std::find(zone.server_refs.begin(), zone.server_refs.end(), server.name) !=
      zone.server_refs.end()) {
    return true;
  }
  return zone.server_selector.matches(server.labels);
}

namespace {

bool is_ip(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

Parsed<std::optional<std::string>> ref_name(const boost::json::value* spec, std::string_view key,
                                            std::string_view parent = "spec") {
  const auto* ref = json::member(spec, key);
  if (!ref) return std::optional<std::string>();
  std::string path = fmt::format("{}.{}", parent, key);
  auto o = json::opt_object(ref, path);
  if (!o) return tl::unexpected(o.error());
  auto n = json::req_string(json::member(ref, "name"), path + ".name");
  if (!n) return tl::unexpected(n.error());
  if (n->empty()) return invalid(path + ".name: must not be empty");
  return std::optional<std::string>(std::move(*n));
}

Parsed<TechnitiumEndpoint> decode_technitium(const boost::json::value* t) {
  constexpr std::string_view path = "spec.external.technitium";
  auto o = json::opt_object(t, std::string(path));
  if (!o) return tl::unexpected(o.error());
  TechnitiumEndpoint out;
  auto url = json::req_string(json::member(t, "url"), "spec.external.technitium.url");
  if (!url) return tl::unexpected(url.error());
  std::string_view rest = *url;
  if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else {
    return invalid(fmt::format("spec.external.technitium.url: \"{}\" is not an http(s) URL",
                               url->substr(0, 80)));
  }
  std::string_view authority = rest.substr(0, rest.find('/'));
  if (authority.empty() || authority.find_first_of("@?# \t") != std::string_view::npos ||
      rest.find_first_of("?# \t") != std::string_view::npos) {
    return invalid(
        "spec.external.technitium.url: must be http(s)://host[:port][/path], without "
        "credentials, query or fragment");
  }
  out.url = std::move(*url);
  while (out.url.size() > 8 && out.url.back() == '/') out.url.pop_back();
  auto creds = ref_name(t, "credentialsSecretRef", path);
  if (!creds) return tl::unexpected(creds.error());
  if (!*creds) return invalid("spec.external.technitium.credentialsSecretRef: required");
  out.credentials_secret_name = std::move(**creds);
  if (const auto* ca = json::member(t, "caBundle")) {
    auto c = json::req_string(ca, "spec.external.technitium.caBundle");
    if (!c) return tl::unexpected(c.error());
    out.ca_bundle = std::move(*c);
  }
  auto insecure = json::opt_bool(json::member(t, "insecureSkipTLSVerify"),
                                 "spec.external.technitium.insecureSkipTLSVerify");
  if (!insecure) return tl::unexpected(insecure.error());
  out.insecure_skip_tls_verify = insecure->value_or(false);
  auto rps = json::opt_int(json::member(t, "requestsPerSecond"),
                           "spec.external.technitium.requestsPerSecond", 0, 1000);
  if (!rps) return tl::unexpected(rps.error());
  out.requests_per_second = static_cast<uint32_t>(rps->value_or(10));
  auto create =
      json::opt_bool(json::member(t, "createZones"), "spec.external.technitium.createZones");
  if (!create) return tl::unexpected(create.error());
  out.create_zones = create->value_or(false);
  return out;
}

}  // namespace

Parsed<Server> decode_server(const boost::json::value& object) {
  auto meta = decode_object_meta(object, kDNSServer);
  if (!meta) return tl::unexpected(meta.error());
  Server s;
  static_cast<ObjectMeta&>(s) = std::move(*meta);
  const auto* spec = json::member(&object, "spec");
  if (!spec) return invalid("spec: required");
  auto so = json::opt_object(spec, "spec");
  if (!so) return tl::unexpected(so.error());

  auto role = json::req_string(json::member(spec, "role"), "spec.role");
  if (!role) return tl::unexpected(role.error());
  if (*role == "Primary") {
    s.role = ServerRole::Primary;
  } else if (*role == "Secondary") {
    s.role = ServerRole::Secondary;
  } else {
    return invalid(fmt::format("spec.role: \"{}\" is not Primary or Secondary", *role));
  }

  const auto* ext = json::member(spec, "external");
  if (!ext) return invalid("spec.external: required (the server's address and port)");
  auto eo = json::opt_object(ext, "spec.external");
  if (!eo) return tl::unexpected(eo.error());
  auto addr = json::req_string(json::member(ext, "address"), "spec.external.address");
  if (!addr) return tl::unexpected(addr.error());
  if (!is_ip(*addr)) {
    auto host = parse_spec_name(*addr, model::Name(), NameRule::Host);
    bool numeric_tail =
        !addr->empty() && addr->find_first_not_of("0123456789.") == std::string::npos;
    if (!host || numeric_tail || addr->front() == '.') {
      return invalid(fmt::format(
          "spec.external.address: \"{}\" is not an IPv4 or IPv6 address or a host name", *addr));
    }
  }
  s.address = std::move(*addr);
  auto port = json::opt_int(json::member(ext, "port"), "spec.external.port", 1, 65535);
  if (!port) return tl::unexpected(port.error());
  s.port = static_cast<uint16_t>(port->value_or(53));

  if (const auto* tech = json::member(ext, "technitium")) {
    auto t = decode_technitium(tech);
    if (!t) return tl::unexpected(t.error());
    s.technitium = std::move(*t);
  }

  auto tsig = ref_name(spec, "tsigKeySecretRef");
  if (!tsig) return tl::unexpected(tsig.error());
  s.tsig_secret_name = std::move(*tsig);
  auto primary = ref_name(spec, "primaryServerRef");
  if (!primary) return tl::unexpected(primary.error());
  s.primary_server_name = std::move(*primary);

  if (const auto* catalog = json::member(spec, "catalogZone")) {
    auto text = json::req_string(catalog, "spec.catalogZone");
    if (!text) return tl::unexpected(text.error());
    auto zone = parse_spec_name(text->ends_with('.') ? *text : *text + ".", model::Name(),
                                NameRule::Domain);
    if (!zone || zone->is_root() || *text == "@") {
      return invalid(fmt::format("spec.catalogZone: \"{}\" is not a zone name", *text));
    }
    // Members are <40 hex digits>.zones.<catalog>: 47 octets more must fit in 255.
    if (zone->wire_size() + 47 > model::Name::kMaxWire) {
      return invalid("spec.catalogZone: too long for its members' names (200 characters at most)");
    }
    s.catalog_zone = std::move(*zone);
  }

  auto allowed =
      opt_label_selector(json::member(spec, "allowedNamespaces"), "spec.allowedNamespaces");
  if (!allowed) return tl::unexpected(allowed.error());
  s.allowed_namespaces = std::move(*allowed);

  auto timeout = json::opt_int(json::member(spec, "timeoutSeconds"), "spec.timeoutSeconds", 1, 300);
  if (!timeout) return tl::unexpected(timeout.error());
  s.timeout_seconds = static_cast<uint32_t>(timeout->value_or(5));

  if (s.catalog_zone && (s.role != ServerRole::Primary || s.technitium)) {
    return invalid(
        "spec.catalogZone: only for a Primary written with RFC 2136 (its catalog consumers "
        "follow it)");
  }
  if (s.technitium) {
    if (s.role != ServerRole::Primary) {
      return invalid(
          "spec.role: a Technitium server is a Primary (zonekeeper writes it through "
          "its API)");
    }
    if (s.tsig_secret_name) {
      return invalid(
          "spec.tsigKeySecretRef: not used with external.technitium (the API "
          "credentials are in external.technitium.credentialsSecretRef)");
    }
  } else if (s.role == ServerRole::Primary) {
    if (!s.tsig_secret_name) {
      return invalid(
          "spec.tsigKeySecretRef: required when role is Primary (zonekeeper sends only "
          "TSIG-signed UPDATEs)");
    }
    if (s.primary_server_name) {
      return invalid("spec.primaryServerRef: only allowed when role is Secondary");
    }
  } else {
    if (!s.primary_server_name) {
      return invalid("spec.primaryServerRef: required when role is Secondary");
    }
    if (*s.primary_server_name == s.name) {
      return invalid("spec.primaryServerRef.name: a Secondary cannot be its own primary");
    }
  }
  return s;
}

}  // namespace zk::api
