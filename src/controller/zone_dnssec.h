// DNSZone spec.dnssec in the reconciler (docs/api.md "DNSSEC"): whether the zone's Primaries
// can sign it, and status.dnssec from what a Primary serves.
#pragma once

#include <optional>
#include <vector>

#include "api/server.h"
#include "api/zone.h"
#include "controller/status.h"
#include "providers/provider.h"

namespace zk::controller {

// Ready=False DNSSECNotSupported when the zone asks for DNSSEC and some Primary has no catalog
// zone (only a catalog's consumer, zonekeeper's agent, turns the policy into dnssec-policy);
// nullopt otherwise.
std::optional<ConditionSpec> dnssec_unsupported(const api::Zone& zone,
                                                const std::vector<api::Server>& primaries);

// status.dnssec from a Primary's copy of the zone: signed once it serves a DNSKEY with flags
// 257, with the DS of each such key.
DnssecStatus dnssec_status(const model::Name& zone, const providers::ServedZone& served);

}  // namespace zk::controller
