// RFC 3339 timestamps as Kubernetes writes them (metadata.creationTimestamp,
// lastTransitionTime), parsed into a comparable value. Pure: the current time is always
// passed in by the caller.
//
//   auto t = api::parse_rfc3339("2024-05-01T12:00:00Z").value();
//   t < api::parse_rfc3339("2024-05-01T12:00:01.5+00:00").value();   // true
//   api::format_rfc3339(t.seconds);                                    // "2024-05-01T12:00:00Z"
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "model/error.h"

namespace zk::api {

struct Timestamp {
  int64_t seconds = 0;  // since 1970-01-01T00:00:00Z
  int32_t nanos = 0;    // 0..999'999'999
  friend auto operator<=>(const Timestamp&, const Timestamp&) = default;
};

// "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)"; 't'/'z' accepted; leap second 60 rejected.
model::Parsed<Timestamp> parse_rfc3339(std::string_view text);
// "YYYY-MM-DDTHH:MM:SSZ" (the form metav1.Time serializes to).
std::string format_rfc3339(int64_t seconds);

}  // namespace zk::api
