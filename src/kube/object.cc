#include "kube/object.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

#include <fmt/format.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "kube/packed_json.h"

namespace zk::kube {

namespace {

constexpr std::string_view kLastApplied = "kubectl.kubernetes.io/last-applied-configuration";

std::string_view string_or_empty(const boost::json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return {};
  return it->value().get_string();
}

}  // namespace

std::string object_key(std::string_view ns, std::string_view name) {
  return ns.empty() ? std::string(name) : fmt::format("{}/{}", ns, name);
}

Result<ObjectPtr> Object::from_json(boost::json::object& object) {
  auto meta_it = object.find("metadata");
  if (meta_it == object.end() || !meta_it->value().is_object()) {
    return fail(ErrorCode::Decode, "object has no metadata");
  }
  boost::json::object& meta = meta_it->value().get_object();
  meta.erase("managedFields");
  if (auto a = meta.find("annotations"); a != meta.end() && a->value().is_object()) {
    a->value().get_object().erase(kLastApplied);
  }
  std::string_view ns = string_or_empty(meta, "namespace");
  std::string_view name = string_or_empty(meta, "name");
  std::string_view rv = string_or_empty(meta, "resourceVersion");
  std::string_view uid = string_or_empty(meta, "uid");
  if (name.empty()) return fail(ErrorCode::Decode, "object has no metadata.name");
  if (uid.size() > std::numeric_limits<uint16_t>::max()) {
    return fail(ErrorCode::Decode, "object has an oversized metadata.uid");
  }

  std::string labels;
  uint16_t label_count = 0;
  if (auto l = meta.find("labels"); l != meta.end() && l->value().is_object()) {
    for (const auto& kv : l->value().get_object()) {
      if (!kv.value().is_string()) continue;
      std::string_view v = kv.value().get_string();
      if (kv.key().find('\0') != std::string_view::npos || v.find('\0') != std::string_view::npos ||
          label_count == std::numeric_limits<uint16_t>::max()) {
        continue;
      }
      labels.append(kv.key().data(), kv.key().size());
      labels.push_back('\0');
      labels.append(v.data(), v.size());
      labels.push_back('\0');
      ++label_count;
    }
  }
  std::string json = pack_json(boost::json::serialize(object));

  size_t key_len = ns.empty() ? name.size() : ns.size() + 1 + name.size();
  size_t total = key_len + rv.size() + uid.size() + labels.size() + json.size();
  if (total > std::numeric_limits<uint32_t>::max()) {
    return fail(ErrorCode::Decode, "object too large");
  }
  auto o = std::make_shared<Object>();
  o->data_ = std::make_unique_for_overwrite<char[]>(total);
  char* p = o->data_.get();
  auto put = [&p](std::string_view s) {
    if (!s.empty()) std::memcpy(p, s.data(), s.size());
    p += s.size();
  };
  put(ns);
  if (!ns.empty()) put("/");
  put(name);
  put(rv);
  put(uid);
  put(labels);
  put(json);
  o->size_ = uint32_t(total);
  o->ns_len_ = uint32_t(ns.size());
  o->name_len_ = uint32_t(name.size());
  o->rv_len_ = uint32_t(rv.size());
  o->uid_len_ = uint16_t(uid.size());
  o->label_count_ = label_count;
  o->labels_len_ = uint32_t(labels.size());
  return ObjectPtr(std::move(o));
}

Result<ObjectPtr> Object::from_text(std::string_view json) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(json, ec);
  if (ec) return fail(ErrorCode::Decode, fmt::format("object is not JSON: {}", ec.message()));
  if (!v.is_object()) return fail(ErrorCode::Decode, "object is not a JSON object");
  return from_json(v.get_object());
}

std::string_view Object::field(int i) const {
  const char* base = data_.get();
  size_t key_len = ns_len_ == 0 ? name_len_ : ns_len_ + 1 + name_len_;
  switch (i) {
    case 0:
      return {base, ns_len_};
    case 1:
      return {base + (key_len - name_len_), name_len_};
    case 2:
      return {base + key_len, rv_len_};
    case 3:
      return {base + key_len + rv_len_, uid_len_};
    case 4:
      return {base + key_len + rv_len_ + uid_len_, labels_len_};
    default: {
      size_t off = key_len + rv_len_ + uid_len_ + labels_len_;
      return {base + off, size_ - off};
    }
  }
}

std::string_view Object::key() const {
  return {data_.get(), ns_len_ == 0 ? name_len_ : ns_len_ + 1 + name_len_};
}

std::string Object::json() const {
  std::string out;
  unpack_json(field(5), out);
  return out;
}

boost::json::value Object::parse() const {
  thread_local std::string text;  // reused: parse() runs for every object the controller reads
  unpack_json(field(5), text);
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (text.capacity() > 64 * 1024) std::string().swap(text);  // no large buffer kept for good
  return ec ? boost::json::value() : v;  // we serialized it ourselves: cannot fail
}

std::vector<std::pair<std::string_view, std::string_view>> Object::labels() const {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  out.reserve(label_count_);
  std::string_view blob = field(4);
  while (!blob.empty()) {
    size_t k = blob.find('\0');
    std::string_view key = blob.substr(0, k);
    blob.remove_prefix(k + 1);
    size_t v = blob.find('\0');
    out.emplace_back(key, blob.substr(0, v));
    blob.remove_prefix(v + 1);
  }
  return out;
}

std::optional<std::string_view> Object::label(std::string_view key) const {
  for (const auto& [k, v] : labels()) {
    if (k == key) return v;
  }
  return std::nullopt;
}

}  // namespace zk::kube
