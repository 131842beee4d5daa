#include "api/object_meta.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "api/json_fields.h"
#include "api/kind.h"

namespace zk::api {

model::Parsed<ObjectMeta> decode_meta(const boost::json::value& object) {
  if (!object.is_object()) return model::invalid("the object is not a JSON object");
  const auto* md = json::member(&object, "metadata");
  auto mdo = json::opt_object(md, "metadata");
  if (!mdo) return tl::unexpected(mdo.error());
  ObjectMeta m;
  auto name = json::req_string(json::member(md, "name"), "metadata.name");
  if (!name) return tl::unexpected(name.error());
  if (name->empty()) return model::invalid("metadata.name: must not be empty");
  m.name = std::move(*name);
  std::string created;
  for (auto [key, field] : {std::pair{"namespace", &m.ns}, std::pair{"uid", &m.uid},
                            std::pair{"creationTimestamp", &created}}) {
    auto s = json::opt_string(json::member(md, key), fmt::format("metadata.{}", key));
    if (!s) return tl::unexpected(s.error());
    if (*s) *field = std::move(**s);
  }
  if (auto t = parse_rfc3339(created)) m.created_at = *t;
  auto gen = json::opt_int(json::member(md, "generation"), "metadata.generation", 0, INT64_MAX);
  if (!gen) return tl::unexpected(gen.error());
  m.generation = gen->value_or(0);
  auto labels = decode_labels(md);
  if (!labels) return tl::unexpected(labels.error());
  m.labels = std::move(*labels);
  return m;
}

model::Parsed<bool> check_type(const boost::json::value& object, std::string_view kind) {
  auto k = json::opt_string(json::member(&object, "kind"), "kind");
  if (!k) return tl::unexpected(k.error());
  if (*k && **k != kind) {
    return model::invalid(fmt::format("kind: expected {}, got \"{}\"", kind, **k));
  }
  auto av = json::opt_string(json::member(&object, "apiVersion"), "apiVersion");
  if (!av) return tl::unexpected(av.error());
  if (*av && **av != kApiVersion) {
    return model::invalid(fmt::format("apiVersion: expected {}, got \"{}\"", kApiVersion, **av));
  }
  return true;
}

model::Parsed<ObjectMeta> decode_object_meta(const boost::json::value& object,
                                             std::string_view kind, Scope scope) {
  if (!object.is_object()) return model::invalid("the object is not a JSON object");
  auto type_ok = check_type(object, kind);
  if (!type_ok) return tl::unexpected(type_ok.error());
  auto meta = decode_meta(object);
  if (meta && scope == Scope::Cluster) meta->ns.clear();
  return meta;
}

bool rfc1123_label(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  auto inner = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; };
  if (!std::all_of(s.begin(), s.end(), inner)) return false;
  return s.front() != '-' && s.back() != '-';
}

bool k8s_label_value(std::string_view s) {
  if (s.empty()) return true;
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  if (s.size() > 63 || !alnum(s.front()) || !alnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(),
                     [&](char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; });
}

bool k8s_object_name(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  for (;;) {
    auto dot = s.find('.');
    if (!rfc1123_label(s.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    s.remove_prefix(dot + 1);
  }
}

model::Parsed<std::optional<std::string>> opt_namespace_name(const boost::json::value* v,
                                                             std::string_view path) {
  auto s = json::opt_string(v, path);
  if (!s) return tl::unexpected(s.error());
  if (*s && !rfc1123_label(**s)) {
    return model::invalid(fmt::format(
        "{}: \"{}\" is not a namespace name (lowercase letters, digits and '-', at most 63 "
        "characters, starting and ending with a letter or digit)",
        path, (*s)->substr(0, 80)));
  }
  return s;
}

}  // namespace zk::api
