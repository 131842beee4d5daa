// Preview environments: a Namespace annotated `dns.zonekeeper.io/preview: "true"` marks the
// source objects in it (Ingress, IngressRoute, HTTPRoute, DNSEndpoint) as a preview — their
// records get the preview TTL (`dns.zonekeeper.io/preview-ttl`, default 60 s), and once the
// Namespace is being deleted they are served no more. Pure.
//
//   sources::Preview p = sources::preview_of(namespace_json);
//   if (p.active()) ttl = p.ttl;             // p.problem: an annotation not understood
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

namespace zk::sources {

inline constexpr std::string_view kPreviewAnnotation = "dns.zonekeeper.io/preview";
inline constexpr std::string_view kPreviewTtlAnnotation = "dns.zonekeeper.io/preview-ttl";
inline constexpr uint32_t kDefaultPreviewTtl = 60;
inline constexpr uint32_t kMaxPreviewTtl = 86400;

struct Preview {
  bool preview = false;  // the annotation says "true"
  uint32_t ttl = kDefaultPreviewTtl;
  bool terminating = false;  // metadata.deletionTimestamp is set
  // An annotation that is not understood (the default is used instead), for a Warning Event.
  std::string problem;
  bool active() const { return preview && !terminating; }
  friend bool operator==(const Preview&, const Preview&) = default;
};

// What a Namespace object says. `preview` values: "true" (any case) → a preview; "false" or
// absent → not; anything else → not, with a problem. The TTL: whole seconds 1..86400.
Preview preview_of(const boost::json::value& ns_object);

}  // namespace zk::sources
