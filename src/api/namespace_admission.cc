#include "api/namespace_admission.h"

#include <algorithm>

#include <fmt/format.h>

#include "api/json_fields.h"
#include "api/object_meta.h"

namespace zk::api {

bool NamespaceInfo::admits_records_from(std::string_view ns) const {
  if (ns == name) return true;
  return std::any_of(allow_records_from.begin(), allow_records_from.end(),
                     [&](const std::string& e) { return e == "*" || e == ns; });
}

NamespaceInfo parse_allow_records_from(std::string name, Labels labels, std::string_view value) {
  NamespaceInfo info{std::move(name), std::move(labels), {}, ""};
  std::vector<std::string> bad;
  size_t i = 0;
  while (i < value.size()) {
    size_t end = value.find_first_of(", \t\n", i);
    if (end == std::string_view::npos) end = value.size();
    std::string_view entry = value.substr(i, end - i);
    i = end + 1;
    if (entry.empty()) continue;
    if (entry == "*" || rfc1123_label(entry)) {
      if (std::find(info.allow_records_from.begin(), info.allow_records_from.end(), entry) ==
          info.allow_records_from.end()) {
        info.allow_records_from.emplace_back(entry);
      }
    } else {
      bad.emplace_back(entry);
    }
  }
  if (!bad.empty()) {
    info.problem = fmt::format("{}: not namespace names, ignored: {}", kAllowRecordsFromAnnotation,
                               fmt::join(bad, ", "));
  }
  return info;
}

model::Parsed<NamespaceInfo> decode_namespace(const boost::json::value& object) {
  auto meta = decode_meta(object);
  if (!meta) return tl::unexpected(meta.error());
  const auto* ann = json::member(json::member(&object, "metadata"), "annotations");
  const auto* allow = json::member(ann, kAllowRecordsFromAnnotation);
  std::string_view value = allow && allow->is_string() ? std::string_view(allow->as_string()) : "";
  NamespaceInfo info = parse_allow_records_from(meta->name, std::move(meta->labels), value);
  if (allow && !allow->is_string()) {
    info.problem = fmt::format("{}: not a string", kAllowRecordsFromAnnotation);
  }
  return info;
}

}  // namespace zk::api
