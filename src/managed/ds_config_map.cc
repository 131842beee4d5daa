#include "managed/ds_config_map.h"

#include "api/kind.h"

namespace zk::managed {

namespace json = boost::json;

json::object ds_config_map(const DsConfigMapRef& ref, const model::Name& zone,
                           const std::vector<DsRecord>& ds) {
  std::string lines;
  for (const DsRecord& d : ds) lines += to_string(zone, d) + '\n';
  json::object owner{{"apiVersion", std::string(api::kApiVersion)},
                     {"kind", std::string(api::kDNSZone)},
                     {"name", ref.zone_object},
                     {"uid", ref.zone_uid},
                     {"controller", true}};
  json::object meta{{"name", ref.name},
                    {"namespace", ref.ns},
                    {"labels", json::object{{kDsConfigMapLabel, "true"}}},
                    {"ownerReferences", json::array{std::move(owner)}}};
  return json::object{{"apiVersion", "v1"},
                      {"kind", "ConfigMap"},
                      {"metadata", std::move(meta)},
                      {"data", json::object{{"zone", zone.to_string()}, {"ds", lines}}}};
}

}  // namespace zk::managed
