// Packs a ChangeSet into the fewest RFC 2136 UPDATE messages that fit a size budget.
//
//   auto msgs = pack_update(changeset, kMaxMessage - key.tsig_rr_size());
//   for (auto& m : *msgs) send(m.wire);        // each Change lies wholly inside one message
//
// Encoding per Change (RFC 2136 §2.5): Replace = "delete RRset" (class ANY) + the new RRs in
// the same message; Add = RRs (class IN); Remove = RRs (class NONE); DeleteRRset = class
// ANY. A Change's `expect` becomes prerequisites (§2.4): an empty RRset → "RRset does not
// exist" (class NONE), otherwise value-dependent "RRset exists" with exactly those records.
// Messages are filled greedily in order, which yields the fewest messages for an ordered
// split. Pure: no I/O.
#pragma once

#include <cstdint>
#include <vector>

#include "dns/error.h"
#include "model/changeset.h"

namespace zk::dns {

struct UpdateMessage {
  std::vector<uint8_t> wire;  // unsigned, message ID 0 (set when sent)
  size_t first_change = 0;    // index into ChangeSet::changes
  size_t change_count = 0;
};

struct PackOptions {
  size_t max_bytes = 65535;  // per message, before TSIG
  size_t max_records = 0;    // optional cap on RRs per message (0 = none)
};

Result<std::vector<UpdateMessage>> pack_update(const model::ChangeSet& changes,
                                               const PackOptions& options);

}  // namespace zk::dns
