// A record-sized custom resource used by the integration tests and bench/informer:
// arecords.dns.zonekeeper.test (ARecord, namespaced, status subresource, schema-validated).
#pragma once

#include <string>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include "kube/resource.h"

namespace zk::kube::testing {

inline const Resource kARecords{"dns.zonekeeper.test", "v1alpha1", "arecords", "ARecord", true};

inline boost::json::object arecord_crd() {
  return boost::json::parse(R"JSON({
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "arecords.dns.zonekeeper.test"},
    "spec": {"group": "dns.zonekeeper.test", "scope": "Namespaced",
      "names": {"plural": "arecords", "singular": "arecord", "kind": "ARecord", "listKind": "ARecordList"},
      "versions": [{"name": "v1alpha1", "served": true, "storage": true,
        "subresources": {"status": {}},
        "schema": {"openAPIV3Schema": {"type": "object", "properties": {
          "spec": {"type": "object", "required": ["name", "addresses"], "properties": {
            "zone": {"type": "string"},
            "name": {"type": "string"},
            "ttl": {"type": "integer", "minimum": 0},
            "addresses": {"type": "array", "items": {"type": "string"}}}},
          "status": {"type": "object", "properties": {
            "observedGeneration": {"type": "integer"},
            "recordHash": {"type": "string"},
            "conditions": {"type": "array", "items": {"type": "object",
              "x-kubernetes-preserve-unknown-fields": true}}}}}}}}]}})JSON")
      .as_object();
}

// A typical record: ~400 bytes of JSON once the server has added its metadata.
inline boost::json::object arecord(const std::string& ns, const std::string& name, int i) {
  return boost::json::object{
      {"apiVersion", "dns.zonekeeper.test/v1alpha1"},
      {"kind", "ARecord"},
      {"metadata", boost::json::object{{"name", name},
                                       {"namespace", ns},
                                       {"labels", boost::json::object{{"zonekeeper.dev/zone",
                                                                       "example.test"}}}}},
      {"spec",
       boost::json::object{
           {"zone", "example.test"},
           {"name", name},
           {"ttl", 300},
           {"addresses", boost::json::array{"192.0.2." + std::to_string(i % 250 + 1),
                                            "198.51.100." + std::to_string(i % 250 + 1)}}}}};
}

}  // namespace zk::kube::testing
