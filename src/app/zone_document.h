// The zone document: zonekeeper's YAML form of a zone's records (export writes it, import
// reads it). Format in docs/zone-document.md.
//
//   auto doc = parse_zone_document(text, "zone.yaml", &zone);   // errors carry file:line
//   std::string yaml = write_zone_document(snapshot_zone, serial, rrsets);
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "model/error.h"
#include "model/rrset.h"

namespace zk::app {

struct ZoneDocument {
  std::optional<model::Name> zone;  // `zone:` when present
  model::RRsetMap rrsets;
};

// `expected_zone` resolves relative names; when the document names another zone, it fails.
model::Parsed<ZoneDocument> parse_zone_document(std::string_view text, std::string_view file,
                                                const model::Name& expected_zone);

std::string write_zone_document(const model::Name& zone, std::optional<uint32_t> serial,
                                const model::RRsetMap& rrsets);

}  // namespace zk::app
