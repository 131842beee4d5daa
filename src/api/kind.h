// The fifteen record kinds of dns.zonekeeper.io/v1alpha1 (one CRD per RR type) and their names.
//
//   api::Kind k = api::parse_kind("MXRecord").value();
//   api::to_string(k);        // "MXRecord"
//   api::plural(k);           // "mxrecords" (the resource name, for list/watch paths)
//   api::record_type(k);      // model::RRType::MX
#pragma once

#include <array>
#include <string_view>

#include "model/error.h"
#include "model/rdata.h"

namespace zk::api {

inline constexpr std::string_view kGroup = "dns.zonekeeper.io";
inline constexpr std::string_view kVersion = "v1alpha1";
inline constexpr std::string_view kApiVersion = "dns.zonekeeper.io/v1alpha1";
// Annotation the controller puts on matched records (value: the zone, absolute).
inline constexpr std::string_view kZoneAnnotation = "dns.zonekeeper.io/zone";

enum class Kind {
  A,
  AAAA,
  CNAME,
  TXT,
  MX,
  NS,
  SRV,
  CAA,
  PTR,
  NAPTR,
  DNAME,
  SSHFP,
  TLSA,
  SVCB,
  HTTPS
};

inline constexpr std::array<Kind, 15> kAllKinds = {
    Kind::A,   Kind::AAAA,  Kind::CNAME, Kind::TXT,   Kind::MX,   Kind::NS,   Kind::SRV,  Kind::CAA,
    Kind::PTR, Kind::NAPTR, Kind::DNAME, Kind::SSHFP, Kind::TLSA, Kind::SVCB, Kind::HTTPS};

std::string_view to_string(Kind k);  // "ARecord"
std::string_view plural(Kind k);     // "arecords"
model::RRType record_type(Kind k);
// "ARecord" … "HTTPSRecord" (exact spelling, as in the JSON `kind` field).
model::Parsed<Kind> parse_kind(std::string_view kind);
// "arecords" … "httpsrecords".
model::Parsed<Kind> parse_plural(std::string_view plural);

// Other kinds of this API group.
inline constexpr std::string_view kDNSZone = "DNSZone";
inline constexpr std::string_view kDNSZones = "dnszones";
inline constexpr std::string_view kDNSServer = "DNSServer";
inline constexpr std::string_view kDNSServers = "dnsservers";

}  // namespace zk::api
