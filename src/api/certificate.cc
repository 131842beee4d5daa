#include "api/certificate.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include <fmt/format.h>
#include <boost/json/array.hpp>

#include "api/condition.h"
#include "api/json_fields.h"
#include "api/object_meta.h"
#include "api/time.h"
#include "model/ascii.h"

namespace zk::api {

namespace bj = boost::json;

namespace {

model::Parsed<std::optional<int64_t>> opt_time(const bj::value* v, std::string_view path) {
  auto text = json::opt_string(v, path);
  if (!text) return tl::make_unexpected(text.error());
  if (!*text) return std::optional<int64_t>{};
  auto t = parse_rfc3339(**text);
  if (!t) return tl::make_unexpected(fmt::format("{}: {}", path, t.error()));
  return std::optional<int64_t>{t->seconds};
}

// "3d 4h", "23h 59m", "5m 10s", "40s": a span of time as people read it.
std::string span(int64_t seconds) {
  if (seconds < 0) seconds = -seconds;
  const int64_t d = seconds / 86400, h = seconds % 86400 / 3600, m = seconds % 3600 / 60,
                s = seconds % 60;
  if (d > 0) return h ? fmt::format("{}d {}h", d, h) : fmt::format("{}d", d);
  if (h > 0) return m ? fmt::format("{}h {}m", h, m) : fmt::format("{}h", h);
  if (m > 0) return s ? fmt::format("{}m {}s", m, s) : fmt::format("{}m", m);
  return fmt::format("{}s", s);
}

const bj::value* at(const bj::value& v, std::initializer_list<std::string_view> path) {
  const bj::value* cur = &v;
  for (std::string_view key : path) {
    cur = json::member(cur, key);
    if (!cur) return nullptr;
  }
  return cur;
}

std::string_view string_at(const bj::value& v, std::initializer_list<std::string_view> path) {
  const bj::value* s = at(v, path);
  return s && s->is_string() ? std::string_view(s->get_string()) : std::string_view();
}

std::vector<std::string> dns_names(const WildcardCertificate& w) {
  return {"*." + w.zone, w.zone};
}

}  // namespace

model::Parsed<CertificateState> decode_certificate(const bj::value& object) {
  if (!object.is_object()) return tl::make_unexpected("a Certificate is not a JSON object");
  auto meta = decode_meta(object);
  if (!meta) return tl::make_unexpected(meta.error());
  CertificateState c;
  c.ns = meta->ns;
  c.name = meta->name;
  if (auto created = meta->created_at) c.created = created->seconds;
  const bj::value* status = json::member(&object, "status");
  if (!status) return c;
  auto not_after = opt_time(json::member(status, "notAfter"), "status.notAfter");
  if (!not_after) return tl::make_unexpected(not_after.error());
  c.not_after = *not_after;
  auto renewal = opt_time(json::member(status, "renewalTime"), "status.renewalTime");
  if (!renewal) return tl::make_unexpected(renewal.error());
  c.renewal_time = *renewal;
  const bj::value* conds = json::member(status, "conditions");
  auto conditions = conditions_from_json(conds ? *conds : bj::value());
  if (!conditions)
    return tl::make_unexpected(fmt::format("status.conditions: {}", conditions.error()));
  if (const Condition* ready = find_condition(*conditions, "Ready")) {
    c.ready = ready->status;
    c.ready_reason = ready->reason;
    c.ready_message = ready->message;
    if (!ready->last_transition_time.empty()) {
      auto t = parse_rfc3339(ready->last_transition_time);
      if (!t)
        return tl::make_unexpected(
            fmt::format("status.conditions[Ready].lastTransitionTime: {}", t.error()));
      c.ready_since = t->seconds;
    }
  }
  return c;
}

CertificateVerdict judge_certificate(const CertificateState& c, int64_t now,
                                     const CertificateWarnings& warnings) {
  const std::string who = fmt::format("Certificate {}/{}", c.ns, c.name);
  if (c.not_after && *c.not_after <= now) {
    return {CertificateHealth::Expired, "CertificateExpired",
            fmt::format("{} expired at {} ({} ago); Ready={} {}", who, format_rfc3339(*c.not_after),
                        span(now - *c.not_after), c.ready.empty() ? "Unknown" : c.ready,
                        c.ready_reason)};
  }
  if (c.ready != "True") {
    const int64_t since = c.ready_since.value_or(c.created);
    if (now - since < warnings.not_ready_seconds) return {CertificateHealth::Pending, "", ""};
    std::string why =
        c.ready.empty() ? std::string("cert-manager has not set its Ready condition")
                        : fmt::format("Ready={} {}: {}", c.ready, c.ready_reason, c.ready_message);
    return {CertificateHealth::NotReady, "CertificateNotReady",
            fmt::format("{} is not Ready for {}: {}", who, span(now - since), why)};
  }
  if (c.not_after && *c.not_after - now <= warnings.expiry_window_seconds) {
    std::string renewal = c.renewal_time ? fmt::format("; cert-manager's renewal time: {}",
                                                       format_rfc3339(*c.renewal_time))
                                         : std::string();
    return {CertificateHealth::ExpiresSoon, "CertificateExpiresSoon",
            fmt::format("{} expires at {} (in {}), within the warning window of {}{}", who,
                        format_rfc3339(*c.not_after), span(*c.not_after - now),
                        span(warnings.expiry_window_seconds), renewal)};
  }
  std::string until =
      c.not_after ? fmt::format(", valid until {}", format_rfc3339(*c.not_after)) : std::string();
  return {CertificateHealth::Ready, "CertificateReady", fmt::format("{} is Ready{}", who, until)};
}

bool is_warning(CertificateHealth health) {
  return health == CertificateHealth::NotReady || health == CertificateHealth::ExpiresSoon ||
         health == CertificateHealth::Expired;
}

model::Parsed<WildcardCertificate> parse_wildcard_certificate(std::string_view flag) {
  auto bad = [&](std::string why) -> model::Parsed<WildcardCertificate> {
    return tl::make_unexpected(fmt::format("--wildcard-certificate {}: {}", flag, why));
  };
  const auto eq = flag.find('=');
  if (eq == std::string_view::npos)
    return bad("expected ZONE=KIND/NAME, e.g. apps.example.test=ClusterIssuer/letsencrypt");
  std::string zone = model::ascii_lower(flag.substr(0, eq));
  if (!zone.empty() && zone.back() == '.') zone.pop_back();
  if (zone.empty() || zone.find('*') != std::string::npos ||
      !k8s_object_name(wildcard_certificate_name(zone))) {
    return bad(
        fmt::format("\"{}\" is not a zone name a certificate can cover (lower-case "
                    "letters, digits and '-' in dot-separated labels, at most 244 characters)",
                    zone));
  }
  std::string_view issuer = flag.substr(eq + 1);
  const auto slash = issuer.find('/');
  if (slash == std::string_view::npos)
    return bad("the issuer must be KIND/NAME, e.g. ClusterIssuer/letsencrypt");
  WildcardCertificate w;
  w.zone = std::move(zone);
  std::string_view kind = issuer.substr(0, slash);
  if (auto dot = kind.find('.'); dot != std::string_view::npos) {
    w.issuer_group = std::string(kind.substr(dot + 1));
    kind = kind.substr(0, dot);
    if (!k8s_object_name(w.issuer_group))
      return bad(fmt::format("\"{}\" is not an API group", w.issuer_group));
  }
  if (kind.empty() ||
      !std::all_of(kind.begin(), kind.end(), [](unsigned char c) { return std::isalnum(c); }) ||
      !std::isupper(static_cast<unsigned char>(kind.front()))) {
    return bad(
        fmt::format("\"{}\" is not a kind (Issuer, ClusterIssuer, or an external issuer's "
                    "Kind.group)",
                    kind));
  }
  if (w.issuer_group == kCertManagerGroup && kind != "Issuer" && kind != "ClusterIssuer") {
    return bad(
        fmt::format("cert-manager.io has no issuer kind \"{}\" (Issuer or ClusterIssuer; "
                    "an external issuer as Kind.group/NAME)",
                    kind));
  }
  w.issuer_kind = std::string(kind);
  w.issuer_name = std::string(issuer.substr(slash + 1));
  if (!k8s_object_name(w.issuer_name))
    return bad(fmt::format("\"{}\" is not an object name", w.issuer_name));
  return w;
}

std::string wildcard_certificate_name(std::string_view zone) {
  return "wildcard." + std::string(zone);
}

bj::object wildcard_certificate_object(const WildcardCertificate& w, std::string_view ns,
                                       std::string_view owner) {
  bj::array names;
  for (auto& n : dns_names(w)) names.emplace_back(n);
  const std::string name = wildcard_certificate_name(w.zone);
  return bj::object{
      {"apiVersion", fmt::format("{}/v1", kCertManagerGroup)},
      {"kind", "Certificate"},
      {"metadata",
       bj::object{{"name", name},
                  {"namespace", ns},
                  {"labels", bj::object{{kWildcardLabel, owner}, {kManagedByLabel, "zonekeeper"}}},
                  {"annotations", bj::object{{kWildcardZoneAnnotation, w.zone}}}}},
      {"spec", bj::object{{"secretName", name},
                          {"dnsNames", std::move(names)},
                          {"issuerRef", bj::object{{"group", w.issuer_group},
                                                   {"kind", w.issuer_kind},
                                                   {"name", w.issuer_name}}}}}};
}

bool is_wildcard_certificate(const bj::value& actual, std::string_view owner) {
  return string_at(actual, {"metadata", "labels", kWildcardLabel}) == owner &&
         string_at(actual, {"metadata", "labels", kManagedByLabel}) == "zonekeeper";
}

bool wildcard_certificate_current(const WildcardCertificate& w, const bj::value& actual,
                                  std::string_view owner) {
  if (!is_wildcard_certificate(actual, owner)) return false;
  if (string_at(actual, {"metadata", "annotations", kWildcardZoneAnnotation}) != w.zone)
    return false;
  if (string_at(actual, {"spec", "secretName"}) != wildcard_certificate_name(w.zone)) return false;
  std::string_view group = string_at(actual, {"spec", "issuerRef", "group"});
  if (group.empty()) group = kCertManagerGroup;  // cert-manager's default
  if (group != w.issuer_group ||
      string_at(actual, {"spec", "issuerRef", "kind"}) != w.issuer_kind ||
      string_at(actual, {"spec", "issuerRef", "name"}) != w.issuer_name) {
    return false;
  }
  const bj::value* names = at(actual, {"spec", "dnsNames"});
  if (!names || !names->is_array()) return false;
  std::vector<std::string> have;
  for (const auto& n : names->get_array()) {
    if (!n.is_string()) return false;
    have.emplace_back(n.get_string());
  }
  std::vector<std::string> want = dns_names(w);
  std::sort(have.begin(), have.end());
  std::sort(want.begin(), want.end());
  return have == want;
}

}  // namespace zk::api
