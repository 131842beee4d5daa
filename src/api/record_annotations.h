// The annotations people put on record objects for people and tools (seed 003 §11.5.2): who
// owns the record, what it is for, and a webhook told of each served change. Pure.
//
//   RecordAnnotations a = read_record_annotations(object);   // values as given, trimmed
//   if (auto ok = check_notify_url(a.notify_url); !ok) event(kInvalidNotifyUrl, ok.error());
//   log("sent to {}", redacted_url(a.notify_url));            // no query, no credentials
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "model/error.h"

namespace zk::api {

inline constexpr std::string_view kOwnerAnnotation = "dns.zonekeeper.io/owner";
inline constexpr std::string_view kDescriptionAnnotation = "dns.zonekeeper.io/description";
inline constexpr std::string_view kNotifyUrlAnnotation = "dns.zonekeeper.io/notify-url";
// Longer values are cut (owner, description) or refused (notify-url).
inline constexpr size_t kMaxAnnotationText = 1024;
inline constexpr size_t kMaxNotifyUrl = 2048;

struct RecordAnnotations {
  std::string owner;
  std::string description;
  std::string notify_url;  // "" when absent; may be invalid (check_notify_url)
  bool empty() const { return owner.empty() && description.empty() && notify_url.empty(); }
  friend bool operator==(const RecordAnnotations&, const RecordAnnotations&) = default;
};

// RecordAnnotations as an object of the catalogs holds them: most objects have none (memory: 16
// bytes then, where three strings took 96). Shared and immutable; read with * and ->.
class HeldAnnotations {
 public:
  HeldAnnotations() = default;
  HeldAnnotations(RecordAnnotations a)  // NOLINT(google-explicit-constructor): a value, held
      : held_(a.empty() ? nullptr : std::make_shared<const RecordAnnotations>(std::move(a))) {}
  const RecordAnnotations& operator*() const { return held_ ? *held_ : none(); }
  const RecordAnnotations* operator->() const { return &**this; }
  friend bool operator==(const HeldAnnotations& a, const HeldAnnotations& b) { return *a == *b; }

 private:
  static const RecordAnnotations& none() {
    static const RecordAnnotations empty;
    return empty;
  }
  std::shared_ptr<const RecordAnnotations> held_;
};

// metadata.annotations of `object`; absent or non-string values are "".
RecordAnnotations read_record_annotations(const boost::json::value& object);

// Whether zonekeeper calls this URL: https:// to any host, or http:// only to a loopback host
// (127.0.0.0/8, [::1], localhost) — a webhook in clear text must not cross a network. No
// user:password@, no fragment, at most kMaxNotifyUrl characters.
model::Parsed<bool> check_notify_url(std::string_view url);

// scheme://host[:port]/path — no query, fragment or credentials: what logs and Events may show
// (a webhook URL often carries its token in the query).
std::string redacted_url(std::string_view url);

}  // namespace zk::api
