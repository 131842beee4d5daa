#include "api/zone.h"

#include <fmt/format.h>

#include "api/json_fields.h"
#include "api/kind.h"
#include "api/record.h"
#include "api/spec_name.h"
#include "model/rdata.h"

namespace zk::api {

using model::invalid;
using model::Name;
using model::Parsed;

std::string_view to_string(DriftPolicy p) {
  return p == DriftPolicy::Remediate ? "Remediate" : "Report";
}

namespace {

struct AlgorithmName {
  std::string_view name;
  uint8_t number;
};
constexpr AlgorithmName kAlgorithms[] = {{"RSASHA256", 8},
                                         {"ECDSAP256SHA256", 13},
                                         {"ECDSAP384SHA384", 14},
                                         {"ED25519", 15},
                                         {"ED448", 16}};

constexpr uint64_t kDay = 86400;
constexpr uint64_t kMinKeyLifetime = 30 * kDay;         // named-checkconf refuses less
constexpr uint64_t kMaxKeyLifetime = 100 * 365 * kDay;  // beyond: a typo, say unlimited

}  // namespace

std::optional<uint8_t> dnssec_algorithm(std::string_view mnemonic) {
  for (const auto& a : kAlgorithms) {
    if (a.name == mnemonic) return a.number;
  }
  return std::nullopt;
}

std::string_view dnssec_algorithm_name(uint8_t algorithm) {
  for (const auto& a : kAlgorithms) {
    if (a.number == algorithm) return a.name;
  }
  return {};
}

Parsed<std::optional<uint64_t>> parse_key_lifetime(std::string_view text) {
  if (text == "unlimited") return std::optional<uint64_t>();
  auto bad = [&](std::string_view why) { return invalid(fmt::format("\"{}\" {}", text, why)); };
  const char* form = "is not \"unlimited\" or an ISO 8601 duration such as P1Y, P90D or PT720H";
  if (text.size() < 3 || text.front() != 'P') return bad(form);
  uint64_t total = 0;
  bool in_time = false, any = false;
  std::string_view order = "YMWD";  // units allowed next, before T
  for (size_t i = 1; i < text.size();) {
    if (text[i] == 'T') {
      if (in_time) return bad(form);
      in_time = true;
      order = "HMS";
      ++i;
      continue;
    }
    uint64_t n = 0;
    size_t digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (++digits > 12) return bad("has a number too large");
      n = n * 10 + static_cast<uint64_t>(text[i++] - '0');
    }
    if (digits == 0 || i == text.size()) return bad(form);
    const char unit = text[i++];
    const size_t at = order.find(unit);
    if (at == std::string_view::npos) return bad(form);
    order.remove_prefix(at + 1);  // each unit once, in order
    uint64_t scale = 0;
    if (!in_time) {
      scale = unit == 'Y' ? 365 * kDay : unit == 'M' ? 30 * kDay : unit == 'W' ? 7 * kDay : kDay;
    } else {
      scale = unit == 'H' ? 3600 : unit == 'M' ? 60 : 1;
    }
    total += n * scale;
    any = true;
  }
  if (!any || text.back() == 'T') return bad(form);
  if (total < kMinKeyLifetime) {
    return bad("is shorter than 30 days (named refuses a key lifetime shorter than a rollover)");
  }
  if (total > kMaxKeyLifetime) return bad("is longer than 100 years (say \"unlimited\")");
  return std::optional<uint64_t>(total);
}

std::string Zone::key() const {
  return ns + "/" + name;
}

namespace {

bool entry_reaches(const RecordsFrom& from, std::string_view zone_ns, std::string_view ns,
                   const Labels* namespace_labels) {
  if (!from.namespace_selector) return ns == zone_ns;
  static const Labels kNone;
  return from.namespace_selector->matches(namespace_labels ? *namespace_labels : kNone);
}

}  // namespace

bool Zone::selects(const ObjectMeta& record, const Labels* namespace_labels) const {
  for (const auto& from : records_from) {
    if (entry_reaches(from, ns, record.ns, namespace_labels) &&
        from.selector.matches(record.labels)) {
      return true;
    }
  }
  return false;
}

