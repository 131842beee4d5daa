// Which namespaces a DNSZone may take records from. A DNSZone's recordsFrom[].namespaceSelector
// reaches records in other namespaces, but records from another namespace are admitted only when
// the DNSZone's own Namespace lists that namespace in the annotation
// `dns.zonekeeper.io/allow-records-from` — a Namespace annotation, so whoever administers
// namespaces (not the zone's owner) decides. Pure.
//
//   NamespaceInfo info = decode_namespace(namespace_json);   // labels + allow-list
//   info.admits_records_from("team-a");                       // listed, or "*" is listed
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "api/label_selector.h"
#include "model/error.h"

namespace zk::api {

inline constexpr std::string_view kAllowRecordsFromAnnotation =
    "dns.zonekeeper.io/allow-records-from";

struct NamespaceInfo {
  std::string name;
  Labels labels;
  // The annotation's namespace names ("*": every namespace), in the order given.
  std::vector<std::string> allow_records_from;
  // Entries of the annotation that are not namespace names (ignored), for the message.
  std::string problem;

  // Its own records always; another namespace's when the annotation lists it (or "*").
  bool admits_records_from(std::string_view ns) const;
  friend bool operator==(const NamespaceInfo&, const NamespaceInfo&) = default;
};

// metadata.name, labels and the annotation of a Namespace object (name required).
model::Parsed<NamespaceInfo> decode_namespace(const boost::json::value& object);

// The annotation's value read: comma- or space-separated namespace names, or "*".
NamespaceInfo parse_allow_records_from(std::string name, Labels labels, std::string_view value);

}  // namespace zk::api
