// The ConfigMap that carries a signed DNSZone's DS records for whatever updates the parent zone
// (DNSZone spec.dnssec.dsConfigMap; docs/api.md "DNSSEC"), as JSON for server-side apply.
//
//   json::object cm = managed::ds_config_map({"shop-ds", "web", "shop", uid}, zone_name, ds);
//   // data: {"zone": "shop.example.", "ds": "shop.example. IN DS 12345 13 2 AB…\n"}
#pragma once

#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "managed/dnssec.h"
#include "model/name.h"

namespace zk::managed {

// Every such ConfigMap carries this label ("true"): one list finds them all, each owned (its
// controller owner reference) by its DNSZone.
inline constexpr std::string_view kDsConfigMapLabel = "dns.zonekeeper.io/ds";

struct DsConfigMapRef {
  std::string name;         // the ConfigMap
  std::string ns;           // the DNSZone's namespace, and the ConfigMap's
  std::string zone_object;  // the DNSZone's metadata.name
  std::string zone_uid;     // its metadata.uid
};

// data.zone: the zone's name (absolute); data.ds: one DS record per line in zone-file form,
// "" while the zone has none (not signed yet).
boost::json::object ds_config_map(const DsConfigMapRef& ref, const model::Name& zone,
                                  const std::vector<DsRecord>& ds);

}  // namespace zk::managed
