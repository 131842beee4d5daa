// ChangeSet: what one zone must change, in RRset units, for the DNS engine to apply.
//
//   ChangeSet cs{zone};
//   cs.replace(www_rrset);                    // delete RRset + add RRs, in ONE message
//   cs.remove_rrset({old_name, RRType::TXT}); // delete the whole RRset
//   cs.replace(api_rrset, /*expect=*/current); // applied only if the server still has `current`
//
// Each Change is atomic on the server: it is never split across UPDATE messages.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/record_notes.h"
#include "model/rrset.h"

namespace zk::model {

struct Change {
  enum class Op {
    Replace,      // the RRset becomes exactly `rrset` (delete RRset, add its records)
    Add,          // add `rrset`'s records to whatever is there
    Remove,       // remove exactly `rrset`'s records
    DeleteRRset,  // delete every record of rrset.key()
  };
  Op op = Op::Replace;
  RRset rrset;
  // Optional prerequisite (RFC 2136 §2.4): the server's RRset must currently be exactly this;
  // an empty RRset means "must not exist". Guards against a concurrent writer.
  std::optional<RRset> expect;
};

std::string to_string(Change::Op op);

struct ChangeSet {
  Name zone;
  std::vector<Change> changes;
  // Owner and description of RRsets this set writes (Replace, Add), for backends that keep them
  // with each record (Technitium's comments); an RRset not listed has none. RFC 2136 ignores it.
  std::map<RRsetKey, RecordNotes> notes = {};

  void replace(RRset s, std::optional<RRset> expect = std::nullopt) {
    changes.push_back({Change::Op::Replace, std::move(s), std::move(expect)});
  }
  void add(RRset s) { changes.push_back({Change::Op::Add, std::move(s), std::nullopt}); }
  void remove(RRset s) { changes.push_back({Change::Op::Remove, std::move(s), std::nullopt}); }
  void remove_rrset(const RRsetKey& k, std::optional<RRset> expect = std::nullopt) {
    changes.push_back({Change::Op::DeleteRRset, RRset(k.owner, k.type, 0), std::move(expect)});
  }
  bool empty() const { return changes.empty(); }
  size_t record_count() const;
};

}  // namespace zk::model
