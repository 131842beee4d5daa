// The metadata fields zonekeeper reads from every object (namespace, name, uid, age,
// generation, labels), shared by RecordObject, Zone and Server.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <boost/json/value.hpp>

#include "api/label_selector.h"
#include "api/time.h"
#include "model/error.h"

namespace zk::api {

struct ObjectMeta {
  std::string ns;                  // metadata.namespace ("" when absent)
  std::string name;                // metadata.name
  std::string uid;                 // metadata.uid
  std::string creation_timestamp;  // metadata.creationTimestamp, RFC 3339
  int64_t generation = 0;          // metadata.generation
  Labels labels;                   // metadata.labels

  // creation_timestamp parsed; nullopt when absent or malformed.
  std::optional<Timestamp> created() const;
  friend bool operator==(const ObjectMeta&, const ObjectMeta&) = default;
};

// Reads `object.metadata`; metadata.name is required, the rest is optional.
model::Parsed<ObjectMeta> decode_meta(const boost::json::value& object);

// Checks `object.kind` (when present) and `object.apiVersion` (when present) against ours.
model::Parsed<bool> check_type(const boost::json::value& object, std::string_view kind);

// The start of every decode_*: `object` is a JSON object, its kind and apiVersion are ours (when
// present), and its metadata reads.
model::Parsed<ObjectMeta> decode_object_meta(const boost::json::value& object,
                                             std::string_view kind);

}  // namespace zk::api