bool Zone::reaches(std::string_view other, const Labels* namespace_labels) const {
  for (const auto& from : records_from) {
    if (entry_reaches(from, ns, other, namespace_labels)) return true;
  }
  return false;
}

bool Zone::reaches_other_namespaces() const {
  for (const auto& from : records_from) {
    if (from.namespace_selector) return true;
  }
  return false;
}

namespace {

Parsed<Name> admin_mailbox(const std::string& email, const Name& zone) {
  auto at = email.rfind('@');
  if (at == std::string::npos) {
    // Already an RNAME in DNS form ("hostmaster.example.test.").
    auto n = parse_spec_name(email, zone, NameRule::Domain);
    if (!n) return invalid(n.error());
    return n;
  }
  std::string local = email.substr(0, at);
  std::string domain = email.substr(at + 1);
  if (local.empty()) return invalid(fmt::format("\"{}\" has an empty local part", email));
  if (domain.empty()) return invalid(fmt::format("\"{}\" has an empty domain", email));
  for (unsigned char c : local) {
    if (c <= 0x20 || c >= 0x7f || c == '\\' || c == '"' || c == '@') {
      return invalid(
          fmt::format("\"{}\": the local part holds a character an SOA RNAME cannot", email));
    }
  }
  if (domain.back() != '.') domain += '.';
  auto d = parse_spec_name(domain, zone, NameRule::Host);
  if (!d) return invalid(d.error());
  std::vector<std::string> labels{local};
  for (auto& l : d->labels()) labels.push_back(std::move(l));
  auto n = Name::from_labels(labels);
  if (!n) return invalid(fmt::format("\"{}\": {}", email, n.error()));
  return n;
}

Parsed<uint32_t> u32_field(const boost::json::value* parent, std::string_view key,
                           const std::string& path, int64_t lo, uint32_t dflt) {
  auto v = json::opt_int(json::member(parent, key), path, lo, kMaxTtl);
  if (!v) return tl::unexpected(v.error());
  return static_cast<uint32_t>(v->value_or(dflt));
}

}  // namespace

