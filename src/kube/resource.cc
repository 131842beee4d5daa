#include "kube/resource.h"

#include <fmt/format.h>

namespace zk::kube {

std::string Resource::api_version() const {
  return group.empty() ? version : fmt::format("{}/{}", group, version);
}

std::string Resource::group_version_path() const {
  return group.empty() ? fmt::format("/api/{}", version)
                       : fmt::format("/apis/{}/{}", group, version);
}

std::string Resource::collection_path(std::string_view ns) const {
  if (namespaced && !ns.empty()) {
    return fmt::format("{}/namespaces/{}/{}", group_version_path(), url_encode(ns), resource);
  }
  return fmt::format("{}/{}", group_version_path(), resource);
}

std::string Resource::object_path(std::string_view ns, std::string_view name,
                                  std::string_view subresource) const {
  std::string p = fmt::format("{}/{}", collection_path(ns), url_encode(name));
  if (!subresource.empty()) p += fmt::format("/{}", subresource);
  return p;
}

std::string Resource::qualified_name() const {
  return group.empty() ? resource : fmt::format("{}.{}", resource, group);
}

std::string url_encode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (unsigned char c : value) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += char(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace zk::kube
