// An object as the informer caches it: compact, immutable, shared.
//
//   Result<ObjectPtr> o = Object::from_json(std::move(json_object));
//   (*o)->name(); (*o)->namespace_(); (*o)->resource_version(); (*o)->label("app");
//   boost::json::value v = (*o)->parse();      // the full object, for typed decoding
//
// Memory: one heap block holds namespace, name, resourceVersion, uid, the labels and the
// compact JSON text (metadata.managedFields and the kubectl last-applied-configuration
// annotation removed on arrival), packed (kube/packed_json: common keys and constant values one
// byte each, timestamps, hashes and UUIDs in binary; a record with its status: 942 octets of
// text kept in 351). A record-sized custom object
// costs well under 1.5 KB resident (see bench/informer), versus several KB for a
// boost::json::value tree.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "kube/error.h"

namespace zk::kube {

class Object;
using ObjectPtr = std::shared_ptr<const Object>;

class Object {
 public:
  // Strips managedFields and the last-applied annotation from `object` (in place) and packs it.
  // Decode error when metadata.name is missing.
  static Result<ObjectPtr> from_json(boost::json::object& object);
  // Parses `json` text first.
  static Result<ObjectPtr> from_text(std::string_view json);

  std::string_view namespace_() const { return field(0); }
  std::string_view name() const { return field(1); }
  std::string_view resource_version() const { return field(2); }
  std::string_view uid() const { return field(3); }
  // "namespace/name", or "name" for cluster-scoped objects.
  std::string_view key() const;
  // Compact JSON of the whole (stripped) object.
  std::string json() const;
  boost::json::value parse() const;

  // metadata.labels, in the server's order.
  std::vector<std::pair<std::string_view, std::string_view>> labels() const;
  std::optional<std::string_view> label(std::string_view key) const;

  // Bytes owned by this object (for memory accounting): the JSON as packed.
  size_t footprint() const { return sizeof(Object) + size_; }

  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;
  Object() = default;

 private:
  // Layout of data_: [ns/name][rv][uid][labels k\0v\0...][json]; key = ns + '/' + name with
  // the '/' stored between them (absent for cluster-scoped).
  std::string_view field(int i) const;
  std::unique_ptr<char[]> data_;
  uint32_t size_ = 0;
  uint32_t ns_len_ = 0;
  uint32_t name_len_ = 0;
  uint32_t rv_len_ = 0;
  uint16_t uid_len_ = 0;
  uint16_t label_count_ = 0;
  uint32_t labels_len_ = 0;
};

// Objects whose metadata.name/namespace form this key: "ns/name" or "name".
std::string object_key(std::string_view ns, std::string_view name);

}  // namespace zk::kube
