// The metadata fields zonekeeper reads from every object (namespace, name, uid, age,
// generation, labels), shared by RecordObject, Zone and Server; and the check of a namespace name.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "api/label_selector.h"
#include "api/time.h"
#include "model/error.h"

namespace zk::api {

struct ObjectMeta {
  std::string ns;    // metadata.namespace ("" when absent)
  std::string name;  // metadata.name
  std::string uid;   // metadata.uid
  // metadata.creationTimestamp (RFC 3339), parsed; nullopt when absent or malformed (memory: the
  // text took a string and an allocation in every cached object).
  std::optional<Timestamp> created_at;
  int64_t generation = 0;  // metadata.generation
  Labels labels;           // metadata.labels

  friend bool operator==(const ObjectMeta&, const ObjectMeta&) = default;
};

// Reads `object.metadata`; metadata.name is required, the rest is optional.
model::Parsed<ObjectMeta> decode_meta(const boost::json::value& object);

// Checks `object.kind` (when present) and `object.apiVersion` (when present) against ours.
model::Parsed<bool> check_type(const boost::json::value& object, std::string_view kind);

// Whether objects of a kind live in a namespace (DNSZone, Bind9Cluster, ...) or not
// (Bind9GlobalCluster).
enum class Scope { Namespaced, Cluster };

// The start of every decode_*: `object` is a JSON object, its kind and apiVersion are ours (when
// present), and its metadata reads. A cluster-scoped object's ns is always "": a
// metadata.namespace is ignored, as the API server clears it.
model::Parsed<ObjectMeta> decode_object_meta(const boost::json::value& object,
                                             std::string_view kind,
                                             Scope scope = Scope::Namespaced);

// An RFC 1123 label, [a-z0-9]([-a-z0-9]*[a-z0-9])?, 1 to 63 characters: a namespace name, a
// label of an object name.
bool rfc1123_label(std::string_view s);
// A label value: empty, or at most 63 characters of [A-Za-z0-9-_.] that begin and end with a
// letter or digit.
bool k8s_label_value(std::string_view s);
// An object name (RFC 1123 subdomain): dot-separated labels, at most 253 characters.
bool k8s_object_name(std::string_view s);
// A field that names a namespace (spec.servers.namespace, spec.namespace): nullopt when absent,
// an error naming `path` when it is not a string or not a namespace name.
model::Parsed<std::optional<std::string>> opt_namespace_name(const boost::json::value* v,
                                                             std::string_view path);

}  // namespace zk::api
