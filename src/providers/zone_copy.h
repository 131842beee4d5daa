// A provider's copy of a served zone, kept in step: acknowledged changes applied to it as the
// server applies them, which RRsets differ between two versions of it, and what it answers for
// one name and type. Pure.
//
//   apply_changes(copy.rrsets, acknowledged);         // after the server said yes
//   auto moved = differences(before, copy.rrsets);    // what a refresh found changed
#pragma once

#include <vector>

#include "model/changeset.h"
#include "model/rrset.h"
#include "providers/provider.h"

namespace zk::providers {

// Applies acknowledged changes to a copy of the zone, as BIND (and Technitium) apply them:
// singletons (SOA, CNAME) are replaced by an Add; an Add gives the whole RRset its TTL.
void apply_changes(model::RRsetMap& zone, const std::vector<model::Change>& changes);

// The RRsets whose data differ between two versions of a zone (SOA excluded), in order.
std::vector<model::RRsetKey> differences(const model::RRsetMap& before,
                                         const model::RRsetMap& after);

// The answer a server holding `zone` gives for name/type: NXDOMAIN when no RRset is owned by
// `name` (empty non-terminals aside), else NOERROR with the RRset's data (none: NODATA).
LookupAnswer answer_from(const model::RRsetMap& zone, const model::Name& name, model::RRType type);

}  // namespace zk::providers