Parsed<Zone> decode_zone(const boost::json::value& object) {
  auto meta = decode_object_meta(object, kDNSZone);
  if (!meta) return tl::unexpected(meta.error());
  Zone z;
  static_cast<ObjectMeta&>(z) = std::move(*meta);
  const auto* spec = json::member(&object, "spec");
  if (!spec) return invalid("spec: required");
  auto spec_obj = json::opt_object(spec, "spec");
  if (!spec_obj) return tl::unexpected(spec_obj.error());

  // zoneName
  auto zone_name = json::req_string(json::member(spec, "zoneName"), "spec.zoneName");
  if (!zone_name) return tl::unexpected(zone_name.error());
  if (zone_name->empty() || *zone_name == "." || *zone_name == "@") {
    return invalid(fmt::format("spec.zoneName: \"{}\" is not a zone name", *zone_name));
  }
  std::string absolute = *zone_name;
  if (absolute.back() != '.') absolute += '.';
  auto zn = parse_spec_name(absolute, Name(), NameRule::Domain);
  if (!zn) return invalid("spec.zoneName: " + zn.error());
  z.zone_name = std::move(*zn);
  const Name& zone = z.zone_name;

  auto ttl = u32_field(spec, "ttl", "spec.ttl", 0, 300);
  if (!ttl) return tl::unexpected(ttl.error());
  z.ttl = *ttl;

  // soaRecord
  if (const auto* soa = json::member(spec, "soaRecord")) {
    auto so = json::opt_object(soa, "spec.soaRecord");
    if (!so) return tl::unexpected(so.error());
    Soa s;
    auto mname = json::req_string(json::member(soa, "primaryNs"), "spec.soaRecord.primaryNs");
    if (!mname) return tl::unexpected(mname.error());
    auto mn = parse_spec_name(*mname, zone, NameRule::Host);
    if (!mn) return invalid("spec.soaRecord.primaryNs: " + mn.error());
    s.primary_ns = std::move(*mn);
    auto email = json::req_string(json::member(soa, "adminEmail"), "spec.soaRecord.adminEmail");
    if (!email) return tl::unexpected(email.error());
    auto rn = admin_mailbox(*email, zone);
    if (!rn) return invalid("spec.soaRecord.adminEmail: " + rn.error());
    s.admin_mailbox = std::move(*rn);
    struct Timer {
      const char* key;
      uint32_t* out;
      int64_t lo;
      uint32_t dflt;
    };
    for (const Timer& t :
         {Timer{"refresh", &s.refresh, 1, 3600}, Timer{"retry", &s.retry, 1, 600},
          Timer{"expire", &s.expire, 1, 604800}, Timer{"negativeTtl", &s.negative_ttl, 0, 300}}) {
      auto v = u32_field(soa, t.key, fmt::format("spec.soaRecord.{}", t.key), t.lo, t.dflt);
      if (!v) return tl::unexpected(v.error());
      *t.out = *v;
    }
    z.soa = std::move(s);
  }

  // nameServers
  auto nss = json::opt_array(json::member(spec, "nameServers"), "spec.nameServers");
  if (!nss) return tl::unexpected(nss.error());
  if (*nss) {
    if ((*nss)->empty()) {
      return invalid(
          "spec.nameServers: needs at least one name server (omit the field to leave the "
          "server's apex NS records as they are)");
    }
    for (size_t i = 0; i < (*nss)->size(); ++i) {
      std::string path = fmt::format("spec.nameServers[{}]", i);
      const auto& item = (**nss)[i];
      auto io = json::opt_object(&item, path);
      if (!io) return tl::unexpected(io.error());
      ZoneNameServer ns;
      auto nm = json::req_string(json::member(&item, "name"), path + ".name");
      if (!nm) return tl::unexpected(nm.error());
      auto n = parse_spec_name(*nm, zone, NameRule::Host);
      if (!n) return invalid(path + ".name: " + n.error());
      ns.name = std::move(*n);
      for (const auto& prev : z.name_servers) {
        if (prev.name == ns.name) {
          return invalid(fmt::format("{}.name: {} is listed twice", path, ns.name.to_string()));
        }
      }
      for (bool v6 : {false, true}) {
        std::string field = v6 ? "ipv6Address" : "ipv4Address";
        auto addr = json::opt_string(json::member(&item, field), path + "." + field);
        if (!addr) return tl::unexpected(addr.error());
        if (!*addr) continue;
        auto rd = v6 ? model::Rdata::aaaa(**addr) : model::Rdata::a(**addr);
        if (!rd) return invalid(fmt::format("{}.{}: {}", path, field, rd.error()));
        if (!ns.name.is_subdomain_of(zone)) {
          return invalid(
              fmt::format("{}.{}: glue is only for a name server inside the zone; {} is outside {}",
                          path, field, ns.name.to_string(), zone.to_string()));
        }
        (v6 ? ns.ipv6_address : ns.ipv4_address) = std::move(**addr);
      }
      z.name_servers.push_back(std::move(ns));
    }
  }

  // recordsFrom
  auto rf = json::opt_array(json::member(spec, "recordsFrom"), "spec.recordsFrom");
  if (!rf) return tl::unexpected(rf.error());
  if (*rf) {
    for (size_t i = 0; i < (*rf)->size(); ++i) {
      std::string path = fmt::format("spec.recordsFrom[{}]", i);
      const auto& item = (**rf)[i];
      auto io = json::opt_object(&item, path);
      if (!io) return tl::unexpected(io.error());
      const auto* sv = json::member(&item, "selector");
      if (!sv) return invalid(path + ".selector: required ({} selects every record)");
      auto sel = LabelSelector::decode(sv, path + ".selector");
      if (!sel) return tl::unexpected(sel.error());
      RecordsFrom from{std::move(*sel), std::nullopt};
      auto nsel =
          opt_label_selector(json::member(&item, "namespaceSelector"), path + ".namespaceSelector");
      if (!nsel) return tl::unexpected(nsel.error());
      from.namespace_selector = std::move(*nsel);
      z.records_from.push_back(std::move(from));
    }
  }

  // servers
  if (const auto* servers = json::member(spec, "servers")) {
    auto so = json::opt_object(servers, "spec.servers");
    if (!so) return tl::unexpected(so.error());
    auto refs = json::opt_array(json::member(servers, "refs"), "spec.servers.refs");
    if (!refs) return tl::unexpected(refs.error());
    if (*refs) {
      for (size_t i = 0; i < (*refs)->size(); ++i) {
        std::string path = fmt::format("spec.servers.refs[{}].name", i);
        auto n = json::req_string(json::member(&(**refs)[i], "name"), path);
        if (!n) return tl::unexpected(n.error());
        if (n->empty()) return invalid(path + ": must not be empty");
        z.server_refs.push_back(std::move(*n));
      }
    }
    auto sel = LabelSelector::decode(json::member(servers, "selector"), "spec.servers.selector");
    if (!sel) return tl::unexpected(sel.error());
    z.server_selector = std::move(*sel);
    auto ns = opt_namespace_name(json::member(servers, "namespace"), "spec.servers.namespace");
    if (!ns) return tl::unexpected(ns.error());
    z.servers_namespace = std::move(*ns);
  }

  auto drift = json::opt_string(json::member(spec, "driftPolicy"), "spec.driftPolicy");
  if (!drift) return tl::unexpected(drift.error());
  if (!*drift || **drift == "Remediate") {
    z.drift_policy = DriftPolicy::Remediate;
  } else if (**drift == "Report") {
    z.drift_policy = DriftPolicy::Report;
  } else {
    return invalid(fmt::format("spec.driftPolicy: \"{}\" is not Remediate or Report", **drift));
  }

  if (const auto* dnssec = json::member(spec, "dnssec")) {
    auto d = json::opt_object(dnssec, "spec.dnssec");
    if (!d) return tl::unexpected(d.error());
    Dnssec out;
    auto alg = json::opt_string(json::member(dnssec, "algorithm"), "spec.dnssec.algorithm");
    if (!alg) return tl::unexpected(alg.error());
    if (*alg) {
      auto number = dnssec_algorithm(**alg);
      if (!number) {
        return invalid(
            fmt::format("spec.dnssec.algorithm: \"{}\" is not one of RSASHA256, ECDSAP256SHA256, "
                        "ECDSAP384SHA384, ED25519, ED448",
                        **alg));
      }
      out.algorithm = *number;
    }
    for (const char* field : {"kskLifetime", "zskLifetime"}) {
      const std::string path = fmt::format("spec.dnssec.{}", field);
      auto text = json::opt_string(json::member(dnssec, field), path);
      if (!text) return tl::unexpected(text.error());
      if (!*text) continue;
      auto lifetime = parse_key_lifetime(**text);
      if (!lifetime) return invalid(path + ": " + lifetime.error());
      (std::string_view(field) == "kskLifetime" ? out.ksk_lifetime : out.zsk_lifetime) = *lifetime;
    }
    auto denial = json::opt_string(json::member(dnssec, "denial"), "spec.dnssec.denial");
    if (!denial) return tl::unexpected(denial.error());
    if (*denial && **denial != "NSEC" && **denial != "NSEC3") {
      return invalid(fmt::format("spec.dnssec.denial: \"{}\" is not NSEC or NSEC3", **denial));
    }
    out.nsec3 = *denial && **denial == "NSEC3";
    auto config_map =
        json::opt_string(json::member(dnssec, "dsConfigMap"), "spec.dnssec.dsConfigMap");
    if (!config_map) return tl::unexpected(config_map.error());
    if (*config_map && !k8s_object_name(**config_map)) {
      return invalid(fmt::format(
          "spec.dnssec.dsConfigMap: \"{}\" is not an object name (lower-case RFC 1123 subdomain)",
          **config_map));
    }
    out.ds_config_map = config_map->value_or("");
    z.dnssec = out;
  }
  return z;
}

}  // namespace zk::api
