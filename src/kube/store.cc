#include "kube/store.h"

#include <unordered_set>

namespace zk::kube {

std::string_view to_string(DeltaType type) {
  switch (type) {
    case DeltaType::Added:
      return "Added";
    case DeltaType::Updated:
      return "Updated";
    case DeltaType::Deleted:
      return "Deleted";
  }
  return "Unknown";
}

ObjectPtr Store::get(std::string_view key) const {
  std::shared_lock lock(mu_);
  auto it = objects_.find(key);
  return it == objects_.end() ? nullptr : it->second;
}

ObjectPtr Store::get(std::string_view ns, std::string_view name) const {
  return get(object_key(ns, name));
}

std::vector<ObjectPtr> Store::list() const {
  std::shared_lock lock(mu_);
  std::vector<ObjectPtr> out;
  out.reserve(objects_.size());
  for (const auto& [k, o] : objects_) out.push_back(o);
  return out;
}

std::vector<ObjectPtr> Store::by_namespace(std::string_view ns) const {
  std::shared_lock lock(mu_);
  std::vector<ObjectPtr> out;
  for (const auto& [k, o] : objects_) {
    if (o->namespace_() == ns) out.push_back(o);
  }
  return out;
}

std::vector<ObjectPtr> Store::by_label(std::string_view key, std::string_view value) const {
  std::shared_lock lock(mu_);
  std::vector<ObjectPtr> out;
  for (const auto& [k, o] : objects_) {
    if (o->label(key) == value) out.push_back(o);
  }
  return out;
}

std::vector<std::string> Store::keys() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  out.reserve(objects_.size());
  for (const auto& [k, o] : objects_) out.emplace_back(k);
  return out;
}

size_t Store::size() const {
  std::shared_lock lock(mu_);
  return objects_.size();
}

std::optional<Delta> Store::upsert(ObjectPtr object) {
  std::unique_lock lock(mu_);
  auto it = objects_.find(object->key());
  if (it == objects_.end()) {
    objects_.emplace(object->key(), object);
    return Delta{DeltaType::Added, nullptr, std::move(object)};
  }
  ObjectPtr old = it->second;
  // The resourceVersion is the server's version of the whole object: equal means unchanged
  // (items of a LIST may differ cosmetically from watch events, e.g. a missing "kind").
  if (!object->resource_version().empty() &&
      old->resource_version() == object->resource_version() && old->uid() == object->uid()) {
    return std::nullopt;
  }
  objects_.erase(it);  // the key view points into `old`: re-key with the new object's view
  objects_.emplace(object->key(), object);
  return Delta{DeltaType::Updated, std::move(old), std::move(object)};
}

std::optional<Delta> Store::erase(std::string_view key) {
  std::unique_lock lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return std::nullopt;
  ObjectPtr old = it->second;
  objects_.erase(it);
  return Delta{DeltaType::Deleted, std::move(old), nullptr};
}

std::vector<Delta> Store::replace(std::vector<ObjectPtr> fresh) {
  std::vector<Delta> deltas;
  std::unordered_set<std::string_view> seen;
  seen.reserve(fresh.size());
  for (const ObjectPtr& o : fresh) seen.insert(o->key());
  // Deletions first: keys we hold that the server no longer has.
  std::vector<std::string> gone;
  {
    std::shared_lock lock(mu_);
    for (const auto& [k, o] : objects_) {
      if (!seen.contains(k)) gone.emplace_back(k);
    }
  }
  for (const std::string& k : gone) {
    if (auto d = erase(k)) deltas.push_back(std::move(*d));
  }
  for (ObjectPtr& o : fresh) {
    if (auto d = upsert(std::move(o))) deltas.push_back(std::move(*d));
  }
  return deltas;
}

}  // namespace zk::kube
