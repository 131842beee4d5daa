#include "sources/preview.h"

#include <charconv>

#include <fmt/format.h>

#include "api/json_fields.h"
#include "model/ascii.h"

namespace zk::sources {

namespace json = api::json;

Preview preview_of(const boost::json::value& ns_object) {
  Preview p;
  const auto* md = json::member(&ns_object, "metadata");
  if (const auto* del = json::member(md, "deletionTimestamp"); del && del->is_string()) {
    p.terminating = true;
  }
  const auto* ann = json::member(md, "annotations");
  const auto* flag = json::member(ann, kPreviewAnnotation);
  if (!flag) return p;
  std::string_view value = flag->is_string() ? std::string_view(flag->as_string()) : "";
  if (model::ascii_iequals(value, "true")) {
    p.preview = true;
  } else if (!model::ascii_iequals(value, "false")) {
    p.problem = fmt::format("{}: \"{}\" is neither \"true\" nor \"false\"; not a preview",
                            kPreviewAnnotation, value);
    return p;
  }
  if (!p.preview) return p;
  if (const auto* ttl = json::member(ann, kPreviewTtlAnnotation)) {
    std::string_view text = ttl->is_string() ? std::string_view(ttl->as_string()) : "";
    uint32_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size() || n < 1 || n > kMaxPreviewTtl) {
      p.problem = fmt::format("{}: \"{}\" is not a whole number of seconds from 1 to {}; using {}",
                              kPreviewTtlAnnotation, text, kMaxPreviewTtl, kDefaultPreviewTtl);
    } else {
      p.ttl = n;
    }
  }
  return p;
}

}  // namespace zk::sources
