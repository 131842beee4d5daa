// cert-manager's Certificate (cert-manager.io/v1) as zonekeeper reads it — its readiness and
// expiry, judged against the warning thresholds — and the wildcard Certificate zonekeeper keeps
// for a shared zone (`--wildcard-certificate ZONE=KIND/NAME`). Pure: `now` is passed in.
//
//   auto c = api::decode_certificate(object).value();
//   auto v = api::judge_certificate(c, now, {.not_ready_seconds = 300, .expiry_window_seconds = 14
//   * 86400}); if (v.health == api::CertificateHealth::ExpiresSoon) warn(v.reason, v.message);
//
//   auto w = api::parse_wildcard_certificate("apps.example.test=ClusterIssuer/ca").value();
//   client.apply(cert_resource, ns, api::wildcard_certificate_name(w.zone),
//                api::wildcard_certificate_object(w, ns, owner_id));
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "model/error.h"

namespace zk::api {

inline constexpr std::string_view kCertManagerGroup = "cert-manager.io";

struct CertificateState {
  std::string ns{};
  std::string name{};
  int64_t created = 0;  // metadata.creationTimestamp (0 when absent)
  std::string ready{};  // the Ready condition's status: "True", "False", "Unknown"; "" = none yet
  std::string ready_reason{};  // its reason and message, as cert-manager wrote them
  std::string ready_message{};
  std::optional<int64_t> ready_since{};   // its lastTransitionTime
  std::optional<int64_t> not_after{};     // status.notAfter: when the current certificate expires
  std::optional<int64_t> renewal_time{};  // status.renewalTime: when cert-manager renews it
};

// Reads what CertificateState holds; only metadata.name is required (a Certificate cert-manager
// has not touched yet has no status). A malformed timestamp is an error naming the field.
model::Parsed<CertificateState> decode_certificate(const boost::json::value& object);

struct CertificateWarnings {
  int64_t not_ready_seconds = 300;  // not Ready this long (since Ready changed, or creation)
  int64_t expiry_window_seconds = 14 * 86400;  // notAfter this close
};

enum class CertificateHealth {
  Ready,        // Ready=True and not expiring within the window
  Pending,      // not Ready, for less than not_ready_seconds: being issued; nothing to say yet
  NotReady,     // not Ready for not_ready_seconds or more
  ExpiresSoon,  // notAfter within the window (cert-manager did not renew it in time)
  Expired,      // notAfter has passed
};

struct CertificateVerdict {
  CertificateHealth health = CertificateHealth::Pending;
  std::string reason{};   // the Event reason: CertificateReady, CertificateNotReady, ...
  std::string message{};  // one line for the Event and the log; names the Certificate
};

// The first that holds of Expired, NotReady, ExpiresSoon, then Ready or Pending.
CertificateVerdict judge_certificate(const CertificateState& c, int64_t now,
                                     const CertificateWarnings& warnings);
bool is_warning(CertificateHealth health);

// `--wildcard-certificate ZONE=KIND[.GROUP]/NAME`: a Certificate for `*.ZONE` and `ZONE`
// issued by the Issuer or ClusterIssuer NAME (another GROUP: an external issuer's kind).
struct WildcardCertificate {
  std::string zone{};  // lower case, no trailing dot
  std::string issuer_kind{};
  std::string issuer_name{};
  std::string issuer_group = std::string(kCertManagerGroup);
  friend bool operator==(const WildcardCertificate&, const WildcardCertificate&) = default;
};
model::Parsed<WildcardCertificate> parse_wildcard_certificate(std::string_view flag);

// The labels and annotation that mark a Certificate as one this controller keeps (and may
// delete once no flag asks for it any more): kWildcardLabel's value is the controller's
// --txt-owner-id, so two controllers (one per zone set) never delete each other's.
inline constexpr std::string_view kWildcardLabel = "dns.zonekeeper.io/wildcard-certificate";
inline constexpr std::string_view kManagedByLabel = "app.kubernetes.io/managed-by";
inline constexpr std::string_view kWildcardZoneAnnotation = "dns.zonekeeper.io/wildcard-zone";

// "wildcard.<zone>": the Certificate's and its Secret's name (a DNS subdomain, unique per zone).
std::string wildcard_certificate_name(std::string_view zone);
// The server-side apply body: labels, the zone annotation, spec.secretName, spec.dnsNames
// ["*.zone", "zone"] and spec.issuerRef. Every other field is left to the user and cert-manager.
boost::json::object wildcard_certificate_object(const WildcardCertificate& w, std::string_view ns,
                                                std::string_view owner);
// Whether `actual` (a cached Certificate) has every field wildcard_certificate_object sets, as set.
bool wildcard_certificate_current(const WildcardCertificate& w, const boost::json::value& actual,
                                  std::string_view owner);
// Whether `actual` carries the marks of one the controller of `owner` keeps.
bool is_wildcard_certificate(const boost::json::value& actual, std::string_view owner);

}  // namespace zk::api
