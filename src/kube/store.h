// The informer's cache: objects by key. by_namespace and by_label look at every object: no index
// (memory: one cost ≈ 85 bytes per object of the largest stores, the record kinds, which no one
// asks that way; the callers are small stores: Certificates, Bind9Instances).
//
//   const Store& s = informer.store();
//   ObjectPtr o = s.get("default", "www");               // null when absent
//   for (const ObjectPtr& r : s.by_label("zone", "example.test")) ...
//   for (const ObjectPtr& r : s.by_namespace("team-a")) ...
//
// Thread-safe: readers on any thread see a consistent snapshot per call; the informer is the
// only writer. Objects are immutable and shared, so a result stays valid after later updates.
#pragma once

#include <cstddef>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kube/object.h"

namespace zk::kube {

enum class DeltaType { Added, Updated, Deleted };
std::string_view to_string(DeltaType type);

struct Delta {
  DeltaType type;
  ObjectPtr old_object;  // null for Added
  ObjectPtr new_object;  // null for Deleted
};

class Store {
 public:
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  ObjectPtr get(std::string_view key) const;
  ObjectPtr get(std::string_view ns, std::string_view name) const;
  std::vector<ObjectPtr> list() const;
  std::vector<ObjectPtr> by_namespace(std::string_view ns) const;
  std::vector<ObjectPtr> by_label(std::string_view key, std::string_view value) const;
  std::vector<std::string> keys() const;
  size_t size() const;

  // Writers (the informer; public for tests). Return the delta actually applied: an upsert of
  // an object with the same resourceVersion as the cached one is no change (nullopt).
  std::optional<Delta> upsert(ObjectPtr object);
  std::optional<Delta> erase(std::string_view key);
  // Makes the store equal to `fresh` (a full re-list) and returns the exact difference:
  // Added for new keys, Updated where the resourceVersion moved (or uid changed: the object
  // was deleted and re-created), Deleted for keys that vanished.
  std::vector<Delta> replace(std::vector<ObjectPtr> fresh);

 private:
  mutable std::shared_mutex mu_;
  // Keys are views into the stored Object's own block (alive while stored).
  std::unordered_map<std::string_view, ObjectPtr> objects_;
};

}  // namespace zk::kube
