#include "controller/zone_dnssec.h"

#include <fmt/format.h>

#include "api/condition.h"
#include "api/reasons.h"
#include "managed/dnssec.h"

namespace zk::controller {

std::optional<ConditionSpec> dnssec_unsupported(const api::Zone& zone,
                                                const std::vector<api::Server>& primaries) {
  if (!zone.dnssec) return std::nullopt;
  std::vector<std::string> plain;
  for (const api::Server& s : primaries) {
    if (!s.catalog_zone || s.technitium) plain.push_back(s.key());
  }
  if (plain.empty()) return std::nullopt;
  return ready_condition(
      api::kFalse, api::reasons::kDnssecNotSupported,
      fmt::format("spec.dnssec: DNSServer {} has no catalog zone (spec.catalogZone): only "
                  "servers zonekeeper runs (Bind9Instance, Bind9Cluster) or whose catalog "
                  "zonekeeper's agent follows sign zones; remove spec.dnssec or pick such servers",
                  fmt::join(plain, ", ")));
}

DnssecStatus dnssec_status(const model::Name& zone, const providers::ServedZone& served) {
  DnssecStatus out;
  out.zone = zone.to_string();
  out.ds = managed::ds_records(zone, served.rrsets);
  out.is_signed = !out.ds.empty();
  return out;
}

}  // namespace zk::controller
