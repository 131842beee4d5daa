// Condition types, statuses and reasons written into status.conditions (docs/api.md lists
// what each means). One header so the controller, the docs and the tests agree on spelling.
//
//   set_condition(status.conditions,
//                 {kReady, kFalse, reasons::kConflict, message, generation, ""}, now);
#pragma once

#include <string_view>

namespace zk::api {

// Condition types.
inline constexpr std::string_view kReady = "Ready";
inline constexpr std::string_view kPropagated = "Propagated";

// Condition statuses.
inline constexpr std::string_view kTrue = "True";
inline constexpr std::string_view kFalse = "False";
inline constexpr std::string_view kUnknown = "Unknown";

namespace reasons {

// Record objects (Ready).
inline constexpr std::string_view kServed = "Served";            // a primary acknowledged it
inline constexpr std::string_view kPending = "Pending";          // valid, selected, not yet served
inline constexpr std::string_view kInvalidSpec = "InvalidSpec";  // fails DNS rules
inline constexpr std::string_view kConflict = "Conflict";        // an older object wins
inline constexpr std::string_view kMultipleZones = "MultipleZones";
inline constexpr std::string_view kNotSelected = "NotSelected";
inline constexpr std::string_view kNamespaceNotAdmitted = "NamespaceNotAdmitted";
inline constexpr std::string_view kZoneNotReady = "ZoneNotReady";
// DNS faults (records and zones).
inline constexpr std::string_view kServerUnreachable = "ServerUnreachable";
inline constexpr std::string_view kUpdateRefused = "UpdateRefused";
inline constexpr std::string_view kTsigAuthFailed = "TsigAuthFailed";
inline constexpr std::string_view kZoneNotFound = "ZoneNotFound";
// An HTTP-API backend (Technitium) refused our credentials: invalid or expired token, a
// refused login, HTTP 401 or 403. Records, zones and the DNSServer.
inline constexpr std::string_view kAuthenticationFailed = "AuthenticationFailed";
// A Primary refused the zone transfer (allow-transfer denies zonekeeper's key or address).
inline constexpr std::string_view kTransferRefused = "TransferRefused";
// DNSZone Event when the drift check finds the served data changed behind our back.
inline constexpr std::string_view kDriftDetected = "DriftDetected";
// Propagation to secondaries (Propagated).
inline constexpr std::string_view kInSync = "InSync";
inline constexpr std::string_view kSecondaryBehind = "SecondaryBehind";
inline constexpr std::string_view kSecondaryUnreachable = "SecondaryUnreachable";
// DNSZone summary (Ready).
inline constexpr std::string_view kAllReady = "AllReady";
inline constexpr std::string_view kPartiallyReady = "PartiallyReady";
inline constexpr std::string_view kNotReady = "NotReady";
inline constexpr std::string_view kNoServers = "NoServers";
// spec.servers picks DNSServers of another namespace, none of which admits the zone's.
inline constexpr std::string_view kNamespaceNotAllowed = "NamespaceNotAllowed";
// spec.dnssec on a zone with a Primary zonekeeper cannot have sign it (no catalogZone).
inline constexpr std::string_view kDnssecNotSupported = "DNSSECNotSupported";
// DNSServer (Ready).
inline constexpr std::string_view kReachable = "Reachable";
inline constexpr std::string_view kServerRefused = "ServerRefused";          // RCODE REFUSED
inline constexpr std::string_view kServerFailure = "ServerFailure";          // RCODE SERVFAIL
inline constexpr std::string_view kQueryRejected = "QueryRejected";          // FORMERR, NOTIMP
inline constexpr std::string_view kMalformedResponse = "MalformedResponse";  // unparseable answer
// spec.catalogZone could not be read or written (the message says why).
inline constexpr std::string_view kCatalogFailed = "CatalogFailed";
inline constexpr std::string_view kSecretNotFound = "SecretNotFound";
inline constexpr std::string_view kSecretInvalid = "SecretInvalid";
inline constexpr std::string_view kSecretForbidden = "SecretForbidden";
// The Secret named by tsigKeySecretRef has not been delivered by the informer yet (moments
// after start or after the reference changed): the server is not contacted until it is.
inline constexpr std::string_view kSecretPending = "SecretPending";
// Source objects: DNSEndpoint (Ready) and Events on Ingress, IngressRoute, HTTPRoute; also
// kConflict (an older object, or a record zonekeeper does not own, holds the name).
inline constexpr std::string_view kProgrammed = "Programmed";  // every Primary serves it
inline constexpr std::string_view kFailed = "Failed";          // a Primary did not take it
inline constexpr std::string_view kInvalid = "Invalid";        // an entry or rule is invalid
inline constexpr std::string_view kFiltered = "Filtered";      // excluded by the domain filter
inline constexpr std::string_view kNoEndpoints = "NoEndpoints";
// Warning Events on record objects about their dns.zonekeeper.io/notify-url webhook.
inline constexpr std::string_view kInvalidNotifyUrl = "InvalidNotifyURL";  // not called
inline constexpr std::string_view kNotifyFailed = "NotifyFailed";          // every attempt failed

}  // namespace reasons
}  // namespace zk::api
